/* Host build entry: command-line parsing, then Keel's main flow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/main.h>
#include <keel/linux.h>
#include "linux_api.h"

/** Network devices requested with --net, used by the TAP driver */
const char *linux_net_args[LINUX_MAX_NETS];
unsigned int linux_num_nets;

static const char *script_path;
static char **extra_argv;
static int extra_argc;

static void linux_usage(void)
{
	linux_log("usage: keel.linux [--net tap,if=NAME]... [--mem MIB] "
		  "[SCRIPT]\n"
		  "  --net tap,if=NAME  drive a TAP device (net0, net1, ...)\n"
		  "  --mem MIB          heap size (default 256)\n"
		  "  SCRIPT             run this script instead of autoboot\n");
}

/** Parse the command line; returns 0, or an exit status */
static int linux_parse_args(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (strcmp(arg, "--net") == 0 && i + 1 < argc) {
			if (linux_num_nets == LINUX_MAX_NETS) {
				linux_log("keel.linux: too many --net\n");
				return 2;
			}
			linux_net_args[linux_num_nets++] = argv[++i];
		} else if (strcmp(arg, "--mem") == 0 && i + 1 < argc) {
			linux_mem_mib = strtoul(argv[++i], NULL, 0);
			if (linux_mem_mib < 4 || linux_mem_mib > 65536) {
				linux_log("keel.linux: --mem out of range\n");
				return 2;
			}
		} else if (strcmp(arg, "--help") == 0 ||
			   strcmp(arg, "-h") == 0) {
			linux_usage();
			return 1;
		} else if (arg[0] == '-' && arg[1] == '-' && arg[2]) {
			linux_log("keel.linux: unknown option\n");
			linux_usage();
			return 2;
		} else {
			if (!script_path)
				script_path = arg;
			extra_argv = &argv[i];
			extra_argc = argc - i;
			break;
		}
	}
	return 0;
}

__export int keel_linux_main(int argc, char **argv)
{
	int status = linux_parse_args(argc, argv);

	if (status)
		return (status == 1) ? 0 : status;
	status = keel_main();
	linux_console_flush();
	return status;
}

static void *linux_script_alloc(unsigned long len)
{
	return malloc(len);
}

int platform_script(const char **script, size_t *len, const char **name)
{
	static char *data;
	static long data_len;
	void *buf;

	if (!script_path)
		return -ENOENT;
	if (!data) {
		data_len =
			linux_read_file(script_path, linux_script_alloc, &buf);
		if (data_len < 0)
			return errctx(-ENOENT, "cannot read %s", script_path);
		data = buf;
		data[data_len] = '\0';
	}
	*script = data;
	*len = (size_t)data_len;
	*name = script_path;
	return 0;
}

int platform_args(char ***argv)
{
	*argv = extra_argv;
	return extra_argc;
}
