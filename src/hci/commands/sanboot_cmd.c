/* sanboot [--drive N]: boot a local disk; the platform's sanboot_boot() does the booting. */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/parseopt.h>
#include <keel/sanboot.h>

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

/* A URI is accepted only to say clearly that it cannot be booted */
static const struct command_descriptor sanboot_cmd = COMMAND_DESC(
	struct sanboot_options, sanboot_opts, 0, 1,
	"[--drive <drive>] [--no-describe] [--keep]");

/** The drive to boot, or an error */
static int sanboot_check(int argc, char **argv, int first_arg,
			 unsigned int *drive)
{
	if (first_arg < argc)
		return errctx(-ENOTSUP, "this build boots only local disks, "
					"not %s", argv[first_arg]);
	if (!*drive)
		*drive = SANBOOT_FIRST_DRIVE;
	if (*drive > SANBOOT_LAST_DRIVE)
		return errctx(-EINVAL, "drive %#x is not a BIOS drive number",
			      *drive);
	return 0;
}

static int sanboot_exec(int argc, char **argv)
{
	struct sanboot_options opts;
	int rc = parse_options(argc, argv, &sanboot_cmd, &opts);

	if (rc <= 0)
		return rc;
	rc = sanboot_check(argc, argv, rc, &opts.drive);
	if (rc == 0)
		rc = sanboot_boot(opts.drive);
	if (rc)
		printf("sanboot: %s\n", strerror(rc));
	return rc;
}

struct command sanboot_command __command = {
	.name = "sanboot",
	.exec = sanboot_exec,
	.summary = "Boot a local disk (--drive 0x80)",
};
