/* IPv4 (RFC 791): routes from settings, transmit, validated receive, bounded
 * reassembly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/arp.h>
#include <keel/byteswap.h>
#include <keel/ethernet.h>
#include <keel/iobuf.h>
#include <keel/ip.h>
#include <keel/netdevice.h>
#include <keel/settings.h>
#include <keel/tcpip.h>
#include <keel/timer.h>

LIST_HEAD(ipv4_miniroutes);
struct ipv4_stats ipv4_stats;
static uint16_t next_ident = 0x4b4c;

/* ------------------------------------------------------------------------
 * Routes
 */

/** Fetch an IPv4 setting from a device (and the blocks below it) */
static struct in_addr ipv4_fetch(struct net_device *netdev,
				 const struct setting *setting)
{
	struct in_addr addr = {0};

	fetch_setting(&netdev->settings.settings, setting, NULL, NULL, &addr,
		      sizeof(addr));
	return addr;
}

/** Class-based netmask for an address without one */
static struct in_addr ipv4_default_netmask(struct in_addr address)
{
	uint32_t a = ntohl(address.s_addr);
	struct in_addr mask;

	mask.s_addr = htonl((a >> 31) == 0   ? 0xff000000
			    : (a >> 30) == 2 ? 0xffff0000
					     : 0xffffff00);
	return mask;
}

/** Add the route for one device, if it has an address */
static int ipv4_add_route(struct net_device *netdev)
{
	struct in_addr address = ipv4_fetch(netdev, &ip_setting);
	struct ipv4_miniroute *route;

	if (!address.s_addr)
		return 0;
	route = zalloc(sizeof(*route));
	if (!route)
		return -ENOMEM;
	route->netdev = netdev_get(netdev);
	route->address = address;
	route->netmask = ipv4_fetch(netdev, &netmask_setting);
	if (!route->netmask.s_addr)
		route->netmask = ipv4_default_netmask(address);
	route->network.s_addr = address.s_addr & route->netmask.s_addr;
	route->hostmask.s_addr = ~route->netmask.s_addr;
	route->gateway = ipv4_fetch(netdev, &gateway_setting);
	/* Routes through a gateway go last: direct routes are more specific */
	if (route->gateway.s_addr)
		list_add_tail(&route->list, &ipv4_miniroutes);
	else
		list_add(&route->list, &ipv4_miniroutes);
	return 0;
}

int ipv4_create_routes(void)
{
	struct ipv4_miniroute *route, *tmp;
	struct net_device *netdev;
	int rc = 0;

	list_for_each_entry_safe(route, tmp, &ipv4_miniroutes, list) {
		list_del(&route->list);
		netdev_put(route->netdev);
		free(route);
	}
	list_for_each_entry(netdev, &net_devices, list) {
		if (netdev_is_open(netdev) && !rc)
			rc = ipv4_add_route(netdev);
	}
	return rc;
}

struct settings_applicator ipv4_settings_applicator __settings_applicator = {
	.name = "ipv4",
	.apply = ipv4_create_routes,
};

/** The device with a given index, or NULL */
static struct net_device *ipv4_netdev_by_index(unsigned int index)
{
	struct net_device *netdev;

	list_for_each_entry(netdev, &net_devices, list) {
		if (netdev->index == index)
			return netdev;
	}
	return NULL;
}

struct ipv4_miniroute *ipv4_route(unsigned int scope_id, struct in_addr *dest)
{
	struct ipv4_miniroute *route;

	list_for_each_entry(route, &ipv4_miniroutes, list) {
		/* Broadcasts and multicasts leave through the scope's device */
		if (dest->s_addr == INADDR_BROADCAST ||
		    IN_IS_MULTICAST(dest->s_addr)) {
			if (!scope_id || route->netdev->index == scope_id - 1)
				return route;
			continue;
		}
		if (((dest->s_addr ^ route->network.s_addr) &
		     route->netmask.s_addr) == 0)
			return route;
		if (route->gateway.s_addr) {
			*dest = route->gateway;
			return route;
		}
	}
	return NULL;
}

/* ------------------------------------------------------------------------
 * Transmit
 */

