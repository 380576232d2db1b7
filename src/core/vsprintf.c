/* Formatted output: vcprintf and the snprintf family, as glibc prints. */
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <keel/malloc.h>

/* Flags */
#define FL_LEFT	 0x01 /* '-': left-justify */
#define FL_PLUS	 0x02 /* '+': always print a sign */
#define FL_SPACE 0x04 /* ' ': space in place of a '+' sign */
#define FL_ALT	 0x08 /* '#': alternative form */
#define FL_ZERO	 0x10 /* '0': pad numbers with zeros */

/** Length modifiers, i.e. the type of an integer argument */
enum length {
	LEN_CHAR,    /* hh */
	LEN_SHORT,   /* h */
	LEN_INT,     /* none */
	LEN_LONG,    /* l */
	LEN_LLONG,   /* ll */
	LEN_SIZE,    /* z */
	LEN_PTRDIFF, /* t */
	LEN_INTMAX,  /* j */
};

/** A parsed conversion specification */
struct spec {
	/** Flags (FL_*) */
	unsigned int flags;
	/** Minimum field width */
	int width;
	/** Precision, or -1 if none */
	int prec;
	/** Length modifier */
	enum length length;
};

/** An output sink and the count of characters sent to it */
struct printer {
	void (*emit)(void *ctx, int c);
	void *ctx;
	size_t len;
};

/** Output one character */
static void put(struct printer *out, int c)
{
	out->emit(out->ctx, c);
	out->len++;
}

/** Output @count copies of a character */
static void put_fill(struct printer *out, int c, int count)
{
	while (count-- > 0)
		put(out, c);
}

/** Output @len characters of a string */
static void put_mem(struct printer *out, const char *s, size_t len)
{
	while (len--)
		put(out, (unsigned char)*s++);
}

/* Flag characters, in the order of the FL_* bits */
static const char flag_chars[] = "-+ #0";

/** Length modifiers spelt with one character */
static const struct {
	char c;
	enum length length;
} length_chars[] = {
    {'h', LEN_SHORT},	{'l', LEN_LONG},   {'z', LEN_SIZE},
    {'t', LEN_PTRDIFF}, {'j', LEN_INTMAX},
};

/** Parse a decimal number (width or precision), saturating at INT_MAX */
static int parse_decimal(const char **fmt)
{
	int value = 0;

	for (; **fmt >= '0' && **fmt <= '9'; (*fmt)++) {
		if (value > (INT_MAX - 9) / 10)
			value = INT_MAX;
		else
			value = value * 10 + (**fmt - '0');
	}
	return value;
}

/** Parse a length modifier */
static enum length parse_length(const char **fmt)
{
	unsigned int i;
	enum length length;

	for (i = 0; i < ARRAY_SIZE(length_chars); i++) {
		if (**fmt != length_chars[i].c)
			continue;
		length = length_chars[i].length;
		(*fmt)++;
		/* "hh" and "ll" */
		if (**fmt == length_chars[i].c &&
		    (length == LEN_SHORT || length == LEN_LONG)) {
			(*fmt)++;
			length = (length == LEN_SHORT) ? LEN_CHAR : LEN_LLONG;
		}
		return length;
	}
	return LEN_INT;
}

/**
 * Parse flags, width, precision and length of a conversion specification
 *
 * @fmt		position after the '%'; updated to the conversion character
 * @spec	specification to fill in
 * @args	arguments, for '*' width and precision
 */
