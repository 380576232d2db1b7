/* TCP (RFC 9293): stream sockets over the xfer interface. */
#ifndef KEEL_TCP_H
#define KEEL_TCP_H
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

/*
 * A TCP connection is opened with xfer_open_socket(xfer, SOCK_STREAM,
 * peer, local). Data delivered on xfer is sent in order; xfer_window()
 * says how much may be delivered now. Received data arrives in order
 * through xfer_deliver(). intf_close() on xfer starts a graceful close;
 * the connection closes xfer with 0 after the peer's FIN, or with an
 * error (-ECONNRESET, -ETIMEDOUT, -ECONNREFUSED) otherwise.
 */

/** Open an active TCP connection */
int tcp_open(struct interface *xfer, struct sockaddr *peer,
	     struct sockaddr *local);
/**
 * Listen for one incoming connection on a local port (used by tests and
 * by protocols that need a data connection back).
 */
int tcp_listen(struct interface *xfer, struct sockaddr *local);

/** Connection statistics, for tests and benchmarks */
struct tcp_stats {
	unsigned int segments_sent, segments_received, retransmits,
		fast_retransmits, resets_sent, resets_received, bad_segments;
};
extern struct tcp_stats tcp_stats;

/** Receive window offered (bytes): the link, not the window, limits us */
#define TCP_MAX_WINDOW (512 * 1024)

#endif
