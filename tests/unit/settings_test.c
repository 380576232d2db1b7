/* Self-tests: settings scopes, fallback, names, expansion, built-ins, commands. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/console.h>
#include <keel/malloc.h>
#include <keel/readline.h>
#include <keel/settings.h>
#include <keel/test.h>
#include <keel/timer.h>
#include <keel/version.h>

/* The commands and built-ins live in objects nothing else here names */
REQUIRE_OBJECT(settings_cmd);
REQUIRE_OBJECT(builtin_settings);

/** A generic block that records when it is freed */
struct test_block {
	struct refcnt refcnt;
	struct generic_settings generic;
	int freed;
};

/** True if @rc is an error with code @code (evaluates @rc once) */
static int fails(int rc, int code)
{
	return rc < 0 && err_code(rc) == code;
}

static void test_block_free(struct refcnt *refcnt)
{
	struct test_block *block =
		container_of(refcnt, struct test_block, refcnt);

	generic_settings_clear(&block->generic.settings);
	block->freed = 1;
}

static void test_block_init(struct test_block *block)
{
	memset(block, 0, sizeof(*block));
	ref_init(&block->refcnt, test_block_free);
	generic_settings_init(&block->generic, &block->refcnt);
}

static struct test_block net0, dhcp, net1;

/** True if @name fetches and formats exactly as @value */
static int is(const char *name, const char *value)
{
	char buf[128];
	int len = fetchf_named_setting(name, buf, sizeof(buf));

	return len == (int)strlen(value) && strcmp(buf, value) == 0;
}

/** True if fetching @name fails with @code's error */
static int fetch_fails(const char *name, int code)
{
	char buf[16];
	int rc = fetchf_named_setting(name, buf, sizeof(buf));

	return rc < 0 && err_code(rc) == code && buf[0] == '\0';
}

/** True if @in expands to exactly @out */
static int expands(const char *in, const char *out)
{
	char *expanded = expand_settings(in);
	int same = expanded && strcmp(expanded, out) == 0;

	free(expanded);
	return same;
}

/** Run a command line through the shell */
static int run(const char *line)
{
	return system(line);
}

static void root_test(void)
{
	char *value;

	ok(storef_named_setting("test-a", "hello") == 0);
	ok(is("test-a", "hello"));
	ok(fetchf_named_setting_copy("test-a", &value) == 5 && value &&
	   strcmp(value, "hello") == 0);
	free(value);
	/* A short buffer is truncated but terminated; the length is whole */
	{
		char small[3];

		ok(fetchf_named_setting("test-a", small, sizeof(small)) == 5 &&
		   strcmp(small, "he") == 0);
	}
	ok(storef_named_setting("test-a", "again") == 0);
	ok(is("test-a", "again"));
	ok(delete_named_setting("test-a") == 0);
	ok(fetch_fails("test-a", EC_NOENT));
	ok(fetchf_named_setting_copy("test-a", &value) < 0 && !value);
	ok(delete_named_setting("test-a") == 0);

	/* An empty value deletes, as iPXE's "set name" does */
	ok(storef_named_setting("test-a", "x") == 0);
	ok(storef_named_setting("test-a", "") == 0);
	ok(fetch_fails("test-a", EC_NOENT));
	ok(storef_named_setting("test-a", NULL) == 0);

	/* Bad names */
	ok(fetch_fails("", EC_INVAL));
	ok(fetch_fails(":ipv4", EC_INVAL));
	ok(fetch_fails("ip:nosuch", EC_NOTSUP));
	ok(fetch_fails("nosuch/ip", EC_NODEV));
	ok(fails(storef_named_setting("x:nosuch", "1"), EC_NOTSUP));
	ok(find_settings("x") == NULL); /* nothing was created for it */
}

