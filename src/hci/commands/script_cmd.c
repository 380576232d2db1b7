/* Script commands: echo, exit, isset, iseq, sleep, prompt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/console.h>
#include <keel/parseopt.h>
#include <keel/settings.h>
#include <keel/timer.h>

struct echo_options {
	int no_newline;
};

static const struct option_descriptor echo_opts[] = {
	OPTION_DESC("n", 'n', no_argument, struct echo_options, no_newline,
		    parse_flag),
};

static const struct command_descriptor echo_cmd = COMMAND_DESC(
	struct echo_options, echo_opts, 0, MAX_ARGUMENTS, "[-n] [<text>...]");

static int echo_exec(int argc, char **argv)
{
	struct echo_options opts;
	char *text;
	int first = parse_options(argc, argv, &echo_cmd, &opts);

	if (first <= 0)
		return first;
	text = concat_args(&argv[first]);
	if (!text)
		return -ENOMEM;
	printf("%s%s", text, opts.no_newline ? "" : "\n");
	free(text);
	return 0;
}

static const struct command_descriptor exit_cmd =
	COMMAND_DESC_NOOPTS(0, 1, "[<status>]");

static int exit_exec(int argc, char **argv)
{
	unsigned int status = 0;
	int first = parse_options(argc, argv, &exit_cmd, NULL), rc;

	if (first <= 0)
		return first;
	if (first < argc && (rc = parse_integer(argv[first], &status)) != 0) {
		printf("exit: %s\n", strerror(rc));
		return rc;
	}
	shell_stop(SHELL_STOP_COMMAND_SEQUENCE);
	exit_requested = 1;
	return (int)status;
}

static const struct command_descriptor isset_cmd =
	COMMAND_DESC_NOOPTS(1, 1, "<value>");

static int isset_exec(int argc, char **argv)
{
	int first = parse_options(argc, argv, &isset_cmd, NULL);

	if (first <= 0)
		return first;
	return argv[first][0] ? 0 : errctx(-ENOENT, "the value is empty");
}

static const struct command_descriptor iseq_cmd =
	COMMAND_DESC_NOOPTS(2, 2, "<value1> <value2>");

static int iseq_exec(int argc, char **argv)
{
	int first = parse_options(argc, argv, &iseq_cmd, NULL);

	if (first <= 0)
		return first;
	if (strcmp(argv[first], argv[first + 1]) == 0)
		return 0;
	return errctx(-ERANGE, "\"%s\" is not \"%s\"", argv[first],
		      argv[first + 1]);
}

static const struct command_descriptor sleep_cmd =
	COMMAND_DESC_NOOPTS(1, 1, "<seconds>");

static int sleep_exec(int argc, char **argv)
{
	unsigned int seconds;
	int first = parse_options(argc, argv, &sleep_cmd, NULL), rc;

	if (first <= 0)
		return first;
	if ((rc = parse_integer(argv[first], &seconds)) != 0) {
		printf("sleep: %s\n", strerror(rc));
		return rc;
	}
	return sleep_interruptible((unsigned long)seconds * 1000);
}

struct prompt_options {
	unsigned int key;
	unsigned long timeout;
	char *set;
};

static const struct option_descriptor prompt_opts[] = {
	OPTION_DESC("key", 'k', required_argument, struct prompt_options, key,
		    parse_key),
	OPTION_DESC("timeout", 't', required_argument, struct prompt_options,
		    timeout, parse_timeout),
	OPTION_DESC("set", 's', required_argument, struct prompt_options, set,
		    parse_string),
};

static const struct command_descriptor prompt_cmd = COMMAND_DESC(
	struct prompt_options, prompt_opts, 0, MAX_ARGUMENTS,
	"[--key <key>] [--timeout <ms>] [--set <setting>] [<text>]");

static int prompt_exec(int argc, char **argv)
{
	struct prompt_options opts;
	char *text;
	int first = parse_options(argc, argv, &prompt_cmd, &opts), key, rc = 0;

	if (first <= 0)
		return first;
	text = concat_args(&argv[first]);
	if (!text)
		return -ENOMEM;
	printf("%s", text[0] ? text : "Press any key to continue...");
	key = getkey(opts.timeout);
	printf("\n");
	if (key < 0)
		rc = opts.timeout ? -ETIMEDOUT : -EPIPE;
	else if (key == CTRL('C') || (opts.key && key != (int)opts.key))
		rc = -ECANCELED;
	else if (opts.set)
		rc = storen_named_setting(opts.set, (unsigned long)key);
	free(text);
	return rc;
}

struct command script_commands[] __command = {
	{.name = "echo", .exec = echo_exec, .summary = "Print text"},
	{.name = "exit",
	 .exec = exit_exec,
	 .summary = "Leave the script or shell with a status"},
	{.name = "isset",
	 .exec = isset_exec,
	 .summary = "Succeed if a value is not empty"},
	{.name = "iseq",
	 .exec = iseq_exec,
	 .summary = "Succeed if two values are equal"},
	{.name = "sleep",
	 .exec = sleep_exec,
	 .summary = "Wait a number of seconds (Ctrl-C stops)"},
	{.name = "prompt",
	 .exec = prompt_exec,
	 .summary = "Show a prompt and wait for a key"},
};
