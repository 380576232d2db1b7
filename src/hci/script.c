/* Script images: line reading, labels, continuation, goto, and failure reports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/console.h>
#include <keel/image.h>
#include <keel/parseopt.h>
#include <keel/script.h>

/** Offset of the next line of the running script; goto moves it */
static size_t script_offset;

/** One logical line of a script */
struct script_line {
	/** Offset of the line's first physical line */
	size_t offset;
	/** Text (malloc'd): continuations joined, CR stripped */
	char *text;
	/** Label (points into text), or NULL */
	char *label;
	/** Command (points into text) */
	char *command;
};

/** Append @len bytes to a growing line */
static int line_append(char **text, size_t *used, const char *data, size_t len)
{
	char *bigger = realloc(*text, *used + len + 1);

	if (!bigger)
		return -ENOMEM;
	memcpy(bigger + *used, data, len);
	*used += len;
	bigger[*used] = '\0';
	*text = bigger;
	return 0;
}

/**
 * Read the logical line at *@offset, advancing it past the line.
 *
 * @image	script
 * @offset	where to read; updated
 * @line	line, filled in (free line->text)
 * @ret rc	0 or -ENOMEM
 */
static int script_read_line(struct image *image, size_t *offset,
			    struct script_line *line)
{
	const char *start, *eol;
	size_t used = 0, len;
	int rc;

	line->offset = *offset;
	line->text = NULL;
	do {
		start = image->data + *offset;
		eol = memchr(start, '\n', image->len - *offset);
		len = eol ? (size_t)(eol - start) : image->len - *offset;
		*offset += len + (eol ? 1 : 0);
		if (len && start[len - 1] == '\r')
			len--;
		if ((rc = line_append(&line->text, &used, start, len)) != 0)
			return rc;
		/* A trailing backslash joins the next line */
	} while (used && line->text[used - 1] == '\\' &&
		 (line->text[--used] = '\0', *offset < image->len));
	/* Split an optional ":label" from the command that may follow it */
	line->command = line->text;
	while (isspace((unsigned char)*line->command))
		line->command++;
	line->label = NULL;
	if (*line->command == ':') {
		line->label = ++line->command;
		while (*line->command && !isspace((unsigned char)*line->command))
			line->command++;
		if (*line->command)
			*line->command++ = '\0';
	}
	return 0;
}

/** Line number (1-based) of an offset, for messages */
static unsigned int script_line_number(struct image *image, size_t offset)
{
	unsigned int n = 1;
	size_t i;

	for (i = 0; i < offset && i < image->len; i++)
		n += (image->data[i] == '\n');
	return n;
}

static int script_exec(struct image *image)
{
	size_t saved = script_offset;
	struct script_line line;
	int rc = 0, stopped;

	script_offset = 0;
	while (script_offset < image->len) {
		if ((rc = script_read_line(image, &script_offset, &line)) != 0)
			break;
		if (console_interrupted())
			rc = errctx(-ECANCELED, "stopped by Ctrl-C");
		else {
			DBGC(image, "%s:%u: %s\n", image->name,
			     script_line_number(image, line.offset),
			     line.command);
			rc = system(line.command);
		}
		stopped = shell_stopped(SHELL_STOP_COMMAND_SEQUENCE);
		if (rc && !stopped)
			printf("%s line %u: \"%s\" failed: %s\n", image->name,
			       script_line_number(image, line.offset),
			       line.command, strerror(rc));
		free(line.text);
		if (rc || stopped)
			break;
	}
	script_offset = saved;
	return rc;
}

int script_signature_ok(const char *data, size_t len)
{
	return len >= 7 &&
	       (memcmp(data, "#!ipxe", 6) == 0 ||
		memcmp(data, "#!gpxe", 6) == 0) &&
	       isspace((unsigned char)data[6]);
}

static int script_probe(struct image *image)
{
	return script_signature_ok(image->data, image->len) ? 0 : -ENOEXEC;
}

struct image_type script_image_type __image_type(PROBE_SCRIPT) = {
	.name = "script",
	.probe = script_probe,
	.exec = script_exec,
};

int script_run(const char *data, size_t len, const char *name)
{
	struct image *image = alloc_image(NULL);
	int rc;

	if (!image)
		return -ENOMEM;
	if ((rc = image_set_name(image, name)) != 0 ||
	    (rc = image_set_data(image, data, len)) != 0)
		goto out;
	if (!script_signature_ok(data, len)) {
		printf("%s: not a script (it must start with \"#!ipxe\")\n",
		       name);
		rc = errctx(-ENOEXEC, "%s has no #!ipxe line", name);
		goto out;
	}
	if ((rc = register_image(image)) != 0)
		goto out;
	rc = image_exec(image);
	unregister_image(image);
out:
	image_put(image);
	return rc;
}

/** Find @label in @image; returns the offset of its line, or -ENOENT */
static int script_find_label(struct image *image, const char *label,
			     size_t *found)
{
	struct script_line line;
	size_t offset = 0;
	int rc, match;

	while (offset < image->len) {
		if ((rc = script_read_line(image, &offset, &line)) != 0)
			return rc;
		match = line.label && strcmp(line.label, label) == 0;
		free(line.text);
		if (match) {
			*found = line.offset;
			return 0;
		}
	}
	return errctx(-ENOENT, "no label \":%s\" in %s", label, image->name);
}

static const struct command_descriptor goto_cmd =
	COMMAND_DESC_NOOPTS(1, 1, "<label>");

static int goto_exec(int argc, char **argv)
{
	struct image *image = current_image;
	size_t offset = 0;
	int rc;

	if ((rc = parse_options(argc, argv, &goto_cmd, NULL)) <= 0)
		return rc;
	if (!image || image->type != &script_image_type) {
		printf("goto: not in a script\n");
		return -ENOTTY;
	}
	if ((rc = script_find_label(image, argv[rc], &offset)) != 0) {
		printf("goto: %s\n", strerror(rc));
		return rc;
	}
	script_offset = offset;
	shell_stop(SHELL_STOP_COMMAND);
	return 0;
}

struct command goto_command __command = {
	.name = "goto",
	.exec = goto_exec,
	.summary = "Jump to a :label in the running script",
};