/** Link-layer destination for a next hop, or send through ARP */
static int ipv4_ll_tx(struct io_buffer *iobuf, struct net_device *netdev,
		      struct in_addr next_hop, struct in_addr src,
		      struct ipv4_miniroute *route)
{
	uint8_t ll_dest[MAX_LL_ADDR_LEN];

	if (next_hop.s_addr == INADDR_BROADCAST ||
	    (route &&
	     (next_hop.s_addr & route->hostmask.s_addr) ==
		     route->hostmask.s_addr &&
	     route->hostmask.s_addr))
		return net_tx(iobuf, netdev, &ipv4_protocol,
			      netdev->ll_broadcast, netdev->ll_addr);
	if (IN_IS_MULTICAST(next_hop.s_addr)) {
		netdev->ll_protocol->mc_hash(AF_INET, &next_hop, ll_dest);
		return net_tx(iobuf, netdev, &ipv4_protocol, ll_dest,
			      netdev->ll_addr);
	}
	return arp_tx(iobuf, netdev, &ipv4_protocol, &next_hop, &src,
		      netdev->ll_addr);
}

/** Choose the device, next hop and source address for a packet */
static int ipv4_choose(struct sockaddr_in *sin_dest, struct sockaddr_in *src,
		       struct net_device **netdev, struct in_addr *next_hop,
		       struct in_addr *source, struct ipv4_miniroute **route)
{
	*next_hop = sin_dest->sin_addr;
	*route = ipv4_route(sin_dest->sin_scope_id, next_hop);
	if (*route) {
		if (!*netdev)
			*netdev = (*route)->netdev;
		*source = (*route)->address;
	} else if (sin_dest->sin_scope_id && !*netdev) {
		/* Unconfigured device: DHCP broadcasts from 0.0.0.0 */
		*netdev = ipv4_netdev_by_index(sin_dest->sin_scope_id - 1U);
		source->s_addr = INADDR_ANY;
	}
	if (src && src->sin_addr.s_addr)
		*source = src->sin_addr;
	if (!*netdev) {
		ipv4_stats.out_no_routes++;
		return errctx(-ENETUNREACH, "no route to %s",
			      inet_ntoa(sin_dest->sin_addr));
	}
	return 0;
}

static int ipv4_tx(struct io_buffer *iobuf,
		   struct tcpip_protocol *tcpip_protocol,
		   struct sockaddr_tcpip *st_src,
		   struct sockaddr_tcpip *st_dest, struct net_device *netdev,
		   uint16_t *trans_csum)
{
	struct sockaddr_in *sin_dest = (struct sockaddr_in *)st_dest;
	struct ipv4_pseudo_header pshdr;
	struct ipv4_miniroute *route;
	struct in_addr next_hop, source = {0};
	struct iphdr *iphdr;
	int rc;

	ipv4_stats.out_requests++;
	if ((rc = ipv4_choose(sin_dest, (struct sockaddr_in *)st_src, &netdev,
			      &next_hop, &source, &route)) != 0)
		goto err;
	if (iob_len(iobuf) + sizeof(*iphdr) > netdev->mtu) {
		rc = errctx(-EMSGSIZE, "packet of %zu bytes exceeds the MTU",
			    iob_len(iobuf));
		goto err;
	}
	iphdr = iob_push(iobuf, sizeof(*iphdr));
	if (!iphdr) {
		rc = -ENOBUFS;
		goto err;
	}
	memset(iphdr, 0, sizeof(*iphdr));
	iphdr->verhdrlen = IP_VER | (sizeof(*iphdr) / 4);
	iphdr->len = htons((uint16_t)iob_len(iobuf));
	iphdr->ident = htons(next_ident++);
	iphdr->ttl = IP_TTL;
	iphdr->protocol = tcpip_protocol->tcpip_proto;
	iphdr->src = source;
	iphdr->dest = sin_dest->sin_addr;
	if (trans_csum) {
		pshdr.src = iphdr->src;
		pshdr.dest = iphdr->dest;
		pshdr.zero_padding = 0;
		pshdr.protocol = iphdr->protocol;
		pshdr.len = htons((uint16_t)(iob_len(iobuf) - sizeof(*iphdr)));
		*trans_csum = tcpip_continue_chksum(*trans_csum, &pshdr,
						    sizeof(pshdr));
		if (!*trans_csum && tcpip_protocol->zero_csum)
			*trans_csum = 0xffff; /* zero means "no checksum" */
	}
	iphdr->chksum = tcpip_chksum(iphdr, sizeof(*iphdr));
	return ipv4_ll_tx(iobuf, netdev, next_hop, source, route);
err:
	free_iob(iobuf);
	return rc;
}

