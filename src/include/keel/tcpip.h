/* The transport/network boundary: TCP, UDP and ICMP over IPv4 (and later IPv6). */
#ifndef KEEL_TCPIP_H
#define KEEL_TCPIP_H
#include <stddef.h>
#include <stdint.h>
#include <keel/in.h>
#include <keel/tables.h>

struct io_buffer;
struct net_device;

/** Headroom that a transport must reserve below its own header */
#define TCPIP_MAX_HEADER_LEN (14 + 60 + 60)

/** A transport protocol (TCP, UDP, ICMP) */
struct tcpip_protocol {
	const char *name;
	/**
	 * Receive a packet; data starts at the transport header. Takes
	 * ownership of @iobuf.
	 *
	 * @st_src	source address and port
	 * @st_dest	destination address and port
	 * @pshdr_csum	checksum of the pseudo-header, to continue from
	 * @ret rc	0, or a negative error (the packet is then counted bad)
	 */
	int (*rx)(struct io_buffer *iobuf, struct net_device *netdev,
		  struct sockaddr_tcpip *st_src, struct sockaddr_tcpip *st_dest,
		  uint16_t pshdr_csum);
	/** Protocol number (IP_TCP...) */
	uint8_t tcpip_proto;
	/** True if a zero checksum means "none" (UDP) */
	int zero_csum;
};
#define TCPIP_PROTOCOLS __table(struct tcpip_protocol, "tcpip_protocols")
#define __tcpip_protocol __table_entry(TCPIP_PROTOCOLS, 01)

/** A network protocol that carries transports (IPv4, IPv6) */
struct tcpip_net_protocol {
	const char *name;
	sa_family_t sa_family;
	/** Length of its header, for headroom */
	size_t header_len;
	/**
	 * Send a transport packet.
	 *
	 * @st_src	source (address may be 0: the route chooses), or NULL
	 * @st_dest	destination
	 * @netdev	device to use, or NULL to route
	 * @trans_csum	where the transport's checksum lives in the packet, or
	 *		NULL. The transport stores tcpip_chksum() of its header
	 *		and data there; the network layer continues it with the
	 *		pseudo-header.
	 */
	int (*tx)(struct io_buffer *iobuf, struct tcpip_protocol *tcpip_protocol,
		  struct sockaddr_tcpip *st_src, struct sockaddr_tcpip *st_dest,
		  struct net_device *netdev, uint16_t *trans_csum);
	/** The device a destination would be sent through, or NULL */
	struct net_device *(*netdev)(struct sockaddr_tcpip *st_dest);
};
#define TCPIP_NET_PROTOCOLS                                                    \
	__table(struct tcpip_net_protocol, "tcpip_net_protocols")
#define __tcpip_net_protocol __table_entry(TCPIP_NET_PROTOCOLS, 01)

/** Hand a packet to its transport (called by IPv4/IPv6) */
int tcpip_rx(struct io_buffer *iobuf, struct net_device *netdev,
	     uint8_t tcpip_proto, struct sockaddr_tcpip *st_src,
	     struct sockaddr_tcpip *st_dest, uint16_t pshdr_csum);
/** Send a transport packet through the network protocol of @st_dest */
int tcpip_tx(struct io_buffer *iobuf, struct tcpip_protocol *tcpip_protocol,
	     struct sockaddr_tcpip *st_src, struct sockaddr_tcpip *st_dest,
	     struct net_device *netdev, uint16_t *trans_csum);
/** The device a destination would use, or NULL */
struct net_device *tcpip_netdev(struct sockaddr_tcpip *st_dest);
/**
 * Room for a transport's header and data to a destination: the device MTU
 * less the network-layer header (1480 for IPv4 over Ethernet), or 0 if the
 * destination is unroutable.
 */
size_t tcpip_mtu(struct sockaddr_tcpip *st_dest);

/**
 * Internet checksum (RFC 1071) continued from a partial sum.
 *
 * @partial	previous result (0xffff to start)
 * @ret csum	ones' complement of the ones' complement sum
 */
uint16_t tcpip_continue_chksum(uint16_t partial, const void *data, size_t len);
/** Internet checksum of a buffer */
uint16_t tcpip_chksum(const void *data, size_t len);
#define TCPIP_EMPTY_CSUM 0xffff
/** A checksum that verifies to zero (as a received packet's should) */
#define TCPIP_NEGATIVE_ZERO_CSUM 0x0000

/**
 * Bind a local port for a transport.
 *
 * @st_local	requested address; its port 0 means "any free port"
 * @available	tests whether a port is free for this transport
 * @ret port	bound port (host order), or negative error
 */
int tcpip_bind(struct sockaddr_tcpip *st_local, int (*available)(int port));

#endif
