/* Memory and string functions: the freestanding string.h. */
#include <stdint.h>
#include <string.h>
#include <ctype.h>
#include <keel/malloc.h>

/*
 * The compiler may emit calls to memcpy(), memmove(), memset() and memcmp()
 * on its own (structure copies, initialisers). These functions must
 * therefore never call themselves, and the byte loops below must not be
 * recognised as library idioms: the build passes
 * -fno-tree-loop-distribute-patterns for that reason.
 */

/** A machine word that may alias any other type */
typedef unsigned long __attribute__((may_alias)) word_t;
/** The same, at any address (a plain load on x86, bytes where it must be) */
typedef unsigned long __attribute__((may_alias, aligned(1))) uword_t;

#define WORD_SIZE sizeof(word_t)
#define WORD_MASK (WORD_SIZE - 1)

/** True if both pointers have the same offset within a word */
static inline int co_aligned(const void *a, const void *b)
{
	return ((((uintptr_t)a) ^ ((uintptr_t)b)) & WORD_MASK) == 0;
}

/**
 * Copy forwards (safe for overlapping regions when @dest is below @src)
 *
 * @dest	destination
 * @src		source
 * @len		length
 */
static void copy_forwards(unsigned char *dest, const unsigned char *src,
			  size_t len)
{
	/*
	 * Words are stored aligned and loaded from wherever the source lies:
	 * a received packet's payload rarely shares the image buffer's offset
	 * within a word, and a byte loop there made downloads far slower.
	 * Loading each word before its store keeps this safe for memmove()
	 * with @dest below @src.
	 */
	if (len >= 2 * WORD_SIZE) {
		while ((uintptr_t)dest & WORD_MASK) {
			*dest++ = *src++;
			len--;
		}
		while (len >= 4 * WORD_SIZE) {
			((word_t *)dest)[0] = ((const uword_t *)src)[0];
			((word_t *)dest)[1] = ((const uword_t *)src)[1];
			((word_t *)dest)[2] = ((const uword_t *)src)[2];
			((word_t *)dest)[3] = ((const uword_t *)src)[3];
			dest += 4 * WORD_SIZE;
			src += 4 * WORD_SIZE;
			len -= 4 * WORD_SIZE;
		}
		while (len >= WORD_SIZE) {
			*(word_t *)dest = *(const uword_t *)src;
			dest += WORD_SIZE;
			src += WORD_SIZE;
			len -= WORD_SIZE;
		}
	}
	while (len--)
		*dest++ = *src++;
}

/**
 * Copy backwards (safe for overlapping regions when @dest is above @src)
 *
 * @dest	destination
 * @src		source
 * @len		length
 */
static void copy_backwards(unsigned char *dest, const unsigned char *src,
			   size_t len)
{
	dest += len;
	src += len;
	if (co_aligned(dest, src) && len >= WORD_SIZE) {
		while ((uintptr_t)dest & WORD_MASK) {
			*--dest = *--src;
			len--;
		}
		while (len >= WORD_SIZE) {
			dest -= WORD_SIZE;
			src -= WORD_SIZE;
			*(word_t *)dest = *(const word_t *)src;
			len -= WORD_SIZE;
		}
	}
	while (len--)
		*--dest = *--src;
}

/** Copy @len bytes between regions that must not overlap; returns @dest */
void *memcpy(void *dest, const void *src, size_t len)
{
	copy_forwards(dest, src, len);
	return dest;
}

/** Copy @len bytes between regions that may overlap; returns @dest */
void *memmove(void *dest, const void *src, size_t len)
{
	if ((uintptr_t)dest - (uintptr_t)src >= len)
		copy_forwards(dest, src, len);
	else
		copy_backwards(dest, src, len);
	return dest;
}

/** Fill @len bytes with the byte value @c; returns @dest */
void *memset(void *dest, int c, size_t len)
{
	unsigned char *d = dest;
	unsigned char byte = (unsigned char)c;
	unsigned long fill;

	if (len >= WORD_SIZE) {
		fill = (~0UL / 0xff) * byte;
		while ((uintptr_t)d & WORD_MASK) {
			*d++ = byte;
			len--;
		}
		while (len >= WORD_SIZE) {
			*(word_t *)d = fill;
			d += WORD_SIZE;
			len -= WORD_SIZE;
		}
	}
	while (len--)
		*d++ = byte;
	return dest;
}

/** Compare @len bytes as unsigned chars: <0, 0 or >0 */
int memcmp(const void *a, const void *b, size_t len)
{
	const unsigned char *pa = a;
	const unsigned char *pb = b;

	if (co_aligned(pa, pb)) {
		while (len && ((uintptr_t)pa & WORD_MASK)) {
			if (*pa != *pb)
				return *pa - *pb;
			pa++;
			pb++;
			len--;
		}
		/* Skip equal words; a differing word is resolved bytewise */
		while (len >= WORD_SIZE &&
		       *(const word_t *)pa == *(const word_t *)pb) {
			pa += WORD_SIZE;
			pb += WORD_SIZE;
			len -= WORD_SIZE;
		}
	}
	for (; len; pa++, pb++, len--) {
		if (*pa != *pb)
			return *pa - *pb;
	}
	return 0;
}

/** First byte equal to (unsigned char)@c within @len bytes, or NULL */
void *memchr(const void *s, int c, size_t len)
{
	const unsigned char *p = s;

	for (; len; p++, len--) {
		if (*p == (unsigned char)c)
			return (void *)p;
	}
	return NULL;
}

/** Last byte equal to (unsigned char)@c within @len bytes, or NULL */
void *memrchr(const void *s, int c, size_t len)
{
	const unsigned char *p = (const unsigned char *)s + len;

	while (len--) {
		if (*--p == (unsigned char)c)
			return (void *)p;
	}
	return NULL;
}

