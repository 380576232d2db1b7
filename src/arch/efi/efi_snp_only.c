/* snponly.efi's network device: only the NIC this image was loaded from. */
#include <stdio.h>
#include <keel/init.h>
#include "efi_snp.h"

/**
 * The SNP handle for our load device: the device itself, or the nearest
 * handle along its device path that carries SNP.
 */
static EFI_HANDLE efi_snp_only_handle(void)
{
	EFI_HANDLE device = efi_loaded_image->DeviceHandle, found;
	EFI_DEVICE_PATH *path;
	void *iface;

	if (!device)
		return NULL;
	if (efi_bs->HandleProtocol(device, &efi_snp_guid, &iface) == 0)
		return efi_snp_topmost(device);
	if (efi_bs->HandleProtocol(device, &efi_device_path_guid, &iface) != 0)
		return NULL;
	path = iface;
	if (efi_bs->LocateDevicePath(&efi_snp_guid, &path, &found) != 0)
		return NULL;
	return efi_snp_topmost(found);
}

static void efi_snp_only_startup(void)
{
	EFI_HANDLE handle = efi_snp_only_handle();
	int rc;

	if (!handle) {
		printf("snponly: not loaded from a network device\n");
		return;
	}
	if ((rc = efi_snp_probe(handle)) != 0)
		printf("snponly: cannot use the boot NIC: %s\n", strerror(rc));
}

struct startup_fn efi_snp_only_startup_fn __startup_fn(STARTUP_NORMAL) = {
	.name = "snponly",
	.startup = efi_snp_only_startup,
};
