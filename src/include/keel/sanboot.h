/* Platform API: booting a local disk, the half of the sanboot command that each platform provides. */
#ifndef KEEL_SANBOOT_H
#define KEEL_SANBOOT_H

/** The BIOS drive number of the first local hard disk, sanboot's default */
#define SANBOOT_FIRST_DRIVE 0x80
/** The highest BIOS drive number */
#define SANBOOT_LAST_DRIVE 0xff

/**
 * Boot a local disk (BIOS: its boot sector; UEFI: the removable-media
 * loader of the file system that the drive number counts to). It prints
 * what it boots; the sanboot command prints any error.
 *
 * @drive	a BIOS drive number (SANBOOT_FIRST_DRIVE is the first disk)
 * @ret rc	returns only if the disk could not be booted, or (UEFI) its
 *		loader returned: 0 if the loader succeeded
 */
int sanboot_boot(unsigned int drive);

#endif
