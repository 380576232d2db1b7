/* TCP (RFC 9293): stream sockets over the xfer interface. */
#ifndef KEEL_TCP_H
#define KEEL_TCP_H
#include <stddef.h>
#include <stdint.h>
#include <keel/in.h>

struct interface;

struct tcp_header {
	uint16_t src;
	uint16_t dest;
	uint32_t seq;
	uint32_t ack;
	uint8_t hlen;
	uint8_t flags;
	uint16_t win;
	uint16_t csum;
	uint16_t urg;
} __attribute__((packed));
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20

/* Options (RFC 9293, RFC 7323, RFC 2018) */
#define TCP_OPT_END 0
#define TCP_OPT_NOP 1
#define TCP_OPT_MSS 2
#define TCP_OPT_WS 3
#define TCP_OPT_SACK_PERM 4
#define TCP_OPT_SACK 5
/** Most SACK blocks in one segment (no timestamps: 4 fit in 40 bytes) */
#define TCP_SACK_BLOCKS_MAX 4
/** Largest window scale shift a peer may ask for (RFC 7323) */
#define TCP_MAX_WS 14

/*
 * A TCP connection is opened with xfer_open_socket(xfer, SOCK_STREAM,
 * peer, local). Data delivered on xfer is sent in order; xfer_window()
 * says how much may be delivered now. Received data arrives in order
 * through xfer_deliver(). intf_close() on xfer with 0 starts a graceful
 * close (FIN after the data queued so far); with an error it aborts the
 * connection (RST). The connection closes xfer with 0 after the peer's FIN,
 * or with an error (-ECONNRESET, -ETIMEDOUT, -ECONNREFUSED) otherwise.
 * tcp_shutdown_write() is a half-close: FIN, but keep receiving.
 */

/** Open an active TCP connection */
int tcp_open(struct interface *xfer, struct sockaddr *peer,
	     struct sockaddr *local);
/**
 * Listen for one incoming connection on a local port (used by tests and
 * by protocols that need a data connection back).
 */
int tcp_listen(struct interface *xfer, struct sockaddr *local);

/**
 * Half-close, like shutdown(SHUT_WR): send FIN after the data queued so
 * far and keep receiving until the peer closes. Called on the consumer's
 * own interface (as xfer_deliver is); it travels through pass-through
 * interfaces. Later deliveries are refused.
 *
 * @intf	the consumer's interface plugged into the connection
 * @ret rc	0, or -ENOTCONN if no TCP connection was reached
 */
int tcp_shutdown_write(struct interface *intf);
#define tcp_shutdown_write_TYPE(object_type) int (*)(object_type)

/** Connection statistics, for tests and benchmarks */
struct tcp_stats {
	unsigned int segments_sent, segments_received, retransmits,
		fast_retransmits, resets_sent, resets_received, bad_segments;
	/** Zero-window probes sent */
	unsigned int window_probes;
	/** Received segments dropped because the out-of-order queue was full */
	unsigned int ooo_dropped;
};
extern struct tcp_stats tcp_stats;

/** Receive window offered (bytes): the link, not the window, limits us */
#define TCP_MAX_WINDOW (512 * 1024)
/** Send buffer per connection (bytes): what xfer_window() offers at most */
#define TCP_SNDBUF (256 * 1024)
/** Out-of-order segments kept per connection at most */
#define TCP_OOO_MAX 512

/**
 * Timing and retry knobs (milliseconds). The defaults suit a firmware on
 * a LAN or the Internet; tests shorten them.
 */
struct tcp_tunables {
	/** Retransmission timeout before any RTT sample (RFC 6298: 1 s) */
	unsigned long rto_initial;
	/** Bounds of the retransmission timeout */
	unsigned long rto_min, rto_max;
	/** Retransmissions of one segment before giving up (-ETIMEDOUT) */
	unsigned int max_retries;
	/** TIME_WAIT: kept short, as a firmware reuses few ports */
	unsigned long time_wait;
	/** How long to wait for the peer's FIN after ours was acknowledged */
	unsigned long fin_wait;
	/** Fixed initial sequence number, for tests (0: random) */
	uint32_t iss;
};
extern struct tcp_tunables tcp_tunables;

/** Number of connections alive in any state (tests wait for 0) */
unsigned int tcp_count(void);

/*
 * Sequence number arithmetic (RFC 9293 section 3.4): modulo 2^32, so a
 * comparison holds across wrap-around for numbers less than 2^31 apart.
 */

/** True if sequence number @a comes before @b */
static inline int tcp_seq_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}
/** True if sequence number @a comes after @b */
static inline int tcp_seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}
/** True if @a comes before @b or equals it */
static inline int tcp_seq_before_eq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}
/** True if @a comes after @b or equals it */
static inline int tcp_seq_after_eq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}
/** True if @lo <= @x < @hi, modulo 2^32 */
static inline int tcp_seq_in(uint32_t x, uint32_t lo, uint32_t hi)
{
	return (uint32_t)(x - lo) < (uint32_t)(hi - lo);
}

#endif
