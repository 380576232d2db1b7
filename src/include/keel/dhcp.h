/* DHCPv4 (RFC 2131/2132) and PXE: packet layout, options, the client API. */
#ifndef KEEL_DHCP_H
#define KEEL_DHCP_H
#include <stdint.h>
#include <keel/in.h>
#include <keel/tables.h>

struct interface;
struct net_device;
struct settings;

/* ------------------------------------------------------------------------
 * Packet layout (RFC 2131 section 2)
 */

/** The fixed part of a BOOTP/DHCP message; options follow the magic */
struct dhcphdr {
	uint8_t op;	       /* BOOTP_REQUEST or BOOTP_REPLY */
	uint8_t htype;	       /* hardware type (ARP numbering) */
	uint8_t hlen;	       /* hardware address length */
	uint8_t hops;	       /* relay agents crossed */
	uint32_t xid;	       /* transaction ID */
	uint16_t secs;	       /* seconds since the client began */
	uint16_t flags;	       /* BOOTP_FL_BROADCAST */
	struct in_addr ciaddr; /* client's address, if it has one */
	struct in_addr yiaddr; /* "your" address: offered or assigned */
	struct in_addr siaddr; /* next server (TFTP) */
	struct in_addr giaddr; /* relay agent */
	uint8_t chaddr[16];    /* client hardware address */
	char sname[64];	       /* server host name, or overloaded options */
	char file[128];	       /* boot file name, or overloaded options */
	uint32_t magic;	       /* DHCP_MAGIC */
} __attribute__((packed));

#define BOOTP_REQUEST	   1
#define BOOTP_REPLY	   2
#define BOOTP_FL_BROADCAST 0x8000
/** The "magic cookie" that starts the options (99.130.83.99) */
#define DHCP_MAGIC 0x63825363UL
/** Smallest BOOTP message relays must accept (RFC 1542): we pad to it */
#define DHCP_MIN_LEN 300
/** Largest message we build */
#define DHCP_MAX_LEN 576

#define BOOTPS_PORT 67
#define BOOTPC_PORT 68
/** ProxyDHCP and PXE boot servers (PXE spec) */
#define PXE_PORT 4011

/* Message types (option 53) */
#define DHCPNONE     0
#define DHCPDISCOVER 1
#define DHCPOFFER    2
#define DHCPREQUEST  3
#define DHCPDECLINE  4
#define DHCPACK	     5
#define DHCPNAK	     6
#define DHCPRELEASE  7
#define DHCPINFORM   8

/* ------------------------------------------------------------------------
 * Option numbers (RFC 2132 and later)
 */

/** An option inside an encapsulating option, as settings tag it */
#define DHCP_ENCAP_OPT(outer, inner) (((outer) << 8) | (inner))
/** The encapsulating option of a tag (0 if not encapsulated) */
#define DHCP_ENCAPSULATOR(tag) (((tag) >> 8) & 0xff)
/** The option number proper of a tag */
#define DHCP_ENCAPSULATED(tag) ((tag)&0xff)

#define DHCP_PAD		    0
#define DHCP_SUBNET_MASK	    1
#define DHCP_ROUTERS		    3
#define DHCP_DNS_SERVERS	    6
#define DHCP_LOG_SERVERS	    7
#define DHCP_HOST_NAME		    12
#define DHCP_DOMAIN_NAME	    15
#define DHCP_ROOT_PATH		    17
#define DHCP_MTU		    26
#define DHCP_BROADCAST		    28
#define DHCP_NTP_SERVERS	    42
#define DHCP_VENDOR_ENCAP	    43
#define DHCP_REQUESTED_ADDRESS	    50
#define DHCP_LEASE_TIME		    51
#define DHCP_OVERLOAD		    52
#define DHCP_MESSAGE_TYPE	    53
#define DHCP_SERVER_IDENTIFIER	    54
#define DHCP_PARAMETER_REQUEST_LIST 55
#define DHCP_MESSAGE		    56
#define DHCP_MAX_MESSAGE_SIZE	    57
#define DHCP_VENDOR_CLASS_ID	    60
#define DHCP_CLIENT_ID		    61
#define DHCP_TFTP_SERVER_NAME	    66
#define DHCP_BOOTFILE_NAME	    67
#define DHCP_USER_CLASS_ID	    77
#define DHCP_CLIENT_ARCHITECTURE    93
#define DHCP_CLIENT_NDI		    94
#define DHCP_CLIENT_UUID	    97
#define DHCP_DOMAIN_SEARCH	    119
#define DHCP_EB_ENCAP		    175
#define DHCP_ISCSI_INITIATOR_IQN    203
#define DHCP_END		    255

