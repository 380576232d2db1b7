/* TCP (RFC 9293): connections, retransmission (RFC 6298), flow and congestion control (RFC 5681, 6582, 7323). */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/init.h>
#include <keel/iobuf.h>
#include <keel/open.h>
#include <keel/process.h>
#include <keel/tcp.h>
#include <keel/tcpip.h>
#include <keel/timer.h>
#include <keel/xfer.h>

/*
 * One struct tcp_connection per connection, on the tcp_conns list (which
 * holds one reference) until it reaches CLOSED. Data from the consumer waits
 * in tx_queue, starting at the first unacknowledged byte, and every segment
 * is built by copying from it, so retransmission needs no extra state.
 * Received segments wait in a queue sorted by sequence number, bounded in
 * count and bytes; the in-order head of that queue is delivered to the
 * consumer at once. One timer handles retransmission and zero-window
 * probing; another TIME_WAIT and the wait for the peer's FIN.
 */

struct tcp_stats tcp_stats;

struct tcp_tunables tcp_tunables = {
	.rto_initial = 1000,
	.rto_min = 200,
	.rto_max = 10000,
	.max_retries = 8,
	.time_wait = 2000,
	.fin_wait = 30000,
	.iss = 0,
};

struct tcpip_protocol tcp_protocol;

enum tcp_state {
	TCP_CLOSED,
	TCP_LISTEN,
	TCP_SYN_SENT,
	TCP_SYN_RCVD,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT_1,
	TCP_FIN_WAIT_2,
	TCP_CLOSING,
	TCP_TIME_WAIT,
	TCP_CLOSE_WAIT,
	TCP_LAST_ACK,
};

static const char *const tcp_state_names[] __unused = {
	"CLOSED",     "LISTEN",	    "SYN_SENT", "SYN_RCVD",
	"ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSING",
	"TIME_WAIT",  "CLOSE_WAIT", "LAST_ACK",
};

/* Connection flags */
#define TCP_CF_SYN_ACKED 0x0001	  /* our SYN has been acknowledged */
#define TCP_CF_FIN_QUEUED 0x0002  /* our FIN follows the queued data */
#define TCP_CF_FIN_ACKED 0x0004	  /* our FIN has been acknowledged */
#define TCP_CF_FIN_RCVD 0x0008	  /* the peer's FIN arrived, in order */
#define TCP_CF_ACK_PENDING 0x0010 /* acknowledge soon (next step) */
#define TCP_CF_ACK_NOW 0x0020	  /* acknowledge before returning */
#define TCP_CF_TIMING 0x0040	  /* an RTT measurement is running */
#define TCP_CF_RECOVERY 0x0080	  /* in fast recovery (RFC 6582) */
#define TCP_CF_WS 0x0100	  /* window scaling agreed (RFC 7323) */
#define TCP_CF_PASSIVE 0x0200	  /* opened by tcp_listen() */
#define TCP_CF_RTT_VALID 0x0400	  /* srtt and rttvar hold a sample */
#define TCP_CF_PROBE 0x0800	  /* a zero-window probe is outstanding */
#define TCP_CF_SACK 0x1000	  /* the peer takes SACK blocks (RFC 2018) */

/** Our window scale shift: TCP_MAX_WINDOW fits in 16 bits after it */
#define TCP_RCV_WS 4
/** MSS assumed when the peer sends none (RFC 9293) */
#define TCP_DEFAULT_MSS 536
/** Smallest MSS we accept from a peer: tiny segments only waste memory */
#define TCP_MIN_MSS 64
/** Deliveries smaller than this are packed into TCP_TX_CHUNK buffers */
#define TCP_TX_PACK 2048
#define TCP_TX_CHUNK 8192
/**
 * Bytes of options in our SYN: MSS (4), NOP + window scale (4), two NOPs +
 * SACK permitted (4)
 */
#define TCP_SYN_OPTS_LEN 12
/** Most full-sized segments acknowledged by one ACK (see tcp_ack_every) */
#define TCP_ACK_MAX_SEGS 16
/** Upper bound on the congestion window, far above any real window */
#define TCP_CWND_MAX (1UL << 30)

/** A TCP connection */
struct tcp_connection {
	struct refcnt refcnt;
	/** Link in tcp_conns */
	struct list_head list;
	/** To the consumer */
	struct interface xfer;
	enum tcp_state state;
	/** TCP_CF_* */
	unsigned int flags;
	/** Remote address and port */
	struct sockaddr_tcpip peer;
	/** Local address (may be 0) and bound port */
	struct sockaddr_tcpip local;

	/** Send sequence space (RFC 9293 3.3.1), plus the highest sent */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wl1, snd_wl2;
	/** Peer's window (bytes), and the largest it ever offered */
	size_t snd_wnd, snd_wnd_max;
	unsigned int snd_ws;
	/** Segment size we send, and the one we announced */
	size_t mss, rcv_mss;
	/** Data not yet acknowledged, starting at the first unacked byte */
	struct list_head tx_queue;
	size_t tx_len;

	/** Congestion control (RFC 5681, RFC 6582); prev_una: before the last ACK */
	size_t cwnd, ssthresh;
	uint32_t recover, prev_una;
	unsigned int dupacks;

	/** Receive sequence space; rcv_adv is the right edge we offered */
	uint32_t irs, rcv_nxt, rcv_adv;
	unsigned int rcv_ws;
	/** Most the consumer ever had room for: its buffer, as far as we know */
	size_t rcv_buf;
	/** Received segments not yet delivered, sorted by sequence number */
	struct list_head rx_queue;
	size_t rx_queue_len;
	unsigned int rx_queue_count;
	/** Start of the out-of-order segment received last (the first SACK) */
	uint32_t sack_recent;
	/** In-order data bytes received since our last ACK */
	size_t unacked_len;

	/** Retransmission and zero-window probes */
	struct timer rtx_timer;
	/** TIME_WAIT, and the wait for the peer's FIN */
	struct timer wait_timer;
	/** RTT estimate (RFC 6298), in ticks: 8 x SRTT and 4 x RTTVAR */
	unsigned long srtt8, rttvar4, rto;
	unsigned int backoff, retries;
	uint32_t rtt_seq;
	unsigned long rtt_start;
	/** Sends queued data and delayed ACKs at the next step */
	struct process process;
};

/** What a received segment says, once its header is checked */
struct tcp_seg {
	uint32_t seq, ack;
	unsigned int flags;
	/** Window field as received (unscaled) */
	size_t win;
	/** Data bytes */
	size_t len;
	/** Ports (network order) */
	uint16_t src_port, dest_port;
	/** Options seen (MSS 0: none; ws -1: none) */
	unsigned int mss;
	int ws;
	int sack_perm;
	/** Addresses */
	struct sockaddr_tcpip *src, *dest;
};

/** Bookkeeping stored in the headroom of a queued received segment */
struct tcp_rx_meta {
	uint32_t seq;
	uint32_t fin;
};

static LIST_HEAD(tcp_conns);

static void tcp_xmit(struct tcp_connection *conn);
static void tcp_done(struct tcp_connection *conn, int rc);

/* ------------------------------------------------------------------------
 * Small helpers
 */

static inline size_t tcp_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

static inline size_t tcp_max(size_t a, size_t b)
{
	return a > b ? a : b;
}

/** Sequence number of the first queued data byte */
static uint32_t tcp_data_seq(struct tcp_connection *conn)
{
	return conn->snd_una + !(conn->flags & TCP_CF_SYN_ACKED);
}

/** True if our FIN occupies sequence space not yet acknowledged */
static int tcp_fin_pending(struct tcp_connection *conn)
{
	return (conn->flags & (TCP_CF_FIN_QUEUED | TCP_CF_FIN_ACKED)) ==
	       TCP_CF_FIN_QUEUED;
}

/** Sequence number just after everything queued (SYN, data, FIN) */
static uint32_t tcp_snd_end(struct tcp_connection *conn)
{
	return tcp_data_seq(conn) + (uint32_t)conn->tx_len +
	       (uint32_t)tcp_fin_pending(conn);
}

/** True in the states where rcv_nxt is known (RFC 9293 "synchronized") */
static int tcp_synced(struct tcp_connection *conn)
{
	return conn->state >= TCP_ESTABLISHED;
}

/** True if the peer's address and port are @st's */
static int tcp_peer_is(struct tcp_connection *conn, struct sockaddr_tcpip *st)
{
	size_t alen = (st->st_family == AF_INET) ? sizeof(struct in_addr) : 16;

	return conn->peer.st_family == st->st_family &&
	       conn->peer.st_port == st->st_port &&
	       memcmp(conn->peer.pad, st->pad, alen) == 0;
}

/** Schedule the connection's process (sending, delayed ACK) */
static void tcp_schedule(struct tcp_connection *conn)
{
	process_add(&conn->process);
}

unsigned int tcp_count(void)
{
	return list_count(&tcp_conns);
}

/* ------------------------------------------------------------------------
 * The send queue
 */

