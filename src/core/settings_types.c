/* Setting types: parse text into raw bytes and format raw bytes as text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <keel/settings.h>
#include <keel/strout.h>

/* ------------------------------------------------------------------------
 * Output helpers: snprintf-like writing into a caller's buffer
 */




/** Two lowercase hex digits of a byte */
static void out_hex_byte(struct strout *out, uint8_t byte)
{
	static const char digits[] = "0123456789abcdef";

	strout_char(out, digits[byte >> 4]);
	strout_char(out, digits[byte & 0xf]);
}


/** Copy a parsed value into the caller's buffer; returns the full length */
int setting_raw_out(const void *value, size_t value_len, void *raw, size_t len)
{
	memcpy(raw, value, (len < value_len) ? len : value_len);
	return (int)value_len;
}

/** Value of two hex digits at @p, or -1 */
static int hex_pair(const char *p)
{
	int hi = xdigit_value((unsigned char)p[0]), lo;

	if (hi < 0)
		return -1;
	lo = xdigit_value((unsigned char)p[1]);
	return (lo < 0) ? -1 : ((hi << 4) | lo);
}

/* ------------------------------------------------------------------------
 * Numbers
 */

/**
 * Scan a whole string as an integer: optional '-', then decimal digits or
 * "0x" and hex digits. Leading zeros stay decimal.
 *
 * @text	text
 * @magnitude	value without its sign, filled in (saturates)
 * @negative	true if a '-' came first, filled in
 * @ret rc	0, or -EINVAL if @text is not exactly a number
 */
static int scan_integer(const char *text, unsigned long long *magnitude,
			int *negative)
{
	const char *p = text;
	char *end;
	int base = 10;

	*negative = (*p == '-');
	if (*negative)
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (xdigit_value((unsigned char)*p) < 0 || (base == 10 && !isdigit(*p)))
		goto err;
	*magnitude = strtoull(p, &end, base);
	if (*end)
		goto err;
	return 0;
err:
	return errctx(-EINVAL, "not a number: \"%s\"", text);
}

/**
 * Read a big-endian integer of any length.
 *
 * @is_signed	sign-extend from the first byte
 * @ret rc	0, or -ERANGE if it does not fit in a long
 */
static int numeric_value(int is_signed, const void *raw, size_t raw_len,
			 unsigned long *value)
{
	const uint8_t *bytes = raw;
	uint8_t pad = (is_signed && raw_len && (bytes[0] & 0x80)) ? 0xff : 0;
	size_t i;

	*value = pad ? ~0UL : 0;
	for (i = 0; i < raw_len; i++) {
		if (i + sizeof(*value) < raw_len && bytes[i] != pad)
			return errctx(-ERANGE, "%zu-byte value is too large",
				      raw_len);
		*value = (*value << 8) | bytes[i];
	}
	return 0;
}

static int numerate_int(const struct setting_type *type, const void *raw,
			size_t raw_len, unsigned long *value)
{
	return numeric_value(type->is_signed, raw, raw_len, value);
}

/** Store the low type->width bytes of @value, big-endian */
static int denumerate_int(const struct setting_type *type,
			  unsigned long value, void *raw, size_t len)
{
	uint8_t bytes[sizeof(value)];
	unsigned int i;

	for (i = 0; i < type->width; i++)
		bytes[type->width - 1 - i] = (uint8_t)(value >> (8 * i));
	return setting_raw_out(bytes, type->width, raw, len);
}

/** Parse an integer within the type's range */
static int parse_int(const struct setting_type *type, const char *text,
		     void *raw, size_t len)
{
	unsigned int bits = 8 * type->width;
	unsigned long long max, magnitude;
	int negative, rc;

	if ((rc = scan_integer(text, &magnitude, &negative)) != 0)
		return rc;
	max = type->is_signed ? (1ULL << (bits - 1)) - 1 : (1ULL << bits) - 1;
	if (negative ? (!type->is_signed || magnitude > max + 1) :
		       magnitude > max)
		return errctx(-ERANGE, "%s is out of range for %s", text,
			      type->name);
	return denumerate_int(type, negative ? 0UL - (unsigned long)magnitude :
					       (unsigned long)magnitude,
			      raw, len);
}

