/* Form parameter lists: key/value pairs that "##params" URIs submit. */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/params.h>
#include <keel/uri.h>

/** Every registered list */
static LIST_HEAD(parameters_lists);

/** True if two list names (NULL: unnamed) are the same */
static int params_name_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/** "" names the unnamed list too */
static const char *params_name(const char *name)
{
	return (name && name[0]) ? name : NULL;
}

struct parameters *find_parameters(const char *name)
{
	struct parameters *params;

	name = params_name(name);
	list_for_each_entry(params, &parameters_lists, list) {
		if (params_name_eq(params->name, name))
			return params;
	}
	return NULL;
}

static void params_free(struct refcnt *refcnt)
{
	struct parameters *params =
		container_of(refcnt, struct parameters, refcnt);
	struct parameter *param, *tmp;

	list_for_each_entry_safe(param, tmp, &params->entries, list) {
		list_del(&param->list);
		free(param);
	}
	free(params);
}

struct parameters *create_parameters(const char *name)
{
	struct parameters *params, *old;
	size_t len;

	name = params_name(name);
	len = name ? strlen(name) + 1 : 0;
	params = zalloc(sizeof(*params) + len);
	if (!params)
		return NULL;
	ref_init(&params->refcnt, params_free);
	INIT_LIST_HEAD(&params->entries);
	if (name)
		params->name = memcpy(params + 1, name, len);
	if ((old = find_parameters(name)))
		destroy_parameters(old);
	list_add_tail(&params->list, &parameters_lists);
	DBGC(params, "parameter list \"%s\" created\n", name ? name : "");
	return params;
}

void destroy_parameters(struct parameters *params)
{
	if (list_unlinked(&params->list))
		return;
	list_del(&params->list);
	params_put(params);
}

int add_parameter(struct parameters *params, const char *key, const char *value,
		  unsigned int flags)
{
	size_t klen = strlen(key) + 1, vlen = strlen(value) + 1;
	struct parameter *param = zalloc(sizeof(*param) + klen + vlen);
	char *text;

	if (!param)
		return -ENOMEM;
	text = (char *)(param + 1);
	param->key = memcpy(text, key, klen);
	param->value = memcpy(text + klen, value, vlen);
	param->flags = flags;
	list_add_tail(&param->list, &params->entries);
	return 0;
}

/** Append encoded text at @used, snprintf-style */
static size_t params_encode_at(const char *raw, char *buf, size_t len,
			       size_t used)
{
	return uri_encode(URI_FORM, raw,
			  buf ? buf + (used < len ? used : len) : NULL,
			  (used < len) ? len - used : 0);
}

/** Append one literal character at @used */
static size_t params_char_at(char c, char *buf, size_t len, size_t used)
{
	if (used + 1 < len) {
		buf[used] = c;
		buf[used + 1] = '\0';
	}
	return 1;
}

size_t params_format_form(const struct parameters *params, char *buf,
			  size_t len)
{
	const struct parameter *param;
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	list_for_each_entry(param, &params->entries, list) {
		if (!(param->flags & PARAMETER_FORM))
			continue;
		if (used)
			used += params_char_at('&', buf, len, used);
		used += params_encode_at(param->key, buf, len, used);
		used += params_char_at('=', buf, len, used);
		used += params_encode_at(param->value, buf, len, used);
	}
	return used;
}

char *params_format_form_alloc(const struct parameters *params)
{
	size_t len = params_format_form(params, NULL, 0);
	char *text = malloc(len + 1);

	if (text)
		params_format_form(params, text, len + 1);
	return text;
}
