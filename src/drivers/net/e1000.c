/* Intel 8254x / 82574 gigabit Ethernet (e1000), polled. */
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

/* Registers (offsets into BAR 0), from the 8254x and 82574 manuals */
#define E1000_CTRL	      0x0000
#define E1000_CTRL_FD	      0x00000001UL
#define E1000_CTRL_LRST	      0x00000008UL
#define E1000_CTRL_ASDE	      0x00000020UL
#define E1000_CTRL_SLU	      0x00000040UL
#define E1000_CTRL_RST	      0x04000000UL
#define E1000_CTRL_PHY_RST    0x80000000UL
#define E1000_STATUS	      0x0008
#define E1000_STATUS_LU	      0x00000002UL
#define E1000_EERD	      0x0014
#define E1000_ICR	      0x00c0
#define E1000_IMC	      0x00d8
#define E1000_RCTL	      0x0100
#define E1000_RCTL_EN	      0x00000002UL
#define E1000_RCTL_MPE	      0x00000010UL
#define E1000_RCTL_BAM	      0x00008000UL
#define E1000_RCTL_BSIZE_2048 0x00000000UL
#define E1000_RCTL_SECRC      0x04000000UL
#define E1000_TCTL	      0x0400
#define E1000_TCTL_EN	      0x00000002UL
#define E1000_TCTL_PSP	      0x00000008UL
#define E1000_TCTL_CT(n)      ((uint32_t)(n) << 4)
#define E1000_TCTL_COLD(n)    ((uint32_t)(n) << 12)
#define E1000_TCTL_RTLC	      0x01000000UL
#define E1000_TIPG	      0x0410
/* IPGT 10, IPGR1 8, IPGR2 6: the recommended copper values */
#define E1000_TIPG_DEFAULT (10UL | (8UL << 10) | (6UL << 20))
#define E1000_RDBAL	   0x2800
#define E1000_RDBAH	   0x2804
#define E1000_RDLEN	   0x2808
#define E1000_RDH	   0x2810
#define E1000_RDT	   0x2818
#define E1000_RDTR	   0x2820
#define E1000_TDBAL	   0x3800
#define E1000_TDBAH	   0x3804
#define E1000_TDLEN	   0x3808
#define E1000_TDH	   0x3810
#define E1000_TDT	   0x3818
#define E1000_MTA	   0x5200
#define E1000_MTA_ENTRIES  128
#define E1000_RAL0	   0x5400
#define E1000_RAH0	   0x5404
#define E1000_RAH_AV	   0x80000000UL
/* Bytes of register space the driver touches */
#define E1000_REGS_LEN 0x6000

/* EEPROM read register: two layouts */
#define E1000_EERD_START	    0x00000001UL
#define E1000_EERD_DONE_8254X	    0x00000010UL
#define E1000_EERD_ADDR_SHIFT_8254X 8
#define E1000_EERD_DONE_82574	    0x00000002UL
#define E1000_EERD_ADDR_SHIFT_82574 2
#define E1000_EERD_DATA_SHIFT	    16

/* Variant flags (pci_device_id.data) */
#define E1000_EERD_82574 0x0001

/** A legacy receive descriptor */
struct e1000_rx_desc {
	uint64_t addr;
	uint16_t length;
	uint16_t csum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
} __packed;
#define E1000_RXD_STAT_DD  0x01
#define E1000_RXD_STAT_EOP 0x02
/* CE, SE, SEQ, CXE, RXE: the frame itself is bad (not checksum hints) */
#define E1000_RXD_ERR_FRAME 0x97

/** A legacy transmit descriptor */
struct e1000_tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
} __packed;
#define E1000_TXD_CMD_EOP  0x01
#define E1000_TXD_CMD_IFCS 0x02
#define E1000_TXD_CMD_RS   0x08
#define E1000_TXD_STAT_DD  0x01

/* Ring sizes: lengths must be multiples of 128 bytes (8 descriptors) */
/*
 * Receive descriptors (a power of two): enough for a whole 64 KiB window
 * arriving at once. QEMU's e1000 drops frames when the ring is full (its
 * user-net pushes a window in one go), and each loss then costs the peer a
 * retransmission timeout; 32 lost some on most 64 MiB downloads.
 */
