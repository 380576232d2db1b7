/* Freestanding stdio.h: formatted output (src/core/vsprintf.c) and the console. */
#ifndef STDIO_H
#define STDIO_H
#include <stddef.h>
#include <stdarg.h>

/*
 * The vsnprintf family supports: flags "-+ #0", width and precision (also
 * "*"), conversions %s %c %d %i %u %x %X %o %p %%, and the length modifiers
 * h hh l ll z (and t j). Return values follow C99: the length the complete
 * output would have had.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** As vsnprintf, but returns the number of characters actually stored */
int vscnprintf(char *buf, size_t size, const char *fmt, va_list args);
int scnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** Format into a newly allocated string; returns length or negative error */
int vasprintf(char **strp, const char *fmt, va_list args);
int asprintf(char **strp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * Generic formatter behind the family: calls @emit for each character.
 *
 * @emit	character sink
 * @ctx		sink context
 * @ret len	number of characters emitted
 */
size_t vcprintf(void (*emit)(void *ctx, int c), void *ctx, const char *fmt,
		va_list args);

/* Console output (src/core/console.c) */
int vprintf(const char *fmt, va_list args);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int putchar(int c);
int puts(const char *s);

#endif
