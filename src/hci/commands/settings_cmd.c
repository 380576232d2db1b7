/* Settings commands: show, set, clear, inc, read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/parseopt.h>
#include <keel/readline.h>
#include <keel/settings.h>

/**
 * Parse a setting name from the command line without changing argv.
 *
 * @copy	the copy that @setting points into, filled in (caller frees)
 * @ret rc	0, or an error already reported
 */
static int cmd_parse_setting(const char *cmd, const char *name, int create,
			     char **copy, struct settings **settings,
			     struct setting *setting)
{
	int rc;

	*copy = strdup(name);
	if (!*copy)
		return -ENOMEM;
	if ((rc = parse_setting_name(*copy, create, settings, setting)) != 0) {
		printf("%s: Could not find \"%s\": %s\n", cmd, name,
		       strerror(rc));
		free(*copy);
		*copy = NULL;
	}
	return rc;
}

/** Print "net0.dhcp/ip:ipv4 = 10.0.0.5" */
static int print_setting(void *ctx, struct settings *origin,
			 const struct setting *setting, const char *value)
{
	int len = setting_name(origin, setting, NULL, 0);
	char *name = malloc((size_t)len + 1);

	if (!name)
		return -ENOMEM;
	setting_name(origin, setting, name, (size_t)len + 1);
	printf("%s = %s\n", name, value);
	free(name);
	return 0;
}

/** "show <scope>/": every setting in a block and below it */
static int show_block(const char *cmd, const char *arg)
{
	char *path = strndup(arg, strlen(arg) - 1);
	struct settings *settings;
	int rc;

	if (!path)
		return -ENOMEM;
	settings = find_settings(path);
	free(path);
	if (!settings) {
		rc = errctx(-ENODEV, "no settings called \"%s\"", arg);
		printf("%s: %s\n", cmd, strerror(rc));
		return rc;
	}
	return settings_walk(settings, print_setting, NULL);
}

static const struct command_descriptor show_cmd =
	COMMAND_DESC_NOOPTS(0, 1, "[<setting> | <scope>/]");

static int show_exec(int argc, char **argv)
{
	int first = parse_options(argc, argv, &show_cmd, NULL), rc;
	struct settings *settings, *origin;
	struct setting setting, fetched;
	char *copy, *value;
	size_t len;

	if (first <= 0)
		return first;
	if (first == argc)
		return settings_walk(NULL, print_setting, NULL);
	len = strlen(argv[first]);
	if (len && argv[first][len - 1] == '/')
		return show_block(argv[0], argv[first]);
	if ((rc = cmd_parse_setting(argv[0], argv[first], 0, &copy, &settings,
				    &setting)) != 0)
		return rc;
	rc = fetchf_setting_copy(settings, &setting, &origin, &fetched, &value);
	if (rc < 0) {
		printf("%s: Could not find \"%s\": %s\n", argv[0], argv[first],
		       strerror(rc));
		goto out;
	}
	rc = print_setting(NULL, origin, &fetched, value);
	free(value);
out:
	free(copy);
	return rc;
}

/** Store a value given as text, reporting failure */
static int store_text(const char *cmd, const char *name,
		      struct settings *settings, struct setting *setting,
		      const char *value)
{
	int rc;

	if (!setting->type)
		setting->type = &setting_type_string;
	if ((rc = storef_setting(settings, setting, value)) != 0)
		printf("%s: Could not store \"%s\": %s\n", cmd, name,
		       strerror(rc));
	return rc;
}

static const struct command_descriptor set_cmd =
	COMMAND_DESC_NOOPTS(1, MAX_ARGUMENTS, "<setting> [<value>...]");

