/* DHCPv4 client (RFC 2131) with ProxyDHCP and PXE boot server discovery. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/dhcp.h>
#include <keel/dhcpopts.h>
#include <keel/iobuf.h>
#include <keel/netdevice.h>
#include <keel/open.h>
#include <keel/settings.h>
#include <keel/timer.h>
#include <keel/udp.h>
#include <keel/xfer.h>

/*
 * States, in order:
 *   discovery  DHCPDISCOVER, broadcast; collect an offer (and ProxyDHCP
 *              offers). A plain offer is taken at once; an offer that says
 *              "PXEClient" without a boot file waits DHCP_PROXY_WAIT_MS
 *              for a ProxyDHCP offer first.
 *   request    DHCPREQUEST for the offer, broadcast; ACK stores "netN.dhcp",
 *              NAK restarts discovery.
 *   proxy      only if a ProxyDHCP server is known and its offer lacks a
 *              boot file: DHCPREQUEST to its port 4011; stores "proxydhcp"
 *              (falling back to the ProxyDHCP offer if it stays silent).
 *   pxebs      only if the PXE options (43.x) list a boot menu and no boot
 *              file is known yet, or when asked (start_pxebs): DHCPREQUEST
 *              with 43.71 to the boot servers; stores "pxebs".
 */

/** Longest list of PXE boot servers we try */
#define PXEBS_MAX_SERVERS 8
/** Priorities: PXE answers win over the lease's boot information */
#define PROXYDHCP_PRIORITY 1
#define PXEBS_PRIORITY	   2

struct dhcp_session;

/** One state of the client */
struct dhcp_state {
	const char *name;
	/** Message type sent */
	uint8_t msgtype;
	/**
	 * Prepare a transmission: extra options and where to send.
	 *
	 * @ciaddr	our address to put in ciaddr (0: broadcast flag)
	 */
	int (*tx)(struct dhcp_session *dhcp, struct dhcp_option_builder *b,
		  struct sockaddr_in *peer, uint32_t *ciaddr);
	/** A reply for us arrived */
	void (*rx)(struct dhcp_session *dhcp, struct io_buffer *iobuf,
		   const struct dhcp_packet_view *view,
		   const struct sockaddr_in *src, unsigned int msgtype,
		   struct in_addr server_id);
	/** The timer fired after a transmission; non-zero if it acted */
	int (*expired)(struct dhcp_session *dhcp);
	/** The state's time is up */
	void (*timeout)(struct dhcp_session *dhcp);
};

/** A DHCP session */
struct dhcp_session {
	struct refcnt refcnt;
	/** Whoever waits for the outcome */
	struct interface job;
	/** UDP socket on port 68 */
	struct interface xfer;
	struct net_device *netdev;
	const struct dhcp_state *state;
	uint32_t xid;
	/** Ticks when the session began (for "secs") */
	unsigned long start;
	/** Ticks when the current state gives up */
	unsigned long deadline;
	/** Time allowed for the lease, in ticks */
	unsigned long timeout;
	/** Retransmission timer */
	struct timer timer;
	/** Transmissions in this state */
	unsigned int tries;
	/** DHCPDISCOVERs sent in all */
	unsigned int discovers;
	/** NAKs and other restarts */
	unsigned int restarts;
	/** The outcome has been reported */
	int finished;

	/** Chosen offer: server identifier and address */
	struct in_addr server;
	struct in_addr offered;
	/** The chosen offer says PXEClient but names no boot file */
	int pxe_offer;
	/** Waiting (once) for ProxyDHCP offers */
	int proxy_wait;
	/** 175.176: do not wait for ProxyDHCP */
	int no_pxedhcp;

	/** ProxyDHCP server (0: none seen) */
	struct in_addr proxy_server;
	/** Its offer, kept until the lease is in place */
	struct io_buffer *proxy_offer;

	/** Boot server discovery: type wanted, servers to ask */
	unsigned int pxe_type;
	struct in_addr pxe_servers[PXEBS_MAX_SERVERS];
	unsigned int num_pxe_servers;
	/** Ask only when called for explicitly (no DHCP before) */
	int pxebs_only;
};

static const struct dhcp_state dhcp_state_discovery;
static const struct dhcp_state dhcp_state_request;
static const struct dhcp_state dhcp_state_proxy;
static const struct dhcp_state dhcp_state_pxebs;

/* ------------------------------------------------------------------------
 * Settings the client reads
 */

