/* Keel network devices offered to the firmware: SNP and LoadFile on a child handle. */
#ifndef EFI_SNPDEV_H
#define EFI_SNPDEV_H
#include "efi_api.h"

struct net_device;
struct efi_snpdev;

/**
 * Offer a Keel network device to the firmware: a child handle of @parent
 * with a MAC device path, EFI_SIMPLE_NETWORK_PROTOCOL over the device, and
 * EFI_LOAD_FILE_PROTOCOL whose LoadFile() runs Keel (efi_driver_boot()).
 *
 * @netdev	network device (a reference is kept)
 * @parent	controller handle (its PciIo is opened BY_CHILD_CONTROLLER)
 * @ret snpdev	the offered device, filled in
 * @ret rc	0, or a negative error
 */
int efi_snpdev_install(struct net_device *netdev, EFI_HANDLE parent,
		       struct efi_snpdev **snpdev);

/**
 * Withdraw an offered device (the firmware's users of its SNP are
 * disconnected first).
 *
 * @ret rc	0, or a negative error if a user would not let go (the
 *		device stays offered)
 */
int efi_snpdev_uninstall(struct efi_snpdev *snpdev);

/**
 * Run Keel from LoadFile(): banner, embedded script or autoboot, shell.
 * Provided by the option ROM's driver (efi_driver.c).
 *
 * @ret status	Keel's exit status (0 on success)
 */
int efi_driver_boot(void);

#endif
