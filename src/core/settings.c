/* Settings store: the block tree, lookup with fallback, names, ${} expansion. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <keel/settings.h>

const struct settings_scope netdev_scope = { "netdev" };
const struct settings_scope builtin_scope = { "builtin" };
const struct settings_scope smbios_scope = { "smbios" };

/** Deepest block nesting that names are built for */
#define SETTINGS_DEPTH_MAX 16

/* ------------------------------------------------------------------------
 * Generic blocks: values kept in memory
 */

/** One stored value; its name and then its data follow the structure */
struct generic_setting {
	struct list_head list;
	/** Identity and type, as stored (the name points just below) */
	struct setting setting;
	/** Length of the name, with its NUL */
	size_t name_len;
	/** Length of the data */
	size_t len;
};

static char *generic_name(struct generic_setting *generic)
{
	return (char *)(generic + 1);
}

static void *generic_data(struct generic_setting *generic)
{
	return generic_name(generic) + generic->name_len;
}

static struct generic_setting *find_generic(struct settings *settings,
					    const struct setting *setting)
{
	struct generic_settings *generics =
		container_of(settings, struct generic_settings, settings);
	struct generic_setting *generic;

	list_for_each_entry(generic, &generics->list, list) {
		if (setting_cmp(&generic->setting, setting) == 0)
			return generic;
	}
	return NULL;
}

/** A new stored value, or NULL if out of memory */
static struct generic_setting *generic_new(const struct setting *setting,
					   const void *data, size_t len)
{
	const char *name = setting->name ? setting->name : "";
	size_t name_len = strlen(name) + 1;
	struct generic_setting *generic;

	generic = zalloc(sizeof(*generic) + name_len + len);
	if (!generic)
		return NULL;
	generic->setting = *setting;
	generic->name_len = name_len;
	generic->len = len;
	memcpy(generic_name(generic), name, name_len);
	generic->setting.name = generic_name(generic);
	memcpy(generic_data(generic), data, len);
	return generic;
}

int generic_settings_store(struct settings *settings,
			   const struct setting *setting, const void *data,
			   size_t len)
{
	struct generic_settings *generics =
		container_of(settings, struct generic_settings, settings);
	struct generic_setting *old = find_generic(settings, setting);
	struct generic_setting *new = NULL;

	if (data && len) {
		new = generic_new(setting, data, len);
		if (!new)
			return -ENOMEM;
		/* A replaced value keeps its place in the listing */
		list_add(&new->list, old ? &old->list : generics->list.prev);
	}
	if (old) {
		list_del(&old->list);
		free(old);
	}
	return 0;
}

int generic_settings_fetch(struct settings *settings, struct setting *setting,
			   void *data, size_t len)
{
	struct generic_setting *generic = find_generic(settings, setting);

	if (!generic)
		return -ENOENT;
	if (len)
		memcpy(data, generic_data(generic),
		       (len < generic->len) ? len : generic->len);
	if (!setting->type)
		setting->type = generic->setting.type;
	return (int)generic->len;
}

void generic_settings_clear(struct settings *settings)
{
	struct generic_settings *generics =
		container_of(settings, struct generic_settings, settings);
	struct generic_setting *generic, *tmp;

	list_for_each_entry_safe(generic, tmp, &generics->list, list) {
		list_del(&generic->list);
		free(generic);
	}
}

int generic_settings_list(struct settings *settings,
			  int (*fn)(void *ctx, const struct setting *setting),
			  void *ctx)
{
	struct generic_settings *generics =
		container_of(settings, struct generic_settings, settings);
	struct generic_setting *generic;
	int rc;

	list_for_each_entry(generic, &generics->list, list) {
		if ((rc = fn(ctx, &generic->setting)) != 0)
			return rc;
	}
	return 0;
}

const struct settings_operations generic_settings_operations = {
	.store = generic_settings_store,
	.fetch = generic_settings_fetch,
	.clear = generic_settings_clear,
	.list = generic_settings_list,
};

void settings_init(struct settings *settings,
		   const struct settings_operations *op,
		   struct refcnt *refcnt,
		   const struct settings_scope *default_scope)
{
	memset(settings, 0, sizeof(*settings));
	INIT_LIST_HEAD(&settings->siblings);
	INIT_LIST_HEAD(&settings->children);
	settings->op = op;
	settings->refcnt = refcnt;
	settings->default_scope = default_scope;
}

void generic_settings_init(struct generic_settings *generics,
			   struct refcnt *refcnt)
{
	settings_init(&generics->settings, &generic_settings_operations,
		      refcnt, NULL);
	INIT_LIST_HEAD(&generics->list);
}

