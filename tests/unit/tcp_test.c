/* Self-tests: TCP over a lossy loopback wire (drop, reorder, duplicate), sequence arithmetic, malformed segments. */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/init.h>
#include <keel/iobuf.h>
#include <keel/malloc.h>
#include <keel/netdevice.h>
#include <keel/process.h>
#include <keel/tcp.h>
#include <keel/tcpip.h>
#include <keel/test.h>
#include <keel/timer.h>
#include <keel/xfer.h>

/*
 * Both ends of every connection live in this one stack. A test-only
 * network protocol (address family AF_TEST, one address for everybody)
 * captures what TCP sends into a queue, the "wire"; the harness loops it
 * back into tcpip_rx(), where the destination port picks the connection.
 * The wire drops, duplicates and delays (so reorders) packets with the
 * seeded test_random(), and counts time in harness iterations.
 */

#define AF_TEST 0x7e
#define TEST_ADDR 0x0a00020fU
#define TEST_PORT 4242
#define TEST_PORT_CLOSED 4243
/** A peer played by the test itself: what is sent to it is only recorded */
#define TEST_PORT_RAW 4244

/** A socket address of the test family */
struct sockaddr_test {
	sa_family_t family;
	uint16_t flags;
	uint16_t port;
	uint16_t scope_id;
	uint32_t addr;
	char pad[SA_LEN - 4 * sizeof(uint16_t) - sizeof(uint32_t)];
};

/** What the wire keeps in front of a packet */
struct wire_hdr {
	unsigned long due;
	uint32_t src, dest;
};

/** The test family's pseudo-header */
struct wire_pshdr {
	uint32_t src, dest;
	uint8_t zero, proto;
	uint16_t len;
} __attribute__((packed));

static struct {
	struct list_head queue;
	/** Harness iterations so far */
	unsigned long iter;
	/** Percent dropped, percent duplicated; extra delay up to @delay */
	unsigned int drop, dup, delay;
	/** Drop everything */
	int down;
	unsigned int sent, dropped;
	/** Last header sent by the server port, by any other, to the raw peer */
	struct tcp_header last_srv, last_cli, last_raw;
	unsigned int raw_count;
	/** Options of the last segment to the raw peer */
	uint8_t raw_opts[40];
	size_t raw_olen;
} wire = { .queue = LIST_HEAD_INIT(wire.queue) };

/** Checksum of the test pseudo-header */
static uint16_t wire_pshdr_csum(uint32_t src, uint32_t dest, size_t len)
{
	struct wire_pshdr ps = { .src = src, .dest = dest, .proto = IP_TCP,
				 .len = htons((uint16_t)len) };

	return tcpip_chksum(&ps, sizeof(ps));
}

/** Put a packet on the wire, due after @delay iterations */
static void wire_queue(struct io_buffer *iobuf, const struct wire_hdr *hdr,
		       unsigned long delay)
{
	struct wire_hdr h = *hdr;

	h.due = wire.iter + 1 + delay;
	memcpy(iob_push(iobuf, sizeof(h)), &h, sizeof(h));
	list_add_tail(&iobuf->list, &wire.queue);
}

static int wire_tx(struct io_buffer *iobuf, struct tcpip_protocol *proto,
		   struct sockaddr_tcpip *st_src, struct sockaddr_tcpip *st_dest,
		   struct net_device *netdev, uint16_t *trans_csum)
{
	struct sockaddr_test *src = (struct sockaddr_test *)st_src;
	struct sockaddr_test *dest = (struct sockaddr_test *)st_dest;
	struct wire_hdr hdr = { 0, (src && src->addr) ? src->addr : TEST_ADDR,
				dest->addr };
	struct io_buffer *copy;
	struct tcp_header th;

	(void)proto;
	(void)netdev;
	if (trans_csum) {
		*trans_csum = tcpip_continue_chksum(*trans_csum,
			&(struct wire_pshdr){ hdr.src, hdr.dest, 0, IP_TCP,
					      htons((uint16_t)iob_len(iobuf)) },
			sizeof(struct wire_pshdr));
	}
	memcpy(&th, iobuf->data, sizeof(th));
	if (th.src == htons(TEST_PORT))
		wire.last_srv = th;
	else
		wire.last_cli = th;
	wire.sent++;
	if (th.dest == htons(TEST_PORT_RAW)) {
		wire.last_raw = th;
		wire.raw_count++;
		wire.raw_olen = (size_t)(th.hlen >> 4) * 4 - sizeof(th);
		if (wire.raw_olen > sizeof(wire.raw_opts))
			wire.raw_olen = 0;
		memcpy(wire.raw_opts, (uint8_t *)iobuf->data + sizeof(th),
		       wire.raw_olen);
		free_iob(iobuf);
		return 0;
	}
	if (wire.down || test_random() % 100 < wire.drop) {
		wire.dropped++;
		free_iob(iobuf);
		return 0;
	}
	if (test_random() % 100 < wire.dup && (copy = iob_dup(iobuf)) != NULL)
		wire_queue(copy, &hdr, wire.delay ? test_random() % (wire.delay + 1) : 0);
	wire_queue(iobuf, &hdr, wire.delay ? test_random() % (wire.delay + 1) : 0);
	return 0;
}

