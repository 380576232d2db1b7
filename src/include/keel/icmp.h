/* ICMP (RFC 792): echo replies, and echo requests for ping. */
#ifndef KEEL_ICMP_H
#define KEEL_ICMP_H
#include <stddef.h>
#include <stdint.h>
#include <keel/in.h>
#include <keel/list.h>

struct icmp_header {
	uint8_t type;
	uint8_t code;
	uint16_t chksum;
} __attribute__((packed));

struct icmp_echo {
	struct icmp_header icmp;
	uint16_t ident;
	uint16_t sequence;
} __attribute__((packed));

#define ICMP_ECHO_REPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_ECHO_REQUEST 8

/** Someone waiting for echo replies with an identifier */
struct icmp_echo_listener {
	struct list_head list;
	uint16_t ident;
	/** A reply arrived */
	void (*reply)(struct icmp_echo_listener *listener, uint16_t sequence,
		      const void *data, size_t len,
		      const struct sockaddr_in *src);
};

void icmp_listen(struct icmp_echo_listener *listener);
void icmp_unlisten(struct icmp_echo_listener *listener);

/**
 * Send an echo request; the payload is a deterministic pattern of @len bytes.
 *
 * @ret rc	0 or a negative error (e.g. -ENETUNREACH)
 */
int icmp_echo_request(struct sockaddr_in *dest, uint16_t ident,
		      uint16_t sequence, size_t len);

/** The payload byte at offset @i of echo requests (for checking replies) */
static inline uint8_t icmp_pattern(size_t i)
{
	return (uint8_t)(i * 13 + 7);
}

#endif
