/* keel.efi's network devices: every NIC the firmware offers through SNP that no Keel driver drives. */
#include <keel/init.h>
#include "efi_pci.h"
#include "efi_snp.h"

/* The NICs must be connected before they can be found */
REQUIRE_OBJECT(efi_connect);

static void efi_snp_all_startup(void)
{
	EFI_HANDLE *handles;
	UINTN count, i;

	if (efi_bs->LocateHandleBuffer(ByProtocol, &efi_snp_guid, NULL, &count,
				       &handles) != 0)
		return;
	for (i = 0; i < count; i++) {
		if (efi_snp_topmost(handles[i]) != handles[i])
			continue;
		/* A native driver already drives this NIC's PCI function */
		if (efi_pci_owned(handles[i]))
			continue;
		efi_snp_probe(handles[i]);
	}
	efi_bs->FreePool(handles);
}

/* After the PCI scan: native drivers take their NICs first */
struct startup_fn efi_snp_all_startup_fn __startup_fn(STARTUP_LATE) = {
	.name = "snp",
	.startup = efi_snp_all_startup,
};