static struct net_device *ipv4_netdev(struct sockaddr_tcpip *st_dest)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)st_dest;
	struct in_addr dest = sin->sin_addr;
	struct ipv4_miniroute *route = ipv4_route(sin->sin_scope_id, &dest);

	if (route)
		return route->netdev;
	return sin->sin_scope_id ? ipv4_netdev_by_index(sin->sin_scope_id - 1U)
				 : NULL;
}

struct tcpip_net_protocol ipv4_tcpip_protocol __tcpip_net_protocol = {
	.name = "IPv4",
	.sa_family = AF_INET,
	.header_len = sizeof(struct iphdr),
	.tx = ipv4_tx,
	.netdev = ipv4_netdev,
};

/* ------------------------------------------------------------------------
 * Reassembly: a bounded number of datagrams, each bounded in size, each
 * forgotten after a timeout. Overlapping fragments drop the whole datagram.
 */

struct ipv4_fragment {
	struct list_head list;
	/** Device the fragments arrive on (no reference: flushed at close) */
	struct net_device *netdev;
	/** Fragments received, ordered by offset (data only, no headers) */
	struct list_head frags;
	struct in_addr src, dest;
	uint16_t ident;
	uint8_t protocol;
	/** Header of the first fragment, kept for delivery */
	struct iphdr hdr;
	/** Total length, once the last fragment arrived (else 0) */
	size_t total;
	/** Bytes received so far */
	size_t have;
	unsigned int count;
	struct timer timer;
};
#define IPV4_REASM_MAX_FRAGS 64

static LIST_HEAD(ipv4_fragments);

/** The offset of a fragment buffer, kept in its (unused) headroom */
static size_t *frag_offset(struct io_buffer *iobuf)
{
	return (size_t *)iobuf->head;
}

static void ipv4_reasm_free(struct ipv4_fragment *frag)
{
	struct io_buffer *iobuf, *tmp;

	timer_stop(&frag->timer);
	list_for_each_entry_safe(iobuf, tmp, &frag->frags, list) {
		list_del(&iobuf->list);
		free_iob(iobuf);
	}
	list_del(&frag->list);
	free(frag);
}

static void ipv4_reasm_expired(struct timer *timer)
{
	ipv4_stats.reasm_fails++;
	ipv4_reasm_free(container_of(timer, struct ipv4_fragment, timer));
}

static struct ipv4_fragment *ipv4_reasm_find(struct net_device *netdev,
					     struct iphdr *iphdr)
{
	struct ipv4_fragment *frag;

	list_for_each_entry(frag, &ipv4_fragments, list) {
		if (frag->netdev == netdev &&
		    frag->src.s_addr == iphdr->src.s_addr &&
		    frag->dest.s_addr == iphdr->dest.s_addr &&
		    frag->ident == iphdr->ident &&
		    frag->protocol == iphdr->protocol)
			return frag;
	}
	if (list_count(&ipv4_fragments) >= IPV4_REASM_MAX_PACKETS)
		ipv4_reasm_free(list_last_entry(&ipv4_fragments,
						struct ipv4_fragment, list));
	frag = zalloc(sizeof(*frag));
	if (!frag)
		return NULL;
	INIT_LIST_HEAD(&frag->frags);
	frag->netdev = netdev;
	frag->src = iphdr->src;
	frag->dest = iphdr->dest;
	frag->ident = iphdr->ident;
	frag->protocol = iphdr->protocol;
	timer_init(&frag->timer, ipv4_reasm_expired, NULL);
	timer_start(&frag->timer, IPV4_REASM_TIMEOUT_MS);
	list_add(&frag->list, &ipv4_fragments);
	return frag;
}