/**
 * Queue consumer data. Small deliveries are packed together, and a buffer
 * mostly empty is copied, so that memory stays close to the data queued.
 */
static void tcp_tx_append(struct tcp_connection *conn,
			  struct io_buffer *iobuf)
{
	struct io_buffer *last =
		list_last_entry(&conn->tx_queue, struct io_buffer, list);
	size_t len = iob_len(iobuf);
	struct io_buffer *copy;

	conn->tx_len += len;
	if (last && iob_tailroom(last) >= len) {
		memcpy(iob_put(last, len), iobuf->data, len);
		free_iob(iobuf);
		return;
	}
	if ((len < TCP_TX_PACK ||
	     iob_headroom(iobuf) + iob_tailroom(iobuf) > len) &&
	    (copy = alloc_iob(tcp_max(len, TCP_TX_CHUNK))) != NULL) {
		memcpy(iob_put(copy, len), iobuf->data, len);
		free_iob(iobuf);
		iobuf = copy;
	}
	list_add_tail(&iobuf->list, &conn->tx_queue);
}

/** Copy @len queued bytes from @offset (relative to the first) */
static void tcp_tx_copy(struct tcp_connection *conn, size_t offset,
			uint8_t *dest, size_t len)
{
	struct io_buffer *iobuf;
	size_t n, frag;

	list_for_each_entry(iobuf, &conn->tx_queue, list) {
		if (!len)
			break;
		n = iob_len(iobuf);
		if (offset >= n) {
			offset -= n;
			continue;
		}
		frag = tcp_min(n - offset, len);
		memcpy(dest, (uint8_t *)iobuf->data + offset, frag);
		dest += frag;
		len -= frag;
		offset = 0;
	}
}

/** Drop @len acknowledged bytes from the front of the queue */
static void tcp_tx_discard(struct tcp_connection *conn, size_t len)
{
	struct io_buffer *iobuf, *tmp;
	size_t n;

	conn->tx_len -= len;
	list_for_each_entry_safe(iobuf, tmp, &conn->tx_queue, list) {
		if (!len)
			break;
		n = tcp_min(iob_len(iobuf), len);
		iob_pull(iobuf, n);
		len -= n;
		if (!iob_len(iobuf))
			free_iob(iobuf);
	}
}

/** Free a queue of buffers */
static void tcp_flush_queue(struct list_head *queue)
{
	struct io_buffer *iobuf, *tmp;

	list_for_each_entry_safe(iobuf, tmp, queue, list)
		free_iob(iobuf);
}

/* ------------------------------------------------------------------------
 * Windows and timers
 */

/** Bytes the consumer would take now, as far as we can offer */
static size_t tcp_rcv_avail(struct tcp_connection *conn)
{
	size_t avail = TCP_MAX_WINDOW;
	size_t limit = (size_t)0xffff << conn->rcv_ws;

	/* With nobody to deliver to, data is acknowledged and discarded */
	if (intf_plugged(&conn->xfer))
		avail = tcp_min(avail, xfer_window(&conn->xfer));
	avail = tcp_min(avail, limit);
	conn->rcv_buf = tcp_max(conn->rcv_buf, avail);
	return avail;
}

/**
 * How far the right edge may move now: only by a useful amount, at least
 * an MSS or half the consumer's buffer (RFC 9293 3.8.6.2.2, no SWS)
 */
static size_t tcp_rcv_growth(struct tcp_connection *conn, size_t avail)
{
	uint32_t edge = conn->rcv_nxt + (uint32_t)avail;
	size_t growth, threshold;

	if (!tcp_seq_after(edge, conn->rcv_adv))
		return 0;
	growth = edge - conn->rcv_adv;
	threshold = tcp_max(tcp_min(conn->rcv_mss, conn->rcv_buf / 2), 1);
	return (growth >= threshold) ? growth : 0;
}

/** Window field for an outgoing segment; moves rcv_adv, never back */
static uint16_t tcp_rcv_window(struct tcp_connection *conn)
{
	size_t avail = tcp_rcv_avail(conn);
	size_t unit = (size_t)1 << conn->rcv_ws;
	uint32_t wnd;
	size_t value;

	conn->rcv_adv += (uint32_t)tcp_rcv_growth(conn, avail);
	if (tcp_seq_before(conn->rcv_adv, conn->rcv_nxt))
		conn->rcv_adv = conn->rcv_nxt;
	wnd = conn->rcv_adv - conn->rcv_nxt;
	/* Round up, so that scaling never moves the edge backwards */
	value = tcp_min(((size_t)wnd + unit - 1) >> conn->rcv_ws, 0xffff);
	conn->rcv_adv = conn->rcv_nxt + (uint32_t)(value << conn->rcv_ws);
	return (uint16_t)value;
}

/** Retransmission timeout now, with backoff (RFC 6298) */
static unsigned long tcp_rto(struct tcp_connection *conn)
{
	unsigned long rto = (conn->flags & TCP_CF_RTT_VALID) ?
				    conn->rto : tcp_tunables.rto_initial;
	unsigned int shift = conn->backoff;

	if (rto < tcp_tunables.rto_min)
		rto = tcp_tunables.rto_min;
	while (shift-- && rto < tcp_tunables.rto_max)
		rto *= 2;
	if (rto > tcp_tunables.rto_max)
		rto = tcp_tunables.rto_max;
	return rto ? rto : 1;
}

/** Take an RTT sample into SRTT and RTTVAR (RFC 6298 2.2, 2.3) */
static void tcp_rtt_sample(struct tcp_connection *conn, unsigned long rtt)
{
	long delta;

	if (!(conn->flags & TCP_CF_RTT_VALID)) {
		conn->srtt8 = rtt << 3;
		conn->rttvar4 = rtt << 1;
		conn->flags |= TCP_CF_RTT_VALID;
	} else {
		delta = (long)rtt - (long)(conn->srtt8 >> 3);
		conn->srtt8 = (unsigned long)((long)conn->srtt8 + delta);
		if (delta < 0)
			delta = -delta;
		conn->rttvar4 = (unsigned long)((long)conn->rttvar4 + delta -
						(long)(conn->rttvar4 >> 2));
	}
	conn->rto = (conn->srtt8 >> 3) + tcp_max(conn->rttvar4, 1);
	DBGC2(conn, "TCP rtt %lu srtt %lu rto %lu\n", rtt, conn->srtt8 >> 3,
	      conn->rto);
}

/** (Re)start the retransmission timer with the current timeout */
static void tcp_rtx_start(struct tcp_connection *conn)
{
	timer_start(&conn->rtx_timer, tcp_rto(conn));
}

/* ------------------------------------------------------------------------
 * Transmission
 */

/** Write our SYN options: MSS, and window scale when we may use it */
static void tcp_syn_options(struct tcp_connection *conn, uint8_t *opt)
{
	opt[0] = TCP_OPT_MSS;
	opt[1] = 4;
	opt[2] = (uint8_t)(conn->rcv_mss >> 8);
	opt[3] = (uint8_t)conn->rcv_mss;
	opt[4] = TCP_OPT_NOP;
	opt[5] = TCP_OPT_WS;
	opt[6] = 3;
	opt[7] = (uint8_t)conn->rcv_ws;
	opt[8] = TCP_OPT_NOP;
	opt[9] = TCP_OPT_NOP;
	opt[10] = TCP_OPT_SACK_PERM;
	opt[11] = 2;
	/* An answer offers only what the peer's SYN offered */
	if (conn->state == TCP_SYN_RCVD && !(conn->flags & TCP_CF_WS))
		memset(opt + 4, TCP_OPT_NOP, 4);
	if (conn->state == TCP_SYN_RCVD && !(conn->flags & TCP_CF_SACK))
		memset(opt + 8, TCP_OPT_NOP, 4);
}

/** Received data bytes of a queued segment */
static size_t tcp_rxq_len(struct io_buffer *iobuf)
{
	return iob_len(iobuf) - sizeof(struct tcp_rx_meta);
}

/** SACK blocks being gathered: the latest segment's range, then others */
struct tcp_sack_list {
	uint32_t latest[2];
	int have_latest;
	uint32_t others[TCP_SACK_BLOCKS_MAX - 1][2];
	unsigned int count;
};

/** Record one merged range of out-of-order data */
static void tcp_sack_put(struct tcp_connection *conn,
			 struct tcp_sack_list *list, uint32_t start,
			 uint32_t end)
{
	if (!tcp_seq_before(conn->sack_recent, start) &&
	    tcp_seq_before(conn->sack_recent, end)) {
		list->latest[0] = start;
		list->latest[1] = end;
		list->have_latest = 1;
	} else if (list->count < TCP_SACK_BLOCKS_MAX - 1) {
		list->others[list->count][0] = start;
		list->others[list->count][1] = end;
		list->count++;
	}
}

/**
 * Write the SACK option (RFC 2018) an ACK of ours carries: the
 * out-of-order data we hold, as merged ranges. The range holding the
 * segment that came last goes first; the others follow from the lowest
 * up, as many as fit.
 *
 * @opt		where to write, or NULL to measure only
 * @ret len	bytes of options (0: nothing to report)
 */
