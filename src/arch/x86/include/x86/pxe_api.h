/* The PXE API that Keel provides to a chained NBP: its base-memory block and the glue between its files. */
#ifndef X86_PXE_API_H
#define X86_PXE_API_H
#include <stdint.h>
#include <stddef.h>
#include <keel/tables.h>
#include <x86/asmcall.h>
#include <x86/pxe.h>

struct net_device;

/* ------------------------------------------------------------------------
 * The base-memory block (pxe_entry.S): its header, shared with asm
 */

/** Header at offset 0 of the block; offsets are fixed (see pxe_entry.S) */
struct pxe_block_header {
	/** 32-bit entry for API calls: offset, selector (ljmpl *) */
	uint32_t pm_entry_off;
	uint16_t pm_entry_sel;
	/** 32-bit entry when the NBP returns */
	uint32_t nbp_ret_off;
	uint16_t nbp_ret_sel;
	/** Real-mode re-entry after an API call: offset, segment */
	uint16_t real_ip, real_cs;
	/** Caller's stack at entry */
	uint16_t saved_sp, saved_ss;
	/** The call: opcode and parameter block */
	uint16_t opcode;
	uint16_t param_off, param_seg;
	/** Exit code returned in AX (or the NBP's AX when it returns) */
	uint16_t exit_code;
	/** The INT 1Ah vector we chain to (offset, segment) */
	uint16_t old_int1a_off, old_int1a_seg;
	/** Offset of PXENV+ in the block (INT 1Ah answers with it) */
	uint16_t pxenv_off;
	/** GDT descriptor (limit, linear base) and real-mode IDT descriptor */
	uint16_t gdt_limit;
	uint32_t gdt_base;
	uint16_t idt_limit;
	uint32_t idt_base;
	uint16_t pad2;
	/** GDT: the transition layer's five entries, then ours */
	uint64_t gdt[7];
	/** The INT 15h vector we chain to (offset, segment) */
	uint16_t old_int15_off, old_int15_seg;
	/** The memory map the NBP sees: offset in the block, entries */
	uint16_t e820_off;
	/** INT 15h E801h: KiB from 1 to 16 MiB, 64 KiB blocks above */
	uint16_t e801_low, e801_high;
	/** Non-zero while a call is in progress (no re-entry) */
	uint8_t busy;
	uint8_t pad3;
	uint32_t e820_count;
	/** A 16-bit protected-mode caller's stack (ESP, then SS: lss) */
	uint32_t caller_esp;
	uint16_t caller_ss;
	/** Non-zero while the call in progress came from protected mode */
	uint8_t pm_call;
	uint8_t pad4;
	/** The caller's frame: its stack offset after our pushes */
	uint32_t caller_frame;
	/** The caller's GDTR and IDTR (limit, linear base) */
	uint16_t caller_gdt_limit;
	uint32_t caller_gdt_base;
	uint16_t caller_idt_limit;
	uint32_t caller_idt_base;
} __attribute__((packed));

/* ------------------------------------------------------------------------
 * Internal API between the PXE files
 */

/** One API call: its opcode, parameter block length, handler */
struct pxe_api_call {
	uint16_t opcode;
	/** Bytes of the parameter block (validated before the call) */
	uint16_t param_len;
	/**
	 * Handle the call; the parameter block is in base memory.
	 *
	 * @ret status	PXENV_STATUS_*, stored in the block's first word
	 */
	uint16_t (*handler)(void *params);
};
#define PXE_API_CALLS __table(struct pxe_api_call, "pxe_api_calls")
#define __pxe_api_call __table_entry(PXE_API_CALLS, 01)

/** The device the NBP uses (NULL if none) */
extern struct net_device *pxe_netdev;

/**
 * A caller's buffer as a pointer, or NULL if [seg:off, +len) leaves the
 * 64 KiB segment or the memory an NBP may use, or overlaps Keel's own
 * base-memory code. @seg is a real-mode segment, or a selector of the
 * caller's GDT during a 16-bit protected-mode call.
 */
void *pxe_user_ptr(uint16_t seg, uint16_t off, size_t len);
/** As pxe_user_ptr() for a 32-bit physical address (UNDI data blocks) */
void *pxe_user_phys(uint32_t phys, size_t len);

/**
 * The receive buffer in base memory, and its address for the caller
 * (segment or, during a protected-mode call, selector : offset)
 */
void *pxe_rx_buffer(struct pxe_segoff *addr);
#define PXE_RX_BUFFER_LEN 1536

/**
 * Run the network stack once (between API calls the NBP runs, not Keel).
 */
void pxe_step(void);

/**
 * Install the PXE API for @netdev in base memory and hook INT 1Ah.
 *
 * @pxenv, @ppxe	filled in with the structures' real-mode addresses
 * @stack_top	filled in with the top of the NBP's stack (segment:offset)
 * @ret rc	0 or an error (out of base memory)
 */
int pxe_api_install(struct net_device *netdev, struct pxe_segoff *pxenv,
		    struct pxe_segoff *ppxe, struct pxe_segoff *stack_top);
/** Unhook INT 1Ah and end every open TFTP, UDP and UNDI use */
void pxe_api_uninstall(void);

/** The raw UNDI interface: set while the NBP has called UNDI_OPEN */
extern int pxe_undi_opened;
/** Close TFTP, UDP and UNDI state (UNLOAD_STACK, NBP return) */
void pxe_tftp_reset(void);
void pxe_udp_reset(void);
void pxe_undi_reset(void);

/**
 * Run an NBP already copied to 0000:7C00 with @regs on stack @ss:@sp; it
 * returns (if ever) with the NBP's AX (pxe_entry.S).
 */
__asmcall uint16_t pxe_run_nbp(const void *regs, uint16_t ss, uint16_t sp);

#endif
