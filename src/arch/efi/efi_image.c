/* EFI images (applications, Linux kernels with an EFI stub): LoadImage and StartImage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/image.h>
#include <keel/netdevice.h>
#include "efi_file.h"
#include "efi_snp.h"

#define PE_MACHINE_X64 0x8664
#define PE_OPT_MAGIC_PE32PLUS 0x20b
#define PE_SUBSYSTEM_EFI_APP 10
#define PE_SUBSYSTEM_EFI_RUNTIME_DRIVER 12

static uint32_t efi_le32(const char *p)
{
	const uint8_t *b = (const uint8_t *)p;

	return b[0] | (b[1] << 8) | (b[2] << 16) | ((uint32_t)b[3] << 24);
}

static uint16_t efi_le16(const char *p)
{
	const uint8_t *b = (const uint8_t *)p;

	return (uint16_t)(b[0] | (b[1] << 8));
}

/** A PE32+ x64 image with an EFI subsystem ("MZ", then "PE\0\0") */
static int efi_image_probe(struct image *image)
{
	const char *d = image->data;
	uint32_t pe;
	uint16_t subsystem;

	if (image->len < 0x40 || d[0] != 'M' || d[1] != 'Z')
		return -ENOEXEC;
	pe = efi_le32(d + 0x3c);
	/* Signature, file header (20 bytes), optional header to Subsystem */
	if (pe > image->len || image->len - pe < 24 + 70)
		return -ENOEXEC;
	if (memcmp(d + pe, "PE\0\0", 4) != 0 ||
	    efi_le16(d + pe + 4) != PE_MACHINE_X64 ||
	    efi_le16(d + pe + 24) != PE_OPT_MAGIC_PE32PLUS)
		return -ENOEXEC;
	subsystem = efi_le16(d + pe + 24 + 68);
	if (subsystem < PE_SUBSYSTEM_EFI_APP ||
	    subsystem > PE_SUBSYSTEM_EFI_RUNTIME_DRIVER)
		return -ENOEXEC;
	return 0;
}

/** @dir's path followed by a file path node "\name" (malloc'd) */
static EFI_DEVICE_PATH *efi_image_path(EFI_DEVICE_PATH *dir, const char *name)
{
	size_t dlen = efi_devpath_len(dir) - sizeof(*dir);
	size_t nlen = strlen(name), i;
	size_t node_len = SIZE_OF_FILEPATH_DEVICE_PATH +
			  (nlen + 2) * sizeof(CHAR16);
	FILEPATH_DEVICE_PATH *file;
	EFI_DEVICE_PATH *path, *end;

	if (node_len > 0xffff)
		return NULL;
	path = malloc(dlen + node_len + sizeof(*end));
	if (!path)
		return NULL;
	memcpy(path, dir, dlen);
	file = (FILEPATH_DEVICE_PATH *)((char *)path + dlen);
	file->Header.Type = MEDIA_DEVICE_PATH;
	file->Header.SubType = MEDIA_FILEPATH_DP;
	file->Header.Length[0] = (UINT8)node_len;
	file->Header.Length[1] = (UINT8)(node_len >> 8);
	file->PathName[0] = '\\';
	for (i = 0; i < nlen; i++)
		file->PathName[i + 1] = (unsigned char)name[i] < 0x80 ?
						(CHAR16)name[i] :
						'_';
	file->PathName[nlen + 1] = 0;
	end = (EFI_DEVICE_PATH *)((char *)file + node_len);
	SetDevicePathEndNode(end);
	return path;
}

/** The command line as the image sees it: "name args", as a shell gives */
static CHAR16 *efi_image_cmdline(struct image *image, UINT32 *size)
{
	const char *name = image->name ? image->name : "image";
	size_t len = strlen(name) + 1 +
		     (image->cmdline ? strlen(image->cmdline) : 0) + 1;
	char *text = malloc(len);
	CHAR16 *wide;

	if (!text)
		return NULL;
	snprintf(text, len, "%s%s%s", name, image->cmdline ? " " : "",
		 image->cmdline ? image->cmdline : "");
	wide = efi_wide_string(text);
	if (wide)
		*size = (UINT32)((strlen(text) + 1) * sizeof(CHAR16));
	free(text);
	return wide;
}