static void definition_test(void)
{
	int rc;

	/* Typed by definition: ip is an IPv4 address in option 175.2 */
	ok(storef_named_setting("ip", "10.0.0.1") == 0);
	ok(is("ip", "10.0.0.1"));
	ok(is("175.2:ipv4", "10.0.0.1"));
	ok(is("175.2", "10.0.0.1"));
	ok(is("ip:hex", "0a:00:00:01"));
	rc = storef_named_setting("ip", "999.1.2.3");
	ok(fails(rc, EC_INVAL));
	ok(strcmp(strerror(rc), "Invalid argument (not an IPv4 address: "
				"\"999.1.2.3\")") == 0);
	ok(is("ip", "10.0.0.1"));
	ok(delete_named_setting("ip") == 0);

	/* Numeric names reach definitions by tag, and back */
	ok(storef_named_setting("12", "myhost") == 0);
	ok(is("hostname", "myhost"));
	ok(storef_named_setting("hostname", "other") == 0);
	ok(is("12", "other"));
	ok(delete_named_setting("12") == 0);
	ok(fetch_fails("hostname", EC_NOENT));

	/* Unknown names are stored as given, with the type given */
	ok(storef_named_setting("test-ip:ipv4", "1.2.3.4") == 0);
	ok(is("test-ip", "1.2.3.4"));
	ok(is("test-ip:hexraw", "01020304"));
	ok(storef_named_setting("test-ip", "plain") == 0);
	ok(is("test-ip", "plain"));
	ok(delete_named_setting("test-ip") == 0);

	ok(find_setting("ip") == &ip_setting);
	ok(find_setting("nosuch") == NULL);
	ok(setting_cmp(&ip_setting, find_setting("ip")) == 0);
	ok(setting_cmp(&ip_setting, &netmask_setting) != 0);
}

/** Register net0 (with child dhcp) and net1 under the root */
static void blocks_setup(void)
{
	test_block_init(&net0);
	test_block_init(&dhcp);
	test_block_init(&net1);
	ok(register_settings(&net0.generic.settings, NULL, "net0") == 0);
	ok(register_settings(&dhcp.generic.settings, &net0.generic.settings,
			     "dhcp") == 0);
	ok(register_settings(&net1.generic.settings, NULL, "net1") == 0);
}

static void blocks_teardown(void)
{
	unregister_settings(&net0.generic.settings);
	unregister_settings(&net1.generic.settings);
	ok(find_settings("net0") == NULL && find_settings("net1") == NULL);
	/* The tree held the only other references: dropping ours frees */
	ok(!net0.freed && !dhcp.freed && !net1.freed);
	ref_put(&net0.refcnt);
	ref_put(&dhcp.refcnt);
	ref_put(&net1.refcnt);
	ok(net0.freed && dhcp.freed && net1.freed);
}

