/* UDP (RFC 768): datagram sockets over the xfer interface. */
#ifndef KEEL_UDP_H
#define KEEL_UDP_H
#include <stdint.h>
#include <keel/in.h>

struct interface;

struct udp_header {
	uint16_t src;
	uint16_t dest;
	uint16_t len;
	uint16_t chksum;
} __attribute__((packed));

/*
 * A UDP socket is opened with xfer_open_socket(xfer, SOCK_DGRAM, peer,
 * local). Each delivered buffer is one datagram; xfer_metadata's src and
 * dest (struct sockaddr *) carry addresses: on receive, where it came from;
 * on transmit, an optional different destination (and local address, for
 * DHCP's broadcasts from 0.0.0.0). A peer with address 0 and port 0 means
 * "receive from anyone" (a listening socket bound to local's port).
 */

/** Open a UDP socket */
int udp_open(struct interface *xfer, struct sockaddr *peer,
	     struct sockaddr *local);

#endif
