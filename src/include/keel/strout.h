/* Bounded string output: build text into a buffer the way snprintf does. */
#ifndef KEEL_STROUT_H
#define KEEL_STROUT_H
#include <stddef.h>

/**
 * Text in progress. Characters past the buffer are counted but dropped, so
 * the final length tells a caller how big the buffer should have been.
 */
struct strout {
	char *buf;
	size_t len;
	/** Characters produced so far (some may not have fitted) */
	size_t used;
};

static inline void strout_char(struct strout *out, char c)
{
	if (out->used + 1 < out->len)
		out->buf[out->used] = c;
	out->used++;
}

static inline void strout_str(struct strout *out, const char *text)
{
	while (*text)
		strout_char(out, *text++);
}

/** Terminate the text (if there is any room); returns its full length */
static inline size_t strout_end(struct strout *out)
{
	if (out->len)
		out->buf[(out->used < out->len) ? out->used : out->len - 1] =
			'\0';
	return out->used;
}

#endif
