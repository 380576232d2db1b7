/* The EFI option ROM's driver: a driver binding that brings up Keel's native NIC driver and offers it as SNP and LoadFile. */
#include <stdlib.h>
#include <stdio.h>
#include <errno.h>
#include <keel/init.h>
#include <keel/list.h>
#include <keel/main.h>
#include <keel/netdevice.h>
#include <keel/pci.h>
#include <keel/reboot.h>
#include "efi_pci.h"
#include "efi_snpdev.h"

/** The heap a resident driver takes: it stays allocated until the OS runs */
#define EFI_DRIVER_HEAP (64ULL << 20)

/** A controller we drive */
struct efi_driver_nic {
	struct list_head list;
	EFI_HANDLE controller;
	struct pci_device *pci;
	struct efi_snpdev *snpdev;
};

static LIST_HEAD(efi_driver_nics);
static EFI_GUID efi_driver_binding_guid = EFI_DRIVER_BINDING_PROTOCOL_GUID;
static EFI_GUID efi_component_name2_guid = EFI_COMPONENT_NAME2_PROTOCOL_GUID;

/** Keel's core is set up at the first Start(), not when the ROM loads */
static void efi_driver_initialise(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	efi_heap_limit = EFI_DRIVER_HEAP;
	/* Functions come to us through Start(), never through the scan */
	pci_probe_only = PCI_PROBE_NONE;
	initialise();
}

/** The network device a PCI driver registered for a function */
static struct net_device *efi_driver_netdev(struct pci_device *pci)
{
	struct net_device *netdev;

	/* PCI NIC drivers name their device by the function's busloc */
	list_for_each_entry(netdev, &net_devices, list) {
		if (netdev->busloc == pci->busloc)
			return netdev;
	}
	return NULL;
}

static EFI_STATUS EFIAPI efi_driver_supported(EFI_DRIVER_BINDING_PROTOCOL *drv,
					      EFI_HANDLE controller,
					      EFI_DEVICE_PATH *remaining)
{
	EFI_PCI_IO *io;
	UINT32 id;
	void *iface;
	EFI_STATUS status;

	(void)remaining;
	status = efi_bs->OpenProtocol(controller, &efi_pci_io_guid, &iface,
				      drv->DriverBindingHandle, controller,
				      EFI_OPEN_PROTOCOL_BY_DRIVER);
	if (status != 0)
		return status;
	io = iface;
	status = io->Pci.Read(io, EfiPciIoWidthUint32, PCI_VENDOR_ID, 1, &id);
	if (status == 0 &&
	    !pci_find_driver((uint16_t)id, (uint16_t)(id >> 16)))
		status = EFI_UNSUPPORTED;
	efi_bs->CloseProtocol(controller, &efi_pci_io_guid,
			      drv->DriverBindingHandle, controller);
	DBG("Keel driver: %s %08x supported: %lx\n", efi_handle_name(controller),
	    id, (unsigned long)status);
	return status;
}

/** Bring up the Keel driver on a function we hold, and offer it */
static int efi_driver_attach(struct efi_driver_nic *nic)
{
	struct net_device *netdev;
	uint32_t busdevfn;
	int rc;

	if ((rc = efi_pci_location(nic->controller, &busdevfn)) != 0)
		return rc;
	if ((rc = pci_probe_one(busdevfn, &nic->pci)) != 0)
		return rc;
	netdev = efi_driver_netdev(nic->pci);
	if (!netdev) {
		rc = -ENODEV;
		goto err_netdev;
	}
	if ((rc = efi_snpdev_install(netdev, nic->controller,
				     &nic->snpdev)) != 0)
		goto err_snpdev;
	return 0;

err_snpdev:
err_netdev:
	pci_remove_one(nic->pci);
	return rc;
}

static EFI_STATUS EFIAPI efi_driver_start(EFI_DRIVER_BINDING_PROTOCOL *drv,
					  EFI_HANDLE controller,
					  EFI_DEVICE_PATH *remaining)
{
	struct efi_driver_nic *nic;
	void *iface;
	EFI_STATUS status;
	int rc;

	(void)remaining;
	/* Exclusive: no other driver may share the function with us */
	status = efi_bs->OpenProtocol(controller, &efi_pci_io_guid, &iface,
				      drv->DriverBindingHandle, controller,
				      EFI_OPEN_PROTOCOL_BY_DRIVER |
					      EFI_OPEN_PROTOCOL_EXCLUSIVE);
	DBG("Keel driver: start %s: open %lx\n", efi_handle_name(controller),
	    (unsigned long)status);
	if (status != 0)
		return status;
	efi_driver_initialise();
	nic = zalloc(sizeof(*nic));
	if (!nic) {
		rc = -ENOMEM;
		goto err_alloc;
	}
	nic->controller = controller;
	if ((rc = efi_driver_attach(nic)) != 0)
		goto err_attach;
	list_add_tail(&nic->list, &efi_driver_nics);
	return EFI_SUCCESS;

err_attach:
	printf("Keel driver: cannot start on %s: %s\n",
	       efi_handle_name(controller), strerror(rc));
	free(nic);
err_alloc:
	efi_bs->CloseProtocol(controller, &efi_pci_io_guid,
			      drv->DriverBindingHandle, controller);
	return efi_status(rc);
}

