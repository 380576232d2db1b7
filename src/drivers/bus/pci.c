/* PCI bus: scan at start-up, bind drivers, decode BARs and capabilities. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/byteswap.h>
#include <keel/init.h>
#include <keel/io.h>
#include <keel/netdevice.h>
#include <keel/pci.h>
#include <keel/settings.h>

LIST_HEAD(pci_devices);

long pci_probe_only = PCI_PROBE_ALL;

/** Capabilities a list may hold at most (256 bytes / 4): ends a looped list */
#define PCI_CAP_MAX 48

/* ------------------------------------------------------------------------
 * BARs, capabilities, enabling
 */

int pci_bar_decode(struct pci_device *pci, unsigned int index,
		   struct pci_bar *bar)
{
	unsigned int i, reg;
	uint32_t lo, hi = 0, size_lo, size_hi = 0xffffffffUL, mask;
	uint16_t cmd;
	uint64_t size;

	memset(bar, 0, sizeof(*bar));
	/* Walk from BAR 0 so that the upper half of a 64-bit BAR is refused */
	for (i = 0; i < index && i < PCI_NUM_BARS; i++) {
		lo = pci_read32(pci, PCI_BASE_ADDRESS(i));
		if (!(lo & PCI_BASE_ADDRESS_SPACE_IO) &&
		    (lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
			    PCI_BASE_ADDRESS_MEM_TYPE_64)
			i++;
	}
	if (index >= PCI_NUM_BARS || i != index)
		return -EINVAL;
	reg = PCI_BASE_ADDRESS(index);
	lo = pci_read32(pci, reg);
	bar->io = !!(lo & PCI_BASE_ADDRESS_SPACE_IO);
	bar->is64 = !bar->io && (lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
					PCI_BASE_ADDRESS_MEM_TYPE_64;
	if (bar->is64 && index == PCI_NUM_BARS - 1)
		return -EINVAL;
	if (bar->is64)
		hi = pci_read32(pci, reg + 4);

	/* Size it with the decodes off, so no stray address is claimed */
	cmd = pci_read16(pci, PCI_COMMAND);
	pci_write16(pci, PCI_COMMAND,
		    cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEM));
	pci_write32(pci, reg, 0xffffffffUL);
	size_lo = pci_read32(pci, reg);
	pci_write32(pci, reg, lo);
	if (bar->is64) {
		pci_write32(pci, reg + 4, 0xffffffffUL);
		size_hi = pci_read32(pci, reg + 4);
		pci_write32(pci, reg + 4, hi);
	}
	pci_write16(pci, PCI_COMMAND, cmd);

	mask = bar->io ? PCI_BASE_ADDRESS_IO_MASK : PCI_BASE_ADDRESS_MEM_MASK;
	/* I/O BARs may hardwire their upper 16 bits to zero */
	if (bar->io && !(size_lo & 0xffff0000UL))
		size_lo |= 0xffff0000UL;
	size = ((uint64_t)size_hi << 32) | (size_lo & mask);
	if ((size_lo & mask) == 0 && (!bar->is64 || size_hi == 0))
		return -ENODEV;
	bar->size = ~size + 1;
	bar->start = ((uint64_t)hi << 32) | (lo & mask);
	return 0;
}

void *pci_bar_map(struct pci_device *pci, unsigned int index,
		  unsigned long offset, unsigned long len)
{
	struct pci_bar bar;
	uint64_t end;

	if (pci_bar_decode(pci, index, &bar) != 0 || bar.io || !bar.start)
		return NULL;
	end = (uint64_t)offset + len;
	if (end < offset || end > bar.size)
		return NULL;
	/* The CPU must reach the whole range (i386 sees only 4 GiB) */
	if (bar.start + end - 1 > (uint64_t)(~(phys_addr_t)0))
		return NULL;
	return phys_to_virt((phys_addr_t)(bar.start + offset));
}

void pci_enable_device(struct pci_device *pci)
{
	uint16_t cmd = pci_read16(pci, PCI_COMMAND);

	pci_write16(pci, PCI_COMMAND,
		    cmd | PCI_COMMAND_IO | PCI_COMMAND_MEM |
			    PCI_COMMAND_MASTER);
	/* Some firmware leaves the latency timer at 0, which starves DMA */
	if (pci_read8(pci, PCI_LATENCY_TIMER) < 32)
		pci_write8(pci, PCI_LATENCY_TIMER, 32);
}

void pci_disable_master(struct pci_device *pci)
{
	uint16_t cmd = pci_read16(pci, PCI_COMMAND);

	pci_write16(pci, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);
}

unsigned int pci_find_capability(struct pci_device *pci, unsigned int cap_id,
				 unsigned int after)
{
	unsigned int pos, n;

	if (after) {
		pos = pci_read8(pci, after + PCI_CAP_LIST_NEXT);
	} else {
		if (!(pci_read16(pci, PCI_STATUS) & PCI_STATUS_CAP_LIST))
			return 0;
		pos = pci_read8(pci, PCI_CAPABILITY_LIST);
	}
	for (n = 0; n < PCI_CAP_MAX; n++) {
		pos &= 0xfc;
		/* Capabilities live after the 64-byte standard header */
		if (pos < 0x40)
			return 0;
		if (pci_read8(pci, pos + PCI_CAP_LIST_ID) == cap_id)
			return pos;
		pos = pci_read8(pci, pos + PCI_CAP_LIST_NEXT);
	}
	return 0;
}

void pci_describe_netdev(struct pci_device *pci, struct net_device *netdev)
{
	struct settings *settings = &netdev->settings.settings;
	uint8_t busloc[4], busid[5];

	netdev->busloc = pci->busloc;
	busloc[0] = (uint8_t)(pci->busdevfn >> 24);
	busloc[1] = (uint8_t)(pci->busdevfn >> 16);
	busloc[2] = (uint8_t)(pci->busdevfn >> 8);
	busloc[3] = (uint8_t)pci->busdevfn;
	/* Bus ID as DHCP option 175.177 carries it: type 1 (PCI), IDs */
	busid[0] = 1;
	busid[1] = (uint8_t)(pci->vendor >> 8);
	busid[2] = (uint8_t)pci->vendor;
	busid[3] = (uint8_t)(pci->device >> 8);
	busid[4] = (uint8_t)pci->device;
	/* Best effort: a missing description must not lose the device */
	store_setting(settings, &bustype_setting, "PCI", 3);
	store_setting(settings, &busloc_setting, busloc, sizeof(busloc));
	store_setting(settings, &busid_setting, busid, sizeof(busid));
}

/* ------------------------------------------------------------------------
 * Scan and probe
 */

/** The driver ID entry matching a function, or NULL */
static const struct pci_device_id *pci_match(uint16_t vendor, uint16_t device,
					     const struct pci_driver **driver)
{
	const struct pci_driver *drv;
	unsigned int i;

	for_each_table_entry(drv, PCI_DRIVERS) {
		for (i = 0; i < drv->id_count; i++) {
			if (drv->ids[i].vendor == vendor &&
			    drv->ids[i].device == device) {
				*driver = drv;
				return &drv->ids[i];
			}
		}
	}
	return NULL;
}

const struct pci_driver *pci_find_driver(uint16_t vendor, uint16_t device)
{
	const struct pci_driver *driver = NULL;

	return pci_match(vendor, device, &driver) ? driver : NULL;
}

/** Let every platform owner take the function; undo on refusal */
static int pci_claim(struct pci_device *pci)
{
	struct pci_owner *owner;
	int rc;

	for_each_table_entry(owner, PCI_OWNERS) {
		if ((rc = owner->claim(pci)) != 0) {
			while (owner != table_start(PCI_OWNERS)) {
				owner--;
				owner->release(pci);
			}
			return rc;
		}
	}
	return 0;
}

/** Give the function back to every platform owner, last first */
static void pci_release(struct pci_device *pci)
{
	struct pci_owner *owner;

	for_each_table_entry_reverse(owner, PCI_OWNERS)
		owner->release(pci);
}

/** The bound device at a function, or NULL */
static struct pci_device *pci_bound(uint32_t busdevfn)
{
	struct pci_device *pci;

