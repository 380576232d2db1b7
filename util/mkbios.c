/* Host tool for the BIOS images: payload fixup tables, prefixes, ROM headers and checksums. */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 *   mkbios payload IN.elf OUT.pay
 *	the payload's bytes from its link base to _edata, then its fixup
 *	table: the offsets of every 32-bit absolute address, as deltas
 *	(1..127: one byte; 0x80|hi, lo: 14 bits; 0xff + 4 bytes; 0 ends)
 *   mkbios lkrn PREFIX PAYLOAD OUT
 *	a Linux bzImage: setup sectors (the prefix), then the payload
 *   mkbios pxe PREFIX PAYLOAD OUT
 *	a PXE NBP: the prefix, then the payload, whose length the prefix
 *	reads from the word after the marker "KPLN"
 */

/* The payload header, at its start (see src/arch/x86/core/x86_entry.S) */
#define PAY_MAGIC 4
#define PAY_FIXLEN 8
#define PAY_FILESZ 12
#define PAY_MEMSZ 16

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
	img = realloc(img, filesz + fixlen);
	memcpy(img + filesz, table, fixlen);
	write_file(out, img, filesz + fixlen);
	return 0;
}

/** A payload's header fields */
struct payload {
	uint8_t *data;
	size_t len;
	uint32_t fixlen, filesz, memsz;
};

static void payload_open(struct payload *p, const char *path)
{
	p->data = read_file(path, &p->len);
	if (p->len < 20 || memcmp(p->data + PAY_MAGIC, "KEEL", 4) != 0)
		die("%s is not a Keel payload", path);
	p->fixlen = get32(p->data + PAY_FIXLEN);
	p->filesz = get32(p->data + PAY_FILESZ);
	p->memsz = get32(p->data + PAY_MEMSZ);
	if ((size_t)p->filesz + p->fixlen != p->len)
		die("%s: inconsistent payload header", path);
}

/** Prefix followed by payload, the prefix padded to @align */
static uint8_t *join(const uint8_t *prefix, size_t plen, size_t align,
		     const struct payload *pay, size_t *len)
{
	size_t padded = (plen + align - 1) / align * align;
	uint8_t *out = calloc(1, padded + pay->len + 512);

	if (!out)
		die("%s", strerror(errno));
	memcpy(out, prefix, plen);
	memcpy(out + padded, pay->data, pay->len);
	*len = padded + pay->len;
	return out;
}

static int cmd_lkrn(const char *prefix_path, const char *pay_path,
		    const char *out_path)
{
	struct payload pay;
	size_t plen, len, setup;
	uint8_t *prefix = read_file(prefix_path, &plen), *out;

	payload_open(&pay, pay_path);
	if (plen < 0x270 || memcmp(prefix + 0x202, "HdrS", 4) != 0)
		die("%s is not a bzImage prefix", prefix_path);
	out = join(prefix, plen, 512, &pay, &len);
	setup = (plen + 511) / 512;
	if (setup < 2 || setup > 64)
		die("%s: bad setup size", prefix_path);
	out[0x1f1] = (uint8_t)(setup - 1);
	put32(out + 0x1f4, (uint32_t)((pay.len + 15) / 16));
	/* What the payload needs at 1 MiB: itself, bss, the moved fixups */
	put32(out + 0x260, (pay.memsz + pay.fixlen + 4095) & ~4095U);
	write_file(out_path, out, len);
	return 0;
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

static int cmd_pxe(const char *prefix_path, const char *pay_path,
		   const char *out_path)
{
	struct payload pay;
	size_t plen, len;
	uint8_t *prefix = read_file(prefix_path, &plen), *out;

	payload_open(&pay, pay_path);
	out = join(prefix, plen, 16, &pay, &len);
	put32(find_len_field(out, plen), (uint32_t)pay.len);
	/* 0x7c00 + image + bss + fixups must stay below the EBDA */
	if (len > 0x90000 - 0x7c00)
		die("%s is too large for base memory", out_path);
	write_file(out_path, out, len);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "payload") == 0)
		return cmd_payload(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "lkrn") == 0)
		return cmd_lkrn(argv[2], argv[3], argv[4]);
	if (argc == 5 && strcmp(argv[1], "pxe") == 0)
		return cmd_pxe(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: mkbios payload IN.elf OUT.pay\n"
			"       mkbios lkrn PREFIX PAYLOAD OUT\n"
			"       mkbios pxe PREFIX PAYLOAD OUT\n");
	return 2;
}
