/* keel.pxe and undionly.kpxe: a PXE network bootstrap program that enters the Keel payload. */
#include "prefix_defs.h"

#ifdef KEEP_UNDI
#define NBP_TYPE PREFIX_TYPE_KPXE
#else
#define NBP_TYPE PREFIX_TYPE_PXE
#endif

/*
 * The PXE ROM loads us at 0000:7C00 and jumps here in real mode with
 * ES:BX = PXENV+, SS:SP = its return address, SS:SP+4 = !PXE. Nothing is
 * unloaded: the PXE stack and UNDI stay where they are, so that exit can
 * return to the ROM and the UNDI shim can drive the NIC.
 */
	.code16
	.text
	.org 0
nbp_start:
	ljmp $0x07c0, $1f - nbp_start
1:	movw %cs, %ax
	movw %ax, %ds
	movw %sp, info + PI_RET_SP
	movw %ss, info + PI_RET_SS
	movw %bx, info + PI_PXENV_OFF
	movw %es, info + PI_PXENV_SEG
	movw %sp, %bp
	movl %ss:4(%bp), %eax
	movl %eax, info + PI_PPXE_OFF
	movl $0x7c00 + info, %ebp
	movl $0x7c00 + payload, %ebx
	movl payload_len, %ecx
	xorl %edi, %edi
	jmp prefix_enter_pm

	.balign 4
info:
	PREFIX_INFO NBP_TYPE
	.ascii "KPLN"		/* mkbios writes the payload's length after this */
payload_len:
	.long 0

#include "prefix_pm.h"

	/* After everything, the decompressor included (see prefix.lds) */
	.section .prefix.end, "a"
payload:
