/* Fuzz target: TFTP datagrams into the session and a download on fake UDP. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/in.h>
#include <keel/iobuf.h>
#include <keel/open.h>
#include <keel/process.h>
#include <keel/tftp.h>
#include <keel/timer.h>
#include <keel/uri.h>
#include <keel/xfer.h>
#include "fuzz.h"
#include "fuzzlib.h"

REQUIRE_OBJECT(linux_memory);

/*
 * The input is a list of events, each a control byte, then (for
 * datagrams) a 16-bit length and that many bytes. The control byte's low
 * bits choose: 0 a datagram from the transfer ID's port, 1 one from
 * another port, 2 a timeout, 3 the consumer cancelling.
 */
#define FUZZ_FROM_TID	0
#define FUZZ_FROM_OTHER 1
#define FUZZ_TIMEOUT	2
#define FUZZ_CANCEL	3

#define FUZZ_TID   3000
#define FUZZ_OTHER 3001

/** One event of the input */
struct fuzz_event {
	unsigned int kind;
	const uint8_t *data;
	size_t len;
};

/** Read the event at *@pos; 0 at the end */
static int fuzz_next(const unsigned char *data, unsigned long len,
		     unsigned long *pos, struct fuzz_event *ev)
{
	size_t n;

	if (*pos >= len)
		return 0;
	ev->kind = data[(*pos)++] & 3;
	ev->data = NULL;
	ev->len = 0;
	if (ev->kind > FUZZ_FROM_OTHER)
		return 1;
	if (*pos + 2 > len)
		return 0;
	n = ((size_t)data[*pos] << 8) | data[*pos + 1];
	*pos += 2;
	if (n > len - *pos)
		n = len - *pos;
	ev->data = data + *pos;
	ev->len = n;
	*pos += n;
	return 1;
}

/* ------------------------------------------------------------------------
 * The session alone, with its invariants checked
 */

static void fuzz_check(const struct tftp_session *s,
		       const struct tftp_action *act,
		       const struct fuzz_event *ev)
{
	static uint8_t pkt[TFTP_MAX_REQUEST];
	const uint8_t *data = act->data;

	if (act->deliver &&
	    (!ev || data < ev->data || data + act->len > ev->data + ev->len ||
	     act->len > s->opts.blksize || !s->blocks ||
	     act->offset != (s->blocks - 1) * s->opts.blksize))
		__builtin_trap();
	if (act->send == TFTP_ACK && act->block != s->last_block)
		__builtin_trap();
	if (act->done && s->phase != TFTP_FINISHED)
		__builtin_trap();
	if (act->send && tftp_build_packet(s, act, pkt, sizeof(pkt)) <= 0)
		__builtin_trap();
}

static void fuzz_session(const unsigned char *data, unsigned long len)
{
	struct tftp_request req = {.filename = "boot.img",
				   .blksize = 1432,
				   .tsize = 1,
				   .windowsize = 8};
	struct tftp_session s;
	struct tftp_action act;
	struct fuzz_event ev;
	unsigned long pos = 0;

	tftp_start(&s, &req, "10.0.0.2", "/boot.img", &act);
	fuzz_check(&s, &act, NULL);
	while (fuzz_next(data, len, &pos, &ev)) {
		if (ev.kind == FUZZ_TIMEOUT) {
			tftp_timeout(&s, &act);
			fuzz_check(&s, &act, NULL);
		} else if (ev.kind == FUZZ_CANCEL) {
			tftp_abort(&s, TFTP_ERR_UNDEFINED, "x", -ECANCELED,
				   &act);
			fuzz_check(&s, &act, NULL);
		} else {
			tftp_rx(&s, ev.kind ? FUZZ_OTHER : FUZZ_TID, ev.data,
				ev.len, &act);
			fuzz_check(&s, &act, &ev);
		}
	}
}

/* ------------------------------------------------------------------------
 * A whole download: the opener, a fake UDP socket, and a consumer
 */

/** The socket the download opens: what it sends is dropped */
struct fuzz_socket {
	struct refcnt refcnt;
	struct interface xfer;
};

static struct fuzz_socket *fuzz_sock;

static void fuzz_socket_free(struct refcnt *refcnt)
{
	free(container_of(refcnt, struct fuzz_socket, refcnt));
}

static int fuzz_socket_deliver(struct fuzz_socket *sock,
			       struct io_buffer *iobuf,
			       struct xfer_metadata *meta)
{
	(void)sock;
	if (!meta->dest)
		__builtin_trap(); /* every packet is addressed */
	free_iob(iobuf);
	return 0;
}

