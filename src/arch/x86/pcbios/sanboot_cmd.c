/* sanboot --drive N: boot a local BIOS disk by loading its boot sector at 0000:7C00. */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/init.h>
#include <keel/io.h>
#include <keel/parseopt.h>
#include <x86/realmode.h>

#define BOOT_SECTOR_ADDR 0x7c00
#define BOOT_SIGNATURE 0xaa55
/** Reads attempted: floppies and some disks need a reset and a retry */
#define SANBOOT_TRIES 3

struct sanboot_options {
	unsigned int drive;
	/* iPXE options that mean nothing for a local disk: accepted */
	int no_describe;
	int keep;
};

static const struct option_descriptor sanboot_opts[] = {
	OPTION_DESC("drive", 'd', required_argument, struct sanboot_options,
		    drive, parse_integer),
	OPTION_DESC("no-describe", 'n', no_argument, struct sanboot_options,
		    no_describe, parse_flag),
	OPTION_DESC("keep", 'k', no_argument, struct sanboot_options, keep,
		    parse_flag),
};

static const struct command_descriptor sanboot_cmd = COMMAND_DESC(
	struct sanboot_options, sanboot_opts, 0, 0,
	"[--drive <drive>] [--no-describe] [--keep]");

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

static int sanboot_exec(int argc, char **argv)
{
	struct sanboot_options opts;
	struct rm_regs regs;
	uint8_t *sector;
	int rc = parse_options(argc, argv, &sanboot_cmd, &opts);

	if (rc <= 0)
		return rc;
	if (!opts.drive)
		opts.drive = 0x80;
	if (opts.drive > 0xff)
		return errctx(-EINVAL, "drive %#x is not a BIOS drive number",
			      opts.drive);
	if ((rc = sanboot_read(opts.drive)) != 0) {
		printf("sanboot: %s\n", strerror(rc));
		return rc;
	}
	sector = rm_scratch();
	if (sector[510] != (BOOT_SIGNATURE & 0xff) ||
	    sector[511] != (BOOT_SIGNATURE >> 8)) {
		rc = errctx(-ENOEXEC, "drive %#02x has no boot signature",
			    opts.drive);
		printf("sanboot: %s\n", strerror(rc));
		return rc;
	}
	printf("Booting from drive %#02x\n", opts.drive);
	shutdown_boot();
	rm_uninstall();
	memcpy(phys_to_virt(BOOT_SECTOR_ADDR), sector, 512);
	memset(&regs, 0, sizeof(regs));
	regs.edx = opts.drive;
	rm_jump(0, BOOT_SECTOR_ADDR, 0, BOOT_SECTOR_ADDR, &regs);
}

struct command sanboot_command __command = {
	.name = "sanboot",
	.exec = sanboot_exec,
	.summary = "Boot a local disk (--drive 0x80)",
};