	list_for_each_entry(pci, &pci_devices, list) {
		if (pci->busdevfn == busdevfn)
			return pci;
	}
	return NULL;
}

int pci_probe_one(uint32_t busdevfn, struct pci_device **bound)
{
	const struct pci_driver *driver = NULL;
	const struct pci_device_id *match;
	struct pci_device *pci;
	uint32_t id = pci_config_read(busdevfn, PCI_VENDOR_ID, 4);
	int rc;

	if (pci_bound(busdevfn))
		return -EALREADY;
	match = pci_match((uint16_t)id, (uint16_t)(id >> 16), &driver);
	if (!match)
		return -ENOTSUP;
	pci = zalloc(sizeof(*pci));
	if (!pci)
		return -ENOMEM;
	INIT_LIST_HEAD(&pci->list);
	pci->busdevfn = busdevfn;
	pci->vendor = (uint16_t)id;
	pci->device = (uint16_t)(id >> 16);
	pci->class = pci_config_read(busdevfn, PCI_REVISION, 4) >> 8;
	pci->driver = driver;
	pci->id = match;
	snprintf(pci->busloc, sizeof(pci->busloc), "PCI %02x:%02x.%x",
		 (unsigned int)PCI_BUS(busdevfn),
		 (unsigned int)PCI_SLOT(busdevfn),
		 (unsigned int)PCI_FUNC(busdevfn));
	DBG("PCI %s %04x:%04x (%s) probing with %s\n", pci->busloc + 4,
	    pci->vendor, pci->device, match->name, driver->name);
	if ((rc = pci_claim(pci)) != 0) {
		DBG("PCI %s left to its firmware driver: %s\n", pci->busloc + 4,
		    strerror(rc));
		goto err_claim;
	}
	if ((rc = driver->probe(pci)) != 0) {
		printf("%s (%s): %s\n", pci->busloc, match->name,
		       strerror(rc));
		goto err_probe;
	}
	list_add_tail(&pci->list, &pci_devices);
	if (bound)
		*bound = pci;
	return 0;

err_probe:
	pci_release(pci);
err_claim:
	free(pci);
	return rc;
}

void pci_remove_one(struct pci_device *pci)
{
	list_del(&pci->list);
	pci->driver->remove(pci);
	pci_release(pci);
	free(pci);
}

/** Bind a function found by the scan, if a driver matches it */
static void pci_probe_function(uint32_t busdevfn)
{
	if (pci_probe_only != PCI_PROBE_ALL &&
	    (unsigned long)pci_probe_only != busdevfn)
		return;
	pci_probe_one(busdevfn, NULL);
}

/**
 * Scan bus 0 and every bus behind a bridge: buses are numbered in a
 * depth-first order by the firmware, so scanning up to the highest
 * subordinate bus number seen reaches all of them.
 */
static void pci_scan(void)
{
	unsigned int bus, dev, fn, nfn, max_bus = 0, sub;
	uint32_t busdevfn, id;
	uint8_t hdr;

	for (bus = 0; bus <= max_bus; bus++) {
		for (dev = 0; dev < 32; dev++) {
			nfn = 1;
			for (fn = 0; fn < nfn; fn++) {
				busdevfn = PCI_BUSDEVFN(bus, dev, fn);
				id = pci_config_read(busdevfn, PCI_VENDOR_ID,
						     4);
				if ((id & 0xffff) == 0xffff ||
				    (id & 0xffff) == 0)
					continue;
				hdr = (uint8_t)pci_config_read(
					busdevfn, PCI_HEADER_TYPE, 1);
				if (fn == 0 && (hdr & PCI_HEADER_TYPE_MULTI))
					nfn = 8;
				if ((hdr & PCI_HEADER_TYPE_MASK) ==
				    PCI_HEADER_TYPE_BRIDGE) {
					sub = pci_config_read(
						busdevfn, PCI_SUBORDINATE_BUS,
						1);
					if (sub > max_bus && sub <= 0xff)
						max_bus = sub;
					continue;
				}
				pci_probe_function(busdevfn);
			}
		}
	}
}

static void pci_startup(void)
{
	if (!pci_config_present()) {
		DBG("PCI configuration mechanism 1 not present\n");
		return;
	}
	pci_scan();
}

/** Unbind every device, last bound first, so that all hardware is quiet */
static void pci_shutdown(int booting)
{
	struct pci_device *pci;

	(void)booting;
	while ((pci = list_last_entry(&pci_devices, struct pci_device, list)))
		pci_remove_one(pci);
}

struct startup_fn pci_startup_fn __startup_fn(STARTUP_NORMAL) = {
	.name = "pci",
	.startup = pci_startup,
	.shutdown = pci_shutdown,
};
