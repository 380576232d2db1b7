/* Self-tests: downloads through a fake "test" opener; image commands. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/console.h>
#include <keel/downloader.h>
#include <keel/image.h>
#include <keel/malloc.h>
#include <keel/process.h>
#include <keel/settings.h>
#include <keel/test.h>
#include <keel/timer.h>
#include <keel/uri.h>
#include <keel/xfer.h>

REQUIRE_OBJECT(image_cmd);
REQUIRE_OBJECT(settings_cmd);
REQUIRE_OBJECT(builtin_settings);

/* ------------------------------------------------------------------------
 * The fake opener: "test:" URIs, chosen by the last segment of the path
 */

/** How a source behaves */
enum test_mode {
	TEST_CHUNKS,	 /* chunks in order, positions implied, then 0 */
	TEST_REVERSE,	 /* size hint, then chunks last first (ABS_OFFSET) */
	TEST_FAIL,	 /* some data, then a plain error */
	TEST_HANG,	 /* nothing, ever */
	TEST_SYNC,	 /* everything, and the close, inside open() */
	TEST_SEEK,	 /* "abc" at 10, then "xyz" at 0 */
	TEST_HUGE_HINT,	 /* an impossible size hint, then a little data */
	TEST_BAD_OFFSET, /* data beyond any possible image */
	TEST_NO_MEMORY,	 /* data beyond the memory there is */
};

struct test_file {
	const char *name;
	enum test_mode mode;
	const char *data;
	size_t len;
	size_t chunk;
};

/** Large patterned contents, made once */
#define BIG_LEN (3 * 1024 * 1024 + 123)
static char *big_data;

static struct test_file test_files[] = {
	{"boot.ipxe", TEST_REVERSE,
	 "#!ipxe\nset boot-cwuri ${cwuri}\nchain sub.ipxe\n", 0, 5},
	{"sub.ipxe", TEST_CHUNKS,
	 "#!ipxe\nset sub-ran yes\nset sub-cwuri ${cwuri}\n", 0, 7},
	{"replace.ipxe", TEST_CHUNKS,
	 "#!ipxe\nchain --replace sub2.ipxe\nset after-replace yes\n", 0, 64},
	{"sub2.ipxe", TEST_SYNC, "#!ipxe\nset sub2-ran ${cwuri}\n", 0, 0},
	{"exit3.ipxe", TEST_CHUNKS, "#!ipxe\nexit 3\nset not-here 1\n", 0, 4},
	{"vmlinuz", TEST_CHUNKS,
	 "\x7f"
	 "ELF\x01\x02\x00\x00binary",
	 14, 3},
	{"empty", TEST_CHUNKS, "", 0, 1},
	{"big", TEST_CHUNKS, NULL, BIG_LEN, 65536},
	{"bighint", TEST_REVERSE, NULL, BIG_LEN, 60000},
	{"fail", TEST_FAIL, "0123456789", 0, 10},
	{"hang", TEST_HANG, NULL, 0, 0},
	{"seek", TEST_SEEK, NULL, 0, 0},
	{"hugehint", TEST_HUGE_HINT, "hello", 0, 5},
	{"badoffset", TEST_BAD_OFFSET, "x", 0, 1},
	{"nomemory", TEST_NO_MEMORY, "x", 0, 1},
};

struct test_source {
	struct refcnt refcnt;
	struct interface xfer;
	struct process process;
	const struct test_file *file;
	size_t len;
	unsigned int next;
};

/** Sources alive, and the status the last cancelled one was closed with */
static int test_sources_live;
static int test_source_cancel_rc;
static unsigned int test_opens;

static void test_source_free(struct refcnt *refcnt)
{
	test_sources_live--;
	free(container_of(refcnt, struct test_source, refcnt));
}

static void test_source_finish(struct test_source *src, int rc)
{
	process_del(&src->process);
	intf_shutdown(&src->xfer, rc);
}

/** Deliver @len bytes at @offset, with or without an absolute position */
static int test_source_send(struct test_source *src, const char *data,
			    size_t len, uint64_t offset, unsigned int flags)
{
	struct xfer_metadata meta = {.flags = flags, .offset = offset};
	struct io_buffer *iobuf = alloc_iob(len);

	if (!iobuf)
		return -ENOMEM;
	memcpy(iob_put(iobuf, len), data, len);
	return xfer_deliver(&src->xfer, iobuf, &meta);
}

