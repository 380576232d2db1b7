/* Menu commands: menu, item and choose, as iPXE scripts use them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/menu.h>
#include <keel/parseopt.h>
#include <keel/settings.h>

/** Find a menu by name (NULL: the unnamed one), saying so if there is none */
static int menu_lookup(const char *cmd, const char *name, struct menu **menu)
{
	*menu = find_menu(name);
	if (*menu)
		return 0;
	printf("%s: no menu called \"%s\"\n", cmd, name ? name : "(unnamed)");
	return errctx(-ENOENT, "no menu \"%s\"", name ? name : "(unnamed)");
}

struct menu_options {
	char *name;
	int delete;
};

static const struct option_descriptor menu_opts[] = {
	OPTION_DESC("name", 'n', required_argument, struct menu_options, name,
		    parse_string),
	OPTION_DESC("delete", 'd', no_argument, struct menu_options, delete,
		    parse_flag),
};

static const struct command_descriptor menu_cmd =
	COMMAND_DESC(struct menu_options, menu_opts, 0, MAX_ARGUMENTS,
		     "[--name <name>] [--delete] [<title>]");

static int menu_exec(int argc, char **argv)
{
	struct menu_options opts;
	struct menu *menu;
	char *title;
	int first = parse_options(argc, argv, &menu_cmd, &opts), rc;

	if (first <= 0)
		return first;
	if (opts.delete) {
		rc = menu_lookup(argv[0], opts.name, &menu);
		if (rc == 0)
			destroy_menu(menu);
		return rc;
	}
	title = concat_args(&argv[first]);
	if (!title)
		return -ENOMEM;
	menu = create_menu(opts.name, title);
	free(title);
	return menu ? 0 : -ENOMEM;
}

struct item_options {
	char *menu;
	unsigned int key;
	int is_default;
	int is_gap;
};

static const struct option_descriptor item_opts[] = {
	OPTION_DESC("menu", 'm', required_argument, struct item_options, menu,
		    parse_string),
	OPTION_DESC("key", 'k', required_argument, struct item_options, key,
		    parse_key),
	OPTION_DESC("default", 'd', no_argument, struct item_options,
		    is_default, parse_flag),
	OPTION_DESC("gap", 'g', no_argument, struct item_options, is_gap,
		    parse_flag),
};

static const struct command_descriptor item_cmd = COMMAND_DESC(
	struct item_options, item_opts, 0, MAX_ARGUMENTS,
	"[--menu <menu>] [--key <key>] [--default] [--gap] "
	"[<label> [<text>]]");

static int item_exec(int argc, char **argv)
{
	struct item_options opts;
	struct menu *menu;
	char *label = NULL, *text;
	int first = parse_options(argc, argv, &item_cmd, &opts), rc;

	if (first <= 0)
		return first;
	rc = menu_lookup(argv[0], opts.menu, &menu);
	if (rc != 0)
		return rc;
	/* A gap has only text; an item without a label is a gap as well */
	if (!opts.is_gap && first < argc)
		label = argv[first++];
	text = concat_args(&argv[first]);
	if (!text)
		return -ENOMEM;
	rc = add_menu_item(menu, label, text, (int)opts.key, opts.is_default);
	free(text);
	return rc;
}

struct choose_options {
	char *menu;
	char *select;
	unsigned long timeout;
	int keep;
};

static const struct option_descriptor choose_opts[] = {
	OPTION_DESC("menu", 'm', required_argument, struct choose_options, menu,
		    parse_string),
	OPTION_DESC("default", 'd', required_argument, struct choose_options,
		    select, parse_string),
	OPTION_DESC("timeout", 't', required_argument, struct choose_options,
		    timeout, parse_timeout),
	OPTION_DESC("keep", 'k', no_argument, struct choose_options, keep,
		    parse_flag),
};

static const struct command_descriptor choose_cmd = COMMAND_DESC(
	struct choose_options, choose_opts, 1, 1,
	"[--menu <menu>] [--default <label>] [--timeout <ms>] [--keep] "
	"<setting>");

static int choose_exec(int argc, char **argv)
{
	struct choose_options opts;
	struct menu_item *item;
	struct menu *menu;
	int first = parse_options(argc, argv, &choose_cmd, &opts), rc;

	if (first <= 0)
		return first;
	rc = menu_lookup(argv[0], opts.menu, &menu);
	if (rc != 0)
		return rc;
	rc = show_menu(menu, opts.timeout, opts.select, &item);
	if (rc == 0)
		rc = storef_named_setting(argv[first], item->label);
	else if (rc_is(rc, ENOENT))
		printf("%s: nothing to choose in the menu\n", argv[0]);
	if (!opts.keep)
		destroy_menu(menu);
	return rc;
}

struct command menu_commands[] __command = {
	{ .name = "menu", .exec = menu_exec,
	  .summary = "Create (or delete) a menu" },
	{ .name = "item", .exec = item_exec, .summary = "Add a menu item" },
	{ .name = "choose", .exec = choose_exec,
	  .summary = "Show a menu and store the chosen label" },
};
