/* BIOS SMBIOS: find the entry point in the F segment and publish its table. */
#include <errno.h>
#include <keel/init.h>
#include <keel/io.h>
#include <keel/smbios.h>

/** Where a BIOS puts the entry point, on a 16-byte boundary */
#define SMBIOS_SCAN_START 0xf0000
#define SMBIOS_SCAN_END 0x100000
#define SMBIOS_SCAN_STEP 16

static void bios_smbios_init(void)
{
	phys_addr_t a;
	int rc;

	/* The first valid entry point ("_SM3_" or "_SM_") is the one */
	for (a = SMBIOS_SCAN_START; a < SMBIOS_SCAN_END; a += SMBIOS_SCAN_STEP) {
		rc = smbios_register_entry(phys_to_virt(a));
		if (!rc_is(rc, ENOENT))
			return;
	}
}

struct init_fn bios_smbios_init_fn __init_fn(INIT_NORMAL) = {
	.name = "smbios",
	.init = bios_smbios_init,
};
