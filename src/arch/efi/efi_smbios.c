/* UEFI SMBIOS: find the entry point in the configuration table and publish it. */
#include <string.h>
#include <keel/init.h>
#include <keel/smbios.h>
#include "efi_api.h"

/** A configuration table entry by GUID, or NULL */
static void *efi_config_table(EFI_GUID *guid)
{
	UINTN i;

	for (i = 0; i < efi_systab->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &efi_systab->ConfigurationTable[i];

		if (memcmp(&t->VendorGuid, guid, sizeof(*guid)) == 0)
			return t->VendorTable;
	}
	return NULL;
}

static void efi_smbios_init(void)
{
	const uint8_t *ep;

	/* SMBIOS 3: "_SM3_", 64-bit table address, maximum size */
	ep = efi_config_table(&efi_smbios3_guid);
	if (ep && memcmp(ep, "_SM3_", 5) == 0 && ep[6] >= 0x18) {
		uint64_t addr;
		uint32_t max;

		memcpy(&max, ep + 0x0c, sizeof(max));
		memcpy(&addr, ep + 0x10, sizeof(addr));
		if (smbios_register((void *)(uintptr_t)addr, max, ep[7],
				    ep[8]) == 0)
			return;
	}
	/* SMBIOS 2: "_SM_" ... "_DMI_", 32-bit address and exact length */
	ep = efi_config_table(&efi_smbios_guid);
	if (ep && memcmp(ep, "_SM_", 4) == 0 && memcmp(ep + 0x10, "_DMI_", 5) ==
							 0) {
		uint32_t addr;
		uint16_t len;

		memcpy(&len, ep + 0x16, sizeof(len));
		memcpy(&addr, ep + 0x18, sizeof(addr));
		smbios_register((void *)(uintptr_t)addr, len, ep[6], ep[7]);
	}
}

struct init_fn efi_smbios_init_fn __init_fn(INIT_NORMAL) = {
	.name = "smbios",
	.init = efi_smbios_init,
};
