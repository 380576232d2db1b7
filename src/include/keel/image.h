/* Images: loaded things that can be run (scripts, kernels, NBPs, EFI). */
#ifndef KEEL_IMAGE_H
#define KEEL_IMAGE_H
#include <stddef.h>
#include <keel/list.h>
#include <keel/refcnt.h>
#include <keel/tables.h>

struct image;
struct uri;

/** A kind of image: how to recognise it and how to run it */
struct image_type {
	const char *name;
	/**
	 * Recognise the image's format.
	 *
	 * @ret rc	0 if this type handles the image, -ENOEXEC if not
	 */
	int (*probe)(struct image *image);
	/**
	 * Run the image. A type reports its own failures plainly (a script
	 * prints the failing line); callers print nothing more.
	 */
	int (*exec)(struct image *image);
};
#define IMAGE_TYPES __table(struct image_type, "image_types")
/* Probe order: specific formats first, scripts last */
#define PROBE_NORMAL	    01
#define PROBE_SCRIPT	    02
#define __image_type(order) __table_entry(IMAGE_TYPES, order)

/** An image */
struct image {
	struct refcnt refcnt;
	/** Link in the list of registered images */
	struct list_head list;
	/** Name (unique among registered images) */
	char *name;
	/** Where it came from (absolute), or NULL */
	struct uri *uri;
	/** Contents (owned, malloc'd, with a NUL after the last byte) */
	char *data;
	size_t len;
	/** Command line, or NULL */
	char *cmdline;
	/** Type, once probed */
	struct image_type *type;
	/** IMAGE_* flags */
	unsigned int flags;
	/** Image to run once this one returns (chain --replace), or NULL */
	struct image *replacement;
};
#define IMAGE_REGISTERED 0x01
#define IMAGE_SELECTED	 0x02
/** Free the image once it has run (imgfetch --autofree) */
#define IMAGE_AUTO_UNREGISTER 0x04

/** Every registered image, in registration order */
extern struct list_head images;

/** The image currently executing, or NULL */
extern struct image *current_image;

/**
 * Allocate an empty image. Its name defaults to the last segment of the
 * URI's path ("http://server/boot.ipxe?x=1" gives "boot.ipxe").
 *
 * @uri		where it comes from (referenced), or NULL
 */
struct image *alloc_image(struct uri *uri);
/**
 * Set (copy) an image's name. A registered image takes the name from any
 * other registered image of that name, which is unregistered.
 */
int image_set_name(struct image *image, const char *name);
/** Set (copy) an image's contents */
int image_set_data(struct image *image, const void *data, size_t len);
/** Set (copy) an image's command line, NULL to clear */
int image_set_cmdline(struct image *image, const char *cmdline);
/**
 * Register an image; another image with the same name is replaced. An
 * image without a name is called imgN. Its type is probed (quietly).
 */
int register_image(struct image *image);
/** Unregister an image (drops the registry's reference) */
void unregister_image(struct image *image);
/** Find a registered image by name, or NULL */
struct image *find_image(const char *name);
/** The selected image (imgselect, kernel), or NULL */
struct image *find_selected_image(void);
/** Identify an image's type */
int image_probe(struct image *image);
/** Probe an image and make it the selected one */
int image_select(struct image *image);
/**
 * Run an image: probe it if needed, make it current, change cwuri to its
 * URI while it runs, run it. An --autofree image is unregistered after.
 * If it named a replacement (image_replace()), that runs next, in its
 * place.
 *
 * @ret rc	its status (the replacement's, if one ran)
 */
int image_exec(struct image *image);
/**
 * Make @replacement run instead of the current image once the current one
 * returns; a running script stops after the current line.
 *
 * @ret rc	0, -ENOTTY if no image is running, or a probe error
 */
int image_replace(struct image *replacement);

static inline struct image *image_get(struct image *image)
{
	ref_get(&image->refcnt);
	return image;
}
static inline void image_put(struct image *image)
{
	ref_put(&image->refcnt);
}

#endif
