/* The PXE UNDI API for NBPs that run their own stack: raw frames in and out of Keel's network device. */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/debug.h>
#include <keel/ethernet.h>
#include <keel/in.h>
#include <keel/io.h>
#include <keel/iobuf.h>
#include <keel/netdevice.h>
#include <x86/pxe_api.h>

/*
 * After UNDI_OPEN the NBP owns the device: Keel's stack stops stepping
 * (pxe_step), and UNDI_ISR hands out what the driver received, raw. No
 * IRQ is offered (GET_INFORMATION says IRQ 0): the NBP polls UNDI_ISR.
 */

int pxe_undi_opened;
/** Transmissions not yet reported by UNDI_ISR */
static unsigned int pxe_undi_tx_pending;
/** The frame being reported (UNDI_ISR PROCESS/GET_NEXT) */
static struct io_buffer *pxe_undi_rx_frame;

void pxe_undi_reset(void)
{
	pxe_undi_opened = 0;
	pxe_undi_tx_pending = 0;
}

static uint16_t pxe_undi_ok(void *params)
{
	(void)params;
	return PXENV_STATUS_SUCCESS;
}

static uint16_t pxe_undi_unsupported(void *params)
{
	(void)params;
	return PXENV_STATUS_UNSUPPORTED;
}

static uint16_t pxe_undi_open(void *params)
{
	(void)params;
	if (!pxe_netdev)
		return PXENV_STATUS_UNDI_INVALID_STATE;
	if (!netdev_is_open(pxe_netdev) && netdev_open(pxe_netdev) != 0)
		return PXENV_STATUS_FAILURE;
	pxe_undi_opened = 1;
	return PXENV_STATUS_SUCCESS;
}

static uint16_t pxe_undi_close(void *params)
{
	(void)params;
	pxe_undi_reset();
	return PXENV_STATUS_SUCCESS;
}

static uint16_t pxe_undi_shutdown(void *params)
{
	(void)params;
	pxe_undi_reset();
	if (pxe_netdev)
		netdev_close(pxe_netdev);
	return PXENV_STATUS_SUCCESS;
}

/** Gather the transmit buffer descriptor's pieces into one frame */
static int pxe_undi_gather(const struct pxe_tbd *tbd, struct io_buffer *iobuf)
{
	const struct pxe_data_block *blk;
	const void *src;
	unsigned int i;

	src = pxe_user_ptr(tbd->xmit.segment, tbd->xmit.offset,
			   tbd->immed_length);
	if (!src)
		return -EFAULT;
	memcpy(iob_put(iobuf, tbd->immed_length), src, tbd->immed_length);
	for (i = 0; i < tbd->block_count; i++) {
		blk = &tbd->block[i];
		if (blk->ptr_type == PXE_TBD_SEGOFF)
			src = pxe_user_ptr((uint16_t)(blk->ptr >> 16),
					   (uint16_t)blk->ptr, blk->len);
		else if (blk->ptr_type == PXE_TBD_PHYS)
			src = pxe_user_phys(blk->ptr, blk->len);
		else
			src = NULL;
		if (!src)
			return -EFAULT;
		memcpy(iob_put(iobuf, blk->len), src, blk->len);
	}
	return 0;
}

static const uint16_t pxe_undi_ethertype[] = {
	[PXE_P_IP] = ETH_P_IP,
	[PXE_P_ARP] = ETH_P_ARP,
	[PXE_P_RARP] = 0x8035,
};

