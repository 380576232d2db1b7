/* Self-tests: virtqueues against a simulated, and a misbehaving, device. */
#include <stdint.h>
#include <string.h>
#include <keel/io.h>
#include <keel/virtio.h>
#include <keel/test.h>

/** The device side: take the next available chain and return it as used */
static int fake_device_use(struct virtqueue *vq, uint16_t *dev_avail,
			   uint32_t written)
{
	uint16_t head;
	unsigned int idx, n = 0;
	struct vring_used_elem *elem;

	if (*dev_avail == vq->avail->idx)
		return -1;
	head = vq->avail->ring[*dev_avail % vq->num];
	/* Walk the chain as a device would */
	for (idx = head; n < vq->num; n++) {
		if (!(vq->desc[idx].flags & VRING_DESC_F_NEXT))
			break;
		idx = vq->desc[idx].next;
	}
	elem = &vq->used->ring[vq->used->idx % vq->num];
	elem->id = head;
	elem->len = written;
	vq->used->idx++;
	(*dev_avail)++;
	return head;
}

static void virtq_layout(void)
{
	struct virtqueue vq;

	ok(vring_size(256) == 4096 + 4096 + 6 + 8 * 256);
	ok(virtq_alloc(&vq, 0, 3) != 0); /* not a power of two */
	ok(virtq_alloc(&vq, 0, 0) != 0);
	ok(virtq_alloc(&vq, 1, 256) == 0);
	if (!vq.mem)
		return;
	ok(((uintptr_t)vq.mem % VRING_LEGACY_ALIGN) == 0);
	ok((char *)vq.avail == (char *)vq.mem + 16 * 256);
	ok((char *)vq.used == (char *)vq.mem + 8192);
	ok(vq.avail->flags == VRING_AVAIL_F_NO_INTERRUPT);
	ok(vq.num_free == 256 && vq.index == 1);
	virtq_free(&vq);
	ok(vq.mem == NULL && vq.num == 0);
}

static void virtq_round_trip(void)
{
	struct virtqueue vq;
	struct virtq_buf bufs[2];
	uint8_t hdr[12], data[64];
	int tokens[8];
	uint16_t dev_avail = 0;
	uint32_t len = 0;
	unsigned int i, round;

	if (virtq_alloc(&vq, 0, 8) != 0) {
		ok(0);
		return;
	}
	bufs[0].data = hdr;
	bufs[0].len = sizeof(hdr);
	bufs[1].data = data;
	bufs[1].len = sizeof(data);
	ok(virtq_get(&vq, &len) == NULL); /* nothing used yet */
	/* Many rounds, so that indices and the free list wrap */
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 4; i++)
			ok(virtq_add(&vq, bufs, 2, 1, &tokens[i]) == 0);
		ok(virtq_add(&vq, bufs, 2, 1, &tokens[4]) != 0); /* full */
		ok(vq.num_free == 0 && virtq_in_flight(&vq) == 4);
		ok(virtq_needs_kick(&vq));
		ok(!virtq_needs_kick(&vq)); /* nothing new since */
		ok(vq.desc[vq.avail->ring[(vq.avail_idx - 1) % 8]].flags ==
		   VRING_DESC_F_NEXT);
		for (i = 0; i < 4; i++) {
			ok(fake_device_use(&vq, &dev_avail, 40 + i) >= 0);
			ok(virtq_get(&vq, &len) == &tokens[i]);
			ok(len == 40 + i);
		}
		ok(virtq_get(&vq, &len) == NULL);
		ok(vq.num_free == 8 && virtq_in_flight(&vq) == 0);
		if (test_failures)
			break;
	}
	ok(!vq.broken);
	virtq_free(&vq);
}

static void virtq_bad_device(void)
{
	struct virtqueue vq;
	struct virtq_buf buf = {.data = &vq, .len = 4};
	uint32_t len;
	int token;

	/* An ID that was never handed out */
	if (virtq_alloc(&vq, 0, 4) != 0) {
		ok(0);
		return;
	}
	ok(virtq_add(&vq, &buf, 1, 0, &token) == 0);
	vq.used->ring[0].id = 3;
	vq.used->idx = 1;
	ok(virtq_get(&vq, &len) == NULL);
	ok(vq.broken);
	ok(virtq_add(&vq, &buf, 1, 0, &token) != 0); /* stays unusable */
	virtq_free(&vq);

	/* An ID out of range */
	virtq_alloc(&vq, 0, 4);
	virtq_add(&vq, &buf, 1, 0, &token);
	vq.used->ring[0].id = 0xffff;
	vq.used->idx = 1;
	ok(virtq_get(&vq, &len) == NULL && vq.broken);
	virtq_free(&vq);

	/* More used entries than chains in flight */
	virtq_alloc(&vq, 0, 4);
	virtq_add(&vq, &buf, 1, 0, &token);
	vq.used->ring[0].id = 0;
	vq.used->idx = 5;
	ok(virtq_get(&vq, &len) == NULL && vq.broken);
	virtq_free(&vq);

	/* The same chain returned twice */
	virtq_alloc(&vq, 0, 4);
	virtq_add(&vq, &buf, 1, 0, &token);
	virtq_add(&vq, &buf, 1, 0, &token);
	vq.used->ring[0].id = 0;
	vq.used->ring[1].id = 0;
	vq.used->idx = 2;
	ok(virtq_get(&vq, &len) == &token);
	ok(virtq_get(&vq, &len) == NULL && vq.broken);
	virtq_free(&vq);
}

struct self_test virtq_layout_test __self_test = {
	.name = "virtq_layout",
	.exec = virtq_layout,
};
struct self_test virtq_round_trip_test __self_test = {
	.name = "virtq_round_trip",
	.exec = virtq_round_trip,
};
struct self_test virtq_bad_device_test __self_test = {
	.name = "virtq_bad_device",
	.exec = virtq_bad_device,
};
