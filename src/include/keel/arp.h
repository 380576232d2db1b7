/* ARP (RFC 826): neighbour resolution with a cache and a queue of waiting packets. */
#ifndef KEEL_ARP_H
#define KEEL_ARP_H
#include <stdint.h>

struct io_buffer;
struct net_device;
struct net_protocol;

/** ARP header (followed by the addresses) */
struct arphdr {
	uint16_t ar_hrd;
	uint16_t ar_pro;
	uint8_t ar_hln;
	uint8_t ar_pln;
	uint16_t ar_op;
} __attribute__((packed));
#define ARPOP_REQUEST 1
#define ARPOP_REPLY 2

/** Cache and queue limits */
#define ARP_CACHE_MAX 32
#define ARP_PENDING_MAX 8 /* packets queued per unresolved neighbour */
#define ARP_RETRIES 5

/**
 * Send a network-layer packet to a neighbour, resolving its link-layer
 * address first if needed (the packet then waits in a bounded queue).
 * Takes ownership of @iobuf.
 *
 * @net_dest	neighbour's network address
 * @net_source	our address on that network (for the ARP request)
 */
int arp_tx(struct io_buffer *iobuf, struct net_device *netdev,
	   struct net_protocol *net_protocol, const void *net_dest,
	   const void *net_source, const void *ll_source);

/** Forget every cache entry for a device (on close) */
void arp_flush(struct net_device *netdev);

/** ARP statistics */
struct arp_stats {
	unsigned int requests_sent, replies_sent, resolved, failed, dropped;
};
extern struct arp_stats arp_stats;

#endif
