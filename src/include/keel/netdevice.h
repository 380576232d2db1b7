/* Network devices: registration, open/close, transmit queue, receive path, link, stats. */
#ifndef KEEL_NETDEVICE_H
#define KEEL_NETDEVICE_H
#include <stddef.h>
#include <stdint.h>
#include <keel/list.h>
#include <keel/refcnt.h>
#include <keel/tables.h>
#include <keel/settings.h>

struct io_buffer;
struct net_device;

/** Longest link-layer address (Ethernet: 6) */
#define MAX_LL_ADDR_LEN 6
/** Longest hardware address */
#define MAX_HW_ADDR_LEN 8
/** Longest link-layer header */
#define MAX_LL_HEADER_LEN 14
/** Longest network-layer address (IPv6: 16) */
#define MAX_NET_ADDR_LEN 16
/** Headroom every protocol reserves for headers below it */
#define MAX_LL_NET_HEADER_LEN (MAX_LL_HEADER_LEN + 40)

/** A network-layer protocol carried by a link layer (IPv4, ARP, IPv6) */
struct net_protocol {
	const char *name;
	/** Protocol number in link-layer headers (network order), e.g. ETH_P_IP */
	uint16_t net_proto;
	/** Address length */
	uint8_t net_addr_len;
	/**
	 * Receive a packet. Takes ownership of @iobuf (data starts at the
	 * network-layer header).
	 *
	 * @ll_dest	link-layer destination
	 * @ll_source	link-layer source
	 * @flags	LL_* flags
	 */
	int (*rx)(struct io_buffer *iobuf, struct net_device *netdev,
		  const void *ll_dest, const void *ll_source,
		  unsigned int flags);
	/** Format an address for messages */
	const char *(*ntoa)(const void *net_addr);
	/**
	 * True if @net_addr is one of our addresses on @netdev (ARP answers
	 * requests for these); NULL if the protocol has no such notion.
	 */
	int (*is_ours)(struct net_device *netdev, const void *net_addr);
};
#define NET_PROTOCOLS __table(struct net_protocol, "net_protocols")
#define __net_protocol __table_entry(NET_PROTOCOLS, 01)

/* Link-layer receive flags */
#define LL_MULTICAST 0x01
#define LL_BROADCAST 0x02

/** A link layer (Ethernet) */
struct ll_protocol {
	const char *name;
	/** Prepend a link-layer header */
	int (*push)(struct net_device *netdev, struct io_buffer *iobuf,
		    const void *ll_dest, const void *ll_source,
		    uint16_t net_proto);
	/**
	 * Strip and check a link-layer header.
	 *
	 * @ret rc	0, or -EINVAL for a malformed header
	 */
	int (*pull)(struct net_device *netdev, struct io_buffer *iobuf,
		    const void **ll_dest, const void **ll_source,
		    uint16_t *net_proto, unsigned int *flags);
	/** Format an address for messages */
	const char *(*ntoa)(const void *ll_addr);
	/** Map an IPv4 multicast address to a link-layer address */
	int (*mc_hash)(unsigned int af, const void *net_addr, void *ll_addr);
	/** ARP hardware type (network order) */
	uint16_t ll_proto;
	uint8_t hw_addr_len;
	uint8_t ll_addr_len;
	uint8_t ll_header_len;
	/** Broadcast address */
	const uint8_t *ll_broadcast;
};

/** What a driver provides */
struct net_device_operations {
	/** Bring the hardware up */
	int (*open)(struct net_device *netdev);
	/** Bring the hardware down; queued buffers are completed afterwards */
	void (*close)(struct net_device *netdev);
	/**
	 * Queue a packet. On success the driver later calls
	 * netdev_tx_complete(); on error it must not touch @iobuf.
	 */
	int (*transmit)(struct net_device *netdev, struct io_buffer *iobuf);
	/** Collect completions and received packets (netdev_rx) */
	void (*poll)(struct net_device *netdev);
};

/** Packet counters */
struct net_device_stats {
	unsigned int good;
	unsigned int bad;
	/** Most recent errors, for ifstat */
	int last_rc;
};

