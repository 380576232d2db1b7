/* Host tool for the BIOS images: payload fixup tables, prefixes, ROM headers and checksums. */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kz.h"

/*
 *   mkbios payload IN.elf OUT.pay
 *	the payload's bytes from its link base to _edata, then its fixup
 *	table: the offsets of every 32-bit absolute address, as deltas
 *	(1..127: one byte; 0x80|hi, lo: 14 bits; 0xff + 4 bytes; 0 ends)
 *   mkbios kz IN.pay OUT.kz
 *	the payload compressed (util/kz.c), after a struct kz_header
 *   mkbios lkrn SETUP PM32 IN.kz OUT
 *	a Linux bzImage: setup sectors (SETUP, the real-mode prefix), then
 *	its protected-mode part: PM32 (the 32-bit entry and the decoder,
 *	its payload-length field after the marker "KPLN") and the payload
 *   mkbios pxe PREFIX IN.kz OUT
 *	a PXE NBP: the prefix, then the payload, whose length the prefix
 *	reads from the word after the marker "KPLN"
 *   mkbios rom PREFIX IN.kz VVVV:DDDD OUT
 *	a PCI option ROM: as pxe, then padded to 512-byte blocks, with
 *	its size, PCI IDs and the $PnP header's and image's checksums set
 *   mkbios romid VVVV:DDDD IN.rom OUT.rom
 *	any PCI option ROM with other PCI IDs, its checksum fixed
 *   mkbios romint19 IN.rom OUT.rom
 *	a Keel option ROM that hooks INT 19h on a PnP BIOS too, so that
 *	it boots before the BIOS's boot order (romprefix.S: rom_flags)
 */

