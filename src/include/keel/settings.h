/* Settings: typed values in a tree of scoped blocks, found by name. */
#ifndef KEEL_SETTINGS_H
#define KEEL_SETTINGS_H
#include <stddef.h>
#include <stdint.h>
#include <keel/tables.h>
#include <keel/list.h>
#include <keel/refcnt.h>

/*
 * Model
 * -----
 * A settings block holds raw byte values. Blocks form a tree: the root is
 * the global scope (unnamed); "net0" is a child of the root, "dhcp" a child
 * of "net0" (full name "net0.dhcp"); "builtin", "smbios", "proxydhcp" and
 * "pxebs" are children of the root when they exist. Siblings are kept in
 * priority order, highest first.
 *
 * A setting is identified by a definition (struct setting): a name, a DHCP
 * option tag (encapsulated options as (outer << 8) | inner, so 175.19 is
 * 0xaf13), a default type and a scope. A block's ops decide which settings
 * apply to it, through the scope. The NULL scope means "a DHCP option".
 *
 * Lookup without a block searches the root, then its children depth-first
 * in priority order; the first block holding the setting wins. Lookup in a
 * block searches that block, then its children.
 *
 * Names are "[scope/]name[:type]": "ip", "net0/mac:hexhyp",
 * "net0.dhcp/175.19:uint8", "netX/ip" (netX: the last opened device).
 */

struct settings;
struct setting;

/** What kind of block a setting lives in; compared by address */
struct settings_scope {
	const char *name;
};
/* DHCP options use the NULL scope. These are the others. */
extern const struct settings_scope netdev_scope;  /* device facts: mac, ... */
extern const struct settings_scope builtin_scope; /* computed: errno, ... */
extern const struct settings_scope smbios_scope;  /* machine identity */
/*
 * A platform that knows the machine registers a block named "smbios" under
 * the root, whose applies() accepts smbios_scope and whose fetch() answers
 * (by name) uuid (16 bytes, network order), manufacturer, product, serial,
 * asset and board-serial. ${product} then finds the machine's product;
 * ${builtin/product} is always "Keel".
 */

/* ------------------------------------------------------------------------
 * Types
 */

/**
 * A setting type: how raw bytes become text and back.
 *
 * parse and denumerate write at most @len bytes and return the full raw
 * length (so a first call with @len 0 sizes the buffer). format works like
 * snprintf: it always terminates a non-empty buffer and returns the full
 * text length. All return a negative error on failure.
 */
struct setting_type {
	/** Name, as used in "name:type" */
	const char *name;
	int (*parse)(const struct setting_type *type, const char *text,
		     void *raw, size_t len);
	int (*format)(const struct setting_type *type, const void *raw,
		      size_t raw_len, char *buf, size_t len);
	/** Raw value to number; NULL if the type is not numeric */
	int (*numerate)(const struct setting_type *type, const void *raw,
			size_t raw_len, unsigned long *value);
	/** Number to raw value; NULL if the type is not numeric */
	int (*denumerate)(const struct setting_type *type, unsigned long value,
			  void *raw, size_t len);
	/** Integer types: width in bytes */
	unsigned int width;
	/** Integer types: signed */
	int is_signed;
};

/** Every type; entries are const */
#define SETTING_TYPES __table(const struct setting_type, "setting_types")
#define __setting_type __table_entry(SETTING_TYPES, 01)

extern const struct setting_type setting_type_string;
extern const struct setting_type setting_type_uristring;
extern const struct setting_type setting_type_ipv4;
extern const struct setting_type setting_type_ipv6;
extern const struct setting_type setting_type_hex;
extern const struct setting_type setting_type_hexhyp;
extern const struct setting_type setting_type_hexraw;
extern const struct setting_type setting_type_base64;
extern const struct setting_type setting_type_uuid;
extern const struct setting_type setting_type_guid;
extern const struct setting_type setting_type_busdevfn;
extern const struct setting_type setting_type_int8;
extern const struct setting_type setting_type_int16;
extern const struct setting_type setting_type_int32;
extern const struct setting_type setting_type_uint8;
extern const struct setting_type setting_type_uint16;
extern const struct setting_type setting_type_uint32;

/* Helpers that setting types in other files share (settings_types.c) */
/** Copy a parsed value into @raw (at most @len bytes); returns @value_len */
int setting_raw_out(const void *value, size_t value_len, void *raw,
		    size_t len);
/** Parse exactly a dotted quad from @text up to @end: 0, or -EINVAL */
int setting_scan_ipv4(const char *text, const char *end, uint8_t addr[4]);