static int test_source_hint(struct test_source *src, uint64_t total)
{
	return test_source_send(src, "", 0, total, XFER_FL_SIZE_HINT);
}

/** One chunk; returns 1 when every chunk has gone */
static int test_source_chunk(struct test_source *src)
{
	const struct test_file *file = src->file;
	size_t nchunks = (src->len + file->chunk - 1) / file->chunk;
	size_t index, offset, len;
	int reverse = (file->mode == TEST_REVERSE);

	if (src->next >= nchunks)
		return 1;
	if (reverse && !src->next)
		test_source_hint(src, src->len);
	index = reverse ? nchunks - 1 - src->next : src->next;
	offset = index * file->chunk;
	len = (src->len - offset < file->chunk) ? src->len - offset
						: file->chunk;
	src->next++;
	test_source_send(src, file->data + offset, len, reverse ? offset : 0,
			 reverse ? XFER_FL_ABS_OFFSET : 0);
	return 0;
}

static void test_source_step(struct test_source *src)
{
	const struct test_file *file = src->file;

	switch (file->mode) {
	case TEST_FAIL:
		test_source_send(src, file->data, src->len, 0, 0);
		test_source_finish(src, errctx(-ENOENT, "TEST 404 Not Found"));
		break;
	case TEST_SEEK:
		test_source_send(src, "abc", 3, 10, XFER_FL_ABS_OFFSET);
		test_source_send(src, "xyz", 3, 0, XFER_FL_ABS_OFFSET);
		test_source_finish(src, 0);
		break;
	case TEST_HUGE_HINT:
		test_source_hint(src, 1ULL << 40);
		test_source_send(src, file->data, src->len, 0, 0);
		test_source_finish(src, 0);
		break;
	case TEST_BAD_OFFSET:
		test_source_send(src, "x", 1, ~0ULL - 4, XFER_FL_ABS_OFFSET);
		break;
	case TEST_NO_MEMORY:
		test_source_send(src, "x", 1, 1ULL << 40, XFER_FL_ABS_OFFSET);
		break;
	default:
		if (test_source_chunk(src))
			test_source_finish(src, 0);
		break;
	}
}

static void test_source_close(struct test_source *src, int rc)
{
	test_source_cancel_rc = rc;
	test_source_finish(src, rc);
}

static struct interface_operation test_source_ops[] = {
	INTF_OP(intf_close, struct test_source *, test_source_close),
};
static struct interface_descriptor test_source_desc =
	INTF_DESC(struct test_source, xfer, test_source_ops);
static struct process_descriptor test_source_proc =
	PROC_DESC(struct test_source, process, test_source_step);

static const struct test_file *test_file_find(struct uri *uri)
{
	const char *path = uri->path ? uri->path : uri->opaque;
	const char *name = path ? strrchr(path, '/') : NULL;
	unsigned int i;

	name = name ? name + 1 : (path ? path : "");
	for (i = 0; i < ARRAY_SIZE(test_files); i++) {
		if (strcmp(test_files[i].name, name) == 0)
			return &test_files[i];
	}
	return NULL;
}

static int test_open(struct interface *xfer, struct uri *uri)
{
	const struct test_file *file = test_file_find(uri);
	struct test_source *src;

	test_opens++;
	if (!file)
		return errctx(-ENOENT, "no test file for this URI");
	if (!(src = zalloc(sizeof(*src))))
		return -ENOMEM;
	test_sources_live++;
	ref_init(&src->refcnt, test_source_free);
	intf_init(&src->xfer, &test_source_desc, &src->refcnt);
	process_init_stopped(&src->process, &test_source_proc, &src->refcnt);
	src->file = file;
	src->len = file->len ? file->len : strlen(file->data ? file->data : "");
	intf_plug_plug(&src->xfer, xfer);
	if (file->mode == TEST_SYNC) {
		test_source_send(src, file->data, src->len, 0, 0);
		test_source_finish(src, 0);
	} else if (file->mode != TEST_HANG) {
		process_add(&src->process);
	}
	ref_put(&src->refcnt);
	return 0;
}

struct uri_opener test_uri_opener __uri_opener = {
	.scheme = "test",
	.open = test_open,
};

/** Keys for Ctrl-C, fed through a console of our own */
static const char *test_keys;

static int test_console_getchar(void)
{
	return (test_keys && *test_keys) ? (unsigned char)*test_keys++ : -1;
}

static struct console_driver downloader_test_console __console_driver = {
	.name = "downloader-test",
	.getchar = test_console_getchar,
	.disabled = 1,
};

