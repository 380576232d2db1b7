/* undinet: a network device driven through the loading ROM's PXE UNDI API (undionly.kpxe). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/debug.h>
#include <keel/dhcp.h>
#include <keel/dhcpopts.h>
#include <keel/errors.h>
#include <keel/ethernet.h>
#include <keel/init.h>
#include <keel/io.h>
#include <keel/iobuf.h>
#include <keel/netdevice.h>
#include <keel/settings.h>
#include <x86/pxe_call.h>
#include <x86/realmode.h>

/*
 * The ROM's UNDI only addresses base memory, so the parameter blocks, the
 * transmit descriptor and copies of outgoing frames live in a block taken
 * from the top of base memory. Receiving is done by polling PXENV_UNDI_ISR
 * (no interrupt handler is installed: the NIC's IRQ stays masked at the
 * PIC), copying each frame out of the UNDI's own buffer.
 */

/** Transmit slots: a slot is reused only after this many later frames */
#define UNDI_TX_SLOTS 2
/** A slot: a full frame, rounded to 16 bytes */
#define UNDI_TX_SLOT_LEN 1520
/** Transmit attempts while the UNDI's ring is full */
#define UNDI_TX_TRIES 16
/** ISR calls per poll, so a flood cannot hold the scheduler */
#define UNDI_RX_BUDGET 64
/** Longest frame accepted (a VLAN tag beyond a full Ethernet frame) */
#define UNDI_RX_MAX (ETH_FRAME_LEN + 4)

/** What the driver keeps in base memory */
struct undi_area {
	union {
		struct pxe_status_only status;
		struct pxe_undi_get_information info;
		struct pxe_undi_get_iface_info iface;
		struct pxe_undi_open open;
		struct pxe_undi_transmit tx;
		struct pxe_undi_isr isr;
		struct pxe_undi_initialize init;
		struct pxe_get_cached_info cached;
	} p;
	struct pxe_tbd tbd;
	uint8_t pad[16];
	uint8_t tx_slot[UNDI_TX_SLOTS][UNDI_TX_SLOT_LEN];
} __attribute__((packed, aligned(16)));

struct undi_nic {
	struct pxe_basemem mem;
	struct undi_area *area;
	/** IRQ the NIC uses (0: none), masked while we poll */
	unsigned int irq;
	/** The PIC mask bit was clear before we set it */
	int irq_was_unmasked;
	/** Next transmit slot */
	unsigned int tx_next;
	/** Frames handed to the UNDI and not yet reported sent */
	unsigned int tx_pending;
	/** Between ISR PROCESS and DONE: continue with GET_NEXT */
	int isr_active;
	/** A frame being assembled from several UNDI buffers */
	struct io_buffer *rx_partial;
	size_t rx_frame_len;
	/** Counters for ifstat-style debugging */
	unsigned long polls, ours;
	char chip[40];
};

/** The one UNDI device (the ROM drives one NIC) */
static struct net_device *undi_netdev;

/** Call @opcode with the parameter block in base memory */
static int undi_call(struct undi_nic *undi, unsigned int opcode)
{
	return pxe_call(opcode, &undi->area->p);
}

/** The parameter block, its first @len bytes cleared */
static void *undi_params(struct undi_nic *undi, size_t len)
{
	memset(&undi->area->p, 0, len);
	return &undi->area->p;
}

/* ------------------------------------------------------------------------
 * The IRQ line: masked at the 8259 while Keel polls
 */

static uint16_t undi_pic_port(unsigned int irq)
{
	return irq < 8 ? 0x21 : 0xa1;
}

static void undi_irq_mask(struct undi_nic *undi)
{
	uint16_t port;
	uint8_t bit, mask;

	if (!undi->irq || undi->irq > 15 || undi->irq == 2)
		return;
	port = undi_pic_port(undi->irq);
	bit = (uint8_t)(1 << (undi->irq & 7));
	mask = inb(port);
	undi->irq_was_unmasked = !(mask & bit);
	outb(mask | bit, port);
}