static void scope_test(void)
{
	struct settings *origin = NULL;
	struct setting fetched;
	char name[64];

	blocks_setup();
	ok(find_settings("net0") == &net0.generic.settings);
	ok(find_settings("net0.dhcp") == &dhcp.generic.settings);
	ok(find_settings("net0.nosuch") == NULL);
	ok(settings_name(&dhcp.generic.settings, name, sizeof(name)) == 9 &&
	   strcmp(name, "net0.dhcp") == 0);
	ok(settings_name(find_settings(""), name, sizeof(name)) == 0 &&
	   name[0] == '\0');

	/* A device's value is found from the global scope */
	ok(storef_named_setting("net0.dhcp/ip", "10.0.0.5") == 0);
	ok(is("ip", "10.0.0.5"));
	ok(fetch_setting(NULL, &ip_setting, &origin, &fetched, NULL, 0) == 4);
	ok(origin == &dhcp.generic.settings);
	ok(setting_name(origin, &fetched, name, sizeof(name)) == 17 &&
	   strcmp(name, "net0.dhcp/ip:ipv4") == 0);
	ok(is("net0/ip", "10.0.0.5"));
	ok(is("net0.dhcp/ip", "10.0.0.5"));
	ok(fetch_fails("net1/ip", EC_NOENT));

	/* The global scope beats the devices; clearing it reveals them */
	ok(storef_named_setting("ip", "192.168.0.1") == 0);
	ok(is("ip", "192.168.0.1"));
	ok(is("net0/ip", "10.0.0.5"));
	ok(delete_named_setting("ip") == 0);
	ok(is("ip", "10.0.0.5"));

	/* A parent's own value beats its children's */
	ok(storef_named_setting("net0/ip", "10.9.9.9") == 0);
	ok(is("ip", "10.9.9.9"));
	ok(is("net0.dhcp/ip", "10.0.0.5"));
	ok(delete_named_setting("net0/ip") == 0);

	/* Siblings are searched by priority: net1 overtakes net0 */
	ok(storef_named_setting("net1/ip", "10.1.1.1") == 0);
	ok(is("ip", "10.0.0.5"));
	ok(storef_named_setting("net1/priority", "5") == 0);
	ok(settings_priority(&net1.generic.settings) == 5);
	ok(is("ip", "10.1.1.1"));
	ok(storef_named_setting("net1/priority", "-5") == 0);
	ok(is("ip", "10.0.0.5"));
	ok(delete_named_setting("net1/priority") == 0);

	/* netX names nothing until the network layer says which device */
	ok(settings_netx_alias() == NULL);
	ok(fetch_fails("netX/ip", EC_NODEV));
	ok(fails(storef_named_setting("netX/ip", "1.1.1.1"), EC_NODEV));
	ok(expands("[${netX/ip}]", "[]"));
	ok(settings_set_netx_alias("net1") == 0);
	ok(strcmp(settings_netx_alias(), "net1") == 0);
	ok(is("netX/ip", "10.1.1.1"));
	ok(find_settings("netX") == &net1.generic.settings);
	ok(storef_named_setting("netX/test-n", "one") == 0);
	ok(is("net1/test-n", "one"));
	ok(fails(settings_set_netx_alias("a-name-much-too-long-for-the-netx"
					 "-alias-buffer"), EC_NAMETOOLONG));
	ok(settings_set_netx_alias(NULL) == 0);
	ok(settings_netx_alias() == NULL);

	/* Numeric option names, typed or not */
	ok(storef_named_setting("net0.dhcp/175.19:uint8", "3") == 0);
	ok(is("175.19:uint8", "0x3"));
	ok(is("175.19", "0x3"));
	ok(is("net0/175.19:hex", "03"));
	ok(is("net0.dhcp/0xaf.0x13:int8", "3"));
	ok(fetch_fails("net1/175.19", EC_NOENT));

	/* Fetching with another type reformats the raw bytes */
	ok(storef_named_setting("net0/mac", "52:54:00:12:34:56") == 0);
	ok(is("net0/mac:hexhyp", "52-54-00-12-34-56"));
	ok(is("mac:hexraw", "525400123456"));
	ok(storef_named_setting("test-raw:hex", "0a:00:02:0f") == 0);
	ok(is("test-raw:ipv4", "10.0.2.15"));
	ok(is("test-raw:uint32", "0xa00020f"));
	ok(is("test-raw:int16", "167772687"));
	ok(is("test-raw:base64", "CgACDw=="));
	ok(fetch_fails("test-raw:uuid", EC_RANGE));
	ok(fetch_fails("test-raw:ipv6", EC_RANGE));
	ok(delete_named_setting("test-raw") == 0);

	blocks_teardown();
	ok(fetch_fails("ip", EC_NOENT));
	ok(fetch_fails("175.19", EC_NOENT));
}

static void tree_test(void)
{
	struct test_block replacement;
	struct settings *settings, *auto1;
	unsigned int count = 0;

	/* Stores create the blocks they name; unregistering frees them */
	ok(storef_named_setting("test-auto.sub/x", "1") == 0);
	auto1 = find_settings("test-auto");
	ok(auto1 && find_settings("test-auto.sub") != NULL);
	ok(is("test-auto/x", "1"));
	ok(is("x", "1"));
	for (settings = find_settings(""); settings;
	     settings = settings_next(settings, NULL))
		count++;
	ok(count >= 3);
	ok(settings_next(find_settings("test-auto.sub"), auto1) == NULL);
	unregister_settings(auto1);
	ok(find_settings("test-auto") == NULL);
	ok(fetch_fails("x", EC_NOENT));

	/* A block replaces another of the same name */
	test_block_init(&net0);
	test_block_init(&replacement);
	ok(register_settings(&net0.generic.settings, NULL, "net0") == 0);
	ok(fails(register_settings(&net0.generic.settings, NULL, "net0"),
		 EC_BUSY));
	ref_put(&net0.refcnt);
	ok(register_settings(&replacement.generic.settings, NULL, "net0") == 0);
	ok(net0.freed);
	ok(find_settings("net0") == &replacement.generic.settings);
	unregister_settings(&replacement.generic.settings);
	ok(!replacement.freed);
	ref_put(&replacement.refcnt);
	ok(replacement.freed);
	settings = &replacement.generic.settings;
	ok(fails(register_settings(settings, NULL, "a.b"), EC_INVAL));
	ok(fails(register_settings(settings, NULL, ""), EC_INVAL));
}