/** Exchange the contents of two non-overlapping regions; returns @a */
void *memswap(void *a, void *b, size_t len)
{
	unsigned char *pa = a;
	unsigned char *pb = b;
	unsigned char tmp;

	while (len--) {
		tmp = *pa;
		*pa++ = *pb;
		*pb++ = tmp;
	}
	return a;
}

/** Length of a string */
size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

/** Length of a string, looking at no more than @max bytes */
size_t strnlen(const char *s, size_t max)
{
	size_t len = 0;

	while (len < max && s[len])
		len++;
	return len;
}

/** Copy a string including its terminator; returns @dest */
char *strcpy(char *dest, const char *src)
{
	char *d = dest;

	while ((*d++ = *src++))
		;
	return dest;
}

/** Copy at most @max bytes of a string, padding the rest with NULs */
char *strncpy(char *dest, const char *src, size_t max)
{
	size_t i;

	for (i = 0; i < max && src[i]; i++)
		dest[i] = src[i];
	for (; i < max; i++)
		dest[i] = '\0';
	return dest;
}

size_t strlcpy(char *dest, const char *src, size_t size)
{
	size_t len = strlen(src);
	size_t copy;

	if (size) {
		copy = (len < size) ? len : (size - 1);
		copy_forwards((unsigned char *)dest, (const unsigned char *)src,
			      copy);
		dest[copy] = '\0';
	}
	return len;
}

/** Append a string; returns @dest */
char *strcat(char *dest, const char *src)
{
	strcpy(dest + strlen(dest), src);
	return dest;
}

/** Append at most @max bytes of a string, always terminating; returns @dest */
char *strncat(char *dest, const char *src, size_t max)
{
	char *d = dest + strlen(dest);

	while (max-- && *src)
		*d++ = *src++;
	*d = '\0';
	return dest;
}

/** Compare two strings as unsigned chars: <0, 0 or >0 */
int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, SIZE_MAX);
}

/** Compare at most @max bytes of two strings as unsigned chars */
int strncmp(const char *a, const char *b, size_t max)
{
	const unsigned char *pa = (const unsigned char *)a;
	const unsigned char *pb = (const unsigned char *)b;

	for (; max; pa++, pb++, max--) {
		if (*pa != *pb)
			return *pa - *pb;
		if (!*pa)
			break;
	}
	return 0;
}

/** Compare two strings ignoring ASCII case */
int strcasecmp(const char *a, const char *b)
{
	return strncasecmp(a, b, SIZE_MAX);
}

/** Compare at most @max bytes of two strings ignoring ASCII case */
int strncasecmp(const char *a, const char *b, size_t max)
{
	const unsigned char *pa = (const unsigned char *)a;
	const unsigned char *pb = (const unsigned char *)b;
	int diff;

	for (; max; pa++, pb++, max--) {
		diff = tolower(*pa) - tolower(*pb);
		if (diff)
			return diff;
		if (!*pa)
			break;
	}
	return 0;
}

/** First occurrence of (char)@c, or NULL; @c == 0 finds the terminator */
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

/** Last occurrence of (char)@c, or NULL; @c == 0 finds the terminator */
char *strrchr(const char *s, int c)
{
	const char *found = NULL;

	for (;; s++) {
		if (*s == (char)c)
			found = s;
		if (!*s)
			return (char *)found;
	}
}

/** First occurrence of @needle in @haystack; an empty needle matches at once */
char *strstr(const char *haystack, const char *needle)
{
	size_t len = strlen(needle);

	for (; *haystack; haystack++) {
		if (strncmp(haystack, needle, len) == 0)
			return (char *)haystack;
	}
	return len ? NULL : (char *)haystack;
}

/**
 * Length of the initial run of @s whose bytes are (or are not) in @set
 *
 * @s		string
 * @set		set of bytes
 * @in		1 to count bytes in the set, 0 to count bytes not in it
 * @ret len	length of the run
 */
static size_t span(const char *s, const char *set, int in)
{
	size_t len;

	for (len = 0; s[len]; len++) {
		if ((strchr(set, s[len]) != NULL) != in)
			break;
	}
	return len;
}

/** Length of the initial run of @s made only of bytes in @accept */
size_t strspn(const char *s, const char *accept)
{
	return span(s, accept, 1);
}

/** Length of the initial run of @s made only of bytes not in @reject */
size_t strcspn(const char *s, const char *reject)
{
	return span(s, reject, 0);
}

/** First byte of @s that is in @accept, or NULL */
char *strpbrk(const char *s, const char *accept)
{
	s += strcspn(s, accept);
	return *s ? (char *)s : NULL;
}

/**
 * Split off the next token of *@stringp, ending at any byte of @delim.
 * The delimiter is overwritten by a NUL and *@stringp moves past it (or to
 * NULL after the last token). Returns the token, or NULL if *@stringp was
 * NULL. Empty tokens are returned, not skipped.
 */
char *strsep(char **stringp, const char *delim)
{
	char *token = *stringp;
	char *end;

	if (!token)
		return NULL;
	end = token + strcspn(token, delim);
	if (*end) {
		*end = '\0';
		*stringp = end + 1;
	} else {
		*stringp = NULL;
	}
	return token;
}

/** Copy a string into newly allocated memory */
char *strdup(const char *s)
{
	return strndup(s, SIZE_MAX);
}

/** Copy at most @max bytes of a string into newly allocated memory */
char *strndup(const char *s, size_t max)
{
	size_t len = strnlen(s, max);
	char *copy;

	copy = malloc(len + 1);
	if (!copy)
		return NULL;
	copy_forwards((unsigned char *)copy, (const unsigned char *)s, len);
	copy[len] = '\0';
	return copy;
}