static struct net_device wire_netdev = { .mtu = 1500 };

static struct net_device *wire_route(struct sockaddr_tcpip *st_dest)
{
	(void)st_dest;
	return &wire_netdev;
}

struct tcpip_net_protocol wire_protocol __tcpip_net_protocol = {
	.name = "test",
	.sa_family = AF_TEST,
	.header_len = 20,
	.tx = wire_tx,
	.netdev = wire_route,
};

/** Hand a raw segment to TCP as if it came from @src to @dest */
static int wire_inject(struct io_buffer *iobuf, uint32_t src, uint32_t dest)
{
	struct sockaddr_test st_src = { .family = AF_TEST, .addr = src };
	struct sockaddr_test st_dest = { .family = AF_TEST, .addr = dest };

	return tcpip_rx(iobuf, NULL, IP_TCP, (struct sockaddr_tcpip *)&st_src,
			(struct sockaddr_tcpip *)&st_dest,
			wire_pshdr_csum(src, dest, iob_len(iobuf)));
}

/** One iteration: deliver every packet that is due */
static void wire_deliver(void)
{
	LIST_HEAD(due);
	struct io_buffer *iobuf, *tmp;
	struct wire_hdr hdr;

	wire.iter++;
	list_for_each_entry_safe(iobuf, tmp, &wire.queue, list) {
		memcpy(&hdr, iobuf->data, sizeof(hdr));
		if (hdr.due <= wire.iter) {
			list_del(&iobuf->list);
			list_add_tail(&iobuf->list, &due);
		}
	}
	list_for_each_entry_safe(iobuf, tmp, &due, list) {
		list_del(&iobuf->list);
		memcpy(&hdr, iob_pull(iobuf, sizeof(hdr)), sizeof(hdr));
		wire_inject(iobuf, hdr.src, hdr.dest);
	}
}

/** Empty the wire and set its faults */
static void wire_reset(unsigned int drop, unsigned int dup,
		       unsigned int delay)
{
	struct io_buffer *iobuf, *tmp;

	list_for_each_entry_safe(iobuf, tmp, &wire.queue, list)
		free_iob(iobuf);
	wire.drop = drop;
	wire.dup = dup;
	wire.delay = delay;
	wire.down = 0;
	wire.sent = wire.dropped = 0;
}

/* ------------------------------------------------------------------------
 * An endpoint: sends a pattern, checks the pattern it receives
 */

struct end {
	struct refcnt refcnt;
	struct interface xfer;
	/** Pattern of what we send (the peer checks the other) */
	unsigned int stream;
	size_t to_send, sent, expect, received;
	/** Consumer window: accept this many bytes in all (~0: no limit) */
	size_t rx_limit;
	/** Largest delivery we make */
	size_t chunk;
	/** First bad byte received, or ~0 */
	size_t bad_at;
	/** Close when everything is sent and received; half-close instead */
	int close_when_done, half_close;
	int closing, half_closed, closed, rc;
};

static struct end cli, srv;

static inline uint8_t end_pattern(unsigned int stream, size_t i)
{
	return (uint8_t)((i * 131 + stream * 17) ^ (i >> 11));
}

static void end_close(struct end *end, int rc)
{
	end->closed++;
	end->rc = rc;
	intf_shutdown(&end->xfer, rc);
}

/** Close or half-close once the work is done */
static void end_check_done(struct end *end)
{
	if (end->closing || end->closed || end->sent != end->to_send)
		return;
	if (end->half_close && !end->half_closed) {
		end->half_closed = 1;
		ok(tcp_shutdown_write(&end->xfer) == 0);
	}
	if (end->close_when_done && end->received == end->expect) {
		end->closing = 1;
		intf_shutdown(&end->xfer, 0);
	}
}

static int end_deliver(struct end *end, struct io_buffer *iobuf,
		       struct xfer_metadata *meta)
{
	const uint8_t *data = iobuf->data;
	size_t i, len = iob_len(iobuf);

	(void)meta;
	for (i = 0; i < len; i++) {
		if (data[i] != end_pattern(end->stream ^ 1, end->received + i) &&
		    end->bad_at == ~(size_t)0)
			end->bad_at = end->received + i;
	}
	end->received += len;
	free_iob(iobuf);
	end_check_done(end);
	return 0;
}

static size_t end_window(struct end *end)
{
	if (end->rx_limit == ~(size_t)0)
		return ~(size_t)0;
	return end->rx_limit > end->received ? end->rx_limit - end->received :
					       0;
}

/** Deliver as much as the connection takes, in chunks of varied size */
static void end_pump(struct end *end)
{
	struct io_buffer *iobuf;
	size_t len, win, i;
	uint8_t *data;

	while (!end->closed && !end->closing && !end->half_closed &&
	       end->sent < end->to_send) {
		win = xfer_window(&end->xfer);
		if (!win)
			break;
		len = 1 + test_random() % end->chunk;
		len = len < win ? len : win;
		if (len > end->to_send - end->sent)
			len = end->to_send - end->sent;
		iobuf = xfer_alloc_iob(&end->xfer, len);
		if (!iobuf)
			break;
		data = iob_put(iobuf, len);
		for (i = 0; i < len; i++)
			data[i] = end_pattern(end->stream, end->sent + i);
		if (xfer_deliver(&end->xfer, iobuf, NULL) != 0)
			break;
		end->sent += len;
	}
	end_check_done(end);
}

