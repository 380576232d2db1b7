/* Virtio network device (legacy and virtio 1.0), polled. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/ethernet.h>
#include <keel/io.h>
#include <keel/iobuf.h>
#include <keel/malloc.h>
#include <keel/netdevice.h>
#include <keel/pci.h>
#include <keel/timer.h>
#include <keel/virtio.h>

/* Feature bits */
#define VIRTIO_NET_F_MAC    5
#define VIRTIO_NET_F_STATUS 16
/* Device configuration */
#define VIRTIO_NET_CONFIG_MAC	 0
#define VIRTIO_NET_CONFIG_STATUS 6
#define VIRTIO_NET_S_LINK_UP	 0x0001

/* Queues */
#define VIRTNET_RXQ 0
#define VIRTNET_TXQ 1
/** Descriptors asked for on modern devices (legacy ones impose theirs) */
#define VIRTNET_QUEUE_MAX 256
/** Receive buffers kept posted, at most */
#define VIRTNET_RX_MAX 64
/** Receive buffer: a full frame (no mergeable buffers, no offloads) */
#define VIRTNET_RX_BUF_LEN (ETH_FRAME_LEN + 4)
/** Longest frame sent (a VLAN tag fits) */
#define VIRTNET_TX_MAX_LEN (ETH_FRAME_LEN + 4)
/** Link state is looked at this often */
#define VIRTNET_LINK_POLL_MS 100

/**
 * The header in front of every packet: 10 bytes on legacy devices without
 * mergeable buffers, 12 with VIRTIO_F_VERSION_1. With no offloads taken
 * it is all zeros on transmit and ignored on receive.
 */
#define VIRTNET_HDR_LEN_LEGACY 10
#define VIRTNET_HDR_LEN_MODERN 12

struct virtnet_nic {
	struct virtio_pci vdev;
	struct virtqueue rxq;
	struct virtqueue txq;
	size_t hdr_len;
	/** Headers: one read-only zero header for transmit, one scratch
	 * header that every receive overwrites (DMA memory) */
	uint8_t *tx_hdr;
	uint8_t *rx_hdr;
	uint64_t features;
	unsigned int rx_max;
	unsigned long link_checked;
};

/** Give the device receive buffers up to the target */
static void virtnet_refill_rx(struct virtnet_nic *nic)
{
	struct virtq_buf bufs[2];
	struct io_buffer *iobuf;

	while (virtq_in_flight(&nic->rxq) < nic->rx_max) {
		iobuf = alloc_iob(VIRTNET_RX_BUF_LEN);
		if (!iobuf)
			break;
		bufs[0].data = nic->rx_hdr;
		bufs[0].len = (uint32_t)nic->hdr_len;
		bufs[1].data = iobuf->data;
		bufs[1].len = VIRTNET_RX_BUF_LEN;
		if (virtq_add(&nic->rxq, bufs, 2, 0, iobuf) != 0) {
			free_iob(iobuf);
			break;
		}
	}
	virtio_pci_kick(&nic->vdev, &nic->rxq);
}

/** Look at the link; report a change to the stack */
static void virtnet_check_link(struct net_device *netdev)
{
	struct virtnet_nic *nic = netdev->priv;
	uint16_t status;

	nic->link_checked = currticks();
	/* Clears a pending configuration interrupt, so no line stays up */
	virtio_pci_isr(&nic->vdev);
	if (nic->vdev.modern &&
	    (virtio_pci_get_status(&nic->vdev) & VIRTIO_STATUS_NEEDS_RESET)) {
		netdev_link_err(netdev, errctx(-EIO,
					       "virtio-net %s needs a "
					       "reset",
					       nic->vdev.pci->busloc));
		return;
	}
	if (nic->rxq.broken || nic->txq.broken) {
		netdev_link_err(netdev, errctx(-EIO,
					       "virtio-net %s returned a "
					       "bad buffer",
					       nic->vdev.pci->busloc));
		return;
	}
	if (!(nic->features & (1ULL << VIRTIO_NET_F_STATUS))) {
		netdev_link_up(netdev);
		return;
	}
	status = virtio_pci_config16(&nic->vdev, VIRTIO_NET_CONFIG_STATUS);
	if (status & VIRTIO_NET_S_LINK_UP)
		netdev_link_up(netdev);
	else
		netdev_link_down(netdev);
}