/** Find a type by name, or NULL */
const struct setting_type *find_setting_type(const char *name);
/** Parse text with a type (-ENOTSUP if it cannot parse) */
int setting_parse(const struct setting_type *type, const char *text,
		  void *raw, size_t len);
/** Format raw bytes with a type (-ENOTSUP if it cannot format) */
int setting_format(const struct setting_type *type, const void *raw,
		   size_t raw_len, char *buf, size_t len);
/** Raw bytes to a number (-ENOTSUP if the type is not numeric) */
int setting_numerate(const struct setting_type *type, const void *raw,
		     size_t raw_len, unsigned long *value);
/** A number to raw bytes (-ENOTSUP if the type is not numeric) */
int setting_denumerate(const struct setting_type *type, unsigned long value,
		       void *raw, size_t len);

/* ------------------------------------------------------------------------
 * Definitions
 */

/** A setting: its identity, and the type used when none is asked for */
struct setting {
	/** Name ("ip"); a block's stored copy owns its name */
	const char *name;
	/** Default type, or NULL for "as stored, else string" */
	const struct setting_type *type;
	/** DHCP option tag, 0 if none */
	unsigned int tag;
	/** Scope, NULL for DHCP options */
	const struct settings_scope *scope;
};

/** Named definitions; entries are const. Order groups them for menus. */
#define SETTINGS __table(const struct setting, "settings")
#define __setting(order) __table_entry(SETTINGS, order)
#define SETTING_NETDEV 01     /* device identity */
#define SETTING_IP4 02	      /* IPv4 configuration */
#define SETTING_IP_EXTRA 03   /* DNS and the like */
#define SETTING_BOOT 04	      /* what to boot */
#define SETTING_HOST 05	      /* who we are */
#define SETTING_AUTH 06	      /* credentials */
#define SETTING_SMBIOS 07     /* machine identity */
#define SETTING_MISC 08	      /* everything else */
#define SETTING_BUILTIN 09    /* computed values */

/* Definitions other subsystems use */
extern const struct setting ip_setting, netmask_setting, gateway_setting;
extern const struct setting dns_setting, domain_setting, hostname_setting;
extern const struct setting filename_setting, next_server_setting;
extern const struct setting root_path_setting, user_class_setting;
extern const struct setting vendor_class_setting, username_setting;
extern const struct setting password_setting, priority_setting;
extern const struct setting mac_setting, busid_setting, uuid_setting;
extern const struct setting chip_setting, ifname_setting;
extern const struct setting bustype_setting, busloc_setting;

/** The first definition with this name, or NULL */
const struct setting *find_setting(const char *name);
/**
 * Compare two settings: equal if both have the same non-zero tag in the
 * same scope, or else the same non-empty name.
 *
 * @ret diff	0 if they are the same setting
 */
int setting_cmp(const struct setting *a, const struct setting *b);

/* ------------------------------------------------------------------------
 * Blocks
 */

/** What a kind of block can do */
struct settings_operations {
	/** True if @setting can live here; NULL means every setting */
	int (*applies)(struct settings *settings,
		       const struct setting *setting);
	/**
	 * Fetch a raw value.
	 *
	 * @setting	setting, whose NULL type the block may fill in with
	 *		the type the value was stored with
	 * @data	buffer (may be NULL if @len is 0)
	 * @ret len	full length of the value, or -ENOENT
	 */
	int (*fetch)(struct settings *settings, struct setting *setting,
		     void *data, size_t len);
	/** Store a raw value; NULL @data deletes. NULL op: read-only. */
	int (*store)(struct settings *settings, const struct setting *setting,
		     const void *data, size_t len);
	/** Forget every stored value; may be NULL */
	void (*clear)(struct settings *settings);
	/**
	 * List the settings this block holds (not its children), calling
	 * @fn with each one's identity and type. NULL: the defined settings
	 * that apply here and that fetch() finds are listed instead.
	 *
	 * @ret rc	0, or the first non-zero value @fn returned
	 */
	int (*list)(struct settings *settings,
		    int (*fn)(void *ctx, const struct setting *setting),
		    void *ctx);
};

/** A settings block */
struct settings {
	/** Reference count of the owner, or NULL for static blocks */
	struct refcnt *refcnt;
	/** Name within the parent ("net0", "dhcp"); "" for the root */
	const char *name;
	/** Parent, or NULL while unregistered (and for the root) */
	struct settings *parent;
	/** Link among the parent's children */
	struct list_head siblings;
	/** Children, highest priority first */
	struct list_head children;
	const struct settings_operations *op;
	/** Scope given to numeric and unknown names looked up here */
	const struct settings_scope *default_scope;
	/** Priority among siblings; a stored "priority" setting overrides */
	int priority;
};

