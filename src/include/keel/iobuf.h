/* I/O buffers: one contiguous packet with headroom, so layers push headers without copying. */
#ifndef KEEL_IOBUF_H
#define KEEL_IOBUF_H
#include <stddef.h>
#include <stdint.h>
#include <keel/list.h>

/*
 *   head          data            tail           end
 *    |  headroom   |    payload     |  tailroom   |
 */
struct io_buffer {
	/** Link in a queue owned by whoever holds the buffer */
	struct list_head list;
	/** Start of the buffer */
	void *head;
	/** Start of data */
	void *data;
	/** End of data */
	void *tail;
	/** End of the buffer */
	void *end;
};

/** Alignment of a new buffer's data (good for DMA descriptors) */
#define IOB_ALIGN 16
/** Smallest buffer allocated (Ethernet minimum frame padding fits) */
#define IOB_ZLEN 128

/** Allocate a buffer with room for @len bytes; data starts empty at head */
struct io_buffer *alloc_iob(size_t len);
/** Allocate a buffer with @headroom reserved before data */
struct io_buffer *alloc_iob_headroom(size_t headroom, size_t len);
/** Free a buffer (NULL is ignored) */
void free_iob(struct io_buffer *iobuf);
/** Ensure at least @len bytes of tailroom, reallocating if needed */
int iob_ensure_tailroom(struct io_buffer **iobuf, size_t len);
/** Copy a buffer's data into a new buffer with the same headroom */
struct io_buffer *iob_dup(const struct io_buffer *iobuf);
/** Concatenate a list of buffers into one new buffer; the list is freed */
struct io_buffer *iob_concatenate(struct list_head *list);
/** Split off the first @len bytes into a new buffer */
struct io_buffer *iob_split(struct io_buffer *iobuf, size_t len);

static inline size_t iob_len(const struct io_buffer *iobuf)
{
	return (size_t)((char *)iobuf->tail - (char *)iobuf->data);
}
static inline size_t iob_headroom(const struct io_buffer *iobuf)
{
	return (size_t)((char *)iobuf->data - (char *)iobuf->head);
}
static inline size_t iob_tailroom(const struct io_buffer *iobuf)
{
	return (size_t)((char *)iobuf->end - (char *)iobuf->tail);
}

/*
 * Header and trailer manipulation. Each checks its bounds and returns NULL
 * instead of moving a pointer outside the buffer, so that a receive path can
 * test the result instead of trusting a length field.
 */

/** Reserve headroom in an empty buffer */
void *iob_reserve(struct io_buffer *iobuf, size_t len);
/** Prepend @len bytes; returns the new data start */
void *iob_push(struct io_buffer *iobuf, size_t len);
/** Strip @len bytes from the front; returns the old data start, or NULL */
void *iob_pull(struct io_buffer *iobuf, size_t len);
/** Append @len bytes; returns where they go, or NULL */
void *iob_put(struct io_buffer *iobuf, size_t len);
/** Shorten data to @len bytes (no-op if already shorter) */
void iob_trim(struct io_buffer *iobuf, size_t len);
/** Remove @len bytes from the end; returns 0 or -EINVAL */
int iob_unput(struct io_buffer *iobuf, size_t len);

#endif
