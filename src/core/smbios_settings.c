/* SMBIOS settings: machine identity read from the table a platform's entry point describes. */
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <keel/io.h>
#include <keel/settings.h>
#include <keel/smbios.h>

static const uint8_t *smbios_structs;
static size_t smbios_len;
static unsigned int smbios_version;

/* Structure types and the fields Keel reads */
#define SMBIOS_TYPE_SYSTEM 1
#define SMBIOS_TYPE_BOARD 2
#define SMBIOS_TYPE_CHASSIS 3
#define SMBIOS_TYPE_END 127

/* Entry point lengths: 3.x has 0x18 bytes; 2.x 0x1f (0x20 is tolerated) */
#define SMBIOS3_EP_MIN_LEN 0x18
#define SMBIOS2_EP_MIN_LEN 0x1f
#define SMBIOS2_EP_MAX_LEN 0x20

/** Where a setting comes from: a structure type and a field offset */
static const struct smbios_field {
	const char *name;
	uint8_t type;
	uint8_t offset;
	/** Length of a raw field, or 0 for a string index */
	uint8_t raw_len;
} smbios_fields[] = {
	{ "uuid", SMBIOS_TYPE_SYSTEM, 0x08, 16 },
	{ "manufacturer", SMBIOS_TYPE_SYSTEM, 0x04, 0 },
	{ "product", SMBIOS_TYPE_SYSTEM, 0x05, 0 },
	{ "serial", SMBIOS_TYPE_SYSTEM, 0x07, 0 },
	{ "board-serial", SMBIOS_TYPE_BOARD, 0x07, 0 },
	{ "asset", SMBIOS_TYPE_CHASSIS, 0x08, 0 },
};

/**
 * Find the first structure of a type.
 *
 * @hdr_len	length of its formatted area, filled in
 * @strings	start of its string set, filled in
 * @end		end of its string set, filled in
 * @ret s	structure, or NULL
 */
static const uint8_t *smbios_find(uint8_t type, size_t *hdr_len,
				  const uint8_t **strings, const uint8_t **end)
{
	const uint8_t *p = smbios_structs, *limit = smbios_structs + smbios_len;
	const uint8_t *q;

	while (limit - p >= 4) {
		if (p[1] < 4 || p[1] > limit - p)
			return NULL;
		/* The string set ends with two NULs */
		for (q = p + p[1]; q + 1 < limit && (q[0] || q[1]); q++)
			;
		if (q + 1 >= limit)
			return NULL;
		if (p[0] == type) {
			*hdr_len = p[1];
			*strings = p + p[1];
			*end = q + 2;
			return p;
		}
		if (p[0] == SMBIOS_TYPE_END)
			return NULL;
		p = q + 2;
	}
	return NULL;
}

/** String @index (1-based) of a string set, or NULL */
static const char *smbios_string(const uint8_t *strings, const uint8_t *end,
				 unsigned int index)
{
	const uint8_t *p = strings;

	if (!index)
		return NULL;
	while (p < end && *p) {
		if (--index == 0)
			return (const char *)p;
		p += strlen((const char *)p) + 1;
	}
	return NULL;
}

/** True for the UUIDs that mean "not present" (all 0) or "not set" (all 1s) */
static int smbios_uuid_unset(const uint8_t *uuid)
{
	unsigned int i, ones = 1, zeros = 1;

	for (i = 0; i < 16; i++) {
		ones &= uuid[i] == 0xff;
		zeros &= uuid[i] == 0x00;
	}
	return ones || zeros;
}

static int smbios_fetch_field(const struct smbios_field *f,
			      struct setting *setting, void *data, size_t len)
{
	const uint8_t *s, *strings, *end;
	const char *text;
	uint8_t uuid[16];
	size_t hdr_len, text_len;

