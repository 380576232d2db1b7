/* PCI: configuration access, BARs, capabilities, the driver table. */
#ifndef KEEL_PCI_H
#define KEEL_PCI_H
#include <stdint.h>
#include <keel/list.h>
#include <keel/tables.h>

struct net_device;

/*
 * A PCI function is named by its bus:dev.fn packed into one number, as in
 * config mechanism 1: bus in bits 8..15, device in 3..7, function in 0..2
 * (a segment, always 0 here, would sit in bits 16..31).
 */
#define PCI_BUSDEVFN(bus, dev, fn)                                             \
	((((uint32_t)(bus)&0xff) << 8) | (((uint32_t)(dev)&0x1f) << 3) |       \
	 ((uint32_t)(fn)&0x7))
#define PCI_BUS(busdevfn)  (((busdevfn) >> 8) & 0xff)
#define PCI_SLOT(busdevfn) (((busdevfn) >> 3) & 0x1f)
#define PCI_FUNC(busdevfn) ((busdevfn)&0x7)

/* Configuration header (type 0 and the fields type 1 shares) */
#define PCI_VENDOR_ID		       0x00
#define PCI_DEVICE_ID		       0x02
#define PCI_COMMAND		       0x04
#define PCI_COMMAND_IO		       0x0001
#define PCI_COMMAND_MEM		       0x0002
#define PCI_COMMAND_MASTER	       0x0004
#define PCI_COMMAND_INTX_DISABLE       0x0400
#define PCI_STATUS		       0x06
#define PCI_STATUS_CAP_LIST	       0x0010
#define PCI_REVISION		       0x08
#define PCI_CLASS_PROG		       0x09
#define PCI_CLASS_DEVICE	       0x0a
#define PCI_LATENCY_TIMER	       0x0d
#define PCI_HEADER_TYPE		       0x0e
#define PCI_HEADER_TYPE_MASK	       0x7f
#define PCI_HEADER_TYPE_NORMAL	       0x00
#define PCI_HEADER_TYPE_BRIDGE	       0x01
#define PCI_HEADER_TYPE_MULTI	       0x80
#define PCI_BASE_ADDRESS_0	       0x10
#define PCI_BASE_ADDRESS(n)	       (PCI_BASE_ADDRESS_0 + 4 * (n))
#define PCI_NUM_BARS		       6
#define PCI_BASE_ADDRESS_SPACE_IO      0x01
#define PCI_BASE_ADDRESS_MEM_TYPE_64   0x04
#define PCI_BASE_ADDRESS_MEM_TYPE_MASK 0x06
#define PCI_BASE_ADDRESS_IO_MASK       0xfffffffcUL
#define PCI_BASE_ADDRESS_MEM_MASK      0xfffffff0UL
#define PCI_SUBSYSTEM_VENDOR_ID	       0x2c
#define PCI_SUBSYSTEM_ID	       0x2e
#define PCI_CAPABILITY_LIST	       0x34
#define PCI_INTERRUPT_LINE	       0x3c
/* Type 1 (bridge) header */
#define PCI_PRIMARY_BUS	    0x18
#define PCI_SECONDARY_BUS   0x19
#define PCI_SUBORDINATE_BUS 0x1a

/* Capability IDs */
#define PCI_CAP_ID_PM	0x01
#define PCI_CAP_ID_MSI	0x05
#define PCI_CAP_ID_VNDR 0x09
#define PCI_CAP_ID_EXP	0x10
#define PCI_CAP_ID_MSIX 0x11
/* Offsets within a capability */
#define PCI_CAP_LIST_ID	      0
#define PCI_CAP_LIST_NEXT     1
#define PCI_MSIX_FLAGS	      2
#define PCI_MSIX_FLAGS_ENABLE 0x8000

/* ------------------------------------------------------------------------
 * Configuration space access (platform API: mechanism 1 on x86 BIOS and
 * UEFI, chosen at link time through pci_mech1.o)
 */