static struct interface_operation end_ops[] = {
	INTF_OP(xfer_deliver, struct end *, end_deliver),
	INTF_OP(xfer_window, struct end *, end_window),
	INTF_OP(xfer_window_changed, struct end *, end_pump),
	INTF_OP(intf_close, struct end *, end_close),
};
static struct interface_descriptor end_desc = INTF_DESC(struct end, xfer,
							end_ops);

static void end_init(struct end *end, unsigned int stream, size_t to_send,
		     size_t expect)
{
	memset(end, 0, sizeof(*end));
	ref_init(&end->refcnt, ref_no_free);
	intf_init(&end->xfer, &end_desc, &end->refcnt);
	end->stream = stream;
	end->to_send = to_send;
	end->expect = expect;
	end->rx_limit = ~(size_t)0;
	end->chunk = 12000;
	end->bad_at = ~(size_t)0;
}

/** Server listening on TEST_PORT, client connecting to @port */
static void pair_open(unsigned int port)
{
	struct sockaddr_test local = { .family = AF_TEST,
				       .port = htons(TEST_PORT) };
	struct sockaddr_test peer = { .family = AF_TEST, .port = htons(port),
				      .addr = TEST_ADDR };

	ok(tcp_listen(&srv.xfer, (struct sockaddr *)&local) == 0);
	ok(tcp_open(&cli.xfer, (struct sockaddr *)&peer, NULL) == 0);
}

/* ------------------------------------------------------------------------
 * Running
 */

static int both_closed(void)
{
	return cli.closed && srv.closed;
}

static int cli_closed(void)
{
	return cli.closed;
}

static int all_gone(void)
{
	return tcp_count() == 0;
}

static int established(void)
{
	return xfer_window(&cli.xfer) && xfer_window(&srv.xfer);
}

/**
 * Run the wire and the scheduler until @done or @ms pass.
 *
 * @ret ok	true if @done became true
 */
static int run_until(int (*done)(void), unsigned long ms)
{
	unsigned long start = currticks();

	while (!done()) {
		if (currticks() - start > ms)
			return 0;
		wire_deliver();
		end_pump(&cli);
		end_pump(&srv);
		step();
		if (list_empty(&wire.queue))
			udelay(100);
	}
	return 1;
}

/*
 * Bounds on run_until() are generous: a healthy run takes a fraction of
 * them, and under valgrind on a loaded machine they still hold.
 */
#define SHORT_MS 5000
#define LONG_MS 20000

/** Run for @ms whatever happens */
static void run_for(unsigned long ms)
{
	unsigned long start = currticks();

	while (currticks() - start <= ms) {
		wire_deliver();
		step();
		udelay(100);
	}
}

/** Timings that keep the tests fast */
static void tunables_fast(void)
{
	tcp_tunables.rto_initial = 20;
	tcp_tunables.rto_min = 5;
	tcp_tunables.rto_max = 100;
	tcp_tunables.max_retries = 12;
	tcp_tunables.time_wait = 20;
	tcp_tunables.fin_wait = 2000;
	/* Both directions cross 2^32 within the first megabyte */
	tcp_tunables.iss = 0xfff80000U;
}

/** True if the heap holds what it held before */
static int heap_same(const struct heap_stats *before)
{
	struct heap_stats now;

	heap_stats(&now);
	return now.used == before->used && now.blocks == before->blocks;
}

/** End of a test: every connection gone, the wire empty, no leak */
static void finish(const struct heap_stats *before)
{
	if (!cli.closed && intf_plugged(&cli.xfer))
		intf_shutdown(&cli.xfer, -ECANCELED);
	if (!srv.closed && intf_plugged(&srv.xfer))
		intf_shutdown(&srv.xfer, -ECANCELED);
	ok(run_until(all_gone, SHORT_MS));
	wire_reset(0, 0, 0);
	ok(!intf_plugged(&cli.xfer) && !intf_plugged(&srv.xfer));
	ok(cli.refcnt.count == 0 && srv.refcnt.count == 0);
	ok(heap_same(before));
}

/* ------------------------------------------------------------------------
 * Tests
 */

static void tcp_seq_test(void)
{
	ok(tcp_seq_before(1, 2) && !tcp_seq_before(2, 1));
	ok(!tcp_seq_before(5, 5) && tcp_seq_before_eq(5, 5));
	ok(tcp_seq_before(0xfffffff0U, 0x10) && tcp_seq_after(0x10, 0xfffffff0U));
	ok(tcp_seq_before(0xffffffffU, 0) && tcp_seq_after(0, 0xffffffffU));
	ok(tcp_seq_after_eq(0, 0) && tcp_seq_after_eq(3, 0xfffffffdU));
	ok(!tcp_seq_after_eq(0xfffffffdU, 3));
	ok(tcp_seq_before(0x7ffffffeU, 0x7fffffffU));
	ok(tcp_seq_after(0x80000000U, 0x7fffffffU));
	ok(tcp_seq_before(0x80000001U, 0x00000000U)); /* over half away */
	ok(tcp_seq_in(0, 0xfffffff0U, 0x10) && tcp_seq_in(0xfffffff0U,
							  0xfffffff0U, 0x10));
	ok(!tcp_seq_in(0x10, 0xfffffff0U, 0x10) &&
	   !tcp_seq_in(0xffffffefU, 0xfffffff0U, 0x10));
	ok(!tcp_seq_in(7, 7, 7));
}

