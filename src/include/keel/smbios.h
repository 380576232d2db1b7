/* SMBIOS: the machine's identity (uuid, manufacturer, ...) as the "smbios" settings block. */
#ifndef KEEL_SMBIOS_H
#define KEEL_SMBIOS_H

/**
 * Publish the structure table that an SMBIOS entry point describes as the
 * "smbios" settings block (uuid, manufacturer, product, serial, asset,
 * board-serial). Platforms find the entry point (BIOS: a scan of the
 * F segment; UEFI: the configuration table); this checks it (anchor,
 * length, checksum) and parses the table, checking every length. The
 * table must stay in place for as long as Keel runs (firmware tables do).
 *
 * @entry	a 3.x "_SM3_" or 2.x "_SM_" entry point, readable for the
 *		length it states
 * @ret rc	0; -ENOENT if @entry is no valid entry point; -ERANGE if the
 *		table lies beyond what Keel can address; -EINVAL if it holds
 *		no structure
 */
int smbios_register_entry(const void *entry);

#endif
