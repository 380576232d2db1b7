/* Self-tests: string.h functions against simple byte-loop references. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <keel/test.h>

/** Longest region tested */
#define MAX_LEN 300
/** Largest misalignment tested */
#define MAX_OFFSET 16
/** Guard bytes around every destination */
#define GUARD 16
/** Size of a test buffer */
#define BUF_SIZE (GUARD + MAX_OFFSET + MAX_LEN + MAX_OFFSET + GUARD)
/** Iterations of each generated test */
#define ITERATIONS 3000

static unsigned char buf_a[BUF_SIZE] __aligned(16);
static unsigned char buf_b[BUF_SIZE] __aligned(16);
static unsigned char buf_ref[BUF_SIZE] __aligned(16);
static unsigned char buf_tmp[BUF_SIZE] __aligned(16);

/** Random number below @n */
static unsigned long rnd(unsigned long n)
{
	return test_random() % n;
}

/** Sign of a comparison result */
static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* Bytes for generated strings: few enough that searches hit, with the
 * case pairs, bytes between the cases, and bytes above 0x7f. */
static const char alphabet[] = "aAbBzZ[_`@\x7f\x80\xe1\xff";

/** A random byte for a generated string (never NUL) */
static char rnd_char(void)
{
	return alphabet[rnd(sizeof(alphabet) - 1)];
}

/** Fill a buffer with random bytes (any value) */
static void fill_random(unsigned char *p, size_t len)
{
	while (len--)
		*p++ = (unsigned char)test_random();
}

/** Write a random NUL-terminated string of length below @max into @p */
static char *make_string(char *p, size_t max)
{
	size_t len = rnd(max), i;

	for (i = 0; i < len; i++)
		p[i] = rnd_char();
	p[len] = '\0';
	return p;
}

/* ---- References: plain byte loops ---- */

static int ref_memcmp(const void *a, const void *b, size_t len)
{
	const unsigned char *pa = a, *pb = b;
	size_t i;

	for (i = 0; i < len; i++) {
		if (pa[i] != pb[i])
			return pa[i] - pb[i];
	}
	return 0;
}

static size_t ref_strlen(const char *s)
{
	size_t len = 0;

	while (s[len])
		len++;
	return len;
}

static int ref_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 'a' - 'A' : c;
}

static int ref_strncmp(const char *a, const char *b, size_t max, int fold)
{
	const unsigned char *pa = (const void *)a, *pb = (const void *)b;
	size_t i;
	int ca, cb;

	for (i = 0; i < max; i++) {
		ca = fold ? ref_lower(pa[i]) : pa[i];
		cb = fold ? ref_lower(pb[i]) : pb[i];
		if (ca != cb)
			return ca - cb;
		if (!ca)
			return 0;
	}
	return 0;
}

/** Index of the first byte of @s (with terminator) that is @c, or -1 */
static long ref_index(const char *s, size_t len, int c, int last)
{
	long found = -1;
	size_t i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] == (unsigned char)c) {
			found = (long)i;
			if (!last)
				break;
		}
	}
	return found;
}

static int ref_in_set(char c, const char *set)
{
	for (; *set; set++) {
		if (*set == c)
			return 1;
	}
	return 0;
}

static size_t ref_span(const char *s, const char *set, int in)
{
	size_t len = 0;

	while (s[len] && ref_in_set(s[len], set) == in)
		len++;
	return len;
}

static long ref_strstr(const char *h, const char *n)
{
	size_t hl = ref_strlen(h), nl = ref_strlen(n), i;

	for (i = 0; i + nl <= hl; i++) {
		if (ref_memcmp(h + i, n, nl) == 0)
			return (long)i;
	}
	return -1;
}

/** True if @len bytes at @p all equal @c */
static int all_equal(const unsigned char *p, int c, size_t len)
{
	while (len--) {
		if (*p++ != (unsigned char)c)
			return 0;
	}
	return 1;
}

/* ---- Memory functions ---- */