static void fuzz_socket_close(struct fuzz_socket *sock, int rc)
{
	intf_shutdown(&sock->xfer, rc);
	if (fuzz_sock == sock)
		fuzz_sock = NULL;
	ref_put(&sock->refcnt);
}

static struct interface_operation fuzz_socket_ops[] = {
	INTF_OP(xfer_deliver, struct fuzz_socket *, fuzz_socket_deliver),
	INTF_OP(intf_close, struct fuzz_socket *, fuzz_socket_close),
};
static struct interface_descriptor fuzz_socket_desc =
	INTF_DESC(struct fuzz_socket, xfer, fuzz_socket_ops);

static int fuzz_socket_open(struct interface *xfer, struct sockaddr *peer,
			    struct sockaddr *local)
{
	struct fuzz_socket *sock = zalloc(sizeof(*sock));

	(void)peer;
	(void)local;
	if (!sock)
		return -ENOMEM;
	ref_init(&sock->refcnt, fuzz_socket_free);
	intf_init(&sock->xfer, &fuzz_socket_desc, &sock->refcnt);
	intf_plug_plug(&sock->xfer, xfer);
	fuzz_sock = sock; /* the list's reference, dropped on close */
	return 0;
}

/* The only datagram socket opener in this image (udp.o is not linked) */
struct socket_opener fuzz_socket_opener __socket_opener = {
	.semantics = SOCK_DGRAM,
	.family = AF_INET,
	.open = fuzz_socket_open,
};

/** The consumer: checks positions, and refuses data past 64 KiB */
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
	if (!(meta->flags & XFER_FL_ABS_OFFSET) || len > TFTP_MAX_BLKSIZE)
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

/** Hand a datagram from 10.0.0.2:@port to the download */
static void fuzz_inject(uint16_t port, const uint8_t *data, size_t len)
{
	struct sockaddr_in src;
	struct xfer_metadata meta;
	struct io_buffer *iobuf;

	if (!fuzz_sock || !(iobuf = alloc_iob(len)))
		return;
	memcpy(iob_put(iobuf, len), data, len);
	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_port = htons(port);
	src.sin_addr.s_addr = htonl(0x0a000002);
	memset(&meta, 0, sizeof(meta));
	meta.src = &src;
	xfer_deliver(&fuzz_sock->xfer, iobuf, &meta);
}

static void fuzz_download(const unsigned char *data, unsigned long len)
{
	struct uri_opener *opener;
	struct fuzz_sink sink;
	struct fuzz_event ev;
	struct uri uri;
	unsigned long pos = 0;
	unsigned int i;

	memset(&uri, 0, sizeof(uri));
	ref_init(&uri.refcnt, ref_no_free);
	uri.scheme = "tftp";
	uri.host = "10.0.0.2";
	uri.path = "/boot.img";
	memset(&sink, 0, sizeof(sink));
	ref_init(&sink.refcnt, ref_no_free);
	intf_init(&sink.xfer, &fuzz_sink_desc, &sink.refcnt);
	for_each_table_entry(opener, URI_OPENERS) {
		if (strcmp(opener->scheme, "tftp") == 0)
			break;
	}
	if (opener == table_end(URI_OPENERS) ||
	    opener->open(&sink.xfer, &uri) != 0)
		__builtin_trap();
	for (i = 0; i < 4 && !fuzz_sock; i++)
		step(); /* the literal address resolves from a process */
	if (!fuzz_sock)
		__builtin_trap();
	while (fuzz_next(data, len, &pos, &ev)) {
		if (ev.kind == FUZZ_TIMEOUT) {
			udelay(TFTP_MAX_TIMEOUT_MS * 1000UL);
			step();
		} else if (ev.kind == FUZZ_CANCEL) {
			intf_shutdown(&sink.xfer, -ECANCELED);
		} else {
			fuzz_inject(ev.kind ? FUZZ_OTHER : FUZZ_TID, ev.data,
				    ev.len);
		}
	}
	/* Time passes: the retries run out and everything is let go */
	fuzz_settle();
	if (intf_plugged(&sink.xfer) || fuzz_sock)
		__builtin_trap();
}

__export int keel_fuzz_one(const unsigned char *data, unsigned long len)
{
	struct heap_stats before;

	fuzz_begin(&before);
	fuzz_session(data, len);
	fuzz_download(data, len);
	fuzz_end(&before);
	return 0;
}