#define E1000_NUM_RX	 128
#define E1000_NUM_TX	 128
#define E1000_RX_BUF_LEN 2048
/** Longest frame one legacy transmit descriptor carries */
#define E1000_TX_MAX_LEN 16288
#define E1000_RING_ALIGN 128
/** Link state is looked at this often while the link is up */
#define E1000_LINK_POLL_MS 100
/** Reset: how long the RST bit may take to clear, in 10 us steps */
#define E1000_RESET_STEPS 1000
/** EEPROM word read: how long DONE may take, in 10 us steps */
#define E1000_EERD_STEPS 1000

struct e1000_nic {
	void *regs;
	struct pci_device *pci;
	unsigned long flags;
	struct e1000_rx_desc *rx;
	struct io_buffer *rx_iob[E1000_NUM_RX];
	/* Free-running indices: producer (given to hardware), consumer */
	unsigned int rx_prod;
	unsigned int rx_cons;
	/** Inside a frame that spilled over several buffers: drop to its end */
	int rx_discard;
	struct e1000_tx_desc *tx;
	struct io_buffer *tx_iob[E1000_NUM_TX];
	unsigned int tx_prod;
	unsigned int tx_cons;
	unsigned long link_checked;
};

static inline uint32_t e1000_read(struct e1000_nic *nic, unsigned int reg)
{
	return readl((uint8_t *)nic->regs + reg);
}

static inline void e1000_write(struct e1000_nic *nic, unsigned int reg,
			       uint32_t value)
{
	writel(value, (uint8_t *)nic->regs + reg);
}

/**
 * Reset the MAC: stops all DMA and masks every interrupt.
 *
 * @ret rc	0, or -ETIMEDOUT if the chip never leaves reset
 */
static int e1000_reset(struct e1000_nic *nic)
{
	unsigned int i;

	e1000_write(nic, E1000_IMC, 0xffffffffUL);
	e1000_write(nic, E1000_RCTL, 0);
	e1000_write(nic, E1000_TCTL, 0);
	/* Let any DMA in flight finish before pulling the rug */
	mdelay(2);
	e1000_write(nic, E1000_CTRL,
		    e1000_read(nic, E1000_CTRL) | E1000_CTRL_RST);
	/* The manual asks for a pause before the next register access */
	mdelay(1);
	for (i = 0; i < E1000_RESET_STEPS; i++) {
		if (!(e1000_read(nic, E1000_CTRL) & E1000_CTRL_RST))
			break;
		udelay(10);
	}
	e1000_write(nic, E1000_IMC, 0xffffffffUL);
	e1000_read(nic, E1000_ICR);
	if (i == E1000_RESET_STEPS)
		return errctx(-ETIMEDOUT, "e1000 %s stays in reset",
			      nic->pci->busloc);
	/* Give the EEPROM auto-read time to reload the address registers */
	mdelay(10);
	return 0;
}

/**
 * Read one 16-bit EEPROM word through EERD.
 *
 * @ret rc	0, or -ETIMEDOUT
 */
static int e1000_eeprom_read(struct e1000_nic *nic, unsigned int word,
			     uint16_t *value)
{
	int layout_82574 = nic->flags & E1000_EERD_82574;
	uint32_t done =
		layout_82574 ? E1000_EERD_DONE_82574 : E1000_EERD_DONE_8254X;
	unsigned int shift = layout_82574 ? E1000_EERD_ADDR_SHIFT_82574
					  : E1000_EERD_ADDR_SHIFT_8254X;
	uint32_t eerd;
	unsigned int i;

	e1000_write(nic, E1000_EERD,
		    ((uint32_t)word << shift) | E1000_EERD_START);
	for (i = 0; i < E1000_EERD_STEPS; i++) {
		eerd = e1000_read(nic, E1000_EERD);
		if (eerd & done) {
			*value = (uint16_t)(eerd >> E1000_EERD_DATA_SHIFT);
			return 0;
		}
		udelay(10);
	}
	return -ETIMEDOUT;
}

