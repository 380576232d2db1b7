/* The BIOS platform's start-up state: how Keel was loaded, the memory map. */
#ifndef X86_BIOS_H
#define X86_BIOS_H
#include <stdint.h>
#include <stddef.h>

/** How Keel was started: set by the prefix (layout shared with asm) */
struct prefix_info {
	/** PREFIX_MAGIC */
	uint32_t magic;
	/** PREFIX_TYPE_* */
	uint32_t type;
	/** Command line (linear address, NUL-terminated), or 0 */
	uint32_t cmdline;
	/** Initial RAM disk given by the loader (linear), or 0 */
	uint32_t initrd;
	uint32_t initrd_len;
	/** Loader's stack at entry (PXE ROM, BIOS BEV call) */
	uint16_t ret_sp, ret_ss;
	/** PXENV+ structure (ES:BX at NBP entry) */
	uint16_t pxenv_off, pxenv_seg;
	/** !PXE structure (far pointer at SS:SP+4 at NBP entry) */
	uint16_t ppxe_off, ppxe_seg;
	/** Option ROM: its segment and PCI bus:dev.fn (AX at init) */
	uint16_t rom_seg, rom_busdevfn;
	/** Option ROM: PI_ROM_VIA_INT19 when started by its INT 19h hook */
	uint32_t rom_flags;
} __attribute__((packed));

#define PREFIX_MAGIC 0x4c45454b /* "KEEL" */
#define PREFIX_TYPE_LKRN 1
#define PREFIX_TYPE_PXE 2	/* keel.pxe: native drivers */
#define PREFIX_TYPE_KPXE 3	/* undionly.kpxe: UNDI stays loaded */
#define PREFIX_TYPE_ROM 4	/* PCI option ROM, started from its BEV */
#define PI_ROM_VIA_INT19 1	/* rom_flags: from its INT 19h hook */

/* The asm side (prefix_defs.h) must agree on the layout */
_Static_assert(sizeof(struct prefix_info) == 40, "prefix_info layout");

/** How Keel was started (copied from the prefix at start-up) */
extern struct prefix_info x86_prefix;

/** One E820 memory map entry */
struct e820_entry {
	uint64_t start;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));
#define E820_RAM 1
#define E820_MAX 64

/** The BIOS memory map, as read at start-up */
extern struct e820_entry e820_map[E820_MAX];
extern unsigned int e820_count;

/** A range of physical memory, [start, end) */
struct e820_range {
	uint64_t start, end;
};

/**
 * The highest 4 KiB-aligned place for @len bytes of E820 RAM, ending at or
 * below @limit and clear of every range in @avoid.
 *
 * @ret addr	start, or 0 if there is none
 */
uintptr_t e820_find_top(size_t len, uint64_t limit,
			const struct e820_range *avoid, unsigned int navoid);

/** True if [start, end) lies inside one E820 RAM region */
int e820_is_ram(uint64_t start, uint64_t end);

/**
 * Keel's heap starts at 16 MiB when memory allows: [1 MiB, 16 MiB) stays
 * free for programs that Keel runs and keeps serving, such as PXE NBPs
 * (pxelinux runs its own core at 1 MiB).
 */
#define BIOS_HEAP_FLOOR 0x1000000ULL

/** Where Keel's image lies once moved, and its length (with bss) */
extern uintptr_t x86_image_start;
extern size_t x86_image_len;

/**
 * Read the E820 memory map (falling back to INT 15h E801/88) into
 * e820_map.
 */
void e820_read(void);

/** Print a message through the BIOS before consoles exist */
void bios_early_print(const char *msg);

/** Calibrate the TSC against the PIT; called once at start-up */
void bios_timer_calibrate(void);

/**
 * The PXE API entry points the loading PXE ROM gave an NBP, for the UNDI
 * shim and for chaining NBPs: 0 on success, -ENOENT if Keel was not started
 * as an NBP.
 *
 * @pxenv	PXENV+ as segment:offset (high:low), filled in
 * @ppxe	!PXE as segment:offset (high:low, 0 if the ROM gave none)
 */
int pxe_loader_entry(uint32_t *pxenv, uint32_t *ppxe);

#endif
