/* Shared by the real-mode prefixes: enter flat 32-bit mode, decompress the payload, start it. */

/*
 * prefix_enter_pm: never returns. Real mode, %cs = the prefix's segment,
 * labels are offsets in it. It writes nothing into its own segment (an
 * option ROM's may be read-only) and leaves the real-mode stack alone.
 *
 * In:	%ebp = linear address of the struct prefix_info
 *	%ebx = linear address of the compressed payload (struct kz_header)
 *	%ecx = bytes readable there
 *	%edi = where the payload runs (linear), or 0 for PAYLOAD_BASE
 *
 * See prefix_pm16.h and prefix_pm32.h.
 */
	.code16
prefix_enter_pm:
	xorl %edx, %edx
	movw %cs, %dx
	shll $4, %edx
	addl $prefix_pm32, %edx
	jmp prefix_to_pm

#include "prefix_pm16.h"
#include "prefix_pm32.h"
	.code16