/**
 * Read a configuration register of any function, present or not.
 *
 * @busdevfn	function (PCI_BUSDEVFN)
 * @where	register offset (0..255), aligned to @len
 * @len		1, 2 or 4 bytes
 * @ret value	register value; all ones if no function answers
 */
uint32_t pci_config_read(uint32_t busdevfn, unsigned int where,
			 unsigned int len);
/** Write a configuration register (same arguments as pci_config_read) */
void pci_config_write(uint32_t busdevfn, unsigned int where, unsigned int len,
		      uint32_t value);
/**
 * True if configuration space can be reached at all (checked once, at the
 * first scan).
 */
int pci_config_present(void);

/* ------------------------------------------------------------------------
 * Devices and drivers
 */

/** A device ID a driver binds to */
struct pci_device_id {
	uint16_t vendor;
	uint16_t device;
	/** Chip name, shown as ${netX/chip} */
	const char *name;
	/** Driver-private data (e.g. a variant's quirks) */
	unsigned long data;
};

/** A PCI function found by the scan and bound to a driver */
struct pci_device {
	/** Link in the list of bound devices */
	struct list_head list;
	uint32_t busdevfn;
	uint16_t vendor;
	uint16_t device;
	/** Class code (base, sub, programming interface) */
	uint32_t class;
	/** Text for messages and ifstat: "PCI 00:03.0" */
	char busloc[16];
	/** The driver bound to it, and the ID that matched */
	const struct pci_driver *driver;
	const struct pci_device_id *id;
	/** Driver private data */
	void *priv;
	/** Platform data (the owner's record, see struct pci_owner) */
	void *owner_priv;
};

/** A PCI driver: linking it in makes every matching device probe */
struct pci_driver {
	const char *name;
	const struct pci_device_id *ids;
	unsigned int id_count;
	/**
	 * Bind to a device. The device's decodes and bus mastering are not
	 * yet enabled; call pci_enable_device().
	 *
	 * @ret rc	0, or a negative error (the device stays unbound)
	 */
	int (*probe)(struct pci_device *pci);
	/** Unbind: quiesce the hardware and free everything probe made */
	void (*remove)(struct pci_device *pci);
};
#define PCI_DRIVERS  __table(struct pci_driver, "pci_drivers")
#define __pci_driver __table_entry(PCI_DRIVERS, 01)

/**
 * A platform's say over PCI functions. Where firmware drivers may already
 * drive a function (UEFI), the platform takes it from them before a Keel
 * driver probes it, and gives it back once the Keel driver has let go.
 * Platforms without firmware drivers register none.
 */
struct pci_owner {
	/**
	 * Take a function for a Keel driver.
	 *
	 * @ret rc	0, or a negative error: the function is left alone
	 */
	int (*claim)(struct pci_device *pci);
	/** Give it back (after the driver's remove, or a failed probe) */
	void (*release)(struct pci_device *pci);
};
#define PCI_OWNERS __table(struct pci_owner, "pci_owners")
#define __pci_owner __table_entry(PCI_OWNERS, 01)

/** Declare a driver's ID table entry */
#define PCI_ID(_vendor, _device, _name, _data)                                 \
	{                                                                      \
		.vendor = (_vendor), .device = (_device), .name = (_name),     \
		.data = (_data)                                                \
	}

/**
 * Restrict probing to one function. A platform that was loaded from a
 * particular NIC (an option ROM prefix, a snponly-style image) sets this to
 * that function's PCI_BUSDEVFN before start-up (from an INIT_* hook); every
 * other function is left alone. The default, PCI_PROBE_ALL, probes every
 * function that a linked-in driver matches.
 */
extern long pci_probe_only;
#define PCI_PROBE_ALL (-1L)
/** The scan binds nothing: the platform binds its devices (pci_probe_one) */
#define PCI_PROBE_NONE (-2L)

/**
 * The linked-in driver for a vendor and device ID.
 *
 * @ret driver	driver, or NULL if none matches
 */
const struct pci_driver *pci_find_driver(uint16_t vendor, uint16_t device);

