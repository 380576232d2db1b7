/* The image registry: naming, probing and running images. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/image.h>

LIST_HEAD(images);
struct image *current_image;

static void free_image(struct refcnt *refcnt)
{
	struct image *image = container_of(refcnt, struct image, refcnt);

	free(image->name);
	free(image->uri);
	free(image->data);
	free(image->cmdline);
	free(image);
}

struct image *alloc_image(const char *uri)
{
	struct image *image = zalloc(sizeof(*image));

	if (!image)
		return NULL;
	ref_init(&image->refcnt, free_image);
	INIT_LIST_HEAD(&image->list);
	if (uri && !(image->uri = strdup(uri))) {
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
	return image_set_string(&image->name, name);
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

int register_image(struct image *image)
{
	static unsigned int anon;
	struct image *old;
	char name[16];
	int rc;

	if (!image->name) {
		snprintf(name, sizeof(name), "img%u", anon++);
		if ((rc = image_set_name(image, name)) != 0)
			return rc;
	}
	old = find_image(image->name);
	if (old && old != image)
		unregister_image(old);
	image_get(image);
	list_add_tail(&image->list, &images);
	image->flags |= IMAGE_REGISTERED;
	return 0;
}

void unregister_image(struct image *image)
{
	if (!(image->flags & IMAGE_REGISTERED))
		return;
	list_del(&image->list);
	image->flags &= ~IMAGE_REGISTERED;
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
	return errctx(-ENOEXEC, "%s is not a script or any image format "
				"this build knows", image->name ? image->name :
								  "image");
}

int image_exec(struct image *image)
{
	struct image *saved = current_image;
	int rc;

	if ((rc = image_probe(image)) != 0)
		return rc;
	image_get(image);
	current_image = image;
	rc = image->type->exec(image);
	current_image = saved;
	if (image->flags & IMAGE_AUTO_UNREGISTER)
		unregister_image(image);
	image_put(image);
	return rc;
}
