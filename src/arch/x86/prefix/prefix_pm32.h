/* Shared by every prefix: in flat 32-bit mode, decompress the payload and start it. */

/*
 * prefix_pm32: never returns. Flat 32-bit protected mode with code
 * selector 0x10 and data selector 0x18 in the current GDT, interrupts off,
 * A20 on; the data segment registers are loaded here.
 *
 * In:	%ebp = linear address of the struct prefix_info
 *	%ebx = linear address of the compressed payload (struct kz_header)
 *	%ecx = bytes readable there
 *	%edi = where the payload runs (linear), or 0 for PAYLOAD_BASE
 *	%esi = linear address of the code that included this file (for
 *	       its message)
 *
 * The payload is decompressed to %edi; its fixups are applied if that is
 * not its link address. kz_unpack()'s work space and this code's stack
 * lie in the run_len bytes from %edi, above the payload's own memory.
 */
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

prefix_bad_msg:
	.asciz "\r\nKeel: the image is damaged (decompression failed)\r\n"