static void undi_irq_restore(struct undi_nic *undi)
{
	uint16_t port;

	if (!undi->irq_was_unmasked)
		return;
	port = undi_pic_port(undi->irq);
	outb(inb(port) & (uint8_t)~(1 << (undi->irq & 7)), port);
	undi->irq_was_unmasked = 0;
}

/* ------------------------------------------------------------------------
 * Open, close, transmit
 */

static int undi_try_open(struct undi_nic *undi)
{
	struct pxe_undi_open *open = undi_params(undi, sizeof(*open));

	open->pkt_filter = PXE_FLTR_DIRECTED | PXE_FLTR_BRDCST;
	return undi_call(undi, PXENV_UNDI_OPEN);
}

static int undi_open(struct net_device *netdev)
{
	struct undi_nic *undi = netdev->priv;
	int rc;

	/* A ROM may leave the adapter open after its own DHCP and TFTP */
	if ((rc = undi_try_open(undi)) != 0) {
		undi_params(undi, sizeof(struct pxe_status_only));
		undi_call(undi, PXENV_UNDI_CLOSE);
		if ((rc = undi_try_open(undi)) != 0)
			return rc;
	}
	undi_irq_mask(undi);
	undi->tx_pending = 0;
	undi->isr_active = 0;
	/* PXE 2.1 has no link state: an open adapter is taken as up */
	netdev_link_up(netdev);
	return 0;
}

/** Drop the frame being assembled */
static void undi_rx_discard(struct net_device *netdev, int rc)
{
	struct undi_nic *undi = netdev->priv;

	if (undi->rx_partial)
		netdev_rx_err(netdev, undi->rx_partial, rc);
	undi->rx_partial = NULL;
	undi->rx_frame_len = 0;
}

/** Finish an interrupted ISR sequence, so the stack is left idle */
static void undi_isr_drain(struct undi_nic *undi)
{
	struct pxe_undi_isr *isr;
	unsigned int i;

	for (i = 0; undi->isr_active && i < 256; i++) {
		isr = undi_params(undi, sizeof(*isr));
		isr->func_flag = PXE_ISR_IN_GET_NEXT;
		if (undi_call(undi, PXENV_UNDI_ISR) != 0 ||
		    isr->func_flag == PXE_ISR_OUT_DONE ||
		    isr->func_flag == PXE_ISR_OUT_BUSY)
			undi->isr_active = 0;
	}
	undi->isr_active = 0;
}

static void undi_close(struct net_device *netdev)
{
	struct undi_nic *undi = netdev->priv;

	undi_isr_drain(undi);
	undi_rx_discard(netdev, -ECANCELED);
	undi_params(undi, sizeof(struct pxe_status_only));
	undi_call(undi, PXENV_UNDI_CLOSE);
	undi_irq_restore(undi);
	netdev_link_down(netdev);
}

/** Hand the frame in @slot to the UNDI */
static int undi_tx_call(struct undi_nic *undi, uint8_t *slot, size_t len)
{
	struct undi_area *area = undi->area;
	struct pxe_undi_transmit *tx;

	memset(&area->tbd, 0, sizeof(area->tbd));
	area->tbd.immed_length = (uint16_t)len;
	area->tbd.xmit = pxe_segoff_of(&undi->mem, slot);
	tx = undi_params(undi, sizeof(*tx));
	/* PXE_P_UNKNOWN: the frame already carries its Ethernet header */
	tx->protocol = PXE_P_UNKNOWN;
	tx->xmit_flag = PXE_XMT_DESTADDR;
	tx->dest_addr = pxe_segoff_of(&undi->mem, slot);
	tx->tbd = pxe_segoff_of(&undi->mem, &area->tbd);
	return undi_call(undi, PXENV_UNDI_TRANSMIT);
}

static void undi_poll(struct net_device *netdev);

