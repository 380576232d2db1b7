/* Network devices: registration, settings, open/close, queues, link state,
 * polling. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/byteswap.h>
#include <keel/ethernet.h>
#include <keel/init.h>
#include <keel/iobuf.h>
#include <keel/netdevice.h>
#include <keel/process.h>

LIST_HEAD(net_devices);
/** Open devices, most recently opened first */
static LIST_HEAD(open_net_devices);
static unsigned int netdev_next_index;

/* ------------------------------------------------------------------------
 * Settings: each device's "netN" block answers mac, mtu, chip and busid
 * itself and stores everything else (ip, netmask...) like a generic block.
 */

/** Maximum transmission unit */
const struct setting mtu_setting __setting(SETTING_NETDEV) = {
	.name = "mtu",
	.type = &setting_type_int16,
	.scope = &netdev_scope,
};
/** Link state (up or down) */
const struct setting linkup_setting __setting(SETTING_NETDEV) = {
	.name = "link",
	.type = &setting_type_string,
	.scope = &netdev_scope,
};

/** Fill @data with a computed device setting; returns length or -ENOENT */
static int netdev_fetch_fact(struct net_device *netdev,
			     const struct setting *setting, void *data,
			     size_t len)
{
	char text[32];
	const void *value = text;
	size_t value_len;
	uint16_t mtu;

	if (setting_cmp(setting, &mac_setting) == 0) {
		value = netdev->ll_addr;
		value_len = netdev->ll_protocol->ll_addr_len;
	} else if (setting_cmp(setting, &mtu_setting) == 0) {
		mtu = htons((uint16_t)netdev->mtu);
		value = &mtu;
		value_len = sizeof(mtu);
	} else if (setting_cmp(setting, &chip_setting) == 0 && netdev->chip) {
		value = netdev->chip;
		value_len = strlen(netdev->chip);
	} else if (setting_cmp(setting, &ifname_setting) == 0) {
		value_len = (size_t)snprintf(text, sizeof(text), "%s",
					     netdev->name);
	} else if (setting_cmp(setting, &linkup_setting) == 0) {
		value_len = (size_t)snprintf(text, sizeof(text), "%s",
					     netdev_link_ok(netdev) ? "up"
								    : "down");
	} else {
		return -ENOENT;
	}
	if (len > value_len)
		len = value_len;
	if (data)
		memcpy(data, value, len);
	return (int)value_len;
}

static int netdev_settings_fetch(struct settings *settings,
				 struct setting *setting, void *data,
				 size_t len)
{
	struct net_device *netdev =
		container_of(settings, struct net_device, settings.settings);
	int rc = netdev_fetch_fact(netdev, setting, data, len);

	if (rc >= 0) {
		if (!setting->type)
			setting->type = setting_cmp(setting, &mac_setting)
						? &setting_type_string
						: &setting_type_hex;
		return rc;
	}
	return generic_settings_fetch(settings, setting, data, len);
}

static int netdev_settings_store(struct settings *settings,
				 const struct setting *setting,
				 const void *data, size_t len)
{
	struct net_device *netdev =
		container_of(settings, struct net_device, settings.settings);

	if (netdev_fetch_fact(netdev, setting, NULL, 0) >= 0 &&
	    setting_cmp(setting, &mac_setting) != 0)
		return errctx(-ENOTSUP, "%s/%s is read-only", netdev->name,
			      setting->name);
	/* Setting the MAC address changes the address in use */
	if (setting_cmp(setting, &mac_setting) == 0) {
		if (data && len != netdev->ll_protocol->ll_addr_len)
			return errctx(-EINVAL, "a MAC address has %d bytes",
				      netdev->ll_protocol->ll_addr_len);
		memcpy(netdev->ll_addr, data ? data : netdev->hw_addr,
		       netdev->ll_protocol->ll_addr_len);
		return 0;
	}
	return generic_settings_store(settings, setting, data, len);
}

static const struct settings_operations netdev_settings_operations = {
	.fetch = netdev_settings_fetch,
	.store = netdev_settings_store,
	.clear = generic_settings_clear,
	.list = NULL,
};

/* ------------------------------------------------------------------------
 * Lifetime
 */

static void free_netdev(struct refcnt *refcnt)
{
	struct net_device *netdev =
		container_of(refcnt, struct net_device, refcnt);

	generic_settings_clear(&netdev->settings.settings);
	free(netdev);
}

struct net_device *alloc_netdev(size_t priv_len)
{
	struct net_device *netdev;
	size_t len = (sizeof(*netdev) + 15) & ~(size_t)15;

	netdev = zalloc(len + priv_len);
	if (!netdev)
		return NULL;
	ref_init(&netdev->refcnt, free_netdev);
	INIT_LIST_HEAD(&netdev->list);
	INIT_LIST_HEAD(&netdev->open_list);
	INIT_LIST_HEAD(&netdev->tx_queue);
	INIT_LIST_HEAD(&netdev->tx_deferred);
	INIT_LIST_HEAD(&netdev->rx_queue);
	generic_settings_init(&netdev->settings, &netdev->refcnt);
	netdev->settings.settings.op = &netdev_settings_operations;
	netdev->link_rc = -ENETDOWN;
	netdev->priv = (char *)netdev + len;
	return netdev;
}

