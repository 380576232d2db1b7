/* Self-tests: setting types, parsing and formatting, with their edge cases. */
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <keel/settings.h>
#include <keel/test.h>

/** Raw bytes, spelt out in a test */
#define RAW(...)                                                               \
	((const uint8_t[]){ __VA_ARGS__ }), sizeof((uint8_t[]){ __VA_ARGS__ })

/** True if @text parses to exactly @len bytes @raw (also via a sizing call) */
/** True if @rc is an error with code @code (evaluates @rc once) */
static int fails(int rc, int code)
{
	return rc < 0 && err_code(rc) == code;
}

static int parses_to(const struct setting_type *type, const char *text,
		     const uint8_t *raw, size_t len)
{
	uint8_t buf[64];
	int n;

	memset(buf, 0xa5, sizeof(buf));
	if (setting_parse(type, text, NULL, 0) != (int)len)
		return 0;
	n = setting_parse(type, text, buf, sizeof(buf));
	return n == (int)len && memcmp(buf, raw, len) == 0 &&
	       buf[len] == 0xa5;
}

/** True if parsing @text fails with @code's error */
static int parse_fails(const struct setting_type *type, const char *text,
		       int code)
{
	uint8_t buf[64];
	int rc = setting_parse(type, text, buf, sizeof(buf));

	return rc < 0 && err_code(rc) == code;
}

/** True if @raw formats to exactly @text, and truncates cleanly */
static int formats_to(const struct setting_type *type, const uint8_t *raw,
		      size_t len, const char *text)
{
	size_t text_len = strlen(text);
	char buf[128], small[4];

	if (setting_format(type, raw, len, NULL, 0) != (int)text_len ||
	    setting_format(type, raw, len, buf, sizeof(buf)) != (int)text_len ||
	    strcmp(buf, text) != 0)
		return 0;
	/* A short buffer holds a terminated prefix; the full length returns */
	memset(small, 'x', sizeof(small));
	if (setting_format(type, raw, len, small, sizeof(small)) !=
	    (int)text_len)
		return 0;
	return strlen(small) == (text_len < 3 ? text_len : 3) &&
	       strncmp(small, text, strlen(small)) == 0;
}

/** True if @text parses and formats back as @again */
static int round_trips(const struct setting_type *type, const char *text,
		       const char *again)
{
	uint8_t raw[64];
	int len = setting_parse(type, text, raw, sizeof(raw));

	return len >= 0 && len <= (int)sizeof(raw) &&
	       formats_to(type, raw, (size_t)len, again);
}

/** True if formatting @raw fails with @code's error */
static int format_fails(const struct setting_type *type, const uint8_t *raw,
			size_t len, int code)
{
	char buf[64];
	int rc = setting_format(type, raw, len, buf, sizeof(buf));

	return rc < 0 && err_code(rc) == code;
}

static void strings_test(void)
{
	const struct setting_type *s = &setting_type_string;
	const struct setting_type *u = &setting_type_uristring;

	ok(parses_to(s, "hello", RAW('h', 'e', 'l', 'l', 'o')));
	ok(setting_parse(s, "", NULL, 0) == 0);
	ok(round_trips(s, "hello world", "hello world"));
	ok(formats_to(s, RAW('a', 'b', 0, 'c'), "ab"));
	ok(formats_to(s, NULL, 0, ""));

	ok(parses_to(u, "a%20b%2fc", RAW('a', ' ', 'b', '/', 'c')));
	ok(parses_to(u, "%zz%4", RAW('%', 'z', 'z', '%', '4')));
	ok(parses_to(u, "%FF%00", RAW(0xff, 0)));
	ok(formats_to(u, RAW('a', ' ', 'b', '/', 'c'), "a%20b%2Fc"));
	ok(formats_to(u, RAW('A', 'z', '0', '-', '.', '_', '~'), "Az0-._~"));
	ok(formats_to(u, RAW('@', ':', '%', '+', 0, 0xff),
		      "%40%3A%25%2B%00%FF"));
	ok(round_trips(u, "p%40ss%20word", "p%40ss%20word"));
}

static void ipv4_test(void)
{
	const struct setting_type *t = &setting_type_ipv4;
	static const char *const bad[] = {
		"1.2.3", "1.2.3.4.5", "256.1.1.1", "999.1.2.3", "", "1..2.3",
		"a.b.c.d", " 1.2.3.4", "1.2.3.4 ", "1.2.3.-4", "0001.2.3.4",
		"1.2.3.4.", ".1.2.3", "1.2.3.0x4",
	};
	unsigned int i;

	ok(parses_to(t, "10.0.2.15", RAW(10, 0, 2, 15)));
	ok(round_trips(t, "0.0.0.0", "0.0.0.0"));
	ok(round_trips(t, "255.255.255.255", "255.255.255.255"));
	ok(round_trips(t, "010.001.0.9", "10.1.0.9"));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ok(parse_fails(t, bad[i], EC_INVAL));
	/* A list of addresses shows its first; too few bytes fail */
	ok(formats_to(t, RAW(1, 2, 3, 4, 5, 6, 7, 8), "1.2.3.4"));
	ok(format_fails(t, RAW(1, 2, 3), EC_RANGE));
}