/** Insert a fragment in order; returns -EINVAL on overlap or excess */
static int ipv4_reasm_insert(struct ipv4_fragment *frag,
			     struct io_buffer *iobuf, size_t offset, int more)
{
	struct io_buffer *pos;
	size_t len = iob_len(iobuf), end = offset + len;

	if (end > IPV4_REASM_MAX_LEN || frag->count >= IPV4_REASM_MAX_FRAGS ||
	    (frag->total && end > frag->total) || (!more && frag->total) ||
	    iob_headroom(iobuf) < sizeof(size_t))
		return -EINVAL;
	list_for_each_entry(pos, &frag->frags, list) {
		size_t pstart = *frag_offset(pos), pend = pstart + iob_len(pos);

		if (offset < pend && pstart < end)
			return -EINVAL;
		if (pstart > offset)
			break;
	}
	*frag_offset(iobuf) = offset;
	list_add_tail(&iobuf->list, &pos->list);
	frag->have += len;
	frag->count++;
	if (!more)
		frag->total = end;
	return 0;
}

/**
 * Add a fragment; when the datagram is complete, return it whole.
 *
 * @ret iobuf	the reassembled datagram (IP header first), or NULL
 */
static struct io_buffer *ipv4_reassemble(struct io_buffer *iobuf,
					 struct net_device *netdev,
					 struct iphdr *iphdr, size_t hlen)
{
	uint16_t frags = ntohs(iphdr->frags);
	size_t offset = (size_t)(frags & IP_MASK_OFFSET) * 8;
	struct ipv4_fragment *frag = ipv4_reasm_find(netdev, iphdr);
	struct io_buffer *whole, *pos;

	if (!frag)
		goto drop;
	if (offset == 0)
		frag->hdr = *iphdr;
	iob_pull(iobuf, hlen);
	if (ipv4_reasm_insert(frag, iobuf, offset, frags & IP_MASK_MOREFRAGS) !=
	    0) {
		ipv4_stats.reasm_fails++;
		ipv4_reasm_free(frag);
		goto drop;
	}
	if (!frag->total || frag->have != frag->total)
		return NULL;
	whole = alloc_iob(sizeof(struct iphdr) + frag->total);
	if (!whole) {
		ipv4_reasm_free(frag);
		return NULL;
	}
	memcpy(iob_put(whole, sizeof(struct iphdr)), &frag->hdr,
	       sizeof(struct iphdr));
	list_for_each_entry(pos, &frag->frags, list)
		memcpy(iob_put(whole, iob_len(pos)), pos->data, iob_len(pos));
	iphdr = whole->data;
	iphdr->verhdrlen = IP_VER | (sizeof(*iphdr) / 4);
	iphdr->len = htons((uint16_t)iob_len(whole));
	iphdr->frags = 0;
	ipv4_stats.reasm_oks++;
	ipv4_reasm_free(frag);
	return whole;
drop:
	free_iob(iobuf);
	return NULL;
}

/* ------------------------------------------------------------------------
 * Receive
 */

static int ipv4_is_ours(struct net_device *netdev, const void *net_addr)
{
	struct ipv4_miniroute *route;
	struct in_addr addr;

	memcpy(&addr, net_addr, sizeof(addr));
	list_for_each_entry(route, &ipv4_miniroutes, list) {
		if (route->netdev == netdev &&
		    route->address.s_addr == addr.s_addr)
			return 1;
	}
	return 0;
}

/** True if a packet for @dest should be accepted on @netdev */
static int ipv4_accept(struct net_device *netdev, struct in_addr dest)
{
	struct ipv4_miniroute *route;
	int configured = 0;

	if (dest.s_addr == INADDR_BROADCAST || IN_IS_MULTICAST(dest.s_addr))
		return 1;
	list_for_each_entry(route, &ipv4_miniroutes, list) {
		if (route->netdev != netdev)
			continue;
		configured = 1;
		if (route->address.s_addr == dest.s_addr ||
		    ((dest.s_addr & route->hostmask.s_addr) ==
			     route->hostmask.s_addr &&
		     ((dest.s_addr ^ route->network.s_addr) &
		      route->netmask.s_addr) == 0))
			return 1;
	}
	/* Before DHCP completes, offers may come unicast to our future address
	 */
	return !configured;
}

