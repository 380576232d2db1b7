/* Realtek RTL8139 Fast Ethernet, polled. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/byteswap.h>
#include <keel/ethernet.h>
#include <keel/io.h>
#include <keel/iobuf.h>
#include <keel/malloc.h>
#include <keel/netdevice.h>
#include <keel/pci.h>
#include <keel/timer.h>

/* Registers (I/O BAR 0), from the RTL8139 datasheet */
#define RTL_IDR0     0x00
#define RTL_MAR0     0x08
#define RTL_TSD0     0x10
#define RTL_TSD_OWN  0x00002000UL
#define RTL_TSD_TUN  0x00004000UL
#define RTL_TSD_TOK  0x00008000UL
#define RTL_TSD_TABT 0x40000000UL
/* Early transmit threshold: 256 bytes, in units of 32 */
#define RTL_TSD_ERTXTH (8UL << 16)
#define RTL_TSAD0      0x20
#define RTL_RBSTART    0x30
#define RTL_CR	       0x37
#define RTL_CR_BUFE    0x01
#define RTL_CR_TE      0x04
#define RTL_CR_RE      0x08
#define RTL_CR_RST     0x10
#define RTL_CAPR       0x38
#define RTL_IMR	       0x3c
#define RTL_ISR	       0x3e
#define RTL_TCR	       0x40
/* Normal interframe gap, 1024-byte DMA bursts */
#define RTL_TCR_DEFAULT		((3UL << 24) | (6UL << 8))
#define RTL_RCR			0x44
#define RTL_RCR_APM		0x00000002UL
#define RTL_RCR_AM		0x00000004UL
#define RTL_RCR_AB		0x00000008UL
#define RTL_RCR_WRAP		0x00000080UL
#define RTL_RCR_MXDMA_UNLIMITED (7UL << 8)
#define RTL_RCR_RBLEN_8K	(0UL << 11)
#define RTL_RCR_RXFTH_NONE	(7UL << 13)
#define RTL_MPC			0x4c
#define RTL_9346CR		0x50
#define RTL_9346CR_UNLOCK	0xc0
#define RTL_CONFIG1		0x52
#define RTL_MSR			0x58
#define RTL_MSR_LINKB		0x04
#define RTL_REGS_LEN		0x80

/* Receive packet header status bits */
#define RTL_RX_ROK 0x0001
#define RTL_RX_BAD 0x003e

/** Receive ring: 8 KiB, plus room for a frame written past the end (WRAP) */
#define RTL_RX_RING_LEN 8192
#define RTL_RX_BUF_LEN	(RTL_RX_RING_LEN + 16 + ETH_FRAME_LEN + 8)
#define RTL_NUM_TX	4
/** Transmit bounce buffers: slots need 4-byte aligned, padded frames */
#define RTL_TX_BUF_LEN 1536
/** Frames accepted but not yet in a hardware slot (the stack's maximum) */
#define RTL_TX_FIFO	 64
#define RTL_RESET_STEPS	 1000
#define RTL_LINK_POLL_MS 100
/** Frames read per poll */
#define RTL_RX_BUDGET 64

struct rtl8139_nic {
	unsigned long ioaddr;
	struct pci_device *pci;
	uint8_t *rx_ring;
	unsigned int rx_offset;
	uint8_t *tx_buf;
	/* Hardware slots, used round-robin; a slot holds its frame's iobuf */
	struct io_buffer *tx_slot[RTL_NUM_TX];
	unsigned int tx_prod;
	unsigned int tx_cons;
	/* Frames waiting for a slot */
	struct io_buffer *tx_fifo[RTL_TX_FIFO];
	unsigned int fifo_prod;
	unsigned int fifo_cons;
	unsigned long link_checked;
};

static inline uint8_t rtl_inb(struct rtl8139_nic *nic, unsigned int reg)
{
	return inb((uint16_t)(nic->ioaddr + reg));
}
static inline uint16_t rtl_inw(struct rtl8139_nic *nic, unsigned int reg)
{
	return inw((uint16_t)(nic->ioaddr + reg));
}
static inline uint32_t rtl_inl(struct rtl8139_nic *nic, unsigned int reg)
{
	return inl((uint16_t)(nic->ioaddr + reg));
}
static inline void rtl_outb(struct rtl8139_nic *nic, unsigned int reg,
			    uint8_t v)
{
	outb(v, (uint16_t)(nic->ioaddr + reg));
}
static inline void rtl_outw(struct rtl8139_nic *nic, unsigned int reg,
			    uint16_t v)
{
	outw(v, (uint16_t)(nic->ioaddr + reg));
}
static inline void rtl_outl(struct rtl8139_nic *nic, unsigned int reg,
			    uint32_t v)
{
	outl(v, (uint16_t)(nic->ioaddr + reg));
}

