/* Fuzz target: HTTP responses into the parser alone, and into whole downloads
 * over a fake connection. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/http.h>
#include <keel/in.h>
#include <keel/iobuf.h>
#include <keel/params.h>
#include <keel/process.h>
#include <keel/timer.h>
#include <keel/uri.h>
#include <keel/xfer.h>
#include "fuzz.h"
#include "fuzzlib.h"

REQUIRE_OBJECT(linux_memory);

/* ------------------------------------------------------------------------
 * The parser alone: responses one after another, fed in pieces
 */

static struct http_rx fuzz_rx;

/** Check what one step said against what it was given */
static void fuzz_rx_check(int ev, size_t len, size_t used, size_t body)
{
	if (used > len || body > used || (ev != HTTP_RX_BODY && body) ||
	    (ev == HTTP_RX_MORE && used != len) ||
	    (ev == HTTP_RX_BODY && !body))
		__builtin_trap();
}

/** Parse one stream of responses in pieces of @piece bytes */
static void fuzz_parser(const unsigned char *data, unsigned long len,
			size_t piece, int head)
{
	const char *text = (const char *)data;
	uint64_t bodies = 0;
	size_t pos = 0, end, used, body;
	int ev;

	http_rx_reset(&fuzz_rx);
	while (pos < len) {
		end = (len - pos > piece) ? pos + piece : len;
		ev = http_rx_step(&fuzz_rx, text + pos, end - pos, &used,
				  &body);
		fuzz_rx_check(ev, end - pos, used, body);
		pos += used;
		if (ev < 0)
			break;
		if (ev == HTTP_RX_HEADERS) {
			if (http_rx_set_framing(&fuzz_rx, head) < 0)
				break;
			if (fuzz_rx.resp.status < 100 ||
			    fuzz_rx.resp.status > 599)
				__builtin_trap();
			bodies = 0;
		} else if (ev == HTTP_RX_BODY) {
			bodies += body;
			if (fuzz_rx.framing == HTTP_BODY_LENGTH &&
			    bodies > fuzz_rx.resp.content_length)
				__builtin_trap();
		} else if (ev == HTTP_RX_COMPLETE) {
			/* Keep-alive: the next response follows */
			http_rx_reset(&fuzz_rx);
		}
	}
	http_rx_eof(&fuzz_rx);
	http_rx_free(&fuzz_rx);
}

/** The chunked decoder alone, on the same bytes */
static void fuzz_chunked(const unsigned char *data, unsigned long len)
{
	struct http_chunked ch;
	size_t pos = 0, used, body;
	int rc;

	memset(&ch, 0, sizeof(ch));
	while (pos < len) {
		rc = http_chunked_step(&ch, (const char *)data + pos, len - pos,
				       &used, &body);
		/* It stops after data, at the end, on an error, or at the end
		 * of the input */
		if (used > len - pos || body > used ||
		    (rc == 0 && !body && used != len - pos) ||
		    (rc > 0 && ch.state != HTTP_CHUNK_DONE))
			__builtin_trap();
		pos += used;
		if (rc)
			break;
	}
}

/** Challenges, ranges and answers: nothing may crash or overrun */
static void fuzz_fields(const unsigned char *data, unsigned long len)
{
	struct http_digest_input in = {"user", "pass", "GET", "/x", "c", 1};
	struct http_challenge chal;
	struct http_range range;
	char *text = malloc(len + 1), *value;

	if (!text)
		return;
	memcpy(text, data, len);
	text[len] = '\0';
	if (http_parse_challenges(text, &chal) == 0 &&
	    (value = http_authorization(&chal, &in)))
		free(value);
	if (http_parse_content_range(text, &range) == 0 && !range.unsatisfied &&
	    range.last < range.first)
		__builtin_trap();
	free(text);
}

/* ------------------------------------------------------------------------
 * Whole downloads: the opener over fake connections
 */

