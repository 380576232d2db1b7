/* The snpnet driver: network devices over the firmware's Simple Network Protocol. */
#ifndef EFI_SNP_H
#define EFI_SNP_H
#include "efi_api.h"

/**
 * Register a network device driving the SNP on a handle.
 *
 * @handle	handle carrying EFI_SIMPLE_NETWORK_PROTOCOL
 * @ret rc	0, or a negative error (the handle is left alone)
 */
int efi_snp_probe(EFI_HANDLE handle);

/**
 * The top-most SNP handle at or above @handle along its device path.
 * Firmware stacks add child handles that also carry SNP (the IP and VLAN
 * children of one NIC); only the top-most one is the NIC itself.
 */
EFI_HANDLE efi_snp_topmost(EFI_HANDLE handle);

struct net_device;

/**
 * The firmware device path of a network device's NIC: the SNP handle's
 * path, or the PCI function's for a NIC driven by a Keel PCI driver.
 *
 * @ret path	device path, or NULL if the firmware knows no such device
 */
EFI_DEVICE_PATH *efi_netdev_path(struct net_device *netdev);

#endif
