/* Fuzz target: TCP segments from the wire into live connections (header checks, state machine, queues). */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/iobuf.h>
#include <keel/netdevice.h>
#include <keel/process.h>
#include <keel/tcp.h>
#include <keel/tcpip.h>
#include <keel/timer.h>
#include <keel/xfer.h>
#include "fuzz.h"
#include "fuzzlib.h"

REQUIRE_OBJECT(linux_memory);

/*
 * A test-only network protocol (address family AF_FUZZ, one address for
 * everybody) loops TCP's packets back, as in tests/unit/tcp_test.c: a
 * client and a listening server in this one stack talk through it. The
 * input is a list of commands: inject a segment (raw, or with ports,
 * sequence numbers and checksum made to fit a connection so that the
 * state machine is reached), run the wire, let time pass, or make an
 * endpoint close, half-close, abort or change its window. Time is
 * virtual (fuzzlib), so timers cost nothing.
 */

#define AF_FUZZ 0x7d
#define FUZZ_ADDR 0x0a00020fU
#define FUZZ_PORT 4242
#define FUZZ_PORT_RAW 4244

struct sockaddr_fuzz {
	sa_family_t family;
	uint16_t flags;
	uint16_t port;
	uint16_t scope_id;
	uint32_t addr;
	char pad[SA_LEN - 4 * sizeof(uint16_t) - sizeof(uint32_t)];
};

struct wire_pshdr {
	uint32_t src, dest;
	uint8_t zero, proto;
	uint16_t len;
} __attribute__((packed));

static struct {
	struct list_head queue;
	unsigned int count;
	/** Last header sent by the server, by the client, to the raw peer */
	struct tcp_header last_srv, last_cli, last_raw;
} wire = { .queue = LIST_HEAD_INIT(wire.queue) };

/** Packets the wire holds at most; more are dropped */
#define WIRE_MAX 256

static uint16_t wire_pshdr_csum(size_t len)
{
	struct wire_pshdr ps = { FUZZ_ADDR, FUZZ_ADDR, 0, IP_TCP,
				 htons((uint16_t)len) };

	return tcpip_chksum(&ps, sizeof(ps));
}

static int wire_tx(struct io_buffer *iobuf, struct tcpip_protocol *proto,
		   struct sockaddr_tcpip *st_src, struct sockaddr_tcpip *st_dest,
		   struct net_device *netdev, uint16_t *trans_csum)
{
	struct tcp_header th;

	(void)proto;
	(void)st_src;
	(void)st_dest;
	(void)netdev;
	if (trans_csum) {
		struct wire_pshdr ps = { FUZZ_ADDR, FUZZ_ADDR, 0, IP_TCP,
					 htons((uint16_t)iob_len(iobuf)) };

		*trans_csum = tcpip_continue_chksum(*trans_csum, &ps,
						    sizeof(ps));
	}
	memcpy(&th, iobuf->data, sizeof(th));
	if (th.dest == htons(FUZZ_PORT_RAW))
		wire.last_raw = th;
	else if (th.src == htons(FUZZ_PORT))
		wire.last_srv = th;
	else
		wire.last_cli = th;
	if (th.dest == htons(FUZZ_PORT_RAW) || wire.count >= WIRE_MAX) {
		free_iob(iobuf);
		return 0;
	}
	list_add_tail(&iobuf->list, &wire.queue);
	wire.count++;
	return 0;
}

static struct net_device wire_netdev = { .mtu = 1500 };

static struct net_device *wire_route(struct sockaddr_tcpip *st_dest)
{
	(void)st_dest;
	return &wire_netdev;
}

struct tcpip_net_protocol wire_protocol __tcpip_net_protocol = {
	.name = "fuzz",
	.sa_family = AF_FUZZ,
	.header_len = 20,
	.tx = wire_tx,
	.netdev = wire_route,
};

static void wire_inject(struct io_buffer *iobuf)
{
	struct sockaddr_fuzz src = { .family = AF_FUZZ, .addr = FUZZ_ADDR };
	struct sockaddr_fuzz dest = { .family = AF_FUZZ, .addr = FUZZ_ADDR };

	tcpip_rx(iobuf, NULL, IP_TCP, (struct sockaddr_tcpip *)&src,
		 (struct sockaddr_tcpip *)&dest, wire_pshdr_csum(iob_len(iobuf)));
}