/* Option 52: which fixed fields carry more options */
#define DHCP_OVERLOAD_FILE  1
#define DHCP_OVERLOAD_SNAME 2

/* Option 61 and 97 type bytes */
#define DHCP_CLIENT_UUID_TYPE 0

/* PXE options inside option 43 (PXE specification 2.1, table 2-1) */
#define DHCP_PXE_DISCOVERY_CONTROL DHCP_ENCAP_OPT(DHCP_VENDOR_ENCAP, 6)
#define DHCP_PXE_BOOT_SERVERS	   DHCP_ENCAP_OPT(DHCP_VENDOR_ENCAP, 8)
#define DHCP_PXE_BOOT_MENU	   DHCP_ENCAP_OPT(DHCP_VENDOR_ENCAP, 9)
#define DHCP_PXE_BOOT_MENU_PROMPT  DHCP_ENCAP_OPT(DHCP_VENDOR_ENCAP, 10)
#define DHCP_PXE_BOOT_ITEM	   DHCP_ENCAP_OPT(DHCP_VENDOR_ENCAP, 71)
/* Discovery control bits */
#define PXEBS_NO_BROADCAST 0x01
#define PXEBS_NO_MULTICAST 0x02
#define PXEBS_ONLY_LISTED  0x04
#define PXEBS_SKIP	   0x08

/*
 * Option 175: iPXE's encapsulated options, which Keel sends and honours
 * with the same numbers so that existing server configurations work.
 *   175.1   priority of the settings block (int8)
 *   175.2   ip (yiaddr), 175.3 next-server (siaddr) as settings name them
 *   175.16..175.41  feature flags: each one byte, 1 = present
 *   175.176 no-pxedhcp: if non-zero, do not wait for ProxyDHCP
 *   175.177 bus ID: type (1 = PCI), vendor, device (5 bytes)
 *   175.235 version: major, minor, patch (3 bytes)
 * Keel's own addition, so a server can tell Keel from iPXE:
 *   175.252 the string "Keel"
 */
#define DHCP_EB_PRIORITY   DHCP_ENCAP_OPT(DHCP_EB_ENCAP, 1)
#define DHCP_EB_YIADDR	   DHCP_ENCAP_OPT(DHCP_EB_ENCAP, 2)
#define DHCP_EB_SIADDR	   DHCP_ENCAP_OPT(DHCP_EB_ENCAP, 3)
#define DHCP_EB_NO_PXEDHCP DHCP_ENCAP_OPT(DHCP_EB_ENCAP, 176)
#define DHCP_EB_BUS_ID	   DHCP_ENCAP_OPT(DHCP_EB_ENCAP, 177)
#define DHCP_EB_VERSION	   DHCP_ENCAP_OPT(DHCP_EB_ENCAP, 235)
#define DHCP_EB_KEEL	   DHCP_ENCAP_OPT(DHCP_EB_ENCAP, 252)

/* Feature flag numbers inside option 175 */
#define DHCP_EB_FEATURE_PXE_EXT	  0x10
#define DHCP_EB_FEATURE_ISCSI	  0x11
#define DHCP_EB_FEATURE_AOE	  0x12
#define DHCP_EB_FEATURE_HTTP	  0x13
#define DHCP_EB_FEATURE_HTTPS	  0x14
#define DHCP_EB_FEATURE_TFTP	  0x15
#define DHCP_EB_FEATURE_FTP	  0x16
#define DHCP_EB_FEATURE_DNS	  0x17
#define DHCP_EB_FEATURE_BZIMAGE	  0x18
#define DHCP_EB_FEATURE_MULTIBOOT 0x19
#define DHCP_EB_FEATURE_SLAM	  0x1a
#define DHCP_EB_FEATURE_SRP	  0x1b
#define DHCP_EB_FEATURE_NBI	  0x20
#define DHCP_EB_FEATURE_PXE	  0x21
#define DHCP_EB_FEATURE_ELF	  0x22
#define DHCP_EB_FEATURE_COMBOOT	  0x23
#define DHCP_EB_FEATURE_EFI	  0x24
#define DHCP_EB_FEATURE_FCOE	  0x25
#define DHCP_EB_FEATURE_VLAN	  0x26
#define DHCP_EB_FEATURE_MENU	  0x27
#define DHCP_EB_FEATURE_SDI	  0x28
#define DHCP_EB_FEATURE_NFS	  0x29