/** Transfer @len bytes each way under the given faults; client closes */
static void tcp_transfer_test(size_t len, unsigned int drop,
			      unsigned int dup, unsigned int delay)
{
	struct heap_stats before;
	struct tcp_stats stats = tcp_stats;

	heap_stats(&before);
	wire_reset(drop, dup, delay);
	end_init(&srv, 0, len, len);
	end_init(&cli, 1, len, len);
	cli.close_when_done = 1;
	pair_open(TEST_PORT);
	ok(run_until(both_closed, LONG_MS));
	ok(cli.received == len && cli.bad_at == ~(size_t)0);
	ok(srv.received == len && srv.bad_at == ~(size_t)0);
	ok(cli.sent == len && srv.sent == len);
	ok(cli.rc == 0 && srv.rc == 0);
	if (drop)
		ok(tcp_stats.retransmits > stats.retransmits);
	finish(&before);
}

static void tcp_handshake_test(void)
{
	struct heap_stats before;
	struct tcp_stats stats = tcp_stats;

	heap_stats(&before);
	wire_reset(0, 0, 0);
	end_init(&srv, 0, 0, 0);
	end_init(&cli, 1, 0, 0);
	/* No retransmission, however slowly this runs */
	tcp_tunables.rto_initial = 10000;
	pair_open(TEST_PORT);
	/* Nothing may be sent before the connection is open */
	ok(xfer_window(&cli.xfer) == 0);
	ok(run_until(established, SHORT_MS));
	ok(xfer_window(&cli.xfer) == TCP_SNDBUF);
	ok(tcp_count() == 2);
	/* SYN, SYN-ACK, ACK */
	ok(tcp_stats.segments_sent - stats.segments_sent == 3);
	ok(tcp_stats.retransmits == stats.retransmits);
	tunables_fast();
	/* The server closes first this time */
	intf_shutdown(&srv.xfer, 0);
	srv.closed = 1;
	ok(run_until(cli_closed, SHORT_MS) && cli.rc == 0);
	finish(&before);
}

/** The server closes after its work; then both at once (CLOSING) */
static void tcp_close_test(void)
{
	struct heap_stats before;

	heap_stats(&before);
	wire_reset(0, 0, 0);
	end_init(&srv, 0, 100000, 5000);
	end_init(&cli, 1, 5000, 100000);
	srv.close_when_done = 1;
	pair_open(TEST_PORT);
	ok(run_until(both_closed, SHORT_MS));
	ok(cli.received == 100000 && srv.received == 5000);
	ok(cli.rc == 0 && srv.rc == 0 && cli.bad_at == ~(size_t)0);
	finish(&before);

	heap_stats(&before);
	end_init(&srv, 0, 3000, 3000);
	end_init(&cli, 1, 3000, 3000);
	srv.close_when_done = cli.close_when_done = 1;
	pair_open(TEST_PORT);
	ok(run_until(both_closed, SHORT_MS));
	ok(cli.received == 3000 && srv.received == 3000);
	ok(cli.rc == 0 && srv.rc == 0);
	finish(&before);
}

/** Half-close: the client's FIN, then the server's data still arrives */
static void tcp_half_close_test(void)
{
	struct heap_stats before;

	heap_stats(&before);
	wire_reset(5, 0, 2);
	end_init(&srv, 0, 200000, 300000);
	end_init(&cli, 1, 300000, 200000);
	cli.half_close = 1;
	pair_open(TEST_PORT);
	ok(run_until(both_closed, LONG_MS));
	ok(cli.half_closed && cli.received == 200000 && srv.received == 300000);
	ok(cli.rc == 0 && srv.rc == 0 && cli.bad_at == ~(size_t)0 &&
	   srv.bad_at == ~(size_t)0);
	finish(&before);
}

static void tcp_refused_test(void)
{
	struct heap_stats before;
	struct tcp_stats stats = tcp_stats;

	heap_stats(&before);
	wire_reset(0, 0, 0);
	end_init(&srv, 0, 0, 0);
	end_init(&cli, 1, 0, 0);
	pair_open(TEST_PORT_CLOSED);
	ok(run_until(cli_closed, SHORT_MS));
	ok(rc_is(cli.rc, ECONNREFUSED));
	ok(tcp_stats.resets_sent == stats.resets_sent + 1);
	ok(tcp_stats.resets_received == stats.resets_received + 1);
	finish(&before);
}

