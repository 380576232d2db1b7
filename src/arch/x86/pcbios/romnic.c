/* Option ROMs: Keel drives only the NIC whose ROM the BIOS started it from. */
#include <stdint.h>
#include <string.h>
#include <keel/init.h>
#include <keel/pci.h>
#include <x86/bios.h>
#include <x86/realmode.h>

/** The ROM prefix's "bus:dev.fn unknown" (the init entry never ran) */
#define ROMNIC_UNKNOWN 0xffff

/** The vendor and device IDs in the ROM's own PCI data structure, as PCI
 * configuration dword 0 holds them; 0 if the ROM has none */
static uint32_t romnic_ids(void)
{
	const uint8_t *rom = real_to_virt(x86_prefix.rom_seg, 0);
	const uint8_t *pcir;
	uint16_t off, vendor, device;

	memcpy(&off, rom + 0x18, sizeof(off));
	pcir = rom + off;
	if (off > 0xffe0 || memcmp(pcir, "PCIR", 4) != 0)
		return 0;
	memcpy(&vendor, pcir + 4, sizeof(vendor));
	memcpy(&device, pcir + 6, sizeof(device));
	return (uint32_t)device << 16 | vendor;
}

/*
 * The BIOS gives bus:dev.fn in AX at the init entry. One that does not
 * (a BIOS that is not PnP may call a ROM's init entry as a plain legacy
 * ROM) leaves a value that names some other function: then every NIC a
 * driver matches is probed, as for any other image.
 */
static void romnic_init(void)
{
	uint32_t bdf = x86_prefix.rom_busdevfn;
	uint32_t ids;

	if (x86_prefix.type != PREFIX_TYPE_ROM || bdf == ROMNIC_UNKNOWN)
		return;
	ids = romnic_ids();
	if (ids && pci_config_read(bdf, PCI_VENDOR_ID, 4) != ids)
		return;
	pci_probe_only = bdf;
}

struct init_fn romnic_init_fn __init_fn(INIT_EARLY) = {
	.name = "romnic",
	.init = romnic_init,
};