/**
 * Soft-reset the chip: stops both DMA engines and masks interrupts.
 *
 * @ret rc	0, or -ETIMEDOUT
 */
static int rtl8139_reset(struct rtl8139_nic *nic)
{
	unsigned int i;

	rtl_outw(nic, RTL_IMR, 0);
	rtl_outb(nic, RTL_CR, RTL_CR_RST);
	for (i = 0; i < RTL_RESET_STEPS; i++) {
		if (!(rtl_inb(nic, RTL_CR) & RTL_CR_RST))
			break;
		udelay(10);
	}
	rtl_outw(nic, RTL_ISR, 0xffff);
	if (i == RTL_RESET_STEPS)
		return errctx(-ETIMEDOUT, "rtl8139 %s stays in reset",
			      nic->pci->busloc);
	return 0;
}

static void rtl8139_check_link(struct net_device *netdev)
{
	struct rtl8139_nic *nic = netdev->priv;

	nic->link_checked = currticks();
	if (rtl_inb(nic, RTL_MSR) & RTL_MSR_LINKB)
		netdev_link_down(netdev);
	else
		netdev_link_up(netdev);
}

static void rtl8139_free(struct rtl8139_nic *nic)
{
	free(nic->rx_ring);
	free(nic->tx_buf);
	nic->rx_ring = NULL;
	nic->tx_buf = NULL;
	/* Queued frames stay on the device's queue; the stack frees them */
	memset(nic->tx_slot, 0, sizeof(nic->tx_slot));
	memset(nic->tx_fifo, 0, sizeof(nic->tx_fifo));
}

static int rtl8139_open(struct net_device *netdev)
{
	struct rtl8139_nic *nic = netdev->priv;
	unsigned int i;
	int rc;

	if ((rc = rtl8139_reset(nic)) != 0)
		return rc;
	nic->rx_ring = malloc_aligned(RTL_RX_BUF_LEN, 16, 0);
	nic->tx_buf = malloc_aligned(RTL_NUM_TX * RTL_TX_BUF_LEN, 16, 0);
	if (!nic->rx_ring || !nic->tx_buf) {
		rtl8139_free(nic);
		return -ENOMEM;
	}
	/* The chip takes 32-bit DMA addresses only */
	if ((uint64_t)virt_to_phys(nic->rx_ring) + RTL_RX_BUF_LEN >
		    0xffffffffULL ||
	    (uint64_t)virt_to_phys(nic->tx_buf) + RTL_NUM_TX * RTL_TX_BUF_LEN >
		    0xffffffffULL) {
		rtl8139_free(nic);
		return errctx(-ENOMEM, "rtl8139 needs memory below 4 GiB");
	}
	nic->rx_offset = 0;
	nic->tx_prod = nic->tx_cons = 0;
	nic->fifo_prod = nic->fifo_cons = 0;
	rtl_outb(nic, RTL_9346CR, RTL_9346CR_UNLOCK);
	for (i = 0; i < ETH_ALEN; i++)
		rtl_outb(nic, RTL_IDR0 + i, netdev->ll_addr[i]);
	/* Wake the chip from low-power state */
	rtl_outb(nic, RTL_CONFIG1, 0);
	rtl_outb(nic, RTL_9346CR, 0);
	for (i = 0; i < 8; i++)
		rtl_outb(nic, RTL_MAR0 + i, 0xff);
	rtl_outl(nic, RTL_RBSTART, (uint32_t)virt_to_phys(nic->rx_ring));
	rtl_outb(nic, RTL_CR, RTL_CR_TE | RTL_CR_RE);
	rtl_outl(nic, RTL_RCR,
		 RTL_RCR_APM | RTL_RCR_AM | RTL_RCR_AB | RTL_RCR_WRAP |
			 RTL_RCR_MXDMA_UNLIMITED | RTL_RCR_RBLEN_8K |
			 RTL_RCR_RXFTH_NONE);
	rtl_outl(nic, RTL_TCR, RTL_TCR_DEFAULT);
	rtl_outw(nic, RTL_CAPR, (uint16_t)(0 - 16));
	rtl_outl(nic, RTL_MPC, 0);
	rtl8139_check_link(netdev);
	return 0;
}

