/* PCI on UEFI: a Keel driver takes its function from the firmware's driver and gives it back. */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/list.h>
#include <keel/netdevice.h>
#include <keel/pci.h>
#include "efi_pci.h"

EFI_GUID efi_pci_io_guid = EFI_PCI_IO_PROTOCOL_GUID;

/** What a Keel driver needs from the device: decodes and bus mastering */
#define EFI_PCI_WANTED                                                         \
	(EFI_PCI_IO_ATTRIBUTE_IO | EFI_PCI_IO_ATTRIBUTE_MEMORY |               \
	 EFI_PCI_IO_ATTRIBUTE_BUS_MASTER)

/** A PCI function held for a Keel driver */
struct efi_pci_claim {
	struct list_head list;
	struct pci_device *pci;
	EFI_HANDLE handle;
	EFI_PCI_IO *io;
	/** We opened PciIo (else our caller, a driver binding, holds it) */
	int opened;
	/** Attributes before we enabled ours, restored on release */
	UINT64 saved;
};

static LIST_HEAD(efi_pci_claims);

int efi_pci_location(EFI_HANDLE handle, uint32_t *busdevfn)
{
	EFI_PCI_IO *io;
	UINTN seg, bus, dev, fn;
	void *iface;
	EFI_STATUS status;

	if ((status = efi_bs->HandleProtocol(handle, &efi_pci_io_guid,
					     &iface)) != 0)
		return EFI_RC(status);
	io = iface;
	if ((status = io->GetLocation(io, &seg, &bus, &dev, &fn)) != 0)
		return EFI_RC(status);
	if (seg != 0 || bus > 0xff || dev > 0x1f || fn > 7)
		return -ENODEV;
	*busdevfn = PCI_BUSDEVFN(bus, dev, fn);
	return 0;
}

EFI_HANDLE efi_pci_handle(uint32_t busdevfn)
{
	EFI_HANDLE *handles, found = NULL;
	UINTN count, i;
	uint32_t loc;

	if (efi_bs->LocateHandleBuffer(ByProtocol, &efi_pci_io_guid, NULL,
				       &count, &handles) != 0)
		return NULL;
	for (i = 0; i < count && !found; i++) {
		if (efi_pci_location(handles[i], &loc) == 0 && loc == busdevfn)
			found = handles[i];
	}
	efi_bs->FreePool(handles);
	return found;
}

/**
 * Stop every SNP on a PCI function. Some SNP drivers (OVMF's virtio-net)
 * refuse to let go of the device while their SNP is started, and the
 * network stack above an SNP does not stop it when it is disconnected.
 */
static void efi_pci_stop_snps(EFI_HANDLE pci_handle)
{
	EFI_HANDLE *handles, found;
	EFI_DEVICE_PATH *path;
	EFI_SIMPLE_NETWORK *snp;
	UINTN count, i;
	void *iface;

	if (efi_bs->LocateHandleBuffer(ByProtocol, &efi_snp_guid, NULL, &count,
				       &handles) != 0)
		return;
	for (i = 0; i < count; i++) {
		if (efi_bs->HandleProtocol(handles[i], &efi_device_path_guid,
					   &iface) != 0)
			continue;
		path = iface;
		if (efi_bs->LocateDevicePath(&efi_pci_io_guid, &path,
					     &found) != 0 ||
		    found != pci_handle)
			continue;
		/* The stack above first (MNP and its users), then the SNP */
		efi_bs->DisconnectController(handles[i], NULL, NULL);
		if (efi_bs->HandleProtocol(handles[i], &efi_snp_guid,
					   &iface) != 0)
			continue;
		snp = iface;
		if (snp->Mode->State == EfiSimpleNetworkInitialized)
			snp->Shutdown(snp);
		if (snp->Mode->State == EfiSimpleNetworkStarted)
			snp->Stop(snp);
	}
	efi_bs->FreePool(handles);
}

/** True if another agent holds the function's PciIo exclusively */
static int efi_pci_held_elsewhere(EFI_HANDLE handle)
{
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *info;
	UINTN count, i;
	int held = 0;

	if (efi_bs->OpenProtocolInformation(handle, &efi_pci_io_guid, &info,
					    &count) != 0)
		return 0;
	for (i = 0; i < count; i++) {
		if ((info[i].Attributes & EFI_OPEN_PROTOCOL_EXCLUSIVE) &&
		    info[i].AgentHandle != efi_image_handle)
			held = 1;
	}
	efi_bs->FreePool(info);
	return held;
}