static uint16_t pxe_undi_transmit(void *params)
{
	struct pxe_undi_transmit *tx = params;
	const struct ll_protocol *ll;
	const struct pxe_tbd *tbd;
	struct io_buffer *iobuf;
	const void *dest;
	size_t len, tbd_len;
	unsigned int i;

	if (!pxe_netdev || !netdev_is_open(pxe_netdev))
		return PXENV_STATUS_UNDI_INVALID_STATE;
	ll = pxe_netdev->ll_protocol;
	tbd = pxe_user_ptr(tx->tbd.segment, tx->tbd.offset,
			   offsetof(struct pxe_tbd, block));
	if (!tbd || tbd->block_count > PXE_TBD_MAX_BLOCKS ||
	    tx->protocol > PXE_P_RARP)
		return PXENV_STATUS_UNDI_INVALID_PARAMETER;
	tbd_len = offsetof(struct pxe_tbd, block) +
		  tbd->block_count * sizeof(tbd->block[0]);
	if (!pxe_user_ptr(tx->tbd.segment, tx->tbd.offset, tbd_len))
		return PXENV_STATUS_UNDI_INVALID_PARAMETER;
	len = tbd->immed_length;
	for (i = 0; i < tbd->block_count; i++)
		len += tbd->block[i].len;
	if (len > pxe_netdev->max_pkt_len)
		return PXENV_STATUS_UNDI_INVALID_PARAMETER;
	if (tx->xmit_flag == PXE_XMT_BROADCAST)
		dest = pxe_netdev->ll_broadcast;
	else
		dest = pxe_user_ptr(tx->dest_addr.segment,
				    tx->dest_addr.offset, ll->ll_addr_len);
	if (tx->protocol != PXE_P_UNKNOWN && !dest)
		return PXENV_STATUS_UNDI_INVALID_PARAMETER;
	if (!(iobuf = alloc_iob_headroom(MAX_LL_HEADER_LEN, len)))
		return PXENV_STATUS_OUT_OF_RESOURCES;
	if (pxe_undi_gather(tbd, iobuf) != 0) {
		free_iob(iobuf);
		return PXENV_STATUS_UNDI_INVALID_PARAMETER;
	}
	/* A known protocol gets its link-layer header from us */
	if (tx->protocol != PXE_P_UNKNOWN &&
	    ll->push(pxe_netdev, iobuf, dest, pxe_netdev->ll_addr,
		     htons(pxe_undi_ethertype[tx->protocol])) != 0) {
		free_iob(iobuf);
		return PXENV_STATUS_UNDI_TRANSMIT_ERROR;
	}
	DBG("PXE UNDI tx %zu bytes\n", len);
	if (netdev_tx(pxe_netdev, iobuf) != 0)
		return PXENV_STATUS_UNDI_TRANSMIT_ERROR;
	pxe_undi_tx_pending++;
	return PXENV_STATUS_SUCCESS;
}

/** Describe @iobuf (a raw frame) in @isr and copy it to base memory */
static void pxe_undi_report_frame(struct pxe_undi_isr *isr,
				  struct io_buffer *iobuf)
{
	const struct ll_protocol *ll = pxe_netdev->ll_protocol;
	const struct ethhdr *eth = iobuf->data;
	size_t len = iob_len(iobuf);
	uint16_t type;
	void *buf;

	buf = pxe_rx_buffer(&isr->frame);
	if (len > PXE_RX_BUFFER_LEN)
		len = PXE_RX_BUFFER_LEN;
	memcpy(buf, iobuf->data, len);
	isr->func_flag = PXE_ISR_OUT_RECEIVE;
	isr->frame_length = (uint16_t)iob_len(iobuf);
	isr->buffer_length = (uint16_t)len;
	isr->frame_header_length = ll->ll_header_len;
	isr->prot_type = PXE_P_UNKNOWN;
	isr->pkt_type = PXE_PKT_DIRECTED;
	if (iob_len(iobuf) < sizeof(*eth))
		return;
	type = ntohs(eth->h_protocol);
	if (type == ETH_P_IP)
		isr->prot_type = PXE_P_IP;
	else if (type == ETH_P_ARP)
		isr->prot_type = PXE_P_ARP;
	else if (type == 0x8035)
		isr->prot_type = PXE_P_RARP;
	if (memcmp(eth->h_dest, pxe_netdev->ll_broadcast, ETH_ALEN) == 0)
		isr->pkt_type = PXE_PKT_BROADCAST;
	else if (eth->h_dest[0] & 1)
		isr->pkt_type = PXE_PKT_MULTICAST;
}