static size_t tcp_sack_option(struct tcp_connection *conn, uint8_t *opt)
{
	struct tcp_sack_list list;
	struct tcp_rx_meta meta;
	struct io_buffer *pos;
	uint32_t start = 0, end = 0, s, e, block[2];
	unsigned int i, n;
	int open = 0;

	if (!(conn->flags & TCP_CF_SACK) || list_empty(&conn->rx_queue))
		return 0;
	memset(&list, 0, sizeof(list));
	list_for_each_entry(pos, &conn->rx_queue, list) {
		memcpy(&meta, pos->data, sizeof(meta));
		s = meta.seq;
		e = s + (uint32_t)tcp_rxq_len(pos);
		if (!tcp_seq_after(e, conn->rcv_nxt))
			continue;
		if (tcp_seq_before(s, conn->rcv_nxt))
			s = conn->rcv_nxt;
		if (open && !tcp_seq_after(s, end)) {
			if (tcp_seq_after(e, end))
				end = e;
			continue;
		}
		if (open)
			tcp_sack_put(conn, &list, start, end);
		start = s;
		end = e;
		open = 1;
	}
	if (open)
		tcp_sack_put(conn, &list, start, end);
	n = list.have_latest + list.count;
	if (!n)
		return 0;
	if (opt) {
		opt[0] = TCP_OPT_NOP;
		opt[1] = TCP_OPT_NOP;
		opt[2] = TCP_OPT_SACK;
		opt[3] = (uint8_t)(2 + 8 * n);
		for (i = 0; i < n; i++) {
			if (list.have_latest && i == 0)
				memcpy(block, list.latest, sizeof(block));
			else
				memcpy(block, list.others[i - list.have_latest],
				       sizeof(block));
			block[0] = htonl(block[0]);
			block[1] = htonl(block[1]);
			memcpy(opt + 4 + 8 * i, block, sizeof(block));
		}
	}
	return 4 + 8 * n;
}

/** Window field of a segment we send */
static uint16_t tcp_window_field(struct tcp_connection *conn,
				 unsigned int flags)
{
	size_t value;

	if (flags & TCP_RST)
		return 0;
	if (!(flags & TCP_SYN))
		return tcp_rcv_window(conn);
	/* Never scaled in a SYN (RFC 7323 2.2) */
	value = tcp_min(tcp_rcv_avail(conn), 0xffff);
	if (conn->state == TCP_SYN_RCVD)
		conn->rcv_adv = conn->rcv_nxt + (uint32_t)value;
	return (uint16_t)value;
}

/**
 * Build and send one segment of a connection.
 *
 * @seq		its sequence number
 * @len		data bytes, copied from the send queue at @seq
 * @flags	TCP_* flags (a SYN carries our options)
 * @ret rc	0, or an error from the layers below (counted, not fatal)
 */
static int tcp_send(struct tcp_connection *conn, uint32_t seq, size_t len,
		    unsigned int flags)
{
	size_t olen = TCP_SYN_OPTS_LEN;
	struct tcp_header *hdr;
	struct io_buffer *iobuf;

	if (!(flags & TCP_SYN))
		olen = (flags & TCP_RST) ? 0 : tcp_sack_option(conn, NULL);

	iobuf = alloc_iob_headroom(TCPIP_MAX_HEADER_LEN + sizeof(*hdr) + olen,
				   len);
	if (!iobuf)
		return -ENOMEM;
	if (len)
		tcp_tx_copy(conn, seq - tcp_data_seq(conn), iob_put(iobuf, len),
			    len);
	if (flags & TCP_SYN)
		tcp_syn_options(conn, iob_push(iobuf, olen));
	else if (olen)
		tcp_sack_option(conn, iob_push(iobuf, olen));
	hdr = iob_push(iobuf, sizeof(*hdr));
	hdr->src = conn->local.st_port;
	hdr->dest = conn->peer.st_port;
	hdr->seq = htonl(seq);
	hdr->ack = (flags & TCP_ACK) ? htonl(conn->rcv_nxt) : 0;
	hdr->hlen = (uint8_t)(((sizeof(*hdr) + olen) / 4) << 4);
	hdr->flags = (uint8_t)flags;
	hdr->win = htons(tcp_window_field(conn, flags));
	hdr->urg = 0;
	hdr->csum = 0;
	hdr->csum = tcpip_chksum(hdr, iob_len(iobuf));
	if (flags & TCP_ACK) {
		conn->flags &= ~(TCP_CF_ACK_PENDING | TCP_CF_ACK_NOW);
		conn->unacked_len = 0;
	}
	tcp_stats.segments_sent++;
	DBGC2(conn, "TCP %s tx %08x..%08x ack %08x flags %02x\n",
	      tcp_state_names[conn->state], seq, seq + (uint32_t)len,
	      conn->rcv_nxt, flags);
	return tcpip_tx(iobuf, &tcp_protocol, &conn->local, &conn->peer, NULL,
			&hdr->csum);
}

/** Send a bare ACK */
static void tcp_send_ack(struct tcp_connection *conn)
{
	tcp_send(conn, conn->snd_nxt, 0, TCP_ACK);
}

/**
 * Send what lies at @seq: our SYN, or up to @max data bytes followed by
 * our FIN if the data reaches it.
 *
 * @ret used	sequence space the segment occupies
 */
static size_t tcp_send_at(struct tcp_connection *conn, uint32_t seq,
			  size_t max)
{
	unsigned int flags = (conn->state == TCP_SYN_SENT) ? 0 : TCP_ACK;
	size_t offset, len = 0;

	if (!(conn->flags & TCP_CF_SYN_ACKED) && seq == conn->iss) {
		tcp_send(conn, seq, 0, flags | TCP_SYN);
		return 1;
	}
	offset = seq - tcp_data_seq(conn);
	/* SACK blocks, if any, take their room out of the segment (RFC 6691) */
	if (offset < conn->tx_len)
		len = tcp_min(tcp_min(max, conn->tx_len - offset),
			      conn->mss - tcp_sack_option(conn, NULL));
	if (len && offset + len == conn->tx_len)
		flags |= TCP_PSH;
	/* A resend carries the FIN only if the FIN went out before */
	if (tcp_fin_pending(conn) && offset + len == conn->tx_len &&
	    (seq == conn->snd_nxt ||
	     tcp_seq_before(seq + (uint32_t)len, conn->snd_max)))
		flags |= TCP_FIN;
	tcp_send(conn, seq, len, flags);
	return len + !!(flags & TCP_FIN);
}

/** Account for @used sequence space just sent at snd_nxt */
static void tcp_advance(struct tcp_connection *conn, size_t used)
{
	if (!used)
		return;
	/* Time one segment of new data at a time (Karn: never a resend) */
	if (conn->snd_nxt == conn->snd_max &&
	    !(conn->flags & TCP_CF_TIMING)) {
		conn->flags |= TCP_CF_TIMING;
		conn->rtt_seq = conn->snd_nxt + (uint32_t)used;
		conn->rtt_start = currticks();
	}
	conn->snd_nxt += (uint32_t)used;
	if (tcp_seq_after(conn->snd_nxt, conn->snd_max))
		conn->snd_max = conn->snd_nxt;
	if (!conn->rtx_timer.running)
		tcp_rtx_start(conn);
}

/** Resend the first unacknowledged segment */
static void tcp_resend_first(struct tcp_connection *conn, size_t max)
{
	conn->flags &= ~TCP_CF_TIMING;
	tcp_stats.retransmits++;
	tcp_send_at(conn, conn->snd_una, max);
}

/** Bytes the windows let us have in flight now */
static size_t tcp_send_window(struct tcp_connection *conn)
{
	size_t cwnd = conn->cwnd;

	/* Limited transmit (RFC 3042): a segment per early duplicate ACK */
	if (!(conn->flags & TCP_CF_RECOVERY) && conn->dupacks < 3)
		cwnd += conn->dupacks * conn->mss;
	return tcp_min(conn->snd_wnd, cwnd);
}

/** Send our SYN if it has not gone out yet */
static void tcp_xmit_syn(struct tcp_connection *conn)
{
	if (conn->snd_nxt == conn->iss)
		tcp_advance(conn, tcp_send_at(conn, conn->iss, 0));
}

/**
 * Send new segments as the windows allow, our FIN after the data.
 * When data waits but nothing is in flight, the retransmission timer
 * runs as the persist timer (zero-window probes).
 */
