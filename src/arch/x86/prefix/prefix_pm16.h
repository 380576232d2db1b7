/* Shared by the real-mode prefixes: turn A20 on and enter flat 32-bit protected mode. */

/*
 * prefix_to_pm: never returns. Real mode, %cs = the prefix's segment,
 * labels are offsets in it. It writes nothing into its own segment (an
 * option ROM's may be read-only) and leaves the real-mode stack alone.
 *
 * In:	%edx = linear address of the 32-bit code to go to
 * Out:	flat 32-bit protected mode (code 0x10, data 0x18, data segment
 *	registers not yet loaded), interrupts off, A20 on, %esi = the
 *	prefix's linear base; %ebx, %ecx, %edx, %edi and %ebp are kept
 */
	.code16
prefix_to_pm:
	cli
	cld
	pushal
	movw $0x2401, %ax	/* A20 through the BIOS... */
	int $0x15
	inb $0x92, %al		/* ...and through the fast gate */
	orb $0x02, %al
	andb $0xfe, %al
	outb %al, $0x92
	popal
	cli
	xorl %eax, %eax
	movw %cs, %ax
	shll $4, %eax
	movl %eax, %esi		/* the prefix's linear base, for later */
	/* The GDT descriptor and the far return into 32-bit code, both built
	 * on the stack */
	addl $prefix_gdt, %eax
	pushl %eax
	pushw $0x1f
	movzwl %sp, %eax
	lgdtl %ss:(%eax)
	pushl $0x10
	pushl %edx
	movl %cr0, %eax
	orb $1, %al
	movl %eax, %cr0
	lretl

	.balign 8
prefix_gdt:
	PREFIX_FLAT_GDT
