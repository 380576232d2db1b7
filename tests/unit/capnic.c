/* Self-test helper: a capture NIC that keeps a copy of what the stack sends. */
#include <string.h>
#include <keel/ethernet.h>
#include <keel/iobuf.h>
#include <keel/netdevice.h>
#include "capnic.h"

LIST_HEAD(capnic_captured);

static int capnic_open(struct net_device *netdev)
{
	netdev_link_up(netdev);
	return 0;
}

static void capnic_close(struct net_device *netdev)
{
	(void)netdev;
}

static int capnic_transmit(struct net_device *netdev, struct io_buffer *iobuf)
{
	struct io_buffer *copy = iob_dup(iobuf);

	if (copy)
		list_add_tail(&copy->list, &capnic_captured);
	netdev_tx_complete(netdev, iobuf);
	return 0;
}

static void capnic_poll(struct net_device *netdev)
{
	(void)netdev;
}

static const struct net_device_operations capnic_ops = {
	.open = capnic_open,
	.close = capnic_close,
	.transmit = capnic_transmit,
	.poll = capnic_poll,
};

void capnic_flush(void)
{
	struct io_buffer *iobuf, *tmp;

	list_for_each_entry_safe(iobuf, tmp, &capnic_captured, list) {
		list_del(&iobuf->list);
		free_iob(iobuf);
	}
}

struct net_device *capnic_create(void)
{
	struct net_device *netdev = alloc_etherdev(0);

	if (!netdev)
		return NULL;
	netdev_init(netdev, &capnic_ops);
	memcpy(netdev->hw_addr, "\x02\x00\x00\x00\x00\x01", ETH_ALEN);
	netdev->chip = "capture";
	if (register_netdev(netdev) != 0) {
		netdev_put(netdev);
		return NULL;
	}
	return netdev;
}
