/* snpnet: a network device over EFI_SIMPLE_NETWORK_PROTOCOL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/ethernet.h>
#include <keel/iobuf.h>
#include <keel/netdevice.h>
#include <keel/timer.h>
#include "efi_pci.h"
#include "efi_snp.h"

/** Frames received per poll, so one busy device cannot starve the rest */
#define SNP_RX_BUDGET 32
/** How often a down link's media state is read again */
#define SNP_LINK_POLL_MS 100

struct snp_nic {
	EFI_HANDLE handle;
	EFI_SIMPLE_NETWORK *snp;
	/** Opened exclusively (the firmware's network stack disconnected) */
	int exclusive;
	/** We moved the SNP out of these states, so we move it back */
	int started;
	int initialized;
	unsigned long link_checked;
	char busloc[24];
};

/** Take the SNP from the firmware's own network stack while we use it */
static void snp_claim(struct snp_nic *nic)
{
	void *iface;

	nic->exclusive = 0;
	if (efi_bs->OpenProtocol(nic->handle, &efi_snp_guid, &iface,
				 efi_image_handle, nic->handle,
				 EFI_OPEN_PROTOCOL_BY_DRIVER |
					 EFI_OPEN_PROTOCOL_EXCLUSIVE) == 0) {
		nic->exclusive = 1;
		nic->snp = iface;
	}
	/* Otherwise share it: someone else holds it exclusively */
}

/** Give the SNP back and let the firmware's stack reconnect */
static void snp_unclaim(struct snp_nic *nic)
{
	if (!nic->exclusive)
		return;
	efi_bs->CloseProtocol(nic->handle, &efi_snp_guid, efi_image_handle,
			      nic->handle);
	efi_bs->ConnectController(nic->handle, NULL, NULL, TRUE);
	nic->exclusive = 0;
}

/** Receive unicast and broadcast, and multicast where the NIC can */
static void snp_set_filters(struct snp_nic *nic)
{
	static const UINT32 wanted[] = {
		EFI_SIMPLE_NETWORK_RECEIVE_UNICAST |
			EFI_SIMPLE_NETWORK_RECEIVE_BROADCAST |
			EFI_SIMPLE_NETWORK_RECEIVE_PROMISCUOUS_MULTICAST,
		EFI_SIMPLE_NETWORK_RECEIVE_UNICAST |
			EFI_SIMPLE_NETWORK_RECEIVE_BROADCAST,
		EFI_SIMPLE_NETWORK_RECEIVE_UNICAST,
	};
	EFI_SIMPLE_NETWORK *snp = nic->snp;
	UINT32 supported = snp->Mode->ReceiveFilterMask;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(wanted); i++) {
		UINT32 enable = wanted[i] & supported;

		if (!enable)
			continue;
		if (snp->ReceiveFilters(snp, enable, 0, FALSE, 0, NULL) == 0)
			return;
	}
}

static int snp_open(struct net_device *netdev)
{
	struct snp_nic *nic = netdev->priv;
	EFI_SIMPLE_NETWORK *snp;
	EFI_STATUS status;
	int rc;

	snp_claim(nic);
	snp = nic->snp;
	nic->started = nic->initialized = 0;
	if (snp->Mode->State == EfiSimpleNetworkStopped) {
		if ((status = snp->Start(snp)) != 0) {
			rc = errctx(EFI_RC(status), "SNP Start failed");
			goto err_start;
		}
		nic->started = 1;
	}
	if (snp->Mode->State == EfiSimpleNetworkStarted) {
		if ((status = snp->Initialize(snp, 0, 0)) != 0) {
			rc = errctx(EFI_RC(status), "SNP Initialize failed");
			goto err_init;
		}
		nic->initialized = 1;
	}
	/* Keel may have been given another address (set netX/mac) */
	if (memcmp(snp->Mode->CurrentAddress.Addr, netdev->ll_addr, ETH_ALEN) &&
	    snp->Mode->MacAddressChangeable)
		snp->StationAddress(snp, FALSE,
				    (EFI_MAC_ADDRESS *)netdev->ll_addr);
	snp_set_filters(nic);
	nic->link_checked = currticks() - SNP_LINK_POLL_MS;
	return 0;

err_init:
	if (nic->started)
		snp->Stop(snp);
	nic->started = 0;
err_start:
	snp_unclaim(nic);
	return rc;
}

