/* Downloads into images: growth, progress line, time limit, Ctrl-C. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <errno.h>
#include <keel/console.h>
#include <keel/downloader.h>
#include <keel/image.h>
#include <keel/interface.h>
#include <keel/malloc.h>
#include <keel/timer.h>
#include <keel/uri.h>
#include <keel/xfer.h>

/** First allocation for a download of unknown size */
#define DOWNLOAD_MIN_ALLOC 4096
/** Growing past this goes straight to the large-block path */
#define DOWNLOAD_LARGE_FROM (MALLOC_LARGE_THRESHOLD / 4)
/** Largest position accepted */
#define DOWNLOAD_MAX (SIZE_MAX / 2)
/** Once nothing has arrived for this long (ms), pause between rounds... */
#define DOWNLOAD_IDLE_AFTER_MS 2
/** ...for this long (us); data flowing is polled without pause */
#define DOWNLOAD_IDLE_US 200
/** Terminal: first progress update, then the interval between them (ms) */
#define METER_FIRST_MS	  1000
#define METER_INTERVAL_MS 250
/** Serial console: an update at most every this many ms, or each 10% */
#define METER_SERIAL_MS 5000
#define MIB		(1024UL * 1024UL)

/* ------------------------------------------------------------------------
 * The downloader object
 */

struct downloader {
	struct refcnt refcnt;
	/** To whoever waits for the outcome */
	struct interface job;
	/** To the URI opener's transfer */
	struct interface xfer;
	/** Image being filled */
	struct image *image;
	/** Bytes allocated at image->data (one more holds a NUL) */
	size_t alloc;
	/** Current position */
	size_t pos;
	/** Bytes delivered */
	size_t received;
	/** Expected total (size hint), or 0 */
	size_t total;
};

static void downloader_free(struct refcnt *refcnt)
{
	struct downloader *dl = container_of(refcnt, struct downloader, refcnt);

	image_put(dl->image);
	free(dl);
}

/** Resize the image's buffer to @size bytes (and a NUL) */
static int downloader_resize(struct downloader *dl, size_t size)
{
	char *data = realloc(dl->image->data, size + 1);

	if (!data)
		return -ENOMEM;
	dl->image->data = data;
	dl->alloc = size;
	return 0;
}

/** How much to allocate to hold @need bytes: geometric, or the hint */
static size_t downloader_grow_size(struct downloader *dl, size_t need)
{
	size_t want = (dl->alloc < DOWNLOAD_MAX) ? dl->alloc * 2 : need;

	if (want < DOWNLOAD_MIN_ALLOC)
		want = DOWNLOAD_MIN_ALLOC;
	if (want >= DOWNLOAD_LARGE_FROM && want < MALLOC_LARGE_THRESHOLD)
		want = MALLOC_LARGE_THRESHOLD;
	if (dl->total >= need && want > dl->total)
		want = dl->total;
	return (want < need) ? need : want;
}

/** Make room for @need bytes: generously, else modestly, else exactly */
static int downloader_reserve(struct downloader *dl, size_t need)
{
	size_t want, modest = need + need / 8;

	if (need <= dl->alloc && dl->image->data)
		return 0;
	want = downloader_grow_size(dl, need);
	if (downloader_resize(dl, want) == 0 ||
	    (want > modest && downloader_resize(dl, modest) == 0) ||
	    (want > need && downloader_resize(dl, need) == 0))
		return 0;
	return errctx(-ENOMEM, "no memory to hold %zu bytes of %s", need,
		      dl->image->name ? dl->image->name : "the download");
}

/** A size hint: allocate it all now if possible */
static void downloader_hint(struct downloader *dl, uint64_t total)
{
	if (total > DOWNLOAD_MAX)
		return;
	dl->total = (size_t)total;
	if (dl->total > dl->alloc && downloader_resize(dl, dl->total) != 0)
		DBGC(dl, "cannot preallocate %zu bytes\n", dl->total);
}

/** Trim the buffer to the data, terminate it, and forget the type */
static int downloader_seal(struct downloader *dl)
{
	struct image *image = dl->image;

	if (dl->alloc != image->len || !image->data) {
		if (downloader_resize(dl, image->len) != 0 && !image->data)
			return -ENOMEM;
	}
	image->data[image->len] = '\0';
	image->type = NULL;
	return 0;
}

