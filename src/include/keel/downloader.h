/* Downloads: a URI's data delivered into an image. */
#ifndef KEEL_DOWNLOADER_H
#define KEEL_DOWNLOADER_H
#include <stddef.h>

struct interface;
struct image;
struct uri;

/**
 * Start downloading @image->uri into @image (which must not be
 * registered yet). Deliveries may come in any order (XFER_FL_ABS_OFFSET);
 * gaps read as zeros. A XFER_FL_SIZE_HINT lets the downloader allocate
 * once. The outcome arrives as intf_close() on @job: 0 once image->data
 * and image->len hold the whole download, else the opener's error.
 * Shutting @job down cancels the download.
 *
 * @ret rc	0 if started (the job is then always closed later), or an
 *		error (the job is closed with it too)
 */
int create_downloader(struct interface *job, struct image *image);

/** How far a download has come */
struct download_progress {
	/** Bytes received so far */
	size_t received;
	/** Expected total, or 0 if unknown */
	size_t total;
};
/**
 * Ask the downloader plugged into @job how far it has come. Default (not
 * a downloader): nothing received, total unknown.
 */
void download_progress(struct interface *job,
		       struct download_progress *progress);
#define download_progress_TYPE(object_type)                                    \
	void (*)(object_type, struct download_progress *)

/** Show no progress line and no failure message */
#define DOWNLOAD_QUIET 0x01

/**
 * Download a URI into a new registered image, stepping the scheduler until
 * it completes. Shows a progress line (name, size, percentage when the
 * total is known, rate), in place on a terminal and sparingly on a serial
 * console, and "Could not fetch URI: reason" on failure.
 *
 * @uri		URI; a relative one is resolved against cwuri
 * @name	image name, or NULL for the last segment of the URI's path
 * @timeout_ms	limit for the whole download (0: none): -ETIMEDOUT
 * @flags	DOWNLOAD_*
 * @image	registered image, filled in with a reference to image_put()
 * @ret rc	0, -ECANCELED on Ctrl-C, or the download's error
 */
int imgdownload(struct uri *uri, const char *name, unsigned long timeout_ms,
		unsigned int flags, struct image **image);
/** As imgdownload(), parsing @uri_string first */
int imgdownload_string(const char *uri_string, const char *name,
		       unsigned long timeout_ms, unsigned int flags,
		       struct image **image);

#endif
