/* Command-line option parsing for commands: --long, -s, typed values, usage. */
#ifndef KEEL_PARSEOPT_H
#define KEEL_PARSEOPT_H
#include <stddef.h>

struct settings;
struct setting;

/** Argument requirement of an option */
enum option_arg { no_argument = 0, required_argument = 1 };

/** One option a command accepts */
struct option_descriptor {
	/** Long name, used as --name */
	const char *longopt;
	/** Short name, used as -c (0 for none) */
	char shortopt;
	/** Whether it takes a value */
	enum option_arg has_arg;
	/** Offset of the value within the command's options structure */
	size_t offset;
	/**
	 * Parse the option's text into its value. For no_argument options
	 * @text is NULL.
	 */
	int (*parse)(char *text, void *value);
};

#define OPTION_DESC(longname, shortname, has, opts_type, field, parser)        \
	{                                                                      \
		.longopt = longname, .shortopt = shortname, .has_arg = has,   \
		.offset = __builtin_offsetof(opts_type, field),                \
		.parse = (int (*)(char *, void *))(parser),                    \
	}

/** What a command accepts */
struct command_descriptor {
	const struct option_descriptor *options;
	unsigned int num_options;
	/** Size of the options structure (zeroed before parsing) */
	size_t len;
	unsigned int min_args;
	unsigned int max_args;
	/** Usage text after the command name, e.g. "[--timeout <ms>] <uri>" */
	const char *usage;
};
#define MAX_ARGUMENTS (~0U)

#define COMMAND_DESC(opts_type, opts, min, max, usage_text)                    \
	{                                                                      \
		.options = opts, .num_options = ARRAY_SIZE(opts),              \
		.len = sizeof(opts_type), .min_args = min, .max_args = max,    \
		.usage = usage_text,                                           \
	}
/** For a command without options */
#define COMMAND_DESC_NOOPTS(min, max, usage_text)                              \
	{                                                                      \
		.options = NULL, .num_options = 0, .len = 0, .min_args = min, \
		.max_args = max, .usage = usage_text,                          \
	}

/**
 * Parse a command's options.
 *
 * "--help" prints the usage and returns PARSE_HELP (the command should then
 * return 0). A bad option or wrong argument count prints a plain message and
 * the usage line, and returns a negative error.
 *
 * @argc	argument count
 * @argv	arguments
 * @cmd		what the command accepts
 * @opts	options structure, zeroed then filled in (may be NULL if none)
 * @ret first	index of the first non-option argument (>= 1), PARSE_HELP,
 *		or a negative error
 */
int parse_options(int argc, char **argv, const struct command_descriptor *cmd,
		  void *opts);
#define PARSE_HELP 0

/** Print "Usage:" for a command */
void print_usage(const char *name, const struct command_descriptor *cmd);

/* Value parsers for OPTION_DESC and for positional arguments */
/** A flag: sets an int to 1 */
int parse_flag(char *text, int *flag);
/** Any string: stores the pointer (into argv) */
int parse_string(char *text, char **value);
/** A non-negative integer (decimal, 0x hex, 0 octal) */
int parse_integer(char *text, unsigned int *value);
/** A timeout in milliseconds */
int parse_timeout(char *text, unsigned long *value);
/** A key: a single character, "^X" for Ctrl-X, or a number */
int parse_key(char *text, unsigned int *key);

#endif