static void tcp_xmit(struct tcp_connection *conn)
{
	size_t flight, wnd, usable, unsent, len;

	if (conn->state <= TCP_LISTEN || conn->state == TCP_TIME_WAIT ||
	    conn->state == TCP_FIN_WAIT_2)
		return;
	if (!(conn->flags & TCP_CF_SYN_ACKED)) {
		tcp_xmit_syn(conn);
		return;
	}
	while (tcp_seq_before(conn->snd_nxt, tcp_snd_end(conn))) {
		flight = conn->snd_nxt - conn->snd_una;
		wnd = tcp_send_window(conn);
		usable = (wnd > flight) ? wnd - flight : 0;
		unsent = tcp_snd_end(conn) - conn->snd_nxt -
			 (size_t)tcp_fin_pending(conn);
		len = tcp_min(tcp_min(unsent, usable), conn->mss);
		if (unsent && !len)
			break;
		/* Sender SWS avoidance (RFC 9293 3.8.6.2.1) */
		if (len < unsent && len < conn->mss &&
		    len < conn->snd_wnd_max / 2)
			break;
		tcp_advance(conn, tcp_send_at(conn, conn->snd_nxt, len));
	}
	if (conn->snd_una == conn->snd_max &&
	    tcp_seq_before(conn->snd_nxt, tcp_snd_end(conn)) &&
	    !conn->rtx_timer.running)
		tcp_rtx_start(conn);
}

/** Send an ACK if one is due now, else schedule one for the next step */
static void tcp_ack_flush(struct tcp_connection *conn)
{
	if (conn->state == TCP_CLOSED || !tcp_synced(conn))
		return;
	if (conn->flags & TCP_CF_ACK_NOW)
		tcp_send_ack(conn);
	else if (conn->flags & TCP_CF_ACK_PENDING)
		tcp_schedule(conn);
}

/** The connection's process: queued data, delayed ACKs */
static void tcp_step(struct tcp_connection *conn)
{
	if (conn->state == TCP_CLOSED)
		return;
	tcp_xmit(conn);
	if (conn->flags & TCP_CF_ACK_PENDING)
		conn->flags |= TCP_CF_ACK_NOW;
	tcp_ack_flush(conn);
}

/** Send a reset on a connection */
static void tcp_send_reset(struct tcp_connection *conn)
{
	tcp_stats.resets_sent++;
	tcp_send(conn, conn->snd_nxt, 0, TCP_RST | TCP_ACK);
}

/**
 * Answer a segment that belongs to no connection with a reset
 * (RFC 9293 3.10.7.1); a reset is never answered.
 */
static void tcp_reply_reset(struct tcp_seg *seg)
{
	struct sockaddr_tcpip src = *seg->dest, dest = *seg->src;
	struct tcp_header *hdr;
	struct io_buffer *iobuf;

	if (seg->flags & TCP_RST)
		return;
	iobuf = alloc_iob_headroom(TCPIP_MAX_HEADER_LEN + sizeof(*hdr), 0);
	if (!iobuf)
		return;
	hdr = iob_push(iobuf, sizeof(*hdr));
	memset(hdr, 0, sizeof(*hdr));
	hdr->src = seg->dest_port;
	hdr->dest = seg->src_port;
	hdr->hlen = (sizeof(*hdr) / 4) << 4;
	if (seg->flags & TCP_ACK) {
		hdr->seq = htonl(seg->ack);
		hdr->flags = TCP_RST;
	} else {
		hdr->ack = htonl(seg->seq + (uint32_t)seg->len +
				 !!(seg->flags & TCP_SYN) +
				 !!(seg->flags & TCP_FIN));
		hdr->flags = TCP_RST | TCP_ACK;
	}
	hdr->csum = tcpip_chksum(hdr, sizeof(*hdr));
	tcp_stats.resets_sent++;
	tcp_stats.segments_sent++;
	tcpip_tx(iobuf, &tcp_protocol, &src, &dest, NULL, &hdr->csum);
}

/* ------------------------------------------------------------------------
 * Closing
 */

/** Final teardown: stop everything, tell the consumer, leave the list */
static void tcp_done(struct tcp_connection *conn, int rc)
{
	if (conn->state == TCP_CLOSED)
		return;
	DBGC(conn, "TCP %s closed: %s\n", tcp_state_names[conn->state],
	     rc ? strerror(rc) : "ok");
	conn->state = TCP_CLOSED;
	timer_stop(&conn->rtx_timer);
	timer_stop(&conn->wait_timer);
	process_del(&conn->process);
	tcp_flush_queue(&conn->tx_queue);
	conn->tx_len = 0;
	tcp_flush_queue(&conn->rx_queue);
	conn->rx_queue_len = 0;
	conn->rx_queue_count = 0;
	intf_shutdown(&conn->xfer, rc);
	if (!list_unlinked(&conn->list)) {
		list_del(&conn->list);
		ref_put(&conn->refcnt); /* the list's reference */
	}
}

/** Abort: reset the peer if it knows us, then tear down */
static void tcp_abort(struct tcp_connection *conn, int rc)
{
	if (conn->state == TCP_SYN_RCVD ||
	    (tcp_synced(conn) && conn->state != TCP_TIME_WAIT))
		tcp_send_reset(conn);
	tcp_done(conn, rc);
}

/** Enter TIME_WAIT (kept short: a firmware opens few connections) */
static void tcp_time_wait(struct tcp_connection *conn)
{
	conn->state = TCP_TIME_WAIT;
	timer_stop(&conn->rtx_timer);
	timer_start(&conn->wait_timer, tcp_tunables.time_wait);
}

/** TIME_WAIT is over, or the peer never sent its FIN */
static void tcp_wait_expired(struct timer *timer)
{
	struct tcp_connection *conn =
		container_of(timer, struct tcp_connection, wait_timer);

	if (conn->state == TCP_TIME_WAIT)
		tcp_done(conn, 0);
	else
		tcp_abort(conn, errctx(-ETIMEDOUT, "%s never finished closing",
				       sock_ntoa((struct sockaddr *)&conn->peer)));
}

/** Queue our FIN after the data (a close or a half-close) */
static void tcp_queue_fin(struct tcp_connection *conn)
{
	if (conn->flags & TCP_CF_FIN_QUEUED)
		return;
	switch (conn->state) {
	case TCP_SYN_SENT:
	case TCP_SYN_RCVD:
		/* Sent once the handshake completes */
		break;
	case TCP_ESTABLISHED:
		conn->state = TCP_FIN_WAIT_1;
		break;
	case TCP_CLOSE_WAIT:
		conn->state = TCP_LAST_ACK;
		break;
	default:
		return;
	}
	conn->flags |= TCP_CF_FIN_QUEUED;
	tcp_schedule(conn);
}

/** The consumer has gone: close gracefully (@rc 0) or abort */
static void tcp_consumer_gone(struct tcp_connection *conn, int rc)
{
	if (conn->state == TCP_CLOSED)
		return;
	if (rc != 0) {
		tcp_abort(conn, rc);
		return;
	}
	switch (conn->state) {
	case TCP_LISTEN:
	case TCP_SYN_SENT:
		tcp_done(conn, 0);
		break;
	case TCP_FIN_WAIT_2:
		timer_start(&conn->wait_timer, tcp_tunables.fin_wait);
		break;
	default:
		tcp_queue_fin(conn);
		break;
	}
}

/* ------------------------------------------------------------------------
 * The consumer's side (xfer interface)
 */

/** True while the consumer may still queue data */
static int tcp_may_queue(struct tcp_connection *conn)
{
	if (conn->flags & TCP_CF_FIN_QUEUED)
		return 0;
	return conn->state == TCP_LISTEN || conn->state == TCP_SYN_SENT ||
	       conn->state == TCP_SYN_RCVD ||
	       conn->state == TCP_ESTABLISHED ||
	       conn->state == TCP_CLOSE_WAIT;
}

static size_t tcp_xfer_window(struct tcp_connection *conn)
{
	if (!tcp_may_queue(conn) || !tcp_synced(conn))
		return 0;
	return TCP_SNDBUF - conn->tx_len;
}

static int tcp_xfer_deliver(struct tcp_connection *conn,
			    struct io_buffer *iobuf,
			    struct xfer_metadata *meta)
{
	size_t len = iob_len(iobuf);

	(void)meta;
	if (!tcp_may_queue(conn)) {
		free_iob(iobuf);
		return -ENOTCONN;
	}
	if (len > TCP_SNDBUF - conn->tx_len) {
		free_iob(iobuf);
		return errctx(-ENOBUFS, "%zu bytes exceed the TCP window",
			      len);
	}
	if (!len) {
		free_iob(iobuf);
		return 0;
	}
	tcp_tx_append(conn, iobuf);
	tcp_schedule(conn);
	return 0;
}

/** The consumer can take more: offer a bigger window if that is useful */
static void tcp_xfer_window_changed(struct tcp_connection *conn)
{
	size_t avail, growth, wnd;

	if (conn->state == TCP_CLOSED || !tcp_synced(conn) ||
	    (conn->flags & TCP_CF_FIN_RCVD))
		return;
	avail = tcp_rcv_avail(conn);
	growth = tcp_rcv_growth(conn, avail);
	wnd = conn->rcv_adv - conn->rcv_nxt;
	if (growth && growth >= wnd)
		tcp_send_ack(conn);
}

static void tcp_xfer_close(struct tcp_connection *conn, int rc)
{
	intf_shutdown(&conn->xfer, rc);
	tcp_consumer_gone(conn, rc);
}

