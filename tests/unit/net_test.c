/* Self-tests: checksums, IPv4 receive checks, reassembly, routing, ARP. */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/arp.h>
#include <keel/ethernet.h>
#include <keel/icmp.h>
#include <keel/iobuf.h>
#include <keel/ip.h>
#include <keel/netdevice.h>
#include <keel/process.h>
#include <keel/settings.h>
#include <keel/tcpip.h>
#include <keel/test.h>
#include "capnic.h"

/* ------------------------------------------------------------------------
 * A capture NIC: what the stack sends is kept for the test to inspect
 */

static const uint8_t peer_mac[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x99};

/** Inject an Ethernet frame carrying @len bytes of @proto payload */
static void inject(struct net_device *netdev, uint16_t proto,
		   const void *payload, size_t len)
{
	struct io_buffer *iobuf = alloc_iob(ETH_HLEN + len);
	struct ethhdr *eth;

	if (!iobuf)
		return;
	eth = iob_put(iobuf, sizeof(*eth));
	memcpy(eth->h_dest, netdev->ll_addr, ETH_ALEN);
	memcpy(eth->h_source, peer_mac, ETH_ALEN);
	eth->h_protocol = htons(proto);
	memcpy(iob_put(iobuf, len), payload, len);
	netdev_rx(netdev, iobuf);
	step();
}

/* ------------------------------------------------------------------------
 * Checksums
 */