static void downloader_finished(struct downloader *dl, int rc)
{
	/* The waiter, told, may close the job back: nothing more to do */
	if (!intf_plugged(&dl->job) && !intf_plugged(&dl->xfer))
		return;
	if (rc == 0)
		rc = downloader_seal(dl);
	DBGC(dl, "finished: %s\n", strerror(rc));
	intf_shutdown(&dl->xfer, rc);
	intf_shutdown(&dl->job, rc);
}

/** Place @len bytes at @pos, zero-filling any gap before them */
static void downloader_store(struct downloader *dl, size_t pos,
			     const void *data, size_t len)
{
	struct image *image = dl->image;

	if (pos > image->len)
		memset(image->data + image->len, 0, pos - image->len);
	memcpy(image->data + pos, data, len);
	if (pos + len > image->len)
		image->len = pos + len;
	dl->pos = pos + len;
	dl->received += len;
}

static int downloader_deliver(struct downloader *dl, struct io_buffer *iobuf,
			      struct xfer_metadata *meta)
{
	size_t len = iob_len(iobuf);
	uint64_t pos;
	int rc = 0;

	if (meta->flags & XFER_FL_SIZE_HINT) {
		downloader_hint(dl, meta->offset);
		goto out;
	}
	if (meta->flags & XFER_FL_OUT_OF_BAND)
		goto out;
	pos = (meta->flags & XFER_FL_ABS_OFFSET) ? meta->offset
						 : dl->pos + meta->offset;
	if (pos > DOWNLOAD_MAX || len > DOWNLOAD_MAX - pos) {
		rc = errctx(-EFBIG, "data at offset %llu is beyond any image",
			    (unsigned long long)pos);
	} else if ((rc = downloader_reserve(dl, (size_t)pos + len)) == 0) {
		downloader_store(dl, (size_t)pos, iobuf->data, len);
	}
out:
	free_iob(iobuf);
	if (rc)
		downloader_finished(dl, rc);
	return rc;
}

static void downloader_xfer_close(struct downloader *dl, int rc)
{
	downloader_finished(dl, rc);
}

/** The waiter gave up: cancel */
static void downloader_job_close(struct downloader *dl, int rc)
{
	downloader_finished(dl, rc ? rc : -ECANCELED);
}

static void downloader_job_progress(struct downloader *dl,
				    struct download_progress *progress)
{
	progress->received = dl->received;
	progress->total = dl->total;
}

static struct interface_operation downloader_xfer_ops[] = {
	INTF_OP(xfer_deliver, struct downloader *, downloader_deliver),
	INTF_OP(intf_close, struct downloader *, downloader_xfer_close),
};
static struct interface_descriptor downloader_xfer_desc =
	INTF_DESC(struct downloader, xfer, downloader_xfer_ops);

static struct interface_operation downloader_job_ops[] = {
	INTF_OP(intf_close, struct downloader *, downloader_job_close),
	INTF_OP(download_progress, struct downloader *,
		downloader_job_progress),
};
static struct interface_descriptor downloader_job_desc =
	INTF_DESC(struct downloader, job, downloader_job_ops);

int create_downloader(struct interface *job, struct image *image)
{
	struct downloader *dl = zalloc(sizeof(*dl));
	int rc;

	if (!dl)
		return -ENOMEM;
	ref_init(&dl->refcnt, downloader_free);
	intf_init(&dl->job, &downloader_job_desc, &dl->refcnt);
	intf_init(&dl->xfer, &downloader_xfer_desc, &dl->refcnt);
	dl->image = image_get(image);
	free(image->data);
	image->data = NULL;
	image->len = 0;
	image->type = NULL;
	intf_plug_plug(&dl->job, job);
	if (!image->uri)
		rc = errctx(-EINVAL, "the image has no URI to download");
	else
		rc = xfer_open_uri(&dl->xfer, image->uri);
	if (rc)
		downloader_finished(dl, rc);
	ref_put(&dl->refcnt);
	return rc;
}

void download_progress(struct interface *job,
		       struct download_progress *progress)
{
	struct interface *dest;
	__typeof__(download_progress_TYPE(void *)) op =
		intf_get_dest_op(job, download_progress, &dest);

