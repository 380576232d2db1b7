/* Virtio PCI transports: legacy (I/O BAR 0) and modern (virtio 1.0). */
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <keel/io.h>
#include <keel/pci.h>
#include <keel/timer.h>
#include <keel/virtio.h>

/* Legacy register window (BAR 0) */
#define VIRTIO_LEGACY_HOST_FEATURES  0x00
#define VIRTIO_LEGACY_GUEST_FEATURES 0x04
#define VIRTIO_LEGACY_QUEUE_PFN	     0x08
#define VIRTIO_LEGACY_QUEUE_NUM	     0x0c
#define VIRTIO_LEGACY_QUEUE_SEL	     0x0e
#define VIRTIO_LEGACY_QUEUE_NOTIFY   0x10
#define VIRTIO_LEGACY_STATUS	     0x12
#define VIRTIO_LEGACY_ISR	     0x13
/* Device configuration follows, 4 bytes later when MSI-X is on */
#define VIRTIO_LEGACY_CONFIG	  0x14
#define VIRTIO_LEGACY_CONFIG_MSIX 0x18
#define VIRTIO_LEGACY_PFN_SHIFT	  12

/* Modern capability (PCI_CAP_ID_VNDR) layout and types */
#define VIRTIO_CAP_CFG_TYPE	  3
#define VIRTIO_CAP_BAR		  4
#define VIRTIO_CAP_OFFSET	  8
#define VIRTIO_CAP_LENGTH	  12
#define VIRTIO_CAP_NOTIFY_MUL	  16
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG	  3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4

/* Modern common configuration */
#define VIRTIO_COMMON_DFSELECT 0x00
#define VIRTIO_COMMON_DF       0x04
#define VIRTIO_COMMON_GFSELECT 0x08
#define VIRTIO_COMMON_GF       0x0c
#define VIRTIO_COMMON_STATUS   0x14
#define VIRTIO_COMMON_CFGGEN   0x15
#define VIRTIO_COMMON_Q_SELECT 0x16
#define VIRTIO_COMMON_Q_SIZE   0x18
#define VIRTIO_COMMON_Q_ENABLE 0x1c
#define VIRTIO_COMMON_Q_NOFF   0x1e
#define VIRTIO_COMMON_Q_DESC   0x20
#define VIRTIO_COMMON_Q_AVAIL  0x28
#define VIRTIO_COMMON_Q_USED   0x30
#define VIRTIO_COMMON_LEN      0x38

/** Capabilities looked at, at most (a looped list ends here) */
#define VIRTIO_CAP_MAX 48
/** A modern reset may take a while to complete: 1 ms steps */
#define VIRTIO_RESET_STEPS 100
/** Configuration reads retried while the generation keeps changing */
#define VIRTIO_CONFIG_TRIES 8

/* ------------------------------------------------------------------------
 * Region access
 */

static uint8_t vreg_read8(const struct virtio_region *r, unsigned int off)
{
	if (off + 1 > r->len)
		return 0;
	return r->io ? inb((uint16_t)(r->base + off))
		     : readb((void *)(r->base + off));
}

static uint16_t vreg_read16(const struct virtio_region *r, unsigned int off)
{
	if (off + 2 > r->len)
		return 0;
	return r->io ? inw((uint16_t)(r->base + off))
		     : readw((void *)(r->base + off));
}

static uint32_t vreg_read32(const struct virtio_region *r, unsigned int off)
{
	if (off + 4 > r->len)
		return 0;
	return r->io ? inl((uint16_t)(r->base + off))
		     : readl((void *)(r->base + off));
}

static void vreg_write8(const struct virtio_region *r, unsigned int off,
			uint8_t v)
{
	if (off + 1 > r->len)
		return;
	if (r->io)
		outb(v, (uint16_t)(r->base + off));
	else
		writeb(v, (void *)(r->base + off));
}

static void vreg_write16(const struct virtio_region *r, unsigned int off,
			 uint16_t v)
{
	if (off + 2 > r->len)
		return;
	if (r->io)
		outw(v, (uint16_t)(r->base + off));
	else
		writew(v, (void *)(r->base + off));
}