static uint16_t pxe_undi_isr(void *params)
{
	struct pxe_undi_isr *isr = params;
	struct net_device *netdev = pxe_netdev;

	if (!netdev || !netdev_is_open(netdev))
		return PXENV_STATUS_UNDI_INVALID_STATE;
	netdev_poll(netdev);
	switch (isr->func_flag) {
	case PXE_ISR_IN_START:
		isr->func_flag = (list_empty(&netdev->rx_queue) &&
				  !pxe_undi_tx_pending)
					 ? PXE_ISR_OUT_NOT_OURS
					 : PXE_ISR_OUT_OURS;
		return PXENV_STATUS_SUCCESS;
	case PXE_ISR_IN_PROCESS:
	case PXE_ISR_IN_GET_NEXT:
		free_iob(pxe_undi_rx_frame);
		pxe_undi_rx_frame = list_first_entry(&netdev->rx_queue,
						     struct io_buffer, list);
		if (pxe_undi_rx_frame) {
			list_del(&pxe_undi_rx_frame->list);
			netdev->rx_stats.good++;
			pxe_undi_report_frame(isr, pxe_undi_rx_frame);
			DBG("PXE UNDI rx %zu bytes\n",
			    iob_len(pxe_undi_rx_frame));
		} else if (pxe_undi_tx_pending) {
			pxe_undi_tx_pending--;
			isr->func_flag = PXE_ISR_OUT_TRANSMIT;
		} else {
			isr->func_flag = PXE_ISR_OUT_DONE;
		}
		return PXENV_STATUS_SUCCESS;
	default:
		return PXENV_STATUS_UNDI_INVALID_PARAMETER;
	}
}

static uint16_t pxe_undi_get_information(void *params)
{
	struct pxe_undi_get_information *info = params;
	struct net_device *netdev = pxe_netdev;
	const struct ll_protocol *ll;

	if (!netdev)
		return PXENV_STATUS_UNDI_INVALID_STATE;
	ll = netdev->ll_protocol;
	memset(&info->base_io, 0, sizeof(*info) - sizeof(info->status));
	info->max_tran_unit = (uint16_t)netdev->mtu;
	info->hw_type = ntohs(ll->ll_proto);
	info->hw_addr_len = ll->ll_addr_len;
	memcpy(info->current_node_address, netdev->ll_addr, ll->ll_addr_len);
	memcpy(info->perm_node_address, netdev->hw_addr, ll->hw_addr_len);
	info->rx_buf_ct = 1;
	info->tx_buf_ct = 1;
	return PXENV_STATUS_SUCCESS;
}

static uint16_t pxe_undi_get_iface_info(void *params)
{
	struct pxe_undi_get_iface_info *info = params;

	memset(&info->iface_type, 0, sizeof(*info) - sizeof(info->status));
	memcpy(info->iface_type, "DIX+802.3", 10);
	info->link_speed = 1000000000;
	info->service_flags = PXE_IFACE_BROADCAST | PXE_IFACE_MULTICAST |
			      PXE_IFACE_SET_STATION_ADDRESS |
			      PXE_IFACE_OPEN_CLOSE;
	return PXENV_STATUS_SUCCESS;
}

static uint16_t pxe_undi_get_statistics(void *params)
{
	struct pxe_undi_get_statistics *st = params;

	if (!pxe_netdev)
		return PXENV_STATUS_UNDI_INVALID_STATE;
	st->xmt_good_frames = pxe_netdev->tx_stats.good;
	st->rcv_good_frames = pxe_netdev->rx_stats.good;
	st->rcv_crc_errors = 0;
	st->rcv_resource_errors = pxe_netdev->rx_stats.bad;
	return PXENV_STATUS_SUCCESS;
}

static uint16_t pxe_undi_get_mcast_address(void *params)
{
	struct pxe_undi_get_mcast_address *mc = params;
	const struct ll_protocol *ll;

	if (!pxe_netdev)
		return PXENV_STATUS_UNDI_INVALID_STATE;
	ll = pxe_netdev->ll_protocol;
	memset(mc->media_addr, 0, sizeof(mc->media_addr));
	if (!ll->mc_hash ||
	    ll->mc_hash(AF_INET, &mc->inet_addr, mc->media_addr) != 0)
		return PXENV_STATUS_UNDI_INVALID_PARAMETER;
	return PXENV_STATUS_SUCCESS;
}

/** PCI configuration read, mechanism 1 */
static uint32_t pxe_pci_read(unsigned int busdevfn, unsigned int reg)
{
	outl(0x80000000U | (busdevfn << 8) | (reg & 0xfc), 0xcf8);
	return inl(0xcfc);
}