/** Signed types format in decimal, unsigned ones in hex (as iPXE does) */
static int format_int(const struct setting_type *type, const void *raw,
		      size_t raw_len, char *buf, size_t len)
{
	unsigned long value;
	int rc;

	if ((rc = type->numerate(type, raw, raw_len, &value)) != 0)
		return rc;
	if (type->is_signed)
		return snprintf(buf, len, "%ld", (long)value);
	return value ? snprintf(buf, len, "0x%lx", value) :
		       snprintf(buf, len, "0");
}

#define SETTING_TYPE_INT(type_name, bytes, signedness)                         \
	{                                                                      \
		.name = type_name, .parse = parse_int, .format = format_int,  \
		.numerate = numerate_int, .denumerate = denumerate_int,        \
		.width = bytes, .is_signed = signedness,                       \
	}

const struct setting_type setting_type_int8 __setting_type =
	SETTING_TYPE_INT("int8", 1, 1);
const struct setting_type setting_type_int16 __setting_type =
	SETTING_TYPE_INT("int16", 2, 1);
const struct setting_type setting_type_int32 __setting_type =
	SETTING_TYPE_INT("int32", 4, 1);
const struct setting_type setting_type_uint8 __setting_type =
	SETTING_TYPE_INT("uint8", 1, 0);
const struct setting_type setting_type_uint16 __setting_type =
	SETTING_TYPE_INT("uint16", 2, 0);
const struct setting_type setting_type_uint32 __setting_type =
	SETTING_TYPE_INT("uint32", 4, 0);

/* ------------------------------------------------------------------------
 * Strings
 */

static int parse_string(const struct setting_type *type, const char *text,
			void *raw, size_t len)
{
	return setting_raw_out(text, strlen(text), raw, len);
}

/** A string ends at its first NUL byte, if any */
static int format_string(const struct setting_type *type, const void *raw,
			 size_t raw_len, char *buf, size_t len)
{
	return snprintf(buf, len, "%.*s", (int)strnlen(raw, raw_len),
			(const char *)raw);
}

/** A string holding a number, so that "set i 0" then "inc i" works */
static int numerate_string(const struct setting_type *type, const void *raw,
			   size_t raw_len, unsigned long *value)
{
	unsigned long long magnitude;
	char *text = strndup(raw, raw_len);
	int negative, rc;

	if (!text)
		return -ENOMEM;
	rc = scan_integer(text, &magnitude, &negative);
	free(text);
	if (rc == 0)
		*value = negative ? 0UL - (unsigned long)magnitude :
				    (unsigned long)magnitude;
	return rc;
}

static int denumerate_string(const struct setting_type *type,
			     unsigned long value, void *raw, size_t len)
{
	char text[24];

	return setting_raw_out(text, (size_t)snprintf(text, sizeof(text), "%ld",
					      (long)value),
		       raw, len);
}

const struct setting_type setting_type_string __setting_type = {
	.name = "string",
	.parse = parse_string,
	.format = format_string,
	.numerate = numerate_string,
	.denumerate = denumerate_string,
};

/** Decode %XX escapes; a '%' without two hex digits stays as it is */
static int parse_uristring(const struct setting_type *type, const char *text,
			   void *raw, size_t len)
{
	uint8_t *out = raw;
	size_t count = 0;
	int byte;

	while (*text) {
		byte = (unsigned char)*text++;
		if (byte == '%' && (hex_pair(text) >= 0)) {
			byte = hex_pair(text);
			text += 2;
		}
		if (count < len)
			out[count] = (uint8_t)byte;
		count++;
	}
	return (int)count;
}

/** True for RFC 3986's unreserved characters: ALPHA DIGIT - . _ ~ */
static int uri_unreserved(uint8_t c)
{
	return (c < 0x80 && isalnum(c)) || (c && strchr("-._~", c));
}

/** Encode every byte but the unreserved characters as %XX */
static int format_uristring(const struct setting_type *type, const void *raw,
			    size_t raw_len, char *buf, size_t len)
{
	static const char digits[] = "0123456789ABCDEF";
	struct strout out = { buf, len, 0 };
	const uint8_t *bytes = raw;
	size_t i;

	for (i = 0; i < raw_len; i++) {
		if (uri_unreserved(bytes[i])) {
			strout_char(&out, (char)bytes[i]);
			continue;
		}
		strout_char(&out, '%');
		strout_char(&out, digits[bytes[i] >> 4]);
		strout_char(&out, digits[bytes[i] & 0xf]);
	}
	return strout_end(&out);
}