/** A reset from the peer: only an exact one counts (RFC 5961) */
static void tcp_reset_test(void)
{
	struct heap_stats before;
	struct io_buffer *iobuf;
	struct tcp_header *th;
	uint32_t rcv_nxt;
	int i;

	heap_stats(&before);
	wire_reset(0, 0, 0);
	end_init(&srv, 0, 0, 0);
	end_init(&cli, 1, 0, 0);
	pair_open(TEST_PORT);
	ok(run_until(established, SHORT_MS));
	run_for(10);
	rcv_nxt = ntohl(wire.last_cli.ack);
	for (i = 0; i < 2; i++) {
		iobuf = alloc_iob_headroom(64, sizeof(*th));
		th = iob_put(iobuf, sizeof(*th));
		memset(th, 0, sizeof(*th));
		th->src = htons(TEST_PORT);
		th->dest = wire.last_cli.src;
		th->seq = htonl(rcv_nxt + (i ? 0 : 100));
		th->hlen = 5 << 4;
		th->flags = TCP_RST;
		th->csum = tcpip_chksum(th, sizeof(*th));
		th->csum = tcpip_continue_chksum(th->csum, &(struct wire_pshdr){
			TEST_ADDR, TEST_ADDR, 0, IP_TCP, htons(sizeof(*th)) },
			sizeof(struct wire_pshdr));
		ok(wire_inject(iobuf, TEST_ADDR, TEST_ADDR) == 0);
		/* In the window but not exact: a challenge ACK only */
		ok(i == 1 || (!cli.closed && ntohl(wire.last_cli.ack) == rcv_nxt));
	}
	ok(cli.closed && rc_is(cli.rc, ECONNRESET));
	/* Our abort resets the other side */
	end_init(&cli, 1, 0, 0);
	intf_shutdown(&srv.xfer, -ECANCELED);
	srv.closed = 1;
	finish(&before);

	/* An abort by the consumer resets the peer */
	heap_stats(&before);
	end_init(&srv, 0, 0, 0);
	end_init(&cli, 1, 0, 0);
	pair_open(TEST_PORT);
	ok(run_until(established, SHORT_MS));
	intf_shutdown(&srv.xfer, -ECANCELED);
	srv.closed = 1;
	ok(run_until(cli_closed, SHORT_MS) && rc_is(cli.rc, ECONNRESET));
	finish(&before);
}

/** Nothing gets through: the client gives up with -ETIMEDOUT */
static void tcp_timeout_test(void)
{
	struct heap_stats before;
	unsigned int retries = tcp_tunables.max_retries;

	heap_stats(&before);
	tcp_tunables.max_retries = 3;
	wire_reset(0, 0, 0);
	wire.down = 1;
	end_init(&srv, 0, 0, 0);
	end_init(&cli, 1, 0, 0);
	pair_open(TEST_PORT);
	ok(run_until(cli_closed, SHORT_MS));
	ok(rc_is(cli.rc, ETIMEDOUT));
	ok(strstr(strerror(cli.rc), "after 4 tries") != NULL);
	ok(wire.sent == 4);
	finish(&before);

	/* And once established, with data in flight */
	heap_stats(&before);
	wire_reset(0, 0, 0);
	end_init(&srv, 0, 0, 100000);
	end_init(&cli, 1, 100000, 0);
	pair_open(TEST_PORT);
	ok(run_until(established, SHORT_MS));
	wire.down = 1;
	ok(run_until(cli_closed, SHORT_MS));
	ok(rc_is(cli.rc, ETIMEDOUT) && !srv.closed);
	finish(&before);
	tcp_tunables.max_retries = retries;
}

static unsigned int probes_seen;

static int probing(void)
{
	return tcp_stats.window_probes >= probes_seen + 3;
}

/** A consumer that stops reading stalls the sender; probes find it again */
static void tcp_window_test(int notify)
{
	struct heap_stats before;
	size_t limit = 65536, len = 1024 * 1024;

	heap_stats(&before);
	wire_reset(0, 0, 0);
	end_init(&srv, 0, 0, len);
	end_init(&cli, 1, len, 0);
	srv.rx_limit = limit;
	cli.close_when_done = 1;
	pair_open(TEST_PORT);
	probes_seen = tcp_stats.window_probes;
	ok(run_until(probing, SHORT_MS));
	/*
	 * Stalled: the receiver took its window, the sender filled its buffer.
	 * An advertised edge never moves back, so up to one segment may have
	 * been in flight beyond what the consumer asked for.
	 */
	ok(srv.received >= limit - 1500 && srv.received <= limit + 1500);
	ok(cli.sent < limit + TCP_SNDBUF + 1500);
	ok(!cli.closed && !srv.closed);
	srv.rx_limit = ~(size_t)0;
	if (notify)
		xfer_window_changed(&srv.xfer);
	ok(run_until(both_closed, LONG_MS));
	ok(srv.received == len && srv.bad_at == ~(size_t)0);
	ok(cli.rc == 0 && srv.rc == 0);
	finish(&before);
}

/** Build a segment from the client's port to the server, options after */
static struct io_buffer *bad_segment(size_t hlen_field, const void *opts,
				     size_t olen, size_t data_len)
{
	struct io_buffer *iobuf;
	struct tcp_header *th;
	size_t len = sizeof(*th) + olen + data_len;

	iobuf = alloc_iob_headroom(64, len);
	th = iob_put(iobuf, len);
	memset(th, 0, len);
	th->src = wire.last_cli.src;
	th->dest = htons(TEST_PORT);
	th->seq = wire.last_cli.seq;
	th->ack = wire.last_cli.ack;
	th->hlen = (uint8_t)(hlen_field << 4);
	th->flags = TCP_ACK;
	th->win = htons(1000);
	memcpy(th + 1, opts, olen);
	th->csum = tcpip_chksum(th, len);
	th->csum = tcpip_continue_chksum(th->csum, &(struct wire_pshdr){
		TEST_ADDR, TEST_ADDR, 0, IP_TCP, htons((uint16_t)len) },
		sizeof(struct wire_pshdr));
	return iobuf;
}