/** Find the burned-in MAC: receive address 0 first, then the EEPROM */
static void e1000_read_mac(struct e1000_nic *nic, uint8_t *mac)
{
	uint32_t ral = e1000_read(nic, E1000_RAL0);
	uint32_t rah = e1000_read(nic, E1000_RAH0);
	uint16_t word;
	unsigned int i;

	if (rah & E1000_RAH_AV) {
		for (i = 0; i < 4; i++)
			mac[i] = (uint8_t)(ral >> (8 * i));
		mac[4] = (uint8_t)rah;
		mac[5] = (uint8_t)(rah >> 8);
		if (is_valid_ether_addr(mac))
			return;
	}
	for (i = 0; i < 3; i++) {
		if (e1000_eeprom_read(nic, i, &word) != 0)
			break;
		mac[2 * i] = (uint8_t)word;
		mac[2 * i + 1] = (uint8_t)(word >> 8);
	}
	if (i == 3 && is_valid_ether_addr(mac))
		return;
	eth_random_addr(mac);
	printf("e1000 %s: no valid MAC address, using %s\n", nic->pci->busloc,
	       eth_ntoa(mac));
}

/** Program receive address 0 with the address in use */
static void e1000_set_mac(struct e1000_nic *nic, const uint8_t *mac)
{
	uint32_t ral = (uint32_t)mac[0] | ((uint32_t)mac[1] << 8) |
		       ((uint32_t)mac[2] << 16) | ((uint32_t)mac[3] << 24);
	uint32_t rah = (uint32_t)mac[4] | ((uint32_t)mac[5] << 8);

	e1000_write(nic, E1000_RAL0, ral);
	e1000_write(nic, E1000_RAH0, rah | E1000_RAH_AV);
}

/** Give every free receive slot a buffer, then tell the hardware */
static void e1000_refill_rx(struct e1000_nic *nic)
{
	struct e1000_rx_desc *desc;
	struct io_buffer *iobuf;
	unsigned int idx, posted = 0;

	/* One slot stays empty: head == tail means "nothing for hardware" */
	while (nic->rx_prod - nic->rx_cons < E1000_NUM_RX - 1) {
		iobuf = alloc_iob(E1000_RX_BUF_LEN);
		if (!iobuf)
			break;
		idx = nic->rx_prod % E1000_NUM_RX;
		desc = &nic->rx[idx];
		desc->addr = cpu_to_le64(virt_to_phys(iobuf->data));
		desc->length = 0;
		desc->status = 0;
		desc->errors = 0;
		nic->rx_iob[idx] = iobuf;
		nic->rx_prod++;
		posted++;
	}
	if (posted) {
		wmb();
		e1000_write(nic, E1000_RDT, nic->rx_prod % E1000_NUM_RX);
	}
}

/** Look at the link; report a change to the stack */
static void e1000_check_link(struct net_device *netdev)
{
	struct e1000_nic *nic = netdev->priv;

	nic->link_checked = currticks();
	if (e1000_read(nic, E1000_STATUS) & E1000_STATUS_LU)
		netdev_link_up(netdev);
	else
		netdev_link_down(netdev);
}

/** Free the rings and every receive buffer (hardware must be reset) */
static void e1000_free_rings(struct e1000_nic *nic)
{
	unsigned int i;

	for (i = 0; i < E1000_NUM_RX; i++) {
		free_iob(nic->rx_iob[i]);
		nic->rx_iob[i] = NULL;
	}
	/* Transmit buffers stay on the device's queue; the stack frees them */
	memset(nic->tx_iob, 0, sizeof(nic->tx_iob));
	free(nic->rx);
	free(nic->tx);
	nic->rx = NULL;
	nic->tx = NULL;
}

/** Point the hardware at freshly allocated, empty rings */
static int e1000_setup_rings(struct e1000_nic *nic)
{
	size_t rx_len = E1000_NUM_RX * sizeof(*nic->rx);
	size_t tx_len = E1000_NUM_TX * sizeof(*nic->tx);
	uint64_t rx_phys, tx_phys;

	nic->rx = malloc_aligned(rx_len, E1000_RING_ALIGN, 0);
	nic->tx = malloc_aligned(tx_len, E1000_RING_ALIGN, 0);
	if (!nic->rx || !nic->tx) {
		e1000_free_rings(nic);
		return -ENOMEM;
	}
	memset(nic->rx, 0, rx_len);
	memset(nic->tx, 0, tx_len);
	nic->rx_prod = nic->rx_cons = 0;
	nic->rx_discard = 0;
	nic->tx_prod = nic->tx_cons = 0;
	rx_phys = virt_to_phys(nic->rx);
	tx_phys = virt_to_phys(nic->tx);

	e1000_write(nic, E1000_TDBAL, (uint32_t)tx_phys);
	e1000_write(nic, E1000_TDBAH, (uint32_t)(tx_phys >> 32));
	e1000_write(nic, E1000_TDLEN, (uint32_t)tx_len);
	e1000_write(nic, E1000_TDH, 0);
	e1000_write(nic, E1000_TDT, 0);
	e1000_write(nic, E1000_TIPG, E1000_TIPG_DEFAULT);

	e1000_write(nic, E1000_RDBAL, (uint32_t)rx_phys);
	e1000_write(nic, E1000_RDBAH, (uint32_t)(rx_phys >> 32));
	e1000_write(nic, E1000_RDLEN, (uint32_t)rx_len);
	e1000_write(nic, E1000_RDH, 0);
	e1000_write(nic, E1000_RDT, 0);
	e1000_write(nic, E1000_RDTR, 0);
	return 0;
}

