/* Self-tests: the snprintf family against the host C library, byte for byte. */
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <keel/test.h>

/** Number of generated single-conversion cases */
#define PRINTF_RANDOM_CASES 30000
/** Room for any output the tests produce */
#define OUT_MAX 256
/** Sentinel filling the output buffer beyond what may be written */
#define SENTINEL 0xa5
/** Failures printed in detail */
#define PRINTF_REPORT_MAX 10

static unsigned int printf_reported;

/** Random number below @n */
static unsigned long rnd(unsigned long n)
{
	return test_random() % n;
}

/** Print the details of a mismatch, for the first few only */
static void report(const char *what, const char *fmt, const char *expect,
		   int expect_len, const char *got, int got_len, size_t size)
{
	if (printf_reported++ >= PRINTF_REPORT_MAX)
		return;
	printf("%s mismatch: format \"%s\" size %zu\n  host: %d \"%s\"\n"
	       "  keel: %d \"%s\"\n",
	       what, fmt, size, expect_len, expect, got_len, got);
}

/** A buffer size to test: 0, 1, around the output length, or plenty */
static size_t pick_size(int len)
{
	switch (rnd(8)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return (size_t)len;
	case 3:
		return (size_t)len + 1;
	case 4:
		return rnd((unsigned long)len + 3);
	default:
		return OUT_MAX;
	}
}

/**
 * Check that a bounded output matches the host's complete output
 *
 * @got		buffer written by Keel (OUT_MAX bytes, sentinel-filled before)
 * @size	size Keel was given
 * @expect	host output (complete)
 * @len		length of the host output
 * @ret ok	true if the stored prefix, terminator and untouched tail match
 */
static int bounded_match(const char *got, size_t size, const char *expect,
			 int len)
{
	size_t stored = 0;
	size_t i;

	if (size) {
		stored = ((size_t)len < size) ? (size_t)len : size - 1;
		if (memcmp(got, expect, stored) != 0 || got[stored] != '\0')
			return 0;
		stored++;
	}
	for (i = stored; i < OUT_MAX; i++) {
		if ((unsigned char)got[i] != SENTINEL)
			return 0;
	}
	return 1;
}

/** Compare vsnprintf() with the host for one format, at a random size */
static void check_format(const char *fmt, ...)
{
	char expect[OUT_MAX], got[OUT_MAX];
	va_list args, copy;
	size_t size;
	int expect_len, got_len, match;

	va_start(args, fmt);
	va_copy(copy, args);
	expect_len = host_vsnprintf(expect, sizeof(expect), fmt, copy);
	va_end(copy);
	size = pick_size(expect_len);
	memset(got, SENTINEL, sizeof(got));
	va_copy(copy, args);
	got_len = vsnprintf((size || rnd(2)) ? got : NULL, size, fmt, copy);
	va_end(copy);
	va_end(args);
	match = (got_len == expect_len &&
		 bounded_match(got, size, expect, expect_len));
	ok(match);
	if (!match) {
		got[sizeof(got) - 1] = '\0';
		report("vsnprintf", fmt, expect, expect_len, got, got_len,
		       size);
	}
}

/** Compare asprintf() and scnprintf() with the host for one format */
static void check_alloc_format(const char *fmt, ...)
{
	char expect[OUT_MAX], got[OUT_MAX];
	va_list args, copy;
	char *str = NULL;
	int expect_len, len;
	size_t size;

	va_start(args, fmt);
	va_copy(copy, args);
	expect_len = host_vsnprintf(expect, sizeof(expect), fmt, copy);
	va_end(copy);
	va_copy(copy, args);
	len = vasprintf(&str, fmt, copy);
	va_end(copy);
	ok(len == expect_len && str && memcmp(str, expect, len + 1) == 0);
	if (len != expect_len || !str || memcmp(str, expect, len + 1) != 0)
		report("vasprintf", fmt, expect, expect_len, str ? str : "",
		       len, 0);
	free(str);

	size = pick_size(expect_len);
	memset(got, SENTINEL, sizeof(got));
	va_copy(copy, args);
	len = vscnprintf(got, size, fmt, copy);
	va_end(copy);
	va_end(args);
	ok(len ==
	   (size ? ((size_t)expect_len < size ? expect_len : (int)size - 1)
		 : 0));
	ok(bounded_match(got, size, expect, expect_len));
}

