/* Image commands: imgfetch, imgselect, imgexec, imgfree, imgstat, imgargs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/downloader.h>
#include <keel/image.h>
#include <keel/parseopt.h>

/* ------------------------------------------------------------------------
 * imgfetch, imgselect and imgexec: one image, named or fetched
 */

struct imgsingle_options {
	char *name;
	unsigned long timeout;
	int autofree;
	int replace;
};

static const struct option_descriptor imgsingle_opts[] = {
	OPTION_DESC("name", 'n', required_argument, struct imgsingle_options,
		    name, parse_string),
	OPTION_DESC("timeout", 't', required_argument, struct imgsingle_options,
		    timeout, parse_timeout),
	OPTION_DESC("autofree", 'a', no_argument, struct imgsingle_options,
		    autofree, parse_flag),
	/* imgexec only: it must stay last (see IMGSINGLE_DESC) */
	OPTION_DESC("replace", 'r', no_argument, struct imgsingle_options,
		    replace, parse_flag),
};

/** What one of the three commands does with its image */
struct imgsingle_action {
	const struct command_descriptor cmd;
	/** Act on the image */
	int (*act)(struct image *image, struct imgsingle_options *opts);
};

/**
 * An image by name if one is registered, else fetched from a URI (iPXE's
 * imgacquire).
 */
static int imgacquire(const char *name_or_uri, struct imgsingle_options *opts,
		      struct image **image)
{
	struct image *found = find_image(name_or_uri);

	if (found) {
		*image = image_get(found);
		return 0;
	}
	return imgdownload_string(name_or_uri, opts->name, opts->timeout, 0,
				  image);
}

/** The image to act on: the argument, else (imgexec) the selected one */
static int imgsingle_image(int argc, char **argv, int first,
			   struct imgsingle_options *opts, struct image **image)
{
	struct image *selected;

	if (first < argc)
		return imgacquire(argv[first], opts, image);
	if (!(selected = find_selected_image())) {
		printf("%s: no image is selected (use kernel or imgselect "
		       "first)\n",
		       argv[0]);
		return errctx(-ENOENT, "no image is selected");
	}
	*image = image_get(selected);
	return 0;
}

/** --name, then arguments after the image as its command line, then flags */
static int imgsingle_setup(struct image *image, char **args,
			   struct imgsingle_options *opts)
{
	char *cmdline;
	int rc;

	if (opts->name && strcmp(image->name, opts->name) != 0 &&
	    (rc = image_set_name(image, opts->name)) != 0)
		return rc;
	if (args[0]) {
		if (!(cmdline = concat_args(args)))
			return -ENOMEM;
		rc = image_set_cmdline(image, cmdline);
		free(cmdline);
		if (rc)
			return rc;
	}
	if (opts->autofree)
		image->flags |= IMAGE_AUTO_UNREGISTER;
	return 0;
}

static int imgsingle_exec(int argc, char **argv,
			  const struct imgsingle_action *action)
{
	struct imgsingle_options opts;
	struct image *image;
	int first = parse_options(argc, argv, &action->cmd, &opts), rc;

	if (first <= 0)
		return first;
	if ((rc = imgsingle_image(argc, argv, first, &opts, &image)) != 0)
		return rc;
	rc = imgsingle_setup(image, &argv[(first < argc) ? first + 1 : argc],
			     &opts);
	if (rc == 0)
		rc = action->act(image, &opts);
	image_put(image);
	return rc;
}

static int imgfetch_act(struct image *image, struct imgsingle_options *opts)
{
	return 0;
}

static int imgselect_act(struct image *image, struct imgsingle_options *opts)
{
	int rc = image_select(image);

	if (rc)
		printf("Could not select %s: %s\n", image->name, strerror(rc));
	return rc;
}

static int imgexec_act(struct image *image, struct imgsingle_options *opts)
{
	int rc = image_probe(image);

	if (rc) {
		printf("Could not boot image: %s\n", strerror(rc));
		return rc;
	}
	/* Outside any image there is nothing to replace: just run it */
	if (opts->replace && current_image)
		return image_replace(image);
	return image_exec(image);
}

#define IMGSINGLE_USAGE "[--name <name>] [--timeout <ms>] [--autofree] "

/** A descriptor taking the first @count options of imgsingle_opts */
#define IMGSINGLE_DESC(count, min, usage_text)                                 \
	{                                                                      \
		.options = imgsingle_opts, .num_options = (count),             \
		.len = sizeof(struct imgsingle_options), .min_args = (min),    \
		.max_args = MAX_ARGUMENTS, .usage = (usage_text),              \
	}

/* imgfetch and imgselect take every option but --replace */
static const struct imgsingle_action imgfetch_action = {
	.cmd = IMGSINGLE_DESC(ARRAY_SIZE(imgsingle_opts) - 1, 1,
			      IMGSINGLE_USAGE "<uri|image> [<arguments>...]"),
	.act = imgfetch_act,
};

static const struct imgsingle_action imgselect_action = {
	.cmd = IMGSINGLE_DESC(ARRAY_SIZE(imgsingle_opts) - 1, 1,
			      IMGSINGLE_USAGE "<uri|image> [<arguments>...]"),
	.act = imgselect_act,
};

