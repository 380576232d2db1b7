/* Self-tests: URIs (RFC 3986 parse, format, resolve, encode), params. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/interface.h>
#include <keel/malloc.h>
#include <keel/params.h>
#include <keel/settings.h>
#include <keel/test.h>
#include <keel/uri.h>

REQUIRE_OBJECT(param_cmd);
REQUIRE_OBJECT(builtin_settings);

/** True if two optional strings are equal (NULL only equals NULL) */
static int same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/** True if the heap holds what it held in @before */
/** True if @rc is an error with @e's code (evaluates @rc once) */
static int fails(int rc, int e)
{
	return rc < 0 && rc_is(rc, e);
}

static int heap_same(const struct heap_stats *before)
{
	struct heap_stats now;

	heap_stats(&now);
	return now.used == before->used && now.blocks == before->blocks;
}

/** True if @text formats back exactly as @expected */
static int formats_as(const char *text, const char *expected)
{
	struct uri *uri = parse_uri(text);
	char *out = uri ? format_uri_alloc(uri) : NULL;
	int match = out && strcmp(out, expected) == 0;

	if (!match)
		printf("  \"%s\" formats as \"%s\", not \"%s\"\n", text,
		       out ? out : "(null)", expected);
	free(out);
	uri_put(uri);
	return match;
}

/** Every field of a parsed URI, in order; NULL where absent */
struct uri_expect {
	const char *text;
	const char *scheme, *opaque, *user, *password, *host, *port;
	const char *path, *epath, *equery, *efragment;
};

