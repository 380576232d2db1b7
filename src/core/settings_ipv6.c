/* The ipv6 setting type (RFC 4291 text in, RFC 5952 text out): in the full feature set only. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <keel/settings.h>
#include <keel/strout.h>

/**
 * Scan one IPv6 group (1 to 4 hex digits), or a dotted-quad tail worth two.
 *
 * @p		position, updated
 * @groups	groups, filled in from @n
 * @n		number of groups so far, updated
 * @ret rc	0, or -EINVAL
 */
static int scan_ipv6_group(const char **p, uint16_t *groups, unsigned int *n)
{
	const char *end = *p + strcspn(*p, ":");
	unsigned int value = 0, digits;
	uint8_t v4[4];
	int d;

	if (memchr(*p, '.', (size_t)(end - *p))) {
		if (*end || *n > 6 || setting_scan_ipv4(*p, end, v4) != 0)
			return -EINVAL;
		groups[(*n)++] = (uint16_t)((v4[0] << 8) | v4[1]);
		groups[(*n)++] = (uint16_t)((v4[2] << 8) | v4[3]);
		*p = end;
		return 0;
	}
	for (digits = 0; (d = xdigit_value((unsigned char)**p)) >= 0; digits++)
		value = (value << 4) | (unsigned int)d, (*p)++;
	if (!digits || digits > 4 || *n >= 8)
		return -EINVAL;
	groups[(*n)++] = (uint16_t)value;
	return 0;
}

/** Parse RFC 4291 text: groups, at most one "::", optional IPv4 tail */
static int scan_ipv6(const char *p, uint8_t addr[16])
{
	uint16_t groups[8];
	unsigned int n = 0, i, zeros, slot;
	int gap = -1;

	if (p[0] == ':') {
		if (p[1] != ':')
			return -EINVAL;
		gap = 0;
		p += 2;
	}
	while (*p) {
		if (scan_ipv6_group(&p, groups, &n) != 0)
			return -EINVAL;
		if (!*p)
			break;
		if (*p++ != ':' || !*p)
			return -EINVAL; /* junk, or a lone trailing ':' */
		if (*p == ':') {
			if (gap >= 0)
				return -EINVAL;
			gap = (int)n;
			p++;
		}
	}
	if ((gap < 0) ? (n != 8) : (n > 7))
		return -EINVAL;
	/* The groups after the gap move to the end; zeros fill the gap */
	zeros = 8 - n;
	memset(addr, 0, 16);
	for (i = 0; i < n; i++) {
		slot = (gap >= 0 && i >= (unsigned int)gap) ? i + zeros : i;
		addr[2 * slot] = (uint8_t)(groups[i] >> 8);
		addr[2 * slot + 1] = (uint8_t)groups[i];
	}
	return 0;
}

static int parse_ipv6(const struct setting_type *type, const char *text,
		      void *raw, size_t len)
{
	uint8_t addr[16];

	if (scan_ipv6(text, addr) != 0)
		return errctx(-EINVAL, "not an IPv6 address: \"%s\"", text);
	return setting_raw_out(addr, sizeof(addr), raw, len);
}

/** RFC 5952 text: lowercase, no leading zeros, longest zero run as "::" */
static int format_ipv6(const struct setting_type *type, const void *raw,
		       size_t raw_len, char *buf, size_t len)
{
	const uint8_t *a = raw;
	unsigned int i, run, best = 0, best_len = 0;
	struct strout out = { buf, len, 0 };
	char group[8];

	if (raw_len < 16)
		return errctx(-ERANGE, "%zu bytes are not an IPv6 address",
			      raw_len);
	for (i = 0; i < 8; i += run ? run : 1) {
		for (run = 0; i + run < 8 && !a[2 * (i + run)] &&
			      !a[2 * (i + run) + 1];
		     run++)
			;
		if (run > best_len && run >= 2) {
			best = i;
			best_len = run;
		}
	}
	for (i = 0; i < 8; i++) {
		if (best_len && i == best) {
			strout_str(&out, "::");
			i += best_len - 1;
			continue;
		}
		if (i && !(best_len && i == best + best_len))
			strout_char(&out, ':');
		snprintf(group, sizeof(group), "%x",
			 (a[2 * i] << 8) | a[2 * i + 1]);
		strout_str(&out, group);
	}
	return strout_end(&out);
}

const struct setting_type setting_type_ipv6 __setting_type = {
	.name = "ipv6",
	.parse = parse_ipv6,
	.format = format_ipv6,
};