static int undi_transmit(struct net_device *netdev, struct io_buffer *iobuf)
{
	struct undi_nic *undi = netdev->priv;
	size_t len = iob_len(iobuf);
	unsigned int tries;
	uint8_t *slot;
	int rc;

	if (len > UNDI_TX_SLOT_LEN)
		return errctx(-EMSGSIZE, "frame of %zu bytes is too long", len);
	slot = undi->area->tx_slot[undi->tx_next];
	undi->tx_next = (undi->tx_next + 1) % UNDI_TX_SLOTS;
	memcpy(slot, iobuf->data, len);
	/* Pad runts: not every UNDI does */
	if (len < ETH_ZLEN) {
		memset(slot + len, 0, ETH_ZLEN - len);
		len = ETH_ZLEN;
	}
	/*
	 * A full transmit ring answers OUT_OF_RESOURCES: polling the ISR
	 * lets the stack reap finished frames, then the frame is retried.
	 */
	for (tries = 0; tries < UNDI_TX_TRIES; tries++) {
		rc = undi_tx_call(undi, slot, len);
		if (!rc_is(rc, ENOBUFS))
			break;
		undi_poll(netdev);
	}
	if (rc)
		return rc;
	undi->tx_pending++;
	/* The frame now lives in base memory: our buffer is free */
	netdev_tx_complete(netdev, iobuf);
	return 0;
}

/* ------------------------------------------------------------------------
 * Receive
 */

/** Take one RECEIVE result: a whole frame or a piece of one */
static void undi_rx_piece(struct net_device *netdev,
			  const struct pxe_undi_isr *isr)
{
	struct undi_nic *undi = netdev->priv;
	size_t frame_len = isr->frame_length, len = isr->buffer_length;
	uint32_t lin = ((uint32_t)isr->frame.segment << 4) + isr->frame.offset;
	void *dst;

	DBG2("UNDI: rx %04x:%04x len %zu/%zu hdr %u\n", isr->frame.segment,
	     isr->frame.offset, len, frame_len, isr->frame_header_length);
	if (undi->rx_partial && frame_len != undi->rx_frame_len)
		undi_rx_discard(netdev, -EPROTO);
	if (!undi->rx_partial) {
		if (frame_len < ETH_HLEN || frame_len > UNDI_RX_MAX) {
			netdev->rx_stats.bad++;
			netdev->rx_stats.last_rc = -EMSGSIZE;
			return;
		}
		undi->rx_partial = alloc_iob(frame_len);
		if (!undi->rx_partial) {
			netdev->rx_stats.bad++;
			netdev->rx_stats.last_rc = -ENOMEM;
			return;
		}
		undi->rx_frame_len = frame_len;
	}
	/* The piece must fit the frame and lie in base memory */
	if (len == 0 || len > frame_len - iob_len(undi->rx_partial) ||
	    lin + len > 0x100000) {
		undi_rx_discard(netdev, -EPROTO);
		return;
	}
	dst = iob_put(undi->rx_partial, len);
	memcpy(dst, phys_to_virt(lin), len);
	if (iob_len(undi->rx_partial) == frame_len) {
		netdev_rx(netdev, undi->rx_partial);
		undi->rx_partial = NULL;
		undi->rx_frame_len = 0;
	}
}

/** Ask the stack whether the NIC has news; true to go on and PROCESS */
static int undi_isr_start(struct undi_nic *undi)
{
	struct pxe_undi_isr *isr = undi_params(undi, sizeof(*isr));

	isr->func_flag = PXE_ISR_IN_START;
	if (undi_call(undi, PXENV_UNDI_ISR) != 0)
		return 0;
	if (isr->func_flag == PXE_ISR_OUT_OURS)
		undi->ours++;
	/*
	 * PROCESS follows even for NOT_OURS: with no interrupt handler the
	 * answer says little (an iPXE ROM says NOT_OURS whenever its own
	 * interrupt flag is off), and PROCESS on an idle NIC only costs a
	 * call that answers DONE.
	 */
	return 1;
}