/** memcpy(): every alignment pair and length, guards untouched */
static void test_memcpy(void)
{
	unsigned int i;
	size_t doff, soff, len;
	unsigned char *dest;
	void *ret;

	for (i = 0; i < ITERATIONS && test_failures < 50; i++) {
		doff = GUARD + rnd(MAX_OFFSET);
		soff = GUARD + rnd(MAX_OFFSET);
		len = rnd(MAX_LEN + 1);
		fill_random(buf_a, BUF_SIZE);
		memset(buf_b, 0x5a, BUF_SIZE);
		dest = buf_b + doff;
		ret = memcpy(dest, buf_a + soff, len);
		ok(ret == dest);
		ok(ref_memcmp(dest, buf_a + soff, len) == 0);
		ok(all_equal(buf_b, 0x5a, doff));
		ok(all_equal(dest + len, 0x5a, BUF_SIZE - doff - len));
	}
}

/** memmove(): overlapping regions in both directions, against a copy */
static void test_memmove(void)
{
	unsigned int i;
	size_t doff, soff, len, j;
	void *ret;

	for (i = 0; i < ITERATIONS && test_failures < 50; i++) {
		len = rnd(MAX_LEN + 1);
		soff = rnd(BUF_SIZE - len + 1);
		/* Mostly overlapping: the destination near the source */
		if (rnd(4)) {
			doff = soff + rnd(2 * MAX_OFFSET + 1);
			doff = (doff < MAX_OFFSET) ? 0 : doff - MAX_OFFSET;
			if (doff > BUF_SIZE - len)
				doff = BUF_SIZE - len;
		} else {
			doff = rnd(BUF_SIZE - len + 1);
		}
		fill_random(buf_a, BUF_SIZE);
		for (j = 0; j < BUF_SIZE; j++)
			buf_ref[j] = buf_a[j];
		for (j = 0; j < len; j++)
			buf_tmp[j] = buf_a[soff + j];
		for (j = 0; j < len; j++)
			buf_ref[doff + j] = buf_tmp[j];
		ret = memmove(buf_a + doff, buf_a + soff, len);
		ok(ret == buf_a + doff);
		ok(ref_memcmp(buf_a, buf_ref, BUF_SIZE) == 0);
	}
}

/** memset(): any value of c (only its low byte counts), guards untouched */
static void test_memset(void)
{
	unsigned int i;
	size_t off, len;
	int c;

	for (i = 0; i < ITERATIONS && test_failures < 50; i++) {
		off = GUARD + rnd(MAX_OFFSET);
		len = rnd(MAX_LEN + 1);
		c = (int)rnd(0x300) - 0x100;
		memset(buf_b, 0x5a, BUF_SIZE);
		ok(memset(buf_b + off, c, len) == buf_b + off);
		ok(all_equal(buf_b + off, c & 0xff, len));
		ok(all_equal(buf_b, 0x5a, off));
		ok(all_equal(buf_b + off + len, 0x5a, BUF_SIZE - off - len));
	}
}

/** memcmp(): equal regions, one differing byte, unsigned ordering */
static void test_memcmp(void)
{
	unsigned int i;
	size_t aoff, boff, len;

	for (i = 0; i < ITERATIONS && test_failures < 50; i++) {
		aoff = rnd(MAX_OFFSET);
		boff = rnd(MAX_OFFSET);
		len = rnd(MAX_LEN + 1);
		fill_random(buf_a + aoff, len);
		memcpy(buf_b + boff, buf_a + aoff, len);
		if (len && rnd(4))
			buf_b[boff + rnd(len)] = (unsigned char)test_random();
		ok(sign(memcmp(buf_a + aoff, buf_b + boff, len)) ==
		   sign(ref_memcmp(buf_a + aoff, buf_b + boff, len)));
	}
	ok(memcmp("\x80", "\x7f", 1) > 0);
	ok(memcmp("a", "b", 0) == 0);
}