static int e1000_open(struct net_device *netdev)
{
	struct e1000_nic *nic = netdev->priv;
	unsigned int i;
	int rc;

	if ((rc = e1000_reset(nic)) != 0)
		return rc;
	e1000_set_mac(nic, netdev->ll_addr);
	for (i = 0; i < E1000_MTA_ENTRIES; i++)
		e1000_write(nic, E1000_MTA + 4 * i, 0);
	if ((rc = e1000_setup_rings(nic)) != 0)
		return rc;
	e1000_refill_rx(nic);
	if (nic->rx_prod == nic->rx_cons) {
		rc = -ENOMEM;
		goto err_rx;
	}
	e1000_write(nic, E1000_TCTL,
		    E1000_TCTL_EN | E1000_TCTL_PSP | E1000_TCTL_CT(0x0f) |
			    E1000_TCTL_COLD(0x40) | E1000_TCTL_RTLC);
	/* Unicast to us, broadcast, and every multicast (no filter API) */
	e1000_write(nic, E1000_RCTL,
		    E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_MPE |
			    E1000_RCTL_BSIZE_2048 | E1000_RCTL_SECRC);
	e1000_write(nic, E1000_CTRL,
		    (e1000_read(nic, E1000_CTRL) &
		     ~(E1000_CTRL_LRST | E1000_CTRL_PHY_RST)) |
			    E1000_CTRL_SLU | E1000_CTRL_ASDE);
	e1000_check_link(netdev);
	return 0;

err_rx:
	e1000_reset(nic);
	e1000_free_rings(nic);
	return rc;
}

static void e1000_close(struct net_device *netdev)
{
	struct e1000_nic *nic = netdev->priv;

	/* A reset stops every DMA before the buffers go back to the heap */
	e1000_reset(nic);
	e1000_free_rings(nic);
	netdev_link_down(netdev);
}

static int e1000_transmit(struct net_device *netdev, struct io_buffer *iobuf)
{
	struct e1000_nic *nic = netdev->priv;
	struct e1000_tx_desc *desc;
	size_t len = iob_len(iobuf);
	unsigned int idx;

	if (nic->tx_prod - nic->tx_cons >= E1000_NUM_TX - 1)
		return -ENOBUFS;
	if (len == 0 || len > E1000_TX_MAX_LEN)
		return -EMSGSIZE;
	idx = nic->tx_prod % E1000_NUM_TX;
	desc = &nic->tx[idx];
	desc->addr = cpu_to_le64(virt_to_phys(iobuf->data));
	desc->length = cpu_to_le16((uint16_t)len);
	desc->cso = 0;
	desc->cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
	desc->status = 0;
	desc->css = 0;
	desc->special = 0;
	nic->tx_iob[idx] = iobuf;
	nic->tx_prod++;
	wmb();
	e1000_write(nic, E1000_TDT, nic->tx_prod % E1000_NUM_TX);
	return 0;
}

/** Hand back every transmitted buffer */
static void e1000_poll_tx(struct net_device *netdev)
{
	struct e1000_nic *nic = netdev->priv;
	unsigned int idx;

	while (nic->tx_cons != nic->tx_prod) {
		idx = nic->tx_cons % E1000_NUM_TX;
		if (!(nic->tx[idx].status & E1000_TXD_STAT_DD))
			break;
		nic->tx_cons++;
		if (nic->tx_iob[idx]) {
			netdev_tx_complete(netdev, nic->tx_iob[idx]);
			nic->tx_iob[idx] = NULL;
		}
	}
}

