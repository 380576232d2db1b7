/* Shared by every real-mode prefix: enter flat 32-bit mode and start the payload. */

/*
 * prefix_enter_pm: never returns. Real mode, %cs = %ds = the prefix's
 * segment, labels are offsets in it. In: %ebp = linear address of the
 * struct prefix_info, %ebx = linear address of the payload, %ecx = bytes
 * to copy to PAYLOAD_BASE (0 if the payload is there already).
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
	addl %eax, prefix_gdt_desc + 2
	addl %eax, prefix_pm_vec
	lgdtl prefix_gdt_desc
	movl %cr0, %eax
	orb $1, %al
	movl %eax, %cr0
	ljmpl *prefix_pm_vec

	.code32
prefix_pm32:
	movw $0x18, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl $PAYLOAD_BASE, %edi
	movl %ebx, %esi
	rep movsb
	movl %ebp, %esi
	movl $PAYLOAD_BASE, %eax
	jmp *%eax
	.code16

	.balign 8
prefix_gdt:
	.quad 0
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x10: flat 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x18: flat 32-bit data */
prefix_gdt_desc:
	.word 0x1f
	.long prefix_gdt
prefix_pm_vec:
	.long prefix_pm32
	.word 0x10
