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

uint16_t tcpip_continue_chksum(uint16_t partial, const void *data, size_t len)
{
	/*
	 * The ones' complement sum does not depend on byte order (RFC 1071),
	 * so 16-bit words are summed as they lie in memory and the result is
	 * stored into a header as it is, with no swapping.
	 */
	const uint8_t *bytes = data;
	uint32_t sum = (uint16_t)~partial;
	uint16_t word;
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		memcpy(&word, &bytes[i], sizeof(word));
		sum += word;
	}
	if (len & 1) {
		word = 0;
		memcpy(&word, &bytes[len - 1], 1);
		sum += word;
	}
	while (sum >> 16)
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