static const struct uri_expect uri_parse_cases[] = {
	{"http://user:pass@host:8080/dir/file?x=1#frag", "http", NULL, "user",
	 "pass", "host", "8080", "/dir/file", "/dir/file", "x=1", "frag"},
	{"tftp://10.0.0.1/boot%20file.ipxe", "tftp", NULL, NULL, NULL,
	 "10.0.0.1", NULL, "/boot file.ipxe", "/boot%20file.ipxe", NULL, NULL},
	{"http://[fe80::1%25net0]:8080/x", "http", NULL, NULL, NULL,
	 "fe80::1%net0", "8080", "/x", "/x", NULL, NULL},
	{"http://[::1]/", "http", NULL, NULL, NULL, "::1", NULL, "/", "/", NULL,
	 NULL},
	{"https://[2001:db8::7]", "https", NULL, NULL, NULL, "2001:db8::7",
	 NULL, NULL, NULL, NULL, NULL},
	{"iscsi:10.0.0.1::::iqn.2010-04.org.example:disk", "iscsi",
	 "10.0.0.1::::iqn.2010-04.org.example:disk", NULL, NULL, NULL, NULL,
	 NULL, NULL, NULL, NULL},
	{"aoe:e0.1", "aoe", "e0.1", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	 NULL},
	{"mailto:a@b?subject=x#f", "mailto", "a@b?subject=x", NULL, NULL, NULL,
	 NULL, NULL, NULL, NULL, "f"},
	{"file:///etc/hosts", "file", NULL, NULL, NULL, "", NULL, "/etc/hosts",
	 "/etc/hosts", NULL, NULL},
	{"file:/etc/hosts", "file", NULL, NULL, NULL, NULL, NULL, "/etc/hosts",
	 "/etc/hosts", NULL, NULL},
	{"http://a", "http", NULL, NULL, NULL, "a", NULL, NULL, NULL, NULL,
	 NULL},
	{"http://a:/?#", "http", NULL, NULL, NULL, "a", "", "/", "/", "", ""},
	{"http://@a", "http", NULL, "", NULL, "a", NULL, NULL, NULL, NULL,
	 NULL},
	{"http://u:@a", "http", NULL, "u", "", "a", NULL, NULL, NULL, NULL,
	 NULL},
	{"http://a%40b:p%3Aq@h%2Fx/", "http", NULL, "a@b", "p:q", "h/x", NULL,
	 "/", "/", NULL, NULL},
	{"http://x@y@z/", "http", NULL, "x@y", NULL, "z", NULL, "/", "/", NULL,
	 NULL},
	{"HTTP://Host/A%2fB", "HTTP", NULL, NULL, NULL, "Host", NULL, "/A/B",
	 "/A%2fB", NULL, NULL},
	{"http://a/x%00y%zz%4", "http", NULL, NULL, NULL, "a", NULL,
	 "/x%00y%zz%4", "/x%00y%zz%4", NULL, NULL},
	{"sub.ipxe", NULL, NULL, NULL, NULL, NULL, NULL, "sub.ipxe", "sub.ipxe",
	 NULL, NULL},
	{"../a?b", NULL, NULL, NULL, NULL, NULL, NULL, "../a", "../a", "b",
	 NULL},
	{"//g", NULL, NULL, NULL, NULL, "g", NULL, NULL, NULL, NULL, NULL},
	{"?y", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "y", NULL},
	{"#s", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "s"},
	{"", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{"1a:b", NULL, NULL, NULL, NULL, NULL, NULL, "1a:b", "1a:b", NULL,
	 NULL},
	{"a+b.c-d:x", "a+b.c-d", "x", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	 NULL},
	{"http:", "http", "", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static int uri_matches(const struct uri *uri, const struct uri_expect *e)
{
	return same(uri->scheme, e->scheme) && same(uri->opaque, e->opaque) &&
	       same(uri->user, e->user) && same(uri->password, e->password) &&
	       same(uri->host, e->host) && same(uri->port, e->port) &&
	       same(uri->path, e->path) && same(uri->epath, e->epath) &&
	       same(uri->equery, e->equery) &&
	       same(uri->efragment, e->efragment);
}

/* Strings that format back exactly as they were written */
static const char *const uri_round_trips[] = {
	"http://user:pass@host:8080/dir/file?x=1#frag",
	"http://[fe80::1%25net0]:8080/x",
	"http://[::1]/",
	"iscsi:10.0.0.1::::iqn.2010-04.org.example:disk",
	"aoe:e0.1",
	"tftp://10.0.0.1/boot%20file.ipxe",
	"file:///etc/hosts",
	"file:/etc/hosts",
	"http://a",
	"http://a:/?#",
	"http://@a",
	"http://u:@a",
	"HTTP://Host/A%2fB",
	"http://a/x%00y%zz%4",
	"http://server/boot.php?mac=52:54:00:12:34:56&name=a%20b",
	"sub.ipxe",
	"../a?b#c",
	"//g",
	"?y",
	"#s",
	"",
	"http:",
	"urn:isbn:0451450523",
	"1a:b",
	"./c:d",
};

static void uri_parse_test(void)
{
	const struct uri_expect *e;
	struct uri *uri;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(uri_parse_cases); i++) {
		e = &uri_parse_cases[i];
		uri = parse_uri(e->text);
		ok(uri != NULL);
		if (!uri)
			continue;
		if (!uri_matches(uri, e))
			printf("  \"%s\" parsed wrongly\n", e->text);
		ok(uri_matches(uri, e));
		ok(uri->params == NULL);
		uri_put(uri);
	}
	for (i = 0; i < ARRAY_SIZE(uri_round_trips); i++)
		ok(formats_as(uri_round_trips[i], uri_round_trips[i]));
	/* Normalised on the way out */
	ok(formats_as("http://[a:b]x:1/", "http://[%5Ba:b%5Dx]:1/"));
	ok(formats_as("http://a%3Ab/", "http://[a:b]/"));
	ok(formats_as("http://h/a b", "http://h/a b"));
	ok(formats_as("http://%41/", "http://A/"));
	ok(formats_as("http://a%40b:p%3Aq@h%2Fx/", "http://a%40b:p:q@h%2Fx/"));
	ok(formats_as("x##paramsX#y", "x#%23paramsX%23y"));
}

static void uri_port_test(void)
{
	struct uri *uri;

	uri = parse_uri("http://a:8080/");
	ok(uri && uri_port(uri, 80) == 8080);
	uri_put(uri);
	uri = parse_uri("http://a/");
	ok(uri && uri_port(uri, 80) == 80);
	uri_put(uri);
	uri = parse_uri("http://a:/");
	ok(uri && uri_port(uri, 69) == 69);
	uri_put(uri);
	uri = parse_uri("http://a:99999/");
	ok(uri && uri_port(uri, 69) == 69);
	uri_put(uri);
	uri = parse_uri("http://a:12x/");
	ok(uri && uri_port(uri, 69) == 69);
	uri_put(uri);
}

/* RFC 3986 section 5.4: base http://a/b/c/d;p?q */
static const char *const rfc3986_examples[][2] = {
	/* 5.4.1 Normal examples */
	{"g:h", "g:h"},
	{"g", "http://a/b/c/g"},
	{"./g", "http://a/b/c/g"},
	{"g/", "http://a/b/c/g/"},
	{"/g", "http://a/g"},
	{"//g", "http://g"},
	{"?y", "http://a/b/c/d;p?y"},
	{"g?y", "http://a/b/c/g?y"},
	{"#s", "http://a/b/c/d;p?q#s"},
	{"g#s", "http://a/b/c/g#s"},
	{"g?y#s", "http://a/b/c/g?y#s"},
	{";x", "http://a/b/c/;x"},
	{"g;x", "http://a/b/c/g;x"},
	{"g;x?y#s", "http://a/b/c/g;x?y#s"},
	{"", "http://a/b/c/d;p?q"},
	{".", "http://a/b/c/"},
	{"./", "http://a/b/c/"},
	{"..", "http://a/b/"},
	{"../", "http://a/b/"},
	{"../g", "http://a/b/g"},
	{"../..", "http://a/"},
	{"../../", "http://a/"},
	{"../../g", "http://a/g"},
	/* 5.4.2 Abnormal examples */
	{"../../../g", "http://a/g"},
	{"../../../../g", "http://a/g"},
	{"/./g", "http://a/g"},
	{"/../g", "http://a/g"},
	{"g.", "http://a/b/c/g."},
	{".g", "http://a/b/c/.g"},
	{"g..", "http://a/b/c/g.."},
	{"..g", "http://a/b/c/..g"},
	{"./../g", "http://a/b/g"},
	{"./g/.", "http://a/b/c/g/"},
	{"g/./h", "http://a/b/c/g/h"},
	{"g/../h", "http://a/b/c/h"},
	{"g;x=1/./y", "http://a/b/c/g;x=1/y"},
	{"g;x=1/../y", "http://a/b/c/y"},
	{"g?y/./x", "http://a/b/c/g?y/./x"},
	{"g?y/../x", "http://a/b/c/g?y/../x"},
	{"g#s/./x", "http://a/b/c/g#s/./x"},
	{"g#s/../x", "http://a/b/c/g#s/../x"},
	{"http:g", "http:g"}, /* strict parser */
};

/** True if @ref resolved against @base formats as @expected */
static int resolves_as(const char *base_text, const char *ref,
		       const char *expected)
{
	struct uri *base = parse_uri(base_text), *rel = parse_uri(ref);
	struct uri *res = (base && rel) ? resolve_uri(base, rel) : NULL;
	char *out = res ? format_uri_alloc(res) : NULL;
	int match = out && strcmp(out, expected) == 0;

	if (!match)
		printf("  \"%s\" against \"%s\" gives \"%s\", not \"%s\"\n",
		       ref, base_text, out ? out : "(null)", expected);
	free(out);
	uri_put(res);
	uri_put(rel);
	uri_put(base);
	return match;
}

static void uri_resolve_test(void)
{
	struct uri *rel, *res;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rfc3986_examples); i++)
		ok(resolves_as("http://a/b/c/d;p?q", rfc3986_examples[i][0],
			       rfc3986_examples[i][1]));
	/* Scripts chaining scripts, as iPXE users write them */
	ok(resolves_as("tftp://10.0.0.1/boot.ipxe", "sub.ipxe",
		       "tftp://10.0.0.1/sub.ipxe"));
	ok(resolves_as("http://s/ipxe/menu.ipxe", "../img/vmlinuz",
		       "http://s/img/vmlinuz"));
	ok(resolves_as("http://s", "boot.ipxe", "http://s/boot.ipxe"));
	ok(resolves_as("http://u:p@s:81/a/b", "c", "http://u:p@s:81/a/c"));
	ok(resolves_as("http://[::1]:81/a/b", "//[::2]/c", "http://[::2]/c"));
	ok(resolves_as("http://s/a%20b/c", "d%2Fe", "http://s/a%20b/d%2Fe"));
	ok(resolves_as("http://s/a/b", "tftp://t/./x/../y", "tftp://t/y"));
	/* Opaque bases: the opaque text acts as the path */
	ok(resolves_as("iscsi:10.0.0.1::::iqn", "x", "iscsi:x"));
	ok(resolves_as("urn:a/b", "c", "urn:a/c"));
	ok(resolves_as("urn:a/b?q", "", "urn:a/b?q"));
	ok(resolves_as("urn:a", "/x", "urn:/x"));
	/* Results that must not read back as something else */
	ok(resolves_as("a:/b", "..//x", "a:/.//x"));
	ok(resolves_as("y", "./c:d", "./c:d"));
	/* Fragments come from the reference only */
	ok(resolves_as("http://a/b#f", "c", "http://a/c"));
	/* No base: the reference itself */
	rel = parse_uri("x/../y");
	res = rel ? resolve_uri(NULL, rel) : NULL;
	ok(res == rel);
	uri_put(res);
	uri_put(rel);
}

