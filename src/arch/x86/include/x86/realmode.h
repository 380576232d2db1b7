/* The BIOS transition layer: calling real-mode code and BIOS services from 32-bit C. */
#ifndef X86_REALMODE_H
#define X86_REALMODE_H
#include <stdint.h>
#include <stddef.h>

/*
 * Keel runs in flat 32-bit protected mode (segment bases 0, virt == phys,
 * interrupts off). A small trampoline lives in a block taken from the top
 * of base memory (the BIOS's free-memory word at 40:13 is lowered): its
 * 16-bit code, a real-mode stack and a scratch buffer. A call switches to
 * real mode, loads the registers below, enables interrupts (so that the
 * BIOS services its IRQs), calls the target, then records every register
 * and the flags and switches back.
 *
 * The PXE API (the later UNDI shim and NBP chaining) is called through
 * rm_farcall(): the !PXE real-mode entry takes its arguments on the stack,
 * which @args provides, and PXENV+ takes them in ES:DI and BX.
 */

/** Registers in and out of a real-mode call; the layout is fixed (asm) */
struct rm_regs {
	uint16_t gs, fs, es, ds;
	uint32_t edi, esi, ebp, esp_unused, ebx, edx, ecx, eax;
	/** FLAGS after the call (out only; ignored in) */
	uint16_t flags;
} __attribute__((packed));

/** FLAGS bits */
#define RM_CF 0x0001
#define RM_ZF 0x0040

/** Size of the real-mode stack inside the trampoline block */
#define RM_STACK_SIZE 2048
/** Size of the scratch buffer inside the trampoline block */
#define RM_SCRATCH_SIZE 2048
/** Most stack words rm_farcall() passes */
#define RM_MAX_ARGS 8

/** Segment of the trampoline block (0 before installation) */
extern uint16_t rm_seg;

/**
 * Call a real-mode software interrupt, as INT @vector would.
 *
 * @vector	interrupt number
 * @regs	registers in; every register and FLAGS out
 */
void rm_int(unsigned int vector, struct rm_regs *regs);

/**
 * Far-call real-mode code at @cs:@ip, which returns with RETF; @args are
 * pushed so that args[0] sits just above the return address (as a C
 * caller of the PXE API pushes them). Interrupts are enabled during the
 * call.
 *
 * @cs, @ip	target
 * @regs	registers in; every register and FLAGS out
 * @args	words on the stack, or NULL
 * @nargs	number of words (at most RM_MAX_ARGS)
 */
void rm_farcall(uint16_t cs, uint16_t ip, struct rm_regs *regs,
		const uint16_t *args, unsigned int nargs);

/**
 * Jump to real-mode code for good (a boot sector, an NBP, a return to the
 * PXE ROM or to the BIOS), with registers @regs and stack @ss:@sp.
 */
void rm_jump(uint16_t cs, uint16_t ip, uint16_t ss, uint16_t sp,
	     const struct rm_regs *regs) __attribute__((noreturn));

/**
 * The scratch buffer in base memory, for data that real-mode code reads or
 * writes (E820 entries, PXE parameter blocks). Valid until the next call
 * made by someone else: copy results out at once.
 */
void *rm_scratch(void);
/** Real-mode segment and offset of the scratch buffer */
uint16_t rm_scratch_seg(void);
uint16_t rm_scratch_off(void);

/** A real-mode segment:offset as a pointer */
static inline void *real_to_virt(uint16_t seg, uint16_t off)
{
	return (void *)(((uintptr_t)seg << 4) + off);
}

/** A 32-bit far pointer as stored in memory (offset low, segment high) */
static inline void *farptr_to_virt(uint32_t farptr)
{
	return real_to_virt((uint16_t)(farptr >> 16), (uint16_t)farptr);
}

/**
 * Install (or re-install after Keel moved) the trampoline, taking its
 * block from base memory the first time. Called by the start-up code.
 */
void rm_install(void);
/** Give the trampoline's base memory back if nothing was allocated since */
void rm_uninstall(void);
/** Base memory Keel holds, in KiB */
unsigned int rm_basemem_kib(void);

#endif