/** The root: the global scope, where "set" stores by default */
static struct generic_settings root_generics = {
	.settings = {
		.name = "",
		.siblings = LIST_HEAD_INIT(root_generics.settings.siblings),
		.children = LIST_HEAD_INIT(root_generics.settings.children),
		.op = &generic_settings_operations,
	},
	.list = LIST_HEAD_INIT(root_generics.list),
};
#define settings_root (&root_generics.settings)

/* ------------------------------------------------------------------------
 * The tree
 */

/** Run every applicator after a change that blocks under the root see */
static void apply_settings(void)
{
	struct settings_applicator *applicator;
	int rc;

	for_each_table_entry(applicator, SETTINGS_APPLICATORS) {
		if ((rc = applicator->apply()) != 0)
			DBG("settings: applying %s failed: %s\n",
			    applicator->name, strerror(rc));
	}
}

int settings_priority(struct settings *settings)
{
	struct setting tmp = priority_setting;
	unsigned long value;
	uint8_t raw[sizeof(value)];
	int len;

	if (!settings->op->fetch || !setting_applies(settings, &tmp))
		return settings->priority;
	len = settings->op->fetch(settings, &tmp, raw, sizeof(raw));
	if (len <= 0 || len > (int)sizeof(raw) ||
	    setting_numerate(&setting_type_int8, raw, (size_t)len, &value))
		return settings->priority;
	return (int)(long)value;
}

/** Link a block among its parent's children, after those that outrank it */
static void settings_insert(struct settings *settings, struct settings *parent)
{
	int priority = settings_priority(settings);
	struct list_head *pos;

	for (pos = parent->children.next; pos != &parent->children;
	     pos = pos->next) {
		if (priority > settings_priority(list_entry(
				       pos, struct settings, siblings)))
			break;
	}
	list_add_tail(&settings->siblings, pos);
}

int register_settings(struct settings *settings, struct settings *parent,
		      const char *name)
{
	struct settings *old;

	if (!parent)
		parent = settings_root;
	if (settings->parent)
		return errctx(-EBUSY, "settings \"%s\" are already registered",
			      name);
	if (!name[0] || strchr(name, '.') || strchr(name, '/'))
		return errctx(-EINVAL, "bad settings name \"%s\"", name);
	if ((old = find_child_settings(parent, name)) != NULL)
		unregister_settings(old);
	settings->name = name;
	ref_get(settings->refcnt);
	ref_get(parent->refcnt);
	settings->parent = parent;
	settings_insert(settings, parent);
	DBGC(settings, "settings: registered \"%s\" (priority %d)\n", name,
	     settings_priority(settings));
	apply_settings();
	return 0;
}

void unregister_settings(struct settings *settings)
{
	struct settings *child, *tmp, *parent = settings->parent;

	if (!parent)
		return;
	list_for_each_entry_safe(child, tmp, &settings->children, siblings)
		unregister_settings(child);
	DBGC(settings, "settings: unregistered \"%s\"\n", settings->name);
	list_del(&settings->siblings);
	settings->parent = NULL;
	ref_put(parent->refcnt);
	ref_put(settings->refcnt);
	apply_settings();
}

void clear_settings(struct settings *settings)
{
	if (settings->op->clear)
		settings->op->clear(settings);
}

/** A child by name of @len characters */
static struct settings *find_child_n(struct settings *parent,
				     const char *name, size_t len)
{
	struct settings *child;

	if (!len)
		return parent; /* an empty component means "this block" */
	list_for_each_entry(child, &parent->children, siblings) {
		if (strlen(child->name) == len &&
		    memcmp(child->name, name, len) == 0)
			return child;
	}
	return NULL;
}

struct settings *find_child_settings(struct settings *parent,
				     const char *name)
{
	return find_child_n(parent ? parent : settings_root, name,
			    strlen(name));
}

/** A generic block that springs into being when a store names it */
struct autovivified_settings {
	struct refcnt refcnt;
	struct generic_settings generic;
	char name[];
};

static void autovivified_free(struct refcnt *refcnt)
{
	struct autovivified_settings *block =
		container_of(refcnt, struct autovivified_settings, refcnt);

	generic_settings_clear(&block->generic.settings);
	free(block);
}