/* Integer values that exercise every boundary */
static const unsigned long long special_values[] = {
    0,
    1,
    7,
    8,
    9,
    10,
    15,
    16,
    99,
    100,
    0x7f,
    0x80,
    0xff,
    0x100,
    0x7fff,
    0x8000,
    0xffff,
    0x10000,
    0x7fffffff,
    0x80000000,
    0xffffffff,
    0x100000000ULL,
    0x7fffffffffffffffULL,
    0x8000000000000000ULL,
    0xffffffffffffffffULL,
    0xfffffffffffffffeULL,
    (unsigned long long)-9,
    (unsigned long long)-100,
    (unsigned long long)(long long)INT_MIN,
    (unsigned long long)INT_MIN,
    01234567,
    0xdeadbeef,
};

/** A random integer: a boundary, a random width of random bits, or small */
static unsigned long long random_value(void)
{
	unsigned long long value;

	switch (rnd(3)) {
	case 0:
		return special_values[rnd(ARRAY_SIZE(special_values))];
	case 1:
		value =
		    ((unsigned long long)test_random() << 32) ^ test_random();
		return value >> rnd(64);
	default:
		value = rnd(1000);
		return rnd(2) ? value : -value;
	}
}

/* Strings for %s, including NULL */
static const char *const test_strings[] = {
    NULL,
    "",
    "a",
    "hello",
    "(null)",
    "Hello, world!",
    "tab\there",
    "\x80\xff high bytes",
    "a rather long string of forty characters!",
    "%d %s not a format",
};

/* Pointers for %p, including NULL */
static void *const test_pointers[] = {
    NULL,
    (void *)1,
    (void *)0xff,
    (void *)0xdeadbeef,
    (void *)UINTPTR_MAX,
    (void *)(UINTPTR_MAX / 2),
    (void *)test_pointers,
};

/** Append a random run of literal text (sometimes with "%%") */
static char *append_literal(char *p)
{
	static const char *const pieces[] = {"",   "",	 "x",	   "<",
					     "> ", "%%", "ab%%cd", "\t"};
	const char *piece = pieces[rnd(ARRAY_SIZE(pieces))];

	while (*piece)
		*p++ = *piece++;
	return p;
}

/** A generated conversion specification */
struct gen_spec {
	/** Conversion character */
	char conv;
	/** Length modifier text */
	const char *length;
	/** Values for '*' width and precision */
	int star[2];
	/** Number of '*' used */
	int nstars;
};

/** Append a decimal number below 100 (without using the code under test) */
static char *append_decimal(char *p, unsigned long value)
{
	if (value >= 10)
		*p++ = (char)('0' + value / 10);
	*p++ = (char)('0' + value % 10);
	return p;
}

/** Append random flags, width and precision */
static char *append_flags_width_prec(char *p, struct gen_spec *gen, int stars)
{
	static const char flags[] = "-+ #0";
	unsigned long i, nflags = rnd(4);

	for (i = 0; i < nflags; i++)
		*p++ = flags[rnd(sizeof(flags) - 1)];
	switch (rnd(4)) {
	case 0:
		if (stars) {
			*p++ = '*';
			gen->star[gen->nstars++] = (int)rnd(61) - 30;
			break;
		}
		/* fall through */
	case 1:
		p = append_decimal(p, rnd(31));
		break;
	default:
		break;
	}
	switch (rnd(5)) {
	case 0:
		if (stars) {
			*p++ = '.';
			*p++ = '*';
			gen->star[gen->nstars++] = (int)rnd(41) - 10;
			break;
		}
		/* fall through */
	case 1:
		*p++ = '.';
		p = append_decimal(p, rnd(31));
		break;
	case 2:
		*p++ = '.';
		break;
	default:
		break;
	}
	return p;
}

