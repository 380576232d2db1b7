/* Built-in settings: read-only values computed when read (errno, version...). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/init.h>
#include <keel/malloc.h>
#include <keel/settings.h>
#include <keel/timer.h>
#include <keel/version.h>

#ifndef KEEL_ARCH
#define KEEL_ARCH "unknown"
#endif
#ifndef KEEL_PLATFORM
#define KEEL_PLATFORM "unknown"
#endif

/** Built-ins come after every other block, so SMBIOS "product" wins */
#define BUILTIN_PRIORITY (-128)

/** The current working URI, as the URI layer last set it */
static char *cwuri_string;

int settings_set_cwuri(const char *uri)
{
	char *copy = NULL;

	if (uri && !(copy = strdup(uri)))
		return -ENOMEM;
	free(cwuri_string);
	cwuri_string = copy;
	return 0;
}

/** Copy a computed value out; returns its full length */
static int builtin_out(const void *value, size_t value_len, void *data,
		       size_t len)
{
	if (len)
		memcpy(data, value, (len < value_len) ? len : value_len);
	return (int)value_len;
}

static int builtin_string(const char *value, void *data, size_t len)
{
	return builtin_out(value, strlen(value), data, len);
}

/** A 32-bit value, big-endian as settings hold numbers */
static int builtin_uint32(uint32_t value, void *data, size_t len)
{
	uint8_t raw[4] = { (uint8_t)(value >> 24), (uint8_t)(value >> 16),
			   (uint8_t)(value >> 8), (uint8_t)value };

	return builtin_out(raw, sizeof(raw), data, len);
}

static int errno_fetch(void *data, size_t len)
{
	return builtin_uint32((uint32_t)last_errno, data, len);
}

static int buildarch_fetch(void *data, size_t len)
{
	return builtin_string(KEEL_ARCH, data, len);
}

static int platform_fetch(void *data, size_t len)
{
	return builtin_string(KEEL_PLATFORM, data, len);
}

static int version_fetch(void *data, size_t len)
{
	return builtin_string(PRODUCT_VERSION, data, len);
}

static int product_fetch(void *data, size_t len)
{
	return builtin_string(PRODUCT_NAME, data, len);
}

static int unixtime_fetch(void *data, size_t len)
{
	return builtin_uint32((uint32_t)unixtime(), data, len);
}

/** Tick count when the built-ins were registered, at start-up */
static unsigned long start_ticks;

static int uptime_fetch(void *data, size_t len)
{
	return builtin_uint32(
		(uint32_t)((currticks() - start_ticks) / TICKS_PER_SEC), data,
		len);
}

static int memsize_fetch(void *data, size_t len)
{
	struct heap_stats stats;

	heap_stats(&stats);
	return builtin_uint32((uint32_t)(stats.total >> 20), data, len);
}

static int cwuri_fetch(void *data, size_t len)
{
	if (!cwuri_string)
		return -ENOENT;
	return builtin_string(cwuri_string, data, len);
}

/**
 * The directory of the current URI: up to and including the last '/' of
 * its path ("http://host/a/b.ipxe" gives "http://host/a/"). A URI with
 * an authority but no path gets a '/' added.
 */
static int cwduri_fetch(void *data, size_t len)
{
	const char *uri = cwuri_string, *end, *path, *slash;
	char *dir;
	int rc;

	if (!uri)
		return -ENOENT;
	end = uri + strcspn(uri, "?#");
	path = strstr(uri, "://");
	path = (path && path < end) ? path + 3 + strcspn(path + 3, "/?#") : uri;
	slash = memrchr(path, '/', (size_t)(end - path));
	if (slash)
		return builtin_out(uri, (size_t)(slash + 1 - uri), data, len);
	if (path == uri)
		return 0;
	dir = malloc((size_t)(path - uri) + 2);
	if (!dir)
		return -ENOMEM;
	memcpy(dir, uri, (size_t)(path - uri));
	strcpy(dir + (path - uri), "/");
	rc = builtin_string(dir, data, len);
	free(dir);
	return rc;
}

