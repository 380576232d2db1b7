/* Ethernet (DIX) link layer: frame headers and MAC addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/byteswap.h>
#include <keel/ethernet.h>
#include <keel/in.h>
#include <keel/iobuf.h>
#include <keel/netdevice.h>

const uint8_t eth_broadcast[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static int eth_push(struct net_device *netdev, struct io_buffer *iobuf,
		    const void *ll_dest, const void *ll_source,
		    uint16_t net_proto)
{
	struct ethhdr *ethhdr = iob_push(iobuf, sizeof(*ethhdr));

	(void)netdev;
	if (!ethhdr)
		return errctx(-ENOBUFS, "no room for an Ethernet header");
	memcpy(ethhdr->h_dest, ll_dest, ETH_ALEN);
	memcpy(ethhdr->h_source, ll_source, ETH_ALEN);
	ethhdr->h_protocol = net_proto;
	return 0;
}

static int eth_pull(struct net_device *netdev, struct io_buffer *iobuf,
		    const void **ll_dest, const void **ll_source,
		    uint16_t *net_proto, unsigned int *flags)
{
	struct ethhdr *ethhdr = iob_pull(iobuf, sizeof(*ethhdr));

	(void)netdev;
	if (!ethhdr)
		return -EINVAL;
	*ll_dest = ethhdr->h_dest;
	*ll_source = ethhdr->h_source;
	*net_proto = ethhdr->h_protocol;
	*flags = 0;
	if (is_multicast_ether_addr(ethhdr->h_dest))
		*flags = (memcmp(ethhdr->h_dest, eth_broadcast, ETH_ALEN) == 0)
				 ? LL_BROADCAST
				 : LL_MULTICAST;
	return 0;
}

const char *eth_ntoa(const void *ll_addr)
{
	static char buf[18];
	const uint8_t *a = ll_addr;

	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1],
		 a[2], a[3], a[4], a[5]);
	return buf;
}

/** IPv4 multicast to Ethernet: 01:00:5e + low 23 bits (RFC 1112) */
static int eth_mc_hash(unsigned int af, const void *net_addr, void *ll_addr)
{
	const uint8_t *ip = net_addr;
	uint8_t *mac = ll_addr;

	if (af != AF_INET)
		return -ENOTSUP;
	mac[0] = 0x01;
	mac[1] = 0x00;
	mac[2] = 0x5e;
	mac[3] = ip[1] & 0x7f;
	mac[4] = ip[2];
	mac[5] = ip[3];
	return 0;
}

int is_valid_ether_addr(const void *addr)
{
	static const uint8_t zero[ETH_ALEN];

	return !is_multicast_ether_addr(addr) &&
	       memcmp(addr, zero, ETH_ALEN) != 0;
}

void eth_random_addr(void *addr)
{
	uint8_t *mac = addr;
	unsigned int i;

	for (i = 0; i < ETH_ALEN; i++)
		mac[i] = (uint8_t)random();
	mac[0] &= 0xfe; /* unicast */
	mac[0] |= 0x02; /* locally administered */
}

const struct ll_protocol ethernet_protocol = {
	.name = "Ethernet",
	.push = eth_push,
	.pull = eth_pull,
	.ntoa = eth_ntoa,
	.mc_hash = eth_mc_hash,
	.ll_proto = htons(ARPHRD_ETHER),
	.hw_addr_len = ETH_ALEN,
	.ll_addr_len = ETH_ALEN,
	.ll_header_len = ETH_HLEN,
	.ll_broadcast = eth_broadcast,
};

struct net_device *alloc_etherdev(size_t priv_len)
{
	struct net_device *netdev = alloc_netdev(priv_len);

	if (netdev) {
		netdev->ll_protocol = &ethernet_protocol;
		netdev->mtu = ETH_MAX_MTU;
		netdev->max_pkt_len = ETH_FRAME_LEN;
	}
	return netdev;
}
