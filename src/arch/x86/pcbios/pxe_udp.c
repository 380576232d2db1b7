/* The PXE UDP API (UDP_OPEN/READ/WRITE/CLOSE): one Keel UDP socket per local port the NBP uses. */
#include <string.h>
#include <errno.h>
#include <keel/debug.h>
#include <keel/in.h>
#include <keel/interface.h>
#include <keel/iobuf.h>
#include <keel/open.h>
#include <keel/xfer.h>
#include <x86/pxe_api.h>

/*
 * The PXE UDP API sends from and receives on any port the caller names.
 * Keel binds a socket to each local port on its first use (write or read)
 * and queues what arrives there until the NBP reads it.
 */

#define PXE_UDP_PORTS 16
/** Datagrams queued per port before new ones are dropped */
#define PXE_UDP_QUEUE_MAX 32
/** Source port when the caller gives 0 (PXE specification) */
#define PXE_UDP_DEFAULT_PORT 2069

/** Addresses kept in front of each queued datagram */
struct pxe_udp_meta {
	uint32_t src_ip, dest_ip;
	uint16_t s_port, d_port;
} __attribute__((packed));

struct pxe_udp_port {
	int used;
	/** Local port, network order */
	uint16_t port;
	struct interface xfer;
	struct list_head rx;
	unsigned int rx_count;
};

static struct pxe_udp_port pxe_udp_ports[PXE_UDP_PORTS];
static int pxe_udp_opened;

static void pxe_udp_port_close(struct pxe_udp_port *p, int rc)
{
	struct io_buffer *iobuf, *tmp;

	intf_shutdown(&p->xfer, rc);
	list_for_each_entry_safe(iobuf, tmp, &p->rx, list) {
		list_del(&iobuf->list);
		free_iob(iobuf);
	}
	p->rx_count = 0;
	p->used = 0;
}

static int pxe_udp_deliver(struct pxe_udp_port *p, struct io_buffer *iobuf,
			   struct xfer_metadata *meta)
{
	const struct sockaddr_in *src = meta ? meta->src : NULL;
	const struct sockaddr_in *dest = meta ? meta->dest : NULL;
	struct pxe_udp_meta *m;

	if (p->rx_count >= PXE_UDP_QUEUE_MAX || !src || !dest ||
	    !(m = iob_push(iobuf, sizeof(*m)))) {
		free_iob(iobuf);
		return -ENOBUFS;
	}
	m->src_ip = src->sin_addr.s_addr;
	m->s_port = src->sin_port;
	m->dest_ip = dest->sin_addr.s_addr;
	m->d_port = p->port;
	list_add_tail(&iobuf->list, &p->rx);
	p->rx_count++;
	return 0;
}

static struct interface_operation pxe_udp_ops[] = {
	INTF_OP(xfer_deliver, struct pxe_udp_port *, pxe_udp_deliver),
	INTF_OP(intf_close, struct pxe_udp_port *, pxe_udp_port_close),
};
static struct interface_descriptor pxe_udp_desc =
	INTF_DESC(struct pxe_udp_port, xfer, pxe_udp_ops);

/** The socket bound to @port (network order), opened if need be */
static struct pxe_udp_port *pxe_udp_port(uint16_t port)
{
	struct sockaddr_in peer, local;
	struct pxe_udp_port *p, *free_slot = NULL;
	int rc;

	for (p = pxe_udp_ports; p < pxe_udp_ports + PXE_UDP_PORTS; p++) {
		if (p->used && p->port == port)
			return p;
		if (!p->used && !free_slot)
			free_slot = p;
	}
	if (!(p = free_slot))
		return NULL;
	memset(&peer, 0, sizeof(peer));
	memset(&local, 0, sizeof(local));
	peer.sin_family = local.sin_family = AF_INET;
	local.sin_port = port;
	intf_init(&p->xfer, &pxe_udp_desc, NULL);
	INIT_LIST_HEAD(&p->rx);
	p->rx_count = 0;
	rc = xfer_open_socket(&p->xfer, SOCK_DGRAM, (struct sockaddr *)&peer,
			      (struct sockaddr *)&local);
	if (rc) {
		DBG("PXE UDP cannot bind port %u: %d\n", ntohs(port), rc);
		return NULL;
	}
	p->used = 1;
	p->port = port;
	return p;
}

void pxe_udp_reset(void)
{
	struct pxe_udp_port *p;

	for (p = pxe_udp_ports; p < pxe_udp_ports + PXE_UDP_PORTS; p++) {
		if (p->used)
			pxe_udp_port_close(p, 0);
	}
	pxe_udp_opened = 0;
}