static void uri_encoding_test(void)
{
	char buf[64];

	ok(uri_encode(URI_PATH, "a b/c?d#e%@:", buf, sizeof(buf)) == 20 &&
	   strcmp(buf, "a%20b/c%3Fd%23e%25@:") == 0);
	ok(uri_encode(URI_QUERY, "a=b&c/d?e#", buf, sizeof(buf)) == 12 &&
	   strcmp(buf, "a=b&c/d?e%23") == 0);
	ok(uri_encode(URI_FORM, "a b&c=d~-._", buf, sizeof(buf)) == 17 &&
	   strcmp(buf, "a%20b%26c%3Dd~-._") == 0);
	ok(uri_encode(URI_USER, "u:v@w", buf, sizeof(buf)) == 9 &&
	   strcmp(buf, "u%3Av%40w") == 0);
	ok(uri_encode(URI_PASSWORD, "u:v@w", buf, sizeof(buf)) == 7 &&
	   strcmp(buf, "u:v%40w") == 0);
	ok(uri_encode(URI_HOST, "a:b[c]", buf, sizeof(buf)) == 12 &&
	   strcmp(buf, "a%3Ab%5Bc%5D") == 0);
	ok(uri_encode(URI_HOST_LITERAL, "fe80::1%eth0", buf, sizeof(buf)) ==
		   14 &&
	   strcmp(buf, "fe80::1%25eth0") == 0);
	ok(uri_encode(URI_FORM, "\xc3\xa9\x01\x7f", buf, sizeof(buf)) == 12 &&
	   strcmp(buf, "%C3%A9%01%7F") == 0);
	/* snprintf semantics: the full length, a terminated prefix */
	ok(uri_encode(URI_FORM, "a b", buf, 4) == 5 && strcmp(buf, "a%2") == 0);
	ok(uri_encode(URI_FORM, "a b", NULL, 0) == 5);
	ok(uri_encode(URI_FORM, "", buf, sizeof(buf)) == 0 && buf[0] == '\0');

	ok(uri_decode("%41%4a%4A%7e", buf, sizeof(buf)) == 4 &&
	   strcmp(buf, "AJJ~") == 0);
	ok(uri_decode("%zz%4%%%g1%", buf, sizeof(buf)) == 11 &&
	   strcmp(buf, "%zz%4%%%g1%") == 0);
	ok(uri_decode("a%00b%2", buf, sizeof(buf)) == 7 &&
	   strcmp(buf, "a%00b%2") == 0);
	ok(uri_decode("%C3%A9", buf, sizeof(buf)) == 2 &&
	   strcmp(buf, "\xc3\xa9") == 0);
	ok(uri_decode("%41bc", buf, 2) == 3 && strcmp(buf, "A") == 0);
	strcpy(buf, "x%20y%2");
	ok(uri_decode(buf, buf, sizeof(buf)) == 5 && strcmp(buf, "x y%2") == 0);
}