static void test_big_init(void)
{
	size_t i;

	if (!big_data && (big_data = malloc(BIG_LEN))) {
		for (i = 0; i < BIG_LEN; i++)
			big_data[i] = (char)((i * 7) + (i / 251));
	}
	test_files[7].data = big_data;
	test_files[8].data = big_data;
}

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

/** Quietly download, returning the registered image (or NULL) and rc */
static int fetch(const char *uri, unsigned long timeout, struct image **image)
{
	return imgdownload_string(uri, NULL, timeout, DOWNLOAD_QUIET, image);
}

/** True if @image holds exactly @data, NUL-terminated */
static int holds(struct image *image, const void *data, size_t len)
{
	return image && image->len == len && image->data &&
	       memcmp(image->data, data, len) == 0 && image->data[len] == '\0';
}

static void downloader_fetch_test(void)
{
	struct image *image;
	struct uri *base;
	char *text;
	int rc;

	ok(fetch("test://s/dir/boot.ipxe", 0, &image) == 0);
	ok(holds(image, test_files[0].data, strlen(test_files[0].data)));
	ok(image && strcmp(image->name, "boot.ipxe") == 0 &&
	   (image->flags & IMAGE_REGISTERED) &&
	   find_image("boot.ipxe") == image);
	ok(image && image->type && strcmp(image->type->name, "script") == 0);
	text = image ? format_uri_alloc(image->uri) : NULL;
	ok(text && strcmp(text, "test://s/dir/boot.ipxe") == 0);
	free(text);
	if (image)
		image_put(image);

	/* Large, in order and without a hint; then out of order with one */
	ok(fetch("test:big", 0, &image) == 0);
	ok(holds(image, big_data, BIG_LEN));
	if (image)
		image_put(image);
	ok(fetch("TEST://host/bighint", 0, &image) == 0);
	ok(holds(image, big_data, BIG_LEN));
	if (image)
		image_put(image);

	/* Gaps read as zeros; empty downloads are fine */
	ok(fetch("test:seek", 0, &image) == 0);
	ok(holds(image, "xyz\0\0\0\0\0\0\0abc", 13));
	if (image)
		image_put(image);
	ok(fetch("test:empty", 0, &image) == 0);
	ok(holds(image, "", 0));
	if (image)
		image_put(image);
	ok(fetch("test:hugehint", 0, &image) == 0);
	ok(holds(image, "hello", 5));
	if (image)
		image_put(image);
	ok(fetch("test:sub2.ipxe", 0, &image) == 0);
	ok(holds(image, test_files[3].data, strlen(test_files[3].data)));
	if (image)
		image_put(image);

	/* A name given; relative URIs against cwuri */
	ok(imgdownload_string("test:vmlinuz", "kern", 0, DOWNLOAD_QUIET,
			      &image) == 0);
	ok(image && strcmp(image->name, "kern") == 0 && find_image("kern"));
	if (image)
		image_put(image);
	base = parse_uri("test://s/a/b/c.ipxe");
	churi(base);
	uri_put(base);
	ok(fetch("../sub.ipxe", 0, &image) == 0);
	text = image ? format_uri_alloc(image->uri) : NULL;
	ok(text && strcmp(text, "test://s/a/sub.ipxe") == 0);
	free(text);
	churi(NULL);
	if (image)
		image_put(image);

	/* Failures: the opener's error, out of range, and nothing registered */
	rc = fetch("test://s/fail", 0, &image);
	ok(rc_is(rc, ENOENT) && strstr(strerror(rc), "TEST 404 Not Found"));
	ok(image == NULL && find_image("fail") == NULL);
	rc = fetch("test:badoffset", 0, &image);
	ok(rc_is(rc, EFBIG) && image == NULL);
	rc = fetch("test:nomemory", 0, &image);
	ok(rc_is(rc, ENOMEM) && image == NULL);
	rc = fetch("test:nosuchfile", 0, &image);
	ok(rc_is(rc, ENOENT) && image == NULL);
	rc = fetch("gopher://x/y", 0, &image);
	ok(rc_is(rc, ENOTSUP) && image == NULL);
	ok(test_sources_live == 0);
}

