/* Linux bzImage kernels: the 32-bit boot protocol, command line, concatenated initrds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/image.h>
#include <keel/init.h>
#include <keel/io.h>
#include <x86/bios.h>
#include <x86/realmode.h>

/* Setup header offsets (Documentation/arch/x86/boot.rst) */
#define BZ_SETUP_SECTS 0x1f1
#define BZ_VID_MODE 0x1fa
#define BZ_BOOT_FLAG 0x1fe
#define BZ_JUMP 0x200
#define BZ_HEADER 0x202
#define BZ_VERSION 0x206
#define BZ_TYPE_OF_LOADER 0x210
#define BZ_LOADFLAGS 0x211
#define BZ_CODE32_START 0x214
#define BZ_RAMDISK_IMAGE 0x218
#define BZ_RAMDISK_SIZE 0x21c
#define BZ_CMD_LINE_PTR 0x228
#define BZ_INITRD_ADDR_MAX 0x22c
#define BZ_RELOCATABLE 0x234
#define BZ_CMDLINE_SIZE 0x238
#define BZ_INIT_SIZE 0x260
#define BZ_LOADED_HIGH 0x01

/* boot_params ("zero page") offsets */
#define BP_ORIG_X 0x00
#define BP_ORIG_Y 0x01
#define BP_EXT_MEM_K 0x02
#define BP_VIDEO_MODE 0x06
#define BP_VIDEO_COLS 0x07
#define BP_VIDEO_LINES 0x0e
#define BP_VIDEO_ISVGA 0x0f
#define BP_VIDEO_POINTS 0x10
#define BP_ALT_MEM_K 0x1e0
#define BP_E820_ENTRIES 0x1e8
#define BP_E820_TABLE 0x2d0
#define BP_E820_MAX 128

/** Where the protected-mode kernel goes */
#define BZ_KERNEL_ADDR 0x100000

/** The boot parameters and command line, inside Keel (high memory) */
static uint8_t bz_params[4096] __aligned(16);
static char bz_cmdline[4096];

