/* SMBIOS: the machine's identity (uuid, manufacturer, ...) as the "smbios" settings block. */
#ifndef KEEL_SMBIOS_H
#define KEEL_SMBIOS_H
#include <stddef.h>

/**
 * Publish a platform's SMBIOS structure table as the "smbios" settings
 * block (uuid, manufacturer, product, serial, asset, board-serial). The
 * table must stay in place for as long as Keel runs (firmware tables do).
 * Platforms find the table; this parses it, checking every length.
 *
 * @structs	first structure
 * @len		length of the structure table
 * @major	SMBIOS major version (the UUID's byte order depends on it)
 * @minor	SMBIOS minor version
 * @ret rc	0, or -EINVAL if the table holds no structure
 */
int smbios_register(const void *structs, size_t len, unsigned int major,
		    unsigned int minor);

#endif