/** Tell every net driver something happened to @netdev */
static void netdev_notify(struct net_device *netdev)
{
	struct net_driver *driver;

	for_each_table_entry(driver, NET_DRIVERS) {
		if (driver->notify)
			driver->notify(netdev);
	}
}

int register_netdev(struct net_device *netdev)
{
	struct net_driver *driver;
	int rc;

	netdev->index = netdev_next_index++;
	snprintf(netdev->name, sizeof(netdev->name), "net%u", netdev->index);
	if (!netdev->ll_broadcast)
		netdev->ll_broadcast = netdev->ll_protocol->ll_broadcast;
	if (!netdev->max_pkt_len)
		netdev->max_pkt_len =
			netdev->mtu + netdev->ll_protocol->ll_header_len;
	memcpy(netdev->ll_addr, netdev->hw_addr,
	       netdev->ll_protocol->ll_addr_len);
	if ((rc = register_settings(&netdev->settings.settings, NULL,
				    netdev->name)) != 0)
		return rc;
	netdev_get(netdev);
	list_add_tail(&netdev->list, &net_devices);
	for_each_table_entry(driver, NET_DRIVERS) {
		if (driver->probe && (rc = driver->probe(netdev)) != 0) {
			unregister_netdev(netdev);
			return rc;
		}
	}
	return 0;
}

void unregister_netdev(struct net_device *netdev)
{
	struct net_driver *driver;

	if (list_unlinked(&netdev->list))
		return;
	netdev_close(netdev);
	for_each_table_entry_reverse(driver, NET_DRIVERS) {
		if (driver->remove)
			driver->remove(netdev);
	}
	unregister_settings(&netdev->settings.settings);
	list_del(&netdev->list);
	netdev_put(netdev);
}

/* ------------------------------------------------------------------------
 * Open, close, link
 */

int netdev_open(struct net_device *netdev)
{
	int rc;

	if (netdev_is_open(netdev))
		return 0;
	if ((rc = netdev->op->open(netdev)) != 0)
		return rc;
	netdev->state |= NETDEV_OPEN;
	list_add(&netdev->open_list, &open_net_devices);
	settings_set_netx_alias(netdev->name);
	netdev_notify(netdev);
	return 0;
}

/** Throw away every received packet still queued */
static void netdev_rx_flush(struct net_device *netdev)
{
	struct io_buffer *iobuf, *tmp;

	list_for_each_entry_safe(iobuf, tmp, &netdev->rx_queue, list) {
		list_del(&iobuf->list);
		free_iob(iobuf);
	}
}

void netdev_close(struct net_device *netdev)
{
	struct net_device *last;

	if (!netdev_is_open(netdev))
		return;
	netdev->op->close(netdev);
	netdev_tx_flush(netdev);
	netdev_rx_flush(netdev);
	netdev->state &= ~NETDEV_OPEN;
	list_del(&netdev->open_list);
	last = last_opened_netdev();
	settings_set_netx_alias(last ? last->name : NULL);
	netdev_notify(netdev);
}

void netdev_link_err(struct net_device *netdev, int rc)
{
	if (netdev->link_rc == rc)
		return;
	netdev->link_rc = rc;
	netdev_notify(netdev);
}

void netdev_link_up(struct net_device *netdev)
{
	netdev_link_err(netdev, 0);
}

void netdev_link_down(struct net_device *netdev)
{
	/* Keep a more specific reason if there is one */
	if (netdev_link_ok(netdev))
		netdev_link_err(netdev, -ENETDOWN);
}

struct net_device *last_opened_netdev(void)
{
	return list_first_entry(&open_net_devices, struct net_device,
				open_list);
}

struct net_device *find_netdev(const char *name)
{
	struct net_device *netdev;

	if (strcmp(name, "netX") == 0)
		return last_opened_netdev();
	list_for_each_entry(netdev, &net_devices, list) {
		if (strcmp(netdev->name, name) == 0)
			return netdev;
	}
	return NULL;
}

/* ------------------------------------------------------------------------
 * Transmit and receive
 */

/** Hand deferred packets to the driver while the queue has room */
static void netdev_tx_undefer(struct net_device *netdev)
{
	struct io_buffer *iobuf;
	int rc;

	while (list_count(&netdev->tx_queue) < NETDEV_TX_QUEUE_MAX &&
	       (iobuf = list_first_entry(&netdev->tx_deferred, struct io_buffer,
					 list))) {
		list_del(&iobuf->list);
		list_add_tail(&iobuf->list, &netdev->tx_queue);
		if ((rc = netdev->op->transmit(netdev, iobuf)) != 0)
			netdev_tx_complete_err(netdev, iobuf, rc);
	}
}