static uint16_t get16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static uint32_t get32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void put16(void *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(void *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/** A parsed kernel */
struct bz_kernel {
	uint16_t version;
	size_t setup_len;
	const uint8_t *pm;
	size_t pm_len;
	/** Memory the kernel needs at BZ_KERNEL_ADDR while it unpacks */
	size_t span;
	uint32_t initrd_max;
	size_t cmdline_max;
};

static int bzimage_parse(struct image *image, struct bz_kernel *k)
{
	const uint8_t *d = (const uint8_t *)image->data;
	unsigned int sects;

	if (image->len < 0x270 || get16(d + BZ_BOOT_FLAG) != 0xaa55 ||
	    memcmp(d + BZ_HEADER, "HdrS", 4) != 0)
		return -ENOEXEC;
	k->version = get16(d + BZ_VERSION);
	sects = d[BZ_SETUP_SECTS] ? d[BZ_SETUP_SECTS] : 4;
	k->setup_len = (sects + 1) * 512;
	/* Only bzImages (loaded high, with a command-line pointer) */
	if (k->version < 0x0202 || !(d[BZ_LOADFLAGS] & BZ_LOADED_HIGH) ||
	    k->setup_len >= image->len)
		return -ENOEXEC;
	k->pm = d + k->setup_len;
	k->pm_len = image->len - k->setup_len;
	k->span = k->pm_len;
	if (k->version >= 0x020a && get32(d + BZ_INIT_SIZE) > k->span)
		k->span = get32(d + BZ_INIT_SIZE);
	k->initrd_max = (k->version >= 0x0203) ? get32(d + BZ_INITRD_ADDR_MAX)
					       : 0x37ffffff;
	k->cmdline_max = (k->version >= 0x0206) ? get32(d + BZ_CMDLINE_SIZE)
						: 255;
	if (k->cmdline_max >= sizeof(bz_cmdline))
		k->cmdline_max = sizeof(bz_cmdline) - 1;
	return 0;
}

static int bzimage_probe(struct image *image)
{
	struct bz_kernel k;

	return bzimage_parse(image, &k);
}

/** Images that go to the kernel as initrds: every other non-script */
static int bzimage_is_initrd(struct image *kernel, struct image *image)
{
	return image != kernel && image->len &&
	       !(image->type && strcmp(image->type->name, "script") == 0);
}

#define CPIO_ALIGN 4

/** Concatenate the initrds into one buffer, each padded to CPIO_ALIGN */
static int bzimage_initrds(struct image *kernel, uint8_t **buf, size_t *len)
{
	struct image *image;
	size_t total = 0, off = 0;

	list_for_each_entry(image, &images, list) {
		if (bzimage_is_initrd(kernel, image))
			total += (image->len + CPIO_ALIGN - 1) & ~(CPIO_ALIGN - 1);
	}
	*buf = NULL;
	*len = total;
	if (!total)
		return 0;
	if (!(*buf = zalloc(total)))
		return errctx(-ENOMEM, "no memory for %zu bytes of initrds",
			      total);
	list_for_each_entry(image, &images, list) {
		if (!bzimage_is_initrd(kernel, image))
			continue;
		memcpy(*buf + off, image->data, image->len);
		off += (image->len + CPIO_ALIGN - 1) & ~(CPIO_ALIGN - 1);
	}
	return 0;
}

/** vga=normal|ext|ask|N on the command line, as the real-mode loader reads it */
static uint16_t bzimage_vid_mode(const char *cmdline, uint16_t dflt)
{
	const char *p = cmdline;

	while (p && (p = strstr(p, "vga=")) != NULL) {
		if (p == cmdline || p[-1] == ' ') {
			p += 4;
			if (strncmp(p, "normal", 6) == 0)
				return 0xffff;
			if (strncmp(p, "ext", 3) == 0)
				return 0xfffe;
			if (strncmp(p, "ask", 3) == 0)
				return 0xfffd;
			return (uint16_t)strtoul(p, NULL, 0);
		}
		p += 4;
	}
	return dflt;
}

/** Fill the zero page: setup header, command line, initrd, video, memory map */
static void bzimage_params(struct image *image, struct bz_kernel *k,
			   uint32_t initrd, size_t initrd_len)
{
	const uint8_t *d = (const uint8_t *)image->data;
	uint8_t *bp = bz_params;
	size_t hdr_end = BZ_HEADER + d[BZ_JUMP + 1];
	uint64_t above_1m = 0;
	unsigned int i, n = 0;
	uint16_t cursor = *(volatile uint16_t *)phys_to_virt(0x450);

	memset(bp, 0, sizeof(bz_params));
	if (hdr_end > 0x290)
		hdr_end = 0x290;
	memcpy(bp + BZ_SETUP_SECTS, d + BZ_SETUP_SECTS, hdr_end - BZ_SETUP_SECTS);
	bp[BZ_TYPE_OF_LOADER] = 0xff;
	put32(bp + BZ_CODE32_START, BZ_KERNEL_ADDR);
	snprintf(bz_cmdline, k->cmdline_max + 1, "%s",
		 image->cmdline ? image->cmdline : "");
	put32(bp + BZ_CMD_LINE_PTR, (uint32_t)virt_to_phys(bz_cmdline));
	put32(bp + BZ_RAMDISK_IMAGE, initrd);
	put32(bp + BZ_RAMDISK_SIZE, (uint32_t)initrd_len);
	put16(bp + BZ_VID_MODE,
	      bzimage_vid_mode(bz_cmdline, get16(d + BZ_VID_MODE)));
	/* The text screen as the BIOS left it */
	bp[BP_ORIG_X] = (uint8_t)cursor;
	bp[BP_ORIG_Y] = (uint8_t)(cursor >> 8);
	bp[BP_VIDEO_MODE] = 3;
	bp[BP_VIDEO_COLS] = 80;
	bp[BP_VIDEO_LINES] = 25;
	bp[BP_VIDEO_ISVGA] = 1;
	put16(bp + BP_VIDEO_POINTS, 16);
	for (i = 0; i < e820_count && n < BP_E820_MAX; i++, n++) {
		memcpy(bp + BP_E820_TABLE + 20 * n, &e820_map[i], 20);
		if (e820_map[i].type == E820_RAM &&
		    e820_map[i].start <= 0x100000 &&
		    e820_map[i].start + e820_map[i].len > 0x100000)
			above_1m = e820_map[i].start + e820_map[i].len - 0x100000;
	}
	bp[BP_E820_ENTRIES] = (uint8_t)n;
	put32(bp + BP_ALT_MEM_K, (uint32_t)(above_1m >> 10));
	put16(bp + BP_EXT_MEM_K,
	      (uint16_t)((above_1m >> 10) > 0xfc00 ? 0xfc00 : above_1m >> 10));
}

static int bz_overlap(uintptr_t a, size_t alen, uintptr_t b, size_t blen)
{
	return a < b + blen && b < a + alen;
}

static int bzimage_exec(struct image *image)
{
	struct bz_kernel k;
	struct e820_range avoid[2];
	uint8_t *initrds;
	size_t initrd_len;
	uintptr_t initrd_at = 0;
	int rc;

	if ((rc = bzimage_parse(image, &k)) != 0)
		return rc;
	if (!e820_is_ram(BZ_KERNEL_ADDR, BZ_KERNEL_ADDR + k.span) ||
	    bz_overlap(BZ_KERNEL_ADDR, k.span, x86_image_start, x86_image_len))
		return errctx(-ENOSPC,
			      "%s needs %zu KiB of memory at 1 MiB, which this "
			      "machine does not have free",
			      image->name, k.span / 1024);
	if ((rc = bzimage_initrds(image, &initrds, &initrd_len)) != 0)
		return rc;
	if (initrd_len) {
		/* Below the kernel's limit, clear of the kernel and of Keel */
		avoid[0].start = 0;
		avoid[0].end = BZ_KERNEL_ADDR + k.span;
		avoid[1].start = x86_image_start;
		avoid[1].end = x86_image_start + x86_image_len;
		initrd_at = e820_find_top(initrd_len, (uint64_t)k.initrd_max + 1,
					  avoid, 2);
		if (!initrd_at ||
		    bz_overlap(BZ_KERNEL_ADDR, k.span, (uintptr_t)initrds,
			       initrd_len)) {
			free(initrds);
			return errctx(-ENOSPC,
				      "no room for %zu KiB of initrds below "
				      "%#x",
				      initrd_len / 1024, k.initrd_max);
		}
	}
	bzimage_params(image, &k, (uint32_t)initrd_at, initrd_len);
	printf("Booting %s (%zu KiB kernel, %zu KiB initrd)\n", image->name,
	       k.pm_len / 1024, initrd_len / 1024);

	/* Nothing may run, allocate or DMA from here on */
	shutdown_boot();
	rm_uninstall();
	memmove(phys_to_virt(BZ_KERNEL_ADDR), k.pm, k.pm_len);
	if (initrd_len)
		memmove(phys_to_virt(initrd_at), initrds, initrd_len);
	__asm__ volatile("cli\n\t"
			 "xorl %%ebx, %%ebx\n\t"
			 "xorl %%ebp, %%ebp\n\t"
			 "xorl %%edi, %%edi\n\t"
			 "jmp *%%eax"
			 :
			 : "a"(BZ_KERNEL_ADDR), "S"(bz_params)
			 : "memory");
	__builtin_unreachable();
}

struct image_type bzimage_image_type __image_type(PROBE_NORMAL) = {
	.name = "bzImage",
	.probe = bzimage_probe,
	.exec = bzimage_exec,
};