/** A network device */
struct net_device {
	struct refcnt refcnt;
	/** Link in the list of devices */
	struct list_head list;
	/** Link in the list of open devices (most recently opened first) */
	struct list_head open_list;
	/** Name: net0, net1, ... */
	char name[12];
	/** Index (the N of netN) */
	unsigned int index;
	/** Chip or driver description, shown as ${netX/chip} */
	const char *chip;
	/** Bus address text (e.g. "PCI 00:03.0", "tap0"), or NULL */
	const char *busloc;
	const struct net_device_operations *op;
	const struct ll_protocol *ll_protocol;
	/** Hardware address as burned in */
	uint8_t hw_addr[MAX_HW_ADDR_LEN];
	/** Link-layer address in use */
	uint8_t ll_addr[MAX_LL_ADDR_LEN];
	/** Link-layer broadcast address */
	const uint8_t *ll_broadcast;
	/** NETDEV_* state bits */
	unsigned int state;
	/** 0 when the link is up, else why it is down */
	int link_rc;
	/** Maximum transmission unit (payload above the link layer) */
	size_t mtu;
	/** Largest packet the hardware takes, link header included */
	size_t max_pkt_len;
	/** Packets handed to the driver, awaiting completion */
	struct list_head tx_queue;
	/** Packets waiting for room in the driver */
	struct list_head tx_deferred;
	/** Received packets awaiting processing */
	struct list_head rx_queue;
	struct net_device_stats tx_stats;
	struct net_device_stats rx_stats;
	/** Settings block "netN" (mac, mtu, chip; ip and the rest are stored in it) */
	struct generic_settings settings;
	/** Driver private data */
	void *priv;
};
#define NETDEV_OPEN 0x01
/** Queue limits: memory per device stays bounded */
#define NETDEV_RX_QUEUE_MAX 256
#define NETDEV_TX_QUEUE_MAX 64

/** Every registered device */
extern struct list_head net_devices;

/**
 * Allocate a network device with @priv_len bytes of driver data.
 *
 * @ret netdev	device, or NULL
 */
struct net_device *alloc_netdev(size_t priv_len);
/** Allocate an Ethernet device */
struct net_device *alloc_etherdev(size_t priv_len);
/** Set up a device's operations */
static inline void netdev_init(struct net_device *netdev,
			       const struct net_device_operations *op)
{
	netdev->op = op;
}
/** Register a device: it gets a name and a settings block */
int register_netdev(struct net_device *netdev);
/** Unregister a device (closing it first) */
void unregister_netdev(struct net_device *netdev);
static inline struct net_device *netdev_get(struct net_device *netdev)
{
	ref_get(&netdev->refcnt);
	return netdev;
}
static inline void netdev_put(struct net_device *netdev)
{
	ref_put(&netdev->refcnt);
}
static inline void netdev_nullify(struct net_device *netdev)
{
	(void)netdev;
}

/** Open a device (and wait for nothing: the link comes up on its own) */
int netdev_open(struct net_device *netdev);
/** Close a device */
void netdev_close(struct net_device *netdev);
static inline int netdev_is_open(struct net_device *netdev)
{
	return netdev->state & NETDEV_OPEN;
}
static inline int netdev_link_ok(struct net_device *netdev)
{
	return netdev->link_rc == 0;
}
/** Report link up / down / an error keeping it down */
void netdev_link_up(struct net_device *netdev);
void netdev_link_down(struct net_device *netdev);
void netdev_link_err(struct net_device *netdev, int rc);

/** Find a device by name ("net0") or, for "netX", the last opened */
struct net_device *find_netdev(const char *name);
/** The most recently opened device, or NULL */
struct net_device *last_opened_netdev(void);

/** Transmit a raw link-layer packet (takes ownership) */
int netdev_tx(struct net_device *netdev, struct io_buffer *iobuf);
/** Driver: a packet has been sent (or failed with @rc) */
void netdev_tx_complete_err(struct net_device *netdev,
			    struct io_buffer *iobuf, int rc);
static inline void netdev_tx_complete(struct net_device *netdev,
				      struct io_buffer *iobuf)
{
	netdev_tx_complete_err(netdev, iobuf, 0);
}
/** Driver: fail every packet still queued (used at close) */
void netdev_tx_flush(struct net_device *netdev);
/** Driver: a packet arrived (takes ownership) */
void netdev_rx(struct net_device *netdev, struct io_buffer *iobuf);
/** Driver: a packet arrived broken */
void netdev_rx_err(struct net_device *netdev, struct io_buffer *iobuf, int rc);
/** Poll one device's driver */
void netdev_poll(struct net_device *netdev);

/**
 * Send a network-layer packet: push the link-layer header and transmit.
 *
 * @ll_dest	link-layer destination
 * @ll_source	link-layer source (usually netdev->ll_addr)
 */
int net_tx(struct io_buffer *iobuf, struct net_device *netdev,
	   struct net_protocol *net_protocol, const void *ll_dest,
	   const void *ll_source);
/** Hand a received packet to its network-layer protocol */
int net_rx(struct io_buffer *iobuf, struct net_device *netdev,
	   uint16_t net_proto, const void *ll_dest, const void *ll_source,
	   unsigned int flags);

/** Something that wants to know when devices come and go or open and close */
struct net_driver {
	const char *name;
	/** A device was registered */
	int (*probe)(struct net_device *netdev);
	/** A device opened, closed, or its link changed */
	void (*notify)(struct net_device *netdev);
	/** A device is going away */
	void (*remove)(struct net_device *netdev);
};
#define NET_DRIVERS __table(struct net_driver, "net_drivers")
#define __net_driver __table_entry(NET_DRIVERS, 01)


#endif