/*
 * After a first byte choosing the method, the input is a list of events,
 * each a control byte, then (for data) a 16-bit length and that many
 * bytes. The control byte's low bits choose: 0 data from the server, 1
 * the server closes, 2 it resets, 3 time passes, 4 the consumer seeks, 5
 * the consumer cancels, 6 the next connection is refused, 7 one step.
 */
enum fuzz_kind {
	FUZZ_DATA,
	FUZZ_CLOSE,
	FUZZ_RESET,
	FUZZ_TIME,
	FUZZ_SEEK,
	FUZZ_CANCEL,
	FUZZ_REFUSE,
	FUZZ_STEP,
};

struct fuzz_event {
	enum fuzz_kind kind;
	const char *data;
	size_t len;
};

/** Read the event at *@pos; 0 at the end */
static int fuzz_next(const unsigned char *data, unsigned long len,
		     unsigned long *pos, struct fuzz_event *ev)
{
	size_t n;

	if (*pos >= len)
		return 0;
	ev->kind = (enum fuzz_kind)(data[(*pos)++] & 7);
	ev->data = NULL;
	ev->len = 0;
	if (ev->kind != FUZZ_DATA && ev->kind != FUZZ_SEEK)
		return 1;
	if (*pos + 2 > len)
		return 0;
	n = ((size_t)data[*pos] << 8) | data[*pos + 1];
	*pos += 2;
	if (ev->kind == FUZZ_SEEK) {
		ev->len = n;
		return 1;
	}
	if (n > len - *pos)
		n = len - *pos;
	ev->data = (const char *)data + *pos;
	ev->len = n;
	*pos += n;
	return 1;
}

/** A connection to the fake server: what the client sends is dropped */
struct fuzz_conn {
	struct refcnt refcnt;
	struct interface xfer;
};

/** The newest connection (our reference), and connections refused */
static struct fuzz_conn *fuzz_conn;
static int fuzz_refuse;

static int fuzz_conn_deliver(struct fuzz_conn *conn, struct io_buffer *iobuf,
			     struct xfer_metadata *meta)
{
	(void)conn;
	(void)meta;
	free_iob(iobuf);
	return 0;
}

static void fuzz_conn_close(struct fuzz_conn *conn, int rc)
{
	intf_shutdown(&conn->xfer, rc);
}

static struct interface_operation fuzz_conn_ops[] = {
	INTF_OP(xfer_deliver, struct fuzz_conn *, fuzz_conn_deliver),
	INTF_OP(intf_close, struct fuzz_conn *, fuzz_conn_close),
};
static struct interface_descriptor fuzz_conn_desc =
	INTF_DESC(struct fuzz_conn, xfer, fuzz_conn_ops);

static int fuzz_connect(struct interface *xfer, struct sockaddr *peer,
			const char *host)
{
	struct fuzz_conn *conn;

	(void)peer;
	(void)host;
	if (fuzz_refuse) {
		fuzz_refuse--;
		return -ECONNREFUSED;
	}
	if (!(conn = zalloc(sizeof(*conn))))
		return -ENOMEM;
	ref_init(&conn->refcnt, NULL);
	intf_init(&conn->xfer, &fuzz_conn_desc, &conn->refcnt);
	intf_plug_plug(&conn->xfer, xfer);
	if (fuzz_conn)
		ref_put(&fuzz_conn->refcnt);
	fuzz_conn = conn;
	return 0;
}

/** The consumer: checks positions, refuses data past 64 KiB */
struct fuzz_sink {
	struct refcnt refcnt;
	struct interface xfer;
	int closed;
};

static int fuzz_sink_deliver(struct fuzz_sink *sink, struct io_buffer *iobuf,
			     struct xfer_metadata *meta)
{
	size_t len = iob_len(iobuf);

	(void)sink;
	free_iob(iobuf);
	if (meta->flags & XFER_FL_SIZE_HINT)
		return len ? (__builtin_trap(), 0) : 0;
	if (!(meta->flags & XFER_FL_ABS_OFFSET) || !len)
		__builtin_trap();
	return (meta->offset + len > 65536) ? -ENOSPC : 0;
}