static void parse_spec(const char **fmt, struct spec *spec, va_list *args)
{
	const char *flag;

	spec->flags = 0;
	while (**fmt && (flag = strchr(flag_chars, **fmt))) {
		spec->flags |= 1U << (flag - flag_chars);
		(*fmt)++;
	}
	if (**fmt == '*') {
		(*fmt)++;
		spec->width = va_arg(*args, int);
		if (spec->width < 0) {
			spec->flags |= FL_LEFT;
			/* -INT_MIN is not an int: saturate */
			spec->width =
			    (spec->width == INT_MIN) ? INT_MAX : -spec->width;
		}
	} else {
		spec->width = parse_decimal(fmt);
	}
	spec->prec = -1;
	if (**fmt == '.') {
		(*fmt)++;
		if (**fmt == '*') {
			(*fmt)++;
			spec->prec = va_arg(*args, int);
			if (spec->prec < 0)
				spec->prec = -1;
		} else {
			spec->prec = parse_decimal(fmt);
		}
	}
	spec->length = parse_length(fmt);
}

/**
 * Output a string field
 *
 * @out		output
 * @spec	specification (width, precision as maximum length, '-')
 * @s		string
 */
static void format_string(struct printer *out, const struct spec *spec,
			  const char *s)
{
	size_t len;
	int pad;

	len = (spec->prec < 0) ? strlen(s) : strnlen(s, (size_t)spec->prec);
	pad = (len < (size_t)spec->width) ? (int)(spec->width - len) : 0;
	if (!(spec->flags & FL_LEFT))
		put_fill(out, ' ', pad);
	put_mem(out, s, len);
	if (spec->flags & FL_LEFT)
		put_fill(out, ' ', pad);
}

/**
 * Output an integer field
 *
 * @out		output
 * @spec	specification
 * @value	magnitude
 * @sign	sign character, or 0 for none
 * @base	8, 10 or 16
 * @upper	use upper-case hex digits and "0X"
 */
static void format_number(struct printer *out, const struct spec *spec,
			  unsigned long long value, char sign,
			  unsigned int base, int upper)
{
	static const char lower_digits[] = "0123456789abcdef";
	static const char upper_digits[] = "0123456789ABCDEF";
	const char *digit_chars = upper ? upper_digits : lower_digits;
	char digits[3 * sizeof(value)];
	char *p = digits + sizeof(digits);
	int ndigits, zeros, len, pad;
	int prefix = (base == 16 && (spec->flags & FL_ALT) && value);

	/* A zero value with a zero precision has no digits at all */
	for (; value || (p == digits + sizeof(digits) && spec->prec != 0);
	     value /= base)
		*--p = digit_chars[value % base];
	ndigits = (int)(digits + sizeof(digits) - p);
	zeros = (spec->prec > ndigits) ? spec->prec - ndigits : 0;
	/* '#' with octal: the first digit printed must be a 0 */
	if (base == 8 && (spec->flags & FL_ALT) && !zeros &&
	    (!ndigits || *p != '0'))
		zeros = 1;
	len = (sign ? 1 : 0) + (prefix ? 2 : 0) + zeros + ndigits;
	pad = (spec->width > len) ? spec->width - len : 0;
	if ((spec->flags & (FL_ZERO | FL_LEFT)) == FL_ZERO && spec->prec < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!(spec->flags & FL_LEFT))
		put_fill(out, ' ', pad);
	if (sign)
		put(out, sign);
	if (prefix)
		put_mem(out, upper ? "0X" : "0x", 2);
	put_fill(out, '0', zeros);
	put_mem(out, p, (size_t)ndigits);
	if (spec->flags & FL_LEFT)
		put_fill(out, ' ', pad);
}

/** Fetch a signed integer argument of the given length */
static long long fetch_signed(enum length length, va_list *args)
{
	switch (length) {
	case LEN_CHAR:
		return (signed char)va_arg(*args, int);
	case LEN_SHORT:
		return (short)va_arg(*args, int);
	case LEN_LONG:
		return va_arg(*args, long);
	case LEN_LLONG:
		return va_arg(*args, long long);
	case LEN_SIZE: /* the signed type of size_t's width */
	case LEN_PTRDIFF:
		return va_arg(*args, ptrdiff_t);
	case LEN_INTMAX:
		return va_arg(*args, intmax_t);
	default:
		return va_arg(*args, int);
	}
}

