/* Self-tests: strtoul family against the host C library, value and end. */
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <keel/test.h>

/** Number of generated strings */
#define STRTOUL_RANDOM_CASES 8000
/** Longest generated string */
#define STR_MAX 128
/** Failures printed in detail */
#define STRTOUL_REPORT_MAX 10

static unsigned int strtoul_reported;

/** Random number below @n */
static unsigned long rnd(unsigned long n)
{
	return test_random() % n;
}

/** Print a mismatch, for the first few only */
static void report(const char *fn, const char *s, int base,
		   unsigned long long expect, long expect_end,
		   unsigned long long got, long got_end)
{
	if (strtoul_reported++ >= STRTOUL_REPORT_MAX)
		return;
	printf("%s(\"%s\", %d): host %#llx end %ld, keel %#llx end %ld\n", fn,
	       s, base, expect, expect_end, got, got_end);
}

/** Compare every function of the family with the host for one string */
static void check_string(const char *s, int base)
{
	char *host_end, *end;
	unsigned long hu = host_strtoul(s, &host_end, base);
	long hl;
	int match;

	match = (strtoul(s, &end, base) == hu && end == host_end);
	ok(match);
	if (!match)
		report("strtoul", s, base, hu, host_end - s,
		       strtoul(s, &end, base), end - s);

	hl = host_strtol(s, &host_end, base);
	match = (strtol(s, &end, base) == hl && end == host_end);
	ok(match);
	if (!match)
		report("strtol", s, base, (unsigned long long)hl, host_end - s,
		       (unsigned long long)strtol(s, &end, base), end - s);

	/* Where long is as wide as long long, the host answers for both */
	if (sizeof(long) == sizeof(long long)) {
		ok(strtoull(s, &end, base) == hu && end == host_end);
		ok(strtoll(s, &end, base) == hl && end == host_end);
	}
	/* A NULL end pointer is allowed */
	ok(strtoul(s, NULL, base) == hu);
}

/** Append one of a few strings chosen at random */
static char *append_one(char *p, const char *const *choices, size_t n)
{
	const char *c = choices[rnd(n)];

	while (*c)
		*p++ = *c++;
	return p;
}

/** Append a number written in @base, most significant digit first */
static char *append_number(char *p, unsigned long long value, int base,
			   int upper)
{
	const char *digits = upper ? "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   : "0123456789abcdefghijklmnopqrstuvwxyz";
	char tmp[65];
	int len = 0;

	do {
		tmp[len++] = digits[value % (unsigned int)base];
		value /= (unsigned int)base;
	} while (value);
	while (len)
		*p++ = tmp[--len];
	return p;
}

/** Values at and around the limits of every type */
static unsigned long long boundary_value(void)
{
	static const unsigned long long bounds[] = {
	    0,
	    1,
	    (unsigned long long)LONG_MAX,
	    (unsigned long long)LONG_MIN,
	    ULONG_MAX,
	    (unsigned long long)LLONG_MAX,
	    ULLONG_MAX,
	    0xffffffffULL,
	    0x7fffffffULL,
	    0x80000000ULL,
	};

	return bounds[rnd(ARRAY_SIZE(bounds))] + rnd(5) - 2;
}

/** Append digits: an exact (boundary) value, or a random run of characters */
static char *append_digits(char *p, int base)
{
	static const char chars[] = "0123456789abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	unsigned long len, i;
	int b = base ? base : 10;

	switch (rnd(4)) {
	case 0:
		p = append_number(p, boundary_value(), b, (int)rnd(2));
		/* Sometimes one digit more: an overflow by a factor of b */
		if (rnd(3) == 0)
			*p++ = '0';
		return p;
	case 1:
		/* Long runs of valid digits, far past any limit */
		len = rnd(80);
		for (i = 0; i < len; i++)
			*p++ = chars[rnd((unsigned long)b)];
		return p;
	default:
		/* Short runs of any alphanumerics, valid or not */
		len = rnd(8);
		for (i = 0; i < len; i++)
			*p++ = chars[rnd(sizeof(chars) - 1)];
		return p;
	}
}

