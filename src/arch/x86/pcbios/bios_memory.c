/* BIOS heap: every E820 RAM region above 1 MiB, less Keel itself and the loader's initrd. */
#include <stdio.h>
#include <keel/init.h>
#include <keel/io.h>
#include <keel/malloc.h>
#include <x86/bios.h>
#include <x86/realmode.h>

/** Highest address the heap takes (keeps pointer arithmetic below 4 GiB) */
#define HEAP_TOP 0xfffff000ULL

static size_t bios_heap_total;

/** Add [start, end) minus the ranges Keel must keep */
static void bios_heap_add(uint64_t start, uint64_t end)
{
	uint64_t keep[2][2] = {
		{x86_image_start, x86_image_start + x86_image_len},
		{x86_prefix.initrd, x86_prefix.initrd + x86_prefix.initrd_len},
	};
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (keep[i][0] >= keep[i][1] || keep[i][1] <= start ||
		    keep[i][0] >= end)
			continue;
		if (keep[i][0] > start)
			bios_heap_add(start, keep[i][0]);
		if (keep[i][1] < end)
			bios_heap_add(keep[i][1], end);
		return;
	}
	if (end - start < 4096)
		return;
	heap_add_region(phys_to_virt((phys_addr_t)start), (size_t)(end - start));
	bios_heap_total += (size_t)(end - start);
}

static void bios_memory_init(void)
{
	uint64_t start, end;
	unsigned int i;

	for (i = 0; i < e820_count; i++) {
		if (e820_map[i].type != E820_RAM)
			continue;
		start = e820_map[i].start;
		end = start + e820_map[i].len;
		if (start < 0x100000)
			start = 0x100000;
		/* Leave [1 MiB, 16 MiB) to NBPs, if 16 MiB remain above */
		if (start < BIOS_HEAP_FLOOR && end >= BIOS_HEAP_FLOOR + (16 << 20))
			start = BIOS_HEAP_FLOOR;
		if (end > HEAP_TOP)
			end = HEAP_TOP;
		if (end > start)
			bios_heap_add(start, end);
	}
}

struct init_fn bios_memory_init_fn __init_fn(INIT_EARLY) = {
	.name = "memory",
	.init = bios_memory_init,
};

/** One line on where Keel lives, and how much base memory it holds */
static void bios_memory_report(void)
{
	printf("BIOS: Keel at %#lx (%zu KiB), %u KiB of base memory at "
	       "%04x:0000, heap %zu MiB\n",
	       (unsigned long)x86_image_start, x86_image_len / 1024,
	       rm_basemem_kib(), rm_seg, bios_heap_total >> 20);
}

struct startup_fn bios_memory_startup __startup_fn(STARTUP_EARLY) = {
	.name = "memory",
	.startup = bios_memory_report,
};
