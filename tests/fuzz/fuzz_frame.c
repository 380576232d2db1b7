/* Fuzz target: raw Ethernet frames into a configured device (ARP, IPv4, ICMP,
 * UDP, TCP). */
#include <stdlib.h>
#include <string.h>
#include <keel/arp.h>
#include <keel/ethernet.h>
#include <keel/iobuf.h>
#include <keel/ip.h>
#include <keel/netdevice.h>
#include <keel/process.h>
#include <keel/settings.h>
#include "fuzz.h"
#include "fuzzlib.h"

REQUIRE_OBJECT(linux_memory);
REQUIRE_OBJECT(netdevice);
REQUIRE_OBJECT(arp);
REQUIRE_OBJECT(ipv4);
REQUIRE_OBJECT(icmp);
REQUIRE_OBJECT(udp);

static struct net_device *fuzz_netdev;

static int fuzz_nic_open(struct net_device *netdev)
{
	netdev_link_up(netdev);
	return 0;
}

static void fuzz_nic_close(struct net_device *netdev)
{
	(void)netdev;
}

/* Everything the stack answers is dropped on the floor */
static int fuzz_nic_transmit(struct net_device *netdev, struct io_buffer *iobuf)
{
	netdev_tx_complete(netdev, iobuf);
	return 0;
}

static void fuzz_nic_poll(struct net_device *netdev)
{
	(void)netdev;
}

static const struct net_device_operations fuzz_nic_ops = {
	.open = fuzz_nic_open,
	.close = fuzz_nic_close,
	.transmit = fuzz_nic_transmit,
	.poll = fuzz_nic_poll,
};

/** Create and configure the device once (10.0.0.1/24, gateway .254) */
static void fuzz_frame_setup(void)
{
	struct settings *settings;

	fuzz_netdev = alloc_etherdev(0);
	if (!fuzz_netdev)
		__builtin_trap();
	netdev_init(fuzz_netdev, &fuzz_nic_ops);
	memcpy(fuzz_netdev->hw_addr, "\x02\x00\x00\x00\x00\x01", ETH_ALEN);
	if (register_netdev(fuzz_netdev) != 0)
		__builtin_trap();
	settings = &fuzz_netdev->settings.settings;
	store_setting(settings, &ip_setting, "\x0a\x00\x00\x01", 4);
	store_setting(settings, &netmask_setting, "\xff\xff\xff\x00", 4);
	store_setting(settings, &gateway_setting, "\x0a\x00\x00\xfe", 4);
	netdev_open(fuzz_netdev);
}

__export int keel_fuzz_one(const unsigned char *data, unsigned long len)
{
	struct heap_stats before;
	struct io_buffer *iobuf;
	unsigned long offset = 0, frame;

	if (!fuzz_netdev)
		fuzz_frame_setup();
	fuzz_begin(&before);
	/* The input is a sequence of frames, each prefixed by a length byte
	 * pair, so that fragments and ARP exchanges can span frames */
	while (offset + 2 <= len) {
		frame = ((unsigned long)data[offset] << 8) | data[offset + 1];
		offset += 2;
		if (frame > len - offset)
			frame = len - offset;
		iobuf = alloc_iob(frame);
		if (!iobuf)
			break;
		memcpy(iob_put(iobuf, frame), data + offset, frame);
		netdev_rx(fuzz_netdev, iobuf);
		step();
		offset += frame;
	}
	fuzz_settle();
	/* Resolved neighbours stay cached by design: forget them here */
	arp_flush(fuzz_netdev);
	fuzz_end(&before);
	return 0;
}