static void undi_poll(struct net_device *netdev)
{
	struct undi_nic *undi = netdev->priv;
	struct pxe_undi_isr *isr;
	unsigned int budget;

	undi->polls++;
	if (!undi->isr_active) {
		if (!undi_isr_start(undi))
			return;
	}
	for (budget = UNDI_RX_BUDGET; budget; budget--) {
		isr = undi_params(undi, sizeof(*isr));
		isr->func_flag = undi->isr_active ? PXE_ISR_IN_GET_NEXT
						  : PXE_ISR_IN_PROCESS;
		if (undi_call(undi, PXENV_UNDI_ISR) != 0) {
			undi->isr_active = 0;
			return;
		}
		undi->isr_active = 1;
		switch (isr->func_flag) {
		case PXE_ISR_OUT_TRANSMIT:
			if (undi->tx_pending)
				undi->tx_pending--;
			break;
		case PXE_ISR_OUT_RECEIVE:
			undi_rx_piece(netdev, isr);
			break;
		default:
			/* DONE, BUSY, or nonsense: this round is over */
			undi->isr_active = 0;
			return;
		}
	}
	/* Budget spent: the next poll continues with GET_NEXT */
}

static const struct net_device_operations undi_operations = {
	.open = undi_open,
	.close = undi_close,
	.transmit = undi_transmit,
	.poll = undi_poll,
};

/* ------------------------------------------------------------------------
 * Probe and removal
 */

/** GET_INFORMATION, reviving a stack that was shut down if need be */
static int undi_get_info(struct undi_nic *undi, struct net_device *netdev)
{
	struct pxe_undi_get_information *info;
	int rc;

	info = undi_params(undi, sizeof(*info));
	if ((rc = undi_call(undi, PXENV_UNDI_GET_INFORMATION)) != 0) {
		undi_params(undi, sizeof(struct pxe_undi_initialize));
		if (undi_call(undi, PXENV_UNDI_INITIALIZE) != 0)
			return rc;
		info = undi_params(undi, sizeof(*info));
		if ((rc = undi_call(undi, PXENV_UNDI_GET_INFORMATION)) != 0)
			return rc;
	}
	if (info->hw_type != ARPHRD_ETHER || info->hw_addr_len != ETH_ALEN)
		return errctx(-ENOTSUP,
			      "the UNDI drives hardware type %u, not "
			      "Ethernet",
			      info->hw_type);
	memcpy(netdev->hw_addr, info->perm_node_address, ETH_ALEN);
	memcpy(netdev->ll_addr, info->current_node_address, ETH_ALEN);
	if (!is_valid_ether_addr(netdev->hw_addr))
		memcpy(netdev->hw_addr, netdev->ll_addr, ETH_ALEN);
	if (info->max_tran_unit >= 576 && info->max_tran_unit <= ETH_MAX_MTU)
		netdev->mtu = info->max_tran_unit;
	undi->irq = info->int_number;
	DBG("UNDI: %s io %04x irq %u mtu %u rx %u tx %u\n",
	    eth_ntoa(netdev->ll_addr), info->base_io, info->int_number,
	    info->max_tran_unit, info->rx_buf_ct, info->tx_buf_ct);
	return 0;
}

/** Describe the interface from GET_IFACE_INFO, if the stack has it */
static void undi_get_iface(struct undi_nic *undi, struct net_device *netdev)
{
	struct pxe_undi_get_iface_info *iface;
	char type[sizeof(iface->iface_type) + 1];

	iface = undi_params(undi, sizeof(*iface));
	if (undi_call(undi, PXENV_UNDI_GET_IFACE_INFO) != 0) {
		netdev->chip = "UNDI";
		return;
	}
	memcpy(type, iface->iface_type, sizeof(iface->iface_type));
	type[sizeof(iface->iface_type)] = '\0';
	if (iface->link_speed)
		snprintf(undi->chip, sizeof(undi->chip), "UNDI %s %lu Mbps",
			 type, (unsigned long)(iface->link_speed / 1000000));
	else
		snprintf(undi->chip, sizeof(undi->chip), "UNDI %s", type);
	netdev->chip = undi->chip;
	DBG("UNDI: %s, service flags %08lx\n", undi->chip,
	    (unsigned long)iface->service_flags);
}