static void downloader_cancel_test(void)
{
	struct image *image;
	unsigned long start;
	int rc;

	/* A download that never ends: the time limit, then Ctrl-C */
	test_source_cancel_rc = 0;
	start = currticks();
	rc = fetch("test:hang", 30, &image);
	ok(rc_is(rc, ETIMEDOUT) && image == NULL);
	ok(currticks() - start >= 30 && currticks() - start < 2000);
	ok(rc_is(test_source_cancel_rc, ETIMEDOUT));
	ok(test_sources_live == 0);

	test_keys = "\003";
	downloader_test_console.disabled = 0;
	rc = fetch("test:hang", 5000, &image);
	downloader_test_console.disabled = 1;
	test_keys = NULL;
	ok(rc_is(rc, ECANCELED) && image == NULL);
	ok(rc_is(test_source_cancel_rc, ECANCELED));
	ok(test_sources_live == 0);
}

/** A job that records how a download ended */
struct test_job {
	struct refcnt refcnt;
	struct interface job;
	int done;
	int rc;
};

static void test_job_close(struct test_job *job, int rc)
{
	job->done = 1;
	job->rc = rc;
	intf_shutdown(&job->job, rc);
}

static struct interface_operation test_job_ops[] = {
	INTF_OP(intf_close, struct test_job *, test_job_close),
};
static struct interface_descriptor test_job_desc =
	INTF_DESC(struct test_job, job, test_job_ops);

static void downloader_object_test(void)
{
	struct download_progress progress;
	struct test_job job;
	struct image *image;
	struct uri *uri = parse_uri("test:bighint");
	unsigned int steps = 0;

	memset(&job, 0, sizeof(job));
	ref_init(&job.refcnt, ref_no_free);
	intf_init(&job.job, &test_job_desc, &job.refcnt);
	image = uri ? alloc_image(uri) : NULL;
	uri_put(uri);
	ok(image && create_downloader(&job.job, image) == 0);
	download_progress(&job.job, &progress);
	ok(progress.received == 0 && progress.total == 0);
	step();
	download_progress(&job.job, &progress);
	ok(progress.total == BIG_LEN && progress.received > 0 &&
	   progress.received < BIG_LEN);
	while (!job.done && steps++ < 1000)
		step();
	ok(job.done && job.rc == 0);
	ok(holds(image, big_data, BIG_LEN));
	ok(!(image->flags & IMAGE_REGISTERED));
	/* Not a downloader: nothing known */
	download_progress(&job.job, &progress);
	ok(progress.received == 0 && progress.total == 0);
	image_put(image);

	/* Cancelling through the job reaches the opener */
	memset(&job, 0, sizeof(job));
	ref_init(&job.refcnt, ref_no_free);
	intf_init(&job.job, &test_job_desc, &job.refcnt);
	uri = parse_uri("test:hang");
	image = uri ? alloc_image(uri) : NULL;
	uri_put(uri);
	ok(image && create_downloader(&job.job, image) == 0);
	step();
	intf_shutdown(&job.job, -ECONNABORTED);
	ok(rc_is(test_source_cancel_rc, ECONNABORTED));
	ok(job.refcnt.count == 0 && test_sources_live == 0);
	image_put(image);

	/* No URI to open */
	image = alloc_image(NULL);
	intf_init(&job.job, &test_job_desc, &job.refcnt);
	job.done = 0;
	ok(image && fails(create_downloader(&job.job, image), EINVAL));
	ok(job.done && rc_is(job.rc, EINVAL));
	image_put(image);
}

/** What the progress line wrote, through a console of our own */
static char meter_out[1024];
static size_t meter_len;

static void meter_putchar(int c)
{
	if (meter_len + 1 < sizeof(meter_out))
		meter_out[meter_len++] = (char)c;
	meter_out[meter_len] = '\0';
}

static struct console_driver meter_test_console __console_driver = {
	.name = "meter-test",
	.putchar = meter_putchar,
	.usage = CONSOLE_USAGE_STDOUT,
	.disabled = 1,
};

/** Mute every other console (@mute), or restore them (!@mute) */
static void other_consoles(int mute)
{
	static int saved[16];
	struct console_driver *console;
	unsigned int i = 0;

	for_each_table_entry(console, CONSOLES) {
		if (console == &meter_test_console || i >= ARRAY_SIZE(saved))
			continue;
		if (mute) {
			saved[i] = console->disabled;
			console->disabled = 1;
		} else {
			console->disabled = saved[i];
		}
		i++;
	}
}