	memset(progress, 0, sizeof(*progress));
	if (op)
		op(intf_object(dest), progress);
	intf_put(dest);
}

/* ------------------------------------------------------------------------
 * The progress line
 */

struct download_meter {
	/** What is downloading (the URI, without its password) */
	const char *name;
	int quiet;
	int serial;
	/** When the download started */
	unsigned long start;
	/** When the next update is due */
	unsigned long next;
	/** Serial: the next percentage worth a line */
	unsigned int next_pct;
	/** Terminal: length of the line last drawn */
	size_t shown;
	/** Updates shown */
	unsigned int updates;
};

static void meter_start(struct download_meter *m, const char *name,
			unsigned int flags)
{
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->quiet = (flags & DOWNLOAD_QUIET) != 0;
	m->serial = console_is_serial();
	m->start = currticks();
	m->next = m->start +
		  (m->serial ? METER_SERIAL_MS : METER_FIRST_MS) * TICKS_PER_MS;
	m->next_pct = 10;
	if (!m->quiet)
		printf("%s...", name);
}

static unsigned int meter_percent(const struct download_progress *p)
{
	if (!p->total || p->received >= p->total)
		return p->total ? 100 : 0;
	return (unsigned int)((uint64_t)p->received * 100 / p->total);
}

/** "4.2 MiB 45% 1.3 MiB/s" (the percentage only when the total is known) */
static void meter_stats(struct download_meter *m,
			const struct download_progress *p, char *buf,
			size_t len)
{
	unsigned long ms = (currticks() - m->start) / TICKS_PER_MS;
	uint64_t rate = ms ? (uint64_t)p->received * 1000 / ms : 0;
	size_t n = p->received;
	char size[32], speed[32], pct[8] = "";

	if (n < 10 * 1024)
		snprintf(size, sizeof(size), "%zu bytes", n);
	else if (n < 10 * MIB)
		snprintf(size, sizeof(size), "%zu KiB", n / 1024);
	else
		snprintf(size, sizeof(size), "%zu.%zu MiB", (size_t)(n / MIB),
			 (size_t)((n % MIB) * 10 / MIB));
	if (rate < MIB)
		snprintf(speed, sizeof(speed), "%lu KiB/s",
			 (unsigned long)(rate / 1024));
	else
		snprintf(speed, sizeof(speed), "%lu.%lu MiB/s",
			 (unsigned long)(rate / MIB),
			 (unsigned long)((rate % MIB) * 10 / MIB));
	if (p->total)
		snprintf(pct, sizeof(pct), " %u%%", meter_percent(p));
	snprintf(buf, len, "%s%s %s", size, pct, speed);
}

/** Terminal: redraw the line in place, blanking what the last one left */
static void meter_redraw(struct download_meter *m, const char *text)
{
	size_t len = strlen(m->name) + 4 + strlen(text), i;

	printf("\r%s... %s", m->name, text);
	for (i = len; i < m->shown; i++)
		putchar(' ');
	m->shown = len;
}

static void meter_update(struct download_meter *m, struct interface *job)
{
	struct download_progress p;
	unsigned long now = currticks();
	unsigned int pct;
	char text[80];

	if (m->quiet)
		return;
	download_progress(job, &p);
	pct = meter_percent(&p);
	if (!ticks_after_eq(now, m->next) &&
	    !(m->serial && p.total && pct >= m->next_pct && pct < 100))
		return;
	meter_stats(m, &p, text, sizeof(text));
	if (m->serial) {
		printf("%s  %s\n", m->updates ? "" : "\n", text);
		m->next = now + METER_SERIAL_MS * TICKS_PER_MS;
		m->next_pct = (pct / 10 + 1) * 10;
	} else {
		meter_redraw(m, text);
		m->next = now + METER_INTERVAL_MS * TICKS_PER_MS;
	}
	m->updates++;
}

static void meter_end(struct download_meter *m, int rc)
{
	const char *result = rc ? "failed" : "ok";

	if (m->quiet)
		return;
	if (!m->updates) {
		printf(" %s\n", result);
	} else if (m->serial) {
		printf("%s... %s\n", m->name, result);
	} else {
		meter_redraw(m, result);
		putchar('\n');
	}
}

