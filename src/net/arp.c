/* ARP (RFC 826): a neighbour cache with retries and a bounded queue of waiting
 * packets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/arp.h>
#include <keel/byteswap.h>
#include <keel/ethernet.h>
#include <keel/in.h>
#include <keel/iobuf.h>
#include <keel/netdevice.h>
#include <keel/timer.h>

struct arp_stats arp_stats;
struct net_protocol arp_protocol;

/** A neighbour: resolved, or being resolved with packets waiting */
struct arp_entry {
	struct list_head list;
	struct net_device *netdev;
	struct net_protocol *net_protocol;
	uint8_t net_dest[MAX_NET_ADDR_LEN];
	uint8_t net_source[MAX_NET_ADDR_LEN];
	uint8_t ll_dest[MAX_LL_ADDR_LEN];
	/** True once the link-layer address is known */
	int resolved;
	/** Packets waiting for resolution */
	struct list_head pending;
	/** Retransmits the request while unresolved */
	struct retry_timer timer;
};

/** Cache, most recently used first */
static LIST_HEAD(arp_entries);

/** Build and send an ARP packet */
static int arp_send(struct net_device *netdev,
		    struct net_protocol *net_protocol, unsigned int op,
		    const void *sender_net, const void *target_ll,
		    const void *target_net, const void *ll_dest)
{
	const struct ll_protocol *ll = netdev->ll_protocol;
	unsigned int hlen = ll->ll_addr_len, plen = net_protocol->net_addr_len;
	struct io_buffer *iobuf;
	struct arphdr *arp;
	uint8_t *p;

	iobuf = alloc_iob_headroom(MAX_LL_HEADER_LEN,
				   sizeof(*arp) + 2 * (hlen + plen));
	if (!iobuf)
		return -ENOMEM;
	arp = iob_put(iobuf, sizeof(*arp));
	arp->ar_hrd = ll->ll_proto;
	arp->ar_pro = net_protocol->net_proto;
	arp->ar_hln = (uint8_t)hlen;
	arp->ar_pln = (uint8_t)plen;
	arp->ar_op = htons((uint16_t)op);
	p = iob_put(iobuf, 2 * (hlen + plen));
	memcpy(p, netdev->ll_addr, hlen);
	memcpy(p + hlen, sender_net, plen);
	if (target_ll)
		memcpy(p + hlen + plen, target_ll, hlen);
	else
		memset(p + hlen + plen, 0, hlen);
	memcpy(p + 2 * hlen + plen, target_net, plen);
	return net_tx(iobuf, netdev, &arp_protocol, ll_dest, netdev->ll_addr);
}

/** Drop every packet waiting on an entry */
static void arp_drop_pending(struct arp_entry *entry)
{
	struct io_buffer *iobuf, *tmp;

	list_for_each_entry_safe(iobuf, tmp, &entry->pending, list) {
		list_del(&iobuf->list);
		free_iob(iobuf);
		arp_stats.dropped++;
	}
}

static void arp_destroy(struct arp_entry *entry)
{
	retry_stop(&entry->timer);
	arp_drop_pending(entry);
	list_del(&entry->list);
	netdev_put(entry->netdev);
	free(entry);
}

static void arp_expired(struct retry_timer *timer, int fail)
{
	struct arp_entry *entry = container_of(timer, struct arp_entry, timer);

	if (fail || timer->count >= ARP_RETRIES) {
		arp_stats.failed++;
		arp_destroy(entry);
		return;
	}
	arp_stats.requests_sent++;
	arp_send(entry->netdev, entry->net_protocol, ARPOP_REQUEST,
		 entry->net_source, NULL, entry->net_dest,
		 entry->netdev->ll_broadcast);
	retry_start(timer);
}

static struct arp_entry *arp_find(struct net_device *netdev,
				  struct net_protocol *net_protocol,
				  const void *net_dest)
{
	struct arp_entry *entry;

	list_for_each_entry(entry, &arp_entries, list) {
		if (entry->netdev == netdev &&
		    entry->net_protocol == net_protocol &&
		    memcmp(entry->net_dest, net_dest,
			   net_protocol->net_addr_len) == 0)
			return entry;
	}
	return NULL;
}

/** Make room in the cache by forgetting the least recently used entry */
static void arp_evict(void)
{
	struct arp_entry *oldest;

	if (list_count(&arp_entries) < ARP_CACHE_MAX)
		return;
	oldest = list_last_entry(&arp_entries, struct arp_entry, list);
	if (oldest)
		arp_destroy(oldest);
}

static struct arp_entry *arp_create(struct net_device *netdev,
				    struct net_protocol *net_protocol,
				    const void *net_dest,
				    const void *net_source)
{
	unsigned int plen = net_protocol->net_addr_len;
	struct arp_entry *entry;

	arp_evict();
	entry = zalloc(sizeof(*entry));
	if (!entry)
		return NULL;
	entry->netdev = netdev_get(netdev);
	entry->net_protocol = net_protocol;
	memcpy(entry->net_dest, net_dest, plen);
	memcpy(entry->net_source, net_source, plen);
	INIT_LIST_HEAD(&entry->pending);
	retry_init(&entry->timer, arp_expired, NULL);
	retry_set_bounds(&entry->timer, TICKS_PER_SEC / 5, 2 * TICKS_PER_SEC);
	list_add(&entry->list, &arp_entries);
	return entry;
}

