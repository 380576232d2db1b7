/* mkefirom: wrap an EFI driver (PE/COFF) in a PCI expansion ROM image, or set the PCI IDs of one. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Layout written (PCI Firmware 3.0 and UEFI 2.x "PCI option ROMs"):
 *
 *   0x00  ROM header: 0xAA55, initialization size (512-byte units),
 *         EFI signature 0x0EF1, subsystem, machine, compression type,
 *         offset of the PE image (0x16), offset of the PCIR structure (0x18)
 *   0x1c  PCIR data structure: vendor, device, class 02 00 00, code type 3
 *         (EFI), image length, last-image indicator
 *   0x40  the PE image, unchanged
 *   ...   padding to a multiple of 512 bytes; the last byte makes the sum of
 *         all bytes zero (EFI firmware does not require it; tools expect it)
 */

#define ROM_SIGNATURE 0xaa55
#define ROM_EFI_SIGNATURE 0x0ef1
#define ROM_PCIR_OFFSET 0x1c
#define ROM_IMAGE_OFFSET 0x40
#define ROM_UNIT 512
#define ROM_MAX_UNITS 0xffff
#define PCIR_LEN 0x1c
#define PCIR_REVISION 3
#define PCIR_CODE_EFI 3
#define PCIR_LAST_IMAGE 0x80
#define PE_MACHINE_X86_64 0x8664
#define PE_MACHINE_I386 0x014c
#define PE_MACHINE_AARCH64 0xaa64
#define PE_SUBSYSTEM_BS_DRIVER 11
#define PE_SUBSYSTEM_RT_DRIVER 12

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

static unsigned int get16(const uint8_t *p)
{
	return p[0] | (p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | ((uint32_t)get16(p + 2) << 16);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mkefirom --vendor ID --device ID [--class HEX] DRIVER.efi OUT.efirom\n"
		"       mkefirom --vendor ID --device ID --set IMAGE.efirom\n"
		"Wraps an EFI boot-service driver in a PCI expansion ROM image\n"
		"(EFI code type), or sets the PCI IDs of an existing image.\n");
	exit(2);
}

