/* Images as firmware files: a read-only Simple File System and the LoadFile2 initrd. */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/image.h>
#include <keel/list.h>
#include "efi_file.h"

/** Initrds are laid end to end on this boundary (cpio archives need 4) */
#define EFI_INITRD_ALIGN 4

/** The image being started, which is not an initrd */
static struct image *efi_file_kernel;

/** True if an image belongs in the initrd */
static int efi_is_initrd(struct image *image)
{
	if (image == efi_file_kernel)
		return 0;
	/* Scripts (the one that booted us, above all) are no initrd */
	if (image->type && strcmp(image->type->name, "script") == 0)
		return 0;
	return 1;
}

/** Copy the concatenated initrds into @buf (if not NULL); returns the length */
static size_t efi_initrd_build(void *buf)
{
	struct image *image;
	size_t off = 0, pad;

	list_for_each_entry(image, &images, list) {
		if (!efi_is_initrd(image))
			continue;
		pad = (EFI_INITRD_ALIGN - (off % EFI_INITRD_ALIGN)) %
		      EFI_INITRD_ALIGN;
		if (buf) {
			memset((char *)buf + off, 0, pad);
			memcpy((char *)buf + off + pad, image->data,
			       image->len);
		}
		off += pad + image->len;
	}
	return off;
}

/* ------------------------------------------------------------------------
 * LoadFile2 on the Linux initrd media device path
 */

static EFI_STATUS EFIAPI efi_initrd_load(EFI_LOAD_FILE_PROTOCOL *this,
					 EFI_DEVICE_PATH *path,
					 BOOLEAN boot_policy, UINTN *size,
					 void *buf)
{
	size_t len = efi_initrd_build(NULL);

	(void)this;
	(void)path;
	/* LoadFile2 never serves a boot policy request */
	if (boot_policy)
		return EFI_UNSUPPORTED;
	if (!size)
		return EFI_INVALID_PARAMETER;
	if (!len)
		return EFI_NOT_FOUND;
	if (!buf || *size < len) {
		*size = len;
		return EFI_BUFFER_TOO_SMALL;
	}
	efi_initrd_build(buf);
	*size = len;
	return EFI_SUCCESS;
}

static EFI_LOAD_FILE_PROTOCOL efi_initrd_lf2 = {
	.LoadFile = efi_initrd_load,
};

static struct {
	VENDOR_DEVICE_PATH vendor;
	EFI_DEVICE_PATH end;
} __packed efi_initrd_path = {
	.vendor = {
		.Header = { MEDIA_DEVICE_PATH, MEDIA_VENDOR_DP,
			    { sizeof(VENDOR_DEVICE_PATH), 0 } },
		/* LINUX_EFI_INITRD_MEDIA_GUID */
		.Guid = { 0x5568e427, 0x68fc, 0x4f3d,
			  { 0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68 } },
	},
	.end = { END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE,
		 { sizeof(EFI_DEVICE_PATH), 0 } },
};

static EFI_HANDLE efi_initrd_handle;

/* ------------------------------------------------------------------------
 * Files: the root directory, and one file per image
 */

struct efi_file {
	EFI_FILE_PROTOCOL file;
	/** The image, or NULL for the root directory */
	struct image *image;
	/** Read position (bytes; for the root, the entry index) */
	UINT64 pos;
};

static EFI_FILE_PROTOCOL efi_file_ops;

static struct efi_file *efi_file_new(struct image *image)
{
	struct efi_file *f = zalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->file = efi_file_ops;
	f->image = image ? image_get(image) : NULL;
	return f;
}

/** ASCII-compare a UCS-2 name with an image name, ignoring case */
static int efi_name_eq(const CHAR16 *wide, size_t wide_len, const char *name)
{
	size_t i;

	if (strlen(name) != wide_len)
		return 0;
	for (i = 0; i < wide_len; i++) {
		CHAR16 a = wide[i];
		char b = name[i];

		if (a >= 'A' && a <= 'Z')
			a += 'a' - 'A';
		if (b >= 'A' && b <= 'Z')
			b += 'a' - 'A';
		if (a != (unsigned char)b)
			return 0;
	}
	return 1;
}