static int tcp_xfer_shutdown_write(struct tcp_connection *conn)
{
	if (conn->state == TCP_CLOSED)
		return -ENOTCONN;
	tcp_queue_fin(conn);
	return 0;
}

int tcp_shutdown_write(struct interface *intf)
{
	struct interface *dest;
	__typeof__(tcp_shutdown_write_TYPE(void *)) op =
		intf_get_dest_op(intf, tcp_shutdown_write, &dest);
	int rc = op ? op(intf_object(dest)) : -ENOTCONN;

	intf_put(dest);
	return rc;
}

static struct interface_operation tcp_xfer_ops[] = {
	INTF_OP(xfer_deliver, struct tcp_connection *, tcp_xfer_deliver),
	INTF_OP(xfer_window, struct tcp_connection *, tcp_xfer_window),
	INTF_OP(xfer_window_changed, struct tcp_connection *,
		tcp_xfer_window_changed),
	INTF_OP(intf_close, struct tcp_connection *, tcp_xfer_close),
	INTF_OP(tcp_shutdown_write, struct tcp_connection *,
		tcp_xfer_shutdown_write),
};
static struct interface_descriptor tcp_xfer_desc =
	INTF_DESC(struct tcp_connection, xfer, tcp_xfer_ops);

/* ------------------------------------------------------------------------
 * Retransmission timer (also the persist timer)
 */

/** Nothing in flight, data waiting: probe the window or beat SWS */
static void tcp_persist(struct tcp_connection *conn)
{
	size_t unsent = tcp_snd_end(conn) - conn->snd_nxt;
	size_t len = tcp_min(tcp_max(conn->snd_wnd, 1), unsent);

	if (!unsent || !(conn->flags & TCP_CF_SYN_ACKED))
		return;
	if (!conn->snd_wnd) {
		tcp_stats.window_probes++;
		conn->flags |= TCP_CF_PROBE;
	}
	conn->backoff++;
	tcp_advance(conn, tcp_send_at(conn, conn->snd_nxt, len));
}

/** Retransmission timeout (RFC 6298 5.4-5.7, RFC 5681 3.1) */
static void tcp_timeout(struct tcp_connection *conn)
{
	size_t flight = conn->snd_max - conn->snd_una;

	conn->backoff++;
	if (!conn->snd_wnd && (conn->flags & TCP_CF_SYN_ACKED)) {
		/* The window is shut: resend one byte as a probe */
		tcp_stats.window_probes++;
		conn->flags |= TCP_CF_PROBE;
		tcp_resend_first(conn, 1);
	} else {
		conn->ssthresh = tcp_max(flight / 2, 2 * conn->mss);
		conn->cwnd = conn->mss;
		conn->recover = conn->snd_max;
		conn->dupacks = 0;
		conn->flags &= ~TCP_CF_RECOVERY;
		conn->snd_nxt = conn->snd_una;
		tcp_stats.retransmits++;
		conn->flags &= ~TCP_CF_TIMING;
		conn->snd_nxt += (uint32_t)tcp_send_at(conn, conn->snd_una,
						       conn->mss);
		if (tcp_seq_after(conn->snd_nxt, conn->snd_max))
			conn->snd_max = conn->snd_nxt;
	}
	tcp_rtx_start(conn);
}

static void tcp_rtx_expired(struct timer *timer)
{
	struct tcp_connection *conn =
		container_of(timer, struct tcp_connection, rtx_timer);

	if (conn->state == TCP_CLOSED || conn->state == TCP_LISTEN ||
	    conn->state == TCP_TIME_WAIT)
		return;
	if (conn->snd_una == conn->snd_max) {
		tcp_persist(conn);
		return;
	}
	if (++conn->retries > tcp_tunables.max_retries) {
		tcp_abort(conn, errctx(-ETIMEDOUT, "no answer from %s after "
						   "%u tries",
				       sock_ntoa((struct sockaddr *)&conn->peer),
				       conn->retries));
		return;
	}
	DBGC(conn, "TCP %s timeout %u, rto %lu\n",
	     tcp_state_names[conn->state], conn->retries, tcp_rto(conn));
	tcp_timeout(conn);
}

/* ------------------------------------------------------------------------
 * Reception: acknowledgements
 */

/** Our SYN was acknowledged: the connection is open */
static void tcp_syn_acked(struct tcp_connection *conn)
{
	conn->flags |= TCP_CF_SYN_ACKED;
	conn->state = (conn->flags & TCP_CF_FIN_QUEUED) ? TCP_FIN_WAIT_1 :
							  TCP_ESTABLISHED;
	conn->cwnd = tcp_min(4 * conn->mss, tcp_max(2 * conn->mss, 4380));
	conn->ssthresh = TCP_CWND_MAX;
	conn->recover = conn->snd_una;
	DBGC(conn, "TCP %s with %s, mss %zu\n", tcp_state_names[conn->state],
	     sock_ntoa((struct sockaddr *)&conn->peer), conn->mss);
}

/** Our FIN was acknowledged */
static void tcp_fin_acked(struct tcp_connection *conn)
{
	conn->flags |= TCP_CF_FIN_ACKED;
	switch (conn->state) {
	case TCP_FIN_WAIT_1:
		conn->state = TCP_FIN_WAIT_2;
		timer_stop(&conn->rtx_timer);
		if (!intf_plugged(&conn->xfer))
			timer_start(&conn->wait_timer, tcp_tunables.fin_wait);
		break;
	case TCP_CLOSING:
		tcp_time_wait(conn);
		break;
	case TCP_LAST_ACK:
		tcp_done(conn, 0);
		break;
	default:
		break;
	}
}

/**
 * Congestion window after an ACK of @acked new bytes (RFC 5681, 6582),
 * counting bytes, up to two segments per ACK (RFC 3465), as receivers
 * acknowledge every other segment
 */
static void tcp_cc_ack(struct tcp_connection *conn, uint32_t ack,
		       size_t acked)
{
	size_t flight = conn->snd_max - conn->snd_una;

	if (conn->flags & TCP_CF_RECOVERY) {
		if (tcp_seq_after_eq(ack, conn->recover)) {
			/* Full acknowledgement: deflate, leave recovery */
			conn->cwnd = tcp_min(conn->ssthresh,
					     tcp_max(flight, conn->mss) +
						     conn->mss);
			conn->flags &= ~TCP_CF_RECOVERY;
			conn->dupacks = 0;
		} else {
			/* Partial: the next hole is lost too */
			tcp_resend_first(conn, conn->mss);
			conn->cwnd -= tcp_min(conn->cwnd, acked);
			if (acked >= conn->mss)
				conn->cwnd += conn->mss;
			conn->cwnd = tcp_max(conn->cwnd, conn->mss);
			tcp_rtx_start(conn);
		}
		return;
	}
	conn->dupacks = 0;
	acked = tcp_min(acked, 2 * conn->mss);
	if (conn->cwnd < conn->ssthresh)
		conn->cwnd += acked;
	else
		conn->cwnd += tcp_max(conn->mss * acked / conn->cwnd, 1);
	conn->cwnd = tcp_min(conn->cwnd, TCP_CWND_MAX);
}

/** An ACK acknowledged new sequence space, up to @ack */
static void tcp_rx_newack(struct tcp_connection *conn, uint32_t ack)
{
	size_t acked = ack - conn->snd_una, data;
	int syn = 0, fin = 0;

	if ((conn->flags & TCP_CF_TIMING) &&
	    tcp_seq_after_eq(ack, conn->rtt_seq)) {
		conn->flags &= ~TCP_CF_TIMING;
		tcp_rtt_sample(conn, currticks() - conn->rtt_start);
	}
	if (!(conn->flags & TCP_CF_SYN_ACKED)) {
		syn = 1;
		acked--;
	}
	data = tcp_min(acked, conn->tx_len);
	tcp_tx_discard(conn, data);
	fin = (acked > data) && tcp_fin_pending(conn);
	conn->prev_una = conn->snd_una;
	conn->snd_una = ack;
	if (tcp_seq_before(conn->snd_nxt, ack))
		conn->snd_nxt = ack;
	conn->retries = 0;
	conn->backoff = 0;
	if (syn)
		tcp_syn_acked(conn);
	else
		tcp_cc_ack(conn, ack, data);
	if (conn->snd_una == conn->snd_max)
		timer_stop(&conn->rtx_timer);
	else if (!(conn->flags & TCP_CF_RECOVERY))
		tcp_rtx_start(conn);
	if (fin)
		tcp_fin_acked(conn);
	if ((syn || data) && conn->state != TCP_CLOSED)
		xfer_window_changed(&conn->xfer);
}

