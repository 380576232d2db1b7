/* IPv4: header, per-device addresses, routing table, fragment reassembly. */
#ifndef KEEL_IP_H
#define KEEL_IP_H
#include <stdint.h>
#include <keel/in.h>
#include <keel/list.h>

struct net_device;
struct io_buffer;

/** IPv4 header */
struct iphdr {
	uint8_t verhdrlen;
	uint8_t service;
	uint16_t len;
	uint16_t ident;
	uint16_t frags;
	uint8_t ttl;
	uint8_t protocol;
	uint16_t chksum;
	struct in_addr src;
	struct in_addr dest;
} __attribute__((packed));
#define IP_VER 0x40
#define IP_MASK_VER 0xf0
#define IP_MASK_HLEN 0x0f
#define IP_MASK_OFFSET 0x1fff
#define IP_MASK_DONOTFRAG 0x4000
#define IP_MASK_MOREFRAGS 0x2000
#define IP_TTL 64

/** IPv4 pseudo-header, for transport checksums */
struct ipv4_pseudo_header {
	struct in_addr src;
	struct in_addr dest;
	uint8_t zero_padding;
	uint8_t protocol;
	uint16_t len;
} __attribute__((packed));

/** A route: what one device's settings say (ip/netmask/gateway) */
struct ipv4_miniroute {
	struct list_head list;
	struct net_device *netdev;
	/** Our address on this network */
	struct in_addr address;
	/** Network (address & netmask) */
	struct in_addr network;
	struct in_addr netmask;
	/** Gateway for a default route, or 0.0.0.0 */
	struct in_addr gateway;
	/** Host-part mask (~netmask), for recognising directed broadcast */
	struct in_addr hostmask;
};

/** The routing table, most specific first */
extern struct list_head ipv4_miniroutes;

/**
 * Rebuild the routing table from every open device's settings.
 * Called when settings change and when devices open or close.
 */
int ipv4_create_routes(void);

/**
 * Find the route to a destination.
 *
 * @dest	destination; replaced by the gateway if one is used
 * @ret route	route, or NULL if none
 */
struct ipv4_miniroute *ipv4_route(unsigned int scope_id, struct in_addr *dest);

/** Reassembly limits: memory stays bounded whatever arrives */
#define IPV4_REASM_MAX_PACKETS 8
#define IPV4_REASM_MAX_LEN 65535
#define IPV4_REASM_TIMEOUT_MS 5000

/** Statistics, for ifstat and tests */
struct ipv4_stats {
	unsigned int in_receives, in_hdr_errors, in_addr_errors, in_delivers;
	unsigned int in_unknown_protos, reasm_oks, reasm_fails, out_requests,
		out_no_routes;
};
extern struct ipv4_stats ipv4_stats;

extern struct net_protocol ipv4_protocol;

#endif