/** Free the queues and every receive buffer (the device must be reset) */
static void virtnet_free_queues(struct virtnet_nic *nic)
{
	unsigned int i;

	for (i = 0; i < nic->rxq.num; i++)
		free_iob(nic->rxq.token[i]);
	/* Transmit buffers stay on the device's queue; the stack frees them */
	virtq_free(&nic->rxq);
	virtq_free(&nic->txq);
}

/** Negotiate features: the MAC, link status, and 1.0 on modern devices */
static int virtnet_negotiate(struct virtnet_nic *nic)
{
	uint64_t offered = virtio_pci_features(&nic->vdev);
	uint64_t wanted =
		(1ULL << VIRTIO_NET_F_MAC) | (1ULL << VIRTIO_NET_F_STATUS);

	if (nic->vdev.modern) {
		if (!(offered & (1ULL << VIRTIO_F_VERSION_1)))
			return errctx(-ENOTSUP,
				      "virtio-net %s lacks "
				      "VIRTIO_F_VERSION_1",
				      nic->vdev.pci->busloc);
		wanted |= 1ULL << VIRTIO_F_VERSION_1;
	}
	nic->features = offered & wanted;
	nic->hdr_len = nic->vdev.modern ? VIRTNET_HDR_LEN_MODERN
					: VIRTNET_HDR_LEN_LEGACY;
	if (virtio_pci_set_features(&nic->vdev, nic->features) != 0)
		return errctx(-ENOTSUP, "virtio-net %s refused its features",
			      nic->vdev.pci->busloc);
	return 0;
}