static void vreg_write32(const struct virtio_region *r, unsigned int off,
			 uint32_t v)
{
	if (off + 4 > r->len)
		return;
	if (r->io)
		outl(v, (uint16_t)(r->base + off));
	else
		writel(v, (void *)(r->base + off));
}

static void vreg_write64(const struct virtio_region *r, unsigned int off,
			 uint64_t v)
{
	vreg_write32(r, off, (uint32_t)v);
	vreg_write32(r, off + 4, (uint32_t)(v >> 32));
}

/* ------------------------------------------------------------------------
 * Finding the transport
 */

/**
 * Turn a BAR range into a region.
 *
 * @ret rc	0, or -ENODEV if the range is absent or unreachable
 */
static int virtio_map(struct pci_device *pci, unsigned int bar_index,
		      uint32_t offset, uint32_t len, struct virtio_region *r)
{
	struct pci_bar bar;
	void *addr;

	if (pci_bar_decode(pci, bar_index, &bar) != 0)
		return -ENODEV;
	if ((uint64_t)offset + len > bar.size || len == 0)
		return -ENODEV;
	if (bar.io) {
		if (bar.start + offset + len > 0x10000)
			return -ENODEV;
		r->io = 1;
		r->base = (unsigned long)(bar.start + offset);
	} else {
		addr = pci_bar_map(pci, bar_index, offset, len);
		if (!addr)
			return -ENODEV;
		r->io = 0;
		r->base = (unsigned long)addr;
	}
	r->len = len;
	return 0;
}

/** Map the modern structures from the vendor capabilities */
static int virtio_pci_find_modern(struct virtio_pci *vdev)
{
	struct pci_device *pci = vdev->pci;
	struct virtio_region *r;
	unsigned int pos = 0, n;
	uint8_t type;

	for (n = 0; n < VIRTIO_CAP_MAX; n++) {
		pos = pci_find_capability(pci, PCI_CAP_ID_VNDR, pos);
		if (!pos)
			break;
		type = pci_read8(pci, pos + VIRTIO_CAP_CFG_TYPE);
		r = (type == VIRTIO_PCI_CAP_COMMON_CFG)	  ? &vdev->common
		    : (type == VIRTIO_PCI_CAP_NOTIFY_CFG) ? &vdev->notify
		    : (type == VIRTIO_PCI_CAP_ISR_CFG)	  ? &vdev->isr
		    : (type == VIRTIO_PCI_CAP_DEVICE_CFG) ? &vdev->device
							  : NULL;
		/* The first usable structure of each type is the one to use */
		if (!r || r->len)
			continue;
		if (virtio_map(pci, pci_read8(pci, pos + VIRTIO_CAP_BAR),
			       pci_read32(pci, pos + VIRTIO_CAP_OFFSET),
			       pci_read32(pci, pos + VIRTIO_CAP_LENGTH),
			       r) != 0)
			continue;
		if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
			vdev->notify_mul =
				pci_read32(pci, pos + VIRTIO_CAP_NOTIFY_MUL);
	}
	if (vdev->common.len < VIRTIO_COMMON_LEN || vdev->notify.len < 2 ||
	    !vdev->device.len)
		return -ENODEV;
	vdev->modern = 1;
	return 0;
}

/** Use the legacy I/O window in BAR 0 */
static int virtio_pci_find_legacy(struct virtio_pci *vdev)
{
	struct pci_device *pci = vdev->pci;
	struct pci_bar bar;
	unsigned int msix, config;

	if (pci_bar_decode(pci, 0, &bar) != 0 || !bar.io ||
	    bar.size < VIRTIO_LEGACY_CONFIG || bar.start + bar.size > 0x10000)
		return -ENODEV;
	vdev->common.io = 1;
	vdev->common.base = (unsigned long)bar.start;
	vdev->common.len = (unsigned long)bar.size;
	/* The configuration moves when MSI-X is on (left so by someone else) */
	msix = pci_find_capability(pci, PCI_CAP_ID_MSIX, 0);
	config = (msix && (pci_read16(pci, msix + PCI_MSIX_FLAGS) &
			   PCI_MSIX_FLAGS_ENABLE))
			 ? VIRTIO_LEGACY_CONFIG_MSIX
			 : VIRTIO_LEGACY_CONFIG;
	if (config >= bar.size)
		return -ENODEV;
	vdev->device.io = 1;
	vdev->device.base = vdev->common.base + config;
	vdev->device.len = vdev->common.len - config;
	vdev->modern = 0;
	return 0;
}