/** Collect transmit completions: each buffer the SNP hands back */
static void snp_reap(struct net_device *netdev)
{
	struct snp_nic *nic = netdev->priv;
	EFI_SIMPLE_NETWORK *snp = nic->snp;
	struct io_buffer *iobuf, *tmp, *found;
	UINT32 irq;
	void *txbuf;
	unsigned int guard = NETDEV_TX_QUEUE_MAX + 1;

	while (guard--) {
		txbuf = NULL;
		/* Asking for the interrupt status too: some UNDIs need it */
		if (snp->GetStatus(snp, &irq, &txbuf) != 0 || !txbuf)
			return;
		found = NULL;
		list_for_each_entry_safe(iobuf, tmp, &netdev->tx_queue, list) {
			if (iobuf->data == txbuf) {
				found = iobuf;
				break;
			}
		}
		/* Some SNPs hand back another address: the oldest went out */
		if (!found)
			found = list_first_entry(&netdev->tx_queue,
						 struct io_buffer, list);
		if (found)
			netdev_tx_complete(netdev, found);
	}
}

static void snp_close(struct net_device *netdev)
{
	struct snp_nic *nic = netdev->priv;
	EFI_SIMPLE_NETWORK *snp = nic->snp;

	snp_reap(netdev);
	if (nic->initialized)
		snp->Shutdown(snp);
	if (nic->started)
		snp->Stop(snp);
	nic->started = nic->initialized = 0;
	netdev_tx_flush(netdev);
	snp_unclaim(nic);
	netdev_link_down(netdev);
}

static int snp_transmit(struct net_device *netdev, struct io_buffer *iobuf)
{
	struct snp_nic *nic = netdev->priv;
	EFI_SIMPLE_NETWORK *snp = nic->snp;
	size_t len = iob_len(iobuf);
	EFI_STATUS status;

	/* Pad runts as Ethernet hardware would */
	if (len < ETH_ZLEN && iob_tailroom(iobuf) >= ETH_ZLEN - len) {
		memset(iob_put(iobuf, ETH_ZLEN - len), 0, ETH_ZLEN - len);
		len = ETH_ZLEN;
	}
	status = snp->Transmit(snp, 0, len, iobuf->data, NULL, NULL, NULL);
	if (status == EFI_NOT_READY) {
		/* The ring is full: reclaim what has gone out, try once more */
		snp_reap(netdev);
		status = snp->Transmit(snp, 0, len, iobuf->data, NULL, NULL,
				       NULL);
	}
	if (status != 0)
		return EFI_RC(status);
	return 0;
}

static void snp_check_link(struct net_device *netdev)
{
	struct snp_nic *nic = netdev->priv;
	EFI_SIMPLE_NETWORK_MODE *mode = nic->snp->Mode;

	if (netdev_link_ok(netdev) &&
	    currticks() - nic->link_checked < SNP_LINK_POLL_MS)
		return;
	if (!netdev_link_ok(netdev) &&
	    currticks() - nic->link_checked < SNP_LINK_POLL_MS / 10)
		return;
	nic->link_checked = currticks();
	if (!mode->MediaPresentSupported || mode->MediaPresent)
		netdev_link_up(netdev);
	else
		netdev_link_down(netdev);
}

static void snp_poll(struct net_device *netdev)
{
	struct snp_nic *nic = netdev->priv;
	EFI_SIMPLE_NETWORK *snp = nic->snp;
	struct io_buffer *iobuf;
	unsigned int budget = SNP_RX_BUDGET;
	size_t room = netdev->max_pkt_len + 64;
	UINTN len;
	EFI_STATUS status;

	snp_reap(netdev);
	snp_check_link(netdev);
	while (budget--) {
		iobuf = alloc_iob(room);
		if (!iobuf)
			return;
		len = room;
		status = snp->Receive(snp, NULL, &len, iobuf->data, NULL, NULL,
				      NULL);
		if (status == EFI_NOT_READY) {
			free_iob(iobuf);
			return;
		}
		if (status != 0 || len > room) {
			/* Too big (EFI_BUFFER_TOO_SMALL) or broken: dropped */
			netdev_rx_err(netdev, iobuf, EFI_RC(status));
			continue;
		}
		iob_put(iobuf, len);
		netdev_rx(netdev, iobuf);
	}
}

static const struct net_device_operations snp_operations = {
	.open = snp_open,
	.close = snp_close,
	.transmit = snp_transmit,
	.poll = snp_poll,
};

