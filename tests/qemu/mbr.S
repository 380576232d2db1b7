/* A boot sector for the sanboot test: prints a marker on COM1 and exits QEMU */

	.code16
	.section .text
	.globl	_start
_start:
	cli
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %ss
	movw	$0x7c00, %sp
	cld
	/* %dl holds the BIOS drive number we were booted from: report it */
	movb	%dl, %al
	shrb	$4, %al
	call	hexdigit
	movb	%al, digits
	movb	%dl, %al
	andb	$0x0f, %al
	call	hexdigit
	movb	%al, digits + 1
	movw	$message, %si
next:
	lodsb
	testb	%al, %al
	jz	done
	call	serial_putc
	jmp	next
done:
	/* isa-debug-exit at 0xf4 ends QEMU (status 3); otherwise, halt */
	movw	$0xf4, %dx
	movb	$1, %al
	outb	%al, %dx
halt:
	hlt
	jmp	halt

/* %al = 0..15 -> ASCII hex digit in %al */
hexdigit:
	addb	$'0', %al
	cmpb	$'9', %al
	jbe	1f
	addb	$('a' - '9' - 1), %al
1:	ret

/* Write %al to COM1 once its transmit holding register is empty */
serial_putc:
	pushw	%dx
	pushw	%ax
	movw	$0x3fd, %dx
1:	inb	%dx, %al
	testb	$0x20, %al
	jz	1b
	popw	%ax
	movw	$0x3f8, %dx
	outb	%al, %dx
	popw	%dx
	ret

message:
	.ascii	"\r\nKEEL-QEMU-SANBOOT-MARKER drive=0x"
digits:
	.asciz	"??\r\n"

	.org	510
	.byte	0x55, 0xaa
