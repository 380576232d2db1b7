/* The image registry: naming, probing, selecting and running images. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/image.h>
#include <keel/uri.h>

LIST_HEAD(images);
struct image *current_image;

static void free_image(struct refcnt *refcnt)
{
	struct image *image = container_of(refcnt, struct image, refcnt);

	if (image->replacement)
		image_put(image->replacement);
	uri_put(image->uri);
	free(image->name);
	free(image->data);
	free(image->cmdline);
	free(image);
}

/** The last segment of a URI's path, or NULL if it has none */
static const char *uri_basename(struct uri *uri)
{
	const char *slash;

	if (!uri || !uri->path)
		return NULL;
	slash = strrchr(uri->path, '/');
	slash = slash ? slash + 1 : uri->path;
	return slash[0] ? slash : NULL;
}

struct image *alloc_image(struct uri *uri)
{
	struct image *image = zalloc(sizeof(*image));
	const char *name = uri_basename(uri);

	if (!image)
		return NULL;
	ref_init(&image->refcnt, free_image);
	INIT_LIST_HEAD(&image->list);
	if (uri)
		image->uri = uri_get(uri);
	if (name && image_set_name(image, name) != 0) {
		image_put(image);
		return NULL;
	}
	return image;
}

/** Replace a malloc'd string field with a copy of @text (or NULL) */
static int image_set_string(char **field, const char *text)
{
	char *copy = NULL;

	if (text && !(copy = strdup(text)))
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

int image_set_name(struct image *image, const char *name)
{
	struct image *other;
	int rc;

	if ((rc = image_set_string(&image->name, name)) != 0)
		return rc;
	if (!(image->flags & IMAGE_REGISTERED) || !name)
		return 0;
	list_for_each_entry(other, &images, list) {
		if (other != image && strcmp(other->name, name) == 0) {
			unregister_image(other);
			break;
		}
	}
	return 0;
}

int image_set_cmdline(struct image *image, const char *cmdline)
{
	return image_set_string(&image->cmdline, cmdline);
}

int image_set_data(struct image *image, const void *data, size_t len)
{
	char *copy = malloc(len + 1);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, len);
	copy[len] = '\0'; /* scripts may treat the data as a string */
	free(image->data);
	image->data = copy;
	image->len = len;
	image->type = NULL;
	return 0;
}

struct image *find_image(const char *name)
{
	struct image *image;

	list_for_each_entry(image, &images, list) {
		if (image->name && strcmp(image->name, name) == 0)
			return image;
	}
	return NULL;
}

struct image *find_selected_image(void)
{
	struct image *image;

	list_for_each_entry(image, &images, list) {
		if (image->flags & IMAGE_SELECTED)
			return image;
	}
	return NULL;
}

int register_image(struct image *image)
{
	static unsigned int anon;
	struct image *old;
	char name[16];
	int rc;

	if (image->flags & IMAGE_REGISTERED)
		return 0;
	if (!image->name) {
		snprintf(name, sizeof(name), "img%u", anon++);
		if ((rc = image_set_name(image, name)) != 0)
			return rc;
	}
	old = find_image(image->name);
	if (old)
		unregister_image(old);
	if (!image->data && (rc = image_set_data(image, "", 0)) != 0)
		return rc;
	image_probe(image);
	image_get(image);
	list_add_tail(&image->list, &images);
	image->flags |= IMAGE_REGISTERED;
	DBGC(image, "registered %s (%zu bytes)\n", image->name, image->len);
	return 0;
}

void unregister_image(struct image *image)
{
	if (!(image->flags & IMAGE_REGISTERED))
		return;
	list_del(&image->list);
	image->flags &= ~(IMAGE_REGISTERED | IMAGE_SELECTED);
	image_put(image);
}

int image_probe(struct image *image)
{
	struct image_type *type;

	if (image->type)
		return 0;
	for_each_table_entry(type, IMAGE_TYPES) {
		if (type->probe(image) == 0) {
			image->type = type;
			return 0;
		}
	}
	return errctx(-ENOEXEC,
		      "%s is not a script or any other format this "
		      "build can boot",
		      image->name ? image->name : "the image");
}

int image_select(struct image *image)
{
	struct image *other;
	int rc;

	if ((rc = image_probe(image)) != 0)
		return rc;
	list_for_each_entry(other, &images, list)
		other->flags &= ~IMAGE_SELECTED;
	image->flags |= IMAGE_SELECTED;
	return 0;
}

int image_replace(struct image *replacement)
{
	struct image *image = current_image;
	int rc;

	if (!image)
		return errctx(-ENOTTY, "no image is running to be replaced");
	if ((rc = image_probe(replacement)) != 0)
		return rc;
	if (image->replacement)
		image_put(image->replacement);
	image->replacement = image_get(replacement);
	shell_stop(SHELL_STOP_COMMAND_SEQUENCE);
	return 0;
}

/** Run one image with cwuri set to its URI; returns its replacement */
static int image_exec_one(struct image *image, struct image **replacement)
{
	struct image *saved = current_image;
	struct uri *saved_cwuri = cwuri ? uri_get(cwuri) : NULL;
	int rc;

	current_image = image;
	if (image->uri)
		churi(image->uri);
	rc = image->type->exec(image);
	churi(saved_cwuri);
	uri_put(saved_cwuri);
	current_image = saved;
	*replacement = image->replacement;
	image->replacement = NULL;
	if (image->flags & IMAGE_AUTO_UNREGISTER)
		unregister_image(image);
	return rc;
}

int image_exec(struct image *image)
{
	struct image *next;
	int rc;

	image_get(image);
	for (;;) {
		if ((rc = image_probe(image)) != 0) {
			if (image->flags & IMAGE_AUTO_UNREGISTER)
				unregister_image(image);
			image_put(image);
			return rc;
		}
		rc = image_exec_one(image, &next);
		image_put(image);
		if (!next)
			return rc;
		/* The replacement holds the reference image_replace() took */
		image = next;
	}
}