static void ipv6_test(void)
{
	const struct setting_type *t = &setting_type_ipv6;
	static const char *const bad[] = {
		":::", "1::2::3", ":1::", "1:", "1:2:3:4:5:6:7:8:9",
		"1:2:3:4:5:6:7", "12345::", "g::", "1:2:3:4:5:6:7:8::",
		"::1.2.3", "::1.2.3.4:5", "", ":", "1:::2", "::1.2.3.256",
		"1:2:3:4:5:6:7:1.2.3.4", "fe80::1%eth0", " ::1",
	};
	static const struct {
		const char *in, *out;
	} good[] = {
		{ "::", "::" },
		{ "::1", "::1" },
		{ "1::", "1::" },
		{ "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
		{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
		{ "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },
		{ "1:0:0:2:0:0:0:3", "1:0:0:2::3" },
		{ "fe80::0001:2", "fe80::1:2" },
		{ "::ffff:1.2.3.4", "::ffff:102:304" },
		{ "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304" },
		{ "1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0" },
		{ "0:0:1::", "0:0:1::" },
	};
	unsigned int i;

	ok(parses_to(t, "2001:db8::ff00:42:8329",
		     RAW(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0, 0,
			 0x42, 0x83, 0x29)));
	for (i = 0; i < ARRAY_SIZE(good); i++)
		ok(round_trips(t, good[i].in, good[i].out));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ok(parse_fails(t, bad[i], EC_INVAL));
	ok(format_fails(t, RAW(1, 2, 3, 4), EC_RANGE));
}

static void hex_test(void)
{
	const struct setting_type *h = &setting_type_hex;
	const struct setting_type *y = &setting_type_hexhyp;
	const struct setting_type *r = &setting_type_hexraw;
	static const char *const bad_colon[] = {
		"0:11", "001:1", "00:11:", ":00", "00-11", "zz", "00::11",
		"0", "00 11",
	};
	unsigned int i;

	ok(parses_to(h, "00:11:aa:FF", RAW(0x00, 0x11, 0xaa, 0xff)));
	ok(formats_to(h, RAW(0x00, 0x11, 0xaa, 0xff), "00:11:aa:ff"));
	ok(parses_to(y, "52-54-00-12-34-56", RAW(0x52, 0x54, 0, 0x12, 0x34,
						0x56)));
	ok(formats_to(y, RAW(0x52, 0x54, 0xab), "52-54-ab"));
	ok(parses_to(r, "0011aaff", RAW(0x00, 0x11, 0xaa, 0xff)));
	ok(formats_to(r, RAW(0x0a, 0xbc), "0abc"));
	ok(setting_parse(h, "", NULL, 0) == 0);
	ok(formats_to(h, NULL, 0, ""));
	ok(round_trips(h, "7f", "7f"));
	for (i = 0; i < ARRAY_SIZE(bad_colon); i++)
		ok(parse_fails(h, bad_colon[i], EC_INVAL));
	ok(parse_fails(y, "00:11", EC_INVAL));
	ok(parse_fails(r, "abc", EC_INVAL));
	ok(parse_fails(r, "ab:cd", EC_INVAL));
}

static void base64_test(void)
{
	const struct setting_type *t = &setting_type_base64;
	static const struct {
		const char *text, *raw;
	} rfc4648[] = {
		{ "", "" },	    { "Zg==", "f" },	 { "Zm8=", "fo" },
		{ "Zm9v", "foo" },  { "Zm9vYg==", "foob" },
		{ "Zm9vYmE=", "fooba" }, { "Zm9vYmFy", "foobar" },
	};
	static const char *const bad[] = {
		"Zg=", "Zg", "Z===", "Zg=a", "Z!==", "Zh==", "=Zg=",
		"Zg==Zg==", "Zm9v\n", "Zm 9", "====", "Zm8",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rfc4648); i++) {
		const uint8_t *raw = (const uint8_t *)rfc4648[i].raw;
		size_t len = strlen(rfc4648[i].raw);

		ok(parses_to(t, rfc4648[i].text, raw, len));
		ok(formats_to(t, raw, len, rfc4648[i].text));
	}
	ok(formats_to(t, RAW(0xff, 0xfe), "//4="));
	ok(round_trips(t, "+/+/", "+/+/"));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ok(parse_fails(t, bad[i], EC_INVAL));
}

static void uuid_test(void)
{
	const struct setting_type *u = &setting_type_uuid;
	const struct setting_type *g = &setting_type_guid;
	static const char text[] = "01234567-89ab-cdef-0123-456789abcdef";
	static const char *const bad[] = {
		"01234567-89ab-cdef-0123-456789abcde",
		"01234567-89ab-cdef-0123-456789abcdef0",
		"0123456789ab-cdef-0123-456789abcdef-",
		"01234567-89abcdef-0123-456789abcdef",
		"0123456-789ab-cdef-0123-456789abcdef",
		"01234567-89ab-cdef-0123-456789abcdeg", "",
		"{01234567-89ab-cdef-0123-456789abcdef}",
	};
	unsigned int i;

	/* uuid: network order; guid: first three fields little-endian */
	ok(parses_to(u, text, RAW(0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd,
				  0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
				  0xcd, 0xef)));
	ok(parses_to(g, text, RAW(0x67, 0x45, 0x23, 0x01, 0xab, 0x89, 0xef,
				  0xcd, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
				  0xcd, 0xef)));
	ok(round_trips(u, text, text));
	ok(round_trips(g, text, text));
	ok(round_trips(u, "ABCDEF01-2345-6789-ABCD-EF0123456789",
		       "abcdef01-2345-6789-abcd-ef0123456789"));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ok(parse_fails(u, bad[i], EC_INVAL));
		ok(parse_fails(g, bad[i], EC_INVAL));
	}
	ok(format_fails(u, RAW(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
			       15), EC_RANGE));
}

static void busdevfn_test(void)
{
	const struct setting_type *t = &setting_type_busdevfn;
	static const char *const bad[] = {
		"00:20.0", "00:00.8", "100:00.0", "00.0", "00:00", "x",
		"00:00.", "00:00.0 ", "1:2:3:4.0", "10000:00:00.0", "",
	};
	unsigned int i;

	ok(formats_to(t, RAW(0x00, 0x19), "00:03.1"));
	ok(parses_to(t, "00:03.1", RAW(0x00, 0x19)));
	ok(parses_to(t, "ff:1f.7", RAW(0xff, 0xff)));
	ok(round_trips(t, "2:1.0", "02:01.0"));
	ok(parses_to(t, "0001:02:03.4", RAW(0x00, 0x01, 0x02, 0x1c)));
	ok(round_trips(t, "0001:02:03.4", "0001:02:03.4"));
	ok(formats_to(t, RAW(0x19), "00:03.1"));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ok(parse_fails(t, bad[i], EC_INVAL));
}

static void integer_test(void)
{
	const struct setting_type *i8 = &setting_type_int8;
	const struct setting_type *i16 = &setting_type_int16;
	const struct setting_type *i32 = &setting_type_int32;
	const struct setting_type *u8 = &setting_type_uint8;
	const struct setting_type *u16 = &setting_type_uint16;
	const struct setting_type *u32 = &setting_type_uint32;
	static const char *const garbage[] = {
		"", "abc", "1x", "- 1", "--1", "0x", "1.5", " 1", "1 ", "+1",
		"0xg",
	};
	unsigned int i;

	ok(parses_to(i8, "127", RAW(0x7f)));
	ok(parses_to(i8, "-128", RAW(0x80)));
	ok(parses_to(i8, "0x7f", RAW(0x7f)));
	ok(parses_to(i8, "007", RAW(7)));
	ok(parse_fails(i8, "128", EC_RANGE));
	ok(parse_fails(i8, "-129", EC_RANGE));
	ok(parse_fails(i8, "0x80", EC_RANGE));
	ok(round_trips(i8, "-1", "-1"));
	ok(parses_to(i16, "-32768", RAW(0x80, 0x00)));
	ok(round_trips(i16, "32767", "32767"));
	ok(parse_fails(i16, "32768", EC_RANGE));
	ok(parses_to(i32, "-2147483648", RAW(0x80, 0, 0, 0)));
	ok(round_trips(i32, "2147483647", "2147483647"));
	ok(round_trips(i32, "0", "0"));
	ok(parse_fails(i32, "2147483648", EC_RANGE));
	ok(parse_fails(i32, "99999999999999999999999", EC_RANGE));
	ok(parse_fails(i32, "-99999999999999999999999", EC_RANGE));

	/* Unsigned types format in hex, as iPXE's do */
	ok(parses_to(u8, "255", RAW(0xff)));
	ok(round_trips(u8, "255", "0xff"));
	ok(round_trips(u8, "0", "0"));
	ok(parse_fails(u8, "256", EC_RANGE));
	ok(parse_fails(u8, "-1", EC_RANGE));
	ok(round_trips(u16, "65535", "0xffff"));
	ok(parse_fails(u16, "65536", EC_RANGE));
	ok(parses_to(u32, "0xdeadbeef", RAW(0xde, 0xad, 0xbe, 0xef)));
	ok(round_trips(u32, "4294967295", "0xffffffff"));
	ok(parse_fails(u32, "4294967296", EC_RANGE));
	for (i = 0; i < ARRAY_SIZE(garbage); i++) {
		ok(parse_fails(i32, garbage[i], EC_INVAL));
		ok(parse_fails(u8, garbage[i], EC_INVAL));
	}

	/* Raw values of any length read big-endian; signed ones extend */
	ok(formats_to(i8, RAW(0xff, 0xfe), "-2"));
	ok(formats_to(i32, RAW(0x01, 0x00), "256"));
	ok(formats_to(u32, RAW(0x05), "0x5"));
	ok(formats_to(u8, NULL, 0, "0"));
	ok(formats_to(u32, RAW(0, 0, 0, 0, 0, 0, 0, 0, 1), "0x1"));
	ok(format_fails(u32, RAW(1, 0, 0, 0, 0, 0, 0, 0, 0), EC_RANGE));
}

static void numeric_test(void)
{
	unsigned long value = 0;
	uint8_t raw[8];
	char text[8];

	ok(setting_numerate(&setting_type_int8, RAW(0xff), &value) == 0 &&
	   value == ~0UL);
	ok(setting_numerate(&setting_type_uint16, RAW(0xff), &value) == 0 &&
	   value == 0xff);
	ok(setting_denumerate(&setting_type_int16, (unsigned long)-2, raw,
			      sizeof(raw)) == 2 &&
	   raw[0] == 0xff && raw[1] == 0xfe);
	/* Stores wrap to the type's width */
	ok(setting_denumerate(&setting_type_uint8, 0x1ff, raw, sizeof(raw)) ==
		   1 &&
	   raw[0] == 0xff);
	ok(setting_denumerate(&setting_type_uint32, 1, NULL, 0) == 4);

	/* Strings holding numbers count as numbers */
	ok(setting_numerate(&setting_type_string, "42", 2, &value) == 0 &&
	   value == 42);
	ok(setting_numerate(&setting_type_string, "-3", 2, &value) == 0 &&
	   (long)value == -3);
	ok(setting_numerate(&setting_type_string, "0x10", 4, &value) == 0 &&
	   value == 16);
	ok(fails(setting_numerate(&setting_type_string, "4a", 2, &value),
		 EC_INVAL));
	memset(text, 0, sizeof(text));
	ok(setting_denumerate(&setting_type_string, (unsigned long)-5, text,
			      sizeof(text) - 1) == 2 &&
	   strcmp(text, "-5") == 0);

	/* Types without numbers say so */
	ok(fails(setting_numerate(&setting_type_hex, RAW(1), &value),
		 EC_NOTSUP));
	ok(fails(setting_denumerate(&setting_type_ipv4, 1, raw, sizeof(raw)),
		 EC_NOTSUP));
}

static void registry_test(void)
{
	static const char *const names[] = {
		"string", "uristring", "ipv4", "ipv6", "hex", "hexhyp",
		"hexraw", "base64", "uuid", "guid", "busdevfn", "int8",
		"int16", "int32", "uint8", "uint16", "uint32",
	};
	const struct setting_type *type;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		type = find_setting_type(names[i]);
		ok(type && strcmp(type->name, names[i]) == 0 && type->parse &&
		   type->format);
	}
	ok(find_setting_type("ipv4") == &setting_type_ipv4);
	ok(find_setting_type("nosuch") == NULL);
	ok(find_setting_type("") == NULL);
}

