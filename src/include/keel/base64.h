/* Base64 (RFC 4648): encoding binary data as text, for HTTP Basic
 * authentication and the like. */
#ifndef KEEL_BASE64_H
#define KEEL_BASE64_H
#include <stddef.h>

/** Length of the encoding of @len bytes, without the NUL */
static inline size_t base64_encoded_len(size_t len)
{
	return ((len + 2) / 3) * 4;
}

/**
 * Encode bytes as base64 with padding. Works like snprintf: the text is
 * always terminated if @size is not 0, and the full length is returned.
 *
 * @ret len	length of the encoding
 */
size_t base64_encode(const void *raw, size_t len, char *buf, size_t size);

#endif /* KEEL_BASE64_H */