static const struct imgsingle_action imgexec_action = {
	.cmd = IMGSINGLE_DESC(ARRAY_SIZE(imgsingle_opts), 0,
			      IMGSINGLE_USAGE
			      "[--replace] [<uri|image> [<arguments>...]]"),
	.act = imgexec_act,
};

static int imgfetch_exec(int argc, char **argv)
{
	return imgsingle_exec(argc, argv, &imgfetch_action);
}

static int imgselect_exec(int argc, char **argv)
{
	return imgsingle_exec(argc, argv, &imgselect_action);
}

static int imgexec_exec(int argc, char **argv)
{
	return imgsingle_exec(argc, argv, &imgexec_action);
}

/* ------------------------------------------------------------------------
 * imgfree, imgstat and imgargs: registered images
 */

/** A registered image by name, or a plain complaint */
static int imgmulti_find(const char *cmd, const char *name,
			 struct image **image)
{
	if ((*image = find_image(name)))
		return 0;
	printf("%s: no image called \"%s\"\n", cmd, name);
	return errctx(-ENOENT, "no image called \"%s\"", name);
}

/** Run @fn on each named image, or on every image if none is named */
static int imgmulti(int argc, char **argv, int first,
		    int (*fn)(struct image *image))
{
	struct image *image, *tmp;
	int i, rc;

	if (first == argc) {
		list_for_each_entry_safe(image, tmp, &images, list) {
			if ((rc = fn(image)) != 0)
				return rc;
		}
		return 0;
	}
	for (i = first; i < argc; i++) {
		if ((rc = imgmulti_find(argv[0], argv[i], &image)) != 0 ||
		    (rc = fn(image)) != 0)
			return rc;
	}
	return 0;
}

static int imgfree_one(struct image *image)
{
	unregister_image(image);
	return 0;
}

/** "name : 1234 bytes [script] [SELECTED] "cmdline"" */
static int imgstat_one(struct image *image)
{
	printf("%s : %zu bytes", image->name, image->len);
	if (image->type)
		printf(" [%s]", image->type->name);
	if (image->flags & IMAGE_SELECTED)
		printf(" [SELECTED]");
	if (image->flags & IMAGE_AUTO_UNREGISTER)
		printf(" [AUTOFREE]");
	if (image->cmdline)
		printf(" \"%s\"", image->cmdline);
	printf("\n");
	return 0;
}

static const struct command_descriptor imgmulti_cmd =
	COMMAND_DESC_NOOPTS(0, MAX_ARGUMENTS, "[<image>...]");

static int imgfree_exec(int argc, char **argv)
{
	int first = parse_options(argc, argv, &imgmulti_cmd, NULL);

	return (first <= 0) ? first : imgmulti(argc, argv, first, imgfree_one);
}

static int imgstat_exec(int argc, char **argv)
{
	int first = parse_options(argc, argv, &imgmulti_cmd, NULL);

	return (first <= 0) ? first : imgmulti(argc, argv, first, imgstat_one);
}

static const struct command_descriptor imgargs_cmd =
	COMMAND_DESC_NOOPTS(1, MAX_ARGUMENTS, "<image> [<arguments>...]");

static int imgargs_exec(int argc, char **argv)
{
	struct image *image;
	char *cmdline;
	int first = parse_options(argc, argv, &imgargs_cmd, NULL), rc;

	if (first <= 0)
		return first;
	if ((rc = imgmulti_find(argv[0], argv[first], &image)) != 0)
		return rc;
	if (!(cmdline = concat_args(&argv[first + 1])))
		return -ENOMEM;
	rc = image_set_cmdline(image, cmdline[0] ? cmdline : NULL);
	free(cmdline);
	return rc;
}

struct command image_commands[] __command = {
	{.name = "imgfetch",
	 .exec = imgfetch_exec,
	 .summary = "Fetch an image"},
	{.name = "module",
	 .exec = imgfetch_exec,
	 .summary = "Fetch an image (as imgfetch)"},
	{.name = "initrd",
	 .exec = imgfetch_exec,
	 .summary = "Fetch an image (as imgfetch)"},
	{.name = "imgselect",
	 .exec = imgselect_exec,
	 .summary = "Fetch and select an image to boot"},
	{.name = "imgload",
	 .exec = imgselect_exec,
	 .summary = "Fetch and select an image (as imgselect)"},
	{.name = "kernel",
	 .exec = imgselect_exec,
	 .summary = "Fetch and select an image (as imgselect)"},
	{.name = "imgexec",
	 .exec = imgexec_exec,
	 .summary = "Fetch and run an image, or run the selected one"},
	{.name = "chain",
	 .exec = imgexec_exec,
	 .summary = "Fetch and run an image (as imgexec)"},
	{.name = "boot",
	 .exec = imgexec_exec,
	 .summary = "Run the selected image (as imgexec)"},
	{.name = "imgfree",
	 .exec = imgfree_exec,
	 .summary = "Free images (all if none is named)"},
	{.name = "imgstat", .exec = imgstat_exec, .summary = "List images"},
	{.name = "imgargs",
	 .exec = imgargs_exec,
	 .summary = "Set an image's command line"},
};
