/* Keel network devices offered to the firmware: SNP over a Keel netdev, and LoadFile running Keel. */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/byteswap.h>
#include <keel/ethernet.h>
#include <keel/iobuf.h>
#include <keel/netdevice.h>
#include "efi_pci.h"
#include "efi_snpdev.h"

/** Transmitted buffers the caller has not yet collected through GetStatus */
#define SNPDEV_TX_FIFO 32

/** Every receive filter we can honour (in software, from what the NIC hands us) */
#define SNPDEV_FILTERS                                                         \
	(EFI_SIMPLE_NETWORK_RECEIVE_UNICAST |                                  \
	 EFI_SIMPLE_NETWORK_RECEIVE_MULTICAST |                                \
	 EFI_SIMPLE_NETWORK_RECEIVE_BROADCAST |                                \
	 EFI_SIMPLE_NETWORK_RECEIVE_PROMISCUOUS |                              \
	 EFI_SIMPLE_NETWORK_RECEIVE_PROMISCUOUS_MULTICAST)

struct efi_snpdev {
	struct net_device *netdev;
	EFI_HANDLE parent;
	EFI_HANDLE handle;
	EFI_DEVICE_PATH *path;
	EFI_SIMPLE_NETWORK snp;
	EFI_SIMPLE_NETWORK_MODE mode;
	EFI_LOAD_FILE_INTERFACE load_file;
	/** Caller buffers already sent (copied), oldest first */
	void *tx_done[SNPDEV_TX_FIFO];
	unsigned int tx_count;
};

/**
 * True while Keel itself runs (from LoadFile): the SNPs then answer "not
 * ready", so the firmware's network stack, polling from its timers, never
 * re-enters Keel or takes packets from Keel's own stack.
 */
static int efi_snpdev_busy;

/** Our device behind an SNP pointer */
static struct efi_snpdev *snpdev_of(EFI_SIMPLE_NETWORK *snp)
{
	return container_of(snp, struct efi_snpdev, snp);
}

/** Enter an SNP call: no re-entry from a timer, not while Keel runs */
static EFI_STATUS snpdev_enter(EFI_TPL *tpl)
{
	*tpl = efi_bs->RaiseTPL(TPL_CALLBACK);
	if (efi_snpdev_busy) {
		efi_bs->RestoreTPL(*tpl);
		return EFI_NOT_READY;
	}
	return EFI_SUCCESS;
}

static EFI_STATUS snpdev_leave(EFI_TPL tpl, EFI_STATUS status)
{
	efi_bs->RestoreTPL(tpl);
	return status;
}

/** The state a call needs, or the status the specification asks for */
static EFI_STATUS snpdev_check_state(struct efi_snpdev *dev, UINT32 state)
{
	if (dev->mode.State == state)
		return EFI_SUCCESS;
	if (dev->mode.State == EfiSimpleNetworkStopped)
		return EFI_NOT_STARTED;
	return EFI_DEVICE_ERROR;
}

static EFI_STATUS EFIAPI snpdev_start(EFI_SIMPLE_NETWORK *snp)
{
	struct efi_snpdev *dev = snpdev_of(snp);
	EFI_STATUS status;
	EFI_TPL tpl;

	if ((status = snpdev_enter(&tpl)) != 0)
		return status;
	if (dev->mode.State != EfiSimpleNetworkStopped)
		return snpdev_leave(tpl, EFI_ALREADY_STARTED);
	dev->mode.State = EfiSimpleNetworkStarted;
	return snpdev_leave(tpl, EFI_SUCCESS);
}

static EFI_STATUS EFIAPI snpdev_stop(EFI_SIMPLE_NETWORK *snp)
{
	struct efi_snpdev *dev = snpdev_of(snp);
	EFI_STATUS status;
	EFI_TPL tpl;

	if ((status = snpdev_enter(&tpl)) != 0)
		return status;
	if (dev->mode.State == EfiSimpleNetworkStopped)
		return snpdev_leave(tpl, EFI_NOT_STARTED);
	if (dev->mode.State == EfiSimpleNetworkInitialized)
		netdev_close(dev->netdev);
	dev->mode.State = EfiSimpleNetworkStopped;
	dev->tx_count = 0;
	return snpdev_leave(tpl, EFI_SUCCESS);
}

