/* Ethernet: frame header, addresses, and the Ethernet link layer. */
#ifndef KEEL_ETHERNET_H
#define KEEL_ETHERNET_H
#include <stdint.h>

#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_ZLEN 60		/* shortest frame, without FCS */
#define ETH_FRAME_LEN 1514	/* longest frame, without FCS */
#define ETH_MAX_MTU 1500
/* EtherTypes (host order; compare with ntohs) */
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_IPV6 0x86dd
/* ARP hardware type */
#define ARPHRD_ETHER 1

struct ethhdr {
	uint8_t h_dest[ETH_ALEN];
	uint8_t h_source[ETH_ALEN];
	uint16_t h_protocol;
} __attribute__((packed));

struct ll_protocol;
extern const struct ll_protocol ethernet_protocol;
extern const uint8_t eth_broadcast[ETH_ALEN];

/** Format a MAC address as "52:54:00:12:34:56" (static buffer) */
const char *eth_ntoa(const void *ll_addr);
/** True for a group (multicast or broadcast) address */
static inline int is_multicast_ether_addr(const void *addr)
{
	return ((const uint8_t *)addr)[0] & 0x01;
}
/** True for a usable unicast address (not zero, not group) */
int is_valid_ether_addr(const void *addr);
/** Make a random locally-administered unicast address */
void eth_random_addr(void *addr);

#endif