/** Create and register an empty generic child; NULL if out of memory */
static struct settings *autovivify(struct settings *parent, const char *name,
				   size_t len)
{
	struct autovivified_settings *block;
	int rc;

	block = zalloc(sizeof(*block) + len + 1);
	if (!block)
		return NULL;
	memcpy(block->name, name, len);
	ref_init(&block->refcnt, autovivified_free);
	generic_settings_init(&block->generic, &block->refcnt);
	rc = register_settings(&block->generic.settings, parent, block->name);
	/* The tree now holds the only reference (if any) */
	ref_put(&block->refcnt);
	return rc ? NULL : &block->generic.settings;
}

/* ------------------------------------------------------------------------
 * netX
 */

static char netx_alias[32];

int settings_set_netx_alias(const char *name)
{
	if (name && strlen(name) >= sizeof(netx_alias))
		return errctx(-ENAMETOOLONG, "\"%s\" is too long for netX",
			      name);
	strlcpy(netx_alias, name ? name : "", sizeof(netx_alias));
	return 0;
}

const char *settings_netx_alias(void)
{
	return netx_alias[0] ? netx_alias : NULL;
}

/**
 * Resolve a block path such as "net0.dhcp" or "netX".
 *
 * @create	create missing generic blocks on the way
 * @rc		error, filled in on failure
 * @ret settings	block, or NULL
 */
static struct settings *resolve_settings(const char *path, int create,
					 int *rc)
{
	struct settings *settings = settings_root, *child;
	const char *part = path, *name;
	size_t len;

	while (1) {
		len = strcspn(part, ".");
		name = part;
		if (part == path && len == 4 && memcmp(part, "netX", 4) == 0) {
			if (!netx_alias[0])
				goto err_netx;
			name = netx_alias;
			len = strlen(netx_alias);
		}
		child = find_child_n(settings, name, len);
		if (!child && create) {
			child = autovivify(settings, name, len);
			if (!child)
				goto err_nomem;
		}
		if (!child)
			goto err_nodev;
		settings = child;
		if (!part[len])
			return settings;
		part += len + 1;
	}
err_netx:
	*rc = errctx(-ENODEV, "no network device is open, so netX is unset");
	return NULL;
err_nomem:
	*rc = -ENOMEM;
	return NULL;
err_nodev:
	*rc = errctx(-ENODEV, "no settings called \"%s\"", path);
	return NULL;
}

struct settings *find_settings(const char *name)
{
	int rc;

	return resolve_settings(name, 0, &rc);
}

/* ------------------------------------------------------------------------
 * Names
 */

/** Where formatting continues in a buffer after @used characters */
static char *buf_at(char *buf, size_t len, int used)
{
	return ((size_t)used < len) ? buf + used : NULL;
}

/** Room left in a buffer after @used characters */
static size_t buf_left(size_t len, int used)
{
	return ((size_t)used < len) ? len - (size_t)used : 0;
}

int settings_name(struct settings *settings, char *buf, size_t len)
{
	const char *parts[SETTINGS_DEPTH_MAX];
	unsigned int n = 0;
	int used = 0;

	if (len)
		buf[0] = '\0';
	for (; settings && settings->parent && n < SETTINGS_DEPTH_MAX;
	     settings = settings->parent)
		parts[n++] = settings->name;
	while (n--) {
		used += snprintf(buf_at(buf, len, used), buf_left(len, used),
				 "%s%s", used ? "." : "", parts[n]);
	}
	return used;
}

int setting_name(struct settings *settings, const struct setting *setting,
		 char *buf, size_t len)
{
	int used = settings_name(settings ? settings : settings_root, buf, len);

	return used + snprintf(buf_at(buf, len, used), buf_left(len, used),
			       "%s%s:%s", used ? "/" : "",
			       setting->name ? setting->name : "",
			       setting->type ? setting->type->name : "string");
}

/**
 * A numeric name as a tag: "12" is 12, "175.19" is (175 << 8) | 19.
 * Each part is decimal (or 0x hex) up to 255; at most four parts.
 *
 * @ret tag	tag, or 0 if @name is not numeric
 */
static unsigned int parse_setting_tag(const char *name)
{
	unsigned int tag = 0, parts = 0;
	unsigned long part;
	const char *p = name;
	char *end;

	do {
		if (!isdigit((unsigned char)*p) || ++parts > 4)
			return 0;
		part = strtoul(p, &end, (p[0] == '0' && p[1] == 'x') ? 16 : 10);
		if (part > 0xff || (*end && *end != '.'))
			return 0;
		tag = (tag << 8) | (unsigned int)part;
		p = end + 1;
	} while (*end);
	return tag;
}

int parse_setting_name(char *name, int create, struct settings **settings,
		       struct setting *setting)
{
	char *slash = strchr(name, '/'), *setting_name, *type_name;
	const struct setting_type *type = NULL;
	const struct setting *def;
	int rc;