/** Feed one malformed segment: it must be counted bad, nothing else */
static void bad_one(struct io_buffer *iobuf)
{
	struct tcp_stats stats = tcp_stats;

	ok(wire_inject(iobuf, TEST_ADDR, TEST_ADDR) != 0);
	ok(tcp_stats.bad_segments == stats.bad_segments + 1);
	ok(tcp_stats.segments_received == stats.segments_received);
	ok(tcp_stats.segments_sent == stats.segments_sent);
}

static void tcp_malformed_test(void)
{
	static const uint8_t past[] = { 1, 1, 2, 10 };
	static const uint8_t zero[] = { 3, 0, 0, 0 };
	static const uint8_t one[] = { 8, 1, 0, 0 };
	static const uint8_t mss3[] = { 2, 3, 5, 1 };
	static const uint8_t ws4[] = { 3, 4, 1, 0 };
	static const uint8_t cut[] = { 1, 1, 1, 8 };
	struct heap_stats before;
	struct io_buffer *iobuf;
	struct tcp_header *th;
	size_t len;

	heap_stats(&before);
	wire_reset(0, 0, 0);
	end_init(&srv, 0, 50000, 50000);
	end_init(&cli, 1, 50000, 50000);
	cli.close_when_done = 1;
	pair_open(TEST_PORT);
	ok(run_until(established, SHORT_MS));
	run_for(5);
	/* Shorter than a header */
	for (len = 0; len < sizeof(*th); len += 7) {
		iobuf = bad_segment(5, NULL, 0, 0);
		iob_unput(iobuf, sizeof(*th) - len);
		bad_one(iobuf);
	}
	bad_one(bad_segment(4, NULL, 0, 20));	  /* data offset < 5 */
	bad_one(bad_segment(0, NULL, 0, 20));
	bad_one(bad_segment(15, NULL, 0, 20));	  /* offset past the end */
	bad_one(bad_segment(6, past, 4, 0));	  /* option runs past */
	bad_one(bad_segment(6, zero, 4, 10));	  /* option length 0 */
	bad_one(bad_segment(6, one, 4, 10));	  /* option length 1 */
	bad_one(bad_segment(6, mss3, 4, 10));	  /* MSS of length 3 */
	bad_one(bad_segment(6, ws4, 4, 10));	  /* window scale of 4 */
	bad_one(bad_segment(6, cut, 4, 10));	  /* length byte missing */
	iobuf = bad_segment(5, NULL, 0, 100);
	((uint8_t *)iobuf->data)[30] ^= 0x40;	  /* bad checksum */
	bad_one(iobuf);
	/* A good segment to a closed port is answered with a reset */
	iobuf = bad_segment(5, NULL, 0, 0);
	th = iobuf->data;
	th->dest = htons(TEST_PORT_CLOSED);
	th->csum = 0;
	th->csum = tcpip_continue_chksum(tcpip_chksum(th, sizeof(*th)),
		&(struct wire_pshdr){ TEST_ADDR, TEST_ADDR, 0, IP_TCP,
				      htons(sizeof(*th)) },
		sizeof(struct wire_pshdr));
	len = tcp_stats.resets_sent;
	ok(wire_inject(iobuf, TEST_ADDR, TEST_ADDR) == 0);
	ok(tcp_stats.resets_sent == len + 1);
	/* The connection never noticed */
	ok(run_until(both_closed, SHORT_MS));
	ok(cli.received == 50000 && srv.received == 50000);
	ok(cli.rc == 0 && srv.rc == 0 && cli.bad_at == ~(size_t)0);
	finish(&before);
}

/**
 * Send a segment as the raw peer, carrying stream bytes [@off, @off+@len)
 * after @olen bytes of options (a multiple of 4)
 */
static void raw_send_opts(uint32_t seq, uint32_t ack, unsigned int flags,
			  size_t off, size_t len, const void *opts,
			  size_t olen)
{
	struct io_buffer *iobuf;
	struct tcp_header *th;
	uint8_t *data;
	size_t i;

	iobuf = alloc_iob_headroom(64, sizeof(*th) + olen + len);
	th = iob_put(iobuf, sizeof(*th));
	memset(th, 0, sizeof(*th));
	th->src = htons(TEST_PORT_RAW);
	th->dest = htons(TEST_PORT);
	th->seq = htonl(seq + (uint32_t)off);
	th->ack = htonl(ack);
	th->hlen = (uint8_t)(((sizeof(*th) + olen) / 4) << 4);
	memcpy(iob_put(iobuf, olen), opts, olen);
	th->flags = (uint8_t)flags;
	th->win = htons(8192);
	data = iob_put(iobuf, len);
	for (i = 0; i < len; i++)
		data[i] = end_pattern(1, off + i);
	th->csum = tcpip_continue_chksum(tcpip_chksum(th, iob_len(iobuf)),
		&(struct wire_pshdr){ TEST_ADDR, TEST_ADDR, 0, IP_TCP,
				      htons((uint16_t)iob_len(iobuf)) },
		sizeof(struct wire_pshdr));
	ok(wire_inject(iobuf, TEST_ADDR, TEST_ADDR) == 0);
}

