/* Tab completion of setting names: arguments, and inside "${" anywhere on the line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <keel/readline.h>
#include <keel/settings.h>

/*
 * Part of the full feature set (src/config/config_full.c), with the line
 * editor's Tab completion (edit_complete.c) that asks it.
 */

/** What is being completed */
struct settings_completion {
	/** Text before the name (the word up to "${", or "") */
	const char *prefix;
	/** Scope typed so far ("net0/"), or "" */
	const char *scope;
	/** Name typed so far */
	const char *partial;
	/** Text after a complete name ("}" inside "${", or "") */
	const char *suffix;
	void (*add)(void *ctx, const char *candidate);
	void *ctx;
};

/** Offer prefix + scope + @name + @end, if @name fits what was typed */
static void offer(struct settings_completion *comp, const char *name,
		  const char *end)
{
	char *candidate;

	if (strncmp(name, comp->partial, strlen(comp->partial)) != 0)
		return;
	if (asprintf(&candidate, "%s%s%s%s", comp->prefix, comp->scope, name,
		     end) < 0)
		return;
	comp->add(comp->ctx, candidate);
	free(candidate);
}

static int offer_held(void *ctx, struct settings *settings,
		      const struct setting *setting)
{
	struct settings_completion *comp = ctx;

	if (setting->name && setting->name[0])
		offer(comp, setting->name, comp->suffix);
	return 0;
}

/** Offer every name defined or held under @top, and (at the top level)
 *  every block name as a scope */
static void offer_names(struct settings_completion *comp,
			struct settings *top)
{
	const struct setting *def;
	struct settings *settings;
	char name[64];

	for_each_table_entry(def, SETTINGS)
		offer(comp, def->name, comp->suffix);
	for (settings = top; settings;
	     settings = settings_next(settings, top)) {
		if (!comp->scope[0] && settings->parent &&
		    settings_name(settings, name, sizeof(name)) <
			    (int)sizeof(name))
			offer(comp, name, "/");
		settings_list(settings, offer_held, comp);
	}
}

/** Complete a setting name: "ho" or "net0/m" */
static void complete_name(const char *prefix, const char *typed,
			  const char *suffix,
			  void (*add)(void *ctx, const char *candidate),
			  void *ctx)
{
	struct settings_completion comp = { prefix, "", typed, suffix, add,
					    ctx };
	const char *slash = strchr(typed, '/');
	struct settings *top = find_settings("");
	char *scope = NULL;

	if (slash) {
		scope = strndup(typed, (size_t)(slash + 1 - typed));
		if (!scope)
			return;
		scope[slash - typed] = '\0';
		top = find_settings(scope);
		scope[slash - typed] = '/';
		comp.scope = scope;
		comp.partial = slash + 1;
	}
	if (top)
		offer_names(&comp, top);
	free(scope);
}

/** Offer setting names for arguments, and inside an open "${" anywhere */
static void complete_settings(const char *word, int first,
			      void (*add)(void *ctx, const char *candidate),
			      void *ctx)
{
	const char *open = NULL, *p;
	char *prefix;

	for (p = word; (p = strstr(p, "${")) != NULL; p += 2)
		open = p;
	if (open && !strchr(open, '}')) {
		prefix = strndup(word, (size_t)(open + 2 - word));
		if (!prefix)
			return;
		complete_name(prefix, open + 2, "}", add, ctx);
		free(prefix);
		return;
	}
	if (!first)
		complete_name("", word, "", add, ctx);
}

struct completer settings_completer __completer = {
	.name = "settings",
	.complete = complete_settings,
};