/** Initialise a block before registering it */
void settings_init(struct settings *settings,
		   const struct settings_operations *op,
		   struct refcnt *refcnt,
		   const struct settings_scope *default_scope);
/**
 * Register a block as a child of @parent, replacing any child of the same
 * name. Takes a reference to both. @name must outlive the registration.
 *
 * @parent	parent, or NULL for the root
 * @ret rc	0
 */
int register_settings(struct settings *settings, struct settings *parent,
		      const char *name);
/** Unregister a block and, first, all its children; drops the references */
void unregister_settings(struct settings *settings);
/** Forget every value a block stores (children untouched) */
void clear_settings(struct settings *settings);

/**
 * Find a block by full name ("net0.dhcp", "netX"); "" is the root.
 *
 * @ret settings	block, or NULL
 */
struct settings *find_settings(const char *name);
/** Find a direct child by name, or NULL */
struct settings *find_child_settings(struct settings *parent,
				     const char *name);
/**
 * Full name of a block, e.g. "net0.dhcp" ("" for the root).
 *
 * @ret len	length of the full name (like snprintf)
 */
int settings_name(struct settings *settings, char *buf, size_t len);
/** "net0.dhcp/ip:ipv4" (or "ip:ipv4" in the root); like snprintf */
int setting_name(struct settings *settings, const struct setting *setting,
		 char *buf, size_t len);
/** Priority of a block: its stored "priority" setting, else ->priority */
int settings_priority(struct settings *settings);
/** True if @setting can live in @settings */
int setting_applies(struct settings *settings, const struct setting *setting);

/**
 * The next block after @settings in search order (depth-first, children
 * by priority), staying below @top (NULL: the root). Walk every block with
 *   for (s = find_settings(""); s; s = settings_next(s, NULL)) ...
 * The tree must not change during the walk.
 */
struct settings *settings_next(struct settings *settings,
			       struct settings *top);
/** Callback for settings_list(): one setting, with its type filled in */
typedef int (*settings_list_fn)(void *ctx, struct settings *settings,
				const struct setting *setting);
/** List the settings that one block holds (not its children) */
int settings_list(struct settings *settings, settings_list_fn fn, void *ctx);
/** Callback for settings_walk(): a setting, where it lives, and its text */
typedef int (*settings_walk_fn)(void *ctx, struct settings *origin,
				const struct setting *setting,
				const char *value);
/**
 * Visit every setting held by @from and the blocks below it, in search
 * order, with its formatted value: this is what "show" and "config" list.
 * Values that cannot be formatted are skipped.
 *
 * @from	first block, or NULL for the root (every block)
 * @ret rc	0, or the first non-zero value @fn returned
 */
int settings_walk(struct settings *from, settings_walk_fn fn, void *ctx);

/* ------------------------------------------------------------------------
 * Generic (in-memory) blocks: what "set" stores into by default
 */

struct generic_settings {
	struct settings settings;
	/** Stored values */
	struct list_head list;
};
extern const struct settings_operations generic_settings_operations;
/** Initialise a generic block (default scope: DHCP options) */
void generic_settings_init(struct generic_settings *generics,
			   struct refcnt *refcnt);
/* The generic operations, for blocks that wrap a generic store */
int generic_settings_store(struct settings *settings,
			   const struct setting *setting, const void *data,
			   size_t len);
int generic_settings_fetch(struct settings *settings, struct setting *setting,
			   void *data, size_t len);
void generic_settings_clear(struct settings *settings);
int generic_settings_list(struct settings *settings,
			  int (*fn)(void *ctx, const struct setting *setting),
			  void *ctx);

/* ------------------------------------------------------------------------
 * Values in a block (NULL: the root, searching every block for fetches)
 */

/** Store raw bytes; NULL @data deletes. -ENOTSUP if it cannot live there. */
int store_setting(struct settings *settings, const struct setting *setting,
		  const void *data, size_t len);
/** Delete a value from one block */
static inline int delete_setting(struct settings *settings,
				 const struct setting *setting)
{
	return store_setting(settings, setting, NULL, 0);
}
/**
 * Fetch raw bytes.
 *
 * @origin	block that held the value, filled in (may be NULL)
 * @fetched	setting as found, with its type filled in (may be NULL)
 * @ret len	full length of the value, or negative error (-ENOENT)
 */
int fetch_setting(struct settings *settings, const struct setting *setting,
		  struct settings **origin, struct setting *fetched,
		  void *data, size_t len);
/** Fetch a malloc'd copy of the raw bytes; returns the length */
int fetch_setting_copy(struct settings *settings,
		       const struct setting *setting, struct settings **origin,
		       struct setting *fetched, void **data);
/** Fetch a string value, NUL-terminated and malloc'd; returns the length */
int fetch_string_setting_copy(struct settings *settings,
			      const struct setting *setting, char **value);
