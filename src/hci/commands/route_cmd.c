/* The route command: show the IPv4 routing table. */
#include <stdio.h>
#include <keel/command.h>
#include <keel/ip.h>
#include <keel/netdevice.h>
#include <keel/parseopt.h>

static const struct command_descriptor route_cmd =
	COMMAND_DESC_NOOPTS(0, 0, "");

static int route_exec(int argc, char **argv)
{
	struct ipv4_miniroute *route;
	int rc = parse_options(argc, argv, &route_cmd, NULL);

	if (rc <= 0)
		return rc;
	list_for_each_entry(route, &ipv4_miniroutes, list) {
		printf("%s: %s", route->netdev->name,
		       inet_ntoa(route->address));
		printf("/%s", inet_ntoa(route->netmask));
		if (route->gateway.s_addr)
			printf(" gw %s", inet_ntoa(route->gateway));
		printf("%s\n",
		       netdev_link_ok(route->netdev) ? "" : " (no link)");
	}
	return 0;
}

struct command route_command __command = {
	.name = "route",
	.exec = route_exec,
	.summary = "Show the routing table",
};