/** Deliver what is on the wire now (not what that provokes), then step */
static void wire_run(void)
{
	LIST_HEAD(now);
	struct io_buffer *iobuf, *tmp;

	list_for_each_entry_safe(iobuf, tmp, &wire.queue, list) {
		list_del(&iobuf->list);
		list_add_tail(&iobuf->list, &now);
	}
	wire.count = 0;
	list_for_each_entry_safe(iobuf, tmp, &now, list) {
		list_del(&iobuf->list);
		wire_inject(iobuf);
	}
	step();
}

static void wire_flush(void)
{
	struct io_buffer *iobuf, *tmp;

	list_for_each_entry_safe(iobuf, tmp, &wire.queue, list)
		free_iob(iobuf);
	wire.count = 0;
}

/* ------------------------------------------------------------------------
 * Endpoints: each sends a little data and takes what arrives
 */

struct end {
	struct refcnt refcnt;
	struct interface xfer;
	size_t to_send, sent, received, rx_limit;
	int closed;
};

static struct end cli, srv;

static int end_deliver(struct end *end, struct io_buffer *iobuf,
		       struct xfer_metadata *meta)
{
	(void)meta;
	end->received += iob_len(iobuf);
	free_iob(iobuf);
	return 0;
}

static size_t end_window(struct end *end)
{
	return end->rx_limit > end->received ? end->rx_limit - end->received :
					       0;
}

static void end_pump(struct end *end)
{
	struct io_buffer *iobuf;
	size_t len;

	while (!end->closed && end->sent < end->to_send) {
		len = xfer_window(&end->xfer);
		if (!len)
			break;
		len = len < 3000 ? len : 3000;
		if (len > end->to_send - end->sent)
			len = end->to_send - end->sent;
		iobuf = xfer_alloc_iob(&end->xfer, len);
		if (!iobuf)
			break;
		memset(iob_put(iobuf, len), 'k', len);
		if (xfer_deliver(&end->xfer, iobuf, NULL) != 0)
			break;
		end->sent += len;
	}
}

static void end_close(struct end *end, int rc)
{
	(void)rc;
	end->closed = 1;
	intf_shutdown(&end->xfer, rc);
}

static struct interface_operation end_ops[] = {
	INTF_OP(xfer_deliver, struct end *, end_deliver),
	INTF_OP(xfer_window, struct end *, end_window),
	INTF_OP(xfer_window_changed, struct end *, end_pump),
	INTF_OP(intf_close, struct end *, end_close),
};
static struct interface_descriptor end_desc = INTF_DESC(struct end, xfer,
							end_ops);

static void end_init(struct end *end)
{
	memset(end, 0, sizeof(*end));
	ref_init(&end->refcnt, ref_no_free);
	intf_init(&end->xfer, &end_desc, &end->refcnt);
	end->to_send = 20000;
	end->rx_limit = 100000;
}

/* ------------------------------------------------------------------------
 * Commands
 */

/**
 * Inject a segment. With @fit, its ports, sequence and acknowledgement
 * numbers (as offsets from what the target expects) and checksum are made
 * to fit: to the server from the client (or the raw peer), or to the client.
 */
static void cmd_segment(const uint8_t *data, size_t len, unsigned int ctl)
{
	struct io_buffer *iobuf = alloc_iob_headroom(TCPIP_MAX_HEADER_LEN, len);
	struct tcp_header *th, *ref;
	int to_client = ctl & 0x08, raw = ctl & 0x10;

	if (!iobuf)
		return;
	th = iob_put(iobuf, len);
	memcpy(th, data, len);
	if ((ctl & 0x04) && len >= sizeof(*th)) {
		ref = raw ? &wire.last_raw : to_client ? &wire.last_cli :
							 &wire.last_srv;
		th->src = to_client ? htons(FUZZ_PORT) :
			  raw	    ? htons(FUZZ_PORT_RAW) :
				      wire.last_cli.src;
		th->dest = to_client ? wire.last_srv.dest : htons(FUZZ_PORT);
		th->seq = htonl(ntohl(ref->ack) +
				(uint32_t)((int32_t)ntohl(th->seq) >> 20));
		th->ack = htonl(ntohl(ref->seq) +
				(uint32_t)((int32_t)ntohl(th->ack) >> 20));
		th->csum = 0;
		th->csum = tcpip_continue_chksum(tcpip_chksum(th, len),
			&(struct wire_pshdr){ FUZZ_ADDR, FUZZ_ADDR, 0, IP_TCP,
					      htons((uint16_t)len) },
			sizeof(struct wire_pshdr));
	}
	wire_inject(iobuf);
}