static void expand_test(void)
{
	unsigned long start;
	char *big, *expanded;
	unsigned int i;

	ok(storef_named_setting("test-a", "hello") == 0);
	ok(storef_named_setting("test-i", "0") == 0);
	ok(storef_named_setting("test-n0:hex", "52:54:00:aa:bb:cc") == 0);
	ok(expands("", ""));
	ok(expands("plain", "plain"));
	ok(expands("a${test-a}b", "ahellob"));
	ok(expands("${test-a}${test-a} ${test-i}", "hellohello 0"));
	ok(expands("[${nosuch}]", "[]"));
	ok(expands("${test-n${test-i}}", "52:54:00:aa:bb:cc"));
	ok(expands("${test-n${test-i}:hexhyp}", "52-54-00-aa-bb-cc"));
	ok(expands("${test-n${nosuch}0}", "52:54:00:aa:bb:cc"));

	/* Malformed references */
	ok(expands("${", "${"));
	ok(expands("abc${test-a", "abc${test-a"));
	ok(expands("}", "}"));
	ok(expands("}${test-a}", "}hello"));
	ok(expands("${}", ""));
	ok(expands("$}", "$}"));
	ok(expands("${test-a}}", "hello}"));
	ok(expands("$${test-a}", "$hello"));
	ok(expands("${test-a} ${", "hello ${"));
	ok(expands("${${test-a}", "${hello"));
	ok(expands("${a b}", ""));
	ok(expands("${:}", ""));
	ok(expands("${nosuch/x}", ""));

	/* Values are expanded in turn, as iPXE does */
	ok(storef_named_setting("test-v", "<${test-a}>") == 0);
	ok(expands("${test-v}", "<hello>"));
	ok(storef_named_setting("test-open", "${test") == 0);
	ok(expands("${test-open}-a}", "hello"));

	/* Self-reference is bounded in time and size */
	ok(storef_named_setting("test-loop", "${test-loop}${test-loop}") == 0);
	start = currticks();
	ok(expands("x${test-loop}y", ""));
	ok(storef_named_setting("test-loop", "${test-loop}") == 0);
	ok(expands("${test-loop}", ""));
	big = malloc(40100);
	if (big) {
		memset(big, 'z', 40000);
		strcpy(big + 39980, "${test-loop}${test-a}");
		ok(storef_named_setting("test-loop", big) == 0);
		ok(expands("${test-loop}", ""));
		free(big);
	}
	ok(currticks() - start < 5 * TICKS_PER_SEC);
	/* The limit counts replacements: 1000 are fine, 1001 are too many */
	big = malloc(1001 * 9 + 1);
	if (big) {
		for (i = 0; i < 1000; i++)
			memcpy(big + 9 * i, "${test-i}", 9);
		big[9000] = '\0';
		expanded = expand_settings(big);
		ok(expanded && strlen(expanded) == 1000 &&
		   strspn(expanded, "0") == 1000);
		free(expanded);
		strcat(big, "${test-i}");
		ok(expands(big, ""));
		free(big);
	}
	ok(expands("still ${test-a}", "still hello"));

	ok(delete_named_setting("test-a") == 0);
	ok(delete_named_setting("test-i") == 0);
	ok(delete_named_setting("test-n0") == 0);
	ok(delete_named_setting("test-v") == 0);
	ok(delete_named_setting("test-open") == 0);
	ok(delete_named_setting("test-loop") == 0);
}

/** A stand-in for the platform's SMBIOS block */
static int smbios_fetch(struct settings *settings, struct setting *setting,
			void *data, size_t len)
{
	static const char product[] = "TestBoard";

	if (strcmp(setting->name, "product") != 0)
		return -ENOENT;
	memcpy(data, product, len < 9 ? len : 9);
	return 9;
}

static int smbios_applies(struct settings *settings,
			  const struct setting *setting)
{
	return setting->scope == &smbios_scope;
}

static const struct settings_operations smbios_ops = {
	.applies = smbios_applies,
	.fetch = smbios_fetch,
};