/** The image a path names: "\name", "name", or "\dir\name" by its last part */
static struct image *efi_file_lookup(const CHAR16 *path)
{
	const CHAR16 *base = path, *p;
	struct image *image;
	size_t len;

	for (p = path; *p; p++) {
		if (*p == '\\' || *p == '/')
			base = p + 1;
	}
	len = (size_t)(p - base);
	list_for_each_entry(image, &images, list) {
		if (image->name && efi_name_eq(base, len, image->name))
			return image;
	}
	return NULL;
}

/** True for the names that mean the root itself */
static int efi_is_root_name(const CHAR16 *name)
{
	while (*name == '\\' || *name == '/' || *name == '.')
		name++;
	return *name == 0;
}

static EFI_STATUS EFIAPI efi_file_open(EFI_FILE_PROTOCOL *this,
				       EFI_FILE_PROTOCOL **new, CHAR16 *name,
				       UINT64 mode, UINT64 attrs)
{
	struct image *image = NULL;
	struct efi_file *f;

	(void)this;
	(void)attrs;
	if (!new || !name)
		return EFI_INVALID_PARAMETER;
	if (mode != EFI_FILE_MODE_READ)
		return EFI_WRITE_PROTECTED;
	if (!efi_is_root_name(name)) {
		image = efi_file_lookup(name);
		if (!image)
			return EFI_NOT_FOUND;
	}
	f = efi_file_new(image);
	if (!f)
		return EFI_OUT_OF_RESOURCES;
	*new = &f->file;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI efi_file_close(EFI_FILE_PROTOCOL *this)
{
	struct efi_file *f = container_of(this, struct efi_file, file);

	if (f->image)
		image_put(f->image);
	free(f);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI efi_file_delete(EFI_FILE_PROTOCOL *this)
{
	efi_file_close(this);
	return EFI_WARN_DELETE_FAILURE;
}

/** Fill an EFI_FILE_INFO for an image (NULL: the root directory) */
static EFI_STATUS efi_file_info(struct image *image, UINTN *size, void *buf)
{
	const char *name = image ? image->name : "";
	size_t name_len = strlen(name), i;
	UINTN need = SIZE_OF_EFI_FILE_INFO + (name_len + 1) * sizeof(CHAR16);
	EFI_FILE_INFO *info = buf;

	if (!buf || *size < need) {
		*size = need;
		return EFI_BUFFER_TOO_SMALL;
	}
	memset(info, 0, need);
	info->Size = need;
	info->FileSize = info->PhysicalSize = image ? image->len : 0;
	info->Attribute = EFI_FILE_READ_ONLY |
			  (image ? 0 : EFI_FILE_DIRECTORY);
	for (i = 0; i < name_len; i++)
		info->FileName[i] = (unsigned char)name[i] < 0x80 ?
					    (CHAR16)name[i] :
					    '?';
	info->FileName[name_len] = 0;
	*size = need;
	return EFI_SUCCESS;
}

/** The root directory's next entry: one EFI_FILE_INFO per image */
static EFI_STATUS efi_dir_read(struct efi_file *f, UINTN *size, void *buf)
{
	struct image *image;
	UINT64 index = 0;
	EFI_STATUS status;

	list_for_each_entry(image, &images, list) {
		if (!image->name || index++ < f->pos)
			continue;
		status = efi_file_info(image, size, buf);
		if (status == EFI_SUCCESS)
			f->pos++;
		return status;
	}
	/* The end of the directory reads as zero bytes */
	*size = 0;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI efi_file_read(EFI_FILE_PROTOCOL *this, UINTN *size,
				       void *buf)
{
	struct efi_file *f = container_of(this, struct efi_file, file);
	size_t avail;

	if (!size)
		return EFI_INVALID_PARAMETER;
	if (!f->image)
		return efi_dir_read(f, size, buf);
	avail = (f->pos < f->image->len) ? f->image->len - f->pos : 0;
	if (*size > avail)
		*size = avail;
	if (*size && !buf)
		return EFI_INVALID_PARAMETER;
	memcpy(buf, f->image->data + f->pos, *size);
	f->pos += *size;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI efi_file_write(EFI_FILE_PROTOCOL *this, UINTN *size,
					void *buf)
{
	(void)this;
	(void)size;
	(void)buf;
	return EFI_WRITE_PROTECTED;
}

static EFI_STATUS EFIAPI efi_file_set_pos(EFI_FILE_PROTOCOL *this, UINT64 pos)
{
	struct efi_file *f = container_of(this, struct efi_file, file);

	if (!f->image) {
		/* A directory can only be rewound */
		if (pos)
			return EFI_UNSUPPORTED;
		f->pos = 0;
		return EFI_SUCCESS;
	}
	/* ~0 means the end of the file */
	f->pos = (pos == ~(UINT64)0) ? f->image->len : pos;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI efi_file_get_pos(EFI_FILE_PROTOCOL *this,
					  UINT64 *pos)
{
	struct efi_file *f = container_of(this, struct efi_file, file);

	if (!f->image)
		return EFI_UNSUPPORTED;
	*pos = f->pos;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI efi_file_get_info(EFI_FILE_PROTOCOL *this,
					   EFI_GUID *type, UINTN *size,
					   void *buf)
{
	struct efi_file *f = container_of(this, struct efi_file, file);
	static const char label[] = "keel";
	EFI_FILE_SYSTEM_INFO *fs = buf;
	UINTN need = sizeof(*fs) + sizeof(label) * sizeof(CHAR16);
	size_t i;

	if (!type || !size)
		return EFI_INVALID_PARAMETER;
	if (memcmp(type, &efi_file_info_guid, sizeof(*type)) == 0)
		return efi_file_info(f->image, size, buf);
	if (memcmp(type, &efi_fs_info_guid, sizeof(*type)) != 0)
		return EFI_UNSUPPORTED;
	if (!buf || *size < need) {
		*size = need;
		return EFI_BUFFER_TOO_SMALL;
	}
	memset(fs, 0, need);
	fs->Size = need;
	fs->ReadOnly = TRUE;
	fs->BlockSize = 1;
	for (i = 0; i < sizeof(label); i++)
		fs->VolumeLabel[i] = (CHAR16)label[i];
	*size = need;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI efi_file_set_info(EFI_FILE_PROTOCOL *this,
					   EFI_GUID *type, UINTN size,
					   void *buf)
{
	(void)this;
	(void)type;
	(void)size;
	(void)buf;
	return EFI_WRITE_PROTECTED;
}

static EFI_STATUS EFIAPI efi_file_flush(EFI_FILE_PROTOCOL *this)
{
	(void)this;
	return EFI_SUCCESS;
}

static EFI_FILE_PROTOCOL efi_file_ops = {
	.Revision = EFI_FILE_PROTOCOL_REVISION,
	.Open = efi_file_open,
	.Close = efi_file_close,
	.Delete = efi_file_delete,
	.Read = efi_file_read,
	.Write = efi_file_write,
	.GetPosition = efi_file_get_pos,
	.SetPosition = efi_file_set_pos,
	.GetInfo = efi_file_get_info,
	.SetInfo = efi_file_set_info,
	.Flush = efi_file_flush,
};

static EFI_STATUS EFIAPI efi_fs_open_volume(EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs,
					    EFI_FILE_PROTOCOL **root)
{
	struct efi_file *f;

	(void)fs;
	if (!root)
		return EFI_INVALID_PARAMETER;
	f = efi_file_new(NULL);
	if (!f)
		return EFI_OUT_OF_RESOURCES;
	*root = &f->file;
	return EFI_SUCCESS;
}

static EFI_SIMPLE_FILE_SYSTEM_PROTOCOL efi_fs = {
	.Revision = EFI_FILE_IO_INTERFACE_REVISION,
	.OpenVolume = efi_fs_open_volume,
};

/* ------------------------------------------------------------------------
 * Installation
 */

/** Keel's vendor GUID, naming the file system's device path node */
static const EFI_GUID efi_keel_vendor_guid = {
	0x9c3f6a51, 0x2e0d, 0x4b8e,
	{ 0xa4, 0x67, 0x4b, 0x65, 0x65, 0x6c, 0x46, 0x53 } };

static EFI_HANDLE efi_fs_handle;
static EFI_DEVICE_PATH *efi_fs_path;

/** The Keel vendor node: the GUID, then our image handle, so that a
 * chained Keel's file system gets a device path of its own */
struct efi_keel_node {
	VENDOR_DEVICE_PATH vendor;
	uint64_t instance;
} __packed;

/** @parent followed by the Keel vendor node (malloc'd) */
static EFI_DEVICE_PATH *efi_fs_make_path(EFI_DEVICE_PATH *parent)
{
	size_t plen = parent ? efi_devpath_len(parent) - sizeof(*parent) : 0;
	struct efi_keel_node *node;
	EFI_DEVICE_PATH *path, *end;

	path = malloc(plen + sizeof(*node) + sizeof(*end));
	if (!path)
		return NULL;
	if (plen)
		memcpy(path, parent, plen);
	node = (struct efi_keel_node *)((char *)path + plen);
	node->vendor.Header.Type = MEDIA_DEVICE_PATH;
	node->vendor.Header.SubType = MEDIA_VENDOR_DP;
	node->vendor.Header.Length[0] = sizeof(*node);
	node->vendor.Header.Length[1] = 0;
	memcpy(&node->vendor.Guid, &efi_keel_vendor_guid,
	       sizeof(node->vendor.Guid));
	node->instance = (uintptr_t)efi_image_handle;
	end = (EFI_DEVICE_PATH *)(node + 1);
	SetDevicePathEndNode(end);
	return path;
}

int efi_file_install(EFI_DEVICE_PATH *parent, struct image *kernel, int lf2,
		     EFI_HANDLE *fs_handle)
{
	EFI_STATUS status;
	int rc;

	efi_file_kernel = kernel;
	efi_fs_path = efi_fs_make_path(parent);
	if (!efi_fs_path) {
		rc = -ENOMEM;
		goto err_path;
	}
	efi_fs_handle = NULL;
	status = efi_bs->InstallMultipleProtocolInterfaces(
		&efi_fs_handle, &efi_device_path_guid, efi_fs_path,
		&efi_simple_fs_guid, &efi_fs, NULL);
	if (status != 0) {
		rc = errctx(EFI_RC(status), "cannot install the image files");
		goto err_fs;
	}
	/* Without initrds, the kernel must not find an empty one */
	efi_initrd_handle = NULL;
	if (lf2 && efi_initrd_build(NULL)) {
		status = efi_bs->InstallMultipleProtocolInterfaces(
			&efi_initrd_handle, &efi_device_path_guid,
			&efi_initrd_path, &efi_load_file2_guid,
			&efi_initrd_lf2, NULL);
		if (status != 0) {
			rc = errctx(EFI_RC(status),
				    "cannot offer the initrd (LoadFile2)");
			goto err_initrd;
		}
	}
	*fs_handle = efi_fs_handle;
	return 0;

err_initrd:
	efi_bs->UninstallMultipleProtocolInterfaces(
		efi_fs_handle, &efi_device_path_guid, efi_fs_path,
		&efi_simple_fs_guid, &efi_fs, NULL);
	efi_fs_handle = NULL;
err_fs:
	free(efi_fs_path);
	efi_fs_path = NULL;
err_path:
	efi_initrd_handle = NULL;
	efi_file_kernel = NULL;
	return rc;
}

void efi_file_uninstall(void)
{
	if (efi_initrd_handle)
		efi_bs->UninstallMultipleProtocolInterfaces(
			efi_initrd_handle, &efi_device_path_guid,
			&efi_initrd_path, &efi_load_file2_guid,
			&efi_initrd_lf2, NULL);
	efi_initrd_handle = NULL;
	if (efi_fs_handle)
		efi_bs->UninstallMultipleProtocolInterfaces(
			efi_fs_handle, &efi_device_path_guid, efi_fs_path,
			&efi_simple_fs_guid, &efi_fs, NULL);
	efi_fs_handle = NULL;
	free(efi_fs_path);
	efi_fs_path = NULL;
	efi_file_kernel = NULL;
}

EFI_DEVICE_PATH *efi_file_device_path(void)
{
	return efi_fs_path;
}
