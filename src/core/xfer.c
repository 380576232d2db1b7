/* Data transfer operations and their defaults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/xfer.h>

int xfer_deliver(struct interface *intf, struct io_buffer *iobuf,
		 struct xfer_metadata *meta)
{
	struct interface *dest;
	__typeof__(xfer_deliver_TYPE(void *)) op =
		intf_get_dest_op(intf, xfer_deliver, &dest);
	struct xfer_metadata dummy = {0};
	int rc;

	if (op) {
		rc = op(intf_object(dest), iobuf, meta ? meta : &dummy);
	} else {
		free_iob(iobuf);
		rc = -ENOTCONN;
	}
	intf_put(dest);
	return rc;
}

size_t xfer_window(struct interface *intf)
{
	struct interface *dest;
	__typeof__(xfer_window_TYPE(void *)) op =
		intf_get_dest_op(intf, xfer_window, &dest);
	size_t len;

	if (op)
		len = op(intf_object(dest));
	else
		len = (dest == &null_intf) ? 0 : ~(size_t)0;
	intf_put(dest);
	return len;
}

void xfer_window_changed(struct interface *intf)
{
	struct interface *dest;
	__typeof__(xfer_window_changed_TYPE(void *)) op =
		intf_get_dest_op(intf, xfer_window_changed, &dest);

	if (op)
		op(intf_object(dest));
	intf_put(dest);
}

struct io_buffer *xfer_alloc_iob(struct interface *intf, size_t len)
{
	struct interface *dest;
	__typeof__(xfer_alloc_iob_TYPE(void *)) op =
		intf_get_dest_op(intf, xfer_alloc_iob, &dest);
	struct io_buffer *iobuf;

	iobuf = op ? op(intf_object(dest), len) : alloc_iob(len);
	intf_put(dest);
	return iobuf;
}

int xfer_deliver_raw(struct interface *intf, const void *data, size_t len)
{
	struct io_buffer *iobuf = xfer_alloc_iob(intf, len);

	if (!iobuf)
		return -ENOMEM;
	memcpy(iob_put(iobuf, len), data, len);
	return xfer_deliver(intf, iobuf, NULL);
}

int xfer_printf(struct interface *intf, const char *fmt, ...)
{
	va_list args;
	char *text;
	int len, rc;

	va_start(args, fmt);
	len = vasprintf(&text, fmt, args);
	va_end(args);
	if (len < 0)
		return len;
	rc = xfer_deliver_raw(intf, text, (size_t)len);
	free(text);
	return rc;
}

int xfer_seek(struct interface *intf, uint64_t offset)
{
	struct xfer_metadata meta = {.flags = XFER_FL_ABS_OFFSET,
				     .offset = offset};
	struct io_buffer *iobuf = xfer_alloc_iob(intf, 0);

	if (!iobuf)
		return -ENOMEM;
	return xfer_deliver(intf, iobuf, &meta);
}
