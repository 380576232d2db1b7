/* Number parsing: strtoul, strtol, strtoull and strtoll with C semantics. */
#include <stddef.h>
#include <limits.h>
#include <ctype.h>
#include <stdlib.h>

/** Result of scanning a number, before it is fitted to a type */
struct number {
	/** Magnitude (saturated at ULLONG_MAX) */
	unsigned long long magnitude;
	/** A '-' sign was present */
	int negative;
	/** The magnitude did not fit in an unsigned long long */
	int overflow;
};

/**
 * Value of a digit character in any base up to 36
 *
 * @c		character
 * @ret value	digit value, or 36 (too large for any base) if not a digit
 */
static unsigned int digit_value(int c)
{
	if (isdigit(c))
		return (unsigned int)(c - '0');
	if (isalpha(c))
		return (unsigned int)(tolower(c) - 'a' + 10);
	return 36;
}

/**
 * Skip the base prefix, choosing the base if it is 0
 *
 * @p		position after any sign
 * @base	base (0 for automatic), updated
 * @ret p	position of the first digit
 *
 * A "0x" only counts as a prefix when a hex digit follows it; otherwise
 * the "0" alone is the number.
 */
static const char *skip_prefix(const char *p, int *base)
{
	int hex = (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
		   digit_value(p[2]) < 16);

	if (*base == 0)
		*base = hex ? 16 : (p[0] == '0' ? 8 : 10);
	if (*base == 16 && hex)
		p += 2;
	return p;
}

/**
 * Scan a number
 *
 * @s		string
 * @end		end of the number (or @s if there was none), if not NULL
 * @base	base 2..36, or 0 for automatic
 * @num		result
 */
static void scan_number(const char *s, char **end, int base, struct number *num)
{
	const char *p = s;
	const char *digits;
	unsigned long long limit;
	unsigned int digit;

	num->magnitude = 0;
	num->negative = 0;
	num->overflow = 0;
	if (base < 0 || base == 1 || base > 36)
		goto no_number;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		num->negative = (*p++ == '-');
	p = skip_prefix(p, &base);
	limit = ULLONG_MAX / (unsigned int)base;
	for (digits = p; (digit = digit_value(*p)) < (unsigned int)base; p++) {
		if (num->magnitude > limit ||
		    (num->magnitude == limit &&
		     digit > ULLONG_MAX % (unsigned int)base))
			num->overflow = 1;
		num->magnitude = num->magnitude * (unsigned int)base + digit;
	}
	if (p == digits)
		goto no_number;
	if (num->overflow)
		num->magnitude = ULLONG_MAX;
	if (end)
		*end = (char *)p;
	return;

no_number:
	num->magnitude = 0;
	num->negative = 0;
	if (end)
		*end = (char *)s;
}

/**
 * Fit a scanned number into an unsigned type
 *
 * @num		scanned number
 * @max		largest value of the type
 * @ret value	value, negated if a '-' was present, or @max on overflow
 */
static unsigned long long fit_unsigned(const struct number *num,
				       unsigned long long max)
{
	if (num->overflow || num->magnitude > max)
		return max;
	return num->negative ? (max & -num->magnitude) : num->magnitude;
}

/**
 * Fit a scanned number into a signed type
 *
 * @num		scanned number
 * @max		largest value of the type (its minimum is -@max - 1)
 * @ret value	value, saturated to the type's range
 */
static long long fit_signed(const struct number *num, unsigned long long max)
{
	if (num->negative) {
		if (num->overflow || num->magnitude > max + 1)
			return -(long long)max - 1;
		return (long long)(0 - num->magnitude);
	}
	if (num->overflow || num->magnitude > max)
		return (long long)max;
	return (long long)num->magnitude;
}

/*
 * The four parsers below follow C (and glibc): leading white space, an
 * optional sign ('-' negates, even for the unsigned types), then digits.
 * With no digits, or an invalid base, they return 0 and set *@end to @s.
 */

/** Parse an unsigned long (see stdlib.h); saturates at ULONG_MAX */
unsigned long strtoul(const char *s, char **end, int base)
{
	struct number num;

	scan_number(s, end, base, &num);
	return (unsigned long)fit_unsigned(&num, ULONG_MAX);
}

/** Parse a long; saturates at LONG_MIN and LONG_MAX */
long strtol(const char *s, char **end, int base)
{
	struct number num;

	scan_number(s, end, base, &num);
	return (long)fit_signed(&num, LONG_MAX);
}

/** Parse an unsigned long long; saturates at ULLONG_MAX */
unsigned long long strtoull(const char *s, char **end, int base)
{
	struct number num;

	scan_number(s, end, base, &num);
	return fit_unsigned(&num, ULLONG_MAX);
}

/** Parse a long long; saturates at LLONG_MIN and LLONG_MAX */
long long strtoll(const char *s, char **end, int base)
{
	struct number num;

	scan_number(s, end, base, &num);
	return fit_signed(&num, LLONG_MAX);
}
