/* Self-tests: interfaces, operation defaults, pass-through, and data transfer.
 */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/test.h>
#include <keel/xfer.h>

/* A sink that collects delivered bytes and closes with a status */
struct sink {
	struct refcnt refcnt;
	struct interface xfer;
	char data[64];
	size_t len;
	size_t window;
	int closed;
	int rc;
};

static int sink_deliver(struct sink *sink, struct io_buffer *iobuf,
			struct xfer_metadata *meta)
{
	size_t len = iob_len(iobuf);

	if (meta->flags & XFER_FL_ABS_OFFSET)
		sink->len = (size_t)meta->offset;
	if (sink->len + len > sizeof(sink->data)) {
		free_iob(iobuf);
		return -ENOBUFS;
	}
	memcpy(sink->data + sink->len, iobuf->data, len);
	sink->len += len;
	free_iob(iobuf);
	return 0;
}

static size_t sink_window(struct sink *sink)
{
	return sink->window;
}

static void sink_close(struct sink *sink, int rc)
{
	sink->closed++;
	sink->rc = rc;
	intf_shutdown(&sink->xfer, rc);
}

static struct interface_operation sink_ops[] = {
	INTF_OP(xfer_deliver, struct sink *, sink_deliver),
	INTF_OP(xfer_window, struct sink *, sink_window),
	INTF_OP(intf_close, struct sink *, sink_close),
};
static struct interface_descriptor sink_desc =
	INTF_DESC(struct sink, xfer, sink_ops);

/* A filter that implements nothing itself and passes everything through */
struct filter {
	struct refcnt refcnt;
	struct interface up;
	struct interface down;
};
static struct interface_operation filter_ops[] = {};
static struct interface_descriptor filter_up_desc =
	INTF_DESC_PASSTHRU(struct filter, up, filter_ops, down);
static struct interface_descriptor filter_down_desc =
	INTF_DESC_PASSTHRU(struct filter, down, filter_ops, up);

/* A source implementing nothing */
struct source {
	struct refcnt refcnt;
	struct interface xfer;
};
static struct interface_descriptor source_desc =
	INTF_DESC_PURE(struct source, xfer);

static void xfer_test_exec(void)
{
	struct sink sink;
	struct source source;
	struct filter filter;
	struct io_buffer *iobuf;

	memset(&sink, 0, sizeof(sink));
	ref_init(&sink.refcnt, ref_no_free);
	intf_init(&sink.xfer, &sink_desc, &sink.refcnt);
	sink.window = 1234;
	ref_init(&source.refcnt, ref_no_free);
	intf_init(&source.xfer, &source_desc, &source.refcnt);

	/* Unplugged: defaults */
	ok(xfer_window(&source.xfer) == 0);
	ok(rc_is(xfer_deliver_raw(&source.xfer, "x", 1), ENOTCONN));
	iobuf = xfer_alloc_iob(&source.xfer, 10);
	ok(iobuf && iob_tailroom(iobuf) >= 10);
	free_iob(iobuf);

	/* Plugged directly */
	intf_plug_plug(&source.xfer, &sink.xfer);
	ok(xfer_window(&source.xfer) == 1234);
	ok(xfer_deliver_raw(&source.xfer, "hello", 5) == 0);
	ok(xfer_printf(&source.xfer, " %s %d", "world", 42) == 0);
	ok(sink.len == 14 && memcmp(sink.data, "hello world 42", 14) == 0);
	ok(xfer_seek(&source.xfer, 6) == 0 && sink.len == 6);
	/* The sink's window is not implemented by the source: default */
	ok(xfer_window(&sink.xfer) == ~(size_t)0);
	ok(rc_is(xfer_deliver_raw(&source.xfer, sink.data, 60), ENOBUFS));

	/* Close travels to the peer, once, and leaves both unplugged */
	intf_shutdown(&source.xfer, -ECONNRESET);
	ok(sink.closed == 1 && rc_is(sink.rc, ECONNRESET));
	ok(!intf_plugged(&source.xfer) && !intf_plugged(&sink.xfer));

	/* Through a pass-through filter */
	ref_init(&filter.refcnt, ref_no_free);
	intf_init(&filter.up, &filter_up_desc, &filter.refcnt);
	intf_init(&filter.down, &filter_down_desc, &filter.refcnt);
	intf_plug_plug(&source.xfer, &filter.up);
	intf_plug_plug(&filter.down, &sink.xfer);
	sink.len = 0;
	ok(xfer_window(&source.xfer) == 1234);
	ok(xfer_deliver_raw(&source.xfer, "via", 3) == 0);
	ok(sink.len == 3 && memcmp(sink.data, "via", 3) == 0);
	intf_close(&source.xfer, -EPIPE);
	ok(sink.closed == 2 && rc_is(sink.rc, EPIPE));
	intf_unplug(&source.xfer);
	intf_unplug(&filter.up);
	intf_unplug(&filter.down);
	/* Every reference was given back */
	ok(sink.refcnt.count == 0 && filter.refcnt.count == 0 &&
	   source.refcnt.count == 0);
}

struct self_test xfer_test __self_test = {
	.name = "xfer",
	.exec = xfer_test_exec,
};
