/* SMBIOS settings: uuid, manufacturer, product, serial, asset, board-serial from the BIOS's tables. */
#include <string.h>
#include <errno.h>
#include <keel/init.h>
#include <keel/io.h>
#include <keel/settings.h>

/** Where a BIOS puts the SMBIOS entry point */
#define SMBIOS_SCAN_START 0xf0000
#define SMBIOS_SCAN_END 0x100000
/** Largest structure table accepted */
#define SMBIOS_MAX_LEN 0x10000

static const uint8_t *smbios_table;
static size_t smbios_len;
static unsigned int smbios_version; /* major << 8 | minor */

static int smbios_sum_ok(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return sum == 0;
}

/** Find the entry point (2.x "_SM_" or 3.x "_SM3_") and the table */
static void smbios_find(void)
{
	uintptr_t a;

	for (a = SMBIOS_SCAN_START; a < SMBIOS_SCAN_END; a += 16) {
		const uint8_t *ep = phys_to_virt(a);
		uint64_t addr;
		uint32_t len;

		if (memcmp(ep, "_SM3_", 5) == 0 && ep[6] >= 24 &&
		    smbios_sum_ok(ep, ep[6])) {
			memcpy(&len, ep + 12, 4);
			memcpy(&addr, ep + 16, 8);
			smbios_version = (ep[7] << 8) | ep[8];
		} else if (memcmp(ep, "_SM_", 4) == 0 && ep[5] >= 0x1f &&
			   ep[5] <= 0x20 && smbios_sum_ok(ep, ep[5]) &&
			   memcmp(ep + 16, "_DMI_", 5) == 0) {
			uint16_t len16;
			uint32_t addr32;

			memcpy(&len16, ep + 0x16, 2);
			memcpy(&addr32, ep + 0x18, 4);
			len = len16;
			addr = addr32;
			smbios_version = (ep[6] << 8) | ep[7];
		} else {
			continue;
		}
		if (!addr || addr + len > 0xffffffffULL || len > SMBIOS_MAX_LEN)
			return;
		smbios_table = phys_to_virt((phys_addr_t)addr);
		smbios_len = len;
		return;
	}
}

/**
 * The first structure of @type: its formatted area and its strings.
 *
 * @ret len	length of the formatted area, or 0 if there is none
 */
static size_t smbios_struct(uint8_t type, const uint8_t **data,
			    const char **strings, const char **end)
{
	const uint8_t *p = smbios_table, *limit = smbios_table + smbios_len;
	const uint8_t *s;

	while (p && p + 4 <= limit && p[1] >= 4 && p + p[1] <= limit) {
		/* The string set ends with two NULs */
		for (s = p + p[1]; s + 1 < limit && (s[0] || s[1]); s++)
			;
		if (s + 1 >= limit)
			return 0;
		if (p[0] == type) {
			*data = p;
			*strings = (const char *)p + p[1];
			*end = (const char *)s + 1;
			return p[1];
		}
		if (p[0] == 127) /* end of table */
			return 0;
		p = s + 2;
	}
	return 0;
}

/** String @offset of structure @type, or NULL */
static const char *smbios_string(uint8_t type, unsigned int offset)
{
	const uint8_t *data;
	const char *s, *end;
	size_t len = smbios_struct(type, &data, &s, &end);
	unsigned int idx;

	if (len <= offset || !(idx = data[offset]))
		return NULL;
	while (--idx && s < end)
		s += strlen(s) + 1;
	return (s < end && *s) ? s : NULL;
}

/** The system UUID in network byte order */
static int smbios_uuid(uint8_t *uuid)
{
	const uint8_t *data;
	const char *s, *end;
	static const uint8_t swap[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9,
					 10, 11, 12, 13, 14, 15};
	unsigned int i, ones = 1, zeros = 1;

	if (smbios_struct(1, &data, &s, &end) < 0x18)
		return -ENOENT;
	for (i = 0; i < 16; i++) {
		ones &= data[8 + i] == 0xff;
		zeros &= data[8 + i] == 0x00;
	}
	if (ones || zeros) /* "not present" and "not settable" */
		return -ENOENT;
	/* From SMBIOS 2.6 the first three fields are little-endian */
	for (i = 0; i < 16; i++)
		uuid[i] = data[8 + (smbios_version >= 0x0206 ? swap[i] : i)];
	return 0;
}

/** Setting names and where their strings live */
static const struct {
	const char *name;
	uint8_t type;
	uint8_t offset;
} smbios_strings[] = {
	{"manufacturer", 1, 0x04}, {"product", 1, 0x05},
	{"serial", 1, 0x07},	   {"asset", 3, 0x08},
	{"board-serial", 2, 0x07},
};

static int smbios_applies(struct settings *settings,
			  const struct setting *setting)
{
	return setting->scope == &smbios_scope;
}

static int smbios_fetch(struct settings *settings, struct setting *setting,
			void *data, size_t len)
{
	uint8_t uuid[16];
	const char *s;
	unsigned int i;
	size_t slen;

	if (strcmp(setting->name, "uuid") == 0) {
		if (smbios_uuid(uuid) != 0)
			return -ENOENT;
		if (!setting->type)
			setting->type = &setting_type_uuid;
		memcpy(data, uuid, len < 16 ? len : 16);
		return 16;
	}
	for (i = 0; i < ARRAY_SIZE(smbios_strings); i++) {
		if (strcmp(setting->name, smbios_strings[i].name) != 0)
			continue;
		s = smbios_string(smbios_strings[i].type,
				  smbios_strings[i].offset);
		if (!s)
			return -ENOENT;
		slen = strlen(s);
		if (!setting->type)
			setting->type = &setting_type_string;
		memcpy(data, s, len < slen ? len : slen);
		return (int)slen;
	}
	return -ENOENT;
}

static const struct settings_operations smbios_settings_operations = {
	.applies = smbios_applies,
	.fetch = smbios_fetch,
};

static struct settings smbios_settings;

static void smbios_init(void)
{
	smbios_find();
	if (!smbios_table)
		return;
	settings_init(&smbios_settings, &smbios_settings_operations, NULL,
		      &smbios_scope);
	register_settings(&smbios_settings, NULL, "smbios");
}

struct init_fn smbios_init_fn __init_fn(INIT_NORMAL) = {
	.name = "smbios",
	.init = smbios_init,
};