/**
 * A feature that Keel announces in option 175. Each feature's own file
 * registers it:
 *   DHCP_FEATURE(dns_feature, DHCP_EB_FEATURE_DNS, "DNS");
 * Every DHCP request then carries 175.<tag> = 1.
 */
struct dhcp_feature {
	/** Sub-option number inside option 175 */
	uint8_t tag;
	/** Name, for banners and "show" */
	const char *name;
};
#define DHCP_FEATURES __table(struct dhcp_feature, "dhcp_features")
#define DHCP_FEATURE(id, feature_tag, feature_name)                            \
	struct dhcp_feature id __table_entry(DHCP_FEATURES, 01) = {            \
		.tag = (feature_tag),                                          \
		.name = (feature_name),                                        \
	}

/* ------------------------------------------------------------------------
 * Client identity (PXE: options 60, 93, 94)
 */

/**
 * Client system architecture (RFC 4578 option 93), also the "Arch:xxxxx"
 * of the vendor class. Weak: each platform overrides it.
 *   0 x86 BIOS, 6 i386 EFI, 7 x86_64 EFI (9 is also seen), 10 ARM32 EFI,
 *   11 ARM64 EFI. The host build says 0.
 */
extern const uint16_t dhcp_client_architecture;
/** UNDI version in option 94 and the vendor class: 2.1 */
#define DHCP_NDI_TYPE  1
#define DHCP_NDI_MAJOR 2
#define DHCP_NDI_MINOR 1

/* ------------------------------------------------------------------------
 * The client
 */

/**
 * Default time to wait for a lease, in ms (setting "dhcp-timeout"). A switch
 * port running spanning tree forwards nothing for about 30 s after link-up,
 * so the default outlasts that; a server that answers is still used at once.
 */
#define DHCP_DEFAULT_TIMEOUT_MS 45000
/** Default time to wait for the link, in ms (setting "link-timeout") */
#define DHCP_DEFAULT_LINK_TIMEOUT_MS 15000
/** First retransmission after this many ms; doubles up to the maximum */
#define DHCP_MIN_RETRANSMIT_MS 1000
#define DHCP_MAX_RETRANSMIT_MS 8000
/** Time to wait for ProxyDHCP offers once a PXE offer is seen, in ms */
#define DHCP_PROXY_WAIT_MS 1000
/** Time allowed for ProxyDHCP (port 4011) and boot server requests */
#define DHCP_PXE_TIMEOUT_MS 3000

extern const struct setting dhcp_timeout_setting;
extern const struct setting link_timeout_setting;

/**
 * Start configuring a device by DHCP. The outcome arrives as intf_close()
 * on @job: 0 once the lease is stored in "netN.dhcp" (and ProxyDHCP and
 * boot server answers in "proxydhcp" and "pxebs"), else an error with a
 * plain detail. Shutting @job down cancels.
 *
 * @timeout_ms	time to wait for a lease (0: ${dhcp-timeout} or default)
 * @ret rc	0 if started
 */
int start_dhcp(struct interface *job, struct net_device *netdev,
	       unsigned long timeout_ms);

/**
 * Start PXE boot server discovery for a boot server type (PXE spec 2.2.5),
 * using the servers that ${43.8} lists, or broadcast. The answer is stored
 * in "pxebs".
 */
int start_pxebs(struct interface *job, struct net_device *netdev,
		unsigned int pxe_type);

#endif /* KEEL_DHCP_H */
