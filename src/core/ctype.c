/* ASCII character classification and case conversion (the C locale only). */
#include <ctype.h>

/* Class bits */
#define C_DIGIT	 0x01
#define C_XDIGIT 0x02
#define C_UPPER	 0x04
#define C_LOWER	 0x08
#define C_SPACE	 0x10
#define C_PUNCT	 0x20
#define C_CNTRL	 0x40
#define C_BLANK	 0x80 /* the space character itself: printable, not graphic */

#define C_ALPHA (C_UPPER | C_LOWER)
#define C_ALNUM (C_ALPHA | C_DIGIT)
#define C_GRAPH (C_ALNUM | C_PUNCT)
#define C_PRINT (C_GRAPH | C_BLANK)

/* Classes of the 128 ASCII characters; bytes 0x80..0xff belong to none */
static const unsigned char ctype_table[128] = {
    [0x00 ... 0x08] = C_CNTRL,
    ['\t' ... '\r'] = C_CNTRL | C_SPACE,
    [0x0e ... 0x1f] = C_CNTRL,
    [' '] = C_SPACE | C_BLANK,
    ['!' ... '/'] = C_PUNCT,
    ['0' ... '9'] = C_DIGIT | C_XDIGIT,
    [':' ... '@'] = C_PUNCT,
    ['A' ... 'F'] = C_UPPER | C_XDIGIT,
    ['G' ... 'Z'] = C_UPPER,
    ['[' ... '`'] = C_PUNCT,
    ['a' ... 'f'] = C_LOWER | C_XDIGIT,
    ['g' ... 'z'] = C_LOWER,
    ['{' ... '~'] = C_PUNCT,
    [0x7f] = C_CNTRL,
};

/**
 * Test a character against a set of class bits
 *
 * @c		character (an unsigned char value, or EOF)
 * @mask	class bits
 * @ret is	non-zero if @c is in any of the classes
 */
static int ctype_is(int c, unsigned int mask)
{
	if (c < 0 || c >= (int)sizeof(ctype_table))
		return 0;
	return ctype_table[c] & mask;
}

/** Decimal digit */
int isdigit(int c)
{
	return ctype_is(c, C_DIGIT);
}

/** Hexadecimal digit, either case */
int isxdigit(int c)
{
	return ctype_is(c, C_XDIGIT);
}

/** Value of a hexadecimal digit of either case, or -1 (not in ISO C) */
int xdigit_value(int c)
{
	if (!isxdigit(c))
		return -1;
	return isdigit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

/** Letter */
int isalpha(int c)
{
	return ctype_is(c, C_ALPHA);
}

/** Letter or digit */
int isalnum(int c)
{
	return ctype_is(c, C_ALNUM);
}

/** Upper-case letter */
int isupper(int c)
{
	return ctype_is(c, C_UPPER);
}

/** Lower-case letter */
int islower(int c)
{
	return ctype_is(c, C_LOWER);
}

/** White space: space, \t, \n, \v, \f, \r */
int isspace(int c)
{
	return ctype_is(c, C_SPACE);
}

/** Printable, including space */
int isprint(int c)
{
	return ctype_is(c, C_PRINT);
}

/** Printable, excluding space */
int isgraph(int c)
{
	return ctype_is(c, C_GRAPH);
}

/** Graphic character that is not a letter or digit */
int ispunct(int c)
{
	return ctype_is(c, C_PUNCT);
}

/** Control character: 0x00..0x1f and 0x7f */
int iscntrl(int c)
{
	return ctype_is(c, C_CNTRL);
}

/** Upper-case equivalent of a lower-case letter; anything else unchanged */
int toupper(int c)
{
	return islower(c) ? c - 'a' + 'A' : c;
}

/** Lower-case equivalent of an upper-case letter; anything else unchanged */
int tolower(int c)
{
	return isupper(c) ? c - 'A' + 'a' : c;
}