static int set_exec(int argc, char **argv)
{
	int first = parse_options(argc, argv, &set_cmd, NULL), rc;
	struct settings *settings;
	struct setting setting;
	char *copy, *value;

	if (first <= 0)
		return first;
	if ((rc = cmd_parse_setting(argv[0], argv[first], 1, &copy, &settings,
				    &setting)) != 0)
		return rc;
	value = concat_args(&argv[first + 1]);
	if (!value) {
		rc = -ENOMEM;
		goto out;
	}
	rc = store_text(argv[0], argv[first], settings, &setting, value);
	free(value);
out:
	free(copy);
	return rc;
}

static const struct command_descriptor clear_cmd =
	COMMAND_DESC_NOOPTS(1, 1, "<setting>");

static int clear_exec(int argc, char **argv)
{
	int first = parse_options(argc, argv, &clear_cmd, NULL), rc;

	if (first <= 0)
		return first;
	if ((rc = delete_named_setting(argv[first])) != 0)
		printf("%s: Could not clear \"%s\": %s\n", argv[0],
		       argv[first], strerror(rc));
	return rc;
}

static const struct command_descriptor inc_cmd =
	COMMAND_DESC_NOOPTS(1, 2, "<setting> [<increment>]");

static int inc_exec(int argc, char **argv)
{
	int first = parse_options(argc, argv, &inc_cmd, NULL), rc;
	unsigned int increment = 1;
	struct settings *settings;
	struct setting setting;
	unsigned long value;
	char *copy;

	if (first <= 0)
		return first;
	if (first + 1 < argc &&
	    (rc = parse_integer(argv[first + 1], &increment)) != 0) {
		printf("%s: %s\n", argv[0], strerror(rc));
		return rc;
	}
	if ((rc = cmd_parse_setting(argv[0], argv[first], 1, &copy, &settings,
				    &setting)) != 0)
		return rc;
	/* An unset (or unreadable) value counts as zero, stored as int32 */
	if (fetchn_setting(settings, &setting, NULL, &setting, &value) != 0) {
		value = 0;
		if (!setting.type)
			setting.type = &setting_type_int32;
	}
	if ((rc = storen_setting(settings, &setting, value + increment)) != 0)
		printf("%s: Could not store \"%s\": %s\n", argv[0],
		       argv[first], strerror(rc));
	free(copy);
	return rc;
}

struct read_options {
	unsigned long timeout;
};

static const struct option_descriptor read_opts[] = {
	OPTION_DESC("timeout", 't', required_argument, struct read_options,
		    timeout, parse_timeout),
};

static const struct command_descriptor read_cmd = COMMAND_DESC(
	struct read_options, read_opts, 1, 1, "[--timeout <ms>] <setting>");

static int read_exec(int argc, char **argv)
{
	struct read_options opts;
	int first, rc;
	struct settings *settings;
	struct setting setting, fetched;
	char *copy, *existing, *line;

	first = parse_options(argc, argv, &read_cmd, &opts);
	if (first <= 0)
		return first;
	if ((rc = cmd_parse_setting(argv[0], argv[first], 1, &copy, &settings,
				    &setting)) != 0)
		return rc;
	/* Offer the current value for editing, and keep its type */
	if (fetchf_setting_copy(settings, &setting, NULL, &fetched,
				&existing) >= 0 && !setting.type)
		setting.type = fetched.type;
	rc = readline_history(NULL, existing, NULL, opts.timeout, &line);
	free(existing);
	if (rc == 0) {
		rc = store_text(argv[0], argv[first], settings, &setting, line);
		free(line);
	}
	free(copy);
	return rc;
}

struct command show_command __command = {
	.name = "show",
	.exec = show_exec,
	.summary = "Show settings",
};
struct command set_command __command = {
	.name = "set",
	.exec = set_exec,
	.summary = "Set a setting",
};
struct command clear_command __command = {
	.name = "clear",
	.exec = clear_exec,
	.summary = "Clear a setting",
};
struct command inc_command __command = {
	.name = "inc",
	.exec = inc_exec,
	.summary = "Increment a numeric setting",
};
struct command read_command __command = {
	.name = "read",
	.exec = read_exec,
	.summary = "Read a setting from the console",
};
