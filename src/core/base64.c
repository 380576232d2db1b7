/* Base64 (RFC 4648): encoding binary data as text. */
#include <stdint.h>
#include <keel/base64.h>

static const char base64_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t base64_encode(const void *raw, size_t len, char *buf, size_t size)
{
	const uint8_t *in = raw;
	size_t out = 0, pos, i;
	uint32_t bits;
	char c;

	for (pos = 0; pos < len; pos += 3) {
		bits = (uint32_t)in[pos] << 16;
		if (pos + 1 < len)
			bits |= (uint32_t)in[pos + 1] << 8;
		if (pos + 2 < len)
			bits |= in[pos + 2];
		/* n input bytes make n + 1 characters, then padding */
		for (i = 0; i < 4; i++, out++) {
			c = (i <= len - pos)
				    ? base64_chars[(bits >> (18 - 6 * i)) &
						   0x3f]
				    : '=';
			if (out + 1 < size)
				buf[out] = c;
		}
	}
	if (size)
		buf[out < size ? out : size - 1] = '\0';
	return out;
}