/* The payload header, at its start (see src/arch/x86/core/x86_entry.S) */
#define PAY_MAGIC 4
#define PAY_FIXLEN 8
#define PAY_FILESZ 12
#define PAY_MEMSZ 16
#define PAY_CODELEN 20

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "mkbios: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		die("cannot read %s", path);
	buf = calloc(1, (size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("cannot read %s", path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void write_file(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		die("cannot write %s", path);
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

struct elf {
	uint8_t *data;
	size_t len;
	Elf32_Ehdr *eh;
	Elf32_Shdr *sh;
	Elf32_Sym *syms;
	size_t nsyms;
	const char *strtab;
};

static void elf_open(struct elf *e, const char *path)
{
	unsigned int i;

	e->data = read_file(path, &e->len);
	e->eh = (Elf32_Ehdr *)e->data;
	if (e->len < sizeof(*e->eh) || memcmp(e->eh->e_ident, ELFMAG, 4) ||
	    e->eh->e_ident[EI_CLASS] != ELFCLASS32 ||
	    e->eh->e_shoff + (size_t)e->eh->e_shnum * sizeof(Elf32_Shdr) >
		    e->len)
		die("%s is not a 32-bit ELF file", path);
	e->sh = (Elf32_Shdr *)(e->data + e->eh->e_shoff);
	for (i = 0; i < e->eh->e_shnum; i++) {
		if (e->sh[i].sh_type == SHT_SYMTAB) {
			e->syms = (Elf32_Sym *)(e->data + e->sh[i].sh_offset);
			e->nsyms = e->sh[i].sh_size / sizeof(Elf32_Sym);
			e->strtab = (const char *)e->data +
				    e->sh[e->sh[i].sh_link].sh_offset;
		}
	}
	if (!e->syms)
		die("%s has no symbol table", path);
}

static uint32_t elf_symbol(struct elf *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->nsyms; i++) {
		if (strcmp(e->strtab + e->syms[i].st_name, name) == 0)
			return e->syms[i].st_value;
	}
	die("no symbol %s", name);
	return 0;
}

/** Length of the image's 32-bit code: its .text, which starts it */
static uint32_t elf_code_len(struct elf *e, uint32_t base, const char *path)
{
	const Elf32_Shdr *names = &e->sh[e->eh->e_shstrndx];
	unsigned int i;

	for (i = 0; i < e->eh->e_shnum; i++) {
		if (strcmp((const char *)e->data + names->sh_offset +
				   e->sh[i].sh_name,
			   ".text") == 0 &&
		    e->sh[i].sh_addr == base)
			return e->sh[i].sh_size;
	}
	die("%s: no .text at the start of the image", path);
	return 0;
}

/** Append one delta to the table */
static size_t fix_encode(uint8_t *out, uint32_t delta)
{
	if (delta < 0x80) {
		out[0] = (uint8_t)delta;
		return 1;
	}
	if (delta < 0x4000) {
		out[0] = (uint8_t)(0x80 | (delta >> 8));
		out[1] = (uint8_t)delta;
		return 2;
	}
	out[0] = 0xff;
	put32(out + 1, delta);
	return 5;
}

/** Read one delta of the table at *@p (fix_encode()'s format), and step
 * past it */
static uint32_t fix_decode(const uint8_t **p)
{
	const uint8_t *q = *p;

	if (q[0] < 0x80) {
		*p += 1;
		return q[0];
	}
	if (q[0] < 0xc0) {
		*p += 2;
		return ((uint32_t)(q[0] & 0x3f) << 8) | q[1];
	}
	*p += 5;
	return get32(q + 1);
}

static int cmd_payload(const char *in, const char *out)
{
	struct elf e;
	uint32_t base, edata, end, *offs = NULL, filesz, prev = 0;
	size_t noffs = 0, cap = 0, i, j, fixlen = 0;
	uint8_t *img, *table;

	elf_open(&e, in);
	base = elf_symbol(&e, "_image_start");
	edata = elf_symbol(&e, "_edata");
	end = elf_symbol(&e, "_end");
	filesz = edata - base;
	img = calloc(1, filesz);
	if (!img)
		die("%s", strerror(errno));
	/* The file image: every allocated section with contents */
	for (i = 0; i < e.eh->e_shnum; i++) {
		Elf32_Shdr *s = &e.sh[i];

		if (!(s->sh_flags & SHF_ALLOC) || s->sh_type == SHT_NOBITS ||
		    !s->sh_size)
			continue;
		if (s->sh_addr < base || s->sh_addr + s->sh_size > edata)
			die("section outside the image in %s", in);
		memcpy(img + (s->sh_addr - base), e.data + s->sh_offset,
		       s->sh_size);
	}
	/* Absolute 32-bit relocations inside the image, against the image */
	for (i = 0; i < e.eh->e_shnum; i++) {
		Elf32_Shdr *s = &e.sh[i];
		Elf32_Rel *rel;

		if (s->sh_type == SHT_RELA)
			die("unexpected RELA section in %s", in);
		if (s->sh_type != SHT_REL ||
		    !(e.sh[s->sh_info].sh_flags & SHF_ALLOC))
			continue;
		rel = (Elf32_Rel *)(e.data + s->sh_offset);
		for (j = 0; j < s->sh_size / sizeof(*rel); j++) {
			unsigned int type = ELF32_R_TYPE(rel[j].r_info);
			Elf32_Sym *sym = &e.syms[ELF32_R_SYM(rel[j].r_info)];
			Elf32_Shdr *target;

			if (type == R_386_PC32 || type == R_386_PLT32 ||
			    type == R_386_NONE)
				continue;
			if (type != R_386_32) {
				fprintf(stderr, "mkbios: relocation type %u "
						"at %#x\n",
					type, rel[j].r_offset);
				exit(1);
			}
			if (sym->st_shndx == SHN_ABS ||
			    sym->st_shndx == SHN_UNDEF ||
			    sym->st_shndx >= e.eh->e_shnum)
				continue;
			target = &e.sh[sym->st_shndx];
			if (!(target->sh_flags & SHF_ALLOC))
				continue;
			if (rel[j].r_offset < base ||
			    rel[j].r_offset + 4 > edata)
				die("relocation outside the image in %s", in);
			if (noffs == cap) {
				cap = cap ? cap * 2 : 1024;
				offs = realloc(offs, cap * sizeof(*offs));
				if (!offs)
					die("%s", strerror(errno));
			}
			offs[noffs++] = rel[j].r_offset - base;
		}
	}
	if (noffs)
		qsort(offs, noffs, sizeof(*offs), cmp_u32);
	table = calloc(1, noffs * 5 + 1);
	for (i = 0; i < noffs; i++) {
		if (i && offs[i] == prev)
			continue;
		if (offs[i] == 0)
			die("relocation at offset 0 in %s", in);
		fixlen += fix_encode(table + fixlen, offs[i] - prev);
		prev = offs[i];
	}
	table[fixlen++] = 0;
	if (memcmp(img + PAY_MAGIC, "KEEL", 4) != 0)
		die("%s has no payload header", in);
	put32(img + PAY_FIXLEN, (uint32_t)fixlen);
	put32(img + PAY_FILESZ, filesz);
	put32(img + PAY_MEMSZ, end - base);
	put32(img + PAY_CODELEN, elf_code_len(&e, base, in));
	img = realloc(img, filesz + fixlen);
	memcpy(img + filesz, table, fixlen);
	write_file(out, img, filesz + fixlen);
	return 0;
}

/** A compressed payload, as `mkbios kz` writes it */
struct packed {
	uint8_t *data;
	size_t len;
	struct kz_header h;
};

static void packed_open(struct packed *p, const char *path)
{
	p->data = read_file(path, &p->len);
	if (p->len < sizeof(p->h))
		die("%s is not a compressed payload", path);
	memcpy(&p->h, p->data, sizeof(p->h));
	if (p->h.magic != KZ_MAGIC || p->h.in_len != p->len - sizeof(p->h))
		die("%s is not a compressed payload", path);
}

/** The payload's link address (PAYLOAD_BASE in the prefixes) */
#define LINK_BASE 0x100000

/** Append a LEB128 number to a growing buffer */
static void put_varint(uint8_t **buf, size_t *len, uint32_t v)
{
	*buf = realloc(*buf, *len + 5);
	if (!*buf)
		die("%s", strerror(errno));
	do {
		(*buf)[(*len)++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
}

/**
 * The exceptions that let kz_fixups() rebuild the payload's fixup table
 * (the format is in unkz.h): the table's offsets against the words of the
 * image that hold a value in the payload's address range.
 */
static uint8_t *fix_exceptions(const uint8_t *img, uint32_t filesz,
			       uint32_t mem_len, const uint8_t *table,
			       uint32_t fixlen, size_t *len, uint32_t *nex)
{
	uint32_t *offs = calloc(fixlen + 1, sizeof(*offs)), *fls, *mis;
	uint32_t n = 0, off = 0, i, k = 0, nf = 0, nm = 0, v;
	const uint8_t *p = table, *end = table + fixlen;
	uint8_t *ex = NULL;
	size_t elen = 0;

	fls = calloc(filesz + 1, sizeof(*fls));
	mis = calloc(fixlen + 1, sizeof(*mis));
	if (!offs || !fls || !mis)
		die("%s", strerror(errno));
	while (p < end && *p) {
		off += fix_decode(&p);
		offs[n++] = off;
	}
	for (i = 0; i + 4 <= filesz;) {
		v = get32(img + i);
		int in_range = v >= LINK_BASE && v - LINK_BASE <= mem_len;

		if (k < n && offs[k] == i) {
			if (!in_range)
				mis[nm++] = i;
			k++;
			i += 4;
			continue;
		}
		if (k < n && offs[k] < i)
			die("%s", "overlapping fixups");
		if (in_range)
			fls[nf++] = i;
		i++;
	}
	if (k != n)
		die("%s", "fixups outside the image");
	put_varint(&ex, &elen, nf);
	for (i = 0; i < nf; i++)
		put_varint(&ex, &elen, fls[i] - (i ? fls[i - 1] : 0));
	put_varint(&ex, &elen, nm);
	for (i = 0; i < nm; i++)
		put_varint(&ex, &elen, mis[i] - (i ? mis[i - 1] : 0));
	*nex = nf + nm;
	free(offs);
	free(fls);
	free(mis);
	*len = elen;
	return ex;
}

/** Add @delta to every address that the fixup table at @table names */
static void relocate(uint8_t *img, const uint8_t *table, uint32_t fixlen,
		     uint32_t delta)
{
	const uint8_t *p = table, *end = table + fixlen;
	uint32_t off = 0;

	while (p < end && *p) {
		off += fix_decode(&p);
		put32(img + off, get32(img + off) + delta);
	}
}

static int cmd_kz(const char *in, const char *out)
{
	uint8_t *data, *z, *img, *ex, *plain, *check;
	size_t len, zlen, elen, plen;
	uint32_t fixlen, filesz, memsz, mem_len, nex, code_len;
	struct kz_header h;

	data = read_file(in, &len);
	if (len < 24 || memcmp(data + PAY_MAGIC, "KEEL", 4) != 0)
		die("%s is not a Keel payload", in);
	fixlen = get32(data + PAY_FIXLEN);
	filesz = get32(data + PAY_FILESZ);
	memsz = get32(data + PAY_MEMSZ);
	code_len = get32(data + PAY_CODELEN);
	if ((size_t)filesz + fixlen != len || memsz < filesz ||
	    code_len > filesz)
		die("%s: inconsistent payload header", in);
	mem_len = memsz + fixlen;
	/* What is compressed: the opcode map, the file image with its code
	 * split into streams, then the exceptions */
	ex = fix_exceptions(data, filesz, mem_len, data + filesz, fixlen,
			    &elen, &nex);
	plen = KZ_MAP_SIZE + filesz + elen;
	plain = malloc(plen);
	if (!plain)
		die("%s", strerror(errno));
	memset(&h, 0, sizeof(h));
	if (kz_split(data, code_len, plain, h.split_len) != 0)
		die("%s", "out of memory");
	memcpy(plain + KZ_MAP_SIZE + code_len, data + code_len,
	       filesz - code_len);
	memcpy(plain + KZ_MAP_SIZE + filesz, ex, elen);
	z = kz_compress(plain, plen, code_len, h.split_len, &zlen);
	if (!z)
		die("%s", "out of memory");
	h.magic = KZ_MAGIC;
	h.in_len = (uint32_t)zlen;
	h.out_len = (uint32_t)plen;
	h.fix_off = filesz;
	h.mem_len = mem_len;
	h.run_len = ((h.mem_len + 15) & ~15U) + ((h.out_len + 15) & ~15U) +
		    KZ_WORK_SIZE + KZ_STACK_SIZE;
	h.code_len = code_len;
	img = malloc(sizeof(h) + zlen);
	memcpy(img, &h, sizeof(h));
	memcpy(img + sizeof(h), z, zlen);
	/* What the prefixes' decoder rebuilds must be the payload again */
	check = calloc(1, h.run_len);
	if (!check ||
	    kz_unpack((struct kz_header *)img, (uint32_t)(sizeof(h) + zlen),
		      check, LINK_BASE) != 0)
		die("%s: compression does not round-trip", in);
	/* (it relocated the payload for running where it was unpacked) */
	relocate(check, data + filesz, fixlen,
		 LINK_BASE - (uint32_t)(uintptr_t)check);
	if (memcmp(check, data, len) != 0)
		die("%s: compression does not round-trip", in);
	write_file(out, img, sizeof(h) + zlen);
	printf("  %s: %u bytes (%u of code) + %u of fixups (%u exceptions) "
	       "-> %zu\n", in, filesz, code_len, fixlen, nex, zlen);
	return 0;
}

/** Prefix followed by the compressed payload, the prefix padded to @align */
static uint8_t *join(const uint8_t *prefix, size_t plen, size_t align,
		     const struct packed *pay, size_t extra, size_t *len)
{
	size_t padded = (plen + align - 1) / align * align;
	uint8_t *out = calloc(1, padded + pay->len + extra);

	if (!out)
		die("%s", strerror(errno));
	memcpy(out, prefix, plen);
	memcpy(out + padded, pay->data, pay->len);
	*len = padded + pay->len;
	return out;
}

/** The prefix's payload-length field, after the marker "KPLN" */
static uint8_t *find_len_field(uint8_t *prefix, size_t plen)
{
	size_t i;

	for (i = 0; i + 8 <= plen; i++) {
		if (memcmp(prefix + i, "KPLN", 4) == 0)
			return prefix + i + 4;
	}
	die("%s", "prefix has no KPLN field");
	return NULL;
}

static int cmd_lkrn(const char *setup_path, const char *pm_path,
		    const char *pay_path, const char *out_path)
{
	struct packed pay;
	size_t slen, pmlen, pmpad, len, setup, sys;
	uint8_t *setup_code = read_file(setup_path, &slen);
	uint8_t *pm = read_file(pm_path, &pmlen), *prefix, *out;

	packed_open(&pay, pay_path);
	if (slen < 0x270 || memcmp(setup_code + 0x202, "HdrS", 4) != 0)
		die("%s is not a bzImage prefix", setup_path);
	setup = (slen + 511) / 512;
	if (setup < 2 || setup > 64)
		die("%s: bad setup size", setup_path);
	/* The protected-mode part: its code, then the payload at 16 bytes */
	pmpad = (pmlen + 15) & ~(size_t)15;
	prefix = calloc(1, setup * 512 + pmpad);
	if (!prefix)
		die("%s", strerror(errno));
	memcpy(prefix, setup_code, slen);
	memcpy(prefix + setup * 512, pm, pmlen);
	out = join(prefix, setup * 512 + pmpad, 16, &pay, 0, &len);
	put32(find_len_field(out + setup * 512, pmlen), (uint32_t)pay.len);
	sys = pmpad + pay.len;
	out[0x1f1] = (uint8_t)(setup - 1);
	put32(out + 0x1f4, (uint32_t)((sys + 15) / 16));
	/* What the loader must leave free from the load address: the
	 * protected-mode part, then (page-aligned) where it is unpacked */
	put32(out + 0x260, (uint32_t)(((sys + 4095) & ~4095UL) +
				      ((pay.h.run_len + 4095) & ~4095U)));
	write_file(out_path, out, len);
	free(prefix);
	return 0;
}

static int cmd_pxe(const char *prefix_path, const char *pay_path,
		   const char *out_path)
{
	struct packed pay;
	size_t plen, len;
	uint8_t *prefix = read_file(prefix_path, &plen), *out;

	packed_open(&pay, pay_path);
	out = join(prefix, plen, 16, &pay, 0, &len);
	put32(find_len_field(out, plen), (uint32_t)pay.len);
	/* The NBP itself must fit below the EBDA from 0x7c00 */
	if (len > 0x90000 - 0x7c00)
		die("%s is too large for base memory", out_path);
	write_file(out_path, out, len);
	return 0;
}

/* PCI option ROM layout (PCI Firmware spec; PnP BIOS spec's $PnP header) */
#define ROM_SIZE_BYTE 2
#define ROM_PCIR_PTR 0x18
#define ROM_PNP_PTR 0x1a
/* Keel's ROM header (src/arch/x86/prefix/romprefix.S): "KEEL", then flags */
#define ROM_KEEL_SIG 7
#define ROM_KEEL_FLAGS 11
#define ROM_FLAG_HOOK_INT19 0x01
#define PCIR_VENDOR 4
#define PCIR_DEVICE 6
#define PCIR_IMAGE_LEN 16
#define PCIR_RUNTIME_LEN 0x16
#define PNP_LEN_UNITS 5
#define PNP_CHECKSUM 9

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/** Parse "VVVV:DDDD" or "VVVVDDDD" */
static void parse_ids(const char *s, uint16_t *vendor, uint16_t *device)
{
	char buf[16];
	char *end;
	unsigned long v;

	if (strlen(s) == 9 && s[4] == ':') {
		memcpy(buf, s, 4);
		memcpy(buf + 4, s + 5, 5);
	} else if (strlen(s) == 8) {
		memcpy(buf, s, 9);
	} else {
		die("bad PCI IDs %s (want VVVV:DDDD)", s);
	}
	v = strtoul(buf, &end, 16);
	if (*end)
		die("bad PCI IDs %s (want VVVV:DDDD)", s);
	*vendor = (uint16_t)(v >> 16);
	*device = (uint16_t)v;
}

/** Set the byte sum of a whole ROM image to 0 through its last byte */
static void rom_checksum(uint8_t *rom, size_t len)
{
	uint8_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i++)
		sum += rom[i];
	rom[len - 1] = (uint8_t)-sum;
}

/** Check a ROM image's headers; returns its PCIR structure */
static uint8_t *rom_pcir(uint8_t *rom, size_t len, const char *path)
{
	size_t pcir;

	if (len < 0x1c || rom[0] != 0x55 || rom[1] != 0xaa)
		die("%s is not an option ROM", path);
	pcir = get16(rom + ROM_PCIR_PTR);
	if (pcir + 0x18 > len || memcmp(rom + pcir, "PCIR", 4) != 0)
		die("%s has no PCI data structure", path);
	return rom + pcir;
}

static int cmd_rom(const char *prefix_path, const char *pay_path,
		   const char *ids, const char *out_path)
{
	struct packed pay;
	size_t plen, len, padded, pnp, i;
	uint8_t *prefix = read_file(prefix_path, &plen), *out, *pcir, sum;
	uint16_t vendor, device;

	parse_ids(ids, &vendor, &device);
	packed_open(&pay, pay_path);
	out = join(prefix, plen, 16, &pay, 1024, &len);
	put32(find_len_field(out, plen), (uint32_t)pay.len);
	/* Whole 512-byte blocks, with at least one byte for the checksum */
	padded = (len + 1 + 511) / 512 * 512;
	if (padded / 512 > 255)
		die("%s is too large for an option ROM", out_path);
	out[ROM_SIZE_BYTE] = (uint8_t)(padded / 512);
	pcir = rom_pcir(out, padded, prefix_path);
	put16(pcir + PCIR_VENDOR, vendor);
	put16(pcir + PCIR_DEVICE, device);
	put16(pcir + PCIR_IMAGE_LEN, (uint16_t)(padded / 512));
	put16(pcir + PCIR_RUNTIME_LEN, (uint16_t)(padded / 512));
	pnp = get16(out + ROM_PNP_PTR);
	if (pnp + 32 > plen || memcmp(out + pnp, "$PnP", 4) != 0)
		die("%s has no PnP expansion header", prefix_path);
	out[pnp + PNP_CHECKSUM] = 0;
	for (sum = 0, i = 0; i < out[pnp + PNP_LEN_UNITS] * 16U; i++)
		sum += out[pnp + i];
	out[pnp + PNP_CHECKSUM] = (uint8_t)-sum;
	rom_checksum(out, padded);
	write_file(out_path, out, padded);
	/* (how close it is to 64 KiB: README.md, tests/kz/sizes.sh) */
	printf("  %s: %zu bytes with its checksum byte, in %zu blocks; "
	       "%zu bytes %s 64 KiB\n",
	       out_path, len + 1, padded / 512,
	       len + 1 <= 65536 ? 65536 - (len + 1) : len + 1 - 65536,
	       len + 1 <= 65536 ? "under" : "over");
	return 0;
}

static int cmd_romid(const char *ids, const char *in_path,
		     const char *out_path)
{
	size_t len, size;
	uint8_t *rom = read_file(in_path, &len), *pcir;
	uint16_t vendor, device;

	parse_ids(ids, &vendor, &device);
	pcir = rom_pcir(rom, len, in_path);
	size = rom[ROM_SIZE_BYTE] * 512U;
	if (!size || size > len)
		die("%s: bad image size", in_path);
	put16(pcir + PCIR_VENDOR, vendor);
	put16(pcir + PCIR_DEVICE, device);
	rom_checksum(rom, size);
	write_file(out_path, rom, len);
	return 0;
}

static int cmd_romint19(const char *in_path, const char *out_path)
{
	size_t len, size;
	uint8_t *rom = read_file(in_path, &len);

	rom_pcir(rom, len, in_path);
	size = rom[ROM_SIZE_BYTE] * 512U;
	if (!size || size > len)
		die("%s: bad image size", in_path);
	if (memcmp(rom + ROM_KEEL_SIG, "KEEL", 4) != 0)
		die("%s: not a Keel option ROM", in_path);
	rom[ROM_KEEL_FLAGS] |= ROM_FLAG_HOOK_INT19;
	rom_checksum(rom, size);
	write_file(out_path, rom, len);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "payload") == 0)
		return cmd_payload(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "kz") == 0)
		return cmd_kz(argv[2], argv[3]);
	if (argc == 6 && strcmp(argv[1], "rom") == 0)
		return cmd_rom(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 5 && strcmp(argv[1], "romid") == 0)
		return cmd_romid(argv[2], argv[3], argv[4]);
	if (argc == 4 && strcmp(argv[1], "romint19") == 0)
		return cmd_romint19(argv[2], argv[3]);
	if (argc == 6 && strcmp(argv[1], "lkrn") == 0)
		return cmd_lkrn(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 5 && strcmp(argv[1], "pxe") == 0)
		return cmd_pxe(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: mkbios payload IN.elf OUT.pay\n"
			"       mkbios kz IN.pay OUT.kz\n"
			"       mkbios lkrn SETUP PM32 IN.kz OUT\n"
			"       mkbios pxe PREFIX IN.kz OUT\n"
			"       mkbios rom PREFIX IN.kz VVVV:DDDD OUT\n"
			"       mkbios romid VVVV:DDDD IN.rom OUT.rom\n"
			"       mkbios romint19 IN.rom OUT.rom\n");
	return 2;
}
