/* Form parameter commands: params (create, delete) and param (add). */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/params.h>
#include <keel/parseopt.h>

/** A list by name, or a plain complaint */
static int params_find(const char *cmd, const char *name,
		       struct parameters **params)
{
	int rc;

	if ((*params = find_parameters(name)))
		return 0;
	if (name && name[0])
		rc = errctx(-ENOENT,
			    "no parameter list called \"%s\" "
			    "(create it with params --name %s)",
			    name, name);
	else
		rc = errctx(-ENOENT, "no unnamed parameter list (create it "
				     "with params)");
	printf("%s: %s\n", cmd, strerror(rc));
	return rc;
}

struct params_options {
	char *name;
	int delete;
};

static const struct option_descriptor params_opts[] = {
	OPTION_DESC("name", 'n', required_argument, struct params_options, name,
		    parse_string),
	OPTION_DESC("delete", 'd', no_argument, struct params_options, delete,
		    parse_flag),
};

static const struct command_descriptor params_cmd = COMMAND_DESC(
	struct params_options, params_opts, 0, 0, "[--name <name>] [--delete]");

static int params_exec(int argc, char **argv)
{
	struct params_options opts;
	struct parameters *params;
	int first = parse_options(argc, argv, &params_cmd, &opts), rc;

	if (first <= 0)
		return first;
	if (opts.delete) {
		if ((rc = params_find(argv[0], opts.name, &params)) != 0)
			return rc;
		destroy_parameters(params);
		return 0;
	}
	return create_parameters(opts.name) ? 0 : -ENOMEM;
}

struct param_options {
	char *params;
	int header;
};

static const struct option_descriptor param_opts[] = {
	OPTION_DESC("params", 'p', required_argument, struct param_options,
		    params, parse_string),
	OPTION_DESC("header", 'H', no_argument, struct param_options, header,
		    parse_flag),
};

static const struct command_descriptor param_cmd =
	COMMAND_DESC(struct param_options, param_opts, 1, MAX_ARGUMENTS,
		     "[--params <name>] [--header] <key> [<value>]");

static int param_exec(int argc, char **argv)
{
	struct param_options opts;
	struct parameters *params;
	char *value;
	int first = parse_options(argc, argv, &param_cmd, &opts), rc;

	if (first <= 0)
		return first;
	if ((rc = params_find(argv[0], opts.params, &params)) != 0)
		return rc;
	/* The value is the rest of the line, as words rejoined */
	if (!(value = concat_args(&argv[first + 1])))
		return -ENOMEM;
	rc = add_parameter(params, argv[first], value,
			   opts.header ? PARAMETER_HEADER : PARAMETER_FORM);
	free(value);
	return rc;
}

struct command param_commands[] __command = {
	{.name = "params",
	 .exec = params_exec,
	 .summary = "Create (or delete) a form parameter list"},
	{.name = "param",
	 .exec = param_exec,
	 .summary = "Add a form parameter or request header to a list"},
};