/** Download @uri loudly, capturing the output; @serial: a serial console */
static int loud_fetch(const char *uri, unsigned long timeout, int serial)
{
	struct image *image;
	int rc;

	meter_len = 0;
	meter_out[0] = '\0';
	/* Only this console decides whether the meter may redraw in place */
	other_consoles(1);
	meter_test_console.serial = serial;
	meter_test_console.disabled = 0;
	rc = imgdownload_string(uri, NULL, timeout, 0, &image);
	meter_test_console.disabled = 1;
	meter_test_console.serial = 0;
	other_consoles(0);
	if (image)
		image_put(image);
	return rc;
}

/** The progress line, as commands show it */
static void downloader_loud_test(void)
{
	const char *p;
	unsigned int lines = 0;

	/* Quick: one line */
	ok(loud_fetch("test:sub.ipxe", 0, 0) == 0);
	ok(strcmp(meter_out, "test:sub.ipxe... ok\n") == 0);
	ok(fails(loud_fetch("test:fail", 0, 0), ENOENT));
	ok(strcmp(meter_out, "test:fail... failed\nCould not fetch test:fail: "
			     "Not found (TEST 404 Not Found)\n") == 0);
	ok(fails(loud_fetch("nosuch:x", 0, 0), ENOTSUP));
	ok(strncmp(meter_out, "Could not fetch nosuch:x: ", 26) == 0);
	/* A serial console: a line at each 10%, then the result again */
	ok(loud_fetch("test:bighint", 0, 1) == 0);
	for (p = meter_out; (p = strstr(p, "%")); p++)
		lines++;
	ok(lines == 9 && strstr(meter_out, "test:bighint...\n  ") == meter_out);
	ok(strstr(meter_out, " 10% ") && strstr(meter_out, " 90% ") &&
	   !strstr(meter_out, "\r"));
	ok(strstr(meter_out, "\ntest:bighint... ok\n") &&
	   meter_out[meter_len - 1] == '\n');
	/* A terminal: updated in place after a second, blanked at the end */
	ok(fails(loud_fetch("test:hang", 2500, 0), ETIMEDOUT));
	ok(strncmp(meter_out, "test:hang...\rtest:hang... 0 bytes 0 KiB/s",
		   41) == 0);
	ok(strstr(meter_out, "\rtest:hang... failed    ") != NULL);
	ok(strstr(meter_out, "failed") && !strstr(meter_out, "failed\r"));
}

static void downloader_test_exec(void)
{
	struct heap_stats before;
	struct image *image, *tmp;

	test_big_init();
	heap_stats(&before);
	downloader_fetch_test();
	downloader_cancel_test();
	downloader_object_test();
	downloader_loud_test();
	list_for_each_entry_safe(image, tmp, &images, list)
		unregister_image(image);
	ok(test_sources_live == 0);
	ok(heap_same(&before));
}

struct self_test downloader_test __self_test = {
	.name = "downloader",
	.exec = downloader_test_exec,
};

/* ------------------------------------------------------------------------
 * Image commands
 */

static int run(const char *line)
{
	return system(line);
}

static int is(const char *name, const char *value)
{
	char buf[128];

	return fetchf_named_setting(name, buf, sizeof(buf)) ==
		       (int)strlen(value) &&
	       strcmp(buf, value) == 0;
}

static int unset(const char *name)
{
	return fetchf_named_setting(name, NULL, 0) < 0;
}

static void image_fetch_cmd_test(void)
{
	struct image *image;

	ok(find_command("imgfetch") && find_command("module") &&
	   find_command("initrd") && find_command("imgselect") &&
	   find_command("imgload") && find_command("kernel") &&
	   find_command("imgexec") && find_command("chain") &&
	   find_command("boot") && find_command("imgfree") &&
	   find_command("imgstat") && find_command("imgargs"));
	ok(run("imgfetch test://s/boot.ipxe") == 0);
	ok((image = find_image("boot.ipxe")) && !image->cmdline);
	ok(run("initrd --name k test://s/vmlinuz a=1  b") == 0);
	ok((image = find_image("k")) && image->len == 14 &&
	   strcmp(image->cmdline, "a=1 b") == 0);
	ok(run("module -n m --autofree test:empty") == 0);
	ok((image = find_image("m")) && (image->flags & IMAGE_AUTO_UNREGISTER));
	ok(run("imgstat") == 0 && run("imgstat k m") == 0);
	ok(run("imgargs k x y") == 0);
	ok((image = find_image("k")) && strcmp(image->cmdline, "x y") == 0);
	ok(run("imgargs k") == 0 && (image = find_image("k")) &&
	   !image->cmdline);
	/* An existing name is used, not fetched; --name renames it */
	test_opens = 0;
	ok(run("imgfetch --name k2 k arg") == 0 && test_opens == 0);
	ok(!find_image("k") && (image = find_image("k2")) &&
	   strcmp(image->cmdline, "arg") == 0);
	/* Renaming onto another image's name replaces that image */
	ok(run("imgfetch --name m k2") == 0);
	ok(!find_image("k2") && (image = find_image("m")) && image->len == 14);
	ok(run("imgfree m") == 0 && !find_image("m"));
}