static int virtnet_open(struct net_device *netdev)
{
	struct virtnet_nic *nic = netdev->priv;
	int rc;

	virtio_pci_reset(&nic->vdev);
	virtio_pci_add_status(&nic->vdev,
			      VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	if ((rc = virtnet_negotiate(nic)) != 0)
		goto err_features;
	if ((rc = virtio_pci_setup_queue(&nic->vdev, &nic->rxq, VIRTNET_RXQ,
					 VIRTNET_QUEUE_MAX)) != 0)
		goto err_rxq;
	if ((rc = virtio_pci_setup_queue(&nic->vdev, &nic->txq, VIRTNET_TXQ,
					 VIRTNET_QUEUE_MAX)) != 0)
		goto err_txq;
	/* Each receive takes two descriptors: header and frame */
	nic->rx_max = nic->rxq.num / 2;
	if (nic->rx_max > VIRTNET_RX_MAX)
		nic->rx_max = VIRTNET_RX_MAX;
	virtio_pci_add_status(&nic->vdev, VIRTIO_STATUS_DRIVER_OK);
	virtnet_refill_rx(nic);
	if (!virtq_in_flight(&nic->rxq)) {
		rc = -ENOMEM;
		goto err_rx;
	}
	virtnet_check_link(netdev);
	return 0;

err_rx:
err_txq:
err_rxq:
	virtio_pci_add_status(&nic->vdev, VIRTIO_STATUS_FAILED);
	virtio_pci_reset(&nic->vdev);
	virtnet_free_queues(nic);
	return rc;
err_features:
	virtio_pci_add_status(&nic->vdev, VIRTIO_STATUS_FAILED);
	virtio_pci_reset(&nic->vdev);
	return rc;
}

static void virtnet_close(struct net_device *netdev)
{
	struct virtnet_nic *nic = netdev->priv;

	/* The reset stops all DMA before the buffers go back to the heap */
	virtio_pci_reset(&nic->vdev);
	virtnet_free_queues(nic);
	netdev_link_down(netdev);
}

static int virtnet_transmit(struct net_device *netdev, struct io_buffer *iobuf)
{
	struct virtnet_nic *nic = netdev->priv;
	struct virtq_buf bufs[2];
	size_t len = iob_len(iobuf);
	int rc;

	if (len == 0 || len > VIRTNET_TX_MAX_LEN)
		return -EMSGSIZE;
	bufs[0].data = nic->tx_hdr;
	bufs[0].len = (uint32_t)nic->hdr_len;
	bufs[1].data = iobuf->data;
	bufs[1].len = (uint32_t)len;
	if ((rc = virtq_add(&nic->txq, bufs, 2, 2, iobuf)) != 0)
		return rc;
	virtio_pci_kick(&nic->vdev, &nic->txq);
	return 0;
}

/** Pass up every received frame, checking the length the device claims */
static void virtnet_poll_rx(struct net_device *netdev)
{
	struct virtnet_nic *nic = netdev->priv;
	struct io_buffer *iobuf;
	unsigned int budget = nic->rxq.num;
	uint32_t len;

	while (budget-- && (iobuf = virtq_get(&nic->rxq, &len))) {
		if (len < nic->hdr_len + ETH_HLEN ||
		    len - nic->hdr_len > VIRTNET_RX_BUF_LEN) {
			netdev_rx_err(netdev, iobuf, -EIO);
			continue;
		}
		iob_put(iobuf, len - nic->hdr_len);
		netdev_rx(netdev, iobuf);
	}
	virtnet_refill_rx(nic);
}

static void virtnet_poll(struct net_device *netdev)
{
	struct virtnet_nic *nic = netdev->priv;
	struct io_buffer *iobuf;
	unsigned int budget = nic->txq.num;
	uint32_t len;

	while (budget-- && (iobuf = virtq_get(&nic->txq, &len)))
		netdev_tx_complete(netdev, iobuf);
	virtnet_poll_rx(netdev);
	if (nic->rxq.broken || nic->txq.broken || !netdev_link_ok(netdev) ||
	    currticks() - nic->link_checked >= VIRTNET_LINK_POLL_MS)
		virtnet_check_link(netdev);
}

static const struct net_device_operations virtnet_operations = {
	.open = virtnet_open,
	.close = virtnet_close,
	.transmit = virtnet_transmit,
	.poll = virtnet_poll,
};

/** Read the device's MAC, or make one up if it offers none */
static void virtnet_read_mac(struct virtnet_nic *nic, uint8_t *mac)
{
	if (virtio_pci_features(&nic->vdev) & (1ULL << VIRTIO_NET_F_MAC)) {
		virtio_pci_config_read(&nic->vdev, VIRTIO_NET_CONFIG_MAC, mac,
				       ETH_ALEN);
		if (is_valid_ether_addr(mac))
			return;
	}
	eth_random_addr(mac);
	printf("virtio-net %s: no valid MAC address, using %s\n",
	       nic->vdev.pci->busloc, eth_ntoa(mac));
}

static int virtnet_probe(struct pci_device *pci)
{
	struct net_device *netdev;
	struct virtnet_nic *nic;
	int rc;

	netdev = alloc_etherdev(sizeof(*nic));
	if (!netdev)
		return -ENOMEM;
	netdev_init(netdev, &virtnet_operations);
	nic = netdev->priv;
	pci->priv = netdev;
	netdev->chip = pci->id->name;
	if ((rc = virtio_pci_init(&nic->vdev, pci, (int)pci->id->data)) != 0) {
		rc = errctx(rc, "virtio-net %s: no usable transport",
			    pci->busloc);
		goto err_init;
	}
	nic->tx_hdr = malloc_aligned(2 * VIRTNET_HDR_LEN_MODERN, 16, 0);
	if (!nic->tx_hdr) {
		rc = -ENOMEM;
		goto err_hdr;
	}
	memset(nic->tx_hdr, 0, 2 * VIRTNET_HDR_LEN_MODERN);
	nic->rx_hdr = nic->tx_hdr + VIRTNET_HDR_LEN_MODERN;
	pci_enable_device(pci);
	virtio_pci_reset(&nic->vdev);
	virtio_pci_add_status(&nic->vdev,
			      VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	virtnet_read_mac(nic, netdev->hw_addr);
	virtio_pci_reset(&nic->vdev);
	DBG("virtio-net %s: %s transport\n", pci->busloc,
	    nic->vdev.modern ? "modern" : "legacy");
	if ((rc = register_netdev(netdev)) != 0)
		goto err_register;
	pci_describe_netdev(pci, netdev);
	netdev_put(netdev);
	return 0;

err_register:
	pci_disable_master(pci);
	free(nic->tx_hdr);
err_hdr:
err_init:
	netdev_put(netdev);
	return rc;
}

static void virtnet_remove(struct pci_device *pci)
{
	struct net_device *netdev = pci->priv;
	struct virtnet_nic *nic = netdev->priv;

	netdev_get(netdev);
	unregister_netdev(netdev);
	virtio_pci_reset(&nic->vdev);
	free(nic->tx_hdr);
	netdev_put(netdev);
}

/* Driver data: 1 if the device speaks only the modern transport */
static const struct pci_device_id virtnet_ids[] = {
	PCI_ID(0x1af4, 0x1000, "virtio-net", 0),
	PCI_ID(0x1af4, 0x1041, "virtio-net", 1),
};

struct pci_driver virtnet_driver __pci_driver = {
	.name = "virtio-net",
	.ids = virtnet_ids,
	.id_count = ARRAY_SIZE(virtnet_ids),
	.probe = virtnet_probe,
	.remove = virtnet_remove,
};