/** A fresh random (version 4) UUID at every read */
static int newuuid_fetch(void *data, size_t len)
{
	uint8_t uuid[16];
	unsigned int i;

	for (i = 0; i < sizeof(uuid); i++)
		uuid[i] = (uint8_t)random();
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
	return builtin_out(uuid, sizeof(uuid), data, len);
}

/* @desc describes the setting here, in the source; images do not carry it */
#define BUILTIN_DEF(id, text, desc, type_name)                                 \
	const struct setting id __setting(SETTING_BUILTIN) = {                 \
		.name = text, .type = &setting_type_##type_name,               \
		.scope = &builtin_scope,                                       \
	}

BUILTIN_DEF(errno_setting, "errno", "Last error", uint32);
BUILTIN_DEF(buildarch_setting, "buildarch", "Build architecture", string);
BUILTIN_DEF(platform_setting, "platform", "Platform", string);
BUILTIN_DEF(version_setting, "version", "Version", string);
BUILTIN_DEF(product_setting, "product", "Product", string);
BUILTIN_DEF(unixtime_setting, "unixtime", "Seconds since the Epoch", uint32);
BUILTIN_DEF(uptime_setting, "uptime", "Seconds since start-up", uint32);
BUILTIN_DEF(memsize_setting, "memsize", "Memory size (MiB)", int32);
BUILTIN_DEF(cwuri_setting, "cwuri", "Current working URI", string);
BUILTIN_DEF(cwduri_setting, "cwduri", "Current working directory URI",
	    string);
BUILTIN_DEF(newuuid_setting, "newuuid", "A new random UUID", uuid);

/** How each built-in is computed */
static const struct builtin_setting {
	const struct setting *setting;
	int (*fetch)(void *data, size_t len);
} builtins[] = {
	{ &errno_setting, errno_fetch },
	{ &buildarch_setting, buildarch_fetch },
	{ &platform_setting, platform_fetch },
	{ &version_setting, version_fetch },
	{ &product_setting, product_fetch },
	{ &unixtime_setting, unixtime_fetch },
	{ &uptime_setting, uptime_fetch },
	{ &memsize_setting, memsize_fetch },
	{ &cwuri_setting, cwuri_fetch },
	{ &cwduri_setting, cwduri_fetch },
	{ &newuuid_setting, newuuid_fetch },
};

static int builtin_fetch(struct settings *settings, struct setting *setting,
			 void *data, size_t len)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(builtins); i++) {
		if (setting_cmp(setting, builtins[i].setting) == 0)
			return builtins[i].fetch(data, len);
	}
	return -ENOENT;
}

/** List the built-ins in their table's order, skipping unset ones */
static int builtin_list(struct settings *settings,
			int (*fn)(void *ctx, const struct setting *setting),
			void *ctx)
{
	unsigned int i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(builtins); i++) {
		if (builtins[i].fetch(NULL, 0) < 0)
			continue;
		if ((rc = fn(ctx, builtins[i].setting)) != 0)
			return rc;
	}
	return 0;
}

static int builtin_applies(struct settings *settings,
			   const struct setting *setting)
{
	return setting->scope == &builtin_scope;
}

static const struct settings_operations builtin_operations = {
	.applies = builtin_applies,
	.fetch = builtin_fetch,
	.list = builtin_list,
};

static struct settings builtin_settings = {
	.siblings = LIST_HEAD_INIT(builtin_settings.siblings),
	.children = LIST_HEAD_INIT(builtin_settings.children),
	.op = &builtin_operations,
	.default_scope = &builtin_scope,
	.priority = BUILTIN_PRIORITY,
};

static void builtin_init(void)
{
	start_ticks = currticks();
	register_settings(&builtin_settings, NULL, "builtin");
}

struct init_fn builtin_settings_init_fn __init_fn(INIT_NORMAL) = {
	.name = "builtin settings",
	.init = builtin_init,
};