/**
 * Bind one function to the linked-in driver that matches it, whatever
 * pci_probe_only says: for a platform that is handed its device (a UEFI
 * driver binding).
 *
 * @busdevfn	function (PCI_BUSDEVFN)
 * @pci		bound device, filled in (may be NULL)
 * @ret rc	0, -ENOTSUP if no driver matches, -EALREADY if bound, or the
 *		owner's or driver's error
 */
int pci_probe_one(uint32_t busdevfn, struct pci_device **pci);

/** Unbind a bound device and free it (the driver's remove, the owner's release) */
void pci_remove_one(struct pci_device *pci);

/** Every bound device */
extern struct list_head pci_devices;

/** Read a configuration register of a bound device */
static inline uint8_t pci_read8(struct pci_device *pci, unsigned int where)
{
	return (uint8_t)pci_config_read(pci->busdevfn, where, 1);
}
static inline uint16_t pci_read16(struct pci_device *pci, unsigned int where)
{
	return (uint16_t)pci_config_read(pci->busdevfn, where, 2);
}
static inline uint32_t pci_read32(struct pci_device *pci, unsigned int where)
{
	return pci_config_read(pci->busdevfn, where, 4);
}
/** Write a configuration register of a bound device */
static inline void pci_write8(struct pci_device *pci, unsigned int where,
			      uint8_t value)
{
	pci_config_write(pci->busdevfn, where, 1, value);
}
static inline void pci_write16(struct pci_device *pci, unsigned int where,
			       uint16_t value)
{
	pci_config_write(pci->busdevfn, where, 2, value);
}
static inline void pci_write32(struct pci_device *pci, unsigned int where,
			       uint32_t value)
{
	pci_config_write(pci->busdevfn, where, 4, value);
}

/** A decoded base address register */
struct pci_bar {
	/** Bus address (identity-mapped: also the CPU address) */
	uint64_t start;
	/** Size in bytes (0 if the BAR is not implemented) */
	uint64_t size;
	/** True for I/O space, false for memory */
	int io;
	/** True for a 64-bit memory BAR (it uses the next slot too) */
	int is64;
};

/**
 * Decode a BAR: its address, space, width and size. Sizing writes all ones
 * to the BAR, so the device's decodes are switched off meanwhile.
 *
 * @index	BAR number (0..5)
 * @bar		decoded BAR
 * @ret rc	0, -EINVAL for a bad index or the upper half of a 64-bit BAR,
 *		-ENODEV for an unimplemented BAR
 */
int pci_bar_decode(struct pci_device *pci, unsigned int index,
		   struct pci_bar *bar);

/**
 * The CPU pointer of a memory BAR plus @offset, checked to be reachable.
 *
 * @index	BAR number
 * @offset	offset within the BAR
 * @len		bytes the caller will access from @offset
 * @ret addr	pointer, or NULL (I/O BAR, out of range, above 4 GiB on i386)
 */
void *pci_bar_map(struct pci_device *pci, unsigned int index,
		  unsigned long offset, unsigned long len);

/** Enable I/O and memory decoding and bus mastering */
void pci_enable_device(struct pci_device *pci);
/** Disable bus mastering (the device must already be quiet) */
void pci_disable_master(struct pci_device *pci);

/**
 * Find a capability in the device's list.
 *
 * @cap_id	capability ID (PCI_CAP_ID_*)
 * @after	0 to start at the head, or a previous result to find the next
 * @ret pos	config offset of the capability, or 0 if absent
 */
unsigned int pci_find_capability(struct pci_device *pci, unsigned int cap_id,
				 unsigned int after);

/**
 * Describe a bound NIC's PCI location on its network device: busloc for
 * ifstat, and the settings ${netX/bustype} ("PCI"), ${netX/busloc}
 * (bus:dev.fn as a number) and ${netX/busid} (what DHCP option 175 carries).
 * Call after register_netdev().
 */
void pci_describe_netdev(struct pci_device *pci, struct net_device *netdev);

#endif