/* ------------------------------------------------------------------------
 * Waiting for a download
 */

struct download_wait {
	struct refcnt refcnt;
	struct interface job;
	int done;
	int rc;
};

static void download_wait_close(struct download_wait *wait, int rc)
{
	wait->rc = rc;
	wait->done = 1;
	intf_shutdown(&wait->job, rc);
}

static struct interface_operation download_wait_ops[] = {
	INTF_OP(intf_close, struct download_wait *, download_wait_close),
};
static struct interface_descriptor download_wait_desc =
	INTF_DESC(struct download_wait, job, download_wait_ops);

/** Step the scheduler until the download ends, Ctrl-C, or the time limit */
static int download_wait_loop(struct download_wait *wait,
			      struct download_meter *meter,
			      unsigned long timeout_ms)
{
	unsigned long start = currticks(), moved = start;
	struct download_progress p;
	size_t seen = 0;
	int rc = 0;

	while (!wait->done) {
		if (console_interrupted())
			rc = errctx(-ECANCELED, "download stopped by Ctrl-C");
		else if (timeout_ms &&
			 currticks() - start >= timeout_ms * TICKS_PER_MS)
			rc = errctx(-ETIMEDOUT,
				    "download not finished after "
				    "%lu ms",
				    timeout_ms);
		if (rc) {
			intf_shutdown(&wait->job, rc);
			return rc;
		}
		meter_update(meter, &wait->job);
		download_progress(&wait->job, &p);
		if (p.received != seen)
			moved = currticks();
		else if (!wait->done &&
			 currticks() - moved >=
				 DOWNLOAD_IDLE_AFTER_MS * TICKS_PER_MS)
			udelay(DOWNLOAD_IDLE_US);
		seen = p.received;
	}
	return wait->rc;
}

/** Download into @image, showing progress as @name */
static int download_run(struct image *image, const char *name,
			unsigned long timeout_ms, unsigned int flags)
{
	struct download_meter meter;
	struct download_wait wait;
	int rc;

	memset(&wait, 0, sizeof(wait));
	ref_init(&wait.refcnt, ref_no_free);
	intf_init(&wait.job, &download_wait_desc, &wait.refcnt);
	if ((rc = create_downloader(&wait.job, image)) != 0) {
		intf_shutdown(&wait.job, rc);
		return rc;
	}
	meter_start(&meter, name, flags);
	rc = download_wait_loop(&wait, &meter, timeout_ms);
	meter_end(&meter, rc);
	intf_shutdown(&wait.job, rc);
	return rc;
}

/** The URI as shown to people: without its password */
static char *download_name(struct uri *uri)
{
	struct uri shown = *uri;

	shown.password = NULL;
	return format_uri_alloc(&shown);
}

int imgdownload(struct uri *uri, const char *name, unsigned long timeout_ms,
		unsigned int flags, struct image **image)
{
	struct uri *resolved = resolve_uri(cwuri, uri);
	struct image *fetched = NULL;
	char *shown = NULL;
	int rc = -ENOMEM;

	*image = NULL;
	if (!resolved || !(shown = download_name(resolved)) ||
	    !(fetched = alloc_image(resolved)))
		goto out;
	if (name && (rc = image_set_name(fetched, name)) != 0)
		goto out;
	if ((rc = download_run(fetched, shown, timeout_ms, flags)) == 0 &&
	    (rc = register_image(fetched)) == 0)
		*image = image_get(fetched);
out:
	if (rc && !(flags & DOWNLOAD_QUIET))
		printf("Could not fetch %s: %s\n", shown ? shown : "the image",
		       strerror(rc));
	if (fetched)
		image_put(fetched);
	uri_put(resolved);
	free(shown);
	return rc;
}

int imgdownload_string(const char *uri_string, const char *name,
		       unsigned long timeout_ms, unsigned int flags,
		       struct image **image)
{
	struct uri *uri = parse_uri(uri_string);
	int rc;

	*image = NULL;
	if (!uri) {
		if (!(flags & DOWNLOAD_QUIET))
			printf("Could not fetch %s: %s\n", uri_string,
			       strerror(-ENOMEM));
		return -ENOMEM;
	}
	rc = imgdownload(uri, name, timeout_ms, flags, image);
	uri_put(uri);
	return rc;
}