static void fuzz_sink_close(struct fuzz_sink *sink, int rc)
{
	sink->closed++;
	intf_shutdown(&sink->xfer, rc);
}

static struct interface_operation fuzz_sink_ops[] = {
	INTF_OP(xfer_deliver, struct fuzz_sink *, fuzz_sink_deliver),
	INTF_OP(intf_close, struct fuzz_sink *, fuzz_sink_close),
};
static struct interface_descriptor fuzz_sink_desc =
	INTF_DESC(struct fuzz_sink, xfer, fuzz_sink_ops);

/** The server sends bytes on the newest connection */
static void fuzz_inject(const char *data, size_t len)
{
	struct io_buffer *iobuf;

	if (!fuzz_conn || !intf_plugged(&fuzz_conn->xfer) ||
	    !(iobuf = alloc_iob(len)))
		return;
	memcpy(iob_put(iobuf, len), data, len);
	xfer_deliver(&fuzz_conn->xfer, iobuf, NULL);
}

/** Carry out one event */
static void fuzz_event(struct fuzz_sink *sink, const struct fuzz_event *ev)
{
	switch (ev->kind) {
	case FUZZ_DATA:
		fuzz_inject(ev->data, ev->len);
		break;
	case FUZZ_CLOSE:
	case FUZZ_RESET:
		if (fuzz_conn)
			intf_shutdown(&fuzz_conn->xfer,
				      ev->kind == FUZZ_CLOSE ? 0 : -ECONNRESET);
		break;
	case FUZZ_TIME:
		udelay(2000 * 1000UL);
		step();
		break;
	case FUZZ_SEEK:
		xfer_seek(&sink->xfer, ev->len);
		break;
	case FUZZ_CANCEL:
		intf_shutdown(&sink->xfer, -ECANCELED);
		break;
	case FUZZ_REFUSE:
		fuzz_refuse++;
		break;
	default:
		step();
		break;
	}
}

static void fuzz_download(const unsigned char *data, unsigned long len)
{
	static const char *const uris[] = {
		"http://user:pass@10.0.0.2/dir/file?q=1",
		"http://10.0.0.2/x##params=fuzz",
	};
	struct parameters *params = create_parameters("fuzz");
	enum http_method method = HTTP_GET;
	struct fuzz_sink sink;
	struct fuzz_event ev;
	struct uri *uri;
	unsigned long pos = 1;

	if (len)
		method = (enum http_method)(data[0] % 3);
	if (params)
		add_parameter(params, "k", "v w", PARAMETER_FORM);
	uri = parse_uri(uris[method == HTTP_POST]);
	memset(&sink, 0, sizeof(sink));
	ref_init(&sink.refcnt, ref_no_free);
	intf_init(&sink.xfer, &fuzz_sink_desc, &sink.refcnt);
	if (uri && http_open_method(&sink.xfer, uri, method) == 0) {
		while (fuzz_next(data, len, &pos, &ev) && !sink.closed)
			fuzz_event(&sink, &ev);
	}
	uri_put(uri);
	if (params)
		destroy_parameters(params);
	/* Time passes: retries and timeouts run out, idle connections go */
	fuzz_settle();
	http_pool_flush();
	if (intf_plugged(&sink.xfer))
		__builtin_trap();
	if (fuzz_conn) {
		if (intf_plugged(&fuzz_conn->xfer))
			__builtin_trap();
		ref_put(&fuzz_conn->refcnt);
		fuzz_conn = NULL;
	}
	fuzz_refuse = 0;
}

__export int keel_fuzz_one(const unsigned char *data, unsigned long len)
{
	struct heap_stats before;

	http_tunables.connect = fuzz_connect;
	http_tunables.stall_ms = 10000;
	fuzz_begin(&before);
	fuzz_parser(data, len, len ? (size_t)(data[0] % 23) + 1 : 1, 0);
	fuzz_parser(data, len, len, len && (data[0] & 0x80));
	fuzz_chunked(data, len);
	fuzz_fields(data, len);
	fuzz_download(data, len);
	fuzz_end(&before);
	return 0;
}
