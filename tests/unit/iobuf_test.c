/* Self-tests: I/O buffers. */
#include <stdint.h>
#include <string.h>
#include <keel/iobuf.h>
#include <keel/test.h>

static void iobuf_basic(void)
{
	struct io_buffer *iobuf = alloc_iob_headroom(64, 100);
	uint8_t *p;

	ok(iobuf != NULL);
	if (!iobuf)
		return;
	ok(((uintptr_t)iobuf->head % IOB_ALIGN) == 0);
	ok(iob_headroom(iobuf) == 64);
	ok(iob_len(iobuf) == 0);
	ok(iob_tailroom(iobuf) >= 100);

	p = iob_put(iobuf, 100);
	ok(p == iobuf->data);
	memset(p, 0xaa, 100);
	ok(iob_len(iobuf) == 100);

	/* Headers go in front without copying */
	p = iob_push(iobuf, 14);
	ok(p != NULL && iob_headroom(iobuf) == 50 && iob_len(iobuf) == 114);
	ok(iob_push(iobuf, 51) == NULL); /* beyond the headroom: refused */
	ok(iob_headroom(iobuf) == 50);

	ok(iob_pull(iobuf, 14) == p);
	ok(iob_pull(iobuf, 101) == NULL); /* beyond the data: refused */
	ok(iob_len(iobuf) == 100);
	ok(iob_put(iobuf, iob_tailroom(iobuf) + 1) == NULL);

	iob_trim(iobuf, 40);
	ok(iob_len(iobuf) == 40);
	iob_trim(iobuf, 400); /* longer: no effect */
	ok(iob_len(iobuf) == 40);
	ok(iob_unput(iobuf, 41) != 0);
	ok(iob_unput(iobuf, 10) == 0 && iob_len(iobuf) == 30);
	free_iob(iobuf);
	free_iob(NULL);
}

static void iobuf_copies(void)
{
	struct io_buffer *a = alloc_iob(10), *b, *c, *front, *all;
	LIST_HEAD(list);
	unsigned int i;

	ok(a != NULL);
	if (!a)
		return;
	memcpy(iob_put(a, 10), "0123456789", 10);
	b = iob_dup(a);
	ok(b && iob_len(b) == 10 && memcmp(b->data, "0123456789", 10) == 0);

	front = iob_split(b, 4);
	ok(front && iob_len(front) == 4 && memcmp(front->data, "0123", 4) == 0);
	ok(iob_len(b) == 6 && memcmp(b->data, "456789", 6) == 0);
	ok(iob_split(b, 7) == NULL);

	ok(iob_ensure_tailroom(&a, 5000) == 0);
	ok(iob_tailroom(a) >= 5000 && memcmp(a->data, "0123456789", 10) == 0);

	c = alloc_iob(3);
	memcpy(iob_put(c, 3), "abc", 3);
	list_add_tail(&front->list, &list);
	list_add_tail(&b->list, &list);
	list_add_tail(&c->list, &list);
	all = iob_concatenate(&list);
	ok(all && iob_len(all) == 13 &&
	   memcmp(all->data, "0123456789abc", 13) == 0);
	ok(list_empty(&list));
	free_iob(all);
	free_iob(a);

	/* Many sizes, each checked for writable room */
	for (i = 0; i < 2000; i++) {
		size_t len = test_random() % 9000;
		struct io_buffer *x = alloc_iob_headroom(i % 128, len);

		ok(x && iob_tailroom(x) >= len && iob_headroom(x) == i % 128);
		if (!x)
			break;
		memset(iob_put(x, len), (int)i, len);
		free_iob(x);
	}
	ok(alloc_iob((size_t)1 << 40) == NULL);
}

static void iobuf_test_exec(void)
{
	iobuf_basic();
	iobuf_copies();
}

struct self_test iobuf_test __self_test = {
	.name = "iobuf",
	.exec = iobuf_test_exec,
};