/** The ROM's DHCPACK as a settings block */
struct undi_cached {
	struct refcnt refcnt;
	struct generic_settings generic;
};

static void undi_cached_free(struct refcnt *refcnt)
{
	struct undi_cached *block =
		container_of(refcnt, struct undi_cached, refcnt);

	generic_settings_clear(&block->generic.settings);
	free(block);
}

/**
 * Store the DHCPACK the ROM received as "netN.dhcp", so that the address
 * it leased is known without asking again ("ifconf -c static" uses it).
 * Keel's own "dhcp" replaces the block: a boot server tells Keel from the
 * ROM by what Keel sends, so autoboot still asks.
 */
static void undi_cached_dhcp(struct undi_nic *undi, struct net_device *netdev)
{
	struct pxe_get_cached_info *cached;
	struct undi_cached *block;
	const struct dhcphdr *ack;
	size_t len;
	int rc;

	cached = undi_params(undi, sizeof(*cached));
	cached->packet_type = PXENV_PACKET_TYPE_DHCP_ACK;
	cached->buffer_size = sizeof(undi->area->tx_slot);
	cached->buffer = pxe_segoff_of(&undi->mem, undi->area->tx_slot);
	if (undi_call(undi, PXENV_GET_CACHED_INFO) != 0)
		return;
	len = cached->buffer_size;
	ack = (const void *)undi->area->tx_slot;
	if (len < sizeof(*ack) || len > sizeof(undi->area->tx_slot) ||
	    ack->op != BOOTP_REPLY || ack->yiaddr.s_addr == 0)
		return;
	if (!(block = zalloc(sizeof(*block))))
		return;
	ref_init(&block->refcnt, undi_cached_free);
	generic_settings_init(&block->generic, &block->refcnt);
	if ((rc = dhcp_store_packet(&block->generic.settings, ack, len)) ==
	    0)
		rc = register_settings(&block->generic.settings,
				       &netdev->settings.settings, "dhcp");
	DBG("UNDI: cached DHCPACK (%zu bytes): %s\n", len,
	    rc ? strerror(rc) : "stored");
	ref_put(&block->refcnt);
}

static int undi_probe(void)
{
	struct net_device *netdev;
	struct undi_nic *undi;
	int rc;

	if ((rc = pxe_api_find()) != 0)
		return rc;
	netdev = alloc_etherdev(sizeof(*undi));
	if (!netdev)
		return -ENOMEM;
	netdev_init(netdev, &undi_operations);
	undi = netdev->priv;
	if ((rc = pxe_basemem_alloc(&undi->mem, sizeof(struct undi_area))) !=
	    0)
		goto err_basemem;
	undi->area = undi->mem.ptr;
	if ((rc = undi_get_info(undi, netdev)) != 0)
		goto err_info;
	undi_get_iface(undi, netdev);
	netdev->busloc = "PXE UNDI";
	if ((rc = register_netdev(netdev)) != 0)
		goto err_register;
	undi_netdev = netdev;
	undi_cached_dhcp(undi, netdev);
	return 0;

err_register:
err_info:
	pxe_basemem_free(&undi->mem);
err_basemem:
	netdev_put(netdev);
	return rc;
}

static void undi_startup(void)
{
	int rc;

	if ((rc = undi_probe()) != 0)
		printf("UNDI: no network device: %s\n", strerror(rc));
}

static void undi_shutdown(int booting)
{
	struct net_device *netdev = undi_netdev;
	struct undi_nic *undi;

	if (!netdev)
		return;
	undi = netdev->priv;
	/* Closing sends UNDI_CLOSE: the state a chained NBP expects */
	unregister_netdev(netdev);
	undi_netdev = NULL;
	/* An operating system gets the NIC quiet and the stack unloaded */
	if (booting)
		pxe_unload();
	pxe_basemem_free(&undi->mem);
	netdev_put(netdev);
}

struct startup_fn undi_startup_fn __startup_fn(STARTUP_NORMAL) = {
	.name = "undinet",
	.startup = undi_startup,
	.shutdown = undi_shutdown,
};