static EFI_STATUS EFIAPI snpdev_initialize(EFI_SIMPLE_NETWORK *snp,
					   UINTN extra_rx, UINTN extra_tx)
{
	struct efi_snpdev *dev = snpdev_of(snp);
	EFI_STATUS status;
	EFI_TPL tpl;
	int rc;

	(void)extra_rx;
	(void)extra_tx;
	if ((status = snpdev_enter(&tpl)) != 0)
		return status;
	if ((status = snpdev_check_state(dev, EfiSimpleNetworkStarted)) != 0)
		return snpdev_leave(tpl, status);
	if ((rc = netdev_open(dev->netdev)) != 0)
		return snpdev_leave(tpl, EFI_DEVICE_ERROR);
	dev->mode.State = EfiSimpleNetworkInitialized;
	dev->mode.ReceiveFilterSetting = 0;
	dev->mode.MCastFilterCount = 0;
	dev->tx_count = 0;
	dev->mode.MediaPresent = netdev_link_ok(dev->netdev);
	return snpdev_leave(tpl, EFI_SUCCESS);
}

/** Drop every received packet still queued */
static void snpdev_flush_rx(struct efi_snpdev *dev)
{
	struct io_buffer *iobuf;

	while ((iobuf = list_first_entry(&dev->netdev->rx_queue,
					 struct io_buffer, list))) {
		list_del(&iobuf->list);
		free_iob(iobuf);
	}
}

static EFI_STATUS EFIAPI snpdev_reset(EFI_SIMPLE_NETWORK *snp, BOOLEAN extended)
{
	struct efi_snpdev *dev = snpdev_of(snp);
	EFI_STATUS status;
	EFI_TPL tpl;

	(void)extended;
	if ((status = snpdev_enter(&tpl)) != 0)
		return status;
	if ((status = snpdev_check_state(dev, EfiSimpleNetworkInitialized)))
		return snpdev_leave(tpl, status);
	snpdev_flush_rx(dev);
	dev->tx_count = 0;
	return snpdev_leave(tpl, EFI_SUCCESS);
}

static EFI_STATUS EFIAPI snpdev_shutdown(EFI_SIMPLE_NETWORK *snp)
{
	struct efi_snpdev *dev = snpdev_of(snp);
	EFI_STATUS status;
	EFI_TPL tpl;

	if ((status = snpdev_enter(&tpl)) != 0)
		return status;
	if ((status = snpdev_check_state(dev, EfiSimpleNetworkInitialized)))
		return snpdev_leave(tpl, status);
	netdev_close(dev->netdev);
	snpdev_flush_rx(dev);
	dev->mode.State = EfiSimpleNetworkStarted;
	dev->mode.ReceiveFilterSetting = 0;
	dev->tx_count = 0;
	return snpdev_leave(tpl, EFI_SUCCESS);
}

static EFI_STATUS EFIAPI snpdev_receive_filters(EFI_SIMPLE_NETWORK *snp,
						UINT32 enable, UINT32 disable,
						BOOLEAN reset_mcast,
						UINTN mcast_count,
						EFI_MAC_ADDRESS *mcast)
{
	struct efi_snpdev *dev = snpdev_of(snp);
	EFI_STATUS status;
	EFI_TPL tpl;

	if ((status = snpdev_enter(&tpl)) != 0)
		return status;
	if ((status = snpdev_check_state(dev, EfiSimpleNetworkInitialized)))
		return snpdev_leave(tpl, status);
	if (((enable | disable) & ~SNPDEV_FILTERS) ||
	    (!reset_mcast && mcast_count > MAX_MCAST_FILTER_CNT) ||
	    (!reset_mcast && mcast_count && !mcast))
		return snpdev_leave(tpl, EFI_INVALID_PARAMETER);
	dev->mode.ReceiveFilterSetting =
		(dev->mode.ReceiveFilterSetting | enable) & ~disable;
	if (reset_mcast) {
		dev->mode.MCastFilterCount = 0;
	} else if (mcast_count) {
		memcpy(dev->mode.MCastFilter, mcast,
		       mcast_count * sizeof(*mcast));
		dev->mode.MCastFilterCount = (UINT32)mcast_count;
	}
	return snpdev_leave(tpl, EFI_SUCCESS);
}