int virtio_pci_init(struct virtio_pci *vdev, struct pci_device *pci,
		    int modern_only)
{
	memset(vdev, 0, sizeof(*vdev));
	vdev->pci = pci;
	if (virtio_pci_find_modern(vdev) == 0)
		return 0;
	memset(vdev, 0, sizeof(*vdev));
	vdev->pci = pci;
	if (!modern_only && virtio_pci_find_legacy(vdev) == 0)
		return 0;
	return -ENODEV;
}

/* ------------------------------------------------------------------------
 * Device operations
 */

void virtio_pci_reset(struct virtio_pci *vdev)
{
	unsigned int i;

	if (!vdev->modern) {
		vreg_write8(&vdev->common, VIRTIO_LEGACY_STATUS, 0);
		/* Reading back flushes the write through any bridge */
		vreg_read8(&vdev->common, VIRTIO_LEGACY_STATUS);
		return;
	}
	vreg_write8(&vdev->common, VIRTIO_COMMON_STATUS, 0);
	/* A modern device says it has finished resetting by reading 0 */
	for (i = 0; i < VIRTIO_RESET_STEPS; i++) {
		if (vreg_read8(&vdev->common, VIRTIO_COMMON_STATUS) == 0)
			return;
		mdelay(1);
	}
}

uint8_t virtio_pci_get_status(struct virtio_pci *vdev)
{
	return vreg_read8(&vdev->common, vdev->modern ? VIRTIO_COMMON_STATUS
						      : VIRTIO_LEGACY_STATUS);
}

void virtio_pci_add_status(struct virtio_pci *vdev, uint8_t bits)
{
	uint8_t status = virtio_pci_get_status(vdev) | bits;

	vreg_write8(&vdev->common,
		    vdev->modern ? VIRTIO_COMMON_STATUS : VIRTIO_LEGACY_STATUS,
		    status);
}

uint64_t virtio_pci_features(struct virtio_pci *vdev)
{
	uint64_t features;

	if (!vdev->modern)
		return vreg_read32(&vdev->common, VIRTIO_LEGACY_HOST_FEATURES);
	vreg_write32(&vdev->common, VIRTIO_COMMON_DFSELECT, 0);
	features = vreg_read32(&vdev->common, VIRTIO_COMMON_DF);
	vreg_write32(&vdev->common, VIRTIO_COMMON_DFSELECT, 1);
	features |= (uint64_t)vreg_read32(&vdev->common, VIRTIO_COMMON_DF)
		    << 32;
	return features;
}

int virtio_pci_set_features(struct virtio_pci *vdev, uint64_t features)
{
	if (!vdev->modern) {
		vreg_write32(&vdev->common, VIRTIO_LEGACY_GUEST_FEATURES,
			     (uint32_t)features);
		return 0;
	}
	vreg_write32(&vdev->common, VIRTIO_COMMON_GFSELECT, 0);
	vreg_write32(&vdev->common, VIRTIO_COMMON_GF, (uint32_t)features);
	vreg_write32(&vdev->common, VIRTIO_COMMON_GFSELECT, 1);
	vreg_write32(&vdev->common, VIRTIO_COMMON_GF,
		     (uint32_t)(features >> 32));
	virtio_pci_add_status(vdev, VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_pci_get_status(vdev) & VIRTIO_STATUS_FEATURES_OK))
		return -ENOTSUP;
	return 0;
}

uint8_t virtio_pci_config8(struct virtio_pci *vdev, unsigned int offset)
{
	return vreg_read8(&vdev->device, offset);
}

uint16_t virtio_pci_config16(struct virtio_pci *vdev, unsigned int offset)
{
	return vreg_read16(&vdev->device, offset);
}