/** DHCP timeout (ms) */
const struct setting dhcp_timeout_setting __setting(SETTING_MISC) = {
	.name = "dhcp-timeout",
	.type = &setting_type_uint32,
};
/** Link-up timeout (ms) */
const struct setting link_timeout_setting __setting(SETTING_MISC) = {
	.name = "link-timeout",
	.type = &setting_type_uint32,
};

/* ------------------------------------------------------------------------
 * Life cycle
 */

static void dhcp_free(struct refcnt *refcnt)
{
	struct dhcp_session *dhcp =
		container_of(refcnt, struct dhcp_session, refcnt);

	free_iob(dhcp->proxy_offer);
	netdev_put(dhcp->netdev);
	free(dhcp);
}

/** End the session with @rc */
static void dhcp_finished(struct dhcp_session *dhcp, int rc)
{
	/* Peers close back while we shut down: only the first end counts */
	if (dhcp->finished)
		return;
	dhcp->finished = 1;
	DBGC(dhcp, "DHCP %s finished: %s\n", dhcp->netdev->name,
	     rc ? strerror(rc) : "ok");
	timer_stop(&dhcp->timer);
	intf_shutdown(&dhcp->xfer, rc);
	intf_shutdown(&dhcp->job, rc);
}

/** A fresh transaction ID */
static uint32_t dhcp_new_xid(void)
{
	return (uint32_t)random() ^ ((uint32_t)random() << 16);
}

/** Seconds since the session began, for the "secs" field */
static uint16_t dhcp_secs(struct dhcp_session *dhcp)
{
	return (uint16_t)((currticks() - dhcp->start) / TICKS_PER_SEC);
}

/** Enter a state and transmit at once (from the timer, not from here) */
static void dhcp_set_state(struct dhcp_session *dhcp,
			   const struct dhcp_state *state,
			   unsigned long timeout)
{
	DBGC(dhcp, "DHCP %s entering %s\n", dhcp->netdev->name, state->name);
	dhcp->state = state;
	dhcp->tries = 0;
	dhcp->deadline = currticks() + timeout;
	timer_start(&dhcp->timer, 0);
}

/** The retransmission interval after @tries sends: 1 s doubling, jittered */
static unsigned long dhcp_backoff(unsigned int tries)
{
	unsigned long interval = DHCP_MIN_RETRANSMIT_MS * TICKS_PER_MS;
	unsigned long jitter;

	while (--tries && interval < DHCP_MAX_RETRANSMIT_MS * TICKS_PER_MS)
		interval *= 2;
	if (interval > DHCP_MAX_RETRANSMIT_MS * TICKS_PER_MS)
		interval = DHCP_MAX_RETRANSMIT_MS * TICKS_PER_MS;
	/* Up to 1/8 either way, so that clients booted together spread out */
	jitter = interval / 8;
	return interval - jitter + ((unsigned long)random() % (2 * jitter + 1));
}

/* ------------------------------------------------------------------------
 * Transmission
 */

/** Send the current state's message */
static int dhcp_tx(struct dhcp_session *dhcp)
{
	struct sockaddr_in peer, local;
	struct dhcp_option_builder b;
	struct xfer_metadata meta;
	struct io_buffer *iobuf;
	uint8_t extra[64];
	uint32_t ciaddr = 0;
	int len, rc;

	memset(&peer, 0, sizeof(peer));
	peer.sin_family = AF_INET;
	peer.sin_port = htons(BOOTPS_PORT);
	peer.sin_addr.s_addr = htonl(INADDR_BROADCAST);
	peer.sin_scope_id = (uint16_t)(dhcp->netdev->index + 1);
	dhcpopt_build_init(&b, extra, sizeof(extra));
	if ((rc = dhcp->state->tx(dhcp, &b, &peer, &ciaddr)) != 0)
		return rc;
	if ((len = dhcpopt_build_end(&b)) < 0)
		return len;
	iobuf = xfer_alloc_iob(&dhcp->xfer, DHCP_MAX_LEN);
	if (!iobuf)
		return -ENOMEM;
	len = dhcp_create_request(dhcp->netdev, dhcp->state->msgtype, dhcp->xid,
				  dhcp_secs(dhcp), ciaddr, extra,
				  (size_t)len - 1, iob_put(iobuf, DHCP_MAX_LEN),
				  DHCP_MAX_LEN);
	if (len < 0) {
		free_iob(iobuf);
		return len;
	}
	iob_unput(iobuf, DHCP_MAX_LEN - (size_t)len);
	memset(&local, 0, sizeof(local));
	local.sin_family = AF_INET;
	local.sin_port = htons(BOOTPC_PORT);
	local.sin_addr.s_addr = ciaddr;
	memset(&meta, 0, sizeof(meta));
	meta.src = &local;
	meta.dest = &peer;
	DBGC(dhcp, "DHCP %s %s #%u to %s:%u\n", dhcp->netdev->name,
	     dhcp->state->name, dhcp->tries + 1, inet_ntoa(peer.sin_addr),
	     ntohs(peer.sin_port));
	dhcp->tries++;
	return xfer_deliver(&dhcp->xfer, iobuf, &meta);
}