static uint16_t pxe_undi_get_nic_type(void *params)
{
	struct pxe_undi_get_nic_type *nt = params;
	const char *loc = pxe_netdev ? pxe_netdev->busloc : NULL;
	unsigned long bus, dev, fn;
	unsigned int bdf;
	uint32_t id, class, sub;
	char *end;

	/* Devices found on PCI are named "PCI bb:dd.f" */
	DBG("PXE NIC at %s\n", loc ? loc : "(unknown)");
	if (!loc || strncmp(loc, "PCI ", 4) != 0)
		return PXENV_STATUS_UNSUPPORTED;
	bus = strtoul(loc + 4, &end, 16);
	if (*end != ':')
		return PXENV_STATUS_FAILURE;
	dev = strtoul(end + 1, &end, 16);
	if (*end != '.')
		return PXENV_STATUS_FAILURE;
	fn = strtoul(end + 1, &end, 16);
	if (bus > 255 || dev > 31 || fn > 7)
		return PXENV_STATUS_FAILURE;
	bdf = (unsigned int)((bus << 8) | (dev << 3) | fn);
	id = pxe_pci_read(bdf, 0x00);
	class = pxe_pci_read(bdf, 0x08);
	sub = pxe_pci_read(bdf, 0x2c);
	nt->nic_type = PXE_NIC_TYPE_PCI;
	nt->vendor_id = (uint16_t)id;
	nt->device_id = (uint16_t)(id >> 16);
	nt->base_class = (uint8_t)(class >> 24);
	nt->sub_class = (uint8_t)(class >> 16);
	nt->prog_intf = (uint8_t)(class >> 8);
	nt->revision = (uint8_t)class;
	nt->busdevfn = (uint16_t)bdf;
	nt->subvendor_id = (uint16_t)sub;
	nt->subdevice_id = (uint16_t)(sub >> 16);
	return PXENV_STATUS_SUCCESS;
}

struct pxe_api_call pxe_undi_calls[] __pxe_api_call = {
	{PXENV_UNDI_STARTUP, sizeof(struct pxe_status_only), pxe_undi_ok},
	{PXENV_UNDI_CLEANUP, sizeof(struct pxe_status_only), pxe_undi_ok},
	{PXENV_UNDI_INITIALIZE, sizeof(struct pxe_status_only) + 4,
	 pxe_undi_ok},
	{PXENV_UNDI_RESET_ADAPTER, sizeof(struct pxe_status_only),
	 pxe_undi_ok},
	{PXENV_UNDI_SHUTDOWN, sizeof(struct pxe_status_only),
	 pxe_undi_shutdown},
	{PXENV_UNDI_OPEN, sizeof(struct pxe_undi_open), pxe_undi_open},
	{PXENV_UNDI_CLOSE, sizeof(struct pxe_status_only), pxe_undi_close},
	{PXENV_UNDI_TRANSMIT, sizeof(struct pxe_undi_transmit),
	 pxe_undi_transmit},
	{PXENV_UNDI_SET_MCAST_ADDRESS, sizeof(struct pxe_status_only),
	 pxe_undi_ok},
	{PXENV_UNDI_SET_STATION_ADDRESS, sizeof(struct pxe_status_only) + 6,
	 pxe_undi_ok},
	{PXENV_UNDI_SET_PACKET_FILTER,
	 sizeof(struct pxe_undi_set_packet_filter), pxe_undi_ok},
	{PXENV_UNDI_GET_INFORMATION, sizeof(struct pxe_undi_get_information),
	 pxe_undi_get_information},
	{PXENV_UNDI_GET_STATISTICS, sizeof(struct pxe_undi_get_statistics),
	 pxe_undi_get_statistics},
	{PXENV_UNDI_CLEAR_STATISTICS, sizeof(struct pxe_status_only),
	 pxe_undi_ok},
	{PXENV_UNDI_INITIATE_DIAGS, sizeof(struct pxe_status_only),
	 pxe_undi_unsupported},
	{PXENV_UNDI_FORCE_INTERRUPT, sizeof(struct pxe_status_only),
	 pxe_undi_unsupported},
	{PXENV_UNDI_GET_MCAST_ADDRESS,
	 sizeof(struct pxe_undi_get_mcast_address),
	 pxe_undi_get_mcast_address},
	{PXENV_UNDI_GET_NIC_TYPE, sizeof(struct pxe_undi_get_nic_type),
	 pxe_undi_get_nic_type},
	{PXENV_UNDI_GET_IFACE_INFO, sizeof(struct pxe_undi_get_iface_info),
	 pxe_undi_get_iface_info},
	{PXENV_UNDI_ISR, sizeof(struct pxe_undi_isr), pxe_undi_isr},
};