/** A duplicate ACK (RFC 5681 2, 3.2) */
static void tcp_rx_dupack(struct tcp_connection *conn, struct tcp_seg *seg,
			  size_t old_wnd)
{
	size_t flight = conn->snd_max - conn->snd_una;

	if (seg->len || (seg->flags & (TCP_SYN | TCP_FIN)) || !flight ||
	    conn->snd_wnd != old_wnd || !conn->snd_wnd)
		return;
	conn->dupacks++;
	if (conn->flags & TCP_CF_RECOVERY) {
		conn->cwnd = tcp_min(conn->cwnd + conn->mss, TCP_CWND_MAX);
		return;
	}
	if (conn->dupacks != 3)
		return;
	/*
	 * Not again for data sent before the last recovery or timeout, unless
	 * the ACKs still advance slowly: then a new loss (RFC 6582 4.2)
	 */
	if (!tcp_seq_after(conn->snd_una, conn->recover) &&
	    !(conn->cwnd > conn->mss &&
	      conn->snd_una - conn->prev_una <= 4 * conn->mss))
		return;
	conn->ssthresh = tcp_max(flight / 2, 2 * conn->mss);
	conn->recover = conn->snd_max;
	conn->cwnd = conn->ssthresh + 3 * conn->mss;
	conn->flags |= TCP_CF_RECOVERY;
	tcp_stats.fast_retransmits++;
	tcp_resend_first(conn, conn->mss);
	tcp_rtx_start(conn);
}

/** Take the peer's window from a segment (RFC 9293 3.10.7.4) */
static void tcp_rx_window(struct tcp_connection *conn, struct tcp_seg *seg)
{
	size_t wnd;

	if (!(tcp_seq_before(conn->snd_wl1, seg->seq) ||
	      (conn->snd_wl1 == seg->seq &&
	       tcp_seq_before_eq(conn->snd_wl2, seg->ack))))
		return;
	wnd = seg->win << ((seg->flags & TCP_SYN) ? 0 : conn->snd_ws);
	conn->snd_wl1 = seg->seq;
	conn->snd_wl2 = seg->ack;
	if (!wnd)
		conn->retries = 0; /* the peer is there, its window shut */
	if (wnd && !conn->snd_wnd && (conn->flags & TCP_CF_PROBE)) {
		/* Reopened: send again from the probe on */
		conn->flags &= ~TCP_CF_PROBE;
		conn->snd_nxt = conn->snd_una;
	}
	conn->snd_wnd = wnd;
	conn->snd_wnd_max = tcp_max(conn->snd_wnd_max, wnd);
}

/**
 * Process the acknowledgement field of an acceptable segment.
 *
 * @ret rc	0, or an error if the segment must be dropped
 */
static int tcp_rx_ack(struct tcp_connection *conn, struct tcp_seg *seg)
{
	size_t old_wnd = conn->snd_wnd;

	if (tcp_seq_after(seg->ack, conn->snd_max)) {
		conn->flags |= TCP_CF_ACK_NOW;
		return -EINVAL;
	}
	if (tcp_seq_before(seg->ack, conn->snd_una))
		return 0; /* an old duplicate: ignored */
	tcp_rx_window(conn, seg);
	if (seg->ack == conn->snd_una)
		tcp_rx_dupack(conn, seg, old_wnd);
	else
		tcp_rx_newack(conn, seg->ack);
	return 0;
}

/* ------------------------------------------------------------------------
 * Reception: data
 */

/** Queue a received segment in sequence order (bounded) */
static void tcp_rxq_insert(struct tcp_connection *conn,
			   struct io_buffer *iobuf, struct tcp_seg *seg)
{
	struct tcp_rx_meta meta, pos_meta;
	struct io_buffer *pos;

	if (seg->seq != conn->rcv_nxt &&
	    (conn->rx_queue_count >= TCP_OOO_MAX ||
	     conn->rx_queue_len + seg->len > TCP_MAX_WINDOW)) {
		tcp_stats.ooo_dropped++;
		free_iob(iobuf);
		return;
	}
	list_for_each_entry(pos, &conn->rx_queue, list) {
		/* Stored unaligned: copied, never dereferenced in place */
		memcpy(&pos_meta, pos->data, sizeof(pos_meta));
		if (pos_meta.seq == seg->seq && tcp_rxq_len(pos) >= seg->len &&
		    (pos_meta.fin || !(seg->flags & TCP_FIN))) {
			free_iob(iobuf); /* a duplicate */
			return;
		}
		if (tcp_seq_after(pos_meta.seq, seg->seq))
			break;
	}
	if (seg->seq != conn->rcv_nxt)
		conn->sack_recent = seg->seq;
	meta.seq = seg->seq;
	meta.fin = !!(seg->flags & TCP_FIN);
	memcpy(iob_push(iobuf, sizeof(meta)), &meta, sizeof(meta));
	list_add_tail(&iobuf->list, &pos->list);
	conn->rx_queue_len += seg->len;
	conn->rx_queue_count++;
}

/** The peer's FIN arrived in order */
static void tcp_rx_fin(struct tcp_connection *conn)
{
	conn->flags |= TCP_CF_FIN_RCVD | TCP_CF_ACK_NOW;
	conn->rcv_nxt++;
	tcp_flush_queue(&conn->rx_queue);
	conn->rx_queue_len = 0;
	conn->rx_queue_count = 0;
	switch (conn->state) {
	case TCP_ESTABLISHED:
		conn->state = TCP_CLOSE_WAIT;
		break;
	case TCP_FIN_WAIT_1:
		conn->state = TCP_CLOSING;
		break;
	case TCP_FIN_WAIT_2:
		timer_stop(&conn->wait_timer);
		tcp_time_wait(conn);
		break;
	default:
		break;
	}
	/* All data has been delivered: the stream is over */
	intf_shutdown(&conn->xfer, 0);
	tcp_consumer_gone(conn, 0);
}

/** Take the first queued segment if it starts at or before rcv_nxt */
static struct io_buffer *tcp_rxq_next(struct tcp_connection *conn, int *fin)
{
	struct io_buffer *iobuf =
		list_first_entry(&conn->rx_queue, struct io_buffer, list);
	struct tcp_rx_meta meta;
	size_t len, dup;

	if (!iobuf)
		return NULL;
	memcpy(&meta, iobuf->data, sizeof(meta));
	if (tcp_seq_after(meta.seq, conn->rcv_nxt))
		return NULL;
	len = tcp_rxq_len(iobuf);
	list_del(&iobuf->list);
	conn->rx_queue_len -= len;
	conn->rx_queue_count--;
	iob_pull(iobuf, sizeof(meta));
	/* Trim what an earlier segment already delivered */
	dup = conn->rcv_nxt - meta.seq;
	iob_pull(iobuf, tcp_min(dup, len));
	*fin = meta.fin && (dup <= len);
	return iobuf;
}

/** Deliver every segment that is now in order */
static void tcp_rx_drain(struct tcp_connection *conn)
{
	struct io_buffer *iobuf;
	int fin;

	while (conn->state != TCP_CLOSED && !(conn->flags & TCP_CF_FIN_RCVD) &&
	       (iobuf = tcp_rxq_next(conn, &fin)) != NULL) {
		conn->rcv_nxt += (uint32_t)iob_len(iobuf);
		if (iob_len(iobuf))
			xfer_deliver(&conn->xfer, iobuf, NULL);
		else
			free_iob(iobuf);
		if (fin && conn->state != TCP_CLOSED)
			tcp_rx_fin(conn);
	}
}

/**
 * In-order data waits for its ACK until the next step, after the whole
 * batch of frames the NIC had, or until this much has come in: a quarter
 * of the window we offered, within 2 to TCP_ACK_MAX_SEGS segments. The
 * peer keeps three quarters of its window to send into meanwhile, and a
 * polled NIC pays for every frame it sends (a register write; under
 * emulation, a costly exit): an ACK per two segments halved the speed.
 */
static size_t tcp_ack_every(struct tcp_connection *conn)
{
	size_t offered = (conn->rcv_adv - conn->rcv_nxt) + conn->unacked_len;
	size_t mss = tcp_max(conn->rcv_mss, TCP_MIN_MSS);

	return tcp_min(tcp_max(offered / 4, 2 * mss), TCP_ACK_MAX_SEGS * mss);
}

/** Data (and FIN) of an acceptable, trimmed segment */
static void tcp_rx_data(struct tcp_connection *conn, struct tcp_seg *seg,
			struct io_buffer *iobuf)
{
	int in_order = (seg->seq == conn->rcv_nxt);
	int queued = !list_empty(&conn->rx_queue);
	size_t every;

	if (!seg->len && !(seg->flags & TCP_FIN)) {
		free_iob(iobuf);
		return;
	}
	if (conn->state != TCP_ESTABLISHED &&
	    conn->state != TCP_FIN_WAIT_1 && conn->state != TCP_FIN_WAIT_2) {
		free_iob(iobuf);
		conn->flags |= TCP_CF_ACK_NOW;
		return;
	}
	tcp_rxq_insert(conn, iobuf, seg);
	/* Out of order, or filling a hole: acknowledge at once (RFC 5681 4.2) */
	every = tcp_ack_every(conn);
	if (in_order)
		conn->unacked_len += seg->len;
	if (!in_order || queued || conn->unacked_len >= every)
		conn->flags |= TCP_CF_ACK_NOW;
	else
		conn->flags |= TCP_CF_ACK_PENDING;
	if (in_order)
		tcp_rx_drain(conn);
}