static void dhcp_timer_expired(struct timer *timer)
{
	struct dhcp_session *dhcp =
		container_of(timer, struct dhcp_session, timer);
	unsigned long now = currticks(), wait;
	int rc;

	if (dhcp->tries && dhcp->state->expired && dhcp->state->expired(dhcp))
		return;
	if (dhcp->tries && ticks_after_eq(now, dhcp->deadline)) {
		dhcp->state->timeout(dhcp);
		return;
	}
	if ((rc = dhcp_tx(dhcp)) != 0)
		DBGC(dhcp, "DHCP %s could not send: %s\n", dhcp->netdev->name,
		     strerror(rc));
	wait = dhcp_backoff(dhcp->tries ? dhcp->tries : 1);
	if (wait > dhcp->deadline - now)
		wait = dhcp->deadline - now;
	timer_start(&dhcp->timer, wait);
}

/* ------------------------------------------------------------------------
 * Packets and settings
 */

/** A settings block holding one received packet */
struct dhcp_settings {
	struct refcnt refcnt;
	struct generic_settings generic;
};

static void dhcp_settings_free(struct refcnt *refcnt)
{
	struct dhcp_settings *block =
		container_of(refcnt, struct dhcp_settings, refcnt);

	generic_settings_clear(&block->generic.settings);
	free(block);
}

/**
 * Store a packet in a new block and register it, replacing any block of
 * the same name (so a renewed lease replaces the old one at once).
 */
static int dhcp_register(const void *data, size_t len, struct settings *parent,
			 const char *name, int priority)
{
	struct dhcp_settings *block = zalloc(sizeof(*block));
	int rc;

	if (!block)
		return -ENOMEM;
	ref_init(&block->refcnt, dhcp_settings_free);
	generic_settings_init(&block->generic, &block->refcnt);
	block->generic.settings.priority = priority;
	rc = dhcp_store_packet(&block->generic.settings, data, len);
	/* A PXE server's yiaddr is not an address to use */
	if (rc == 0 && priority)
		rc = delete_setting(&block->generic.settings, &ip_setting);
	if (rc == 0)
		rc = register_settings(&block->generic.settings, parent, name);
	ref_put(&block->refcnt);
	return rc;
}

/** A 4-byte address option, or 0.0.0.0 */
static struct in_addr dhcp_addr_opt(const struct dhcp_packet_view *view,
				    unsigned int tag)
{
	struct in_addr addr = {0};

	if (dhcppkt_fetch(view, tag, &addr, sizeof(addr)) != sizeof(addr))
		addr.s_addr = 0;
	return addr;
}

/** True if option 60 of a packet starts with "PXEClient" */
static int dhcp_is_pxe(const struct dhcp_packet_view *view)
{
	char vci[9];

	return dhcppkt_fetch(view, DHCP_VENDOR_CLASS_ID, vci, sizeof(vci)) >=
		       (int)sizeof(vci) &&
	       memcmp(vci, "PXEClient", sizeof(vci)) == 0;
}

/** True if a packet names a boot file (file field or option 67) */
static int dhcp_has_file(const struct dhcp_packet_view *view)
{
	if (!(view->overload & DHCP_OVERLOAD_FILE) && view->hdr->file[0])
		return 1;
	return dhcppkt_fetch(view, DHCP_BOOTFILE_NAME, NULL, 0) > 0;
}

/** True if a packet carries PXE boot menu or server options */
static int dhcp_has_pxe_menu(const struct dhcp_packet_view *view)
{
	return dhcppkt_fetch(view, DHCP_PXE_BOOT_MENU, NULL, 0) > 0 ||
	       dhcppkt_fetch(view, DHCP_PXE_BOOT_SERVERS, NULL, 0) > 0;
}

/* ------------------------------------------------------------------------
 * Discovery
 */

static int dhcp_discovery_tx(struct dhcp_session *dhcp,
			     struct dhcp_option_builder *b,
			     struct sockaddr_in *peer, uint32_t *ciaddr)
{
	dhcp->discovers++;
	return 0;
}