	memset(setting, 0, sizeof(*setting));
	*settings = settings_root;
	setting_name = slash ? slash + 1 : name;
	type_name = strchr(setting_name, ':');
	if (type_name)
		*type_name++ = '\0';
	if (!setting_name[0])
		return errctx(-EINVAL, "no setting name given");
	if (type_name && !(type = find_setting_type(type_name)))
		return errctx(-ENOTSUP, "no setting type called \"%s\"",
			      type_name);
	if (slash) {
		*slash = '\0';
		*settings = resolve_settings(name, create, &rc);
		if (!*settings)
			return rc;
	}
	setting->name = setting_name;
	setting->tag = parse_setting_tag(setting_name);
	setting->scope = (*settings)->default_scope;
	for_each_table_entry(def, SETTINGS) {
		if (setting_cmp(def, setting) == 0) {
			*setting = *def;
			break;
		}
	}
	if (type)
		setting->type = type;
	return 0;
}

/* ------------------------------------------------------------------------
 * Values
 */

const struct setting *find_setting(const char *name)
{
	const struct setting *setting;

	for_each_table_entry(setting, SETTINGS) {
		if (strcmp(setting->name, name) == 0)
			return setting;
	}
	return NULL;
}

int setting_cmp(const struct setting *a, const struct setting *b)
{
	if (a->tag && a->tag == b->tag && a->scope == b->scope)
		return 0;
	if (a->name && b->name && a->name[0])
		return strcmp(a->name, b->name);
	return 1;
}

int setting_applies(struct settings *settings, const struct setting *setting)
{
	return settings->op->applies ? settings->op->applies(settings, setting)
				     : 1;
}

/** @setting if it can live in @settings, else a definition of the same
 *  setting that can (a name may be defined in several scopes), or NULL */
static const struct setting *applicable_setting(struct settings *settings,
						const struct setting *setting)
{
	const struct setting *def;

	if (setting_applies(settings, setting))
		return setting;
	for_each_table_entry(def, SETTINGS) {
		if (setting_cmp(setting, def) == 0 &&
		    setting_applies(settings, def))
			return def;
	}
	return NULL;
}

/** True if a block hangs from the root (so its values are visible) */
static int settings_registered(struct settings *settings)
{
	for (; settings; settings = settings->parent) {
		if (settings == settings_root)
			return 1;
	}
	return 0;
}

int store_setting(struct settings *settings, const struct setting *setting,
		  const void *data, size_t len)
{
	int rc;

	if (!settings)
		settings = settings_root;
	if (!setting_applies(settings, setting))
		return errctx(-ENOTSUP, "\"%s\" cannot be stored in \"%s\"",
			      setting->name, settings->name);
	if (!settings->op->store)
		return errctx(-EPERM, "settings \"%s\" are read-only",
			      settings->name);
	if ((rc = settings->op->store(settings, setting, data, len)) != 0)
		return rc;
	if (setting_cmp(setting, &priority_setting) == 0 && settings->parent) {
		list_del(&settings->siblings);
		settings_insert(settings, settings->parent);
	}
	if (settings_registered(settings))
		apply_settings();
	return 0;
}

int fetch_setting(struct settings *settings, const struct setting *setting,
		  struct settings **origin, struct setting *fetched,
		  void *data, size_t len)
{
	const struct setting *applicable;
	struct settings *child;
	struct setting tmp;
	int ret;

	if (!settings)
		settings = settings_root;
	applicable = applicable_setting(settings, setting);
	if (applicable && settings->op->fetch) {
		tmp = *applicable;
		ret = settings->op->fetch(settings, &tmp, data, len);
		if (ret >= 0) {
			/* Asked-for type, else as stored, else string */
			if (setting->type)
				tmp.type = setting->type;
			if (!tmp.type)
				tmp.type = &setting_type_string;
			if (origin)
				*origin = settings;
			if (fetched)
				*fetched = tmp;
			return ret;
		}
	}
	list_for_each_entry(child, &settings->children, siblings) {
		ret = fetch_setting(child, setting, origin, fetched, data, len);
		if (ret >= 0)
			return ret;
	}
	return -ENOENT;
}

int fetch_setting_copy(struct settings *settings,
		       const struct setting *setting, struct settings **origin,
		       struct setting *fetched, void **data)
{
	struct settings *tmp_origin;
	struct setting tmp_fetched;
	int len, check;

