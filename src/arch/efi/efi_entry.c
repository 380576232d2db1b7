/* UEFI entry: relocation, efi_main, exit to the boot manager, shared helpers. */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <keel/main.h>
#include <keel/init.h>
#include <keel/reboot.h>
#include "efi_api.h"

EFI_HANDLE efi_image_handle;
EFI_SYSTEM_TABLE *efi_systab;
EFI_BOOT_SERVICES *efi_bs;
EFI_LOADED_IMAGE *efi_loaded_image;

EFI_GUID efi_loaded_image_guid = LOADED_IMAGE_PROTOCOL;
EFI_GUID efi_device_path_guid = DEVICE_PATH_PROTOCOL;
EFI_GUID efi_snp_guid = EFI_SIMPLE_NETWORK_PROTOCOL_GUID;
EFI_GUID efi_simple_fs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
EFI_GUID efi_block_io_guid = BLOCK_IO_PROTOCOL;
EFI_GUID efi_load_file_guid = LOAD_FILE_PROTOCOL;
EFI_GUID efi_load_file2_guid = {
	0x4006c0c1, 0xfcb3, 0x403e,
	{ 0x99, 0x6d, 0x4a, 0x6c, 0x87, 0x24, 0xe0, 0x6d } };
EFI_GUID efi_file_info_guid = EFI_FILE_INFO_ID;
EFI_GUID efi_fs_info_guid = EFI_FILE_SYSTEM_INFO_ID;
EFI_GUID efi_smbios_guid = SMBIOS_TABLE_GUID;
EFI_GUID efi_smbios3_guid = SMBIOS3_TABLE_GUID;

/* ------------------------------------------------------------------------
 * Relocation: gnu-efi's crt0 calls _relocate() before efi_main(). The image
 * is an ELF shared object linked at 0; only relative relocations exist
 * (efi.mk checks), so each is "add the load address".
 */

struct efi_elf_dyn {
	int64_t tag;
	uint64_t val;
};
struct efi_elf_rela {
	uint64_t offset;
	uint64_t info;
	int64_t addend;
};
#define EFI_DT_NULL 0
#define EFI_DT_RELA 7
#define EFI_DT_RELASZ 8
#define EFI_DT_RELAENT 9
#define EFI_R_X86_64_RELATIVE 8