/** Send a segment without options as the raw peer */
static void raw_send(uint32_t seq, uint32_t ack, unsigned int flags,
		     size_t off, size_t len)
{
	raw_send_opts(seq, ack, flags, off, len, NULL, 0);
}

/**
 * The option @kind in the last segment to the raw peer
 *
 * @ret opt	its first byte, or NULL
 */
static const uint8_t *raw_option(uint8_t kind)
{
	const uint8_t *opt = wire.raw_opts, *end = opt + wire.raw_olen;

	while (opt < end && *opt != TCP_OPT_END) {
		if (*opt == TCP_OPT_NOP) {
			opt++;
			continue;
		}
		if (end - opt < 2 || opt[1] < 2 || opt[1] > end - opt)
			return NULL;
		if (*opt == kind)
			return opt;
		opt += opt[1];
	}
	return NULL;
}

/** Whether the last ACK to the raw peer holds exactly these SACK blocks */
static int raw_sack_is(uint32_t base, const uint32_t (*blocks)[2],
		       unsigned int count)
{
	const uint8_t *opt = raw_option(TCP_OPT_SACK);
	uint32_t v[2];
	unsigned int i;

	if (!count)
		return opt == NULL;
	if (!opt || opt[1] != 2 + 8 * count)
		return 0;
	for (i = 0; i < count; i++) {
		memcpy(v, opt + 2 + 8 * i, sizeof(v));
		if (ntohl(v[0]) != base + blocks[i][0] ||
		    ntohl(v[1]) != base + blocks[i][1])
			return 0;
	}
	return 1;
}

/**
 * SACK (RFC 2018): offered in the SYN-ACK only to a peer that offered it;
 * then every ACK while data is missing reports what arrived beyond the
 * hole, the latest arrival's range first.
 */
static void tcp_sack_test(void)
{
	static const uint8_t syn_opts[] = { TCP_OPT_MSS, 4, 0x05, 0xb4,
					    TCP_OPT_NOP, TCP_OPT_NOP,
					    TCP_OPT_SACK_PERM, 2 };
	static const uint32_t one[][2] = { { 1000, 1500 } };
	static const uint32_t two[][2] = { { 2000, 2500 }, { 1000, 1500 } };
	static const uint32_t three[][2] = { { 3000, 3100 }, { 1000, 1500 },
					     { 2000, 2500 } };
	static const uint32_t merged[][2] = { { 1000, 2500 }, { 3000, 3100 } };
	struct sockaddr_test local = { .family = AF_TEST,
				       .port = htons(TEST_PORT) };
	struct heap_stats before;
	uint32_t x = 0x7ffffff0U, y;

	heap_stats(&before);
	wire_reset(0, 0, 0);
	end_init(&srv, 0, 0, 0);
	end_init(&cli, 1, 0, 0);
	ok(tcp_listen(&srv.xfer, (struct sockaddr *)&local) == 0);
	raw_send_opts(x, 0, TCP_SYN, 0, 0, syn_opts, sizeof(syn_opts));
	ok(wire.last_raw.flags == (TCP_SYN | TCP_ACK));
	ok(raw_option(TCP_OPT_SACK_PERM) != NULL);
	y = ntohl(wire.last_raw.seq);
	x++;
	raw_send(x, y + 1, TCP_ACK, 0, 0);
	/* Out of order: SACK blocks, the newest range first */
	raw_send(x, y + 1, TCP_ACK, 1000, 500);
	ok(ntohl(wire.last_raw.ack) == x && raw_sack_is(x, one, 1));
	raw_send(x, y + 1, TCP_ACK, 2000, 500);
	ok(ntohl(wire.last_raw.ack) == x && raw_sack_is(x, two, 2));
	raw_send(x, y + 1, TCP_ACK, 3000, 100);
	ok(raw_sack_is(x, three, 3));
	/* Filling the gap between two ranges merges them */
	raw_send(x, y + 1, TCP_ACK, 1500, 500);
	ok(raw_sack_is(x, merged, 2));
	/* The hole in front filled: what lies beyond the next hole is left */
	raw_send(x, y + 1, TCP_ACK, 0, 1000);
	ok(ntohl(wire.last_raw.ack) == x + 2500);
	ok(raw_sack_is(x, merged + 1, 1));
	ok(srv.received == 2500 && srv.bad_at == ~(size_t)0);
	/* No hole left: a plain ACK again */
	raw_send(x, y + 1, TCP_ACK, 2500, 500);
	ok(ntohl(wire.last_raw.ack) == x + 3100 && raw_sack_is(x, NULL, 0));
	ok(srv.received == 3100 && srv.bad_at == ~(size_t)0);
	raw_send(x, y + 1, TCP_ACK | TCP_RST, 3100, 0);
	ok(srv.closed);
	finish(&before);
}