const struct setting_type setting_type_uristring __setting_type = {
	.name = "uristring",
	.parse = parse_uristring,
	.format = format_uristring,
};

/* ------------------------------------------------------------------------
 * Addresses
 */

/**
 * Parse exactly a dotted quad ("10.0.2.15") from @text up to @end.
 *
 * @ret rc	0, or -EINVAL
 */
int setting_scan_ipv4(const char *text, const char *end, uint8_t addr[4])
{
	unsigned int part, value, digits;

	for (part = 0; part < 4; part++) {
		for (value = 0, digits = 0; text < end && isdigit(*text);
		     text++, digits++)
			value = value * 10 + (unsigned int)(*text - '0');
		if (!digits || digits > 3 || value > 255)
			return -EINVAL;
		addr[part] = (uint8_t)value;
		if (part < 3 && (text >= end || *text++ != '.'))
			return -EINVAL;
	}
	return (text == end) ? 0 : -EINVAL;
}

static int parse_ipv4(const struct setting_type *type, const char *text,
		      void *raw, size_t len)
{
	uint8_t addr[4];

	if (setting_scan_ipv4(text, text + strlen(text), addr) != 0)
		return errctx(-EINVAL, "not an IPv4 address: \"%s\"", text);
	return setting_raw_out(addr, sizeof(addr), raw, len);
}

