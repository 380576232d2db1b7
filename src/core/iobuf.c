/* I/O buffers. */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/iobuf.h>

/* The struct lives at the end of the buffer's memory, after the data area */
static size_t iob_data_size(size_t len)
{
	if (len < IOB_ZLEN)
		len = IOB_ZLEN;
	return (len + __alignof__(struct io_buffer) - 1) &
	       ~(__alignof__(struct io_buffer) - 1);
}

struct io_buffer *alloc_iob(size_t len)
{
	struct io_buffer *iobuf;
	size_t size;
	void *data;

	if (len > (size_t)1 << 30)
		return NULL;
	size = iob_data_size(len);
	data = malloc_aligned(size + sizeof(*iobuf), IOB_ALIGN, 0);
	if (!data)
		return NULL;
	iobuf = (struct io_buffer *)((char *)data + size);
	INIT_LIST_HEAD(&iobuf->list);
	iobuf->head = iobuf->data = iobuf->tail = data;
	iobuf->end = iobuf;
	return iobuf;
}

struct io_buffer *alloc_iob_headroom(size_t headroom, size_t len)
{
	struct io_buffer *iobuf;

	if (len > (size_t)1 << 30 || headroom > (size_t)1 << 20)
		return NULL;
	iobuf = alloc_iob(headroom + len);
	if (iobuf)
		iob_reserve(iobuf, headroom);
	return iobuf;
}

void free_iob(struct io_buffer *iobuf)
{
	if (!iobuf)
		return;
	/* A buffer must not be freed while still queued */
	if (!list_unlinked(&iobuf->list))
		list_del(&iobuf->list);
	free(iobuf->head);
}

void *iob_reserve(struct io_buffer *iobuf, size_t len)
{
	if (len > iob_tailroom(iobuf))
		len = iob_tailroom(iobuf);
	iobuf->data = (char *)iobuf->data + len;
	iobuf->tail = (char *)iobuf->tail + len;
	return iobuf->data;
}

void *iob_push(struct io_buffer *iobuf, size_t len)
{
	if (len > iob_headroom(iobuf))
		return NULL;
	iobuf->data = (char *)iobuf->data - len;
	return iobuf->data;
}

void *iob_pull(struct io_buffer *iobuf, size_t len)
{
	void *old = iobuf->data;

	if (len > iob_len(iobuf))
		return NULL;
	iobuf->data = (char *)iobuf->data + len;
	return old;
}

void *iob_put(struct io_buffer *iobuf, size_t len)
{
	void *old = iobuf->tail;

	if (len > iob_tailroom(iobuf))
		return NULL;
	iobuf->tail = (char *)iobuf->tail + len;
	return old;
}

void iob_trim(struct io_buffer *iobuf, size_t len)
{
	if (len < iob_len(iobuf))
		iobuf->tail = (char *)iobuf->data + len;
}

int iob_unput(struct io_buffer *iobuf, size_t len)
{
	if (len > iob_len(iobuf))
		return -EINVAL;
	iobuf->tail = (char *)iobuf->tail - len;
	return 0;
}

struct io_buffer *iob_dup(const struct io_buffer *iobuf)
{
	struct io_buffer *copy;
	size_t len = iob_len(iobuf);

	copy = alloc_iob_headroom(iob_headroom(iobuf), len);
	if (copy)
		memcpy(iob_put(copy, len), iobuf->data, len);
	return copy;
}

int iob_ensure_tailroom(struct io_buffer **iobuf, size_t len)
{
	struct io_buffer *bigger;
	size_t have = iob_len(*iobuf);

	if (iob_tailroom(*iobuf) >= len)
		return 0;
	if (len > (size_t)1 << 30)
		return -ENOMEM;
	bigger = alloc_iob_headroom(iob_headroom(*iobuf), have + len);
	if (!bigger)
		return -ENOMEM;
	memcpy(iob_put(bigger, have), (*iobuf)->data, have);
	if (!list_unlinked(&(*iobuf)->list))
		list_add(&bigger->list, &(*iobuf)->list);
	free_iob(*iobuf);
	*iobuf = bigger;
	return 0;
}

struct io_buffer *iob_concatenate(struct list_head *list)
{
	struct io_buffer *iobuf, *tmp, *out;
	size_t len = 0;

	list_for_each_entry(iobuf, list, list)
		len += iob_len(iobuf);
	out = alloc_iob(len);
	if (!out)
		return NULL;
	list_for_each_entry_safe(iobuf, tmp, list, list) {
		memcpy(iob_put(out, iob_len(iobuf)), iobuf->data,
		       iob_len(iobuf));
		free_iob(iobuf);
	}
	return out;
}

struct io_buffer *iob_split(struct io_buffer *iobuf, size_t len)
{
	struct io_buffer *front;

	if (len > iob_len(iobuf))
		return NULL;
	front = alloc_iob_headroom(iob_headroom(iobuf), len);
	if (!front)
		return NULL;
	memcpy(iob_put(front, len), iob_pull(iobuf, len), len);
	return front;
}
