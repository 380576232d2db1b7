/* UDP (RFC 768): datagram sockets, with addresses carried in xfer metadata. */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/iobuf.h>
#include <keel/open.h>
#include <keel/tcpip.h>
#include <keel/udp.h>
#include <keel/xfer.h>

struct tcpip_protocol udp_protocol;

/** A UDP socket */
struct udp_connection {
	struct refcnt refcnt;
	struct list_head list;
	struct interface xfer;
	/** Remote address (address 0 / port 0: anyone) */
	struct sockaddr_tcpip peer;
	/** Local address and bound port */
	struct sockaddr_tcpip local;
};

static LIST_HEAD(udp_conns);

/** True if no socket has bound @port */
static int udp_port_available(int port)
{
	struct udp_connection *udp;

	list_for_each_entry(udp, &udp_conns, list) {
		if (udp->local.st_port == htons((uint16_t)port))
			return 0;
	}
	return 1;
}

static void udp_close(struct udp_connection *udp, int rc)
{
	intf_shutdown(&udp->xfer, rc);
	if (!list_unlinked(&udp->list)) {
		list_del(&udp->list);
		ref_put(&udp->refcnt); /* the list's reference */
	}
}

static struct io_buffer *udp_alloc_iob(struct udp_connection *udp, size_t len)
{
	struct io_buffer *iobuf;

	(void)udp;
	iobuf = alloc_iob_headroom(
		TCPIP_MAX_HEADER_LEN + sizeof(struct udp_header), len);
	return iobuf;
}

static int udp_deliver(struct udp_connection *udp, struct io_buffer *iobuf,
		       struct xfer_metadata *meta)
{
	struct sockaddr_tcpip *dest =
		meta->dest ? (struct sockaddr_tcpip *)meta->dest : &udp->peer;
	struct sockaddr_tcpip *src =
		meta->src ? (struct sockaddr_tcpip *)meta->src : &udp->local;
	struct udp_header *udph;
	size_t len = iob_len(iobuf);

	udph = iob_push(iobuf, sizeof(*udph));
	if (!udph) {
		free_iob(iobuf);
		return -ENOBUFS;
	}
	udph->src = udp->local.st_port;
	udph->dest = dest->st_port;
	udph->len = htons((uint16_t)(len + sizeof(*udph)));
	udph->chksum = 0;
	udph->chksum = tcpip_chksum(udph, len + sizeof(*udph));
	return tcpip_tx(iobuf, &udp_protocol, src, dest, NULL, &udph->chksum);
}

static struct interface_operation udp_xfer_ops[] = {
	INTF_OP(xfer_deliver, struct udp_connection *, udp_deliver),
	INTF_OP(xfer_alloc_iob, struct udp_connection *, udp_alloc_iob),
	INTF_OP(intf_close, struct udp_connection *, udp_close),
};
static struct interface_descriptor udp_xfer_desc =
	INTF_DESC(struct udp_connection, xfer, udp_xfer_ops);

int udp_open(struct interface *xfer, struct sockaddr *peer,
	     struct sockaddr *local)
{
	struct udp_connection *udp;
	int port;

	udp = zalloc(sizeof(*udp));
	if (!udp)
		return -ENOMEM;
	ref_init(&udp->refcnt, NULL);
	intf_init(&udp->xfer, &udp_xfer_desc, &udp->refcnt);
	memcpy(&udp->peer, peer, sizeof(udp->peer));
	if (local)
		memcpy(&udp->local, local, sizeof(udp->local));
	udp->local.st_family = peer->sa_family;
	port = tcpip_bind(&udp->local, udp_port_available);
	if (port < 0) {
		ref_put(&udp->refcnt);
		return port;
	}
	udp->local.st_port = htons((uint16_t)port);
	list_add(&udp->list, &udp_conns);
	intf_plug_plug(&udp->xfer, xfer);
	return 0;
}

/** The socket a datagram belongs to, or NULL */
static struct udp_connection *udp_demux(struct sockaddr_tcpip *st_src,
					struct sockaddr_tcpip *st_dest)
{
	struct udp_connection *udp;
	struct sockaddr_in *peer, *src = (struct sockaddr_in *)st_src;

	list_for_each_entry(udp, &udp_conns, list) {
		peer = (struct sockaddr_in *)&udp->peer;
		if (udp->local.st_port != st_dest->st_port)
			continue;
		if (peer->sin_port && peer->sin_port != src->sin_port)
			continue;
		if (peer->sin_addr.s_addr &&
		    peer->sin_addr.s_addr != INADDR_BROADCAST &&
		    peer->sin_addr.s_addr != src->sin_addr.s_addr)
			continue;
		return udp;
	}
	return NULL;
}

static int udp_rx(struct io_buffer *iobuf, struct net_device *netdev,
		  struct sockaddr_tcpip *st_src, struct sockaddr_tcpip *st_dest,
		  uint16_t pshdr_csum)
{
	struct udp_header *udph = iobuf->data;
	struct xfer_metadata meta;
	struct udp_connection *udp;
	size_t len;

	(void)netdev;
	if (iob_len(iobuf) < sizeof(*udph))
		goto drop;
	len = ntohs(udph->len);
	if (len < sizeof(*udph) || len > iob_len(iobuf))
		goto drop;
	iob_trim(iobuf, len);
	if (udph->chksum &&
	    tcpip_continue_chksum(pshdr_csum, iobuf->data, len) != 0)
		goto drop;
	st_src->st_port = udph->src;
	st_dest->st_port = udph->dest;
	udp = udp_demux(st_src, st_dest);
	if (!udp)
		goto drop;
	iob_pull(iobuf, sizeof(*udph));
	memset(&meta, 0, sizeof(meta));
	meta.src = st_src;
	meta.dest = st_dest;
	return xfer_deliver(&udp->xfer, iobuf, &meta);
drop:
	free_iob(iobuf);
	return -EINVAL;
}

struct tcpip_protocol udp_protocol __tcpip_protocol = {
	.name = "UDP",
	.rx = udp_rx,
	.tcpip_proto = IP_UDP,
	.zero_csum = 1,
};

struct socket_opener udp_socket_opener __socket_opener = {
	.semantics = SOCK_DGRAM,
	.family = AF_INET,
	.open = udp_open,
};