static void rtl8139_close(struct net_device *netdev)
{
	struct rtl8139_nic *nic = netdev->priv;

	rtl8139_reset(nic);
	rtl_outb(nic, RTL_CR, 0);
	rtl8139_free(nic);
	netdev_link_down(netdev);
}

/** Move waiting frames into free hardware slots */
static void rtl8139_tx_start(struct rtl8139_nic *nic)
{
	struct io_buffer *iobuf;
	unsigned int slot;
	size_t len;
	uint8_t *buf;

	while (nic->fifo_cons != nic->fifo_prod &&
	       nic->tx_prod - nic->tx_cons < RTL_NUM_TX) {
		iobuf = nic->tx_fifo[nic->fifo_cons++ % RTL_TX_FIFO];
		slot = nic->tx_prod++ % RTL_NUM_TX;
		buf = nic->tx_buf + slot * RTL_TX_BUF_LEN;
		len = iob_len(iobuf);
		memcpy(buf, iobuf->data, len);
		/* The chip does not pad runts */
		if (len < ETH_ZLEN) {
			memset(buf + len, 0, ETH_ZLEN - len);
			len = ETH_ZLEN;
		}
		nic->tx_slot[slot] = iobuf;
		rtl_outl(nic, RTL_TSAD0 + 4 * slot,
			 (uint32_t)virt_to_phys(buf));
		wmb();
		/* Writing the size clears OWN and starts the transmission */
		rtl_outl(nic, RTL_TSD0 + 4 * slot,
			 RTL_TSD_ERTXTH | (uint32_t)len);
	}
}

static int rtl8139_transmit(struct net_device *netdev, struct io_buffer *iobuf)
{
	struct rtl8139_nic *nic = netdev->priv;

	if (iob_len(iobuf) > RTL_TX_BUF_LEN)
		return -EMSGSIZE;
	if (nic->fifo_prod - nic->fifo_cons >= RTL_TX_FIFO)
		return -ENOBUFS;
	nic->tx_fifo[nic->fifo_prod++ % RTL_TX_FIFO] = iobuf;
	rtl8139_tx_start(nic);
	return 0;
}

/** Hand back every frame whose slot the chip has finished with */
static void rtl8139_poll_tx(struct net_device *netdev)
{
	struct rtl8139_nic *nic = netdev->priv;
	unsigned int slot;
	uint32_t tsd;

	while (nic->tx_cons != nic->tx_prod) {
		slot = nic->tx_cons % RTL_NUM_TX;
		tsd = rtl_inl(nic, RTL_TSD0 + 4 * slot);
		if (!(tsd & (RTL_TSD_TOK | RTL_TSD_TUN | RTL_TSD_TABT)))
			break;
		nic->tx_cons++;
		if (nic->tx_slot[slot]) {
			netdev_tx_complete_err(netdev, nic->tx_slot[slot],
					       (tsd & RTL_TSD_TOK) ? 0 : -EIO);
			nic->tx_slot[slot] = NULL;
		}
	}
	rtl8139_tx_start(nic);
}

/** Start again after the chip lost its place: queued frames fail */
static void rtl8139_restart(struct net_device *netdev)
{
	struct rtl8139_nic *nic = netdev->priv;
	unsigned int i;

	rtl8139_reset(nic);
	for (i = 0; i < RTL_NUM_TX; i++) {
		if (nic->tx_slot[i])
			netdev_tx_complete_err(netdev, nic->tx_slot[i], -EIO);
	}
	while (nic->fifo_cons != nic->fifo_prod)
		netdev_tx_complete_err(
			netdev, nic->tx_fifo[nic->fifo_cons++ % RTL_TX_FIFO],
			-EIO);
	rtl8139_close(netdev);
	rtl8139_open(netdev);
}

