/* Configuration commands: dhcp, ifconf and pxebs, with the link-up wait. */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/console.h>
#include <keel/dhcp.h>
#include <keel/interface.h>
#include <keel/netdevice.h>
#include <keel/parseopt.h>
#include <keel/settings.h>
#include <keel/timer.h>

/** Pause between polls while waiting, in microseconds */
#define WAIT_POLL_US 500

/* ------------------------------------------------------------------------
 * Waiting for a job, with dots for progress and Ctrl-C to cancel
 */

struct job_wait {
	struct refcnt refcnt;
	struct interface job;
	int done;
	int rc;
};

static void job_wait_close(struct job_wait *wait, int rc)
{
	if (wait->done)
		return;
	wait->rc = rc;
	wait->done = 1;
	intf_shutdown(&wait->job, rc);
}

static struct interface_operation job_wait_ops[] = {
	INTF_OP(intf_close, struct job_wait *, job_wait_close),
};
static struct interface_descriptor job_wait_desc =
	INTF_DESC(struct job_wait, job, job_wait_ops);

static void job_wait_init(struct job_wait *wait)
{
	memset(wait, 0, sizeof(*wait));
	ref_init(&wait->refcnt, ref_no_free);
	intf_init(&wait->job, &job_wait_desc, &wait->refcnt);
}

/** Print a dot each second while @done stays false, or @rc on Ctrl-C */
static int wait_with_dots(int (*done)(void *ctx), void *ctx,
			  unsigned long timeout_ms)
{
	unsigned long start = currticks(), dot = start;

	while (!done(ctx)) {
		if (console_interrupted())
			return -ECANCELED;
		if (timeout_ms &&
		    currticks() - start >= timeout_ms * TICKS_PER_MS)
			return -ETIMEDOUT;
		if (currticks() - dot >= TICKS_PER_SEC) {
			dot += TICKS_PER_SEC;
			putchar('.');
		}
		udelay(WAIT_POLL_US);
	}
	return 0;
}

static int job_done(void *ctx)
{
	return ((struct job_wait *)ctx)->done;
}

/** Wait for a started job; Ctrl-C cancels it */
static int job_wait_run(struct job_wait *wait)
{
	int rc = wait_with_dots(job_done, wait, 0);

	if (rc) {
		intf_shutdown(&wait->job, rc);
		return rc;
	}
	return wait->rc;
}

/* ------------------------------------------------------------------------
 * Opening and link-up
 */

/** A timeout: the command's, else a setting's, else a default */
static unsigned long timeout_or(unsigned long timeout_ms,
				const struct setting *setting,
				unsigned long dflt)
{
	unsigned long value;

	if (timeout_ms)
		return timeout_ms;
	if (fetch_uint_setting(NULL, setting, &value) >= 0 && value)
		return value;
	return dflt;
}

static int link_done(void *ctx)
{
	return netdev_link_ok(ctx);
}

/** Open a device if needed and wait for its link */
static int if_ready(struct net_device *netdev, unsigned long timeout_ms)
{
	unsigned long limit = timeout_or(timeout_ms, &link_timeout_setting,
					 DHCP_DEFAULT_LINK_TIMEOUT_MS);
	int rc;

	if (!netdev_is_open(netdev) && (rc = netdev_open(netdev)) != 0) {
		printf("%s: Could not open: %s\n", netdev->name, strerror(rc));
		return rc;
	}
	/* netX is the device being configured, even one opened earlier */
	settings_set_netx_alias(netdev->name);
	if (netdev_link_ok(netdev))
		return 0;
	printf("Waiting for link-up on %s...", netdev->name);
	rc = wait_with_dots(link_done, netdev, limit);
	if (rc == 0) {
		printf(" ok\n");
		return 0;
	}
	printf(" failed\n");
	if (rc_is(rc, ETIMEDOUT))
		rc = errctx(-ENETDOWN, "link still down after %lu ms", limit);
	printf("%s: %s\n", netdev->name, strerror(rc));
	return rc;
}

/** Run a job on a device under "Configuring (net0 mac)... ok" */
static int if_configure_job(struct net_device *netdev,
			    int (*start)(struct interface *job,
					 struct net_device *netdev,
					 unsigned long arg),
			    unsigned long arg)
{
	struct job_wait wait;
	int rc;

	printf("Configuring (%s %s)...", netdev->name,
	       netdev->ll_protocol->ntoa(netdev->ll_addr));
	job_wait_init(&wait);
	if ((rc = start(&wait.job, netdev, arg)) == 0)
		rc = job_wait_run(&wait);
	intf_shutdown(&wait.job, rc);
	if (rc == 0) {
		printf(" ok\n");
		return 0;
	}
	printf(" failed\n%s: %s\n", netdev->name, strerror(rc));
	return rc;
}

/** Configure by DHCP */
static int if_dhcp(struct net_device *netdev, unsigned long timeout_ms)
{
	return if_configure_job(netdev, start_dhcp, timeout_ms);
}

/** "Configure" from settings already stored: there must be an address */
static int if_static(struct net_device *netdev, unsigned long timeout_ms)
{
	struct in_addr ip;
	int rc;

	if (fetch_setting(&netdev->settings.settings, &ip_setting, NULL, NULL,
			  &ip, sizeof(ip)) == (int)sizeof(ip))
		return 0;
	rc = errctx(-ENOENT, "%s/ip is not set", netdev->name);
	printf("%s: %s\n", netdev->name, strerror(rc));
	return rc;
}