/** Open the function's PciIo for ourselves; the firmware's driver lets go */
static int efi_pci_open(struct efi_pci_claim *claim)
{
	void *iface;
	EFI_STATUS status;

	/* Another exclusive owner (a Keel option ROM) keeps it and its SNP */
	if (efi_pci_held_elsewhere(claim->handle))
		return errctx(-EBUSY, "PCI %s is held by another driver",
			      claim->pci->busloc + 4);
	efi_pci_stop_snps(claim->handle);
	status = efi_bs->OpenProtocol(claim->handle, &efi_pci_io_guid, &iface,
				      efi_image_handle, claim->handle,
				      EFI_OPEN_PROTOCOL_BY_DRIVER |
					      EFI_OPEN_PROTOCOL_EXCLUSIVE);
	if (status == EFI_ALREADY_STARTED) {
		/* Our own driver binding opened it for this very device */
		status = efi_bs->HandleProtocol(claim->handle,
						&efi_pci_io_guid, &iface);
	} else if (status == 0) {
		claim->opened = 1;
	}
	if (status != 0)
		return errctx(EFI_RC(status), "PCI %s is held by another driver",
			      claim->pci->busloc + 4);
	claim->io = iface;
	return 0;
}

static int efi_pci_claim(struct pci_device *pci)
{
	struct efi_pci_claim *claim;
	UINT64 supported = 0;
	int rc;

	claim = zalloc(sizeof(*claim));
	if (!claim)
		return -ENOMEM;
	claim->pci = pci;
	claim->handle = efi_pci_handle(pci->busdevfn);
	if (!claim->handle) {
		/* A function the firmware does not know is not ours to touch */
		rc = -ENODEV;
		goto err_handle;
	}
	if ((rc = efi_pci_open(claim)) != 0)
		goto err_open;
	claim->io->Attributes(claim->io, EfiPciIoAttributeOperationGet, 0,
			      &claim->saved);
	claim->io->Attributes(claim->io, EfiPciIoAttributeOperationSupported,
			      0, &supported);
	claim->io->Attributes(claim->io, EfiPciIoAttributeOperationEnable,
			      supported & EFI_PCI_WANTED, NULL);
	pci->owner_priv = claim;
	list_add_tail(&claim->list, &efi_pci_claims);
	return 0;

err_open:
err_handle:
	free(claim);
	return rc;
}

static void efi_pci_release(struct pci_device *pci)
{
	struct efi_pci_claim *claim = pci->owner_priv;

	if (!claim)
		return;
	list_del(&claim->list);
	pci->owner_priv = NULL;
	claim->io->Attributes(claim->io, EfiPciIoAttributeOperationSet,
			      claim->saved, NULL);
	if (claim->opened) {
		efi_bs->CloseProtocol(claim->handle, &efi_pci_io_guid,
				      efi_image_handle, claim->handle);
		/* The firmware's own driver (and network stack) come back */
		efi_bs->ConnectController(claim->handle, NULL, NULL, TRUE);
	}
	free(claim);
}

struct pci_owner efi_pci_owner __pci_owner = {
	.claim = efi_pci_claim,
	.release = efi_pci_release,
};

EFI_DEVICE_PATH *efi_pci_netdev_path(struct net_device *netdev)
{
	struct efi_pci_claim *claim;
	void *path;

	/* PCI drivers name their device by the PCI function's busloc */
	list_for_each_entry(claim, &efi_pci_claims, list) {
		if (netdev->busloc != claim->pci->busloc)
			continue;
		if (efi_bs->HandleProtocol(claim->handle, &efi_device_path_guid,
					   &path) != 0)
			return NULL;
		return path;
	}
	return NULL;
}

int efi_pci_owned(EFI_HANDLE handle)
{
	struct efi_pci_claim *claim;
	EFI_DEVICE_PATH *path;
	EFI_HANDLE pci_handle;
	void *iface;

	if (efi_bs->HandleProtocol(handle, &efi_device_path_guid, &iface) != 0)
		return 0;
	path = iface;
	if (efi_bs->LocateDevicePath(&efi_pci_io_guid, &path, &pci_handle) != 0)
		return 0;
	list_for_each_entry(claim, &efi_pci_claims, list) {
		if (claim->handle == pci_handle)
			return 1;
	}
	return 0;
}
