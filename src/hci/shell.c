/* The interactive shell, the Ctrl-B banner, and the help and shell commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/console.h>
#include <keel/parseopt.h>
#include <keel/readline.h>
#include <keel/shell.h>
#include <keel/timer.h>

static struct readline_history shell_history;

int shell(void)
{
	char *line;
	int rc = 0, read_rc;

	while (1) {
		read_rc = readline_history(SHELL_PROMPT, NULL, &shell_history,
					   0, &line);
		if (rc_is(read_rc, ECANCELED))
			continue; /* Ctrl-C: a fresh prompt */
		if (read_rc != 0)
			break; /* end of input */
		rc = system(line);
		free(line);
		if (shell_stopped(SHELL_STOP_COMMAND_SEQUENCE))
			break;
	}
	return rc;
}

int shell_banner(unsigned long timeout)
{
	unsigned long start = currticks();
	int key;

	if (!timeout)
		return 0;
	printf("Press Ctrl-B for the Keel shell...");
	while (currticks() - start < timeout) {
		key = getkey(100);
		if (key == CTRL('B')) {
			printf("\n");
			return 1;
		}
		if (key < 0 && console_input_ended())
			break;
	}
	printf("\r%*s\r", 34, "");
	return 0;
}

static const struct command_descriptor shell_cmd =
	COMMAND_DESC_NOOPTS(0, 0, "");

static int shell_exec(int argc, char **argv)
{
	int rc = parse_options(argc, argv, &shell_cmd, NULL);

	if (rc <= 0)
		return rc;
	return shell();
}

static const struct command_descriptor help_cmd =
	COMMAND_DESC_NOOPTS(0, 1, "[<command>]");

static int help_exec(int argc, char **argv)
{
	struct command *cmd;
	char *args[3];
	int first = parse_options(argc, argv, &help_cmd, NULL);

	if (first <= 0)
		return first;
	if (first < argc) {
		cmd = find_command(argv[first]);
		if (!cmd) {
			printf("help: no command called \"%s\"\n", argv[first]);
			return -ENOENT;
		}
		args[0] = argv[first];
		args[1] = "--help";
		args[2] = NULL;
		return cmd->exec(2, args);
	}
	printf("Commands (\"help <command>\" or \"<command> --help\" for "
	       "usage):\n");
	for_each_table_entry(cmd, COMMANDS)
		printf("  %-14s %s\n", cmd->name,
		       cmd->summary ? cmd->summary : "");
	return 0;
}

struct command shell_commands[] __command = {
	{.name = "shell",
	 .exec = shell_exec,
	 .summary = "Start an interactive shell"},
	{.name = "help",
	 .exec = help_exec,
	 .summary = "List commands, or show a command's usage"},
};
