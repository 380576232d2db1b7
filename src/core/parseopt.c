/* Command-line option parsing: --long[=value], -s [value], typed parsers,
 * usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <keel/console.h>
#include <keel/parseopt.h>

void print_usage(const char *name, const struct command_descriptor *cmd)
{
	printf("Usage:\n  %s%s%s\n", name, cmd->usage[0] ? " " : "",
	       cmd->usage);
}

/** Find an option by long name (with length) or short name */
static const struct option_descriptor *
find_option(const struct command_descriptor *cmd, const char *longopt,
	    size_t len, char shortopt)
{
	const struct option_descriptor *opt;
	unsigned int i;

	for (i = 0; i < cmd->num_options; i++) {
		opt = &cmd->options[i];
		if (longopt && strlen(opt->longopt) == len &&
		    strncmp(opt->longopt, longopt, len) == 0)
			return opt;
		if (!longopt && shortopt && opt->shortopt == shortopt)
			return opt;
	}
	return NULL;
}

/** Apply one option with its (possibly NULL) value text */
static int apply_option(const char *name, const struct option_descriptor *opt,
			char *text, void *opts)
{
	int rc;

	rc = opt->parse(text, (char *)opts + opt->offset);
	if (rc != 0)
		printf("%s: invalid value for --%s: \"%s\": %s\n", name,
		       opt->longopt, text ? text : "", strerror(rc));
	return rc;
}

/** Parse one "--long[=value]" or "-s[value]" word; returns words consumed */
static int parse_one(int argc, char **argv, int i,
		     const struct command_descriptor *cmd, void *opts)
{
	const struct option_descriptor *opt;
	char *word = argv[i], *value = NULL, *eq;
	int used = 1, rc;

	if (word[1] == '-') {
		eq = strchr(word + 2, '=');
		opt = find_option(
			cmd, word + 2,
			eq ? (size_t)(eq - word - 2) : strlen(word + 2), 0);
		if (eq)
			value = eq + 1;
	} else {
		opt = find_option(cmd, NULL, 0, word[1]);
		if (word[2])
			value = &word[2];
	}
	if (!opt) {
		printf("%s: unknown option \"%s\"\n", argv[0], word);
		return -EINVAL;
	}
	if (opt->has_arg == required_argument && !value) {
		if (i + 1 >= argc) {
			printf("%s: option --%s needs a value\n", argv[0],
			       opt->longopt);
			return -EINVAL;
		}
		value = argv[i + 1];
		used = 2;
	} else if (opt->has_arg == no_argument && value) {
		printf("%s: option --%s takes no value\n", argv[0],
		       opt->longopt);
		return -EINVAL;
	}
	rc = apply_option(argv[0], opt, value, opts);
	return rc ? rc : used;
}

int parse_options(int argc, char **argv, const struct command_descriptor *cmd,
		  void *opts)
{
	unsigned int nargs;
	int i = 1, used;

	if (opts)
		memset(opts, 0, cmd->len);
	while (i < argc && argv[i][0] == '-' && argv[i][1]) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			print_usage(argv[0], cmd);
			return PARSE_HELP;
		}
		used = parse_one(argc, argv, i, cmd, opts);
		if (used < 0)
			goto err;
		i += used;
	}
	nargs = (unsigned int)(argc - i);
	if (nargs < cmd->min_args || nargs > cmd->max_args) {
		printf("%s: %s\n", argv[0],
		       nargs < cmd->min_args ? "missing argument"
					     : "too many arguments");
		used = -EINVAL;
		goto err;
	}
	return i;

err:
	print_usage(argv[0], cmd);
	return used;
}

int parse_flag(char *text, int *flag)
{
	(void)text;
	*flag = 1;
	return 0;
}

int parse_string(char *text, char **value)
{
	*value = text;
	return 0;
}

int parse_integer(char *text, unsigned int *value)
{
	unsigned long n;
	char *end;

	if (!text[0] || text[0] == '-')
		return errctx(-EINVAL, "\"%s\" is not a number", text);
	n = strtoul(text, &end, 0);
	if (*end)
		return errctx(-EINVAL, "\"%s\" is not a number", text);
	if (n > 0xffffffffUL)
		return errctx(-ERANGE, "%s is too large", text);
	*value = (unsigned int)n;
	return 0;
}

int parse_timeout(char *text, unsigned long *value)
{
	unsigned int ms = 0;
	int rc = parse_integer(text, &ms);

	if (rc == 0)
		*value = ms;
	return rc;
}

int parse_key(char *text, unsigned int *key)
{
	/* "^X" for Ctrl-X, a single character, or a number */
	if (text[0] == '^' && text[1] && !text[2]) {
		*key = (unsigned int)CTRL(toupper((unsigned char)text[1]));
		return 0;
	}
	if (text[0] && !text[1]) {
		*key = (unsigned char)text[0];
		return 0;
	}
	return parse_integer(text, key);
}
