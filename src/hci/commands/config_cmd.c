/* The config command: pick a setting from a full-screen list, edit it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/console.h>
#include <keel/editstring.h>
#include <keel/menu.h>
#include <keel/parseopt.h>
#include <keel/settings.h>

/** Name of the menu config builds (a space keeps scripts from using it) */
#define CONFIG_MENU " config"
/** Width of the name column */
#define CONFIG_NAME_WIDTH 28

/** One row of the list: where a value is stored, and what it is now */
struct config_row {
	/** Full name to store to, "[scope/]name[:type]" */
	char *name;
	/** Name as shown */
	char *shown;
	/** Current value ("" if unset) */
	char *value;
};

/** Everything config lists for a block */
struct config_list {
	/** Block being configured */
	struct settings *settings;
	/** Its full name ("" for the root) */
	char scope[64];
	struct config_row *rows;
	unsigned int count;
};

static void config_list_free(struct config_list *list)
{
	unsigned int i;

	for (i = 0; i < list->count; i++) {
		free(list->rows[i].name);
		free(list->rows[i].shown);
		free(list->rows[i].value);
	}
	free(list->rows);
	list->rows = NULL;
	list->count = 0;
}

/** Append a row; it shows @name without the block's scope and ":type" */
static int config_add(struct config_list *list, const char *name,
		      const char *value)
{
	size_t scope_len = strlen(list->scope);
	struct config_row *rows, *row;
	const char *shown = name;
	char *colon;

	if (scope_len && strncmp(name, list->scope, scope_len) == 0 &&
	    name[scope_len] == '/')
		shown += scope_len + 1;

	rows = realloc(list->rows, (list->count + 1) * sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	list->rows = rows;
	row = &rows[list->count];
	row->name = strdup(name);
	row->shown = strdup(shown);
	row->value = strdup(value ? value : "");
	if (!row->name || !row->shown || !row->value) {
		free(row->name);
		free(row->shown);
		free(row->value);
		return -ENOMEM;
	}
	colon = strchr(row->shown, ':');
	if (colon)
		*colon = '\0';
	list->count++;
	return 0;
}

/** True if a stored setting already has a row as a known definition */
static int config_covered(struct config_list *list,
			  const struct setting *setting)
{
	const struct setting *def = find_setting(setting->name);

	return def && setting_applies(list->settings, def);
}

/** settings_walk() callback: a row for each stored value not yet listed */
static int config_add_stored(void *ctx, struct settings *origin,
			     const struct setting *setting, const char *value)
{
	struct config_list *list = ctx;
	char name[128];

	if (config_covered(list, setting))
		return 0;
	setting_name(origin, setting, name, sizeof(name));
	return config_add(list, name, value);
}

/** A row for each defined setting that can live in the block */
static int config_add_defined(struct config_list *list)
{
	const struct setting *setting;
	char name[128];
	char *value;
	int rc;

	for_each_table_entry(setting, SETTINGS) {
		if (!setting_applies(list->settings, setting))
			continue;
		if (fetchf_setting_copy(list->settings, setting, NULL, NULL,
					&value) < 0)
			value = NULL;
		snprintf(name, sizeof(name), "%s%s%s", list->scope,
			 list->scope[0] ? "/" : "", setting->name);
		rc = config_add(list, name, value);
		free(value);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/** List the block's settings afresh */
static int config_collect(struct config_list *list)
{
	int rc;

	config_list_free(list);
	rc = config_add_defined(list);
	if (rc == 0)
		rc = settings_walk(list->settings, config_add_stored, list);
	return rc;
}

/** Build the menu of rows; each label is the row's index */
static struct menu *config_menu(struct config_list *list)
{
	char title[96], label[12], *text;
	struct menu *menu;
	unsigned int i;
	int rc = 0;

	snprintf(title, sizeof(title), "Settings%s%s",
		 list->scope[0] ? ": " : "", list->scope);
	menu = create_menu(CONFIG_MENU, title);
	if (!menu)
		return NULL;
	menu->hint = "Enter to edit, Esc to leave";
	for (i = 0; i < list->count && rc == 0; i++) {
		snprintf(label, sizeof(label), "%u", i);
		if (asprintf(&text, "%-*s %s", CONFIG_NAME_WIDTH,
			     list->rows[i].shown, list->rows[i].value) < 0)
			break;
		rc = add_menu_item(menu, label, text, 0, 0);
		free(text);
	}
	if (i < list->count) {
		destroy_menu(menu);
		return NULL;
	}
	return menu;
}

/** Edit one row's value on a plain line; Esc or Ctrl-C leaves it as it was */
static void config_edit(struct config_row *row)
{
	struct readline_opts opts = {
		.prefill = row->value,
		.esc_cancels = 1,
	};
	char prompt[CONFIG_NAME_WIDTH + 64];
	char *value;
	int rc;

	printf("Editing %s (Enter stores, an empty value deletes, Esc "
	       "cancels)\n", row->name);
	snprintf(prompt, sizeof(prompt), "%s = ", row->shown);
	opts.prompt = prompt;
	if (readline_ext(&opts, &value) != 0)
		return;
	rc = storef_named_setting(row->name, value);
	free(value);
	if (rc != 0) {
		printf("Could not store %s: %s\nPress any key...", row->shown,
		       strerror(rc));
		getkey(0);
	}
}

/** Show the list, edit what is picked, until Esc */
static int config_ui(struct config_list *list)
{
	char selected[12] = "0";
	struct menu_item *item;
	struct menu *menu;
	int rc;

	while (1) {
		rc = config_collect(list);
		if (rc != 0)
			return rc;
		menu = config_menu(list);
		if (!menu)
			return -ENOMEM;
		rc = show_menu(menu, 0, selected, &item);
		if (rc == 0)
			snprintf(selected, sizeof(selected), "%s", item->label);
		destroy_menu(menu);
		if (rc_is(rc, ECANCELED))
			return 0;
		if (rc != 0)
			return rc;
		config_edit(&list->rows[strtoul(selected, NULL, 10)]);
	}
}

static const struct command_descriptor config_cmd =
	COMMAND_DESC_NOOPTS(0, 1, "[<scope>]");

static int config_exec(int argc, char **argv)
{
	struct config_list list = { .count = 0 };
	const char *scope;
	int first = parse_options(argc, argv, &config_cmd, NULL), rc;

	if (first <= 0)
		return first;
	scope = (first < argc) ? argv[first] : "";
	list.settings = find_settings(scope);
	if (!list.settings) {
		printf("%s: no settings called \"%s\"\n", argv[0], scope);
		return errctx(-ENODEV, "no settings \"%s\"", scope);
	}
	settings_name(list.settings, list.scope, sizeof(list.scope));
	rc = config_ui(&list);
	config_list_free(&list);
	if (rc_is(rc, ENOENT))
		printf("%s: nothing to configure\n", argv[0]);
	else if (rc != 0)
		printf("%s: %s\n", argv[0], strerror(rc));
	return rc;
}

struct command config_command __command = {
	.name = "config",
	.exec = config_exec,
	.summary = "Edit settings on a full screen",
};