/** Generate a random format with a single conversion */
static void generate_format(char *fmt, struct gen_spec *gen)
{
	static const char convs[] = "diuoxXcsp%";
	static const char *const lengths[] = {"",  "",	 "",  "hh", "h",
					      "l", "ll", "z", "t",  "j"};
	char *p = fmt;

	gen->conv = convs[rnd(sizeof(convs) - 1)];
	gen->length = "";
	gen->nstars = 0;
	if (strchr("diuoxX", gen->conv))
		gen->length = lengths[rnd(ARRAY_SIZE(lengths))];
	p = append_literal(p);
	*p++ = '%';
	/* "%%" takes no flags (the host's sanitizer warns about them) */
	if (gen->conv != '%')
		p = append_flags_width_prec(p, gen, 1);
	p += strlen(strcpy(p, gen->length));
	*p++ = gen->conv;
	p = append_literal(p);
	*p = '\0';
}

/** Call check_format() with the '*' arguments and one value of type T */
#define CHECK_WITH(gen, fmt, T, value)                                         \
	do {                                                                   \
		if ((gen)->nstars == 0)                                        \
			check_format(fmt, (T)(value));                         \
		else if ((gen)->nstars == 1)                                   \
			check_format(fmt, (gen)->star[0], (T)(value));         \
		else                                                           \
			check_format(fmt, (gen)->star[0], (gen)->star[1],      \
				     (T)(value));                              \
	} while (0)

/** Run one generated integer case, passing the type the length expects */
static void check_integer(const char *fmt, struct gen_spec *gen)
{
	unsigned long long value = random_value();

	if (!strcmp(gen->length, "l"))
		CHECK_WITH(gen, fmt, long, value);
	else if (!strcmp(gen->length, "ll"))
		CHECK_WITH(gen, fmt, long long, value);
	else if (!strcmp(gen->length, "z"))
		CHECK_WITH(gen, fmt, size_t, value);
	else if (!strcmp(gen->length, "t"))
		CHECK_WITH(gen, fmt, ptrdiff_t, value);
	else if (!strcmp(gen->length, "j"))
		CHECK_WITH(gen, fmt, intmax_t, value);
	else
		CHECK_WITH(gen, fmt, int, value);
}

/** Run one generated case */
static void check_generated(void)
{
	struct gen_spec gen;
	char fmt[64];

	generate_format(fmt, &gen);
	switch (gen.conv) {
	case 's':
		CHECK_WITH(&gen, fmt, const char *,
			   test_strings[rnd(ARRAY_SIZE(test_strings))]);
		break;
	case 'p':
		CHECK_WITH(&gen, fmt, void *,
			   test_pointers[rnd(ARRAY_SIZE(test_pointers))]);
		break;
	case 'c':
		CHECK_WITH(&gen, fmt, int, rnd(256));
		break;
	case '%':
		check_format(fmt);
		break;
	default:
		check_integer(fmt, &gen);
		break;
	}
}

/** Fixed cases, each compared with the host */
static void printf_fixed_host(void)
{
	check_format("%d %i %u", INT_MIN, INT_MAX, UINT_MAX);
	check_format("%lld|%llu|%llx", LLONG_MIN, ULLONG_MAX, ULLONG_MAX);
	check_format("%hhd %hhu %hd %hu", 200, 200, 70000, 70000);
	check_format("%.0d|%.0x|%#.0x|%#.0o|%+.0d|% .0d", 0, 0, 0, 0, 0, 0);
	check_format("%#o %#o %#.5o %#x %#X %#5x", 0, 8, 8, 255, 255, 0);
	check_format("%08.3d|%-08d|%+08d|% 08d", 42, 42, 42, 42);
	check_format("%*d|%-*d|%*d", 6, 1, 6, 2, -6, 3);
	check_format("%.*d|%.*d", -1, 0, 3, 7);
	check_format("%s|%.5s|%.6s|%10s|%-10s|", (char *)NULL, (char *)NULL,
		     (char *)NULL, (char *)NULL, (char *)NULL);
	check_format("%p|%10p|%-10p|%.3p|%+p|% p|%020p|%.20p", NULL, NULL, NULL,
		     NULL, (void *)0x1234, (void *)0x1234, (void *)0x1234,
		     (void *)0x1234);
	check_format("%05s|%05c|%-3c|%c", "ab", 'x', 'y', 0);
	check_format("%.3s|%.0s|%5.1s", "abcdef", "abc", "xyz");
	check_format("%zu %zd %td %jd %ju", (size_t)-1, (size_t)-1,
		     (ptrdiff_t)-5, (intmax_t)INT64_MIN, (uintmax_t)UINT64_MAX);
	check_format("%lx %lo %lX", ULONG_MAX, ULONG_MAX, 0xabcdefUL);
	check_format("");
	check_format("plain text, no conversions");
}

