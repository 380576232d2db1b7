/* Self-tests: ctype.h classes and case conversion for every byte and EOF. */
#include <stdio.h>
#include <ctype.h>
#include <keel/test.h>

/** End of file, as passed to the classifiers */
#define TEST_EOF (-1)

/* Expected members of each class, spelt out (the C locale) */
static const char class_digit[] = "0123456789";
static const char class_xdigit[] = "0123456789abcdefABCDEF";
static const char class_upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char class_lower[] = "abcdefghijklmnopqrstuvwxyz";
static const char class_space[] = " \t\n\v\f\r";
static const char class_punct[] = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/** True if @c is one of the characters of @set (never for NUL or EOF) */
static int in_set(int c, const char *set)
{
	for (; *set; set++) {
		if ((unsigned char)*set == c)
			return 1;
	}
	return 0;
}

/** A classifier and the membership it must report */
struct ctype_expect {
	const char *name;
	int (*classify)(int c);
	int (*expect)(int c);
};

static int expect_digit(int c)
{
	return in_set(c, class_digit);
}

static int expect_xdigit(int c)
{
	return in_set(c, class_xdigit);
}

static int expect_upper(int c)
{
	return in_set(c, class_upper);
}

static int expect_lower(int c)
{
	return in_set(c, class_lower);
}

static int expect_alpha(int c)
{
	return expect_upper(c) || expect_lower(c);
}

static int expect_alnum(int c)
{
	return expect_alpha(c) || expect_digit(c);
}

static int expect_space(int c)
{
	return in_set(c, class_space);
}

static int expect_punct(int c)
{
	return in_set(c, class_punct);
}

static int expect_graph(int c)
{
	return expect_alnum(c) || expect_punct(c);
}

static int expect_print(int c)
{
	return expect_graph(c) || c == ' ';
}

static int expect_cntrl(int c)
{
	return (c >= 0 && c < 0x20) || c == 0x7f;
}

static const struct ctype_expect ctype_expects[] = {
    {"isdigit", isdigit, expect_digit}, {"isxdigit", isxdigit, expect_xdigit},
    {"isalpha", isalpha, expect_alpha}, {"isalnum", isalnum, expect_alnum},
    {"isupper", isupper, expect_upper}, {"islower", islower, expect_lower},
    {"isspace", isspace, expect_space}, {"isprint", isprint, expect_print},
    {"isgraph", isgraph, expect_graph}, {"ispunct", ispunct, expect_punct},
    {"iscntrl", iscntrl, expect_cntrl},
};

/** Expected toupper() result */
static int expect_toupper(int c)
{
	return expect_lower(c) ? c - 0x20 : c;
}

/** Expected tolower() result */
static int expect_tolower(int c)
{
	return expect_upper(c) ? c + 0x20 : c;
}

/** Expected xdigit_value() result */
static int expect_xdigit_value(int c)
{
	const char *d = "0123456789abcdef";
	int i;

	for (i = 0; i < 16; i++) {
		if (c == d[i] || (i >= 10 && c == d[i] - 0x20))
			return i;
	}
	return -1;
}

static void ctype_test_exec(void)
{
	const struct ctype_expect *e;
	unsigned int i, classes, reported = 0;
	int c, match;

	for (c = TEST_EOF; c <= 0xff; c++) {
		for (i = 0; i < ARRAY_SIZE(ctype_expects); i++) {
			e = &ctype_expects[i];
			match = (!!e->classify(c) == e->expect(c));
			ok(match);
			if (!match && reported++ < 10)
				printf("%s(%#x) is wrong\n", e->name, c);
		}
		ok(toupper(c) == expect_toupper(c));
		ok(tolower(c) == expect_tolower(c));
		ok(xdigit_value(c) == expect_xdigit_value(c));
	}

	/* The expectation table itself: 95 printable, 33 control characters */
	for (c = 0, classes = 0; c <= 0xff; c++)
		classes += expect_print(c);
	ok(classes == 95);
	for (c = 0, classes = 0; c <= 0xff; c++)
		classes += expect_cntrl(c);
	ok(classes == 33);
	ok(toupper(TEST_EOF) == TEST_EOF && tolower(TEST_EOF) == TEST_EOF);
}

struct self_test ctype_test __self_test = {
    .name = "ctype",
    .exec = ctype_test_exec,
};