int netdev_tx(struct net_device *netdev, struct io_buffer *iobuf)
{
	if (!netdev_is_open(netdev)) {
		free_iob(iobuf);
		return errctx(-ENETDOWN, "%s is not open", netdev->name);
	}
	if (list_count(&netdev->tx_deferred) >= NETDEV_TX_QUEUE_MAX) {
		netdev->tx_stats.bad++;
		free_iob(iobuf);
		return -ENOBUFS;
	}
	list_add_tail(&iobuf->list, &netdev->tx_deferred);
	netdev_tx_undefer(netdev);
	return 0;
}

void netdev_tx_complete_err(struct net_device *netdev, struct io_buffer *iobuf,
			    int rc)
{
	if (rc) {
		netdev->tx_stats.bad++;
		netdev->tx_stats.last_rc = rc;
	} else {
		netdev->tx_stats.good++;
	}
	list_del(&iobuf->list);
	free_iob(iobuf);
}

void netdev_tx_flush(struct net_device *netdev)
{
	struct io_buffer *iobuf;

	while ((iobuf = list_first_entry(&netdev->tx_queue, struct io_buffer,
					 list)))
		netdev_tx_complete_err(netdev, iobuf, -ECANCELED);
	while ((iobuf = list_first_entry(&netdev->tx_deferred, struct io_buffer,
					 list)))
		netdev_tx_complete_err(netdev, iobuf, -ECANCELED);
}

void netdev_rx(struct net_device *netdev, struct io_buffer *iobuf)
{
	/* Bounded: a flood is dropped, not queued without limit */
	if (list_count(&netdev->rx_queue) >= NETDEV_RX_QUEUE_MAX) {
		netdev_rx_err(netdev, iobuf, -ENOBUFS);
		return;
	}
	list_add_tail(&iobuf->list, &netdev->rx_queue);
}

void netdev_rx_err(struct net_device *netdev, struct io_buffer *iobuf, int rc)
{
	netdev->rx_stats.bad++;
	netdev->rx_stats.last_rc = rc;
	free_iob(iobuf);
}

void netdev_poll(struct net_device *netdev)
{
	if (netdev_is_open(netdev))
		netdev->op->poll(netdev);
}

int net_tx(struct io_buffer *iobuf, struct net_device *netdev,
	   struct net_protocol *net_protocol, const void *ll_dest,
	   const void *ll_source)
{
	const struct ll_protocol *ll = netdev->ll_protocol;
	int rc;

	if ((rc = ll->push(netdev, iobuf, ll_dest, ll_source,
			   net_protocol->net_proto)) != 0) {
		free_iob(iobuf);
		return rc;
	}
	return netdev_tx(netdev, iobuf);
}

int net_rx(struct io_buffer *iobuf, struct net_device *netdev,
	   uint16_t net_proto, const void *ll_dest, const void *ll_source,
	   unsigned int flags)
{
	struct net_protocol *net_protocol;

	for_each_table_entry(net_protocol, NET_PROTOCOLS) {
		if (net_protocol->net_proto == net_proto)
			return net_protocol->rx(iobuf, netdev, ll_dest,
						ll_source, flags);
	}
	free_iob(iobuf);
	return -ENOTSUP;
}

/** Process up to a batch of received packets on one device */
static void netdev_rx_process(struct net_device *netdev)
{
	const struct ll_protocol *ll = netdev->ll_protocol;
	const void *ll_dest, *ll_source;
	struct io_buffer *iobuf;
	unsigned int budget = 64, flags;
	uint16_t net_proto;

	netdev_get(netdev);
	while (budget-- && netdev_is_open(netdev) &&
	       (iobuf = list_first_entry(&netdev->rx_queue, struct io_buffer,
					 list))) {
		list_del(&iobuf->list);
		if (ll->pull(netdev, iobuf, &ll_dest, &ll_source, &net_proto,
			     &flags) != 0) {
			netdev_rx_err(netdev, iobuf, -EINVAL);
			continue;
		}
		netdev->rx_stats.good++;
		net_rx(iobuf, netdev, net_proto, ll_dest, ll_source, flags);
	}
	netdev_put(netdev);
}

/** Poll every open device and process what arrived */
static void net_step(void *unused)
{
	struct net_device *netdev, *tmp;

	(void)unused;
	list_for_each_entry_safe(netdev, tmp, &net_devices, list) {
		if (!netdev_is_open(netdev))
			continue;
		netdev_poll(netdev);
		netdev_tx_undefer(netdev);
		netdev_rx_process(netdev);
	}
}

struct process net_process __permanent_process = {
	.desc = &(const struct process_descriptor){.offset = 0,
						   .step = net_step,
						   .reschedule = 1},
};

/** At exit, close every device so hardware stops touching memory */
static void net_shutdown(int booting)
{
	struct net_device *netdev, *tmp;

	(void)booting;
	list_for_each_entry_safe(netdev, tmp, &net_devices, list)
		netdev_close(netdev);
}

struct startup_fn net_startup __startup_fn(STARTUP_LATE) = {
	.name = "net",
	.shutdown = net_shutdown,
};