static void builtin_test(void)
{
	struct settings smbios;
	int saved = last_errno;
	unsigned long n = 0;
	char buf[64];

	ok(is("buildarch", KEEL_ARCH));
	ok(is("platform", KEEL_PLATFORM));
	ok(is("version", PRODUCT_VERSION));
	ok(is("product", PRODUCT_NAME));
	ok(is("builtin/product", PRODUCT_NAME));
	last_errno = 0x2e;
	ok(is("errno", "0x2e"));
	last_errno = saved;
	ok(fetchf_named_setting("unixtime", buf, sizeof(buf)) > 2 &&
	   strncmp(buf, "0x", 2) == 0);
	ok(fetchn_named_setting("memsize", &n) == 0 && n > 0);
	ok(fetchn_named_setting("uptime", &n) == 0);
	ok(fetchf_named_setting("newuuid", buf, sizeof(buf)) == 36 &&
	   buf[14] == '4');
	ok(fails(storef_named_setting("builtin/errno", "1"), EC_PERM));

	/* The current URI and its directory */
	ok(fetch_fails("cwuri", EC_NOENT));
	ok(fetch_fails("cwduri", EC_NOENT));
	ok(settings_set_cwuri("http://host/dir/boot.ipxe?a=/b") == 0);
	ok(is("cwuri", "http://host/dir/boot.ipxe?a=/b"));
	ok(is("cwduri", "http://host/dir/"));
	ok(settings_set_cwuri("http://host") == 0);
	ok(is("cwduri", "http://host/"));
	ok(settings_set_cwuri("tftp://10.0.0.1/boot.ipxe") == 0);
	ok(is("cwduri", "tftp://10.0.0.1/"));
	ok(settings_set_cwuri(NULL) == 0);
	ok(fetch_fails("cwuri", EC_NOENT));

	/* A platform's SMBIOS block answers ${product}; builtin/ still can */
	settings_init(&smbios, &smbios_ops, NULL, &smbios_scope);
	ok(register_settings(&smbios, NULL, "smbios") == 0);
	ok(is("product", "TestBoard"));
	ok(is("smbios/product", "TestBoard"));
	ok(is("builtin/product", PRODUCT_NAME));
	ok(fetch_fails("smbios/errno", EC_NOENT));
	ok(fetch_fails("serial", EC_NOENT));
	unregister_settings(&smbios);
	ok(is("product", PRODUCT_NAME));
}

static void numeric_test(void)
{
	unsigned long n = 0;

	ok(storen_named_setting("test-n", 5) == 0);
	ok(is("test-n", "5"));
	ok(is("test-n:hex", "00:00:00:05"));
	ok(fetchn_named_setting("test-n", &n) == 0 && n == 5);
	ok(storen_named_setting("test-n", (unsigned long)-7) == 0);
	ok(is("test-n", "-7"));
	ok(storen_named_setting("test-n:uint8", 300) == 0);
	ok(is("test-n", "0x2c"));
	/* A value keeps its type when stored as a number again */
	ok(storen_named_setting("test-n", 0x1ff) == 0);
	ok(is("test-n", "0xff"));
	ok(storef_named_setting("test-n", "12") == 0);
	ok(fetchn_named_setting("test-n", &n) == 0 && n == 12);
	ok(storen_named_setting("test-n", 13) == 0);
	ok(is("test-n", "13"));
	ok(storef_named_setting("test-n:hex", "01:02") == 0);
	ok(fails(fetchn_named_setting("test-n", &n), EC_NOTSUP));
	ok(delete_named_setting("test-n") == 0);
	ok(fails(fetchn_named_setting("test-n", &n), EC_NOENT));
	ok(storen_named_setting("priority", 3) == 0);
	ok(is("priority", "3"));
	ok(delete_named_setting("priority") == 0);
}

/** Keys for the "read" command, fed through a console of our own */
static const char *test_keys;

static int test_console_getchar(void)
{
	return (test_keys && *test_keys) ? (unsigned char)*test_keys++ : -1;
}

static struct console_driver settings_test_console __console_driver = {
	.name = "settings-test",
	.getchar = test_console_getchar,
	.disabled = 1,
};

/** Run "read" with keys typed */
static int read_with(const char *line, const char *keys)
{
	int rc;

	test_keys = keys;
	settings_test_console.disabled = 0;
	rc = run(line);
	settings_test_console.disabled = 1;
	test_keys = NULL;
	return rc;
}