static uint16_t pxe_udp_open(void *params)
{
	(void)params;
	/* Keel keeps the address DHCP gave it, whatever src_ip says */
	pxe_udp_opened = 1;
	return PXENV_STATUS_SUCCESS;
}

static uint16_t pxe_udp_close(void *params)
{
	(void)params;
	pxe_udp_reset();
	return PXENV_STATUS_SUCCESS;
}

static uint16_t pxe_udp_write(void *params)
{
	struct pxe_udp_write *wr = params;
	struct xfer_metadata meta;
	struct sockaddr_in dest;
	struct pxe_udp_port *p;
	struct io_buffer *iobuf;
	const void *data;
	uint16_t port = wr->src_port ? wr->src_port
				     : htons(PXE_UDP_DEFAULT_PORT);

	if (!pxe_udp_opened)
		return PXENV_STATUS_UDP_CLOSED;
	data = pxe_user_ptr(wr->buffer.segment, wr->buffer.offset,
			    wr->buffer_size);
	if (!data)
		return PXENV_STATUS_BAD_FUNC;
	if (!(p = pxe_udp_port(port)))
		return PXENV_STATUS_OUT_OF_RESOURCES;
	if (!(iobuf = xfer_alloc_iob(&p->xfer, wr->buffer_size)))
		return PXENV_STATUS_OUT_OF_RESOURCES;
	memcpy(iob_put(iobuf, wr->buffer_size), data, wr->buffer_size);
	memset(&dest, 0, sizeof(dest));
	dest.sin_family = AF_INET;
	dest.sin_addr.s_addr = wr->ip;
	dest.sin_port = wr->dst_port;
	memset(&meta, 0, sizeof(meta));
	meta.dest = &dest;
	if (xfer_deliver(&p->xfer, iobuf, &meta) != 0)
		return PXENV_STATUS_FAILURE;
	pxe_step();
	return PXENV_STATUS_SUCCESS;
}

/** The first queued datagram for @port (0: any), or NULL */
static struct io_buffer *pxe_udp_dequeue(uint16_t port)
{
	struct pxe_udp_port *p;
	struct io_buffer *iobuf;

	for (p = pxe_udp_ports; p < pxe_udp_ports + PXE_UDP_PORTS; p++) {
		if (!p->used || (port && p->port != port))
			continue;
		iobuf = list_first_entry(&p->rx, struct io_buffer, list);
		if (iobuf) {
			list_del(&iobuf->list);
			p->rx_count--;
			return iobuf;
		}
	}
	return NULL;
}

static uint16_t pxe_udp_read(void *params)
{
	struct pxe_udp_read *rd = params;
	struct pxe_udp_meta m;
	struct io_buffer *iobuf;
	size_t len;
	void *dest;

	if (!pxe_udp_opened)
		return PXENV_STATUS_UDP_CLOSED;
	dest = pxe_user_ptr(rd->buffer.segment, rd->buffer.offset,
			    rd->buffer_size);
	if (!dest)
		return PXENV_STATUS_BAD_FUNC;
	/* Bind the port now, so that what comes next is kept */
	if (rd->d_port)
		pxe_udp_port(rd->d_port);
	pxe_step();
	while ((iobuf = pxe_udp_dequeue(rd->d_port)) != NULL) {
		memcpy(&m, iobuf->data, sizeof(m));
		iob_pull(iobuf, sizeof(m));
		if (!rd->dest_ip || rd->dest_ip == m.dest_ip)
			break;
		free_iob(iobuf);
	}
	if (!iobuf)
		return PXENV_STATUS_FAILURE;
	len = iob_len(iobuf);
	if (len > rd->buffer_size)
		len = rd->buffer_size;
	memcpy(dest, iobuf->data, len);
	free_iob(iobuf);
	rd->src_ip = m.src_ip;
	rd->dest_ip = m.dest_ip;
	rd->s_port = m.s_port;
	rd->d_port = m.d_port;
	rd->buffer_size = (uint16_t)len;
	return PXENV_STATUS_SUCCESS;
}

struct pxe_api_call pxe_udp_calls[] __pxe_api_call = {
	{PXENV_UDP_OPEN, sizeof(struct pxe_udp_open), pxe_udp_open},
	{PXENV_UDP_CLOSE, sizeof(struct pxe_status_only), pxe_udp_close},
	{PXENV_UDP_WRITE, sizeof(struct pxe_udp_write), pxe_udp_write},
	{PXENV_UDP_READ, sizeof(struct pxe_udp_read), pxe_udp_read},
};
