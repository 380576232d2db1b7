/* PCI functions on UEFI: taking them from the firmware's drivers for Keel's own. */
#ifndef EFI_PCI_H
#define EFI_PCI_H
#include <stdint.h>
#include "efi_api.h"

struct net_device;

extern EFI_GUID efi_pci_io_guid;

/**
 * The EFI handle carrying EFI_PCI_IO_PROTOCOL for a PCI function.
 *
 * @busdevfn	function (PCI_BUSDEVFN, segment 0)
 * @ret handle	handle, or NULL if the firmware has none
 */
EFI_HANDLE efi_pci_handle(uint32_t busdevfn);

/**
 * The function of a PCI I/O handle, as PCI_BUSDEVFN.
 *
 * @ret rc	0, or a negative error (not PCI, or not segment 0)
 */
int efi_pci_location(EFI_HANDLE handle, uint32_t *busdevfn);

/**
 * The firmware device path of a network device driven by a Keel PCI
 * driver: its PCI function's path.
 *
 * @ret path	device path, or NULL if no claimed function drives @netdev
 */
EFI_DEVICE_PATH *efi_pci_netdev_path(struct net_device *netdev);

/**
 * True if a Keel driver holds the PCI function below @handle (a handle
 * whose device path passes through a PCI function, such as an SNP).
 */
int efi_pci_owned(EFI_HANDLE handle);

#endif
