/* Command execution: splitting lines, iPXE's "&&", "||", ";" rules, and
 * ${errno}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/settings.h>

int last_errno;
static int stop_state;

struct command *find_command(const char *name)
{
	struct command *cmd;

	for_each_table_entry(cmd, COMMANDS) {
		if (strcmp(cmd->name, name) == 0)
			return cmd;
	}
	return NULL;
}

int execv_command(int argc, char **argv)
{
	struct command *cmd;
	int rc;

	if (argc == 0 || !argv[0])
		return 0; /* an empty command does nothing, successfully */
	cmd = find_command(argv[0]);
	if (cmd) {
		rc = cmd->exec(argc, argv);
	} else {
		printf("%s: command not found\n", argv[0]);
		rc = errctx(-ENOEXEC, "no command called \"%s\"", argv[0]);
	}
	if (rc)
		last_errno = (rc < 0) ? -rc : rc;
	return rc;
}

int exit_requested;

void shell_stop(int stop)
{
	stop_state = stop;
}

int shell_stopped(int stop)
{
	int stopped = (stop_state >= stop);

	if (stop_state <= stop)
		stop_state = 0;
	return stopped;
}

/**
 * Split a line into words at white space, in place.
 *
 * @line	line, modified (white space becomes NULs) if @words given
 * @words	word pointers to fill in, or NULL to count only
 * @ret count	number of words
 */
static int split_words(char *line, char **words)
{
	int count = 0;

	while (1) {
		while (isspace((unsigned char)*line)) {
			if (words)
				*line = '\0';
			line++;
		}
		if (!*line)
			return count;
		if (words)
			words[count] = line;
		count++;
		while (*line && !isspace((unsigned char)*line))
			line++;
	}
}

/* What decides whether the next command in a line runs */
enum next_rule { NEXT_NONE, NEXT_ALWAYS, NEXT_ON_SUCCESS, NEXT_ON_FAILURE };

static const struct {
	const char *token;
	enum next_rule rule;
} terminators[] = {
	{"||", NEXT_ON_FAILURE},
	{"&&", NEXT_ON_SUCCESS},
	{";", NEXT_ALWAYS},
};

/**
 * Find the end of the command starting at @words.
 *
 * @words	words, NULL-terminated
 * @rule	what follows it, filled in (NEXT_NONE at end of line or '#')
 * @ret argc	number of words in this command
 */
static int command_end(char **words, enum next_rule *rule)
{
	unsigned int i, j;

	for (i = 0; words[i]; i++) {
		if (words[i][0] == '#')
			break; /* a comment runs to the end of the line */
		for (j = 0; j < ARRAY_SIZE(terminators); j++) {
			if (strcmp(words[i], terminators[j].token) == 0) {
				*rule = terminators[j].rule;
				return (int)i;
			}
		}
	}
	*rule = NEXT_NONE;
	return (int)i;
}

/** Expand and run one command of @argc words */
static int run_words(int argc, char **words)
{
	char **argv;
	int i, rc;

	argv = calloc((size_t)argc + 1, sizeof(argv[0]));
	if (!argv)
		return -ENOMEM;
	for (i = 0; i < argc; i++) {
		argv[i] = expand_settings(words[i]);
		if (!argv[i]) {
			rc = -ENOMEM;
			goto out;
		}
	}
	rc = execv_command(argc, argv);
out:
	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	return rc;
}

/** True if the rule lets the next command run after status @rc */
static int rule_allows(enum next_rule rule, int rc)
{
	return (rule == NEXT_ALWAYS) || (rule == NEXT_ON_SUCCESS && rc == 0) ||
	       (rule == NEXT_ON_FAILURE && rc != 0);
}

int system(const char *line)
{
	char *copy, **words, **cmd;
	enum next_rule rule;
	int count, argc, run = 1, rc = 0;

	copy = strdup(line);
	if (!copy)
		return -ENOMEM;
	count = split_words(copy, NULL);
	words = calloc((size_t)count + 1, sizeof(words[0]));
	if (!words) {
		free(copy);
		return -ENOMEM;
	}
	split_words(copy, words);
	for (cmd = words;; cmd += argc + 1) {
		argc = command_end(cmd, &rule);
		if (run)
			rc = run_words(argc, cmd);
		if (shell_stopped(SHELL_STOP_COMMAND) || rule == NEXT_NONE)
			break;
		run = rule_allows(rule, rc);
	}
	free(words);
	free(copy);
	return rc;
}

char *concat_args(char **args)
{
	size_t len = 1;
	char **arg, *text, *p;

	for (arg = args; *arg; arg++)
		len += strlen(*arg) + 1;
	text = malloc(len);
	if (!text)
		return NULL;
	p = text;
	for (arg = args; *arg; arg++) {
		if (arg != args)
			*p++ = ' ';
		len = strlen(*arg);
		memcpy(p, *arg, len);
		p += len;
	}
	*p = '\0';
	return text;
}