/** Ways to configure a device, by name */
static const struct if_configurator {
	const char *name;
	int (*configure)(struct net_device *netdev, unsigned long timeout_ms);
} if_configurators[] = {
	{"dhcp", if_dhcp},
	{"static", if_static},
};

/** Open and configure one device */
static int if_configure_one(struct net_device *netdev,
			    const struct if_configurator *conf,
			    unsigned long timeout_ms)
{
	int rc;

	if ((rc = if_ready(netdev, timeout_ms)) != 0)
		return rc;
	return conf->configure(netdev, timeout_ms);
}

/**
 * Configure the named devices (or every device) in turn, stopping at the
 * first that succeeds.
 */
static int if_configure_all(int argc, char **argv, int first,
			    const struct if_configurator *conf,
			    unsigned long timeout_ms)
{
	struct net_device *netdev;
	int rc = errctx(-ENODEV, "there is no network device");
	int i;

	if (first == argc) {
		list_for_each_entry(netdev, &net_devices, list) {
			rc = if_configure_one(netdev, conf, timeout_ms);
			if (rc == 0 || rc_is(rc, ECANCELED))
				return rc;
		}
		return rc;
	}
	for (i = first; i < argc; i++) {
		if (!(netdev = find_netdev(argv[i]))) {
			rc = errctx(-ENODEV, "no network device called \"%s\"",
				    argv[i]);
			printf("%s: %s\n", argv[0], strerror(rc));
			continue;
		}
		rc = if_configure_one(netdev, conf, timeout_ms);
		if (rc == 0 || rc_is(rc, ECANCELED))
			return rc;
	}
	return rc;
}

/* ------------------------------------------------------------------------
 * Commands
 */

struct ifconf_options {
	char *configurator;
	unsigned long timeout;
};

static const struct option_descriptor ifconf_opts[] = {
	OPTION_DESC("configurator", 'c', required_argument,
		    struct ifconf_options, configurator, parse_string),
	OPTION_DESC("timeout", 't', required_argument, struct ifconf_options,
		    timeout, parse_timeout),
};

static const struct command_descriptor ifconf_cmd =
	COMMAND_DESC(struct ifconf_options, ifconf_opts, 0, MAX_ARGUMENTS,
		     "[--configurator dhcp|static] [--timeout <ms>] "
		     "[<interface>...]");

static int ifconf_exec(int argc, char **argv)
{
	const struct if_configurator *conf = &if_configurators[0];
	struct ifconf_options opts;
	unsigned int i;
	int first = parse_options(argc, argv, &ifconf_cmd, &opts);

	if (first <= 0)
		return first;
	if (opts.configurator) {
		for (conf = NULL, i = 0; i < ARRAY_SIZE(if_configurators);
		     i++) {
			if (strcmp(if_configurators[i].name,
				   opts.configurator) == 0)
				conf = &if_configurators[i];
		}
		if (!conf) {
			printf("%s: no configurator called \"%s\"\n", argv[0],
			       opts.configurator);
			return -ENOTSUP;
		}
	}
	return if_configure_all(argc, argv, first, conf, opts.timeout);
}

struct dhcp_options {
	unsigned long timeout;
};

static const struct option_descriptor dhcp_opts[] = {
	OPTION_DESC("timeout", 't', required_argument, struct dhcp_options,
		    timeout, parse_timeout),
};

static const struct command_descriptor dhcp_cmd =
	COMMAND_DESC(struct dhcp_options, dhcp_opts, 0, MAX_ARGUMENTS,
		     "[--timeout <ms>] [<interface>...]");

static int dhcp_exec(int argc, char **argv)
{
	struct dhcp_options opts;
	int first = parse_options(argc, argv, &dhcp_cmd, &opts);

	if (first <= 0)
		return first;
	return if_configure_all(argc, argv, first, &if_configurators[0],
				opts.timeout);
}

static const struct command_descriptor pxebs_cmd =
	COMMAND_DESC_NOOPTS(2, 2, "<interface> <server type>");

static int pxebs_start(struct interface *job, struct net_device *netdev,
		       unsigned long type)
{
	return start_pxebs(job, netdev, (unsigned int)type);
}

static int pxebs_exec(int argc, char **argv)
{
	struct net_device *netdev;
	unsigned int type;
	int first = parse_options(argc, argv, &pxebs_cmd, NULL), rc;

	if (first <= 0)
		return first;
	if (!(netdev = find_netdev(argv[first]))) {
		rc = errctx(-ENODEV, "no network device called \"%s\"",
			    argv[first]);
		printf("%s: %s\n", argv[0], strerror(rc));
		return rc;
	}
	if ((rc = parse_integer(argv[first + 1], &type)) != 0) {
		printf("%s: %s\n", argv[0], strerror(rc));
		return rc;
	}
	if (type > 0xffff) {
		printf("%s: server type %u is out of range\n", argv[0], type);
		return -ERANGE;
	}
	if ((rc = if_ready(netdev, 0)) != 0)
		return rc;
	return if_configure_job(netdev, pxebs_start, type);
}

struct command dhcp_commands[] __command = {
	{.name = "dhcp",
	 .exec = dhcp_exec,
	 .summary = "Configure network devices by DHCP"},
	{.name = "ifconf",
	 .exec = ifconf_exec,
	 .summary = "Configure network devices"},
	{.name = "pxebs",
	 .exec = pxebs_exec,
	 .summary = "Ask PXE boot servers for a boot file"},
};