	*data = NULL;
	if (!origin)
		origin = &tmp_origin;
	if (!fetched)
		fetched = &tmp_fetched;
	len = fetch_setting(settings, setting, origin, fetched, NULL, 0);
	if (len < 0)
		return len;
	/* One spare byte, so that strings can be terminated */
	*data = zalloc((size_t)len + 1);
	if (!*data)
		return -ENOMEM;
	check = fetch_setting(*origin, fetched, NULL, NULL, *data, (size_t)len);
	if (check < 0) {
		free(*data);
		*data = NULL;
		return check;
	}
	return (check < len) ? check : len;
}

int fetch_string_setting_copy(struct settings *settings,
			      const struct setting *setting, char **value)
{
	return fetch_setting_copy(settings, setting, NULL, NULL,
				  (void **)value);
}

/** Fetch up to a long's worth of big-endian bytes and read them */
static int fetch_numeric(struct settings *settings,
			 const struct setting *setting,
			 const struct setting_type *type, unsigned long *value)
{
	uint8_t raw[sizeof(*value)];
	int len, rc;

	*value = 0;
	len = fetch_setting(settings, setting, NULL, NULL, raw, sizeof(raw));
	if (len < 0)
		return len;
	if (len > (int)sizeof(raw))
		return errctx(-ERANGE, "\"%s\" is too long for a number",
			      setting->name);
	if ((rc = setting_numerate(type, raw, (size_t)len, value)) != 0)
		return rc;
	return len;
}

int fetch_uint_setting(struct settings *settings,
		       const struct setting *setting, unsigned long *value)
{
	return fetch_numeric(settings, setting, &setting_type_uint32, value);
}

int fetch_int_setting(struct settings *settings,
		      const struct setting *setting, long *value)
{
	return fetch_numeric(settings, setting, &setting_type_int32,
			     (unsigned long *)value);
}

int fetchf_setting(struct settings *settings, const struct setting *setting,
		   struct settings **origin, struct setting *fetched,
		   char *buf, size_t len)
{
	struct setting tmp_fetched;
	void *raw;
	int raw_len, rc;

	if (len)
		buf[0] = '\0';
	if (!fetched)
		fetched = &tmp_fetched;
	raw_len = fetch_setting_copy(settings, setting, origin, fetched, &raw);
	if (raw_len < 0)
		return raw_len;
	rc = setting_format(fetched->type, raw, (size_t)raw_len, buf, len);
	free(raw);
	return rc;
}

int fetchf_setting_copy(struct settings *settings,
			const struct setting *setting,
			struct settings **origin, struct setting *fetched,
			char **value)
{
	struct setting tmp_fetched;
	void *raw;
	int raw_len, len;

	*value = NULL;
	if (!fetched)
		fetched = &tmp_fetched;
	raw_len = fetch_setting_copy(settings, setting, origin, fetched, &raw);
	if (raw_len < 0)
		return raw_len;
	len = setting_format(fetched->type, raw, (size_t)raw_len, NULL, 0);
	if (len < 0)
		goto out;
	*value = malloc((size_t)len + 1);
	if (!*value) {
		len = -ENOMEM;
		goto out;
	}
	setting_format(fetched->type, raw, (size_t)raw_len, *value,
		       (size_t)len + 1);
out:
	free(raw);
	return len;
}

int storef_setting(struct settings *settings, const struct setting *setting,
		   const char *value)
{
	struct setting typed = *setting;
	void *raw;
	int len, rc;

	if (!value || !value[0])
		return delete_setting(settings, setting);
	if (!typed.type)
		typed.type = &setting_type_string;
	len = setting_parse(typed.type, value, NULL, 0);
	if (len < 0)
		return len;
	raw = malloc((size_t)len + 1);
	if (!raw)
		return -ENOMEM;
	setting_parse(typed.type, value, raw, (size_t)len);
	rc = store_setting(settings, &typed, raw, (size_t)len);
	free(raw);
	return rc;
}

int fetchn_setting(struct settings *settings, const struct setting *setting,
		   struct settings **origin, struct setting *fetched,
		   unsigned long *value)
{
	struct setting tmp_fetched;
	void *raw;
	int len, rc;

	if (!fetched)
		fetched = &tmp_fetched;
	len = fetch_setting_copy(settings, setting, origin, fetched, &raw);
	if (len < 0)
		return len;
	rc = setting_numerate(fetched->type, raw, (size_t)len, value);
	free(raw);
	return rc;
}

