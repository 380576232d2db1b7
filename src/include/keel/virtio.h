/* Virtio over PCI: split virtqueues, legacy and modern transports. */
#ifndef KEEL_VIRTIO_H
#define KEEL_VIRTIO_H
#include <stdint.h>

struct pci_device;

/* Device status bits */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01
#define VIRTIO_STATUS_DRIVER	  0x02
#define VIRTIO_STATUS_DRIVER_OK	  0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED	  0x80

/* Transport feature bits */
#define VIRTIO_F_VERSION_1 32

/* ------------------------------------------------------------------------
 * Split virtqueues (little-endian; legacy devices use the guest's order,
 * which on x86 is the same)
 */

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
} __packed;
#define VRING_DESC_F_NEXT  0x0001
#define VRING_DESC_F_WRITE 0x0002

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
} __packed;
#define VRING_AVAIL_F_NO_INTERRUPT 0x0001

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
} __packed;

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];
} __packed;
#define VRING_USED_F_NO_NOTIFY 0x0001

/** Alignment of the used ring in the legacy layout */
#define VRING_LEGACY_ALIGN 4096
/** Largest queue the spec allows */
#define VRING_MAX_NUM 32768

/** One buffer of a chain handed to a device */
struct virtq_buf {
	/** Data (a CPU pointer; converted with virt_to_phys) */
	void *data;
	uint32_t len;
};

/** A virtqueue: the rings plus the driver's bookkeeping */
struct virtqueue {
	/** Queue index on the device */
	unsigned int index;
	/** Number of descriptors (a power of two) */
	unsigned int num;
	/** Ring memory (one block, legacy layout) */
	void *mem;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	/** The caller's token for each chain, by head descriptor */
	void **token;
	/** Head of the free descriptor list, and its length */
	unsigned int free_head;
	unsigned int num_free;
	/** Our copy of avail->idx, and how far we have read the used ring */
	uint16_t avail_idx;
	uint16_t last_used;
	/** Chains added since the last kick */
	unsigned int pending;
	/** Set when the device returned nonsense: the queue is unusable */
	int broken;
	/** Where a notification goes (modern: offset into the notify area) */
	unsigned long notify_off;
};

/** Bytes of ring memory for @num descriptors (legacy layout) */
unsigned long vring_size(unsigned int num);

/**
 * Allocate and lay out the rings of a queue (zeroed, legacy layout, which
 * also meets the modern alignment rules).
 *
 * @num		number of descriptors (a power of two)
 * @ret rc	0 or -ENOMEM
 */
int virtq_alloc(struct virtqueue *vq, unsigned int index, unsigned int num);
/** Free the rings (the device must be reset first); tokens are dropped */
void virtq_free(struct virtqueue *vq);

/**
 * Add a chain of buffers: the first @out are read by the device, the rest
 * written by it.
 *
 * @bufs	buffers
 * @count	number of buffers
 * @out		how many of them the device reads
 * @token	non-NULL value returned by virtq_get() once the chain is used
 * @ret rc	0, or -ENOBUFS when too few descriptors are free
 */
int virtq_add(struct virtqueue *vq, const struct virtq_buf *bufs,
	      unsigned int count, unsigned int out, void *token);
/**
 * Take the next chain the device has finished with.
 *
 * @len		bytes the device wrote into the chain
 * @ret token	the chain's token, or NULL if none is ready or the queue
 *		is broken (vq->broken is then set)
 */
void *virtq_get(struct virtqueue *vq, uint32_t *len);
/** True if the device wants a notification for the chains just added */
int virtq_needs_kick(struct virtqueue *vq);
/** Number of chains outstanding with the device */
static inline unsigned int virtq_in_flight(struct virtqueue *vq)
{
	return (uint16_t)(vq->avail_idx - vq->last_used);
}

/* ------------------------------------------------------------------------
 * PCI transport
 */

/** A register window: an I/O port range or memory-mapped */
struct virtio_region {
	int io;
	/** I/O port, or CPU address */
	unsigned long base;
	unsigned long len;
};

/** A virtio PCI function */
struct virtio_pci {
	struct pci_device *pci;
	/** True for the virtio 1.0 transport */
	int modern;
	/** Legacy: the I/O window; modern: the common configuration */
	struct virtio_region common;
	/** Modern only: notifications, ISR */
	struct virtio_region notify;
	struct virtio_region isr;
	/** Device-specific configuration */
	struct virtio_region device;
	/** Modern only: queue_notify_off multiplier */
	uint32_t notify_mul;
};

/**
 * Find a device's transport: modern if it has the virtio capabilities and
 * they can be reached, else legacy through BAR 0 (unless @modern_only).
 *
 * @ret rc	0, or -ENODEV if neither transport is usable
 */
int virtio_pci_init(struct virtio_pci *vdev, struct pci_device *pci,
		    int modern_only);
/** Reset the device: it forgets every queue and stops all DMA */
void virtio_pci_reset(struct virtio_pci *vdev);
/** Add bits to the device status */
void virtio_pci_add_status(struct virtio_pci *vdev, uint8_t bits);
uint8_t virtio_pci_get_status(struct virtio_pci *vdev);
/** The device's feature bits (legacy: the low 32 only) */
uint64_t virtio_pci_features(struct virtio_pci *vdev);
/**
 * Accept features. Modern devices then confirm them with FEATURES_OK.
 *
 * @ret rc	0, or -ENOTSUP if the device refuses the set
 */
int virtio_pci_set_features(struct virtio_pci *vdev, uint64_t features);
/** Read device-specific configuration (out-of-range reads give 0) */
uint8_t virtio_pci_config8(struct virtio_pci *vdev, unsigned int offset);
uint16_t virtio_pci_config16(struct virtio_pci *vdev, unsigned int offset);
/**
 * Copy @len bytes of device configuration consistently (modern devices
 * bump a generation counter while it changes).
 */
void virtio_pci_config_read(struct virtio_pci *vdev, unsigned int offset,
			    void *buf, unsigned int len);
/**
 * Create queue @index on the device, with at most @max_num descriptors
 * (legacy devices impose their own size).
 *
 * @ret rc	0, -ENOENT if the device has no such queue, -ENOMEM
 */
int virtio_pci_setup_queue(struct virtio_pci *vdev, struct virtqueue *vq,
			   unsigned int index, unsigned int max_num);
/** Tell the device a queue has new buffers (if it wants to be told) */
void virtio_pci_kick(struct virtio_pci *vdev, struct virtqueue *vq);
/** Read (and so clear) the interrupt status */
uint8_t virtio_pci_isr(struct virtio_pci *vdev);

#endif
