/* The cpuid command: test a CPU feature bit, as in "cpuid --ext 29" for 64-bit.
 */
#include <stdio.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/cpuid.h>
#include <keel/parseopt.h>

struct cpuid_options {
	int ext;
	int ecx;
};

static const struct option_descriptor cpuid_opts[] = {
	OPTION_DESC("ext", 'e', no_argument, struct cpuid_options, ext,
		    parse_flag),
	OPTION_DESC("ecx", 'c', no_argument, struct cpuid_options, ecx,
		    parse_flag),
};

static const struct command_descriptor cpuid_cmd = COMMAND_DESC(
	struct cpuid_options, cpuid_opts, 1, 1, "[--ext] [--ecx] <bit>");

static int cpuid_exec(int argc, char **argv)
{
	struct cpuid_options opts;
	struct cpuid_regs regs;
	uint32_t leaf, features;
	unsigned int bit;
	int first = parse_options(argc, argv, &cpuid_cmd, &opts), rc;

	if (first <= 0)
		return first;
	if ((rc = parse_integer(argv[first], &bit)) != 0 || bit > 31) {
		printf("cpuid: bit must be 0 to 31\n");
		return rc ? rc : -ERANGE;
	}
	if (!cpuid_supported())
		return errctx(-ENOTSUP, "this CPU has no CPUID instruction");
	leaf = opts.ext ? 0x80000000U : 0;
	cpuid(leaf, &regs);
	if (regs.eax < leaf + 1)
		return errctx(-ENOTSUP, "CPUID leaf %#x is not available",
			      leaf + 1);
	cpuid(leaf + 1, &regs);
	features = opts.ecx ? regs.ecx : regs.edx;
	if (features & (1U << bit))
		return 0;
	return errctx(-ENOENT, "CPU feature bit %u is not set", bit);
}

struct command cpuid_command __command = {
	.name = "cpuid",
	.exec = cpuid_exec,
	.summary = "Succeed if the CPU has a feature (e.g. --ext 29: 64-bit)",
};
