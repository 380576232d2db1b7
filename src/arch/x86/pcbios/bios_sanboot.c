/* sanboot on a BIOS: boot a local disk by loading its boot sector at 0000:7C00. */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <keel/init.h>
#include <keel/io.h>
#include <keel/sanboot.h>
#include <x86/realmode.h>

#define BOOT_SECTOR_ADDR 0x7c00
#define BOOT_SIGNATURE 0xaa55
/** Reads attempted: floppies and some disks need a reset and a retry */
#define SANBOOT_TRIES 3

/** Read sector 0 of @drive through INT 13h into the scratch buffer */
static int sanboot_read(unsigned int drive)
{
	struct rm_regs regs;
	unsigned int tries;

	for (tries = 0; tries < SANBOOT_TRIES; tries++) {
		memset(&regs, 0, sizeof(regs));
		regs.eax = 0x0201; /* read one sector */
		regs.ecx = 0x0001; /* cylinder 0, sector 1 */
		regs.edx = drive;  /* head 0 */
		regs.es = rm_scratch_seg();
		regs.ebx = rm_scratch_off();
		rm_int(0x13, &regs);
		if (!(regs.flags & RM_CF) && (regs.eax & 0xff00) == 0)
			return 0;
		memset(&regs, 0, sizeof(regs));
		regs.edx = drive;
		rm_int(0x13, &regs); /* reset the drive */
	}
	return errctx(-EIO, "cannot read the boot sector of drive %#02x (BIOS "
			    "error %#02x)",
		      drive, (unsigned int)((regs.eax >> 8) & 0xff));
}

int sanboot_boot(unsigned int drive)
{
	struct rm_regs regs;
	uint8_t *sector;
	int rc;

	if ((rc = sanboot_read(drive)) != 0)
		return rc;
	sector = rm_scratch();
	if (sector[510] != (BOOT_SIGNATURE & 0xff) ||
	    sector[511] != (BOOT_SIGNATURE >> 8))
		return errctx(-ENOEXEC, "drive %#02x has no boot signature",
			      drive);
	printf("Booting from drive %#02x\n", drive);
	shutdown_boot();
	rm_uninstall();
	memcpy(phys_to_virt(BOOT_SECTOR_ADDR), sector, 512);
	memset(&regs, 0, sizeof(regs));
	regs.edx = drive;
	rm_jump(0, BOOT_SECTOR_ADDR, 0, BOOT_SECTOR_ADDR, &regs);
}