/** vsnprintf() without the compiler's format checking */
static int known_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int len;

	va_start(args, fmt);
	len = vsnprintf(buf, size, fmt, args);
	va_end(args);
	return len;
}

/** Fixed cases with known answers, independent of the host */
static void printf_fixed_known(void)
{
	char buf[16];
	int len;

	len = snprintf(buf, sizeof(buf), "%d-%s", -12, "ab");
	ok(len == 6 && strcmp(buf, "-12-ab") == 0);
	memset(buf, 'z', sizeof(buf));
	ok(snprintf(buf, 0, "%s", "abc") == 3 && buf[0] == 'z');
	ok(snprintf(NULL, 0, "%d", 12345) == 5);
	ok(snprintf(buf, 1, "%s", "abc") == 3 && buf[0] == '\0' &&
	   buf[1] == 'z');
	ok(snprintf(buf, 4, "%s", "abcdef") == 6 && strcmp(buf, "abc") == 0);
	ok(snprintf(buf, sizeof(buf), "%p", NULL) == 5 &&
	   strcmp(buf, "(nil)") == 0);
	ok(snprintf(buf, sizeof(buf), "%p", (void *)0xab) == 4 &&
	   strcmp(buf, "0xab") == 0);
	ok(snprintf(buf, sizeof(buf), "%#x|%#o", 0, 0) == 3 &&
	   strcmp(buf, "0|0") == 0);
	/* Unknown conversions print literally and take no argument, and
	 * "%%" ignores flags and width, as in glibc (not asked of the host:
	 * its sanitizer interceptor warns about such formats) */
	ok(known_format(buf, sizeof(buf), "%y %d", 5) == 4 &&
	   strcmp(buf, "%y 5") == 0);
	ok(known_format(buf, sizeof(buf), "[%-5.3y]", 5) == 8 &&
	   strcmp(buf, "[%-5.3y]") == 0);
	ok(known_format(buf, sizeof(buf), "[%5%|%-05%|%.3%]") == 7 &&
	   strcmp(buf, "[%|%|%]") == 0);
	ok(scnprintf(buf, 4, "%s", "abcdef") == 3);
	ok(scnprintf(buf, 0, "%s", "abcdef") == 0);
	ok(scnprintf(buf, sizeof(buf), "%s", "abc") == 3);
}

/** Count the characters that vcprintf() emits */
static void count_emit(void *ctx, int c)
{
	size_t *count = ctx;

	(void)c;
	(*count)++;
}

/** Call vcprintf() through a variadic wrapper */
static size_t count_format(size_t *count, const char *fmt, ...)
{
	va_list args;
	size_t len;

	va_start(args, fmt);
	len = vcprintf(count_emit, count, fmt, args);
	va_end(args);
	return len;
}

/** asprintf(), scnprintf() and vcprintf() */
static void printf_alloc(void)
{
	size_t count = 0;
	char *str = NULL;
	unsigned int i;
	int len;

	len = asprintf(&str, "%s=%d", "answer", 42);
	ok(len == 9 && str && strcmp(str, "answer=42") == 0);
	free(str);
	len = asprintf(&str, "%s", "");
	ok(len == 0 && str && str[0] == '\0');
	free(str);
	ok(count_format(&count, "%5d%s", 1, "abc") == 8 && count == 8);

	for (i = 0; i < 500; i++) {
		check_alloc_format(
		    "%-*d|%s|%#llx|%p", (int)rnd(20) - 10, (int)random_value(),
		    test_strings[rnd(ARRAY_SIZE(test_strings))], random_value(),
		    test_pointers[rnd(ARRAY_SIZE(test_pointers))]);
	}
}

static void printf_test_exec(void)
{
	unsigned int i;

	printf_reported = 0;
	printf_fixed_host();
	printf_fixed_known();
	printf_alloc();
	for (i = 0; i < PRINTF_RANDOM_CASES; i++)
		check_generated();
}

struct self_test printf_test __self_test = {
    .name = "printf",
    .exec = printf_test_exec,
};
