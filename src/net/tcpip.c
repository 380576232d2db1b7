/* The transport/network boundary: dispatch, checksums, and local ports. */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/iobuf.h>
#include <keel/netdevice.h>
#include <keel/tcpip.h>

int tcpip_rx(struct io_buffer *iobuf, struct net_device *netdev,
	     uint8_t tcpip_proto, struct sockaddr_tcpip *st_src,
	     struct sockaddr_tcpip *st_dest, uint16_t pshdr_csum)
{
	struct tcpip_protocol *proto;

	for_each_table_entry(proto, TCPIP_PROTOCOLS) {
		if (proto->tcpip_proto == tcpip_proto)
			return proto->rx(iobuf, netdev, st_src, st_dest,
					 pshdr_csum);
	}
	free_iob(iobuf);
	return -EPROTONOSUPPORT;
}

/** The network protocol for an address family, or NULL */
static struct tcpip_net_protocol *tcpip_net_protocol(sa_family_t family)
{
	struct tcpip_net_protocol *net;

	for_each_table_entry(net, TCPIP_NET_PROTOCOLS) {
		if (net->sa_family == family)
			return net;
	}
	return NULL;
}

int tcpip_tx(struct io_buffer *iobuf, struct tcpip_protocol *tcpip_protocol,
	     struct sockaddr_tcpip *st_src, struct sockaddr_tcpip *st_dest,
	     struct net_device *netdev, uint16_t *trans_csum)
{
	struct tcpip_net_protocol *net = tcpip_net_protocol(st_dest->st_family);

	if (!net) {
		free_iob(iobuf);
		return -EAFNOSUPPORT;
	}
	return net->tx(iobuf, tcpip_protocol, st_src, st_dest, netdev,
		       trans_csum);
}

struct net_device *tcpip_netdev(struct sockaddr_tcpip *st_dest)
{
	struct tcpip_net_protocol *net = tcpip_net_protocol(st_dest->st_family);

	return (net && net->netdev) ? net->netdev(st_dest) : NULL;
}

size_t tcpip_mtu(struct sockaddr_tcpip *st_dest)
{
	struct tcpip_net_protocol *net = tcpip_net_protocol(st_dest->st_family);
	struct net_device *netdev;

	if (!net)
		return 0;
	netdev = tcpip_netdev(st_dest);
	if (!netdev)
		return 0;
	return netdev->mtu - net->header_len;
}

/** A 32-bit word as it lies in memory (a plain load on x86) */
static inline uint32_t chksum_word(const uint8_t *p)
{
	uint32_t w;

	/* __builtin_: the freestanding build would call memcpy otherwise */
	__builtin_memcpy(&w, p, sizeof(w));
	return w;
}

/** Ones' complement addition: the carry out comes back in at the bottom */
static inline uint32_t chksum_add(uint32_t sum, uint32_t w)
{
	sum += w;
	return sum + (sum < w);
}

uint16_t tcpip_continue_chksum(uint16_t partial, const void *data, size_t len)
{
	/*
	 * The ones' complement sum does not depend on byte order (RFC 1071),
	 * so words are summed as they lie in memory and the result is stored
	 * into a header as it is, with no swapping. Summing 32-bit words
	 * gives the same 16-bit sum once folded, as 2^16 is 1 modulo 0xffff.
	 * Every byte received passes through here: four bytes a step.
	 */
	const uint8_t *bytes = data;
	uint32_t sum = (uint16_t)~partial;
	uint16_t half = 0;

	for (; len >= 16; bytes += 16, len -= 16) {
		sum = chksum_add(sum, chksum_word(bytes));
		sum = chksum_add(sum, chksum_word(bytes + 4));
		sum = chksum_add(sum, chksum_word(bytes + 8));
		sum = chksum_add(sum, chksum_word(bytes + 12));
	}
	for (; len >= 4; bytes += 4, len -= 4)
		sum = chksum_add(sum, chksum_word(bytes));
	if (len >= 2) {
		__builtin_memcpy(&half, bytes, sizeof(half));
		sum = chksum_add(sum, half);
		bytes += 2;
		len -= 2;
	}
	if (len) {
		/* An odd end is padded with a zero byte, as it lies */
		half = 0;
		__builtin_memcpy(&half, bytes, 1);
		sum = chksum_add(sum, half);
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t tcpip_chksum(const void *data, size_t len)
{
	return tcpip_continue_chksum(TCPIP_EMPTY_CSUM, data, len);
}

int tcpip_bind(struct sockaddr_tcpip *st_local, int (*available)(int port))
{
	static unsigned int next_port;
	unsigned int port = ntohs(st_local->st_port), i, base, range;

	if (port)
		return available((int)port) ? (int)port : -EADDRINUSE;
	/* Ephemeral ports 49152..65535; privileged asks for 512..1023 */
	base = (st_local->st_flags & TCPIP_BIND_PRIVILEGED) ? 512 : 49152;
	range = (st_local->st_flags & TCPIP_BIND_PRIVILEGED) ? 512 : 16384;
	if (!next_port)
		next_port = (unsigned int)random();
	for (i = 0; i < range; i++) {
		port = base + (next_port++ % range);
		if (available((int)port))
			return (int)port;
	}
	return errctx(-EADDRINUSE, "no free local port");
}