/** Keep a ProxyDHCP offer (the first one wins) */
static void dhcp_keep_proxy(struct dhcp_session *dhcp, struct io_buffer *iobuf,
			    struct in_addr server)
{
	if (dhcp->proxy_offer || !server.s_addr)
		return;
	dhcp->proxy_offer = iob_dup(iobuf);
	if (dhcp->proxy_offer)
		dhcp->proxy_server = server;
	DBGC(dhcp, "DHCP %s ProxyDHCP offer from %s\n", dhcp->netdev->name,
	     inet_ntoa(server));
}

/** Record the first usable offer */
static void dhcp_take_offer(struct dhcp_session *dhcp,
			    const struct dhcp_packet_view *view,
			    struct in_addr server_id, int pxe)
{
	uint8_t no_pxedhcp = 0;

	dhcp->server = server_id;
	dhcp->offered = view->hdr->yiaddr;
	dhcppkt_fetch(view, DHCP_EB_NO_PXEDHCP, &no_pxedhcp, 1);
	dhcp->no_pxedhcp = no_pxedhcp;
	/* PXEClient, naming neither a boot file nor boot servers: PXE
	 * answers (ProxyDHCP) are to come */
	dhcp->pxe_offer = pxe && !dhcp_has_file(view) &&
			  !dhcp_has_pxe_menu(view) && !dhcp->no_pxedhcp;
	DBGC(dhcp, "DHCP %s offer of %s", dhcp->netdev->name,
	     inet_ntoa(dhcp->offered));
	DBG(" from %s%s\n", inet_ntoa(server_id), pxe ? " (PXE)" : "");
}

static void dhcp_discovery_rx(struct dhcp_session *dhcp,
			      struct io_buffer *iobuf,
			      const struct dhcp_packet_view *view,
			      const struct sockaddr_in *src,
			      unsigned int msgtype, struct in_addr server_id)
{
	int pxe = dhcp_is_pxe(view);

	if (msgtype != DHCPOFFER || !server_id.s_addr)
		return;
	/* An offer without an address, saying PXEClient: ProxyDHCP */
	if (!view->hdr->yiaddr.s_addr) {
		if (pxe)
			dhcp_keep_proxy(dhcp, iobuf, server_id);
	} else if (!dhcp->offered.s_addr) {
		dhcp_take_offer(dhcp, view, server_id, pxe);
	}
	if (!dhcp->offered.s_addr)
		return;
	/* Take the offer now unless ProxyDHCP offers are worth waiting for */
	if (!dhcp->pxe_offer || dhcp->proxy_offer) {
		dhcp_set_state(dhcp, &dhcp_state_request, dhcp->timeout);
	} else if (!dhcp->proxy_wait) {
		dhcp->proxy_wait = 1;
		timer_start(&dhcp->timer, DHCP_PROXY_WAIT_MS * TICKS_PER_MS);
	}
}

static int dhcp_discovery_expired(struct dhcp_session *dhcp)
{
	if (!dhcp->offered.s_addr)
		return 0;
	dhcp_set_state(dhcp, &dhcp_state_request, dhcp->timeout);
	return 1;
}

static void dhcp_discovery_timeout(struct dhcp_session *dhcp)
{
	dhcp_finished(dhcp, errctx(-ETIMEDOUT, "no DHCP offer after %u %s",
				   dhcp->discovers,
				   dhcp->discovers == 1 ? "try" : "tries"));
}

static const struct dhcp_state dhcp_state_discovery = {
	.name = "DHCPDISCOVER",
	.msgtype = DHCPDISCOVER,
	.tx = dhcp_discovery_tx,
	.rx = dhcp_discovery_rx,
	.expired = dhcp_discovery_expired,
	.timeout = dhcp_discovery_timeout,
};

/* ------------------------------------------------------------------------
 * Request
 */

static int dhcp_request_tx(struct dhcp_session *dhcp,
			   struct dhcp_option_builder *b,
			   struct sockaddr_in *peer, uint32_t *ciaddr)
{
	dhcpopt_append(b, DHCP_SERVER_IDENTIFIER, &dhcp->server,
		       sizeof(dhcp->server));
	return dhcpopt_append(b, DHCP_REQUESTED_ADDRESS, &dhcp->offered,
			      sizeof(dhcp->offered));
}

/** What follows a lease: ProxyDHCP, boot server discovery, or nothing */
static void dhcp_after_lease(struct dhcp_session *dhcp);

