/* The UEFI platform's shared state and helpers, for src/arch/efi only. */
#ifndef EFI_API_H
#define EFI_API_H
#include <stddef.h>
#include <stdint.h>
#include <efi.h>
#include <keel/errors.h>

/*
 * Every EFI call goes straight through the tables: the objects are built
 * with GNU_EFI_USE_MS_ABI, so EFIAPI function pointers carry the Microsoft
 * calling convention and no wrapper is needed.
 */

/** Our image handle */
extern EFI_HANDLE efi_image_handle;
/** The system table */
extern EFI_SYSTEM_TABLE *efi_systab;
/** Boot services */
extern EFI_BOOT_SERVICES *efi_bs;
/** Our loaded image protocol */
extern EFI_LOADED_IMAGE *efi_loaded_image;

/** GUIDs used across the platform */
extern EFI_GUID efi_loaded_image_guid;
extern EFI_GUID efi_device_path_guid;
extern EFI_GUID efi_snp_guid;
extern EFI_GUID efi_simple_fs_guid;
extern EFI_GUID efi_block_io_guid;
extern EFI_GUID efi_load_file_guid;
extern EFI_GUID efi_load_file2_guid;
extern EFI_GUID efi_file_info_guid;
extern EFI_GUID efi_fs_info_guid;
extern EFI_GUID efi_smbios_guid;
extern EFI_GUID efi_smbios3_guid;

/** The Keel error code (EC_*) closest to an EFI status */
unsigned int efi_status_code(EFI_STATUS status);
/** A negative rc for a failed EFI status, raised at the calling site */
#define EFI_RC(status) (-ERR_SITE(efi_status_code(status)))
/** The EFI status closest to a Keel rc */
EFI_STATUS efi_status(int rc);

/**
 * The EFI status for a Keel exit status: 0 is success; anything else (an
 * "exit N" code, or 1 for a failure) is an error, so that the boot manager
 * goes on to its next boot option instead of stopping at its menu.
 */
EFI_STATUS efi_exit_status(int status);

/**
 * What the image does once efi_main() has set up the platform state. The
 * default (an application) runs Keel and returns its exit status; the
 * option ROM's driver (efi_driver.c) installs its driver binding and
 * returns at once.
 */
EFI_STATUS efi_image_start(void);

/** Most bytes the heap takes (set before initialise()) */
extern UINT64 efi_heap_limit;

/** Write out buffered console output (before another image prints) */
void efi_console_flush(void);

/** Give the heap back to the firmware (at exit; nothing may be used after) */
void efi_memory_release(void);

/** Length of a device path in bytes, end node included */
size_t efi_devpath_len(const EFI_DEVICE_PATH *path);
/** The end node of a device path */
EFI_DEVICE_PATH *efi_devpath_end(EFI_DEVICE_PATH *path);
/** Text of a handle's device path, for messages (a static buffer) */
const char *efi_handle_name(EFI_HANDLE handle);

/**
 * Convert UTF-8/ASCII text to a NUL-terminated UCS-2 string.
 *
 * @ret wide	string allocated with malloc(), or NULL
 */
CHAR16 *efi_wide_string(const char *text);

#endif
