/* UEFI reboot and power off through the runtime services. */
#include <keel/init.h>
#include <keel/reboot.h>
#include "efi_api.h"

void reboot(int warm)
{
	shutdown_boot();
	efi_systab->RuntimeServices->ResetSystem(warm ? EfiResetWarm :
							EfiResetCold,
						 EFI_SUCCESS, 0, NULL);
	for (;;)
		;
}

int poweroff(void)
{
	shutdown_boot();
	efi_systab->RuntimeServices->ResetSystem(EfiResetShutdown, EFI_SUCCESS,
						 0, NULL);
	/* Only returns if the platform cannot power off */
	return -ENOTSUP;
}