/**
 * Cut a segment to the receive window: drop what we already have and
 * what lies beyond the right edge (RFC 9293 3.10.7.4, first check).
 *
 * @ret ok	1 if the segment is still worth processing
 */
static int tcp_rx_trim(struct tcp_connection *conn, struct tcp_seg *seg,
		       struct io_buffer *iobuf)
{
	uint32_t dup, n, keep;

	/* A FIN at the right edge may have taken rcv_nxt past it */
	if (tcp_seq_before(conn->rcv_adv, conn->rcv_nxt))
		conn->rcv_adv = conn->rcv_nxt;
	if (tcp_seq_before(seg->seq, conn->rcv_nxt)) {
		dup = conn->rcv_nxt - seg->seq;
		conn->flags |= TCP_CF_ACK_NOW;
		if (seg->flags & TCP_SYN) {
			seg->flags &= ~TCP_SYN;
			dup--;
		}
		n = (uint32_t)tcp_min(dup, seg->len);
		iob_pull(iobuf, n);
		seg->len -= n;
		if (dup > n)
			seg->flags &= ~TCP_FIN;
		seg->seq = conn->rcv_nxt;
	}
	if (tcp_seq_after(seg->seq, conn->rcv_adv)) {
		conn->flags |= TCP_CF_ACK_NOW;
		return 0;
	}
	keep = conn->rcv_adv - seg->seq;
	if (seg->len > keep) {
		/* Beyond the window (a zero-window probe, say) */
		iob_unput(iobuf, seg->len - keep);
		seg->len = keep;
		seg->flags &= ~TCP_FIN;
		conn->flags |= TCP_CF_ACK_NOW;
	}
	return 1;
}

/** A reset on a synchronized connection (RFC 5961 3.2) */
static void tcp_rx_reset(struct tcp_connection *conn, struct tcp_seg *seg)
{
	if (seg->seq != conn->rcv_nxt) {
		/* In the window but not exact: challenge it */
		if (tcp_seq_in(seg->seq, conn->rcv_nxt, conn->rcv_adv))
			tcp_send_ack(conn);
		return;
	}
	tcp_stats.resets_received++;
	if ((conn->flags & TCP_CF_PASSIVE) && conn->state == TCP_SYN_RCVD &&
	    intf_plugged(&conn->xfer)) {
		/*
		 * Back to listening (RFC 9293 3.10.7.4), for a consumer that
		 * is still there: one that has closed is done with it
		 */
		timer_stop(&conn->rtx_timer);
		conn->state = TCP_LISTEN;
		conn->flags &= (TCP_CF_PASSIVE | TCP_CF_FIN_QUEUED);
		return;
	}
	tcp_done(conn, errctx(-ECONNRESET, "reset by %s",
			      sock_ntoa((struct sockaddr *)&conn->peer)));
}

/** A segment for a connection past SYN_SENT */
static void tcp_rx_synced(struct tcp_connection *conn, struct tcp_seg *seg,
			  struct io_buffer *iobuf)
{
	if (seg->flags & TCP_RST) {
		tcp_rx_reset(conn, seg);
		goto drop;
	}
	if (conn->state == TCP_SYN_RCVD && (seg->flags & TCP_SYN) &&
	    seg->seq == conn->irs) {
		/* The peer did not see our SYN-ACK */
		tcp_send_at(conn, conn->iss, 0);
		goto drop;
	}
	if (!tcp_rx_trim(conn, seg, iobuf))
		goto drop;
	if (seg->flags & TCP_SYN) {
		conn->flags |= TCP_CF_ACK_NOW; /* challenge (RFC 5961 4) */
		goto drop;
	}
	if (!(seg->flags & TCP_ACK))
		goto drop;
	if (conn->state == TCP_SYN_RCVD &&
	    !tcp_seq_in(seg->ack, conn->snd_una + 1, conn->snd_max + 1)) {
		tcp_reply_reset(seg);
		goto drop;
	}
	if (tcp_rx_ack(conn, seg) != 0 || conn->state == TCP_CLOSED)
		goto drop;
	tcp_rx_data(conn, seg, iobuf);
	iobuf = NULL;
	if (conn->state == TCP_CLOSED)
		return;
	tcp_xmit(conn);
drop:
	free_iob(iobuf);
	tcp_ack_flush(conn);
}

/* ------------------------------------------------------------------------
 * Reception: opening
 */

/** Learn the peer's MSS and window scale from its SYN */
static void tcp_rx_syn_options(struct tcp_connection *conn,
			       struct tcp_seg *seg)
{
	size_t mss = seg->mss ? seg->mss : TCP_DEFAULT_MSS;

	conn->mss = tcp_max(tcp_min(conn->rcv_mss, mss), TCP_MIN_MSS);
	if (seg->ws >= 0) {
		conn->flags |= TCP_CF_WS;
		conn->snd_ws = (unsigned int)seg->ws;
	} else {
		conn->snd_ws = 0;
		conn->rcv_ws = 0;
	}
	if (seg->sack_perm)
		conn->flags |= TCP_CF_SACK;
	conn->irs = seg->seq;
	conn->rcv_nxt = seg->seq + 1;
	conn->rcv_adv = conn->rcv_nxt;
	conn->snd_wnd = seg->win;
	conn->snd_wnd_max = seg->win;
	conn->snd_wl1 = seg->seq;
	conn->snd_wl2 = seg->ack;
}

/** Sequence numbers and segment size for a new connection */
static void tcp_init_send(struct tcp_connection *conn)
{
	size_t mtu = tcpip_mtu(&conn->peer);

	conn->iss = tcp_tunables.iss ? tcp_tunables.iss :
				       ((uint32_t)random() << 1) ^
					       (uint32_t)(currticks() * 250);
	conn->snd_una = conn->snd_nxt = conn->snd_max = conn->iss;
	conn->recover = conn->iss;
	/* tcpip_mtu() has already taken off the IP header: 1480 gives 1460 */
	conn->rcv_mss = (mtu > sizeof(struct tcp_header) + TCP_MIN_MSS) ?
				mtu - sizeof(struct tcp_header) :
				TCP_DEFAULT_MSS;
	if (conn->rcv_mss > 0xffff)
		conn->rcv_mss = 0xffff;
	conn->mss = conn->rcv_mss;
	conn->rcv_ws = TCP_RCV_WS;
}

/** A segment for a listening connection: only a SYN opens it */
static void tcp_rx_listen(struct tcp_connection *conn, struct tcp_seg *seg)
{
	if (seg->flags & TCP_RST)
		return;
	if (seg->flags & TCP_ACK) {
		tcp_reply_reset(seg);
		return;
	}
	if (!(seg->flags & TCP_SYN))
		return;
	memcpy(&conn->peer, seg->src, sizeof(conn->peer));
	memcpy(&conn->local, seg->dest, sizeof(conn->local));
	tcp_init_send(conn);
	tcp_rx_syn_options(conn, seg);
	conn->snd_wl2 = conn->iss;
	conn->state = TCP_SYN_RCVD;
	DBGC(conn, "TCP SYN_RCVD from %s\n",
	     sock_ntoa((struct sockaddr *)&conn->peer));
	tcp_xmit(conn);
}

/** A segment while our SYN is out (RFC 9293 3.10.7.3) */
static void tcp_rx_syn_sent(struct tcp_connection *conn, struct tcp_seg *seg)
{
	int ack_ok = tcp_seq_in(seg->ack, conn->iss + 1, conn->snd_max + 1);

	if ((seg->flags & TCP_ACK) && !ack_ok) {
		tcp_reply_reset(seg);
		return;
	}
	if (seg->flags & TCP_RST) {
		if (!(seg->flags & TCP_ACK))
			return;
		tcp_stats.resets_received++;
		tcp_done(conn, errctx(-ECONNREFUSED, "%s refused the connection",
				      sock_ntoa((struct sockaddr *)&conn->peer)));
		return;
	}
	if (!(seg->flags & TCP_SYN))
		return;
	tcp_rx_syn_options(conn, seg);
	if (!(seg->flags & TCP_ACK)) {
		/* Simultaneous open: answer with SYN-ACK */
		conn->state = TCP_SYN_RCVD;
		conn->snd_nxt = conn->iss;
		tcp_xmit(conn);
		return;
	}
	tcp_rx_newack(conn, seg->ack);
	if (conn->state == TCP_CLOSED)
		return;
	tcp_xmit(conn);
	conn->flags |= TCP_CF_ACK_NOW;
	tcp_ack_flush(conn);
}

/* ------------------------------------------------------------------------
 * Reception: entry point
 */