/** The first address of a list, as a dotted quad */
static int format_ipv4(const struct setting_type *type, const void *raw,
		       size_t raw_len, char *buf, size_t len)
{
	const uint8_t *a = raw;

	if (raw_len < 4)
		return errctx(-ERANGE, "%zu bytes are not an IPv4 address",
			      raw_len);
	return snprintf(buf, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

const struct setting_type setting_type_ipv4 __setting_type = {
	.name = "ipv4",
	.parse = parse_ipv4,
	.format = format_ipv4,
};

/* ------------------------------------------------------------------------
 * Binary
 */

/** Separator of a hex type: ':', '-' or none */
static char hex_separator(const struct setting_type *type)
{
	if (type == &setting_type_hex)
		return ':';
	if (type == &setting_type_hexhyp)
		return '-';
	return '\0';
}

/** Pairs of hex digits, separated by exactly the type's separator */
static int parse_hex(const struct setting_type *type, const char *text,
		     void *raw, size_t len)
{
	char sep = hex_separator(type);
	const char *p = text;
	uint8_t *out = raw;
	size_t count = 0;
	int byte;

	while (*p) {
		if (count && sep && *p++ != sep)
			goto err;
		if ((byte = hex_pair(p)) < 0)
			goto err;
		p += 2;
		if (count < len)
			out[count] = (uint8_t)byte;
		count++;
	}
	return (int)count;
err:
	return errctx(-EINVAL, "not %s hex bytes: \"%s\"",
		      sep == ':' ? "colon-separated" :
		      sep == '-' ? "hyphen-separated" : "unseparated", text);
}

static int format_hex(const struct setting_type *type, const void *raw,
		      size_t raw_len, char *buf, size_t len)
{
	struct strout out = { buf, len, 0 };
	const uint8_t *bytes = raw;
	char sep = hex_separator(type);
	size_t i;

	for (i = 0; i < raw_len; i++) {
		if (i && sep)
			strout_char(&out, sep);
		out_hex_byte(&out, bytes[i]);
	}
	return strout_end(&out);
}

const struct setting_type setting_type_hex __setting_type = {
	.name = "hex",
	.parse = parse_hex,
	.format = format_hex,
};
const struct setting_type setting_type_hexhyp __setting_type = {
	.name = "hexhyp",
	.parse = parse_hex,
	.format = format_hex,
};
const struct setting_type setting_type_hexraw __setting_type = {
	.name = "hexraw",
	.parse = parse_hex,
	.format = format_hex,
};

static const char base64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Value of a base64 character, or -1 */
static int base64_value(char c)
{
	const char *p = c ? strchr(base64_alphabet, c) : NULL;

	return p ? (int)(p - base64_alphabet) : -1;
}

/**
 * Decode one 4-character base64 quantum.
 *
 * @last	true for the final quantum, the only one that may be padded
 * @ret count	bytes decoded (1 to 3), or -EINVAL
 */
static int base64_quantum(const char *q, int last, uint8_t bytes[3])
{
	unsigned int bits = 0, i, pad = 0;
	int v;

	for (i = 0; i < 4; i++) {
		if (q[i] == '=' && last && i >= 2) {
			pad++;
			v = 0;
		} else if (pad || (v = base64_value(q[i])) < 0) {
			return -EINVAL;
		}
		bits = (bits << 6) | (unsigned int)v;
	}
	/* Padding bits must be zero, so that every value has one encoding */
	if (bits & ((1U << (8 * pad)) - 1))
		return -EINVAL;
	bytes[0] = (uint8_t)(bits >> 16);
	bytes[1] = (uint8_t)(bits >> 8);
	bytes[2] = (uint8_t)bits;
	return 3 - (int)pad;
}

/** RFC 4648 with padding; anything else is rejected */
static int parse_base64(const struct setting_type *type, const char *text,
			void *raw, size_t len)
{
	size_t text_len = strlen(text), i, count = 0;
	uint8_t *out = raw, bytes[3];
	int n, j;

	if (text_len % 4)
		goto err;
	for (i = 0; i < text_len; i += 4) {
		n = base64_quantum(&text[i], i + 4 == text_len, bytes);
		if (n < 0)
			goto err;
		for (j = 0; j < n; j++, count++) {
			if (count < len)
				out[count] = bytes[j];
		}
	}
	return (int)count;
err:
	return errctx(-EINVAL, "not base64: \"%s\"", text);
}

static int format_base64(const struct setting_type *type, const void *raw,
			 size_t raw_len, char *buf, size_t len)
{
	struct strout out = { buf, len, 0 };
	const uint8_t *bytes = raw;
	unsigned int bits, sextet, i;
	size_t pos;

	for (pos = 0; pos < raw_len; pos += 3) {
		bits = (unsigned int)bytes[pos] << 16;
		if (pos + 1 < raw_len)
			bits |= (unsigned int)bytes[pos + 1] << 8;
		if (pos + 2 < raw_len)
			bits |= bytes[pos + 2];
		/* n bytes make n + 1 characters, then padding */
		for (i = 0; i < 4; i++) {
			sextet = (bits >> (18 - 6 * i)) & 0x3f;
			strout_char(&out, (i <= raw_len - pos) ?
					       base64_alphabet[sextet] : '=');
		}
	}
	return strout_end(&out);
}

const struct setting_type setting_type_base64 __setting_type = {
	.name = "base64",
	.parse = parse_base64,
	.format = format_base64,
};

/* ------------------------------------------------------------------------
 * UUIDs and bus addresses
 */

/** Switch a UUID between network order and GUID order (first three fields
 *  little-endian, as SMBIOS and EFI store them) */
static void uuid_swap(uint8_t uuid[16])
{
	static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6,
					   8, 9, 10, 11, 12, 13, 14, 15 };
	uint8_t copy[16];
	unsigned int i;

	memcpy(copy, uuid, sizeof(copy));
	for (i = 0; i < 16; i++)
		uuid[i] = copy[order[i]];
}

/** "8-4-4-4-12" hex digits */
static int parse_uuid(const struct setting_type *type, const char *text,
		      void *raw, size_t len)
{
	uint8_t uuid[16];
	const char *p = text;
	unsigned int i;
	int byte;

	for (i = 0; i < 16; i++) {
		if ((i == 4 || i == 6 || i == 8 || i == 10) && *p++ != '-')
			goto err;
		if ((byte = hex_pair(p)) < 0)
			goto err;
		uuid[i] = (uint8_t)byte;
		p += 2;
	}
	if (*p)
		goto err;
	if (type == &setting_type_guid)
		uuid_swap(uuid);
	return setting_raw_out(uuid, sizeof(uuid), raw, len);
err:
	return errctx(-EINVAL, "not a UUID: \"%s\"", text);
}

static int format_uuid(const struct setting_type *type, const void *raw,
		       size_t raw_len, char *buf, size_t len)
{
	struct strout out = { buf, len, 0 };
	uint8_t uuid[16];
	unsigned int i;

	if (raw_len != sizeof(uuid))
		return errctx(-ERANGE, "%zu bytes are not a UUID", raw_len);
	memcpy(uuid, raw, sizeof(uuid));
	if (type == &setting_type_guid)
		uuid_swap(uuid);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			strout_char(&out, '-');
		out_hex_byte(&out, uuid[i]);
	}
	return strout_end(&out);
}