/** What an endpoint does */
static void cmd_end(unsigned int what, unsigned int arg)
{
	struct end *end = (what & 1) ? &srv : &cli;

	switch ((what >> 1) % 5) {
	case 0:
		intf_shutdown(&end->xfer, 0);
		end->closed = 1;
		break;
	case 1:
		intf_shutdown(&end->xfer, -ECANCELED);
		end->closed = 1;
		break;
	case 2:
		tcp_shutdown_write(&end->xfer);
		break;
	case 3:
		end->rx_limit = end->received + arg * 64;
		xfer_window_changed(&end->xfer);
		break;
	default:
		end_pump(end);
		break;
	}
}

static void fuzz_tunables(void)
{
	tcp_tunables.rto_initial = 200;
	tcp_tunables.rto_min = 50;
	tcp_tunables.rto_max = 1000;
	tcp_tunables.max_retries = 5;
	tcp_tunables.time_wait = 100;
	tcp_tunables.fin_wait = 1000;
	tcp_tunables.iss = 0xffffff00U;
}

/** Open the pair (unless the raw peer plays the client) and handshake */
static void fuzz_open(int with_client)
{
	struct sockaddr_fuzz local = { .family = AF_FUZZ,
				       .port = htons(FUZZ_PORT) };
	struct sockaddr_fuzz peer = { .family = AF_FUZZ,
				      .port = htons(FUZZ_PORT),
				      .addr = FUZZ_ADDR };
	unsigned int i;

	memset(&wire.last_srv, 0, sizeof(wire.last_srv));
	memset(&wire.last_cli, 0, sizeof(wire.last_cli));
	memset(&wire.last_raw, 0, sizeof(wire.last_raw));
	end_init(&cli);
	end_init(&srv);
	tcp_listen(&srv.xfer, (struct sockaddr *)&local);
	if (!with_client)
		return;
	tcp_open(&cli.xfer, (struct sockaddr *)&peer, NULL);
	for (i = 0; i < 4; i++)
		wire_run();
}

/** Close everything and let time run until every connection is gone */
static void fuzz_close(void)
{
	unsigned int i;

	intf_shutdown(&cli.xfer, -ECANCELED);
	intf_shutdown(&srv.xfer, -ECANCELED);
	for (i = 0; i < 1000 && tcp_count(); i++) {
		wire_flush();
		udelay(500 * 1000);
		step();
	}
	wire_flush();
	if (tcp_count() || cli.refcnt.count || srv.refcnt.count)
		__builtin_trap();
}

__export int keel_fuzz_one(const unsigned char *data, unsigned long len)
{
	struct heap_stats before;
	unsigned int ctl, n, i;

	fuzz_begin(&before);
	fuzz_tunables();
	fuzz_open(len && !(data[0] & 0x80));
	while (len >= 2) {
		ctl = data[0];
		n = data[1];
		data += 2;
		len -= 2;
		if (n > len)
			n = (unsigned int)len;
		switch (ctl & 3) {
		case 0:
			cmd_segment(data, n, ctl);
			data += n;
			len -= n;
			break;
		case 1:
			for (i = 0; i <= n % 8; i++)
				wire_run();
			break;
		case 2:
			udelay((unsigned long)(ctl >> 2) * 20 * 1000);
			wire_run();
			break;
		default:
			cmd_end(ctl >> 2, n);
			break;
		}
	}
	fuzz_close();
	fuzz_end(&before);
	return 0;
}