/** Decoding what was encoded gives the original, for every byte */
static void uri_encoding_roundtrip_test(void)
{
	char raw[256], enc[800], dec[256];
	unsigned int i, field;

	for (i = 0; i < 255; i++)
		raw[i] = (char)(i + 1);
	raw[255] = '\0';
	for (field = URI_USER; field <= URI_FORM; field++) {
		ok(uri_encode(field, raw, enc, sizeof(enc)) < sizeof(enc));
		ok(uri_decode(enc, dec, sizeof(dec)) == 255 &&
		   memcmp(raw, dec, 256) == 0);
	}
}

static void uri_dup_test(void)
{
	struct uri tmpl, *uri;
	char *text;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.scheme = "tftp";
	tmpl.host = "10.0.0.1";
	tmpl.path = "pxe linux?.0";
	uri = uri_dup(&tmpl);
	ok(uri && strcmp(uri->epath, "pxe%20linux%3F.0") == 0);
	text = uri ? format_uri_alloc(uri) : NULL;
	ok(text && strcmp(text, "tftp://10.0.0.1/pxe%20linux%3F.0") == 0);
	free(text);
	uri_put(uri);

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.epath = "/a%20b";
	uri = uri_dup(&tmpl);
	ok(uri && strcmp(uri->path, "/a b") == 0);
	uri_put(uri);
}