static EFI_STATUS EFIAPI snpdev_station_address(EFI_SIMPLE_NETWORK *snp,
						BOOLEAN reset,
						EFI_MAC_ADDRESS *addr)
{
	/* The Keel drivers program their burned-in address only */
	(void)snp;
	(void)reset;
	(void)addr;
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI snpdev_statistics(EFI_SIMPLE_NETWORK *snp,
					   BOOLEAN reset, UINTN *size,
					   EFI_NETWORK_STATISTICS *table)
{
	(void)snp;
	(void)reset;
	(void)size;
	(void)table;
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI snpdev_mcast_ip_to_mac(EFI_SIMPLE_NETWORK *snp,
						BOOLEAN ipv6,
						EFI_IP_ADDRESS *ip,
						EFI_MAC_ADDRESS *mac)
{
	const uint8_t *a = (const uint8_t *)ip;

	(void)snp;
	if (!ip || !mac)
		return EFI_INVALID_PARAMETER;
	memset(mac, 0, sizeof(*mac));
	if (ipv6) {
		/* 33:33 and the low 32 bits of the group */
		mac->Addr[0] = 0x33;
		mac->Addr[1] = 0x33;
		memcpy(&mac->Addr[2], &a[12], 4);
	} else {
		if ((a[0] & 0xf0) != 0xe0)
			return EFI_INVALID_PARAMETER;
		/* 01:00:5e and the low 23 bits of the group */
		mac->Addr[0] = 0x01;
		mac->Addr[1] = 0x00;
		mac->Addr[2] = 0x5e;
		mac->Addr[3] = a[1] & 0x7f;
		mac->Addr[4] = a[2];
		mac->Addr[5] = a[3];
	}
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI snpdev_nvdata(EFI_SIMPLE_NETWORK *snp, BOOLEAN write,
				       UINTN offset, UINTN len, void *buf)
{
	(void)snp;
	(void)write;
	(void)offset;
	(void)len;
	(void)buf;
	return EFI_UNSUPPORTED;
}

/** Poll the hardware; keep the mode's link state current */
static void snpdev_poll(struct efi_snpdev *dev)
{
	netdev_poll(dev->netdev);
	dev->mode.MediaPresent = netdev_link_ok(dev->netdev);
}

static EFI_STATUS EFIAPI snpdev_get_status(EFI_SIMPLE_NETWORK *snp,
					   UINT32 *irq, void **txbuf)
{
	struct efi_snpdev *dev = snpdev_of(snp);
	EFI_STATUS status;
	EFI_TPL tpl;

	if ((status = snpdev_enter(&tpl)) != 0)
		return status;
	if ((status = snpdev_check_state(dev, EfiSimpleNetworkInitialized)))
		return snpdev_leave(tpl, status);
	snpdev_poll(dev);
	if (irq) {
		*irq = 0;
		if (!list_empty(&dev->netdev->rx_queue))
			*irq |= EFI_SIMPLE_NETWORK_RECEIVE_INTERRUPT;
		if (dev->tx_count)
			*irq |= EFI_SIMPLE_NETWORK_TRANSMIT_INTERRUPT;
	}
	if (txbuf) {
		*txbuf = NULL;
		if (dev->tx_count) {
			*txbuf = dev->tx_done[0];
			memmove(&dev->tx_done[0], &dev->tx_done[1],
				--dev->tx_count * sizeof(dev->tx_done[0]));
		}
	}
	return snpdev_leave(tpl, EFI_SUCCESS);
}

/** Fill in the media header the caller asked us to build */
static EFI_STATUS snpdev_fill_header(struct efi_snpdev *dev, void *frame,
				     UINTN header_len, EFI_MAC_ADDRESS *src,
				     EFI_MAC_ADDRESS *dest, UINT16 *proto)
{
	struct ethhdr *eth = frame;

	if (header_len != ETH_HLEN || !dest || !proto)
		return EFI_INVALID_PARAMETER;
	memcpy(eth->h_dest, dest->Addr, ETH_ALEN);
	memcpy(eth->h_source, src ? src->Addr : dev->mode.CurrentAddress.Addr,
	       ETH_ALEN);
	eth->h_protocol = htons(*proto);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI snpdev_transmit(EFI_SIMPLE_NETWORK *snp,
					 UINTN header_len, UINTN len,
					 void *buf, EFI_MAC_ADDRESS *src,
					 EFI_MAC_ADDRESS *dest, UINT16 *proto)
{
	struct efi_snpdev *dev = snpdev_of(snp);
	struct io_buffer *iobuf;
	EFI_STATUS status;
	EFI_TPL tpl;

	if ((status = snpdev_enter(&tpl)) != 0)
		return status;
	if ((status = snpdev_check_state(dev, EfiSimpleNetworkInitialized)))
		return snpdev_leave(tpl, status);
	if (!buf || len < ETH_HLEN || len > ETH_FRAME_LEN)
		return snpdev_leave(tpl, len > ETH_FRAME_LEN ?
						 EFI_BUFFER_TOO_SMALL :
						 EFI_INVALID_PARAMETER);
	if (dev->tx_count >= SNPDEV_TX_FIFO) {
		/* The caller must collect completions first */
		snpdev_poll(dev);
		return snpdev_leave(tpl, EFI_NOT_READY);
	}
	iobuf = alloc_iob(len < ETH_ZLEN ? ETH_ZLEN : len);
	if (!iobuf)
		return snpdev_leave(tpl, EFI_NOT_READY);
	memcpy(iob_put(iobuf, len), buf, len);
	if (header_len &&
	    (status = snpdev_fill_header(dev, iobuf->data, header_len, src,
					 dest, proto)) != 0) {
		free_iob(iobuf);
		return snpdev_leave(tpl, status);
	}
	if (len < ETH_ZLEN)
		memset(iob_put(iobuf, ETH_ZLEN - len), 0, ETH_ZLEN - len);
	if (netdev_tx(dev->netdev, iobuf) != 0)
		return snpdev_leave(tpl, EFI_DEVICE_ERROR);
	/* The frame was copied: the caller's buffer is free to recycle */
	dev->tx_done[dev->tx_count++] = buf;
	snpdev_poll(dev);
	return snpdev_leave(tpl, EFI_SUCCESS);
}

/** True if the receive filters let a frame to @dest through */
static int snpdev_wanted(struct efi_snpdev *dev, const uint8_t *dest)
{
	UINT32 filters = dev->mode.ReceiveFilterSetting;
	unsigned int i;

	if (filters & EFI_SIMPLE_NETWORK_RECEIVE_PROMISCUOUS)
		return 1;
	if (!memcmp(dest, eth_broadcast, ETH_ALEN))
		return !!(filters & EFI_SIMPLE_NETWORK_RECEIVE_BROADCAST);
	if (dest[0] & 0x01) {
		if (filters & EFI_SIMPLE_NETWORK_RECEIVE_PROMISCUOUS_MULTICAST)
			return 1;
		if (!(filters & EFI_SIMPLE_NETWORK_RECEIVE_MULTICAST))
			return 0;
		for (i = 0; i < dev->mode.MCastFilterCount; i++) {
			if (!memcmp(dest, dev->mode.MCastFilter[i].Addr,
				    ETH_ALEN))
				return 1;
		}
		return 0;
	}
	return (filters & EFI_SIMPLE_NETWORK_RECEIVE_UNICAST) &&
	       !memcmp(dest, dev->mode.CurrentAddress.Addr, ETH_ALEN);
}

/** The next wanted received frame, still queued; others are dropped */
static struct io_buffer *snpdev_next_rx(struct efi_snpdev *dev)
{
	struct io_buffer *iobuf;

	while ((iobuf = list_first_entry(&dev->netdev->rx_queue,
					 struct io_buffer, list))) {
		if (iob_len(iobuf) >= ETH_HLEN &&
		    snpdev_wanted(dev, iobuf->data))
			return iobuf;
		list_del(&iobuf->list);
		free_iob(iobuf);
	}
	return NULL;
}

static EFI_STATUS EFIAPI snpdev_receive(EFI_SIMPLE_NETWORK *snp,
					UINTN *header_len, UINTN *len,
					void *buf, EFI_MAC_ADDRESS *src,
					EFI_MAC_ADDRESS *dest, UINT16 *proto)
{
	struct efi_snpdev *dev = snpdev_of(snp);
	struct io_buffer *iobuf;
	struct ethhdr *eth;
	EFI_STATUS status;
	EFI_TPL tpl;

	if ((status = snpdev_enter(&tpl)) != 0)
		return status;
	if ((status = snpdev_check_state(dev, EfiSimpleNetworkInitialized)))
		return snpdev_leave(tpl, status);
	if (!len || !buf)
		return snpdev_leave(tpl, EFI_INVALID_PARAMETER);
	snpdev_poll(dev);
	iobuf = snpdev_next_rx(dev);
	if (!iobuf)
		return snpdev_leave(tpl, EFI_NOT_READY);
	if (*len < iob_len(iobuf)) {
		*len = iob_len(iobuf);
		return snpdev_leave(tpl, EFI_BUFFER_TOO_SMALL);
	}
	list_del(&iobuf->list);
	*len = iob_len(iobuf);
	memcpy(buf, iobuf->data, *len);
	eth = iobuf->data;
	if (header_len)
		*header_len = ETH_HLEN;
	if (src) {
		memset(src, 0, sizeof(*src));
		memcpy(src->Addr, eth->h_source, ETH_ALEN);
	}
	if (dest) {
		memset(dest, 0, sizeof(*dest));
		memcpy(dest->Addr, eth->h_dest, ETH_ALEN);
	}
	if (proto)
		*proto = ntohs(eth->h_protocol);
	dev->netdev->rx_stats.good++;
	free_iob(iobuf);
	return snpdev_leave(tpl, EFI_SUCCESS);
}

/** WaitForPacket: signalled when a frame is waiting */
static void EFIAPI snpdev_wait_notify(EFI_EVENT event, void *context)
{
	struct efi_snpdev *dev = context;

	/* Runs at TPL_CALLBACK: never inside another SNP call */
	if (efi_snpdev_busy ||
	    dev->mode.State != EfiSimpleNetworkInitialized)
		return;
	snpdev_poll(dev);
	if (snpdev_next_rx(dev))
		efi_bs->SignalEvent(event);
}

/* ------------------------------------------------------------------------
 * LoadFile: the boot manager's network boot option runs Keel
 */

/** Keel's own stack had the devices: hand them back as the SNPs were */
static void snpdev_restore(struct efi_snpdev *dev)
{
	int initialized = (dev->mode.State == EfiSimpleNetworkInitialized);

	if (initialized && !netdev_is_open(dev->netdev))
		netdev_open(dev->netdev);
	else if (!initialized && netdev_is_open(dev->netdev))
		netdev_close(dev->netdev);
	dev->tx_count = 0;
}

static EFI_STATUS EFIAPI snpdev_load_file(EFI_LOAD_FILE_INTERFACE *lf,
					  EFI_DEVICE_PATH *path,
					  BOOLEAN boot_policy, UINTN *len,
					  void *buf)
{
	struct efi_snpdev *dev =
		container_of(lf, struct efi_snpdev, load_file);
	int status;

	(void)path;
	(void)buf;
	/* Keel boots by itself: it never hands a file back */
	if (!boot_policy || !len)
		return EFI_UNSUPPORTED;
	if (efi_snpdev_busy)
		return EFI_ALREADY_STARTED;
	efi_snpdev_busy = 1;
	status = efi_driver_boot();
	efi_snpdev_busy = 0;
	snpdev_restore(dev);
	/* Back here, nothing was booted: the boot manager tries its next option */
	return status ? efi_exit_status(status) : EFI_ABORTED;
}

/* ------------------------------------------------------------------------
 * The child handle
 */

/** The parent's device path plus a MAC address node */
static EFI_DEVICE_PATH *snpdev_path(EFI_HANDLE parent,
				    struct net_device *netdev)
{
	EFI_DEVICE_PATH *parent_path, *path, *end;
	MAC_ADDR_DEVICE_PATH *mac;
	size_t len;
	void *iface;

	if (efi_bs->HandleProtocol(parent, &efi_device_path_guid, &iface) != 0)
		return NULL;
	parent_path = iface;
	len = efi_devpath_len(parent_path) - sizeof(*end);
	path = zalloc(len + sizeof(*mac) + sizeof(*end));
	if (!path)
		return NULL;
	memcpy(path, parent_path, len);
	mac = (void *)((char *)path + len);
	mac->Header.Type = MESSAGING_DEVICE_PATH;
	mac->Header.SubType = MSG_MAC_ADDR_DP;
	SetDevicePathNodeLength(&mac->Header, sizeof(*mac));
	memcpy(mac->MacAddress.Addr, netdev->hw_addr, ETH_ALEN);
	mac->IfType = 1; /* Ethernet */
	end = (void *)(mac + 1);
	SetDevicePathEndNode(end);
	return path;
}

static const EFI_SIMPLE_NETWORK snpdev_template = {
	.Revision = EFI_SIMPLE_NETWORK_PROTOCOL_REVISION,
	.Start = snpdev_start,
	.Stop = snpdev_stop,
	.Initialize = snpdev_initialize,
	.Reset = snpdev_reset,
	.Shutdown = snpdev_shutdown,
	.ReceiveFilters = snpdev_receive_filters,
	.StationAddress = snpdev_station_address,
	.Statistics = snpdev_statistics,
	.MCastIpToMac = snpdev_mcast_ip_to_mac,
	.NvData = snpdev_nvdata,
	.GetStatus = snpdev_get_status,
	.Transmit = snpdev_transmit,
	.Receive = snpdev_receive,
};

static void snpdev_init_mode(struct efi_snpdev *dev)
{
	EFI_SIMPLE_NETWORK_MODE *mode = &dev->mode;
	struct net_device *netdev = dev->netdev;

	mode->State = EfiSimpleNetworkStopped;
	mode->HwAddressSize = ETH_ALEN;
	mode->MediaHeaderSize = ETH_HLEN;
	mode->MaxPacketSize = ETH_FRAME_LEN - ETH_HLEN;
	mode->ReceiveFilterMask = SNPDEV_FILTERS;
	mode->MaxMCastFilterCount = MAX_MCAST_FILTER_CNT;
	memcpy(mode->CurrentAddress.Addr, netdev->ll_addr, ETH_ALEN);
	memcpy(mode->PermanentAddress.Addr, netdev->hw_addr, ETH_ALEN);
	memset(mode->BroadcastAddress.Addr, 0xff, ETH_ALEN);
	mode->IfType = 1; /* Ethernet */
	mode->MacAddressChangeable = FALSE;
	mode->MultipleTxSupported = TRUE;
	mode->MediaPresentSupported = TRUE;
	mode->MediaPresent = netdev_link_ok(netdev);
}

/** Install the protocols on a new child handle, in order; undo on failure */
static int snpdev_install_protocols(struct efi_snpdev *dev)
{
	EFI_STATUS status;

	status = efi_bs->InstallProtocolInterface(
		&dev->handle, &efi_device_path_guid, EFI_NATIVE_INTERFACE,
		dev->path);
	if (status != 0)
		return EFI_RC(status);
	status = efi_bs->InstallProtocolInterface(
		&dev->handle, &efi_snp_guid, EFI_NATIVE_INTERFACE, &dev->snp);
	if (status != 0)
		goto err_snp;
	status = efi_bs->InstallProtocolInterface(&dev->handle,
						  &efi_load_file_guid,
						  EFI_NATIVE_INTERFACE,
						  &dev->load_file);
	if (status != 0)
		goto err_load_file;
	return 0;

err_load_file:
	efi_bs->UninstallProtocolInterface(dev->handle, &efi_snp_guid,
					   &dev->snp);
err_snp:
	efi_bs->UninstallProtocolInterface(dev->handle, &efi_device_path_guid,
					   dev->path);
	return EFI_RC(status);
}

int efi_snpdev_install(struct net_device *netdev, EFI_HANDLE parent,
		       struct efi_snpdev **snpdev)
{
	struct efi_snpdev *dev;
	EFI_STATUS status;
	void *iface;
	int rc;

	dev = zalloc(sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->netdev = netdev_get(netdev);
	dev->parent = parent;
	dev->snp = snpdev_template;
	dev->snp.Mode = &dev->mode;
	dev->load_file.LoadFile = snpdev_load_file;
	snpdev_init_mode(dev);
	dev->path = snpdev_path(parent, netdev);
	if (!dev->path) {
		rc = -ENOMEM;
		goto err_path;
	}
	status = efi_bs->CreateEvent(EVT_NOTIFY_WAIT, TPL_CALLBACK,
				     snpdev_wait_notify, dev,
				     &dev->snp.WaitForPacket);
	if (status != 0) {
		rc = EFI_RC(status);
		goto err_event;
	}
	if ((rc = snpdev_install_protocols(dev)) != 0)
		goto err_install;
	/* The child is the parent's: the PCI function's user list says so */
	status = efi_bs->OpenProtocol(parent, &efi_pci_io_guid, &iface,
				      efi_image_handle, dev->handle,
				      EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER);
	if (status != 0) {
		rc = EFI_RC(status);
		goto err_child;
	}
	*snpdev = dev;
	return 0;

err_child:
	efi_bs->UninstallProtocolInterface(dev->handle, &efi_load_file_guid,
					   &dev->load_file);
	efi_bs->UninstallProtocolInterface(dev->handle, &efi_snp_guid,
					   &dev->snp);
	efi_bs->UninstallProtocolInterface(dev->handle, &efi_device_path_guid,
					   dev->path);
err_install:
	efi_bs->CloseEvent(dev->snp.WaitForPacket);
err_event:
	free(dev->path);
err_path:
	netdev_put(dev->netdev);
	free(dev);
	return rc;
}

int efi_snpdev_uninstall(struct efi_snpdev *dev)
{
	EFI_STATUS status;
	void *iface;

	efi_bs->CloseProtocol(dev->parent, &efi_pci_io_guid, efi_image_handle,
			      dev->handle);
	/* Removing the SNP disconnects the firmware's stack above it */
	status = efi_bs->UninstallProtocolInterface(dev->handle, &efi_snp_guid,
						    &dev->snp);
	if (status != 0) {
		efi_bs->OpenProtocol(dev->parent, &efi_pci_io_guid, &iface,
				     efi_image_handle, dev->handle,
				     EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER);
		return EFI_RC(status);
	}
	efi_bs->UninstallProtocolInterface(dev->handle, &efi_load_file_guid,
					   &dev->load_file);
	efi_bs->UninstallProtocolInterface(dev->handle, &efi_device_path_guid,
					   dev->path);
	efi_bs->CloseEvent(dev->snp.WaitForPacket);
	if (dev->mode.State == EfiSimpleNetworkInitialized)
		netdev_close(dev->netdev);
	snpdev_flush_rx(dev);
	free(dev->path);
	netdev_put(dev->netdev);
	free(dev);
	return 0;
}