static EFI_STATUS EFIAPI efi_driver_stop(EFI_DRIVER_BINDING_PROTOCOL *drv,
					 EFI_HANDLE controller, UINTN children,
					 EFI_HANDLE *child_handles)
{
	struct efi_driver_nic *nic, *found = NULL;
	int rc;

	(void)children;
	(void)child_handles;
	list_for_each_entry(nic, &efi_driver_nics, list) {
		if (nic->controller == controller)
			found = nic;
	}
	if (!found)
		return EFI_DEVICE_ERROR;
	if ((rc = efi_snpdev_uninstall(found->snpdev)) != 0)
		return efi_status(rc);
	pci_remove_one(found->pci);
	list_del(&found->list);
	free(found);
	efi_bs->CloseProtocol(controller, &efi_pci_io_guid,
			      drv->DriverBindingHandle, controller);
	return EFI_SUCCESS;
}

static EFI_DRIVER_BINDING_PROTOCOL efi_driver_binding = {
	.Supported = efi_driver_supported,
	.Start = efi_driver_start,
	.Stop = efi_driver_stop,
	.Version = 0x10,
};

/* ------------------------------------------------------------------------
 * The driver's name, for the firmware's driver and device lists
 */

static EFI_STATUS EFIAPI efi_driver_name(EFI_COMPONENT_NAME2_PROTOCOL *cn,
					 CHAR8 *language, CHAR16 **name)
{
	(void)cn;
	(void)language;
	if (!name)
		return EFI_INVALID_PARAMETER;
	*name = L"Keel network boot firmware";
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI efi_driver_controller_name(
	EFI_COMPONENT_NAME2_PROTOCOL *cn, EFI_HANDLE controller,
	EFI_HANDLE child, CHAR8 *language, CHAR16 **name)
{
	(void)cn;
	(void)controller;
	(void)child;
	(void)language;
	(void)name;
	return EFI_UNSUPPORTED;
}

static EFI_COMPONENT_NAME2_PROTOCOL efi_driver_component_name = {
	.GetDriverName = efi_driver_name,
	.GetControllerName = efi_driver_controller_name,
	.SupportedLanguages = (CHAR8 *)"en",
};

/* ------------------------------------------------------------------------
 * Entry, and Keel's run from LoadFile
 */

/* The driver's entry: install the binding and stay resident */
EFI_STATUS efi_image_start(void)
{
	EFI_HANDLE handle = efi_image_handle;
	EFI_STATUS status;

	efi_driver_binding.ImageHandle = efi_image_handle;
	efi_driver_binding.DriverBindingHandle = efi_image_handle;
	status = efi_bs->InstallProtocolInterface(&handle,
						  &efi_driver_binding_guid,
						  EFI_NATIVE_INTERFACE,
						  &efi_driver_binding);
	if (status != 0)
		return status;
	/* Only the name: the driver works without it */
	efi_bs->InstallProtocolInterface(&handle, &efi_component_name2_guid,
					 EFI_NATIVE_INTERFACE,
					 &efi_driver_component_name);
	return EFI_SUCCESS;
}

/** Where platform_exit() returns to while Keel runs from LoadFile */
static void *efi_driver_exit_jump[5];
static int efi_driver_running;
static int efi_driver_exit_status;

/** Run Keel; platform_exit() comes back here */
static int efi_driver_run(void)
{
	if (__builtin_setjmp(efi_driver_exit_jump))
		return efi_driver_exit_status;
	return keel_run();
}

int efi_driver_boot(void)
{
	int status;

	/* The boot manager arms a five-minute watchdog; downloads may be slow */
	efi_bs->SetWatchdogTimer(0, 0, 0, NULL);
	/* Once; the PCI scan binds nothing (PCI_PROBE_NONE) */
	startup();
	efi_driver_running = 1;
	status = efi_driver_run();
	efi_driver_running = 0;
	efi_console_flush();
	return status;
}

/*
 * Leaving Keel (sanboot with nothing to boot) returns from LoadFile to the
 * boot manager; the driver and its devices stay.
 */
void platform_exit(int status)
{
	if (efi_driver_running) {
		efi_driver_exit_status = status;
		__builtin_longjmp(efi_driver_exit_jump, 1);
	}
	/* Nothing runs Keel outside LoadFile: no caller can get here */
	for (;;)
		;
}