/** ${...} in a chain line, as iPXE users write it */
static void uri_expand_test(void)
{
	const char *line = "http://server/boot.php?mac=${net0/mac}&name="
			   "${hostname:uristring}";
	char *mac = NULL, *expanded, expected[160];
	int created = !find_settings("net0");
	struct uri *uri;

	if (created)
		ok(storef_named_setting("net0/mac", "52:54:00:12:34:56") == 0);
	ok(fetchf_named_setting_copy("net0/mac", &mac) > 0);
	ok(storef_named_setting("hostname", "my host&co/1") == 0);
	expanded = expand_settings(line);
	snprintf(expected, sizeof(expected),
		 "http://server/boot.php?mac=%s&name=my%%20host%%26co%%2F1",
		 mac ? mac : "");
	ok(expanded && strcmp(expanded, expected) == 0);
	uri = expanded ? parse_uri(expanded) : NULL;
	ok(uri && strcmp(uri->host, "server") == 0 &&
	   strcmp(uri->path, "/boot.php") == 0 &&
	   strcmp(uri->equery, expected + strlen("http://server/boot.php?")) ==
		   0);
	ok(formats_as(expanded ? expanded : "", expected));
	uri_put(uri);
	free(expanded);
	free(mac);
	ok(delete_named_setting("hostname") == 0);
	if (created) {
		ok(delete_named_setting("net0/mac") == 0);
		unregister_settings(find_settings("net0"));
	}
}

static int cwuri_is(const char *name, const char *value)
{
	char buf[128];

	return fetchf_named_setting(name, buf, sizeof(buf)) ==
		       (int)strlen(value) &&
	       strcmp(buf, value) == 0;
}

static void uri_cwuri_test(void)
{
	struct uri *uri;

	ok(cwuri == NULL);
	uri = parse_uri("http://host/dir/boot.ipxe?x=1");
	churi(uri);
	uri_put(uri);
	ok(cwuri_is("cwuri", "http://host/dir/boot.ipxe?x=1"));
	ok(cwuri_is("cwduri", "http://host/dir/"));
	uri = parse_uri("sub/../menu.ipxe");
	churi(uri);
	uri_put(uri);
	ok(cwuri_is("cwuri", "http://host/dir/menu.ipxe"));
	churi(NULL);
	ok(cwuri == NULL);
	ok(fetchf_named_setting("cwuri", NULL, 0) < 0);
}

/** An interface that opens nothing, to see xfer_open_uri's errors */
static struct refcnt open_test_refcnt;
static struct interface_descriptor open_test_desc = {.offset = 0};

static void uri_open_test(void)
{
	struct interface xfer;
	const char *text;
	int rc;

	ref_init(&open_test_refcnt, ref_no_free);
	intf_init(&xfer, &open_test_desc, &open_test_refcnt);
	rc = xfer_open_uri_string(&xfer, "ftp://server/file");
	text = strerror(rc);
	ok(rc_is(rc, ENOTSUP) &&
	   strstr(text, "no way to open ftp:// URIs in this build"));
	rc = xfer_open_uri_string(&xfer, "nosuch:thing");
	ok(rc_is(rc, ENOTSUP) && strstr(strerror(rc), "open nosuch: URIs"));
	rc = xfer_open_uri_string(&xfer, "relative.ipxe");
	ok(rc_is(rc, ENOTSUP) && strstr(strerror(rc), "is relative"));
	ok(!intf_plugged(&xfer));
}

static void uri_test_exec(void)
{
	struct heap_stats before;

	heap_stats(&before);
	uri_parse_test();
	uri_port_test();
	uri_resolve_test();
	uri_encoding_test();
	uri_encoding_roundtrip_test();
	uri_dup_test();
	uri_expand_test();
	uri_cwuri_test();
	uri_open_test();
	ok(heap_same(&before));
}

struct self_test uri_test __self_test = {
	.name = "uri",
	.exec = uri_test_exec,
};

/* ------------------------------------------------------------------------
 * Form parameters
 */

static int form_is(struct parameters *params, const char *expected)
{
	char *form = params ? params_format_form_alloc(params) : NULL;
	int match = form && strcmp(form, expected) == 0;

	if (!match)
		printf("  form is \"%s\", not \"%s\"\n", form ? form : "(null)",
		       expected);
	free(form);
	return match;
}

