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
	const void *ep;

	/* SMBIOS 3 (64-bit table address) first, else SMBIOS 2 */
	ep = efi_config_table(&efi_smbios3_guid);
	if (ep && smbios_register_entry(ep) == 0)
		return;
	ep = efi_config_table(&efi_smbios_guid);
	if (ep)
		smbios_register_entry(ep);
}

struct init_fn efi_smbios_init_fn __init_fn(INIT_NORMAL) = {
	.name = "smbios",
	.init = efi_smbios_init,
};