/**
 * The test plays the peer: overlapping, repeated and reordered pieces,
 * the FIN before the data in front of it, sequence numbers wrapping
 * in the middle. The consumer must see each byte once, in order.
 */
static void tcp_overlap_test(void)
{
	static const size_t pieces[][2] = {
		{ 1000, 1000 }, { 900, 600 }, { 2000, 100 }, { 0, 600 },
		{ 0, 600 },	{ 1400, 1200 }, { 1600, 10 }, { 2999, 1 },
	};
	struct sockaddr_test local = { .family = AF_TEST,
				       .port = htons(TEST_PORT) };
	uint32_t x = 0xfffffa00U, y;
	struct heap_stats before;
	unsigned int i;

	heap_stats(&before);
	wire_reset(0, 0, 0);
	end_init(&srv, 0, 0, 3000);
	end_init(&cli, 1, 0, 0);
	ok(tcp_listen(&srv.xfer, (struct sockaddr *)&local) == 0);
	raw_send(x, 0, TCP_SYN, 0, 0);
	ok(wire.last_raw.flags == (TCP_SYN | TCP_ACK));
	ok(raw_option(TCP_OPT_SACK_PERM) == NULL);
	ok(ntohl(wire.last_raw.ack) == x + 1);
	y = ntohl(wire.last_raw.seq);
	x++;
	raw_send(x, y + 1, TCP_ACK, 0, 0);
	ok(xfer_window(&srv.xfer) == TCP_SNDBUF);
	/* The FIN first, then the data in front of it */
	raw_send(x, y + 1, TCP_ACK | TCP_FIN, 2600, 400);
	for (i = 0; i < ARRAY_SIZE(pieces); i++) {
		raw_send(x, y + 1, TCP_ACK, pieces[i][0], pieces[i][1]);
		ok(!srv.closed);
	}
	/* Acknowledged at once, as every piece was out of order or a repeat */
	ok(ntohl(wire.last_raw.ack) == x + 600);
	ok(srv.received == 600);
	raw_send(x, y + 1, TCP_ACK, 600, 300);
	ok(srv.received == 3000 && srv.bad_at == ~(size_t)0);
	ok(srv.closed == 1 && srv.rc == 0);
	ok(ntohl(wire.last_raw.ack) == x + 3001);
	/* Our FIN follows; its ACK ends the connection */
	run_for(5);
	ok(wire.last_raw.flags & TCP_FIN);
	ok(ntohl(wire.last_raw.seq) == y + 1);
	raw_send(x + 3001, y + 2, TCP_ACK, 0, 0);
	ok(tcp_count() == 0);
	finish(&before);
}

/** At exit every connection is aborted: peers hear a reset */
static void tcp_shutdown_test(void)
{
	struct sockaddr_test nowhere = { .family = 0x55, .port = htons(80) };
	struct heap_stats before;
	struct startup_fn *fn;
	struct tcp_stats stats;

	heap_stats(&before);
	wire_reset(0, 0, 0);
	end_init(&srv, 0, 1000000, 1000000);
	end_init(&cli, 1, 1000000, 1000000);
	pair_open(TEST_PORT);
	ok(run_until(established, SHORT_MS));
	run_for(2);
	stats = tcp_stats;
	for_each_table_entry(fn, STARTUP_FNS) {
		if (strcmp(fn->name, "tcp") == 0)
			fn->shutdown(0);
	}
	ok(tcp_count() == 0);
	ok(tcp_stats.resets_sent == stats.resets_sent + 2);
	ok(cli.closed && rc_is(cli.rc, ECONNABORTED));
	ok(srv.closed && rc_is(srv.rc, ECONNABORTED));
	finish(&before);

	/* No way to send the SYN: tcp_open() fails at once */
	heap_stats(&before);
	end_init(&cli, 1, 0, 0);
	ok(rc_is(tcp_open(&cli.xfer, (struct sockaddr *)&nowhere, NULL),
		 EAFNOSUPPORT));
	ok(!intf_plugged(&cli.xfer) && tcp_count() == 0);
	ok(heap_same(&before));
}

static void tcp_test_exec(void)
{
	struct tcp_tunables saved = tcp_tunables;
	struct heap_stats before;
	size_t mib2 = 2 * 1024 * 1024;

	heap_stats(&before);
	tunables_fast();
	tcp_seq_test();
	tcp_handshake_test();
	tcp_transfer_test(mib2, 0, 0, 0);	/* clean */
	tcp_transfer_test(mib2, 10, 0, 0);	/* 10% loss */
	tcp_transfer_test(mib2, 0, 0, 4);	/* reordering */
	tcp_transfer_test(mib2, 0, 10, 0);	/* duplicates */
	tcp_transfer_test(mib2, 10, 10, 4);	/* everything */
	tcp_close_test();
	tcp_half_close_test();
	tcp_refused_test();
	tcp_reset_test();
	tcp_timeout_test();
	tcp_window_test(1);
	tcp_window_test(0);
	tcp_malformed_test();
	tcp_overlap_test();
	tcp_sack_test();
	tcp_shutdown_test();
	ok(tcp_count() == 0);
	ok(heap_same(&before));
	tcp_tunables = saved;
}

struct self_test tcp_test __self_test = {
	.name = "tcp",
	.exec = tcp_test_exec,
};