static void params_api_test(void)
{
	struct parameters *params, *named;
	struct parameter *param;
	struct uri *uri;
	char buf[8];
	unsigned int n = 0;

	params = create_parameters(NULL);
	named = create_parameters("boot");
	ok(params && named && find_parameters(NULL) == params &&
	   find_parameters("") == params && find_parameters("boot") == named);
	ok(add_parameter(params, "mac", "52:54:00:12:34:56", PARAMETER_FORM) ==
	   0);
	ok(add_parameter(params, "X-Asset", "a b", PARAMETER_HEADER) == 0);
	ok(add_parameter(params, "name", "a b&c=d", PARAMETER_FORM) == 0);
	ok(form_is(params, "mac=52%3A54%3A00%3A12%3A34%3A56&"
			   "name=a%20b%26c%3Dd"));
	for_each_param(param, params) n++;
	ok(n == 3);
	ok(params_format_form(params, buf, sizeof(buf)) == 50 &&
	   strcmp(buf, "mac=52%") == 0);
	ok(form_is(named, ""));

	/* URIs name them; the suffix is not part of the URI proper */
	uri = parse_uri("http://s/boot.php##params");
	ok(uri && uri->params == params && strcmp(uri->path, "/boot.php") == 0);
	ok(formats_as("http://s/boot.php?x#f##params",
		      "http://s/boot.php?x#f"));
	uri_put(uri);
	uri = parse_uri("http://s/x##params=boot");
	ok(uri && uri->params == named);
	/* The URI keeps a list that is destroyed or replaced */
	destroy_parameters(named);
	ok(find_parameters("boot") == NULL);
	ok(uri && uri->params && uri->params->name &&
	   strcmp(uri->params->name, "boot") == 0);
	uri_put(uri);
	uri = parse_uri("http://s/x##params=nosuch");
	ok(uri && !uri->params && !uri->efragment);
	uri_put(uri);
	uri = parse_uri("http://s/x##paramsX");
	ok(uri && !uri->params && strcmp(uri->efragment, "#paramsX") == 0);
	uri_put(uri);
	/* Resolution keeps the reference's list */
	ok(resolves_as("http://s/a/b", "c##params", "http://s/a/c"));
	uri = parse_uri("c##params");
	if (uri) {
		struct uri *base = parse_uri("http://s/a/b");
		struct uri *res = base ? resolve_uri(base, uri) : NULL;

		ok(res && res->params == params);
		uri_put(res);
		uri_put(base);
	}
	uri_put(uri);
	/* Creating a list again replaces it */
	params_get(params);
	ok(create_parameters("") != params && find_parameters(NULL) != params);
	params_put(params);
	destroy_parameters(find_parameters(NULL));
	ok(find_parameters(NULL) == NULL);
}

static int run(const char *line)
{
	return system(line);
}

static void params_command_test(void)
{
	struct parameters *params;

	ok(run("params") == 0);
	ok(run("param mac 52:54:00:12:34:56") == 0);
	ok(run("param --header X-Asset tag1") == 0);
	ok(run("param words one two  three") == 0);
	ok(run("param empty") == 0);
	params = find_parameters(NULL);
	ok(form_is(params, "mac=52%3A54%3A00%3A12%3A34%3A56&"
			   "words=one%20two%20three&empty="));
	ok(run("params --name other") == 0);
	ok(run("param --params other k v") == 0);
	ok(form_is(find_parameters("other"), "k=v"));
	ok(form_is(find_parameters(NULL), "mac=52%3A54%3A00%3A12%3A34%3A56&"
					  "words=one%20two%20three&empty="));
	/* Argument errors */
	ok(fails(run("param --params nosuch k v"), ENOENT));
	ok(run("param") < 0);
	ok(run("params extra") < 0);
	ok(run("params --bogus") < 0);
	ok(run("param --help") == 0);
	ok(run("params --delete --name other") == 0);
	ok(find_parameters("other") == NULL);
	ok(fails(run("params --delete --name other"), ENOENT));
	ok(run("params --delete") == 0);
	ok(fails(run("param k v"), ENOENT));
	ok(fails(run("params --delete"), ENOENT));
}

static void params_test_exec(void)
{
	struct heap_stats before;

	heap_stats(&before);
	params_api_test();
	params_command_test();
	ok(heap_same(&before));
}

struct self_test params_test __self_test = {
	.name = "params",
	.exec = params_test_exec,
};