/** memchr() and memrchr(), with @c beyond a byte's range */
static void test_memchr(void)
{
	unsigned int i;
	size_t off, len;
	const char *s;
	long idx;
	int c;

	for (i = 0; i < ITERATIONS && test_failures < 50; i++) {
		off = rnd(MAX_OFFSET);
		len = rnd(MAX_LEN + 1);
		s = (const char *)buf_a + off;
		make_string((char *)buf_a + off, len + 1);
		fill_random(buf_a + off + ref_strlen(s), 2);
		c = (unsigned char)rnd_char() + (int)(rnd(3) - 1) * 256;
		idx = ref_index(s, len, c, 0);
		ok(memchr(s, c, len) == (idx < 0 ? NULL : s + idx));
		idx = ref_index(s, len, c, 1);
		ok(memrchr(s, c, len) == (idx < 0 ? NULL : s + idx));
	}
	ok(memchr("abc", 'a', 0) == NULL);
	ok(memrchr("abc", 'a', 0) == NULL);
}

/** memswap() */
static void test_memswap(void)
{
	unsigned int i;
	size_t aoff, boff, len;

	for (i = 0; i < ITERATIONS / 4 && test_failures < 50; i++) {
		aoff = rnd(MAX_OFFSET);
		boff = rnd(MAX_OFFSET);
		len = rnd(MAX_LEN + 1);
		fill_random(buf_a, BUF_SIZE);
		fill_random(buf_b, BUF_SIZE);
		memcpy(buf_ref, buf_a + aoff, len);
		memcpy(buf_tmp, buf_b + boff, len);
		ok(memswap(buf_a + aoff, buf_b + boff, len) == buf_a + aoff);
		ok(ref_memcmp(buf_a + aoff, buf_tmp, len) == 0);
		ok(ref_memcmp(buf_b + boff, buf_ref, len) == 0);
	}
}

/* ---- String functions ---- */

/** strlen() and strnlen() */
static void test_strlen(void)
{
	unsigned int i;
	size_t off, len, max;
	char *s;

	for (i = 0; i < ITERATIONS && test_failures < 50; i++) {
		off = rnd(MAX_OFFSET);
		s = make_string((char *)buf_a + off, MAX_LEN);
		len = ref_strlen(s);
		max = rnd(MAX_LEN + 2);
		ok(strlen(s) == len);
		ok(strnlen(s, max) == (len < max ? len : max));
	}
}

/** strcpy(), strncpy() and strlcpy(): result, padding, truncation */
static void test_strcpy(void)
{
	unsigned int i;
	size_t off, len, max, copy;
	char *src, *dest;

	for (i = 0; i < ITERATIONS && test_failures < 50; i++) {
		src = make_string((char *)buf_a + rnd(MAX_OFFSET), MAX_LEN / 2);
		len = ref_strlen(src);
		off = GUARD + rnd(MAX_OFFSET);
		dest = (char *)buf_b + off;
		max = rnd(MAX_LEN / 2 + 2);

		memset(buf_b, 0x5a, BUF_SIZE);
		ok(strcpy(dest, src) == dest);
		ok(ref_memcmp(dest, src, len + 1) == 0);
		ok(all_equal(buf_b + off + len + 1, 0x5a,
			     BUF_SIZE - off - len - 1));

		memset(buf_b, 0x5a, BUF_SIZE);
		copy = len < max ? len : max;
		ok(strncpy(dest, src, max) == dest);
		ok(ref_memcmp(dest, src, copy) == 0);
		ok(all_equal((unsigned char *)dest + copy, 0, max - copy));
		ok(all_equal((unsigned char *)dest + max, 0x5a,
			     BUF_SIZE - off - max));

		memset(buf_b, 0x5a, BUF_SIZE);
		copy = max ? (len < max ? len : max - 1) : 0;
		ok(strlcpy(dest, src, max) == len);
		ok(ref_memcmp(dest, src, copy) == 0);
		ok(!max || dest[copy] == '\0');
		ok(all_equal((unsigned char *)dest + copy + !!max, 0x5a,
			     BUF_SIZE - off - copy - !!max));
	}
}