	s = smbios_find(f->type, &hdr_len, &strings, &end);
	if (!s || hdr_len < (size_t)f->offset + (f->raw_len ? f->raw_len : 1))
		return -ENOENT;
	if (f->raw_len) {
		memcpy(uuid, s + f->offset, sizeof(uuid));
		if (smbios_uuid_unset(uuid))
			return -ENOENT;
		/* Since 2.6 the first three fields are little-endian */
		if (smbios_version >= 0x0206) {
			uint8_t t;
			t = uuid[0], uuid[0] = uuid[3], uuid[3] = t;
			t = uuid[1], uuid[1] = uuid[2], uuid[2] = t;
			t = uuid[4], uuid[4] = uuid[5], uuid[5] = t;
			t = uuid[6], uuid[6] = uuid[7], uuid[7] = t;
		}
		if (!setting->type)
			setting->type = &setting_type_uuid;
		memcpy(data, uuid, len < sizeof(uuid) ? len : sizeof(uuid));
		return sizeof(uuid);
	}
	text = smbios_string(strings, end, s[f->offset]);
	if (!text)
		return -ENOENT;
	text_len = strlen(text);
	if (!setting->type)
		setting->type = &setting_type_string;
	memcpy(data, text, len < text_len ? len : text_len);
	return (int)text_len;
}

static int smbios_fetch(struct settings *settings, struct setting *setting,
			void *data, size_t len)
{
	unsigned int i;

	if (!setting->name)
		return -ENOENT;
	for (i = 0; i < ARRAY_SIZE(smbios_fields); i++) {
		if (strcmp(setting->name, smbios_fields[i].name) == 0)
			return smbios_fetch_field(&smbios_fields[i], setting,
						  data, len);
	}
	return -ENOENT;
}

static int smbios_applies(struct settings *settings,
			  const struct setting *setting)
{
	return setting->scope == &smbios_scope;
}

static const struct settings_operations smbios_operations = {
	.applies = smbios_applies,
	.fetch = smbios_fetch,
};

static struct settings smbios_settings = {
	.siblings = LIST_HEAD_INIT(smbios_settings.siblings),
	.children = LIST_HEAD_INIT(smbios_settings.children),
	.op = &smbios_operations,
	.default_scope = &smbios_scope,
};

/** Publish a structure table of @len bytes at @structs, SMBIOS @major.@minor */
static int smbios_register(const void *structs, size_t len,
			   unsigned int major, unsigned int minor)
{
	if (!structs || len < 4)
		return -EINVAL;
	smbios_structs = structs;
	smbios_len = len;
	smbios_version = (major << 8) | (minor & 0xff);
	return register_settings(&smbios_settings, NULL, "smbios");
}

/** True if @len bytes at @p add up to 0 (modulo 256) */
static int smbios_sum_ok(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return sum == 0;
}

int smbios_register_entry(const void *entry)
{
	const uint8_t *ep = entry;
	uint64_t addr;
	uint32_t len;
	unsigned int major, minor;

	if (memcmp(ep, "_SM3_", 5) == 0 && ep[6] >= SMBIOS3_EP_MIN_LEN &&
	    smbios_sum_ok(ep, ep[6])) {
		/* 3.x: 32-bit maximum size, 64-bit address */
		memcpy(&len, ep + 0x0c, sizeof(len));
		memcpy(&addr, ep + 0x10, sizeof(addr));
		major = ep[7];
		minor = ep[8];
	} else if (memcmp(ep, "_SM_", 4) == 0 && ep[5] >= SMBIOS2_EP_MIN_LEN &&
		   ep[5] <= SMBIOS2_EP_MAX_LEN && smbios_sum_ok(ep, ep[5]) &&
		   memcmp(ep + 0x10, "_DMI_", 5) == 0) {
		/* 2.x: 16-bit exact length, 32-bit address */
		uint16_t len16;
		uint32_t addr32;

		memcpy(&len16, ep + 0x16, sizeof(len16));
		memcpy(&addr32, ep + 0x18, sizeof(addr32));
		len = len16;
		addr = addr32;
		major = ep[6];
		minor = ep[7];
	} else {
		return -ENOENT;
	}
	/* The whole table must be addressable (a 32-bit build reaches 4 GiB) */
	if (!addr || addr > (uint64_t)UINTPTR_MAX - len)
		return -ERANGE;
	return smbios_register(phys_to_virt((phys_addr_t)addr), len, major,
			       minor);
}