int arp_tx(struct io_buffer *iobuf, struct net_device *netdev,
	   struct net_protocol *net_protocol, const void *net_dest,
	   const void *net_source, const void *ll_source)
{
	struct arp_entry *entry = arp_find(netdev, net_protocol, net_dest);
	struct io_buffer *oldest;

	if (entry && entry->resolved) {
		/* Most recently used first, so eviction takes idle ones */
		list_del(&entry->list);
		list_add(&entry->list, &arp_entries);
		return net_tx(iobuf, netdev, net_protocol, entry->ll_dest,
			      ll_source);
	}
	if (!entry) {
		entry = arp_create(netdev, net_protocol, net_dest, net_source);
		if (!entry) {
			free_iob(iobuf);
			return -ENOMEM;
		}
		arp_stats.requests_sent++;
		arp_send(netdev, net_protocol, ARPOP_REQUEST, net_source, NULL,
			 net_dest, netdev->ll_broadcast);
		retry_start(&entry->timer);
	}
	/* Bounded queue: the oldest waiting packet makes way */
	if (list_count(&entry->pending) >= ARP_PENDING_MAX) {
		oldest = list_first_entry(&entry->pending, struct io_buffer,
					  list);
		list_del(&oldest->list);
		free_iob(oldest);
		arp_stats.dropped++;
	}
	list_add_tail(&iobuf->list, &entry->pending);
	return 0;
}

/** An entry learned its link-layer address: send what waited */
static void arp_resolved(struct arp_entry *entry, const void *ll_addr)
{
	struct io_buffer *iobuf;
	unsigned int hlen = entry->netdev->ll_protocol->ll_addr_len;

	memcpy(entry->ll_dest, ll_addr, hlen);
	if (!entry->resolved)
		arp_stats.resolved++;
	entry->resolved = 1;
	retry_stop(&entry->timer);
	while ((iobuf = list_first_entry(&entry->pending, struct io_buffer,
					 list))) {
		list_del(&iobuf->list);
		net_tx(iobuf, entry->netdev, entry->net_protocol,
		       entry->ll_dest, entry->netdev->ll_addr);
	}
}

/** The network protocol an ARP packet is about, or NULL */
static struct net_protocol *arp_find_protocol(uint16_t net_proto)
{
	struct net_protocol *net_protocol;

	for_each_table_entry(net_protocol, NET_PROTOCOLS) {
		if (net_protocol->net_proto == net_proto &&
		    net_protocol->is_ours)
			return net_protocol;
	}
	return NULL;
}

static int arp_rx(struct io_buffer *iobuf, struct net_device *netdev,
		  const void *ll_dest, const void *ll_source,
		  unsigned int flags)
{
	const struct ll_protocol *ll = netdev->ll_protocol;
	struct arphdr *arp = iobuf->data;
	struct net_protocol *net_protocol;
	struct arp_entry *entry;
	const uint8_t *sha, *spa, *tpa;
	unsigned int hlen, plen;
	int rc = 0;

	(void)ll_dest;
	(void)ll_source;
	(void)flags;
	if (iob_len(iobuf) < sizeof(*arp) || arp->ar_hrd != ll->ll_proto ||
	    arp->ar_hln != ll->ll_addr_len) {
		rc = -EINVAL;
		goto out;
	}
	hlen = arp->ar_hln;
	plen = arp->ar_pln;
	net_protocol = arp_find_protocol(arp->ar_pro);
	if (!net_protocol || plen != net_protocol->net_addr_len ||
	    iob_len(iobuf) < sizeof(*arp) + 2 * (hlen + plen)) {
		rc = -EINVAL;
		goto out;
	}
	sha = (const uint8_t *)(arp + 1);
	spa = sha + hlen;
	tpa = spa + plen + hlen;
	/* Learn or refresh the sender if we were already talking to it */
	entry = arp_find(netdev, net_protocol, spa);
	if (entry)
		arp_resolved(entry, sha);
	if (arp->ar_op == htons(ARPOP_REQUEST) &&
	    net_protocol->is_ours(netdev, tpa)) {
		arp_stats.replies_sent++;
		arp_send(netdev, net_protocol, ARPOP_REPLY, tpa, sha, spa, sha);
	}
out:
	free_iob(iobuf);
	return rc;
}

void arp_flush(struct net_device *netdev)
{
	struct arp_entry *entry, *tmp;

	list_for_each_entry_safe(entry, tmp, &arp_entries, list) {
		if (entry->netdev == netdev)
			arp_destroy(entry);
	}
}

static const char *arp_ntoa(const void *net_addr)
{
	(void)net_addr;
	return "<ARP>";
}

struct net_protocol arp_protocol __net_protocol = {
	.name = "ARP",
	.net_proto = htons(ETH_P_ARP),
	.rx = arp_rx,
	.ntoa = arp_ntoa,
};

/** A device closed: its neighbours are forgotten */
static void arp_notify(struct net_device *netdev)
{
	if (!netdev_is_open(netdev))
		arp_flush(netdev);
}

static void arp_remove(struct net_device *netdev)
{
	arp_flush(netdev);
}

struct net_driver arp_net_driver __net_driver = {
	.name = "ARP",
	.notify = arp_notify,
	.remove = arp_remove,
};