static void dhcp_request_ack(struct dhcp_session *dhcp, struct io_buffer *iobuf,
			     const struct dhcp_packet_view *view)
{
	int rc;

	rc = dhcp_register(iobuf->data, iob_len(iobuf),
			   &dhcp->netdev->settings.settings, "dhcp", 0);
	if (rc) {
		dhcp_finished(dhcp, rc);
		return;
	}
	DBGC(dhcp, "DHCP %s lease of %s", dhcp->netdev->name,
	     inet_ntoa(view->hdr->yiaddr));
	DBG(" from %s\n", inet_ntoa(dhcp->server));
	/* ProxyDHCP on the DHCP server only if the ACK does not say enough */
	if (dhcp_has_file(view) || dhcp_has_pxe_menu(view))
		dhcp->pxe_offer = 0;
	dhcp_after_lease(dhcp);
}

static void dhcp_request_rx(struct dhcp_session *dhcp, struct io_buffer *iobuf,
			    const struct dhcp_packet_view *view,
			    const struct sockaddr_in *src, unsigned int msgtype,
			    struct in_addr server_id)
{
	/* ProxyDHCP offers may still be on their way */
	if (msgtype == DHCPOFFER && !view->hdr->yiaddr.s_addr &&
	    dhcp_is_pxe(view)) {
		dhcp_keep_proxy(dhcp, iobuf, server_id);
		return;
	}
	if (server_id.s_addr != dhcp->server.s_addr)
		return;
	if (msgtype == DHCPACK) {
		dhcp_request_ack(dhcp, iobuf, view);
	} else if (msgtype == DHCPNAK) {
		DBGC(dhcp, "DHCP %s NAK from %s\n", dhcp->netdev->name,
		     inet_ntoa(server_id));
		if (++dhcp->restarts > 3) {
			dhcp_finished(dhcp,
				      errctx(-ECONNREFUSED,
					     "DHCP server %s refused the lease",
					     inet_ntoa(server_id)));
			return;
		}
		dhcp->offered.s_addr = 0;
		dhcp->server.s_addr = 0;
		dhcp->proxy_wait = 0;
		dhcp->xid = dhcp_new_xid();
		dhcp_set_state(dhcp, &dhcp_state_discovery, dhcp->timeout);
	}
}

static void dhcp_request_timeout(struct dhcp_session *dhcp)
{
	dhcp_finished(dhcp,
		      errctx(-ETIMEDOUT,
			     "no DHCP acknowledgement from %s after %u %s",
			     inet_ntoa(dhcp->server), dhcp->tries,
			     dhcp->tries == 1 ? "try" : "tries"));
}

static const struct dhcp_state dhcp_state_request = {
	.name = "DHCPREQUEST",
	.msgtype = DHCPREQUEST,
	.tx = dhcp_request_tx,
	.rx = dhcp_request_rx,
	.timeout = dhcp_request_timeout,
};

/* ------------------------------------------------------------------------
 * ProxyDHCP
 */

/** Our address from the lease, as ciaddr */
static uint32_t dhcp_our_addr(struct dhcp_session *dhcp)
{
	struct in_addr addr = {0};

	fetch_setting(&dhcp->netdev->settings.settings, &ip_setting, NULL, NULL,
		      &addr, sizeof(addr));
	return addr.s_addr;
}

static int dhcp_proxy_tx(struct dhcp_session *dhcp,
			 struct dhcp_option_builder *b,
			 struct sockaddr_in *peer, uint32_t *ciaddr)
{
	*ciaddr = dhcp_our_addr(dhcp);
	peer->sin_addr = dhcp->proxy_server;
	peer->sin_port = htons(PXE_PORT);
	return 0;
}

static void dhcp_proxy_rx(struct dhcp_session *dhcp, struct io_buffer *iobuf,
			  const struct dhcp_packet_view *view,
			  const struct sockaddr_in *src, unsigned int msgtype,
			  struct in_addr server_id)
{
	int rc;

	if (msgtype != DHCPACK ||
	    src->sin_addr.s_addr != dhcp->proxy_server.s_addr)
		return;
	/* The answer must still be about PXE */
	if (!dhcp_is_pxe(view))
		return;
	rc = dhcp_register(iobuf->data, iob_len(iobuf), NULL, "proxydhcp",
			   PROXYDHCP_PRIORITY);
	if (rc) {
		dhcp_finished(dhcp, rc);
		return;
	}
	dhcp_after_lease(dhcp);
}

