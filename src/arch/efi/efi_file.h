/* Downloaded images as firmware files: a read-only file system and the Linux initrd. */
#ifndef EFI_FILE_H
#define EFI_FILE_H
#include "efi_api.h"

struct image;

/**
 * Offer the registered images to an image about to start:
 *  - a new handle, whose device path is @parent followed by a Keel vendor
 *    node, carrying a read-only Simple File System that lists every
 *    registered image by name (for "initrd=NAME" and for loaders that read
 *    files from their own device);
 *  - a handle with the Linux initrd media device path carrying LoadFile2,
 *    serving every image but @kernel (and scripts) concatenated.
 *
 * @parent	device path to put the file system under, or NULL
 * @kernel	the image being started, which is no initrd
 * @lf2		offer the LoadFile2 initrd (the command line names none)
 * @fs_handle	the file system's handle, filled in
 * @ret rc	0, or a negative error (nothing left installed)
 */
int efi_file_install(EFI_DEVICE_PATH *parent, struct image *kernel, int lf2,
		     EFI_HANDLE *fs_handle);

/** Remove what efi_file_install() installed (once the image returned) */
void efi_file_uninstall(void);

/** The device path of the file system's handle (valid while installed) */
EFI_DEVICE_PATH *efi_file_device_path(void);

#endif