const struct setting_type setting_type_uuid __setting_type = {
	.name = "uuid",
	.parse = parse_uuid,
	.format = format_uuid,
};
const struct setting_type setting_type_guid __setting_type = {
	.name = "guid",
	.parse = parse_uuid,
	.format = format_uuid,
};

/** One hex field of a bus address, up to @max; @p is updated */
static int scan_hex_field(const char **p, unsigned int max,
			  unsigned int *value)
{
	unsigned int digits = 0;
	int d;

	for (*value = 0; (d = xdigit_value((unsigned char)**p)) >= 0; (*p)++) {
		*value = (*value << 4) | (unsigned int)d;
		if (++digits > 4 || *value > max)
			return -EINVAL;
	}
	return digits ? 0 : -EINVAL;
}

/** "BB:DD.F" (or "SSSS:BB:DD.F"), hex, as a 16-bit (32-bit) value */
static int parse_busdevfn(const struct setting_type *type, const char *text,
			  void *raw, size_t len)
{
	unsigned int field[4], n = 0;
	const char *p = text;
	uint8_t bytes[4];

	do {
		if (n == 4 || scan_hex_field(&p, 0xffff, &field[n++]) != 0)
			goto err;
	} while (*p == ':' && *++p);
	if (n < 2 || n > 3 || *p++ != '.' || scan_hex_field(&p, 7, &field[n]))
		goto err;
	if (*p || field[n - 1] > 0x1f || field[n - 2] > 0xff)
		goto err;
	bytes[0] = (uint8_t)((n == 3) ? field[0] >> 8 : 0);
	bytes[1] = (uint8_t)((n == 3) ? field[0] : 0);
	bytes[2] = (uint8_t)field[n - 2];
	bytes[3] = (uint8_t)((field[n - 1] << 3) | field[n]);
	return (n == 3) ? setting_raw_out(bytes, 4, raw, len) :
			  setting_raw_out(&bytes[2], 2, raw, len);
err:
	return errctx(-EINVAL, "not a bus:dev.fn address: \"%s\"", text);
}

static int format_busdevfn(const struct setting_type *type, const void *raw,
			   size_t raw_len, char *buf, size_t len)
{
	unsigned long value;
	int rc;

	if ((rc = numeric_value(0, raw, raw_len, &value)) != 0)
		return rc;
	if (value > 0xffff)
		return snprintf(buf, len, "%04lx:%02lx:%02lx.%lx",
				(value >> 16) & 0xffff, (value >> 8) & 0xff,
				(value >> 3) & 0x1f, value & 7);
	return snprintf(buf, len, "%02lx:%02lx.%lx", (value >> 8) & 0xff,
			(value >> 3) & 0x1f, value & 7);
}

const struct setting_type setting_type_busdevfn __setting_type = {
	.name = "busdevfn",
	.parse = parse_busdevfn,
	.format = format_busdevfn,
};

/* ------------------------------------------------------------------------
 * The registry
 */

const struct setting_type *find_setting_type(const char *name)
{
	const struct setting_type *type;

	for_each_table_entry(type, SETTING_TYPES) {
		if (strcmp(type->name, name) == 0)
			return type;
	}
	return NULL;
}

int setting_parse(const struct setting_type *type, const char *text,
		  void *raw, size_t len)
{
	if (!type->parse)
		return errctx(-ENOTSUP, "%s values cannot be entered as text",
			      type->name);
	return type->parse(type, text, raw, len);
}

int setting_format(const struct setting_type *type, const void *raw,
		   size_t raw_len, char *buf, size_t len)
{
	if (!type->format)
		return -ENOTSUP;
	return type->format(type, raw, raw_len, buf, len);
}

int setting_numerate(const struct setting_type *type, const void *raw,
		     size_t raw_len, unsigned long *value)
{
	if (!type->numerate)
		return errctx(-ENOTSUP, "%s values are not numbers",
			      type->name);
	return type->numerate(type, raw, raw_len, value);
}

int setting_denumerate(const struct setting_type *type, unsigned long value,
		       void *raw, size_t len)
{
	if (!type->denumerate)
		return errctx(-ENOTSUP, "%s values are not numbers",
			      type->name);
	return type->denumerate(type, value, raw, len);
}
