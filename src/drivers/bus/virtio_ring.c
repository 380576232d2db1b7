/* Virtio split virtqueues, checked against a misbehaving device. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/byteswap.h>
#include <keel/io.h>
#include <keel/malloc.h>
#include <keel/virtio.h>

/** Round @x up to a multiple of @align (a power of two) */
static unsigned long vring_align(unsigned long x, unsigned long align)
{
	return (x + align - 1) & ~(align - 1);
}

/** Where the used ring starts: after the descriptors and available ring */
static unsigned long vring_used_offset(unsigned int num)
{
	return vring_align(sizeof(struct vring_desc) * num +
				   sizeof(uint16_t) * (3 + num),
			   VRING_LEGACY_ALIGN);
}

unsigned long vring_size(unsigned int num)
{
	return vring_used_offset(num) + sizeof(uint16_t) * 3 +
	       sizeof(struct vring_used_elem) * num;
}

int virtq_alloc(struct virtqueue *vq, unsigned int index, unsigned int num)
{
	unsigned long size = vring_size(num);
	unsigned int i;

	memset(vq, 0, sizeof(*vq));
	if (num == 0 || num > VRING_MAX_NUM || (num & (num - 1)))
		return -EINVAL;
	vq->mem = malloc_aligned(size, VRING_LEGACY_ALIGN, 0);
	vq->token = calloc(num, sizeof(*vq->token));
	if (!vq->mem || !vq->token) {
		virtq_free(vq);
		return -ENOMEM;
	}
	memset(vq->mem, 0, size);
	vq->index = index;
	vq->num = num;
	vq->desc = vq->mem;
	vq->avail = (struct vring_avail *)((char *)vq->mem +
					   sizeof(struct vring_desc) * num);
	vq->used =
		(struct vring_used *)((char *)vq->mem + vring_used_offset(num));
	/* We poll: the device need never interrupt */
	vq->avail->flags = cpu_to_le16(VRING_AVAIL_F_NO_INTERRUPT);
	for (i = 0; i < num; i++)
		vq->desc[i].next = cpu_to_le16((uint16_t)((i + 1) % num));
	vq->free_head = 0;
	vq->num_free = num;
	return 0;
}

void virtq_free(struct virtqueue *vq)
{
	free(vq->mem);
	free(vq->token);
	vq->mem = NULL;
	vq->token = NULL;
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
	vq->num = 0;
	vq->num_free = 0;
}

int virtq_add(struct virtqueue *vq, const struct virtq_buf *bufs,
	      unsigned int count, unsigned int out, void *token)
{
	unsigned int head, idx, i;
	struct vring_desc *desc = NULL;

	if (vq->broken || !token || count == 0 || count > vq->num_free)
		return -ENOBUFS;
	head = idx = vq->free_head;
	for (i = 0; i < count; i++) {
		desc = &vq->desc[idx];
		desc->addr = cpu_to_le64(virt_to_phys(bufs[i].data));
		desc->len = cpu_to_le32(bufs[i].len);
		desc->flags =
			cpu_to_le16(((i + 1 < count) ? VRING_DESC_F_NEXT : 0) |
				    ((i >= out) ? VRING_DESC_F_WRITE : 0));
		idx = le16_to_cpu(desc->next) % vq->num;
	}
	vq->free_head = idx;
	vq->num_free -= count;
	vq->token[head] = token;
	vq->avail->ring[vq->avail_idx % vq->num] = cpu_to_le16((uint16_t)head);
	/* The device must see the chain before it sees the new index */
	wmb();
	vq->avail_idx++;
	vq->avail->idx = cpu_to_le16(vq->avail_idx);
	vq->pending++;
	return 0;
}

int virtq_needs_kick(struct virtqueue *vq)
{
	if (!vq->pending)
		return 0;
	vq->pending = 0;
	/* Our index update must land before the device's flag is read */
	mb();
	return !(le16_to_cpu(vq->used->flags) & VRING_USED_F_NO_NOTIFY);
}

/** Put a used chain back on the free list; its length is bounded by num */
static int virtq_release(struct virtqueue *vq, unsigned int head)
{
	unsigned int idx = head, count = 1;

	while (le16_to_cpu(vq->desc[idx].flags) & VRING_DESC_F_NEXT) {
		idx = le16_to_cpu(vq->desc[idx].next) % vq->num;
		if (++count > vq->num)
			return -EIO;
	}
	if (vq->num_free + count > vq->num)
		return -EIO;
	vq->desc[idx].next = cpu_to_le16((uint16_t)vq->free_head);
	vq->free_head = head;
	vq->num_free += count;
	return 0;
}

void *virtq_get(struct virtqueue *vq, uint32_t *len)
{
	struct vring_used_elem *elem;
	uint16_t used_idx;
	uint32_t head;
	void *token;

	if (vq->broken || !vq->num)
		return NULL;
	used_idx = le16_to_cpu(*(volatile uint16_t *)&vq->used->idx);
	if (used_idx == vq->last_used)
		return NULL;
	/* Read the element only after seeing the index that publishes it */
	rmb();
	/* The device may only return chains it was given */
	if ((uint16_t)(used_idx - vq->last_used) > virtq_in_flight(vq))
		goto broken;
	elem = &vq->used->ring[vq->last_used % vq->num];
	head = le32_to_cpu(elem->id);
	*len = le32_to_cpu(elem->len);
	if (head >= vq->num || !vq->token[head])
		goto broken;
	token = vq->token[head];
	vq->token[head] = NULL;
	if (virtq_release(vq, head) != 0)
		goto broken;
	vq->last_used++;
	return token;

broken:
	vq->broken = 1;
	return NULL;
}