/** Fetch an unsigned integer argument of the given length */
static unsigned long long fetch_unsigned(enum length length, va_list *args)
{
	switch (length) {
	case LEN_CHAR:
		return (unsigned char)va_arg(*args, unsigned int);
	case LEN_SHORT:
		return (unsigned short)va_arg(*args, unsigned int);
	case LEN_LONG:
		return va_arg(*args, unsigned long);
	case LEN_LLONG:
		return va_arg(*args, unsigned long long);
	case LEN_SIZE: /* ptrdiff_t's unsigned counterpart has size_t's width */
	case LEN_PTRDIFF:
		return va_arg(*args, size_t);
	case LEN_INTMAX:
		return va_arg(*args, uintmax_t);
	default:
		return va_arg(*args, unsigned int);
	}
}

/** Sign character for a signed value: '-', or '+' / ' ' as the flags ask */
static char sign_char(const struct spec *spec, int negative)
{
	if (negative)
		return '-';
	if (spec->flags & FL_PLUS)
		return '+';
	if (spec->flags & FL_SPACE)
		return ' ';
	return 0;
}

/** %d and %i */
static void conv_signed(struct printer *out, struct spec *spec, int conv,
			va_list *args)
{
	long long value = fetch_signed(spec->length, args);
	unsigned long long magnitude = (unsigned long long)value;

	(void)conv;
	if (value < 0)
		magnitude = 0 - magnitude;
	format_number(out, spec, magnitude, sign_char(spec, value < 0), 10, 0);
}

/** %u, %o, %x and %X: '+' and ' ' do not apply */
static void conv_unsigned(struct printer *out, struct spec *spec, int conv,
			  va_list *args)
{
	unsigned long long value = fetch_unsigned(spec->length, args);
	unsigned int base = (conv == 'o') ? 8 : (conv == 'u') ? 10 : 16;

	format_number(out, spec, value, 0, base, conv == 'X');
}

/** %p: as glibc, "0x" and lower-case hex (signs apply), or "(nil)" */
static void conv_pointer(struct printer *out, struct spec *spec, int conv,
			 va_list *args)
{
	void *ptr = va_arg(*args, void *);

	(void)conv;
	if (!ptr) {
		/* The whole of "(nil)" is always printed */
		if (spec->prec >= 0 && spec->prec < 5)
			spec->prec = 5;
		format_string(out, spec, "(nil)");
		return;
	}
	spec->flags |= FL_ALT;
	format_number(out, spec, (uintptr_t)ptr, sign_char(spec, 0), 16, 0);
}

/** %s: NULL prints "(null)", or nothing if the precision cuts it short */
static void conv_string(struct printer *out, struct spec *spec, int conv,
			va_list *args)
{
	static const char null_text[] = "(null)";
	const char *s = va_arg(*args, const char *);

	(void)conv;
	if (!s) {
		s = null_text;
		if (spec->prec >= 0 && spec->prec < (int)sizeof(null_text) - 1)
			s = "";
	}
	format_string(out, spec, s);
}

/** %c: width applies, precision does not */
static void conv_char(struct printer *out, struct spec *spec, int conv,
		      va_list *args)
{
	int pad = spec->width - 1;

	(void)conv;
	if (!(spec->flags & FL_LEFT))
		put_fill(out, ' ', pad);
	put(out, (unsigned char)va_arg(*args, int));
	if (spec->flags & FL_LEFT)
		put_fill(out, ' ', pad);
}

/** %%: a literal '%', whatever the flags and width */
static void conv_percent(struct printer *out, struct spec *spec, int conv,
			 va_list *args)
{
	(void)spec;
	(void)args;
	put(out, conv);
}