/** Random bytes survive a trip through every byte-exact type */
static void random_round_trip_test(void)
{
	static const struct setting_type *const types[] = {
		&setting_type_hex, &setting_type_hexhyp, &setting_type_hexraw,
		&setting_type_base64, &setting_type_uristring,
	};
	uint8_t raw[40], back[40];
	char text[256];
	unsigned int i, j, len;

	for (i = 0; i < 200 && !test_failures; i++) {
		len = 1 + (unsigned int)(test_random() % sizeof(raw));
		for (j = 0; j < len; j++)
			raw[j] = (uint8_t)test_random();
		for (j = 0; j < ARRAY_SIZE(types); j++) {
			ok(setting_format(types[j], raw, len, text,
					  sizeof(text)) < (int)sizeof(text));
			ok(setting_parse(types[j], text, back, sizeof(back)) ==
				   (int)len &&
			   memcmp(raw, back, len) == 0);
		}
	}
}

static void settings_types_test_exec(void)
{
	strings_test();
	ipv4_test();
	ipv6_test();
	hex_test();
	base64_test();
	uuid_test();
	busdevfn_test();
	integer_test();
	numeric_test();
	registry_test();
	random_round_trip_test();
}

struct self_test settings_types_test __self_test = {
	.name = "settings_types",
	.exec = settings_types_test_exec,
};