/** Generate a random string to parse */
static void generate_string(char *s, int base)
{
	static const char *const spaces[] = {"",   "",	 "",	      " ",
					     "  ", "\t", "\n\v\f\r ", "\b"};
	static const char *const signs[] = {"",	 "",   "",   "+", "-",
					    "-", "+-", "--", " -"};
	static const char *const prefixes[] = {"",   "",   "",	  "0", "00",
					       "0x", "0X", "0x0", "x", "0b"};
	static const char *const suffixes[] = {"",  "",	 "",	 " ",  "z",
					       "9", "x", "\xff", ".5", "-1"};
	char *p = s;

	p = append_one(p, spaces, ARRAY_SIZE(spaces));
	p = append_one(p, signs, ARRAY_SIZE(signs));
	p = append_one(p, prefixes, ARRAY_SIZE(prefixes));
	p = append_digits(p, base);
	p = append_one(p, suffixes, ARRAY_SIZE(suffixes));
	*p = '\0';
}

/** Fixed edge cases, in every interesting base */
static void strtoul_fixed(void)
{
	static const char *const strings[] = {
	    "",
	    " ",
	    "-",
	    "+",
	    "0",
	    "-0",
	    "0x",
	    "0X",
	    "0x ",
	    "-0x",
	    "  +0xg",
	    "0xG1",
	    "0x1g",
	    "08",
	    "0777",
	    "019",
	    "0xFFFFFFFFFFFFFFFF",
	    "0x10000000000000000",
	    "18446744073709551615",
	    "18446744073709551616",
	    "-18446744073709551615",
	    "-18446744073709551616",
	    "9223372036854775807",
	    "9223372036854775808",
	    "-9223372036854775808",
	    "-9223372036854775809",
	    "4294967295",
	    "4294967296",
	    "-4294967296",
	    "zzzzzzzzzzzzz",
	    "zzzzzzzzzzzzzz",
	    "1z",
	    "  \t\n42abc",
	    "99999999999999999999999999999999999999",
	};
	static const int bases[] = {0, 2, 8, 10, 16, 36};
	unsigned int i, j;
	char *end;

	for (i = 0; i < ARRAY_SIZE(strings); i++) {
		for (j = 0; j < ARRAY_SIZE(bases); j++)
			check_string(strings[i], bases[j]);
	}

	/* Known answers, independent of the host */
	ok(strtoul("0x", &end, 0) == 0 && *end == 'x');
	ok(strtoul("  -1", &end, 10) == ULONG_MAX && *end == '\0');
	ok(strtol("-9223372036854775809", NULL, 10) == LONG_MIN ||
	   sizeof(long) != 8);
	ok(strtoul("junk", &end, 0) == 0 && end[0] == 'j');
	ok(strtoull("18446744073709551616", NULL, 10) == ULLONG_MAX);
	ok(strtoll("-9223372036854775808", NULL, 0) == LLONG_MIN);
	ok(strtol("0777", NULL, 0) == 0777 && strtol("z", NULL, 36) == 35);
	ok(atoi("  -123x") == -123);
	/* An invalid base parses nothing (glibc leaves *end alone; Keel
	 * reports "no digits" in the usual way) */
	ok(strtoul("12", &end, 1) == 0 && *end == '1');
	ok(strtol(" 12", &end, 37) == 0 && *end == ' ');
	ok(strtoull("12", &end, -1) == 0 && *end == '1');
}

static void strtoul_test_exec(void)
{
	static const int bases[] = {0, 0, 0, 2, 8, 10, 10, 16, 16, 36};
	char s[STR_MAX];
	unsigned int i;
	int base;

	strtoul_reported = 0;
	strtoul_fixed();
	for (i = 0; i < STRTOUL_RANDOM_CASES; i++) {
		base =
		    rnd(4) ? bases[rnd(ARRAY_SIZE(bases))] : (int)rnd(35) + 2;
		generate_string(s, base);
		check_string(s, base);
	}
}

struct self_test strtoul_test __self_test = {
    .name = "strtoul",
    .exec = strtoul_test_exec,
};