static int read_file(const char *name, uint8_t **data, size_t *len)
{
	FILE *f = fopen(name, "rb");
	long size;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "mkefirom: %s: %s\n", name, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	*len = (size_t)size;
	*data = malloc(*len + 1);
	if (!*data || fread(*data, 1, *len, f) != *len) {
		fprintf(stderr, "mkefirom: cannot read %s\n", name);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static int write_file(const char *name, const uint8_t *data, size_t len)
{
	FILE *f = fopen(name, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "mkefirom: cannot write %s\n", name);
		return -1;
	}
	return 0;
}

/**
 * Check a PE image and read its machine and subsystem.
 *
 * @ret rc	0, or -1 with a message
 */
static int pe_inspect(const uint8_t *pe, size_t len, unsigned int *machine,
		      unsigned int *subsystem)
{
	uint32_t nt;

	if (len < 0x40 || pe[0] != 'M' || pe[1] != 'Z') {
		fprintf(stderr, "mkefirom: not a PE image (no MZ header)\n");
		return -1;
	}
	nt = get32(pe + 0x3c);
	/* Signature, file header (20 bytes), optional header up to Subsystem */
	if (nt > len || len - nt < 4 + 20 + 0x46 ||
	    memcmp(pe + nt, "PE\0\0", 4) != 0) {
		fprintf(stderr, "mkefirom: not a PE image (no PE header)\n");
		return -1;
	}
	*machine = get16(pe + nt + 4);
	*subsystem = get16(pe + nt + 4 + 20 + 0x44);
	if (*subsystem != PE_SUBSYSTEM_BS_DRIVER &&
	    *subsystem != PE_SUBSYSTEM_RT_DRIVER) {
		fprintf(stderr,
			"mkefirom: subsystem %u is not an EFI driver (11 or 12)\n",
			*subsystem);
		return -1;
	}
	return 0;
}

/** Make the sum of every byte of the image zero, through its last byte */
static void fix_checksum(uint8_t *rom, size_t len)
{
	uint8_t sum = 0;
	size_t i;

	rom[len - 1] = 0;
	for (i = 0; i < len; i++)
		sum = (uint8_t)(sum + rom[i]);
	rom[len - 1] = (uint8_t)-sum;
}

static void set_ids(uint8_t *rom, unsigned int vendor, unsigned int device)
{
	uint8_t *pcir = rom + get16(rom + 0x18);

	put16(pcir + 4, vendor);
	put16(pcir + 6, device);
}

static int build(const char *in, const char *out, unsigned int vendor,
		 unsigned int device, uint32_t class)
{
	uint8_t *pe, *rom, *pcir;
	size_t pe_len, len, units;
	unsigned int machine, subsystem;

	if (read_file(in, &pe, &pe_len) != 0 ||
	    pe_inspect(pe, pe_len, &machine, &subsystem) != 0)
		return 1;
	/* One spare byte at least, for the checksum */
	units = (ROM_IMAGE_OFFSET + pe_len + 1 + ROM_UNIT - 1) / ROM_UNIT;
	if (units > ROM_MAX_UNITS) {
		fprintf(stderr, "mkefirom: %s is too large for a ROM image\n",
			in);
		return 1;
	}
	len = units * ROM_UNIT;
	rom = calloc(1, len);
	if (!rom)
		return 1;
	put16(rom + 0x00, ROM_SIGNATURE);
	put16(rom + 0x02, (unsigned int)units);
	put32(rom + 0x04, ROM_EFI_SIGNATURE);
	put16(rom + 0x08, subsystem);
	put16(rom + 0x0a, machine);
	put16(rom + 0x0c, 0); /* not compressed */
	put16(rom + 0x16, ROM_IMAGE_OFFSET);
	put16(rom + 0x18, ROM_PCIR_OFFSET);
	pcir = rom + ROM_PCIR_OFFSET;
	memcpy(pcir, "PCIR", 4);
	put16(pcir + 0x08, 0); /* no device list */
	put16(pcir + 0x0a, PCIR_LEN);
	pcir[0x0c] = PCIR_REVISION;
	pcir[0x0d] = (uint8_t)class;	     /* programming interface */
	pcir[0x0e] = (uint8_t)(class >> 8);  /* sub-class */
	pcir[0x0f] = (uint8_t)(class >> 16); /* base class */
	put16(pcir + 0x10, (unsigned int)units);
	put16(pcir + 0x12, 0); /* code revision */
	pcir[0x14] = PCIR_CODE_EFI;
	pcir[0x15] = PCIR_LAST_IMAGE;
	set_ids(rom, vendor, device);
	memcpy(rom + ROM_IMAGE_OFFSET, pe, pe_len);
	fix_checksum(rom, len);
	return write_file(out, rom, len) ? 1 : 0;
}

/** Set the IDs in an image this tool (or another) made */
static int set(const char *name, unsigned int vendor, unsigned int device)
{
	uint8_t *rom;
	size_t len, pcir, img_len;

	if (read_file(name, &rom, &len) != 0)
		return 1;
	if (len < ROM_UNIT || get16(rom) != ROM_SIGNATURE ||
	    get32(rom + 4) != ROM_EFI_SIGNATURE) {
		fprintf(stderr, "mkefirom: %s is not an EFI ROM image\n", name);
		return 1;
	}
	pcir = get16(rom + 0x18);
	img_len = (size_t)get16(rom + 2) * ROM_UNIT;
	if (pcir + PCIR_LEN > len || memcmp(rom + pcir, "PCIR", 4) != 0 ||
	    img_len == 0 || img_len > len) {
		fprintf(stderr, "mkefirom: %s has no valid PCIR structure\n",
			name);
		return 1;
	}
	set_ids(rom, vendor, device);
	fix_checksum(rom, img_len);
	return write_file(name, rom, len) ? 1 : 0;
}

static unsigned long parse_hex(const char *text, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 16);
	if (errno || !*text || *end || v > max) {
		fprintf(stderr, "mkefirom: bad number '%s'\n", text);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	long vendor = -1, device = -1;
	uint32_t class = 0x020000; /* network controller, Ethernet */
	const char *files[2];
	int nfiles = 0, set_mode = 0, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--vendor") && i + 1 < argc)
			vendor = (long)parse_hex(argv[++i], 0xffff);
		else if (!strcmp(argv[i], "--device") && i + 1 < argc)
			device = (long)parse_hex(argv[++i], 0xffff);
		else if (!strcmp(argv[i], "--class") && i + 1 < argc)
			class = (uint32_t)parse_hex(argv[++i], 0xffffff);
		else if (!strcmp(argv[i], "--set"))
			set_mode = 1;
		else if (argv[i][0] == '-' || nfiles == 2)
			usage();
		else
			files[nfiles++] = argv[i];
	}
	if (vendor < 0 || device < 0 || nfiles != (set_mode ? 1 : 2))
		usage();
	if (set_mode)
		return set(files[0], (unsigned int)vendor,
			   (unsigned int)device);
	return build(files[0], files[1], (unsigned int)vendor,
		     (unsigned int)device, class);
}
