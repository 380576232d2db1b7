/* Commands: the table every shell command registers in, and how to run one. */
#ifndef KEEL_COMMAND_H
#define KEEL_COMMAND_H
#include <keel/tables.h>

/** A shell command */
struct command {
	/** Name, as typed */
	const char *name;
	/**
	 * Run the command.
	 *
	 * @argc	number of arguments, including the name
	 * @argv	arguments, NULL-terminated
	 * @ret rc	0 on success, a negative error, or a positive exit code
	 */
	int (*exec)(int argc, char **argv);
	/** One-line description, for "help" */
	const char *summary;
};

#define COMMANDS __table(struct command, "commands")
#define __command __table_entry(COMMANDS, 01)

/** Find a command by name, or NULL */
struct command *find_command(const char *name);

/**
 * Run one command (no expansion, no operators).
 *
 * @argc	argument count
 * @argv	arguments, argv[0] is the command name; NULL-terminated
 * @ret rc	command's status; also recorded for ${errno}
 */
int execv_command(int argc, char **argv);

/**
 * Run a command line: split into words, handle '#', "&&", "||" and ";",
 * expand ${...} in each word, run each command by iPXE's status rules.
 *
 * @line	command line
 * @ret rc	status of the last command run
 */
int system(const char *line);

/** The last failing command's error code, as ${errno} shows it (positive) */
extern int last_errno;

/* Shell stop states, as raised by goto and exit */
#define SHELL_STOP_COMMAND 1	      /* stop the rest of this line (goto) */
#define SHELL_STOP_COMMAND_SEQUENCE 2 /* stop this script or shell (exit) */

/**
 * Set by the exit command: the user asked to leave, so the top-level flow
 * returns to the platform (BIOS: next boot device; EFI: boot manager)
 * instead of opening the shell after a script.
 */
extern int exit_requested;
/** Ask the running line, script or shell to stop */
void shell_stop(int stop);
/**
 * Test and consume a stop state.
 *
 * @stop	the level the caller handles
 * @ret stopped	true if a stop at or above @stop is pending
 */
int shell_stopped(int stop);

/** Join arguments with single spaces into a new string (NULL if no memory) */
char *concat_args(char **args);

#endif
