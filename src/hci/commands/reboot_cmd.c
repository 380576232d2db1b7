/* Power commands: reboot and poweroff. */
#include <stdio.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/parseopt.h>
#include <keel/reboot.h>

struct reboot_options {
	int warm;
};

static const struct option_descriptor reboot_opts[] = {
	OPTION_DESC("warm", 'w', no_argument, struct reboot_options, warm,
		    parse_flag),
};

static const struct command_descriptor reboot_cmd =
	COMMAND_DESC(struct reboot_options, reboot_opts, 0, 0, "[--warm]");

static int reboot_exec(int argc, char **argv)
{
	struct reboot_options opts;
	int rc = parse_options(argc, argv, &reboot_cmd, &opts);

	if (rc <= 0)
		return rc;
	reboot(opts.warm);
}

static const struct command_descriptor poweroff_cmd =
	COMMAND_DESC_NOOPTS(0, 0, "");

static int poweroff_exec(int argc, char **argv)
{
	int rc = parse_options(argc, argv, &poweroff_cmd, NULL);

	if (rc <= 0)
		return rc;
	rc = poweroff();
	printf("poweroff: %s\n", strerror(rc));
	return rc;
}

struct command reboot_commands[] __command = {
	{.name = "reboot",
	 .exec = reboot_exec,
	 .summary = "Restart the machine"},
	{.name = "poweroff",
	 .exec = poweroff_exec,
	 .summary = "Switch the machine off"},
};
