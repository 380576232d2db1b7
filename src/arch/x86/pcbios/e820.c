/* The BIOS memory map: INT 15h E820, with the E801 and 88h fallbacks. */
#include <string.h>
#include <x86/bios.h>
#include <x86/realmode.h>

struct e820_entry e820_map[E820_MAX];
unsigned int e820_count;

#define SMAP 0x534d4150

static void e820_add(uint64_t start, uint64_t len, uint32_t type)
{
	if (e820_count < E820_MAX && len) {
		e820_map[e820_count].start = start;
		e820_map[e820_count].len = len;
		e820_map[e820_count].type = type;
		e820_count++;
	}
}

/** The E820 call; returns the number of entries read */
static unsigned int e820_int15(void)
{
	struct rm_regs regs;
	uint8_t *buf = rm_scratch();
	uint32_t next = 0;
	unsigned int tries = 0;
	struct e820_entry entry;

	do {
		memset(&regs, 0, sizeof(regs));
		memset(buf, 0, 24);
		buf[20] = 1; /* ACPI 3 "enabled" bit, for BIOSes that return 24 bytes */
		regs.eax = 0xe820;
		regs.ebx = next;
		regs.ecx = 24;
		regs.edx = SMAP;
		regs.es = rm_scratch_seg();
		regs.edi = rm_scratch_off();
		rm_int(0x15, &regs);
		if ((regs.flags & RM_CF) || regs.eax != SMAP)
			break;
		memcpy(&entry, buf, sizeof(entry));
		/* Entries whose ACPI 3 attributes say "ignore me" are skipped */
		if (regs.ecx < 24 || (buf[20] & 1))
			e820_add(entry.start, entry.len, entry.type);
		next = regs.ebx;
	} while (next && ++tries < 256);
	return e820_count;
}

void e820_read(void)
{
	struct rm_regs regs;

	e820_count = 0;
	if (e820_int15())
		return;
	/* E801: KiB between 1 and 16 MiB, 64 KiB blocks above */
	memset(&regs, 0, sizeof(regs));
	regs.eax = 0xe801;
	rm_int(0x15, &regs);
	e820_add(0, 0x9f000, E820_RAM);
	if (!(regs.flags & RM_CF)) {
		uint32_t low = regs.ecx ? regs.ecx : regs.eax;
		uint32_t high = regs.ecx ? regs.edx : regs.ebx;

		e820_add(0x100000, (uint64_t)(low & 0xffff) << 10, E820_RAM);
		e820_add(0x1000000, (uint64_t)(high & 0xffff) << 16, E820_RAM);
		return;
	}
	memset(&regs, 0, sizeof(regs));
	regs.eax = 0x8800;
	rm_int(0x15, &regs);
	if (!(regs.flags & RM_CF))
		e820_add(0x100000, (uint64_t)(regs.eax & 0xffff) << 10,
			 E820_RAM);
}

static int e820_overlap(uint64_t a, uint64_t b, const struct e820_range *r)
{
	return a < r->end && r->start < b;
}

uintptr_t e820_find_top(size_t len, uint64_t limit,
			const struct e820_range *avoid, unsigned int navoid)
{
	uint64_t best = 0, lo, hi, cand;
	unsigned int i, j;

	for (i = 0; i < e820_count; i++) {
		if (e820_map[i].type != E820_RAM)
			continue;
		lo = e820_map[i].start;
		hi = lo + e820_map[i].len;
		if (hi > limit)
			hi = limit;
		while (hi > lo && hi - lo >= len) {
			cand = (hi - len) & ~0xfffULL;
			if (cand < lo)
				break;
			for (j = 0; j < navoid; j++) {
				if (e820_overlap(cand, cand + len, &avoid[j]))
					break;
			}
			if (j == navoid) {
				if (cand > best)
					best = cand;
				break;
			}
			hi = avoid[j].start;
		}
	}
	return (uintptr_t)best;
}

int e820_is_ram(uint64_t start, uint64_t end)
{
	unsigned int i;

	for (i = 0; i < e820_count; i++) {
		if (e820_map[i].type == E820_RAM && e820_map[i].start <= start &&
		    end <= e820_map[i].start + e820_map[i].len)
			return 1;
	}
	return 0;
}