/**
 * True if the command line names its initrds ("initrd=NAME"): then the
 * kernel reads exactly those from the file system, and the LoadFile2
 * initrd (every image, concatenated) is not offered, as it would win.
 */
static int efi_cmdline_names_initrd(const char *cmdline)
{
	const char *p = cmdline;

	while (p && (p = strstr(p, "initrd=")) != NULL) {
		if (p == cmdline || p[-1] == ' ')
			return 1;
		p++;
	}
	return 0;
}

/** Give every NIC back to the firmware, so the image can use it */
static void efi_image_release_nics(void)
{
	struct net_device *netdev;

	list_for_each_entry(netdev, &net_devices, list)
		netdev_close(netdev);
}

/** Load the image from memory; the caller starts it */
static int efi_image_load(struct image *image, EFI_DEVICE_PATH *path,
			  CHAR16 *cmdline, UINT32 cmdline_size,
			  EFI_HANDLE *handle)
{
	EFI_LOADED_IMAGE *loaded;
	EFI_STATUS status;
	void *iface;

	status = efi_bs->LoadImage(FALSE, efi_image_handle, path, image->data,
				   image->len, handle);
	if (status != 0) {
		/* A refused signature still leaves the image loaded */
		if (status == EFI_SECURITY_VIOLATION)
			efi_bs->UnloadImage(*handle);
		return errctx(EFI_RC(status), "the firmware cannot load %s",
			      image->name);
	}
	status = efi_bs->HandleProtocol(*handle, &efi_loaded_image_guid,
					&iface);
	if (status != 0) {
		efi_bs->UnloadImage(*handle);
		return EFI_RC(status);
	}
	loaded = iface;
	loaded->LoadOptions = cmdline;
	loaded->LoadOptionsSize = cmdline_size;
	return 0;
}

static int efi_image_exec(struct image *image)
{
	struct net_device *netdev = last_opened_netdev();
	EFI_DEVICE_PATH *parent = netdev ? efi_netdev_path(netdev) : NULL;
	EFI_DEVICE_PATH *path;
	EFI_HANDLE fs_handle, handle;
	CHAR16 *cmdline, *exit_data = NULL;
	UINT32 cmdline_size = 0;
	UINTN exit_size = 0;
	EFI_STATUS status;
	int rc;

	cmdline = efi_image_cmdline(image, &cmdline_size);
	if (!cmdline)
		return -ENOMEM;
	efi_image_release_nics();
	if ((rc = efi_file_install(parent, image,
				   !efi_cmdline_names_initrd(image->cmdline),
				   &fs_handle)) != 0)
		goto err_install;
	path = efi_image_path(efi_file_device_path(), image->name ?
							       image->name :
							       "image.efi");
	if (!path) {
		rc = -ENOMEM;
		goto err_path;
	}
	if ((rc = efi_image_load(image, path, cmdline, cmdline_size,
				 &handle)) != 0)
		goto err_load;
	efi_console_flush();
	/* An application is unloaded by the firmware when it returns */
	status = efi_bs->StartImage(handle, &exit_size, &exit_data);
	if (exit_data)
		efi_bs->FreePool(exit_data);
	rc = (status == 0) ? 0 : errctx(EFI_RC(status), "%s returned an error",
					image->name);
err_load:
	free(path);
err_path:
	efi_file_uninstall();
err_install:
	free(cmdline);
	if (rc)
		printf("Could not boot %s: %s\n", image->name, strerror(rc));
	return rc;
}

struct image_type efi_image_type __image_type(PROBE_NORMAL) = {
	.name = "EFI",
	.probe = efi_image_probe,
	.exec = efi_image_exec,
};
