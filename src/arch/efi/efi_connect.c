/* Connect every PCI device's drivers, so that NICs have SNP even when the firmware booted from disk. */
#include <keel/init.h>
#include "efi_api.h"

/*
 * A boot manager that boots from a disk or a CD connects only what that
 * boot needs: the NICs then carry no SNP, and keel.efi would find no
 * network device. Connecting every PCI I/O handle (recursively) brings up
 * the firmware's network drivers first.
 */
static EFI_GUID efi_pci_io_guid = EFI_PCI_IO_PROTOCOL_GUID;

static void efi_connect_startup(void)
{
	EFI_HANDLE *handles;
	UINTN count, i;

	if (efi_bs->LocateHandleBuffer(ByProtocol, &efi_pci_io_guid, NULL,
				       &count, &handles) != 0)
		return;
	for (i = 0; i < count; i++)
		efi_bs->ConnectController(handles[i], NULL, NULL, TRUE);
	efi_bs->FreePool(handles);
}

struct startup_fn efi_connect_startup_fn __startup_fn(STARTUP_EARLY) = {
	.name = "connect",
	.startup = efi_connect_startup,
};