/** strcat() and strncat() */
static void test_strcat(void)
{
	unsigned int i;
	size_t off, dlen, slen, max, copy;
	char *src, *dest;

	for (i = 0; i < ITERATIONS && test_failures < 50; i++) {
		src = make_string((char *)buf_a + rnd(MAX_OFFSET), MAX_LEN / 2);
		slen = ref_strlen(src);
		off = GUARD + rnd(MAX_OFFSET);
		dest = (char *)buf_b + off;
		max = rnd(MAX_LEN / 2 + 2);
		memset(buf_b, 0x5a, BUF_SIZE);
		make_string(dest, MAX_LEN / 2);
		dlen = ref_strlen(dest);
		memcpy(buf_ref, dest, dlen + 1);
		if (rnd(2)) {
			ok(strcat(dest, src) == dest);
			copy = slen;
		} else {
			ok(strncat(dest, src, max) == dest);
			copy = slen < max ? slen : max;
		}
		ok(ref_memcmp(dest, buf_ref, dlen) == 0);
		ok(ref_memcmp(dest + dlen, src, copy) == 0);
		ok(dest[dlen + copy] == '\0');
		ok(all_equal((unsigned char *)dest + dlen + copy + 1, 0x5a,
			     BUF_SIZE - off - dlen - copy - 1));
	}
}

/** strcmp(), strncmp(), strcasecmp() and strncasecmp() */
static void test_strcmp(void)
{
	unsigned int i;
	size_t max, len;
	char *a, *b;

	for (i = 0; i < ITERATIONS && test_failures < 50; i++) {
		a = make_string((char *)buf_a + rnd(MAX_OFFSET), 20);
		b = (char *)buf_b + rnd(MAX_OFFSET);
		len = ref_strlen(a);
		/* Often a copy, a prefix, or a copy with one change */
		if (rnd(2)) {
			memcpy(b, a, len + 1);
			if (len && rnd(2))
				b[rnd(len)] = rnd(3) ? rnd_char() : '\0';
		} else {
			make_string(b, 20);
		}
		max = rnd(25);
		ok(sign(strcmp(a, b)) == sign(ref_strncmp(a, b, SIZE_MAX, 0)));
		ok(sign(strncmp(a, b, max)) == sign(ref_strncmp(a, b, max, 0)));
		ok(sign(strcasecmp(a, b)) ==
		   sign(ref_strncmp(a, b, SIZE_MAX, 1)));
		ok(sign(strncasecmp(a, b, max)) ==
		   sign(ref_strncmp(a, b, max, 1)));
	}
	ok(strcmp("\xff", "a") > 0);
	ok(strcasecmp("HeLLo", "hello") == 0);
	ok(strcasecmp("[", "a") < 0 && strcasecmp("a", "[") > 0);
	ok(strncasecmp("abcX", "ABCY", 3) == 0);
	ok(strncmp("abc", "xyz", 0) == 0);
}

/** strchr() and strrchr(), including the terminator */
static void test_strchr(void)
{
	unsigned int i;
	long idx;
	char *s;
	int c;

	for (i = 0; i < ITERATIONS && test_failures < 50; i++) {
		s = make_string((char *)buf_a + rnd(MAX_OFFSET), 40);
		c = rnd(8) ? (unsigned char)rnd_char() : 0;
		if (rnd(4) == 0)
			c += 256;
		idx = ref_index(s, ref_strlen(s) + 1, c, 0);
		ok(strchr(s, c) == (idx < 0 ? NULL : s + idx));
		idx = ref_index(s, ref_strlen(s) + 1, c, 1);
		ok(strrchr(s, c) == (idx < 0 ? NULL : s + idx));
	}
	ok(*strchr("abc", 0) == '\0' && strchr("abc", 0) != NULL);
}