EFI_DEVICE_PATH *efi_netdev_path(struct net_device *netdev)
{
	struct snp_nic *nic = netdev->priv;
	void *path;

	if (netdev->op != &snp_operations)
		return efi_pci_netdev_path(netdev);
	if (efi_bs->HandleProtocol(nic->handle, &efi_device_path_guid,
				   &path) != 0)
		return NULL;
	return path;
}

/** Name the device by its PCI location where it has one */
static void snp_busloc(struct snp_nic *nic)
{
	EFI_GUID pci_guid = EFI_PCI_IO_PROTOCOL_GUID;
	EFI_DEVICE_PATH *path;
	EFI_HANDLE pci_handle;
	EFI_PCI_IO *pci;
	void *iface;
	UINTN seg, bus, dev, fn;

	snprintf(nic->busloc, sizeof(nic->busloc), "SNP");
	if (efi_bs->HandleProtocol(nic->handle, &efi_device_path_guid,
				   &iface) != 0)
		return;
	path = iface;
	if (efi_bs->LocateDevicePath(&pci_guid, &path, &pci_handle) != 0 ||
	    efi_bs->HandleProtocol(pci_handle, &pci_guid, &iface) != 0)
		return;
	pci = iface;
	if (pci->GetLocation(pci, &seg, &bus, &dev, &fn) == 0)
		snprintf(nic->busloc, sizeof(nic->busloc),
			 "PCI %02lx:%02lx.%lx", (unsigned long)bus,
			 (unsigned long)dev, (unsigned long)fn);
}

EFI_HANDLE efi_snp_topmost(EFI_HANDLE handle)
{
	EFI_DEVICE_PATH *path, *copy, *remaining, *node, *last;
	EFI_HANDLE found;
	void *iface;
	size_t len;
	unsigned int guard;

	/* Each round: strip the last node, look for SNP above what is left */
	for (guard = 0; guard < 16; guard++) {
		if (efi_bs->HandleProtocol(handle, &efi_device_path_guid,
					   &iface) != 0)
			return handle;
		path = iface;
		len = efi_devpath_len(path);
		copy = malloc(len);
		if (!copy)
			return handle;
		memcpy(copy, path, len);
		last = NULL;
		for (node = copy; !IsDevicePathEnd(node);
		     node = NextDevicePathNode(node)) {
			if ((size_t)DevicePathNodeLength(node) < sizeof(*node))
				break;
			last = node;
		}
		if (!last) {
			free(copy);
			return handle;
		}
		SetDevicePathEndNode(last);
		remaining = copy;
		if (efi_bs->LocateDevicePath(&efi_snp_guid, &remaining,
					     &found) != 0 ||
		    found == handle) {
			free(copy);
			return handle;
		}
		free(copy);
		handle = found;
	}
	return handle;
}

int efi_snp_probe(EFI_HANDLE handle)
{
	struct net_device *netdev;
	struct snp_nic *nic;
	EFI_SIMPLE_NETWORK_MODE *mode;
	void *iface;
	EFI_STATUS status;
	int rc;

	if ((status = efi_bs->HandleProtocol(handle, &efi_snp_guid, &iface)))
		return EFI_RC(status);
	mode = ((EFI_SIMPLE_NETWORK *)iface)->Mode;
	if (mode->HwAddressSize != ETH_ALEN || mode->IfType != 1 /* Ethernet */)
		return errctx(-ENOTSUP, "SNP device is not Ethernet");
	netdev = alloc_etherdev(sizeof(*nic));
	if (!netdev)
		return -ENOMEM;
	netdev_init(netdev, &snp_operations);
	nic = netdev->priv;
	nic->handle = handle;
	nic->snp = iface;
	memcpy(netdev->hw_addr, mode->PermanentAddress.Addr, ETH_ALEN);
	/* A NIC may report an empty permanent address: use the current one */
	if (!memcmp(netdev->hw_addr, "\0\0\0\0\0\0", ETH_ALEN))
		memcpy(netdev->hw_addr, mode->CurrentAddress.Addr, ETH_ALEN);
	if (mode->MaxPacketSize && mode->MaxPacketSize < netdev->mtu)
		netdev->mtu = mode->MaxPacketSize;
	snp_busloc(nic);
	netdev->chip = "SNP";
	netdev->busloc = nic->busloc;
	rc = register_netdev(netdev);
	netdev_put(netdev);
	return rc;
}