/** Fetch a value as a big-endian integer (any length up to a long) */
int fetch_uint_setting(struct settings *settings,
		       const struct setting *setting, unsigned long *value);
int fetch_int_setting(struct settings *settings,
		      const struct setting *setting, long *value);
/** Fetch and format (the requested type, else the stored one, else string) */
int fetchf_setting(struct settings *settings, const struct setting *setting,
		   struct settings **origin, struct setting *fetched,
		   char *buf, size_t len);
/** As fetchf_setting(), into a malloc'd string; returns the length */
int fetchf_setting_copy(struct settings *settings,
			const struct setting *setting,
			struct settings **origin, struct setting *fetched,
			char **value);
/** Parse text with the setting's type (string if none) and store it;
 *  NULL or "" deletes */
int storef_setting(struct settings *settings, const struct setting *setting,
		   const char *value);
/** Fetch a value as a number, through its type's numerate() */
int fetchn_setting(struct settings *settings, const struct setting *setting,
		   struct settings **origin, struct setting *fetched,
		   unsigned long *value);
/** Store a number through the setting's type (int32 if none); wraps to
 *  the type's width */
int storen_setting(struct settings *settings, const struct setting *setting,
		   unsigned long value);

/**
 * Parse "[scope/]name[:type]", in place (@name is cut up).
 *
 * @create	create missing generic blocks in the scope path (for stores)
 * @settings	block named by the scope (the root if none), filled in
 * @setting	setting, filled in: a definition if the name or tag matches
 *		one, else the bare name (pointing into @name); its type is
 *		the ":type" if given, else the definition's, else NULL
 * @ret rc	0, -EINVAL (bad name), -ENODEV (no such block), -ENOTSUP
 *		(no such type), -ENOMEM
 */
int parse_setting_name(char *name, int create, struct settings **settings,
		       struct setting *setting);

/* ------------------------------------------------------------------------
 * Named settings: the API the shell, scripts and commands use
 */

/**
 * Expand every "${name}" in a string, as iPXE does: the innermost
 * reference (the last "${" before the first "}" that follows one) is
 * replaced by its formatted value, and the whole string is scanned again
 * until no complete reference remains. Unset settings and bad names become
 * empty; an unterminated "${" stays as it is. Values are expanded too; the
 * work is bounded (SETTINGS_EXPAND_MAX replacements, a result of at most
 * SETTINGS_EXPAND_MAX_LEN bytes beyond the input): past that, the result
 * is the empty string.
 *
 * @ret expanded	malloc'd string, or NULL if out of memory
 */
char *expand_settings(const char *string);
#define SETTINGS_EXPAND_MAX 1000
#define SETTINGS_EXPAND_MAX_LEN (64 * 1024)

/** Parse and store ("" or NULL deletes); scope blocks are created */
int storef_named_setting(const char *name, const char *value);
/**
 * Fetch and format into @buf (like snprintf).
 *
 * @ret len	formatted length, or negative error (-ENOENT if not set)
 */
int fetchf_named_setting(const char *name, char *buf, size_t len);
/** Fetch and format into a malloc'd string, filled in; returns its length */
int fetchf_named_setting_copy(const char *name, char **value);
/** Delete a value from the named block (the root if no scope) */
int delete_named_setting(const char *name);
/**
 * Store a number. Type: the ":type" given, else the definition's, else the
 * type of the value already there, else int32.
 */
int storen_named_setting(const char *name, unsigned long value);
/** Fetch a number (-ENOENT if not set, -ENOTSUP if not numeric) */
int fetchn_named_setting(const char *name, unsigned long *value);

/* ------------------------------------------------------------------------
 * Hooks for other subsystems
 */

/**
 * Make "netX" name a device's block (the network layer calls this when a
 * device is opened). Until then "netX" names nothing.
 *
 * @name	block name such as "net0", or NULL to forget
 * @ret rc	0, or -ENAMETOOLONG
 */
int settings_set_netx_alias(const char *name);
/** The block name that "netX" stands for, or NULL */
const char *settings_netx_alias(void);

/** Set ${cwuri} (and so ${cwduri}); NULL unsets. Returns 0 or -ENOMEM. */
int settings_set_cwuri(const char *uri);

/** Something to redo when settings change (routes, DNS servers...) */
struct settings_applicator {
	const char *name;
	/** Apply the current settings */
	int (*apply)(void);
};
#define SETTINGS_APPLICATORS                                                   \
	__table(struct settings_applicator, "settings_applicators")
#define __settings_applicator __table_entry(SETTINGS_APPLICATORS, 01)

#endif /* KEEL_SETTINGS_H */