static void checksum_test(void)
{
	/* RFC 1071's example: words 0001 f203 f4f5 f6f7 sum to ddf2 */
	static const uint8_t rfc1071[] = {0x00, 0x01, 0xf2, 0x03,
					  0xf4, 0xf5, 0xf6, 0xf7};
	/* A real IPv4 header (checksum field 0xb861) */
	static const uint8_t iphdr[] = {
		0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
	uint8_t buf[64], odd[3] = {0x12, 0x34, 0x56};
	uint16_t csum, part;

	csum = tcpip_chksum(rfc1071, sizeof(rfc1071));
	ok(csum == htons(0xffff - 0xddf2));
	ok(tcpip_chksum(iphdr, sizeof(iphdr)) == 0); /* valid: sums to zero */
	memcpy(buf, iphdr, sizeof(iphdr));
	buf[10] = buf[11] = 0;
	csum = tcpip_chksum(buf, sizeof(iphdr));
	ok(memcmp(&csum, &iphdr[10], 2) == 0);
	/* Continuing over pieces equals one pass (even split) */
	part = tcpip_chksum(rfc1071, 4);
	ok(tcpip_continue_chksum(part, rfc1071 + 4, 4) ==
	   tcpip_chksum(rfc1071, 8));
	/* An odd length pads with a zero byte */
	memcpy(buf, odd, 3);
	buf[3] = 0;
	ok(tcpip_chksum(odd, 3) == tcpip_chksum(buf, 4));
	ok(tcpip_chksum(NULL, 0) == 0xffff);
}

/** RFC 1071 the slow way: 16-bit words as they lie, an odd byte padded */
static uint16_t checksum_reference(uint16_t partial, const uint8_t *data,
				   size_t len)
{
	uint32_t sum = (uint16_t)~partial;
	uint8_t pair[2];
	uint16_t word;
	size_t i;

	for (i = 0; i < len; i += 2) {
		pair[0] = data[i];
		pair[1] = (i + 1 < len) ? data[i + 1] : 0;
		memcpy(&word, pair, sizeof(word));
		sum += word;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return (uint16_t)~sum;
}

/** The word-at-a-time sum agrees with the reference at any length and alignment */
static void checksum_wide_test(void)
{
	static uint8_t buf[1600];
	unsigned int len, off, bad = 0;
	uint16_t part;

	for (len = 0; len < sizeof(buf); len++)
		buf[len] = (uint8_t)test_random();
	/* All-ones words make the 64-bit accumulator carry the most */
	memset(buf + 1024, 0xff, 64);
	for (off = 0; off < 4; off++) {
		for (len = 0; len + off <= sizeof(buf); len++) {
			if (len > 80 && len % 97 && len != sizeof(buf) - off)
				continue;
			if (tcpip_chksum(buf + off, len) !=
			    checksum_reference(TCPIP_EMPTY_CSUM, buf + off, len))
				bad++;
		}
	}
	ok(bad == 0);
	/* Continuing at any even split gives the one-pass sum */
	for (len = 0, bad = 0; len <= 1500; len += 2) {
		part = tcpip_chksum(buf + 1, len);
		if (tcpip_continue_chksum(part, buf + 1 + len, 1500 - len) !=
		    tcpip_chksum(buf + 1, 1500))
			bad++;
	}
	ok(bad == 0);
	part = tcpip_chksum(buf + 1024, 64);
	ok(part == checksum_reference(TCPIP_EMPTY_CSUM, buf + 1024, 64));
}

/* ------------------------------------------------------------------------
 * IPv4 with a configured capture device
 */

static int replies;

static void reply_seen(struct icmp_echo_listener *l, uint16_t seq,
		       const void *data, size_t len,
		       const struct sockaddr_in *src)
{
	(void)l;
	(void)seq;
	(void)data;
	(void)len;
	(void)src;
	replies++;
}

/** Build an IPv4 packet from 10.0.0.2 to 10.0.0.1 into @buf */
static size_t build_ip(uint8_t *buf, uint8_t proto, const void *payload,
		       size_t len, uint16_t frags, uint16_t ident)
{
	struct iphdr *ip = (struct iphdr *)buf;

	memset(ip, 0, sizeof(*ip));
	ip->verhdrlen = 0x45;
	ip->len = htons((uint16_t)(sizeof(*ip) + len));
	ip->ident = htons(ident);
	ip->frags = htons(frags);
	ip->ttl = 64;
	ip->protocol = proto;
	ip->src.s_addr = htonl(0x0a000002);
	ip->dest.s_addr = htonl(0x0a000001);
	memcpy(buf + sizeof(*ip), payload, len);
	ip->chksum = tcpip_chksum(ip, sizeof(*ip));
	return sizeof(*ip) + len;
}

/** An ICMP echo reply with identifier 0x4242 and a @len-byte payload */
static size_t build_echo_reply(uint8_t *buf, size_t len)
{
	struct icmp_echo *echo = (struct icmp_echo *)buf;
	size_t i;

	memset(echo, 0, sizeof(*echo));
	echo->ident = htons(0x4242);
	for (i = 0; i < len; i++)
		buf[sizeof(*echo) + i] = icmp_pattern(i);
	echo->icmp.chksum = tcpip_chksum(buf, sizeof(*echo) + len);
	return sizeof(*echo) + len;
}

static void ipv4_rx_test(struct net_device *netdev)
{
	struct icmp_echo_listener listener = {.ident = 0x4242,
					      .reply = reply_seen};
	uint8_t icmp[1200], pkt[1300];
	size_t ilen, plen;
	unsigned int bad;

	icmp_listen(&listener);
	replies = 0;
	ilen = build_echo_reply(icmp, 32);
	plen = build_ip(pkt, IP_ICMP, icmp, ilen, 0, 1);
	inject(netdev, ETH_P_IP, pkt, plen);
	ok(replies == 1);

	/* Every malformed header is dropped and counted, none delivered */
	bad = ipv4_stats.in_hdr_errors;
	inject(netdev, ETH_P_IP, pkt, 19); /* truncated header */
	pkt[0] = 0x44;			   /* hlen 16 < 20 */
	inject(netdev, ETH_P_IP, pkt, plen);
	pkt[0] = 0x4f; /* hlen 60 > len */
	inject(netdev, ETH_P_IP, pkt, 40);
	pkt[0] = 0x45;
	pkt[3] = (uint8_t)(plen + 10); /* len > buffer */
	inject(netdev, ETH_P_IP, pkt, plen);
	plen = build_ip(pkt, IP_ICMP, icmp, ilen, 0, 2);
	pkt[12] ^= 1; /* bad checksum */
	inject(netdev, ETH_P_IP, pkt, plen);
	ok(ipv4_stats.in_hdr_errors == bad + 5);
	ok(replies == 1);

	/* Link-layer padding beyond the IP length is ignored */
	plen = build_ip(pkt, IP_ICMP, icmp, ilen, 0, 3);
	memset(pkt + plen, 0xee, 20);
	inject(netdev, ETH_P_IP, pkt, plen + 20);
	ok(replies == 2);
	icmp_unlisten(&listener);
}

static void reassembly_test(struct net_device *netdev)
{
	struct icmp_echo_listener listener = {.ident = 0x4242,
					      .reply = reply_seen};
	uint8_t icmp[1200], pkt[1300];
	size_t ilen, plen;
	unsigned int oks = ipv4_stats.reasm_oks;
	unsigned int fails = ipv4_stats.reasm_fails;

	icmp_listen(&listener);
	replies = 0;
	ilen = build_echo_reply(icmp, 1000);
	/* Three fragments delivered out of order: 800+, 0.., 400.. */
	plen = build_ip(pkt, IP_ICMP, icmp + 800, ilen - 800, 100, 7);
	inject(netdev, ETH_P_IP, pkt, plen);
	plen = build_ip(pkt, IP_ICMP, icmp, 400, 0x2000 | 0, 7);
	inject(netdev, ETH_P_IP, pkt, plen);
	ok(replies == 0);
	plen = build_ip(pkt, IP_ICMP, icmp + 400, 400, 0x2000 | 50, 7);
	inject(netdev, ETH_P_IP, pkt, plen);
	ok(replies == 1);
	ok(ipv4_stats.reasm_oks == oks + 1);

	/* Overlapping fragments drop the whole datagram */
	plen = build_ip(pkt, IP_ICMP, icmp, 400, 0x2000 | 0, 8);
	inject(netdev, ETH_P_IP, pkt, plen);
	plen = build_ip(pkt, IP_ICMP, icmp + 200, 400, 0x2000 | 25, 8);
	inject(netdev, ETH_P_IP, pkt, plen);
	plen = build_ip(pkt, IP_ICMP, icmp + 600, ilen - 600, 75, 8);
	inject(netdev, ETH_P_IP, pkt, plen);
	ok(replies == 1);
	ok(ipv4_stats.reasm_fails == fails + 1);

	/* A flood of distinct partial datagrams stays bounded */
	for (plen = 0; plen < 50; plen++) {
		size_t n = build_ip(pkt, IP_ICMP, icmp, 8, 0x2000,
				    (uint16_t)(100 + plen));
		inject(netdev, ETH_P_IP, pkt, n);
	}
	ok(replies == 1);
	icmp_unlisten(&listener);
}

static void route_test(void)
{
	struct ipv4_miniroute *route;
	struct in_addr dest;

	dest.s_addr = htonl(0x0a000063);
	route = ipv4_route(0, &dest);
	ok(route && dest.s_addr == htonl(0x0a000063)); /* on-link */
	dest.s_addr = htonl(0x08080808);
	route = ipv4_route(0, &dest);
	ok(route && dest.s_addr == htonl(0x0a0000fe)); /* via gateway */
}

static void arp_test(struct net_device *netdev)
{
	struct sockaddr_in dest = {.sin_family = AF_INET};
	struct io_buffer *iobuf;
	struct arphdr *arp;
	uint8_t reply[28];
	unsigned int i, dropped = arp_stats.dropped, nframes;

	capnic_flush();
	dest.sin_addr.s_addr = htonl(0x0a000009);
	/* Packets to an unresolved neighbour wait; the queue is bounded */
	for (i = 0; i < ARP_PENDING_MAX + 3; i++)
		icmp_echo_request(&dest, 1, (uint16_t)i, 8);
	ok(arp_stats.dropped == dropped + 3);
	nframes = list_count(&capnic_captured);
	ok(nframes == 1); /* one ARP request, nothing else yet */
	iobuf = list_first_entry(&capnic_captured, struct io_buffer, list);
	arp = iobuf ? (struct arphdr *)((uint8_t *)iobuf->data + ETH_HLEN)
		    : NULL;
	ok(arp && arp->ar_op == htons(ARPOP_REQUEST));
	capnic_flush();

	/* The reply releases the queue, in order, to the learned address */
	arp = (struct arphdr *)reply;
	arp->ar_hrd = htons(ARPHRD_ETHER);
	arp->ar_pro = htons(ETH_P_IP);
	arp->ar_hln = 6;
	arp->ar_pln = 4;
	arp->ar_op = htons(ARPOP_REPLY);
	memcpy(reply + 8, peer_mac, 6);
	memcpy(reply + 14, &dest.sin_addr, 4);
	memcpy(reply + 18, netdev->ll_addr, 6);
	memcpy(reply + 24, "\x0a\x00\x00\x01", 4);
	inject(netdev, ETH_P_ARP, reply, 27); /* truncated: ignored */
	ok(list_count(&capnic_captured) == 0);
	inject(netdev, ETH_P_ARP, reply, sizeof(reply));
	ok(list_count(&capnic_captured) == ARP_PENDING_MAX);
	iobuf = list_first_entry(&capnic_captured, struct io_buffer, list);
	ok(iobuf && memcmp(iobuf->data, peer_mac, ETH_ALEN) == 0);
	capnic_flush();

	/* Requests for our address are answered */
	arp->ar_op = htons(ARPOP_REQUEST);
	inject(netdev, ETH_P_ARP, reply, sizeof(reply));
	ok(list_count(&capnic_captured) == 1);
	capnic_flush();
}

static void net_test_exec(void)
{
	struct net_device *netdev;

	checksum_test();
	checksum_wide_test();
	netdev = capnic_create();
	ok(netdev != NULL);
	if (!netdev)
		return;
	store_setting(&netdev->settings.settings, &ip_setting,
		      "\x0a\x00\x00\x01", 4);
	store_setting(&netdev->settings.settings, &netmask_setting,
		      "\xff\xff\xff\x00", 4);
	store_setting(&netdev->settings.settings, &gateway_setting,
		      "\x0a\x00\x00\xfe", 4);
	ok(netdev_open(netdev) == 0);
	ipv4_rx_test(netdev);
	reassembly_test(netdev);
	route_test();
	arp_test(netdev);
	unregister_netdev(netdev);
	netdev_put(netdev);
	capnic_flush();
	ok(list_empty(&ipv4_miniroutes));
}

struct self_test net_test __self_test = {
	.name = "net",
	.exec = net_test_exec,
};