static void command_test(void)
{
	char *argv[] = { "set", NULL };

	ok(find_command("set") && find_command("show") &&
	   find_command("clear") && find_command("inc") &&
	   find_command("read"));
	ok(find_command("set")->exec(1, argv) < 0);

	ok(run("set test-c one two  three") == 0);
	ok(is("test-c", "one two three"));
	ok(run("show test-c") == 0);
	ok(run("clear test-c") == 0);
	ok(fetch_fails("test-c", EC_NOENT));
	ok(run("set test-c x") == 0 && run("set test-c") == 0);
	ok(fetch_fails("test-c", EC_NOENT));
	ok(run("set test-c:ipv4 10.0.0.1") == 0);
	ok(is("test-c", "10.0.0.1"));
	ok(run("clear test-c") == 0);

	/* Argument errors */
	ok(run("set") < 0);
	ok(run("clear") < 0);
	ok(run("clear a b") < 0);
	ok(run("inc") < 0);
	ok(run("inc a 1 2") < 0);
	ok(run("read") < 0);
	ok(run("show a b") < 0);
	ok(run("set --nosuch x") < 0);
	ok(run("set --help") == 0);
	ok(fails(run("set ip 999.1.2.3"), EC_INVAL));
	ok(fails(run("show nosuch-setting"), EC_NOENT));
	ok(fails(run("show nosuch-block/"), EC_NODEV));
	ok(fails(run("set x:nosuch 1"), EC_NOTSUP));
	ok(run("show builtin/") == 0);

	/* inc: from nothing (int32), by steps, on strings, and failing */
	ok(run("inc test-i") == 0);
	ok(is("test-i", "1"));
	ok(run("inc test-i 5") == 0);
	ok(is("test-i", "6"));
	ok(run("set test-s 7") == 0 && run("inc test-s") == 0);
	ok(is("test-s", "8"));
	ok(run("set test-u:uint8 255") == 0 && run("inc test-u") == 0);
	ok(is("test-u", "0"));
	ok(fails(run("inc test-i abc"), EC_INVAL));
	ok(run("set test-h:hex 01:02") == 0);
	ok(fails(run("inc test-h"), EC_NOTSUP));
	ok(run("clear test-i && clear test-s && clear test-u && "
	       "clear test-h") == 0);

	/* read: the current value is offered for editing */
	ok(read_with("read test-r", "abc\r") == 0);
	ok(is("test-r", "abc"));
	ok(read_with("read test-r", "de\r") == 0);
	ok(is("test-r", "abcde"));
	ok(read_with("read test-r", "\x15xyz\r") == 0);
	ok(is("test-r", "xyz"));
	ok(fails(read_with("read test-r", "q\x03"), EC_CANCELED));
	ok(is("test-r", "xyz"));
	ok(run("set test-r:uint8 1") == 0);
	ok(read_with("read test-r", "\x15" "0x10\r") == 0);
	ok(is("test-r", "0x10"));
	ok(fails(read_with("read test-r", "\x15zz\r"), EC_INVAL));
	ok(run("clear test-r") == 0);
}

/** Collects completion candidates */
struct candidates {
	char text[1024];
	unsigned int count;
};

static void add_candidate(void *ctx, const char *candidate)
{
	struct candidates *cands = ctx;
	size_t len = strlen(cands->text);

	cands->count++;
	if (len + strlen(candidate) + 2 < sizeof(cands->text)) {
		strcat(cands->text, candidate);
		strcat(cands->text, "|");
	}
}

/** Complete @word and check that @expected ("a|b|") is among the results */
static int completes(const char *word, int first, const char *expected)
{
	struct completer *completer;
	struct candidates cands;

	memset(&cands, 0, sizeof(cands));
	for_each_table_entry(completer, COMPLETERS) {
		if (strcmp(completer->name, "settings") == 0)
			completer->complete(word, first, add_candidate, &cands);
	}
	if (!expected)
		return cands.count == 0;
	return strstr(cands.text, expected) != NULL;
}

static void complete_test(void)
{
	blocks_setup();
	ok(storef_named_setting("net0/test-comp", "1") == 0);
	ok(completes("hostn", 0, "hostname|"));
	ok(completes("hostn", 1, NULL));
	ok(completes("${hostn", 1, "${hostname}|"));
	ok(completes("http://x/${next-", 0, "http://x/${next-server}|"));
	ok(completes("${ip} ${net0.d", 0, "${net0.dhcp/|"));
	ok(completes("net0/test-c", 0, "net0/test-comp|"));
	ok(completes("test-comp", 0, "test-comp|"));
	ok(completes("${net0/m", 0, "${net0/mac}|"));
	ok(completes("nosuch/x", 0, NULL));
	ok(completes("${done}", 0, NULL));
	blocks_teardown();
}

static void settings_test_exec(void)
{
	struct heap_stats before, after;

	heap_stats(&before);
	root_test();
	definition_test();
	scope_test();
	tree_test();
	expand_test();
	builtin_test();
	numeric_test();
	command_test();
	complete_test();
	/* Everything stored, created or formatted along the way is freed */
	heap_stats(&after);
	ok(after.blocks == before.blocks);
}

struct self_test settings_test __self_test = {
	.name = "settings",
	.exec = settings_test_exec,
};