static void dhcp_proxy_timeout(struct dhcp_session *dhcp)
{
	DBGC(dhcp, "DHCP %s no ProxyDHCP answer from %s\n", dhcp->netdev->name,
	     inet_ntoa(dhcp->proxy_server));
	/* The offer, if it came from elsewhere, is the best we have */
	dhcp_after_lease(dhcp);
}

static const struct dhcp_state dhcp_state_proxy = {
	.name = "ProxyDHCPREQUEST",
	.msgtype = DHCPREQUEST,
	.tx = dhcp_proxy_tx,
	.rx = dhcp_proxy_rx,
	.timeout = dhcp_proxy_timeout,
};

/* ------------------------------------------------------------------------
 * PXE boot server discovery
 */

static int dhcp_pxebs_tx(struct dhcp_session *dhcp,
			 struct dhcp_option_builder *b,
			 struct sockaddr_in *peer, uint32_t *ciaddr)
{
	uint8_t item[4] = {(uint8_t)(dhcp->pxe_type >> 8),
			   (uint8_t)dhcp->pxe_type, 0, 0};
	unsigned int n = dhcp->num_pxe_servers;

	*ciaddr = dhcp_our_addr(dhcp);
	/* Unicast to each listed server in turn (port 4011), else broadcast */
	if (n) {
		peer->sin_addr = dhcp->pxe_servers[dhcp->tries % n];
		peer->sin_port = htons(PXE_PORT);
	}
	return dhcpopt_append(b, DHCP_PXE_BOOT_ITEM, item, sizeof(item));
}

static void dhcp_pxebs_rx(struct dhcp_session *dhcp, struct io_buffer *iobuf,
			  const struct dhcp_packet_view *view,
			  const struct sockaddr_in *src, unsigned int msgtype,
			  struct in_addr server_id)
{
	uint8_t item[4];
	int rc;

	if (msgtype != DHCPACK)
		return;
	/* The server must answer for the boot item we asked for */
	if (dhcppkt_fetch(view, DHCP_PXE_BOOT_ITEM, item, sizeof(item)) !=
		    (int)sizeof(item) ||
	    ((unsigned int)(item[0] << 8) | item[1]) != dhcp->pxe_type)
		return;
	rc = dhcp_register(iobuf->data, iob_len(iobuf), NULL, "pxebs",
			   PXEBS_PRIORITY);
	dhcp_finished(dhcp, rc);
}

static void dhcp_pxebs_timeout(struct dhcp_session *dhcp)
{
	int rc = errctx(-ETIMEDOUT, "no PXE boot server answered for type %u",
			dhcp->pxe_type);

	/* Part of configuring a lease: the lease still stands */
	dhcp_finished(dhcp, dhcp->pxebs_only ? rc : 0);
}

static const struct dhcp_state dhcp_state_pxebs = {
	.name = "BootServerDHCPREQUEST",
	.msgtype = DHCPREQUEST,
	.tx = dhcp_pxebs_tx,
	.rx = dhcp_pxebs_rx,
	.timeout = dhcp_pxebs_timeout,
};

/**
 * Choose the boot servers for a type from ${43.8} and ${43.6}: a list of
 * entries (type: 2 bytes, count: 1 byte, count addresses).
 *
 * @ret rc	0, or -ENOENT if discovery is switched off and none is listed
 */
static int dhcp_pxebs_servers(struct dhcp_session *dhcp)
{
	uint8_t list[255], control = 0;
	struct setting setting = {.tag = DHCP_PXE_BOOT_SERVERS};
	struct setting ctl = {.tag = DHCP_PXE_DISCOVERY_CONTROL};
	int len, pos, count;

	dhcp->num_pxe_servers = 0;
	fetch_setting(NULL, &ctl, NULL, NULL, &control, 1);
	len = fetch_setting(NULL, &setting, NULL, NULL, list, sizeof(list));
	if (len > (int)sizeof(list))
		len = sizeof(list);
	for (pos = 0; pos + 3 <= len; pos += 3 + 4 * count) {
		count = list[pos + 2];
		if (pos + 3 + 4 * count > len)
			break;
		if (((unsigned int)(list[pos] << 8) | list[pos + 1]) !=
		    dhcp->pxe_type)
			continue;
		while (count-- && dhcp->num_pxe_servers < PXEBS_MAX_SERVERS) {
			memcpy(&dhcp->pxe_servers[dhcp->num_pxe_servers++],
			       &list[pos + 3], 4);
		}
		count = list[pos + 2];
	}
	if (!dhcp->num_pxe_servers && (control & PXEBS_NO_BROADCAST))
		return -ENOENT;
	return 0;
}