/** Pass up every received frame, checking what the descriptor claims */
static void e1000_poll_rx(struct net_device *netdev)
{
	struct e1000_nic *nic = netdev->priv;
	struct e1000_rx_desc *desc;
	struct io_buffer *iobuf;
	unsigned int idx;
	size_t len;

	while (nic->rx_cons != nic->rx_prod) {
		idx = nic->rx_cons % E1000_NUM_RX;
		desc = &nic->rx[idx];
		if (!(desc->status & E1000_RXD_STAT_DD))
			break;
		rmb();
		len = le16_to_cpu(desc->length);
		iobuf = nic->rx_iob[idx];
		nic->rx_iob[idx] = NULL;
		nic->rx_cons++;
		if (!iobuf)
			continue;
		/* A frame longer than one buffer (none should be) is dropped
		 * whole, not passed up piece by piece */
		if (nic->rx_discard || !(desc->status & E1000_RXD_STAT_EOP)) {
			nic->rx_discard = !(desc->status & E1000_RXD_STAT_EOP);
			netdev_rx_err(netdev, iobuf, -EMSGSIZE);
			continue;
		}
		if ((desc->errors & E1000_RXD_ERR_FRAME) || len < ETH_HLEN ||
		    len > E1000_RX_BUF_LEN) {
			netdev_rx_err(netdev, iobuf, -EIO);
			continue;
		}
		iob_put(iobuf, len);
		netdev_rx(netdev, iobuf);
	}
	e1000_refill_rx(nic);
}

static void e1000_poll(struct net_device *netdev)
{
	struct e1000_nic *nic = netdev->priv;

	e1000_poll_tx(netdev);
	e1000_poll_rx(netdev);
	if (!netdev_link_ok(netdev) ||
	    currticks() - nic->link_checked >= E1000_LINK_POLL_MS)
		e1000_check_link(netdev);
}

static const struct net_device_operations e1000_operations = {
	.open = e1000_open,
	.close = e1000_close,
	.transmit = e1000_transmit,
	.poll = e1000_poll,
};

static int e1000_probe(struct pci_device *pci)
{
	struct net_device *netdev;
	struct e1000_nic *nic;
	int rc;

	netdev = alloc_etherdev(sizeof(*nic));
	if (!netdev)
		return -ENOMEM;
	netdev_init(netdev, &e1000_operations);
	nic = netdev->priv;
	nic->pci = pci;
	nic->flags = pci->id->data;
	pci->priv = netdev;
	netdev->chip = pci->id->name;

	nic->regs = pci_bar_map(pci, 0, 0, E1000_REGS_LEN);
	if (!nic->regs) {
		rc = errctx(-ENODEV, "e1000 %s: register BAR not reachable",
			    pci->busloc);
		goto err_map;
	}
	pci_enable_device(pci);
	if ((rc = e1000_reset(nic)) != 0)
		goto err_reset;
	e1000_read_mac(nic, netdev->hw_addr);
	if ((rc = register_netdev(netdev)) != 0)
		goto err_register;
	pci_describe_netdev(pci, netdev);
	netdev_put(netdev);
	return 0;

err_register:
err_reset:
	pci_disable_master(pci);
err_map:
	netdev_put(netdev);
	return rc;
}

static void e1000_remove(struct pci_device *pci)
{
	struct net_device *netdev = pci->priv;
	struct e1000_nic *nic = netdev->priv;

	netdev_get(netdev);
	unregister_netdev(netdev);
	/* Leave the chip as a fresh power-on would: reset and quiet */
	e1000_reset(nic);
	netdev_put(netdev);
}

static const struct pci_device_id e1000_ids[] = {
	PCI_ID(0x8086, 0x100e, "82540EM", 0),
	PCI_ID(0x8086, 0x1015, "82540EM-LOM", 0),
	PCI_ID(0x8086, 0x1016, "82540EP-LOM", 0),
	PCI_ID(0x8086, 0x1017, "82540EP", 0),
	PCI_ID(0x8086, 0x101e, "82540EP-mobile", 0),
	PCI_ID(0x8086, 0x100f, "82545EM", 0),
	PCI_ID(0x8086, 0x1026, "82545GM", 0),
	PCI_ID(0x8086, 0x10d3, "82574L", E1000_EERD_82574),
};

struct pci_driver e1000_driver __pci_driver = {
	.name = "e1000",
	.ids = e1000_ids,
	.id_count = ARRAY_SIZE(e1000_ids),
	.probe = e1000_probe,
	.remove = e1000_remove,
};