static void image_select_cmd_test(void)
{
	struct image *image;

	/* This build boots scripts only: a kernel cannot be selected */
	ok(fails(run("kernel test://s/vmlinuz console=ttyS0"), ENOEXEC));
	ok((image = find_image("vmlinuz")) && !(image->flags & IMAGE_SELECTED));
	ok(fails(run("boot"), ENOENT));
	ok(run("imgselect boot.ipxe") == 0);
	ok((image = find_image("boot.ipxe")) &&
	   (image->flags & IMAGE_SELECTED) && find_selected_image() == image);
	ok(run("imgload test://s/sub.ipxe") == 0);
	ok(find_selected_image() == find_image("sub.ipxe"));
	ok(!(find_image("boot.ipxe")->flags & IMAGE_SELECTED));
	ok(run("imgselect boot.ipxe") == 0);
	/* boot runs the selected script, which chains a relative one */
	ok(run("boot") == 0);
	ok(is("boot-cwuri", "test://s/boot.ipxe"));
	ok(is("sub-ran", "yes") && is("sub-cwuri", "test://s/sub.ipxe"));
	ok(cwuri == NULL);
}

static void image_exec_cmd_test(void)
{
	struct image *image;

	/* --replace: the caller's remaining lines never run */
	ok(run("chain test://s/replace.ipxe") == 0);
	ok(is("sub2-ran", "test://s/sub2.ipxe") && unset("after-replace"));
	ok(run("clear sub2-ran") == 0);
	/* At the shell there is nothing to replace: it simply runs */
	ok(run("chain --replace --autofree test://s/sub2.ipxe") == 0);
	ok(is("sub2-ran", "test://s/sub2.ipxe") && !find_image("sub2.ipxe"));
	/* A name, with arguments */
	ok(run("imgfetch test://s/sub2.ipxe") == 0);
	ok(run("clear sub2-ran") == 0);
	ok(run("chain sub2.ipxe some args") == 0);
	ok(is("sub2-ran", "test://s/sub2.ipxe"));
	ok((image = find_image("sub2.ipxe")) &&
	   strcmp(image->cmdline, "some args") == 0);
	/* A script's exit status comes back */
	ok(run("chain test://s/exit3.ipxe") == 3 && unset("not-here"));
	/* Errors */
	ok(fails(run("chain test://s/vmlinuz"), ENOEXEC));
	ok(fails(run("chain test://s/fail"), ENOENT));
	ok(fails(run("chain ftp://server/x"), ENOTSUP));
	ok(fails(run("chain nosuch.ipxe"), ENOTSUP));
	ok(fails(run("chain --timeout 20 test://s/hang"), ETIMEDOUT));
	ok(fails(run("imgexec --timeout x test://s/hang"), EINVAL));
	ok(run("imgfetch --replace test:empty") < 0);
	ok(run("imgfetch") < 0 && run("kernel") < 0 && run("imgargs") < 0);
	ok(fails(run("imgfree nosuch"), ENOENT));
	ok(fails(run("imgstat nosuch"), ENOENT));
	ok(fails(run("imgargs nosuch x"), ENOENT));
	ok(run("imgfree --bogus") < 0);
	ok(run("chain --help") == 0 && run("initrd --help") == 0);
	/* imgfree with no names frees everything */
	ok(run("imgfree") == 0 && list_empty(&images));
	ok(fails(run("boot"), ENOENT));
}

static void image_test_exec(void)
{
	struct heap_stats before;

	test_big_init();
	heap_stats(&before);
	image_fetch_cmd_test();
	image_select_cmd_test();
	image_exec_cmd_test();
	run("imgfree");
	run("clear boot-cwuri");
	run("clear sub-ran");
	run("clear sub-cwuri");
	run("clear sub2-ran");
	ok(test_sources_live == 0);
	ok(heap_same(&before));
}

struct self_test image_test __self_test = {
	.name = "image",
	.exec = image_test_exec,
};