/** The first boot menu item's type, or 0 (local boot, or no menu) */
static unsigned int dhcp_pxe_menu_first(void)
{
	struct setting setting = {.tag = DHCP_PXE_BOOT_MENU};
	uint8_t menu[3];

	if (fetch_setting(NULL, &setting, NULL, NULL, menu, sizeof(menu)) < 3)
		return 0;
	return (unsigned int)(menu[0] << 8) | menu[1];
}

/**
 * Use a ProxyDHCP offer from another server: keep it as "proxydhcp", and
 * ask its port 4011 only if it names neither a boot file nor a menu.
 *
 * @ret ask	true if a ProxyDHCPREQUEST is needed
 */
static int dhcp_use_proxy_offer(struct dhcp_session *dhcp)
{
	struct io_buffer *offer = dhcp->proxy_offer;
	struct dhcp_packet_view view;
	int ask, rc;

	dhcp->proxy_offer = NULL;
	if (dhcppkt_parse(&view, offer->data, iob_len(offer)) != 0) {
		free_iob(offer);
		return 0;
	}
	ask = !dhcp_has_file(&view) && !dhcp_has_pxe_menu(&view);
	if ((rc = dhcp_register(offer->data, iob_len(offer), NULL, "proxydhcp",
				PROXYDHCP_PRIORITY)) != 0)
		DBGC(dhcp, "DHCP could not keep the ProxyDHCP offer: %s\n",
		     strerror(rc));
	free_iob(offer);
	return ask;
}

static void dhcp_after_lease(struct dhcp_session *dhcp)
{
	struct setting filename = filename_setting;

	if (dhcp->proxy_offer) {
		dhcp->pxe_offer = 0;
		if (dhcp_use_proxy_offer(dhcp)) {
			dhcp_set_state(dhcp, &dhcp_state_proxy,
				       DHCP_PXE_TIMEOUT_MS * TICKS_PER_MS);
			return;
		}
	} else if (dhcp->pxe_offer) {
		/* A PXE offer with nothing to boot: ProxyDHCP on the server */
		dhcp->pxe_offer = 0;
		dhcp->proxy_server = dhcp->server;
		dhcp_set_state(dhcp, &dhcp_state_proxy,
			       DHCP_PXE_TIMEOUT_MS * TICKS_PER_MS);
		return;
	}
	/* A boot menu and no boot file: ask the menu's first boot server */
	if (fetch_setting(NULL, &filename, NULL, NULL, NULL, 0) <= 0 &&
	    (dhcp->pxe_type = dhcp_pxe_menu_first()) != 0 &&
	    dhcp_pxebs_servers(dhcp) == 0) {
		dhcp_set_state(dhcp, &dhcp_state_pxebs,
			       DHCP_PXE_TIMEOUT_MS * TICKS_PER_MS);
		return;
	}
	dhcp_finished(dhcp, 0);
}

/* ------------------------------------------------------------------------
 * Interfaces
 */

static int dhcp_deliver(struct dhcp_session *dhcp, struct io_buffer *iobuf,
			struct xfer_metadata *meta)
{
	const struct sockaddr_in *src = meta->src;
	const struct ll_protocol *ll = dhcp->netdev->ll_protocol;
	struct dhcp_packet_view view;
	struct in_addr server_id;
	unsigned int msgtype;
	int rc;

	if (!src || src->sin_family != AF_INET) {
		rc = -EINVAL;
		goto done;
	}
	if ((rc = dhcppkt_parse(&view, iobuf->data, iob_len(iobuf))) != 0)
		goto done;
	if (view.hdr->op != BOOTP_REPLY || view.hdr->xid != dhcp->xid ||
	    view.hdr->hlen != ll->ll_addr_len ||
	    memcmp(view.hdr->chaddr, dhcp->netdev->ll_addr, ll->ll_addr_len)) {
		rc = 0; /* someone else's: not an error */
		goto done;
	}
	msgtype = dhcppkt_msgtype(&view);
	server_id = dhcp_addr_opt(&view, DHCP_SERVER_IDENTIFIER);
	if (!server_id.s_addr)
		server_id = src->sin_addr;
	DBGC2(dhcp, "DHCP %s %s got type %u from %s\n", dhcp->netdev->name,
	      dhcp->state->name, msgtype, inet_ntoa(src->sin_addr));
	ref_get(&dhcp->refcnt);
	dhcp->state->rx(dhcp, iobuf, &view, src, msgtype, server_id);
	ref_put(&dhcp->refcnt);
done:
	free_iob(iobuf);
	return rc;
}

