/* Shared by every real-mode prefix: enter flat 32-bit mode, decompress the payload, start it. */

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
 * The payload is decompressed to %edi; its fixups are applied if that is
 * not its link address. kz_unpack()'s work space and this code's stack
 * lie in the run_len bytes from %edi, above the payload's own memory.
 */
	.code16
prefix_enter_pm:
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
	leal prefix_pm32(%esi), %eax
	pushl %eax
	movl %cr0, %eax
	orb $1, %al
	movl %eax, %cr0
	lretl

	.code32
prefix_pm32:
	movw $0x18, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	testl %edi, %edi
	jnz 1f
	movl $PAYLOAD_BASE, %edi
1:	movl %edi, %esp
	addl KZ_RUN_LEN(%ebx), %esp
	andl $~15, %esp
	pushl $PAYLOAD_BASE
	pushl %edi
	pushl %ecx
	pushl %ebx
	call kz_unpack
	testl %eax, %eax
	jnz 2f
	movl %ebp, %esi
	jmp *%edi
	/* A damaged image: say so on the first serial port, and stop */
2:	leal prefix_bad_msg(%esi), %esi
	movw $0x3f8, %dx
3:	lodsb
	testb %al, %al
	jz 4f
	outb %al, %dx
	jmp 3b
4:	hlt
	jmp 4b
	.code16

prefix_bad_msg:
	.asciz "\r\nKeel: the image is damaged (decompression failed)\r\n"

	.balign 8
prefix_gdt:
	.quad 0
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x10: flat 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x18: flat 32-bit data */
