/* Host build network driver: a TAP device per --net tap,if=NAME[,mac=MAC]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/ethernet.h>
#include <keel/init.h>
#include <keel/iobuf.h>
#include <keel/linux.h>
#include <keel/netdevice.h>
#include <keel/timer.h>
#include "linux_api.h"

/** Frames read per poll, so one busy device cannot starve the rest */
#define TAP_RX_BUDGET 64

struct tap_nic {
	char ifname[16];
	int fd;
	/** When the link state was last looked at, while it is down */
	unsigned long link_checked;
};

/** How often to look at a down link's state */
#define TAP_LINK_POLL_MS 5

static int tap_open(struct net_device *netdev)
{
	struct tap_nic *tap = netdev->priv;

	tap->fd = linux_tap_open(tap->ifname);
	if (tap->fd < 0)
		return errctx(-ENODEV, "cannot attach to TAP device %s",
			      tap->ifname);
	/* Like a real NIC, the link comes up once it can pass traffic */
	tap->link_checked = 0;
	return 0;
}

static void tap_close(struct net_device *netdev)
{
	struct tap_nic *tap = netdev->priv;

	linux_tap_close(tap->fd);
	tap->fd = -1;
	netdev_link_down(netdev);
}

static int tap_transmit(struct net_device *netdev, struct io_buffer *iobuf)
{
	struct tap_nic *tap = netdev->priv;
	size_t len = iob_len(iobuf);

	/* Pad runts as Ethernet hardware would */
	if (len < ETH_ZLEN && iob_tailroom(iobuf) >= ETH_ZLEN - len) {
		memset(iob_put(iobuf, ETH_ZLEN - len), 0, ETH_ZLEN - len);
		len = ETH_ZLEN;
	}
	if (linux_tap_write(tap->fd, iobuf->data, len) != 0)
		return -EIO;
	netdev_tx_complete(netdev, iobuf);
	return 0;
}

static void tap_poll(struct net_device *netdev)
{
	struct tap_nic *tap = netdev->priv;
	struct io_buffer *iobuf;
	unsigned int budget = TAP_RX_BUDGET;
	long len;

	if (!netdev_link_ok(netdev) &&
	    currticks() - tap->link_checked >= TAP_LINK_POLL_MS) {
		tap->link_checked = currticks();
		if (linux_tap_link_up(tap->ifname))
			netdev_link_up(netdev);
	}
	while (budget--) {
		iobuf = alloc_iob(netdev->max_pkt_len + 64);
		if (!iobuf)
			return;
		len = linux_tap_read(tap->fd, iobuf->data,
				     netdev->max_pkt_len + 64);
		if (len <= 0) {
			free_iob(iobuf);
			if (len < 0)
				netdev_link_err(netdev, -EIO);
			return;
		}
		iob_put(iobuf, (size_t)len);
		netdev_rx(netdev, iobuf);
	}
}

static const struct net_device_operations tap_operations = {
	.open = tap_open,
	.close = tap_close,
	.transmit = tap_transmit,
	.poll = tap_poll,
};

/** A stable MAC for an interface name: 02:4b:ee:xx:xx:xx */
static void tap_default_mac(const char *ifname, uint8_t *mac)
{
	uint32_t hash = 2166136261U;

	while (*ifname)
		hash = (hash ^ (uint8_t)*ifname++) * 16777619U;
	mac[0] = 0x02;
	mac[1] = 0x4b;
	mac[2] = 0xee;
	mac[3] = (uint8_t)(hash >> 16);
	mac[4] = (uint8_t)(hash >> 8);
	mac[5] = (uint8_t)hash;
}

/** Parse "tap,if=NAME[,mac=MAC]" into a device */
static int tap_parse(const char *arg, struct tap_nic *tap, uint8_t *mac)
{
	char copy[128], *rest = copy, *word;
	int have_mac = 0;

	if (strlen(arg) >= sizeof(copy) || strncmp(arg, "tap,", 4) != 0)
		return -EINVAL;
	strcpy(copy, arg + 4);
	tap->ifname[0] = '\0';
	while ((word = strsep(&rest, ",")) != NULL) {
		if (strncmp(word, "if=", 3) == 0 && strlen(word + 3) &&
		    strlen(word + 3) < sizeof(tap->ifname)) {
			strcpy(tap->ifname, word + 3);
		} else if (strncmp(word, "mac=", 4) == 0 &&
			   setting_parse(&setting_type_hex, word + 4, mac,
					 ETH_ALEN) == ETH_ALEN) {
			have_mac = 1;
		} else {
			return -EINVAL;
		}
	}
	if (!tap->ifname[0])
		return -EINVAL;
	if (!have_mac)
		tap_default_mac(tap->ifname, mac);
	return 0;
}

static int tap_probe(const char *arg)
{
	struct net_device *netdev;
	struct tap_nic *tap;
	int rc;

	netdev = alloc_etherdev(sizeof(*tap));
	if (!netdev)
		return -ENOMEM;
	netdev_init(netdev, &tap_operations);
	tap = netdev->priv;
	tap->fd = -1;
	if ((rc = tap_parse(arg, tap, netdev->hw_addr)) != 0) {
		printf("keel.linux: bad --net \"%s\" (expected "
		       "tap,if=NAME[,mac=MAC])\n",
		       arg);
		goto out;
	}
	netdev->chip = "tap";
	netdev->busloc = tap->ifname;
	rc = register_netdev(netdev);
out:
	netdev_put(netdev);
	return rc;
}

static void tap_startup(void)
{
	unsigned int i;

	for (i = 0; i < linux_num_nets; i++)
		tap_probe(linux_net_args[i]);
}

struct startup_fn tap_startup_fn __startup_fn(STARTUP_NORMAL) = {
	.name = "tap",
	.startup = tap_startup,
};