/** Read frames out of the ring, checking each header against the ring */
static void rtl8139_poll_rx(struct net_device *netdev)
{
	struct rtl8139_nic *nic = netdev->priv;
	struct io_buffer *iobuf;
	unsigned int budget = RTL_RX_BUDGET;
	uint16_t status, len;
	uint8_t *hdr;

	while (budget-- && !(rtl_inb(nic, RTL_CR) & RTL_CR_BUFE)) {
		rmb();
		hdr = nic->rx_ring + nic->rx_offset;
		status = (uint16_t)(hdr[0] | (hdr[1] << 8));
		len = (uint16_t)(hdr[2] | (hdr[3] << 8));
		/* A length the ring cannot hold means the chip lost its way */
		if (!(status & RTL_RX_ROK) || (status & RTL_RX_BAD) ||
		    len < ETH_HLEN + 4 || len > ETH_FRAME_LEN + 8) {
			netdev->rx_stats.bad++;
			netdev_link_err(netdev,
					errctx(-EIO,
					       "rtl8139 %s: bad receive "
					       "header, resetting",
					       nic->pci->busloc));
			rtl8139_restart(netdev);
			return;
		}
		iobuf = alloc_iob(len - 4);
		if (iobuf) {
			memcpy(iob_put(iobuf, len - 4), hdr + 4, len - 4);
			netdev_rx(netdev, iobuf);
		}
		nic->rx_offset = (nic->rx_offset + len + 4 + 3) & ~3U;
		nic->rx_offset %= RTL_RX_RING_LEN;
		rtl_outw(nic, RTL_CAPR, (uint16_t)(nic->rx_offset - 16));
	}
}

static void rtl8139_poll(struct net_device *netdev)
{
	struct rtl8139_nic *nic = netdev->priv;

	if (!nic->rx_ring)
		return;
	/* Acknowledge everything: nothing is signalled, but keep INTx low */
	rtl_outw(nic, RTL_ISR, rtl_inw(nic, RTL_ISR));
	rtl8139_poll_tx(netdev);
	rtl8139_poll_rx(netdev);
	if (!nic->rx_ring)
		return;
	if (!netdev_link_ok(netdev) ||
	    currticks() - nic->link_checked >= RTL_LINK_POLL_MS)
		rtl8139_check_link(netdev);
}

static const struct net_device_operations rtl8139_operations = {
	.open = rtl8139_open,
	.close = rtl8139_close,
	.transmit = rtl8139_transmit,
	.poll = rtl8139_poll,
};

static int rtl8139_probe(struct pci_device *pci)
{
	struct net_device *netdev;
	struct rtl8139_nic *nic;
	struct pci_bar bar;
	unsigned int i;
	int rc;

	netdev = alloc_etherdev(sizeof(*nic));
	if (!netdev)
		return -ENOMEM;
	netdev_init(netdev, &rtl8139_operations);
	nic = netdev->priv;
	nic->pci = pci;
	pci->priv = netdev;
	netdev->chip = pci->id->name;
	if (pci_bar_decode(pci, 0, &bar) != 0 || !bar.io ||
	    bar.size < RTL_REGS_LEN || bar.start + bar.size > 0x10000) {
		rc = errctx(-ENODEV, "rtl8139 %s: no I/O registers",
			    pci->busloc);
		goto err_bar;
	}
	nic->ioaddr = (unsigned long)bar.start;
	pci_enable_device(pci);
	if ((rc = rtl8139_reset(nic)) != 0)
		goto err_reset;
	for (i = 0; i < ETH_ALEN; i++)
		netdev->hw_addr[i] = rtl_inb(nic, RTL_IDR0 + i);
	if (!is_valid_ether_addr(netdev->hw_addr)) {
		eth_random_addr(netdev->hw_addr);
		printf("rtl8139 %s: no valid MAC address, using %s\n",
		       pci->busloc, eth_ntoa(netdev->hw_addr));
	}
	if ((rc = register_netdev(netdev)) != 0)
		goto err_register;
	pci_describe_netdev(pci, netdev);
	netdev_put(netdev);
	return 0;

err_register:
err_reset:
	pci_disable_master(pci);
err_bar:
	netdev_put(netdev);
	return rc;
}

static void rtl8139_remove(struct pci_device *pci)
{
	struct net_device *netdev = pci->priv;
	struct rtl8139_nic *nic = netdev->priv;

	netdev_get(netdev);
	unregister_netdev(netdev);
	rtl8139_reset(nic);
	netdev_put(netdev);
}

static const struct pci_device_id rtl8139_ids[] = {
	PCI_ID(0x10ec, 0x8139, "RTL8139", 0),
};

struct pci_driver rtl8139_driver __pci_driver = {
	.name = "rtl8139",
	.ids = rtl8139_ids,
	.id_count = ARRAY_SIZE(rtl8139_ids),
	.probe = rtl8139_probe,
	.remove = rtl8139_remove,
};