void virtio_pci_config_read(struct virtio_pci *vdev, unsigned int offset,
			    void *buf, unsigned int len)
{
	uint8_t *bytes = buf, gen = 0;
	unsigned int i, try;

	for (try = 0; try < VIRTIO_CONFIG_TRIES; try++) {
		if (vdev->modern)
			gen = vreg_read8(&vdev->common, VIRTIO_COMMON_CFGGEN);
		for (i = 0; i < len; i++)
			bytes[i] = vreg_read8(&vdev->device, offset + i);
		if (!vdev->modern ||
		    vreg_read8(&vdev->common, VIRTIO_COMMON_CFGGEN) == gen)
			return;
	}
}

/** Legacy: the device fixes the size; the ring goes in by page number */
static int virtio_pci_setup_legacy(struct virtio_pci *vdev,
				   struct virtqueue *vq, unsigned int index)
{
	unsigned int num;
	phys_addr_t phys;
	int rc;

	vreg_write16(&vdev->common, VIRTIO_LEGACY_QUEUE_SEL, (uint16_t)index);
	num = vreg_read16(&vdev->common, VIRTIO_LEGACY_QUEUE_NUM);
	if (num == 0)
		return -ENOENT;
	if ((rc = virtq_alloc(vq, index, num)) != 0)
		return rc;
	phys = virt_to_phys(vq->mem);
	if ((uint64_t)phys >> (32 + VIRTIO_LEGACY_PFN_SHIFT)) {
		virtq_free(vq);
		return -ENOMEM;
	}
	vreg_write32(&vdev->common, VIRTIO_LEGACY_QUEUE_PFN,
		     (uint32_t)(phys >> VIRTIO_LEGACY_PFN_SHIFT));
	return 0;
}

/** Modern: we may shrink the queue; the three parts go in separately */
static int virtio_pci_setup_modern(struct virtio_pci *vdev,
				   struct virtqueue *vq, unsigned int index,
				   unsigned int max_num)
{
	const struct virtio_region *c = &vdev->common;
	unsigned int size, num = 1;
	unsigned long notify;
	int rc;

	vreg_write16(c, VIRTIO_COMMON_Q_SELECT, (uint16_t)index);
	size = vreg_read16(c, VIRTIO_COMMON_Q_SIZE);
	if (size == 0)
		return -ENOENT;
	while (num * 2 <= size && num * 2 <= max_num)
		num *= 2;
	notify = (unsigned long)vreg_read16(c, VIRTIO_COMMON_Q_NOFF) *
		 vdev->notify_mul;
	if (notify + 2 > vdev->notify.len)
		return -ENODEV;
	if ((rc = virtq_alloc(vq, index, num)) != 0)
		return rc;
	vq->notify_off = notify;
	vreg_write16(c, VIRTIO_COMMON_Q_SIZE, (uint16_t)num);
	vreg_write64(c, VIRTIO_COMMON_Q_DESC, virt_to_phys(vq->desc));
	vreg_write64(c, VIRTIO_COMMON_Q_AVAIL, virt_to_phys(vq->avail));
	vreg_write64(c, VIRTIO_COMMON_Q_USED, virt_to_phys(vq->used));
	vreg_write16(c, VIRTIO_COMMON_Q_ENABLE, 1);
	return 0;
}

int virtio_pci_setup_queue(struct virtio_pci *vdev, struct virtqueue *vq,
			   unsigned int index, unsigned int max_num)
{
	if (vdev->modern)
		return virtio_pci_setup_modern(vdev, vq, index, max_num);
	return virtio_pci_setup_legacy(vdev, vq, index);
}

void virtio_pci_kick(struct virtio_pci *vdev, struct virtqueue *vq)
{
	if (!virtq_needs_kick(vq))
		return;
	if (vdev->modern)
		vreg_write16(&vdev->notify, (unsigned int)vq->notify_off,
			     (uint16_t)vq->index);
	else
		vreg_write16(&vdev->common, VIRTIO_LEGACY_QUEUE_NOTIFY,
			     (uint16_t)vq->index);
}

uint8_t virtio_pci_isr(struct virtio_pci *vdev)
{
	if (vdev->modern)
		return vdev->isr.len ? vreg_read8(&vdev->isr, 0) : 0;
	return vreg_read8(&vdev->common, VIRTIO_LEGACY_ISR);
}