static void dhcp_close(struct dhcp_session *dhcp, int rc)
{
	dhcp_finished(dhcp, rc ? rc : -ECONNABORTED);
}

static struct interface_operation dhcp_xfer_ops[] = {
	INTF_OP(xfer_deliver, struct dhcp_session *, dhcp_deliver),
	INTF_OP(intf_close, struct dhcp_session *, dhcp_close),
};
static struct interface_descriptor dhcp_xfer_desc =
	INTF_DESC(struct dhcp_session, xfer, dhcp_xfer_ops);

static struct interface_operation dhcp_job_ops[] = {
	INTF_OP(intf_close, struct dhcp_session *, dhcp_close),
};
static struct interface_descriptor dhcp_job_desc =
	INTF_DESC(struct dhcp_session, job, dhcp_job_ops);

/** Create a session and open its socket on port 68 */
static struct dhcp_session *dhcp_create(struct net_device *netdev, int *rc)
{
	struct dhcp_session *dhcp = zalloc(sizeof(*dhcp));
	struct sockaddr_in local, peer;

	*rc = -ENOMEM;
	if (!dhcp)
		return NULL;
	ref_init(&dhcp->refcnt, dhcp_free);
	intf_init(&dhcp->job, &dhcp_job_desc, &dhcp->refcnt);
	intf_init(&dhcp->xfer, &dhcp_xfer_desc, &dhcp->refcnt);
	timer_init(&dhcp->timer, dhcp_timer_expired, &dhcp->refcnt);
	dhcp->netdev = netdev_get(netdev);
	dhcp->xid = dhcp_new_xid();
	dhcp->start = currticks();
	memset(&local, 0, sizeof(local));
	local.sin_family = AF_INET;
	local.sin_port = htons(BOOTPC_PORT);
	local.sin_scope_id = (uint16_t)(netdev->index + 1);
	memset(&peer, 0, sizeof(peer));
	peer.sin_family = AF_INET;
	*rc = xfer_open_socket(&dhcp->xfer, SOCK_DGRAM,
			       (struct sockaddr *)&peer,
			       (struct sockaddr *)&local);
	if (*rc) {
		*rc = errctx(*rc, "cannot open the DHCP port on %s",
			     netdev->name);
		ref_put(&dhcp->refcnt);
		return NULL;
	}
	return dhcp;
}

/** Time allowed for the lease: the caller's, else ${dhcp-timeout} */
static unsigned long dhcp_timeout_ticks(unsigned long timeout_ms)
{
	unsigned long value;

	if (!timeout_ms &&
	    fetch_uint_setting(NULL, &dhcp_timeout_setting, &value) >= 0)
		timeout_ms = value;
	if (!timeout_ms)
		timeout_ms = DHCP_DEFAULT_TIMEOUT_MS;
	return timeout_ms * TICKS_PER_MS;
}

int start_dhcp(struct interface *job, struct net_device *netdev,
	       unsigned long timeout_ms)
{
	struct dhcp_session *dhcp;
	int rc;

	if (!(dhcp = dhcp_create(netdev, &rc)))
		return rc;
	dhcp->timeout = dhcp_timeout_ticks(timeout_ms);
	dhcp_set_state(dhcp, &dhcp_state_discovery, dhcp->timeout);
	intf_plug_plug(&dhcp->job, job);
	ref_put(&dhcp->refcnt);
	return 0;
}

int start_pxebs(struct interface *job, struct net_device *netdev,
		unsigned int pxe_type)
{
	struct dhcp_session *dhcp;
	int rc;

	if (!(dhcp = dhcp_create(netdev, &rc)))
		return rc;
	dhcp->pxe_type = pxe_type;
	dhcp->pxebs_only = 1;
	if ((rc = dhcp_pxebs_servers(dhcp)) != 0) {
		rc = errctx(-ENOENT,
			    "no PXE boot server is listed for type "
			    "%u",
			    pxe_type);
		dhcp_finished(dhcp, rc);
		ref_put(&dhcp->refcnt);
		return rc;
	}
	dhcp_set_state(dhcp, &dhcp_state_pxebs,
		       DHCP_PXE_TIMEOUT_MS * TICKS_PER_MS);
	intf_plug_plug(&dhcp->job, job);
	ref_put(&dhcp->refcnt);
	return 0;
}
