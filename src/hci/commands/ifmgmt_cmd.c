/* Interface commands: ifopen, ifclose, ifstat. */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/netdevice.h>
#include <keel/parseopt.h>

/**
 * Run @fn on the devices named in argv[first..], or on every device.
 *
 * @ret rc	0, or the first error
 */
static int ifcommon(int argc, char **argv, int first,
		    int (*fn)(struct net_device *netdev))
{
	struct net_device *netdev, *tmp;
	int i, rc;

	if (first == argc) {
		list_for_each_entry_safe(netdev, tmp, &net_devices, list) {
			if ((rc = fn(netdev)) != 0)
				return rc;
		}
		return 0;
	}
	for (i = first; i < argc; i++) {
		netdev = find_netdev(argv[i]);
		if (!netdev) {
			printf("%s: no network device called \"%s\"\n", argv[0],
			       argv[i]);
			return -ENODEV;
		}
		if ((rc = fn(netdev)) != 0)
			return rc;
	}
	return 0;
}

static int ifopen_one(struct net_device *netdev)
{
	int rc = netdev_open(netdev);

	if (rc)
		printf("Could not open %s: %s\n", netdev->name, strerror(rc));
	return rc;
}

static int ifclose_one(struct net_device *netdev)
{
	netdev_close(netdev);
	return 0;
}

static int ifstat_one(struct net_device *netdev)
{
	printf("%s: %s using %s on %s (%s)\n", netdev->name,
	       netdev->ll_protocol->ntoa(netdev->ll_addr),
	       netdev->chip ? netdev->chip : "?",
	       netdev->busloc ? netdev->busloc : "?",
	       netdev_is_open(netdev) ? "open" : "closed");
	printf("  [Link:%s, TX:%u TXE:%u RX:%u RXE:%u]\n",
	       netdev_link_ok(netdev) ? "up" : "down", netdev->tx_stats.good,
	       netdev->tx_stats.bad, netdev->rx_stats.good,
	       netdev->rx_stats.bad);
	if (!netdev_link_ok(netdev))
		printf("  [Link status: %s]\n", strerror(netdev->link_rc));
	return 0;
}

static const struct command_descriptor if_cmd =
	COMMAND_DESC_NOOPTS(0, MAX_ARGUMENTS, "[<interface>...]");

static int ifopen_exec(int argc, char **argv)
{
	int first = parse_options(argc, argv, &if_cmd, NULL);

	return (first <= 0) ? first : ifcommon(argc, argv, first, ifopen_one);
}

static int ifclose_exec(int argc, char **argv)
{
	int first = parse_options(argc, argv, &if_cmd, NULL);

	return (first <= 0) ? first : ifcommon(argc, argv, first, ifclose_one);
}

static int ifstat_exec(int argc, char **argv)
{
	int first = parse_options(argc, argv, &if_cmd, NULL);

	return (first <= 0) ? first : ifcommon(argc, argv, first, ifstat_one);
}

struct command ifmgmt_commands[] __command = {
	{.name = "ifopen",
	 .exec = ifopen_exec,
	 .summary = "Open network interfaces"},
	{.name = "ifclose",
	 .exec = ifclose_exec,
	 .summary = "Close network interfaces"},
	{.name = "ifstat",
	 .exec = ifstat_exec,
	 .summary = "Show network interface status and counters"},
};