/** Check a received header; returns its length, or a negative error */
static int ipv4_check(struct io_buffer *iobuf, struct iphdr **hdr)
{
	struct iphdr *iphdr = iobuf->data;
	size_t hlen, len;

	if (iob_len(iobuf) < sizeof(*iphdr) ||
	    (iphdr->verhdrlen & IP_MASK_VER) != IP_VER)
		return -EINVAL;
	hlen = (size_t)(iphdr->verhdrlen & IP_MASK_HLEN) * 4;
	len = ntohs(iphdr->len);
	if (hlen < sizeof(*iphdr) || hlen > len || len > iob_len(iobuf))
		return -EINVAL;
	if (tcpip_chksum(iphdr, hlen) != 0)
		return -EINVAL;
	/* Drop link-layer padding */
	iob_trim(iobuf, len);
	*hdr = iphdr;
	return (int)hlen;
}

static int ipv4_rx(struct io_buffer *iobuf, struct net_device *netdev,
		   const void *ll_dest, const void *ll_source,
		   unsigned int flags)
{
	struct sockaddr_in src, dest;
	struct ipv4_pseudo_header pshdr;
	struct iphdr *iphdr;
	int hlen;

	(void)ll_dest;
	(void)ll_source;
	(void)flags;
	ipv4_stats.in_receives++;
	if ((hlen = ipv4_check(iobuf, &iphdr)) < 0) {
		ipv4_stats.in_hdr_errors++;
		free_iob(iobuf);
		return hlen;
	}
	if (!ipv4_accept(netdev, iphdr->dest)) {
		ipv4_stats.in_addr_errors++;
		free_iob(iobuf);
		return -EINVAL;
	}
	if (iphdr->frags & htons(IP_MASK_MOREFRAGS | IP_MASK_OFFSET)) {
		iobuf = ipv4_reassemble(iobuf, netdev, iphdr, (size_t)hlen);
		if (!iobuf)
			return 0;
		iphdr = iobuf->data;
		hlen = sizeof(*iphdr);
	}
	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_addr = iphdr->src;
	src.sin_scope_id = (uint16_t)(netdev->index + 1);
	dest = src;
	dest.sin_addr = iphdr->dest;
	pshdr.src = iphdr->src;
	pshdr.dest = iphdr->dest;
	pshdr.zero_padding = 0;
	pshdr.protocol = iphdr->protocol;
	pshdr.len = htons((uint16_t)(iob_len(iobuf) - (size_t)hlen));
	iob_pull(iobuf, (size_t)hlen);
	ipv4_stats.in_delivers++;
	return tcpip_rx(iobuf, netdev, pshdr.protocol,
			(struct sockaddr_tcpip *)&src,
			(struct sockaddr_tcpip *)&dest,
			tcpip_chksum(&pshdr, sizeof(pshdr)));
}

static const char *ipv4_ntoa(const void *net_addr)
{
	struct in_addr addr;

	memcpy(&addr, net_addr, sizeof(addr));
	return inet_ntoa(addr);
}

struct net_protocol ipv4_protocol __net_protocol = {
	.name = "IPv4",
	.net_proto = htons(ETH_P_IP),
	.net_addr_len = sizeof(struct in_addr),
	.rx = ipv4_rx,
	.ntoa = ipv4_ntoa,
	.is_ours = ipv4_is_ours,
};

/** Forget partial datagrams that arrived on a device */
static void ipv4_reasm_flush(struct net_device *netdev)
{
	struct ipv4_fragment *frag, *tmp;

	list_for_each_entry_safe(frag, tmp, &ipv4_fragments, list) {
		if (frag->netdev == netdev)
			ipv4_reasm_free(frag);
	}
}

/** Devices opening and closing change the routes */
static void ipv4_notify(struct net_device *netdev)
{
	if (!netdev_is_open(netdev))
		ipv4_reasm_flush(netdev);
	ipv4_create_routes();
}

struct net_driver ipv4_net_driver __net_driver = {
	.name = "IPv4",
	.notify = ipv4_notify,
	.remove = ipv4_notify,
};
