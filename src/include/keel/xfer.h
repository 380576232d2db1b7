/* Data transfer: the deliver / window / close pattern used by protocols and downloads. */
#ifndef KEEL_XFER_H
#define KEEL_XFER_H
#include <stddef.h>
#include <stdint.h>
#include <keel/interface.h>
#include <keel/iobuf.h>

/** Extra information travelling with a delivered buffer */
struct xfer_metadata {
	/** Flags (XFER_FL_*) */
	unsigned int flags;
	/** Position of the data within the whole transfer */
	uint64_t offset;
	/** Source address (datagram protocols), or NULL */
	const void *src;
	/** Destination address (datagram protocols), or NULL */
	const void *dest;
};
/** @offset is absolute rather than relative to the last position */
#define XFER_FL_ABS_OFFSET 0x01
/** The data is a response header block, not body data */
#define XFER_FL_OUT_OF_BAND 0x02
/**
 * A zero-length delivery announcing the expected total length (TFTP tsize,
 * HTTP Content-Length) in @offset, so a receiver can allocate once and show
 * a percentage. It moves no position.
 */
#define XFER_FL_SIZE_HINT 0x04

/**
 * Deliver a buffer to the peer, which takes ownership of it (even on error).
 * Default if the peer does not implement it: the buffer is discarded and
 * -ENOTCONN returned.
 */
int xfer_deliver(struct interface *intf, struct io_buffer *iobuf,
		 struct xfer_metadata *meta);
#define xfer_deliver_TYPE(object_type)                                         \
	int (*)(object_type, struct io_buffer *, struct xfer_metadata *)

/**
 * How many bytes the peer can accept now. Default: nothing when unplugged,
 * unlimited when the peer accepts deliveries without flow control.
 */
size_t xfer_window(struct interface *intf);
#define xfer_window_TYPE(object_type) size_t (*)(object_type)

/** Tell the peer that our window has opened. Default: ignored. */
void xfer_window_changed(struct interface *intf);
#define xfer_window_changed_TYPE(object_type) void (*)(object_type)

/**
 * Ask the peer for a buffer suited to what it carries (headroom for its
 * headers). Default: a plain alloc_iob().
 */
struct io_buffer *xfer_alloc_iob(struct interface *intf, size_t len);
#define xfer_alloc_iob_TYPE(object_type) struct io_buffer *(*)(object_type, size_t)

/** Deliver a copy of raw data */
int xfer_deliver_raw(struct interface *intf, const void *data, size_t len);
/** Deliver formatted text */
int xfer_printf(struct interface *intf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** Tell the peer to move to an absolute position (zero-length delivery) */
int xfer_seek(struct interface *intf, uint64_t offset);

#endif
