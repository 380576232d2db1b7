/* The nslookup command: resolve a name and store its address in a setting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/in.h>
#include <keel/parseopt.h>
#include <keel/resolv.h>
#include <keel/settings.h>

static const struct command_descriptor nslookup_cmd =
	COMMAND_DESC_NOOPTS(2, 2, "<setting> <name>");

/** Store @addr in the setting named @name (ipv4 unless a type is given) */
static int nslookup_store(const char *cmd, const char *name,
			  struct in_addr addr)
{
	struct settings *settings;
	struct setting setting;
	char *copy = strdup(name);
	int rc;

	if (!copy)
		return -ENOMEM;
	if ((rc = parse_setting_name(copy, 1, &settings, &setting)) != 0) {
		printf("%s: Could not find \"%s\": %s\n", cmd, name,
		       strerror(rc));
		goto out;
	}
	if (!setting.type)
		setting.type = &setting_type_ipv4;
	if ((rc = storef_setting(settings, &setting, inet_ntoa(addr))) != 0)
		printf("%s: Could not store \"%s\": %s\n", cmd, name,
		       strerror(rc));
out:
	free(copy);
	return rc;
}

static int nslookup_exec(int argc, char **argv)
{
	struct sockaddr_in sin;
	int first = parse_options(argc, argv, &nslookup_cmd, NULL), rc;

	if (first <= 0)
		return first;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if ((rc = resolv_sync(argv[first + 1], (struct sockaddr *)&sin)) != 0) {
		printf("%s: Could not resolve %s: %s\n", argv[0],
		       argv[first + 1], strerror(rc));
		return rc;
	}
	return nslookup_store(argv[0], argv[first], sin.sin_addr);
}

struct command nslookup_command __command = {
	.name = "nslookup",
	.exec = nslookup_exec,
	.summary = "Look up a host name and store its address",
};