/** strstr(), including empty needles and haystacks */
static void test_strstr(void)
{
	unsigned int i;
	long idx;
	char *h, *n;

	for (i = 0; i < ITERATIONS && test_failures < 50; i++) {
		h = make_string((char *)buf_a + rnd(MAX_OFFSET), 60);
		n = make_string((char *)buf_b + rnd(MAX_OFFSET), 4);
		idx = ref_strstr(h, n);
		ok(strstr(h, n) == (idx < 0 ? NULL : h + idx));
	}
	ok(strstr("", "") != NULL);
	ok(strstr("abc", "") != NULL && *strstr("abc", "") == 'a');
	ok(strstr("", "a") == NULL);
	ok(strstr("aab", "ab") != NULL);
}

/** strspn(), strcspn() and strpbrk(), including empty sets */
static void test_strspn(void)
{
	unsigned int i;
	size_t len;
	char *s, *set;

	for (i = 0; i < ITERATIONS && test_failures < 50; i++) {
		s = make_string((char *)buf_a + rnd(MAX_OFFSET), 40);
		set = make_string((char *)buf_b + rnd(MAX_OFFSET), 6);
		ok(strspn(s, set) == ref_span(s, set, 1));
		len = ref_span(s, set, 0);
		ok(strcspn(s, set) == len);
		ok(strpbrk(s, set) == (s[len] ? s + len : NULL));
	}
	ok(strspn("abc", "") == 0);
	ok(strcspn("abc", "") == 3);
	ok(strspn("", "abc") == 0);
	ok(strpbrk("abc", "") == NULL);
}

/** strsep(): every token, including empty ones, against a byte scan */
static void test_strsep(void)
{
	unsigned int i;
	char *s, *p, *token;
	const char *delim;
	size_t start, end, len;
	int done;

	for (i = 0; i < ITERATIONS && test_failures < 50; i++) {
		s = make_string((char *)buf_a + rnd(MAX_OFFSET), 30);
		len = ref_strlen(s);
		memcpy(buf_ref, s, len + 1);
		delim = rnd(8) ? "ab" : "";
		p = s;
		for (start = 0, done = 0; !done; start = end + 1) {
			end = start;
			while (buf_ref[end] && !ref_in_set(buf_ref[end], delim))
				end++;
			done = (buf_ref[end] == '\0');
			token = strsep(&p, delim);
			ok(token == s + start);
			ok(token &&
			   ref_memcmp(token, buf_ref + start, end - start) ==
			       0 &&
			   token[end - start] == '\0');
			ok(p == (done ? NULL : s + end + 1));
		}
		ok(strsep(&p, delim) == NULL && p == NULL);
	}
}

/** strsep() fixed cases: leading, trailing and repeated delimiters */
static void test_strsep_fixed(void)
{
	char text[] = ",a,,b,";
	static const char *const tokens[] = {"", "a", "", "b", ""};
	char empty[] = "";
	char *p = text;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tokens); i++) {
		char *token = strsep(&p, ",");

		ok(token && strcmp(token, tokens[i]) == 0);
	}
	ok(p == NULL && strsep(&p, ",") == NULL);
	p = empty;
	ok(strsep(&p, ",") == empty && p == NULL);
}

/** strdup() and strndup() */
static void test_strdup(void)
{
	unsigned int i;
	size_t len, max, copy;
	char *s, *d;

	for (i = 0; i < ITERATIONS / 4 && test_failures < 50; i++) {
		s = make_string((char *)buf_a + rnd(MAX_OFFSET), 100);
		len = ref_strlen(s);
		max = rnd(120);
		d = strdup(s);
		ok(d && d != s && ref_memcmp(d, s, len + 1) == 0);
		free(d);
		copy = len < max ? len : max;
		d = strndup(s, max);
		ok(d && ref_memcmp(d, s, copy) == 0 && d[copy] == '\0');
		free(d);
	}
}

static void string_test_exec(void)
{
	test_memcpy();
	test_memmove();
	test_memset();
	test_memcmp();
	test_memchr();
	test_memswap();
	test_strlen();
	test_strcpy();
	test_strcat();
	test_strcmp();
	test_strchr();
	test_strstr();
	test_strspn();
	test_strsep();
	test_strsep_fixed();
	test_strdup();
}

struct self_test string_test __self_test = {
    .name = "string",
    .exec = string_test_exec,
};