int storen_setting(struct settings *settings, const struct setting *setting,
		   unsigned long value)
{
	struct setting typed = *setting;
	uint8_t raw[32];
	int len;

	if (!typed.type)
		typed.type = &setting_type_int32;
	len = setting_denumerate(typed.type, value, raw, sizeof(raw));
	if (len < 0)
		return len;
	if (len > (int)sizeof(raw))
		return -ERANGE;
	return store_setting(settings, &typed, raw, (size_t)len);
}

/* ------------------------------------------------------------------------
 * Walking
 */

struct settings *settings_next(struct settings *settings,
			       struct settings *top)
{
	if (!top)
		top = settings_root;
	if (!list_empty(&settings->children))
		return list_entry(settings->children.next, struct settings,
				  siblings);
	for (; settings != top && settings->parent;
	     settings = settings->parent) {
		if (settings->siblings.next != &settings->parent->children)
			return list_entry(settings->siblings.next,
					  struct settings, siblings);
	}
	return NULL;
}

/** Context for listing one block */
struct settings_list_ctx {
	struct settings *settings;
	settings_list_fn fn;
	void *ctx;
};

/** Report one listed setting with its type filled in */
static int settings_list_one(void *ctx, const struct setting *setting)
{
	struct settings_list_ctx *list = ctx;
	struct setting typed = *setting;

	if (!typed.type)
		typed.type = &setting_type_string;
	return list->fn(list->ctx, list->settings, &typed);
}

int settings_list(struct settings *settings, settings_list_fn fn, void *ctx)
{
	struct settings_list_ctx list = { settings, fn, ctx };
	const struct setting *def;
	struct setting tmp;
	int rc;

	if (settings->op->list)
		return settings->op->list(settings, settings_list_one, &list);
	if (!settings->op->fetch)
		return 0;
	for_each_table_entry(def, SETTINGS) {
		tmp = *def;
		if (!setting_applies(settings, def) ||
		    settings->op->fetch(settings, &tmp, NULL, 0) < 0)
			continue;
		if ((rc = settings_list_one(&list, &tmp)) != 0)
			return rc;
	}
	return 0;
}

/** Context for walking blocks */
struct settings_walk_ctx {
	settings_walk_fn fn;
	void *ctx;
};

/** Format one setting of a block and hand it on */
static int settings_walk_one(void *ctx, struct settings *settings,
			     const struct setting *setting)
{
	struct settings_walk_ctx *walk = ctx;
	struct setting fetched;
	char *value;
	int rc;

	if (fetchf_setting_copy(settings, setting, NULL, &fetched, &value) < 0)
		return 0;
	rc = walk->fn(walk->ctx, settings, &fetched, value);
	free(value);
	return rc;
}