/** Conversion characters and their handlers */
static const struct {
	char conv;
	void (*format)(struct printer *out, struct spec *spec, int conv,
		       va_list *args);
} conversions[] = {
    {'d', conv_signed},	  {'i', conv_signed},	{'u', conv_unsigned},
    {'o', conv_unsigned}, {'x', conv_unsigned}, {'X', conv_unsigned},
    {'p', conv_pointer},  {'s', conv_string},	{'c', conv_char},
    {'%', conv_percent},
};

/**
 * Output one conversion specification
 *
 * @out		output
 * @fmt		position of the '%'
 * @args	arguments
 * @ret fmt	position after the specification
 *
 * An unknown conversion is printed literally, as glibc does.
 */
static const char *format_one(struct printer *out, const char *fmt,
			      va_list *args)
{
	const char *start = fmt++;
	struct spec spec;
	unsigned int i;

	parse_spec(&fmt, &spec, args);
	for (i = 0; *fmt && i < ARRAY_SIZE(conversions); i++) {
		if (conversions[i].conv == *fmt) {
			conversions[i].format(out, &spec, *fmt, args);
			return fmt + 1;
		}
	}
	if (*fmt)
		fmt++;
	put_mem(out, start, (size_t)(fmt - start));
	return fmt;
}

size_t vcprintf(void (*emit)(void *ctx, int c), void *ctx, const char *fmt,
		va_list args)
{
	struct printer out = {.emit = emit, .ctx = ctx, .len = 0};
	va_list ap;

	/* A copy, so that helpers can share it through a pointer */
	va_copy(ap, args);
	while (*fmt) {
		if (*fmt == '%')
			fmt = format_one(&out, fmt, &ap);
		else
			put(&out, (unsigned char)*fmt++);
	}
	va_end(ap);
	return out.len;
}

/** A bounded buffer being filled by vsnprintf() */
struct buffer {
	char *buf;
	size_t size;
	size_t used;
};

/** Store a character if it fits, leaving room for the terminator */
static void buffer_emit(void *ctx, int c)
{
	struct buffer *b = ctx;

	if (b->used + 1 < b->size)
		b->buf[b->used] = (char)c;
	b->used++;
}

/**
 * Format into a buffer
 *
 * @b		buffer
 * @fmt		format
 * @args	arguments
 * @ret len	length of the complete output
 */
static size_t buffer_format(struct buffer *b, const char *fmt, va_list args)
{
	size_t len = vcprintf(buffer_emit, b, fmt, args);

	if (b->size)
		b->buf[(len < b->size) ? len : (b->size - 1)] = '\0';
	return len;
}

/** Format into @buf, storing at most @size bytes including the terminator */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	struct buffer b = {.buf = buf, .size = size, .used = 0};

	return (int)buffer_format(&b, fmt, args);
}

/** As vsnprintf() */
int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int len;

	va_start(args, fmt);
	len = vsnprintf(buf, size, fmt, args);
	va_end(args);
	return len;
}

int vscnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	struct buffer b = {.buf = buf, .size = size, .used = 0};
	size_t len = buffer_format(&b, fmt, args);

	if (!size)
		return 0;
	return (int)((len < size) ? len : (size - 1));
}

/** As vscnprintf() */
int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int len;

	va_start(args, fmt);
	len = vscnprintf(buf, size, fmt, args);
	va_end(args);
	return len;
}

int vasprintf(char **strp, const char *fmt, va_list args)
{
	va_list args2;
	size_t len;
	int rc;

	va_copy(args2, args);
	len = vcprintf(buffer_emit, &(struct buffer){.size = 0}, fmt, args2);
	va_end(args2);
	*strp = malloc(len + 1);
	if (!*strp) {
		rc = -ENOMEM;
		goto err_alloc;
	}
	vsnprintf(*strp, len + 1, fmt, args);
	return (int)len;

err_alloc:
	return rc;
}

/** As vasprintf() */
int asprintf(char **strp, const char *fmt, ...)
{
	va_list args;
	int rc;

	va_start(args, fmt);
	rc = vasprintf(strp, fmt, args);
	va_end(args);
	return rc;
}
