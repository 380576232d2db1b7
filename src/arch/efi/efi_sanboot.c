/* sanboot on UEFI: chain the removable-media loader of a local disk, or leave to the boot manager. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/netdevice.h>
#include <keel/reboot.h>
#include <keel/sanboot.h>
#include "efi_api.h"

/** The loader every UEFI disk may carry (UEFI 3.5.1, x64) */
#define EFI_REMOVABLE_LOADER L"\\EFI\\BOOT\\BOOTX64.EFI"

/** True if a file system holds @path */
static int efi_fs_has(EFI_HANDLE handle, CHAR16 *path)
{
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_FILE_PROTOCOL *root, *file;
	void *iface;
	int found = 0;

	if (efi_bs->HandleProtocol(handle, &efi_simple_fs_guid, &iface) != 0)
		return 0;
	fs = iface;
	if (fs->OpenVolume(fs, &root) != 0)
		return 0;
	if (root->Open(root, &file, path, EFI_FILE_MODE_READ, 0) == 0) {
		file->Close(file);
		found = 1;
	}
	root->Close(root);
	return found;
}

/** A file system handle's path followed by @file (malloc'd) */
static EFI_DEVICE_PATH *efi_file_path(EFI_HANDLE handle, const CHAR16 *file)
{
	EFI_DEVICE_PATH *dir, *path, *end;
	FILEPATH_DEVICE_PATH *node;
	size_t dlen, flen = 0;
	void *iface;

	if (efi_bs->HandleProtocol(handle, &efi_device_path_guid, &iface) != 0)
		return NULL;
	dir = iface;
	dlen = efi_devpath_len(dir) - sizeof(*dir);
	while (file[flen])
		flen++;
	path = malloc(dlen + SIZE_OF_FILEPATH_DEVICE_PATH +
		      (flen + 1) * sizeof(CHAR16) + sizeof(*end));
	if (!path)
		return NULL;
	memcpy(path, dir, dlen);
	node = (FILEPATH_DEVICE_PATH *)((char *)path + dlen);
	node->Header.Type = MEDIA_DEVICE_PATH;
	node->Header.SubType = MEDIA_FILEPATH_DP;
	node->Header.Length[0] =
		(UINT8)(SIZE_OF_FILEPATH_DEVICE_PATH + (flen + 1) * 2);
	node->Header.Length[1] = 0;
	memcpy(node->PathName, file, (flen + 1) * sizeof(CHAR16));
	end = NextDevicePathNode(&node->Header);
	SetDevicePathEndNode(end);
	return path;
}

/**
 * The @index'th local file system holding the removable-media loader.
 *
 * @ret handle	its handle, or NULL
 */
static EFI_HANDLE efi_san_find(unsigned int index)
{
	EFI_HANDLE *handles, found = NULL;
	UINTN count, i;

	if (efi_bs->LocateHandleBuffer(ByProtocol, &efi_simple_fs_guid, NULL,
				       &count, &handles) != 0)
		return NULL;
	for (i = 0; i < count && !found; i++) {
		/* Our own disk's loader may be Keel itself: no loop */
		if (handles[i] == efi_loaded_image->DeviceHandle)
			continue;
		if (efi_fs_has(handles[i], EFI_REMOVABLE_LOADER) &&
		    index-- == 0)
			found = handles[i];
	}
	efi_bs->FreePool(handles);
	return found;
}

/** Load and start the loader on a file system; returns if it returns */
static int efi_san_chain(EFI_HANDLE fs)
{
	struct net_device *netdev;
	EFI_DEVICE_PATH *path = efi_file_path(fs, EFI_REMOVABLE_LOADER);
	EFI_HANDLE handle;
	EFI_STATUS status;
	int rc;

	if (!path)
		return -ENOMEM;
	/* The loader may want the NICs (a network installer) */
	list_for_each_entry(netdev, &net_devices, list)
		netdev_close(netdev);
	status = efi_bs->LoadImage(FALSE, efi_image_handle, path, NULL, 0,
				   &handle);
	free(path);
	if (status != 0) {
		if (status == EFI_SECURITY_VIOLATION)
			efi_bs->UnloadImage(handle);
		return errctx(EFI_RC(status), "the firmware cannot load the "
					      "disk's boot loader");
	}
	efi_console_flush();
	status = efi_bs->StartImage(handle, NULL, NULL);
	rc = status ? errctx(EFI_RC(status), "the disk's boot loader failed")
		    : 0;
	return rc;
}

int sanboot_boot(unsigned int drive)
{
	unsigned int index = 0;
	EFI_HANDLE fs;

	/* 0x80 is the first disk holding a loader, 0x81 the second... */
	if (drive >= SANBOOT_FIRST_DRIVE)
		index = drive - SANBOOT_FIRST_DRIVE;
	fs = efi_san_find(index);
	if (!fs) {
		printf("sanboot: no local disk %#x holds a UEFI boot loader "
		       "(\\EFI\\BOOT\\BOOTX64.EFI); returning to the boot "
		       "manager\n",
		       SANBOOT_FIRST_DRIVE + index);
		platform_exit(1);
	}
	printf("Booting the loader on local disk %#x\n",
	       SANBOOT_FIRST_DRIVE + index);
	return efi_san_chain(fs);
}