EFI_STATUS _relocate(unsigned long base, const struct efi_elf_dyn *dyn,
		     EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

EFI_STATUS _relocate(unsigned long base, const struct efi_elf_dyn *dyn,
		     EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	unsigned long rela = 0, size = 0, ent = 0;
	const struct efi_elf_rela *r;

	(void)image;
	(void)systab;
	for (; dyn->tag != EFI_DT_NULL; dyn++) {
		if (dyn->tag == EFI_DT_RELA)
			rela = base + dyn->val;
		else if (dyn->tag == EFI_DT_RELASZ)
			size = dyn->val;
		else if (dyn->tag == EFI_DT_RELAENT)
			ent = dyn->val;
	}
	if (!rela || !ent)
		return EFI_SUCCESS;
	for (; size >= ent; size -= ent, rela += ent) {
		r = (const struct efi_elf_rela *)rela;
		if ((r->info & 0xffffffff) == EFI_R_X86_64_RELATIVE)
			*(uint64_t *)(base + r->offset) = base + r->addend;
	}
	return EFI_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Entry and exit
 */

EFI_STATUS efi_exit_status(int status)
{
	if (status == 0)
		return EFI_SUCCESS;
	return (status < 0) ? efi_status(status) : EFI_ABORTED;
}

/* An application runs Keel to the end; the option ROM's driver overrides this */
__weak EFI_STATUS efi_image_start(void)
{
	int status;

	/* The boot manager arms a five-minute watchdog; downloads may be slow */
	efi_bs->SetWatchdogTimer(0, 0, 0, NULL);
	status = keel_main();
	efi_memory_release();
	return efi_exit_status(status);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	void *loaded;

	efi_image_handle = image;
	efi_systab = systab;
	efi_bs = systab->BootServices;
	if (efi_bs->OpenProtocol(image, &efi_loaded_image_guid, &loaded, image,
				 NULL, EFI_OPEN_PROTOCOL_GET_PROTOCOL) != 0)
		return EFI_LOAD_ERROR;
	efi_loaded_image = loaded;
	return efi_image_start();
}

/* An application leaves through Exit(); the option ROM's driver overrides this */
__weak void platform_exit(int status)
{
	shutdown_exit();
	efi_memory_release();
	efi_bs->Exit(efi_image_handle, efi_exit_status(status), 0, NULL);
	/* Exit() does not return to a started image */
	for (;;)
		;
}

/* ------------------------------------------------------------------------
 * Status codes
 */

static const struct {
	EFI_STATUS status;
	unsigned char code;
} efi_status_map[] = {
	{ EFI_INVALID_PARAMETER, EC_INVAL },
	{ EFI_UNSUPPORTED, EC_NOTSUP },
	{ EFI_BAD_BUFFER_SIZE, EC_INVAL },
	{ EFI_BUFFER_TOO_SMALL, EC_NOBUFS },
	{ EFI_NOT_READY, EC_AGAIN },
	{ EFI_DEVICE_ERROR, EC_IO },
	{ EFI_WRITE_PROTECTED, EC_ACCES },
	{ EFI_OUT_OF_RESOURCES, EC_NOMEM },
	{ EFI_NOT_FOUND, EC_NOENT },
	{ EFI_ACCESS_DENIED, EC_ACCES },
	{ EFI_NO_RESPONSE, EC_TIMEDOUT },
	{ EFI_NO_MEDIA, EC_NODEV },
	{ EFI_MEDIA_CHANGED, EC_NODEV },
	{ EFI_TIMEOUT, EC_TIMEDOUT },
	{ EFI_ALREADY_STARTED, EC_ALREADY },
	{ EFI_ABORTED, EC_CANCELED },
	{ EFI_SECURITY_VIOLATION, EC_PERM },
	{ EFI_LOAD_ERROR, EC_NOEXEC },
};

unsigned int efi_status_code(EFI_STATUS status)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(efi_status_map); i++) {
		if (efi_status_map[i].status == status)
			return efi_status_map[i].code;
	}
	return EC_IO;
}

EFI_STATUS efi_status(int rc)
{
	unsigned int code = err_code(rc), i;

	if (rc >= 0)
		return EFI_SUCCESS;
	for (i = 0; i < ARRAY_SIZE(efi_status_map); i++) {
		if (efi_status_map[i].code == code)
			return efi_status_map[i].status;
	}
	return EFI_DEVICE_ERROR;
}

/* ------------------------------------------------------------------------
 * Device paths and strings
 */

EFI_DEVICE_PATH *efi_devpath_end(EFI_DEVICE_PATH *path)
{
	while (!IsDevicePathEnd(path)) {
		if ((size_t)DevicePathNodeLength(path) < sizeof(*path))
			break;
		path = NextDevicePathNode(path);
	}
	return path;
}

size_t efi_devpath_len(const EFI_DEVICE_PATH *path)
{
	EFI_DEVICE_PATH *end = efi_devpath_end((EFI_DEVICE_PATH *)path);

	return (size_t)((char *)end - (char *)path) + sizeof(*end);
}

const char *efi_handle_name(EFI_HANDLE handle)
{
	static char buf[96];
	void *path;
	EFI_DEVICE_PATH *node;
	size_t used = 0;

	buf[0] = '\0';
	if (efi_bs->HandleProtocol(handle, &efi_device_path_guid, &path) != 0) {
		snprintf(buf, sizeof(buf), "handle %p", handle);
		return buf;
	}
	for (node = path; !IsDevicePathEnd(node) && used < sizeof(buf);
	     node = NextDevicePathNode(node)) {
		if ((size_t)DevicePathNodeLength(node) < sizeof(*node))
			break;
		used += snprintf(buf + used, sizeof(buf) - used, "%s%d.%d",
				 used ? "/" : "", DevicePathType(node),
				 DevicePathSubType(node));
	}
	return buf;
}

CHAR16 *efi_wide_string(const char *text)
{
	size_t len = strlen(text), i;
	CHAR16 *wide = malloc((len + 1) * sizeof(*wide));

	if (!wide)
		return NULL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		wide[i] = (c < 0x80) ? c : '?';
	}
	wide[len] = 0;
	return wide;
}
