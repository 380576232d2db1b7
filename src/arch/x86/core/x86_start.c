/* BIOS start-up: move Keel to the top of memory, apply its fixups, run it. */
#include <string.h>
#include <keel/io.h>
#include <keel/main.h>
#include <keel/reboot.h>
#include <x86/asmcall.h>
#include <x86/bios.h>
#include <x86/realmode.h>

extern char _image_start[], _edata[], _end[];
extern const uint32_t x86_payload_fixlen;
extern char x86_stack_top[];
extern __asmcall void x86_continue(void *stack, void (*fn)(void))
	__attribute__((noreturn));
__asmcall void x86_phase1(struct prefix_info *info)
	__attribute__((noreturn));

struct prefix_info x86_prefix;
uintptr_t x86_image_start;
size_t x86_image_len;

/** Add @delta to every location the fixup table names */
static void x86_apply_fixups(uint8_t *image, const uint8_t *table,
			     size_t table_len, uint32_t delta)
{
	const uint8_t *p = table, *end = table + table_len;
	uint32_t offset = 0, step;

	while (p < end && *p) {
		if (*p < 0x80) {
			step = *p++;
		} else if (*p < 0xc0 && p + 1 < end) {
			step = ((uint32_t)(p[0] & 0x3f) << 8) | p[1];
			p += 2;
		} else if (p + 4 < end) {
			memcpy(&step, p + 1, 4);
			p += 5;
		} else {
			break;
		}
		offset += step;
		*(uint32_t *)(image + offset) += delta;
	}
}

static void x86_phase2(void);

/** Running at the link address: read the memory map and move up */
__asmcall void x86_phase1(struct prefix_info *info)
{
	size_t len = (size_t)(_end - _image_start);
	struct e820_range avoid[3];
	uintptr_t dest;
	uint32_t delta;

	x86_prefix = *info;
	rm_install();
	e820_read();
	avoid[0].start = 0;
	avoid[0].end = 0x100000;
	avoid[1].start = (uintptr_t)_image_start;
	avoid[1].end = (uintptr_t)_end + x86_payload_fixlen;
	avoid[2].start = x86_prefix.initrd;
	avoid[2].end = (uint64_t)x86_prefix.initrd + x86_prefix.initrd_len;
	dest = e820_find_top(len, 0xfffff000ULL, avoid, 3);
	if (!dest) {
		bios_early_print("Keel: not enough memory to start\r\n");
		rm_uninstall();
		for (;;)
			__asm__ volatile("hlt");
	}
	x86_image_start = dest;
	x86_image_len = len;
	memcpy((void *)dest, _image_start, len);
	delta = (uint32_t)(dest - (uintptr_t)_image_start);
	x86_apply_fixups((uint8_t *)dest, (const uint8_t *)_end,
			 x86_payload_fixlen, delta);
	x86_continue(x86_stack_top + delta,
		     (void (*)(void))((uintptr_t)x86_phase2 + delta));
}

/** Running at the top of memory */
static void x86_phase2(void)
{
	rm_install();
	bios_timer_calibrate();
	platform_exit(keel_main());
}
