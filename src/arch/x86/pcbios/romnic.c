/* Option ROMs: Keel drives only the NIC whose ROM the BIOS started it from. */
#include <keel/init.h>
#include <keel/pci.h>
#include <x86/bios.h>

/** The ROM prefix's "bus:dev.fn unknown" (the init entry never ran) */
#define ROMNIC_UNKNOWN 0xffff

static void romnic_init(void)
{
	if (x86_prefix.type == PREFIX_TYPE_ROM &&
	    x86_prefix.rom_busdevfn != ROMNIC_UNKNOWN)
		pci_probe_only = x86_prefix.rom_busdevfn;
}

struct init_fn romnic_init_fn __init_fn(INIT_EARLY) = {
	.name = "romnic",
	.init = romnic_init,
};