int settings_walk(struct settings *from, settings_walk_fn fn, void *ctx)
{
	struct settings_walk_ctx walk = { fn, ctx };
	struct settings *settings;
	int rc;

	if (!from)
		from = settings_root;
	for (settings = from; settings;
	     settings = settings_next(settings, from)) {
		if ((rc = settings_list(settings, settings_walk_one, &walk)))
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Named settings
 */

/**
 * Parse a name into a setting, through a private copy of the name.
 *
 * @copy	the copy that @setting's name points into, filled in;
 *		the caller frees it (NULL on failure)
 */
static int parse_named(const char *name, int create, char **copy,
		       struct settings **settings, struct setting *setting)
{
	int rc;

	*copy = strdup(name);
	if (!*copy)
		return -ENOMEM;
	if ((rc = parse_setting_name(*copy, create, settings, setting)) != 0) {
		free(*copy);
		*copy = NULL;
	}
	return rc;
}

int storef_named_setting(const char *name, const char *value)
{
	struct settings *settings;
	struct setting setting;
	char *copy;
	int rc;

	if ((rc = parse_named(name, 1, &copy, &settings, &setting)) != 0)
		return rc;
	rc = storef_setting(settings, &setting, value);
	free(copy);
	return rc;
}

int fetchf_named_setting(const char *name, char *buf, size_t len)
{
	struct settings *settings;
	struct setting setting;
	char *copy;
	int rc;

	if (len)
		buf[0] = '\0';
	if ((rc = parse_named(name, 0, &copy, &settings, &setting)) != 0)
		return rc;
	rc = fetchf_setting(settings, &setting, NULL, NULL, buf, len);
	free(copy);
	return rc;
}

int fetchf_named_setting_copy(const char *name, char **value)
{
	struct settings *settings;
	struct setting setting;
	char *copy;
	int rc;

	*value = NULL;
	if ((rc = parse_named(name, 0, &copy, &settings, &setting)) != 0)
		return rc;
	rc = fetchf_setting_copy(settings, &setting, NULL, NULL, value);
	free(copy);
	return rc;
}

int delete_named_setting(const char *name)
{
	struct settings *settings;
	struct setting setting;
	char *copy;
	int rc;

	rc = parse_named(name, 0, &copy, &settings, &setting);
	if (rc_is(rc, ENODEV))
		return 0; /* no such block: nothing to delete */
	if (rc != 0)
		return rc;
	rc = delete_setting(settings, &setting);
	free(copy);
	return rc;
}

int storen_named_setting(const char *name, unsigned long value)
{
	struct settings *settings;
	struct setting setting, existing;
	char *copy;
	int rc;

	if ((rc = parse_named(name, 1, &copy, &settings, &setting)) != 0)
		return rc;
	if (!setting.type &&
	    fetch_setting(settings, &setting, NULL, &existing, NULL, 0) >= 0)
		setting.type = existing.type;
	rc = storen_setting(settings, &setting, value);
	free(copy);
	return rc;
}

int fetchn_named_setting(const char *name, unsigned long *value)
{
	struct settings *settings;
	struct setting setting;
	char *copy;
	int rc;

	if ((rc = parse_named(name, 0, &copy, &settings, &setting)) != 0)
		return rc;
	rc = fetchn_setting(settings, &setting, NULL, NULL, value);
	free(copy);
	return rc;
}

/* ------------------------------------------------------------------------
 * Expansion
 */

/**
 * Find the next reference to expand: the first '}' that follows a "${",
 * and the last "${" before it.
 *
 * @ret found	true if a complete reference exists
 */
static int expand_find(char *string, char **start, char **end)
{
	char *p;

	*start = NULL;
	for (p = string; *p; p++) {
		if (p[0] == '$' && p[1] == '{')
			*start = p;
		if (*start && p[0] == '}') {
			*end = p;
			return 1;
		}
	}
	return 0;
}

/**
 * The text a reference expands to.
 *
 * @ret value	malloc'd value ("" if unset or invalid), or NULL if out of
 *		memory
 */
static char *expand_value(const char *name)
{
	char *value;
	int rc;

	rc = fetchf_named_setting_copy(name, &value);
	if (rc >= 0)
		return value;
	DBG2("settings: \"${%s}\" expands to nothing: %s\n", name,
	     strerror(rc));
	return rc_is(rc, ENOMEM) ? NULL : strdup("");
}

/**
 * Replace the reference between @start and @end in @string.
 *
 * @limit	longest result allowed
 * @ret result	new string (@string is freed), NULL if out of memory, or
 *		@string itself if the result would be longer than @limit
 */
static char *expand_one(char *string, char *start, char *end, size_t limit)
{
	size_t head, value_len, tail;
	char *value, *result;

	*start = *end = '\0';
	value = expand_value(start + 2);
	if (!value) {
		free(string);
		return NULL;
	}
	head = (size_t)(start - string);
	value_len = strlen(value);
	tail = strlen(end + 1);
	result = (head + value_len + tail <= limit) ?
			 malloc(head + value_len + tail + 1) : string;
	if (result && result != string) {
		memcpy(result, string, head);
		memcpy(result + head, value, value_len);
		memcpy(result + head + value_len, end + 1, tail + 1);
		free(string);
	} else if (!result) {
		free(string);
	}
	free(value);
	return result;
}

char *expand_settings(const char *string)
{
	size_t limit = strlen(string) + SETTINGS_EXPAND_MAX_LEN;
	char *expanded, *start, *end, *next;
	unsigned int count;

	expanded = strdup(string);
	for (count = 0; expanded && expand_find(expanded, &start, &end);
	     count++) {
		if (count == SETTINGS_EXPAND_MAX)
			goto too_much;
		next = expand_one(expanded, start, end, limit);
		if (next == expanded)
			goto too_much;
		expanded = next;
	}
	return expanded;
too_much:
	DBG("settings: expanding \"%s\" went past the limits\n", string);
	free(expanded);
	return strdup("");
}

/* ------------------------------------------------------------------------
 * Definitions
 */

/** A DHCP option tag inside Keel's own encapsulated option 175 */
#define KEEL_ENCAP(n) ((175U << 8) | (n))

/* @desc describes the setting here, in the source; images do not carry it */
#define DEF(id, order, text, desc, tag_value, type_name, scope_ptr)            \
	const struct setting id __setting(order) = {                           \
		.name = text, .tag = tag_value,                                \
		.type = &setting_type_##type_name, .scope = scope_ptr,         \
	}

DEF(mac_setting, SETTING_NETDEV, "mac", "MAC address", 0, hex, &netdev_scope);
DEF(bustype_setting, SETTING_NETDEV, "bustype", "Bus type", 0, string,
    &netdev_scope);
DEF(busloc_setting, SETTING_NETDEV, "busloc", "Bus location", 0, uint32,
    &netdev_scope);
DEF(busid_setting, SETTING_NETDEV, "busid", "Bus ID", 0, hex, &netdev_scope);
DEF(chip_setting, SETTING_NETDEV, "chip", "Chip", 0, string, &netdev_scope);
DEF(ifname_setting, SETTING_NETDEV, "ifname", "Interface name", 0, string,
    &netdev_scope);

DEF(ip_setting, SETTING_IP4, "ip", "IP address", KEEL_ENCAP(2), ipv4, NULL);
DEF(netmask_setting, SETTING_IP4, "netmask", "Subnet mask", 1, ipv4, NULL);
DEF(gateway_setting, SETTING_IP4, "gateway", "Default gateway", 3, ipv4,
    NULL);

DEF(dns_setting, SETTING_IP_EXTRA, "dns", "DNS server", 6, ipv4, NULL);
DEF(domain_setting, SETTING_IP_EXTRA, "domain", "DNS domain", 15, string,
    NULL);
DEF(syslog_setting, SETTING_IP_EXTRA, "syslog", "Syslog server", 7, ipv4,
    NULL);
DEF(ntp_setting, SETTING_IP_EXTRA, "ntp", "NTP server", 42, ipv4, NULL);
DEF(dhcp_server_setting, SETTING_IP_EXTRA, "dhcp-server", "DHCP server", 54,
    ipv4, NULL);

DEF(filename_setting, SETTING_BOOT, "filename", "Boot filename", 67, string,
    NULL);
DEF(next_server_setting, SETTING_BOOT, "next-server", "TFTP server",
    KEEL_ENCAP(3), ipv4, NULL);
DEF(root_path_setting, SETTING_BOOT, "root-path", "SAN root path", 17,
    string, NULL);
DEF(scriptlet_setting, SETTING_BOOT, "scriptlet", "Boot scriptlet",
    KEEL_ENCAP(0x51), string, NULL);

DEF(hostname_setting, SETTING_HOST, "hostname", "Host name", 12, string,
    NULL);
DEF(user_class_setting, SETTING_HOST, "user-class", "DHCP user class", 77,
    string, NULL);
DEF(vendor_class_setting, SETTING_HOST, "vendor-class", "DHCP vendor class",
    60, string, NULL);
DEF(initiator_iqn_setting, SETTING_HOST, "initiator-iqn", "iSCSI initiator",
    203, string, NULL);

DEF(username_setting, SETTING_AUTH, "username", "User name", KEEL_ENCAP(0xbe),
    string, NULL);
DEF(password_setting, SETTING_AUTH, "password", "Password", KEEL_ENCAP(0xbf),
    string, NULL);
DEF(reverse_username_setting, SETTING_AUTH, "reverse-username",
    "Reverse user name", KEEL_ENCAP(0xc0), string, NULL);
DEF(reverse_password_setting, SETTING_AUTH, "reverse-password",
    "Reverse password", KEEL_ENCAP(0xc1), string, NULL);

DEF(uuid_setting, SETTING_SMBIOS, "uuid", "UUID", 0, uuid, &smbios_scope);
DEF(manufacturer_setting, SETTING_SMBIOS, "manufacturer", "Manufacturer", 0,
    string, &smbios_scope);
DEF(product_smbios_setting, SETTING_SMBIOS, "product", "Product name", 0,
    string, &smbios_scope);
DEF(serial_setting, SETTING_SMBIOS, "serial", "Serial number", 0, string,
    &smbios_scope);
DEF(asset_setting, SETTING_SMBIOS, "asset", "Asset tag", 0, string,
    &smbios_scope);
DEF(board_serial_setting, SETTING_SMBIOS, "board-serial",
    "Base board serial number", 0, string, &smbios_scope);

DEF(priority_setting, SETTING_MISC, "priority", "Settings priority",
    KEEL_ENCAP(1), int8, NULL);
DEF(keep_san_setting, SETTING_MISC, "keep-san", "Keep SAN drive registered",
    KEEL_ENCAP(8), int8, NULL);
DEF(skip_san_boot_setting, SETTING_MISC, "skip-san-boot",
    "Skip booting from SAN drive", KEEL_ENCAP(9), int8, NULL);