/** Hand a segment to its connection, by state */
static void tcp_rx_conn(struct tcp_connection *conn, struct tcp_seg *seg,
			struct io_buffer *iobuf)
{
	DBGC2(conn, "TCP %s rx %08x..%08x ack %08x flags %02x win %zu\n",
	      tcp_state_names[conn->state], seg->seq,
	      seg->seq + (uint32_t)seg->len, seg->ack, seg->flags, seg->win);
	if (conn->state == TCP_LISTEN) {
		tcp_rx_listen(conn, seg);
		free_iob(iobuf);
	} else if (conn->state == TCP_SYN_SENT) {
		tcp_rx_syn_sent(conn, seg);
		free_iob(iobuf);
	} else {
		tcp_rx_synced(conn, seg, iobuf);
	}
}

/** Parse TCP options; @return -EINVAL if one runs past the header */
static int tcp_rx_options(const uint8_t *opt, size_t len, struct tcp_seg *seg)
{
	size_t olen;

	while (len && opt[0] != TCP_OPT_END) {
		if (opt[0] == TCP_OPT_NOP) {
			opt++;
			len--;
			continue;
		}
		if (len < 2 || opt[1] < 2 || opt[1] > len)
			return -EINVAL;
		olen = opt[1];
		if (opt[0] == TCP_OPT_MSS) {
			if (olen != 4)
				return -EINVAL;
			seg->mss = ((unsigned int)opt[2] << 8) | opt[3];
		} else if (opt[0] == TCP_OPT_WS) {
			if (olen != 3)
				return -EINVAL;
			seg->ws = (opt[2] > TCP_MAX_WS) ? TCP_MAX_WS : opt[2];
		} else if (opt[0] == TCP_OPT_SACK_PERM) {
			if (olen != 2)
				return -EINVAL;
			seg->sack_perm = 1;
		}
		/* SACK blocks from the peer are not used: NewReno recovers */
		opt += olen;
		len -= olen;
	}
	return 0;
}

/** Check a segment's header and checksum, and strip the header */
static int tcp_rx_parse(struct io_buffer *iobuf, uint16_t pshdr_csum,
			struct tcp_seg *seg)
{
	struct tcp_header *hdr = iobuf->data;
	size_t len = iob_len(iobuf), hlen;

	if (len < sizeof(*hdr))
		return -EINVAL;
	hlen = (size_t)(hdr->hlen >> 4) * 4;
	if (hlen < sizeof(*hdr) || hlen > len)
		return -EINVAL;
	if (tcpip_continue_chksum(pshdr_csum, hdr, len) != 0)
		return -EINVAL;
	memset(seg, 0, sizeof(*seg));
	seg->ws = -1;
	if (tcp_rx_options((uint8_t *)(hdr + 1), hlen - sizeof(*hdr), seg))
		return -EINVAL;
	seg->seq = ntohl(hdr->seq);
	seg->ack = ntohl(hdr->ack);
	seg->flags = hdr->flags;
	seg->win = ntohs(hdr->win);
	seg->src_port = hdr->src;
	seg->dest_port = hdr->dest;
	seg->len = len - hlen;
	iob_pull(iobuf, hlen);
	return 0;
}

/** The connection a segment belongs to, or NULL */
static struct tcp_connection *tcp_demux(struct tcp_seg *seg)
{
	struct tcp_connection *conn, *listener = NULL;

	list_for_each_entry(conn, &tcp_conns, list) {
		if (conn->local.st_port != seg->dest_port)
			continue;
		if (conn->state == TCP_LISTEN)
			listener = conn;
		else if (tcp_peer_is(conn, seg->src))
			return conn;
	}
	return listener;
}

static int tcp_rx(struct io_buffer *iobuf, struct net_device *netdev,
		  struct sockaddr_tcpip *st_src, struct sockaddr_tcpip *st_dest,
		  uint16_t pshdr_csum)
{
	struct tcp_connection *conn;
	struct tcp_seg seg;
	int rc;

	(void)netdev;
	if ((rc = tcp_rx_parse(iobuf, pshdr_csum, &seg)) != 0) {
		tcp_stats.bad_segments++;
		free_iob(iobuf);
		return rc;
	}
	tcp_stats.segments_received++;
	/* The network layer knows no ports: they are ours to fill in */
	st_src->st_port = seg.src_port;
	st_dest->st_port = seg.dest_port;
	seg.src = st_src;
	seg.dest = st_dest;
	conn = tcp_demux(&seg);
	if (!conn || conn->state == TCP_CLOSED) {
		tcp_reply_reset(&seg);
		free_iob(iobuf);
		return 0;
	}
	ref_get(&conn->refcnt);
	tcp_rx_conn(conn, &seg, iobuf);
	ref_put(&conn->refcnt);
	return 0;
}

struct tcpip_protocol tcp_protocol __tcpip_protocol = {
	.name = "TCP",
	.rx = tcp_rx,
	.tcpip_proto = IP_TCP,
};

/* ------------------------------------------------------------------------
 * Opening
 */

static void tcp_free(struct refcnt *refcnt)
{
	struct tcp_connection *conn =
		container_of(refcnt, struct tcp_connection, refcnt);

	tcp_flush_queue(&conn->tx_queue);
	tcp_flush_queue(&conn->rx_queue);
	free(conn);
}

static const struct process_descriptor tcp_process_desc =
	PROC_DESC_ONCE(struct tcp_connection, process, tcp_step);

/** True if no connection has bound @port */
static int tcp_port_available(int port)
{
	struct tcp_connection *conn;

	list_for_each_entry(conn, &tcp_conns, list) {
		if (conn->local.st_port == htons((uint16_t)port))
			return 0;
	}
	return 1;
}

/** Allocate a connection bound to a local port (not yet listed) */
static struct tcp_connection *tcp_alloc(struct sockaddr *local,
					sa_family_t family, int *rc)
{
	struct tcp_connection *conn = zalloc(sizeof(*conn));
	int port;

	if (!conn) {
		*rc = -ENOMEM;
		return NULL;
	}
	ref_init(&conn->refcnt, tcp_free);
	INIT_LIST_HEAD(&conn->list);
	intf_init(&conn->xfer, &tcp_xfer_desc, &conn->refcnt);
	timer_init(&conn->rtx_timer, tcp_rtx_expired, &conn->refcnt);
	timer_init(&conn->wait_timer, tcp_wait_expired, &conn->refcnt);
	process_init_stopped(&conn->process, &tcp_process_desc,
			     &conn->refcnt);
	INIT_LIST_HEAD(&conn->tx_queue);
	INIT_LIST_HEAD(&conn->rx_queue);
	if (local)
		memcpy(&conn->local, local, sizeof(conn->local));
	conn->local.st_family = family;
	port = tcpip_bind(&conn->local, tcp_port_available);
	if (port < 0) {
		*rc = port;
		ref_put(&conn->refcnt);
		return NULL;
	}
	conn->local.st_port = htons((uint16_t)port);
	return conn;
}

int tcp_open(struct interface *xfer, struct sockaddr *peer,
	     struct sockaddr *local)
{
	struct sockaddr_tcpip *st_peer = (struct sockaddr_tcpip *)peer;
	struct tcp_connection *conn;
	int rc;

	if (!st_peer->st_port)
		return errctx(-EINVAL, "no port to connect to");
	conn = tcp_alloc(local, peer->sa_family, &rc);
	if (!conn)
		return rc;
	memcpy(&conn->peer, peer, sizeof(conn->peer));
	tcp_init_send(conn);
	conn->state = TCP_SYN_SENT;
	DBGC(conn, "TCP SYN_SENT to %s\n", sock_ntoa(peer));
	/* Nowhere to send to: say so now rather than after every retry */
	rc = tcp_send(conn, conn->iss, 0, TCP_SYN);
	if (rc_is(rc, ENETUNREACH) || rc_is(rc, EHOSTUNREACH) ||
	    rc_is(rc, EAFNOSUPPORT)) {
		ref_put(&conn->refcnt);
		return rc;
	}
	tcp_advance(conn, 1);
	list_add(&conn->list, &tcp_conns);
	intf_plug_plug(&conn->xfer, xfer);
	return 0;
}

int tcp_listen(struct interface *xfer, struct sockaddr *local)
{
	struct tcp_connection *conn;
	int rc;

	conn = tcp_alloc(local, local->sa_family, &rc);
	if (!conn)
		return rc;
	conn->state = TCP_LISTEN;
	conn->flags = TCP_CF_PASSIVE;
	list_add(&conn->list, &tcp_conns);
	intf_plug_plug(&conn->xfer, xfer);
	return 0;
}

struct socket_opener tcp_socket_opener __socket_opener = {
	.semantics = SOCK_STREAM,
	.family = AF_INET,
	.open = tcp_open,
};

/** At exit: abort every connection, so that peers are not left waiting */
static void tcp_shutdown(int booting)
{
	struct tcp_connection *conn;

	(void)booting;
	while ((conn = list_first_entry(&tcp_conns, struct tcp_connection,
					list)) != NULL) {
		ref_get(&conn->refcnt);
		tcp_abort(conn, errctx(-ECONNABORTED, "shutting down"));
		ref_put(&conn->refcnt);
	}
}

struct startup_fn tcp_startup_fn __startup_fn(STARTUP_LATE) = {
	.name = "tcp",
	.shutdown = tcp_shutdown,
};
