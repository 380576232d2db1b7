/* The login command: ask for a username and password, store them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/editstring.h>
#include <keel/parseopt.h>
#include <keel/settings.h>

static const struct command_descriptor login_cmd =
	COMMAND_DESC_NOOPTS(0, 0, "");

/** Ask for one value: shown (prefilled with the current one) or masked */
static int login_ask(const char *prompt, const char *setting, int mask,
		     char **value)
{
	struct readline_opts opts = { .prompt = prompt, .mask = mask };
	char *current = NULL;
	int rc;

	if (!mask && fetchf_named_setting_copy(setting, &current) < 0)
		current = NULL;
	opts.prefill = current;
	rc = readline_ext(&opts, value);
	free(current);
	return rc;
}

static int login_exec(int argc, char **argv)
{
	char *username = NULL, *password = NULL;
	int first = parse_options(argc, argv, &login_cmd, NULL), rc;

	if (first <= 0)
		return first;
	rc = login_ask("Username: ", "username", 0, &username);
	if (rc != 0)
		goto out;
	rc = login_ask("Password: ", "password", '*', &password);
	if (rc != 0)
		goto out;
	rc = storef_named_setting("username", username);
	if (rc == 0)
		rc = storef_named_setting("password", password);
	if (rc != 0)
		printf("%s: %s\n", argv[0], strerror(rc));
out:
	if (password)
		memset(password, 0, strlen(password));
	free(password);
	free(username);
	return rc;
}

struct command login_command __command = {
	.name = "login",
	.exec = login_exec,
	.summary = "Ask for a username and password",
};
