/* The 32-bit payload's entry: set aside the fixup table, clear bss, enter C. */

/*
 * Every prefix jumps here in flat 32-bit protected mode, interrupts off,
 * with the payload at its link address and %esi pointing to a struct
 * prefix_info. util/mkbios fills in the header below.
 */
	.section .text.entry, "ax"
	.code32
	.globl _start
_start:
	jmp 1f
	.balign 4
	.ascii "KEEL"		/* +4: magic */
payload_fixlen:
	.long 0			/* +8: length of the fixup table after _edata */
	.long 0			/* +12: file length (_edata - _start) */
	.long 0			/* +16: memory length (_end - _start) */
	.long 0			/* +20: code length (.text, from _start) */
1:
	cld
	/* The fixup table follows the file data, where bss goes: move it
	 * past bss (copying backwards, as the areas may overlap) */
	movl %esi, %ebp
	movl payload_fixlen, %ecx
	leal _edata - 1(%ecx), %esi
	leal _end - 1(%ecx), %edi
	std
	rep movsb
	cld
	movl $_bss_start, %edi
	movl $_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $x86_stack_top, %esp
	pushl %ebp
	call x86_phase1
2:	hlt
	jmp 2b

	.globl x86_payload_fixlen
	.set x86_payload_fixlen, payload_fixlen

/* void x86_continue(void *stack, void (*fn)(void)): switch stacks and go */
	.text
	.globl x86_continue
x86_continue:
	movl 8(%esp), %eax
	movl 4(%esp), %esp
	call *%eax
3:	hlt
	jmp 3b

	.section .bss
	.balign 16
x86_stack:
	.space 16384
	.globl x86_stack_top
x86_stack_top:

	.section .note.GNU-stack, "", @progbits
