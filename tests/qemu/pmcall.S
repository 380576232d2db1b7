/* A test NBP: calls !PXE's 16-bit protected-mode entry (GET_CACHED_INFO) and prints KEEL-QEMU-PM-MARKER on COM1. */

/*
 * Loaded at 0000:7C00 with SS:SP+4 = the !PXE far pointer. It builds a
 * GDT with descriptors for the seven !PXE segments (selectors from
 * FirstSelector = 0x18, written back into !PXE) and one for the
 * EntryPointESP segment, enters 16-bit protected mode, and calls:
 *   1. GET_CACHED_INFO (DHCP ACK) with no buffer: the answer points at
 *      the stack's copy through one of our selectors; the packet read
 *      there must be a BOOTP reply for 10.0.2.15 (user-net's address);
 *   2. GET_CACHED_INFO into a buffer of ours (selector 0x10): the same;
 *   3. a call whose parameter selector is an LDT one: it must fail;
 * call 1 runs on a 16-bit stack segment with ESP's high half set (SP
 * alone counts), call 2 on a 32-bit one. Back in real mode, it calls
 * EntryPointSP the same way (4.), to see the API left in its real-mode
 * state, then EntryPointESP from real mode (5.), which must serve too.
 * Then it prints "KEEL-QEMU-PM-MARKER ok", or "KEEL-QEMU-PM-FAIL N" with
 * the step that failed, and ends QEMU through isa-debug-exit (port F4h).
 */

#define COM1 0x3f8
#define CODE_SEL 0x08
#define DATA_SEL 0x10
#define FIRST_SEL 0x18
#define ENTRY_SEL 0x50
#define STACK32_SEL 0x58
#define NUM_SEGS 7

/* !PXE offsets */
#define PPXE_ENTRY_ESP 20
#define PPXE_FIRST_SEL 30
#define PPXE_SEG 32

/* GET_CACHED_INFO */
#define GCI_STATUS 0
#define GCI_TYPE 2
#define GCI_SIZE 4
#define GCI_BUF_OFF 6
#define GCI_BUF_SEG 8
#define GCI_LEN 12

/* 10.0.2.15 as it lies in memory */
#define YIADDR 0x0f02000a

	.code16
	.text
	.globl _start
_start:
	ljmp $0, $1f
1:	movw %sp, %bp
	movw %ss:4(%bp), %si
	movw %ss:6(%bp), %ax
	cli
	xorw %cx, %cx
	movw %cx, %ds
	movw %cx, %ss
	movw $0x7000, %sp
	movw %ax, %es
	movb $'1', step
	cmpl $0x45585021, %es:(%si)	/* "!PXE" */
	jne fail_rm
	movl %es:16(%si), %eax		/* EntryPointSP */
	movl %eax, entry_sp
	movl %es:PPXE_ENTRY_ESP(%si), %eax
	movl %eax, entry_esp_rm

	/* A descriptor of each !PXE segment; its selector written back */
	leaw PPXE_SEG(%si), %bx
	movw $gdt + FIRST_SEL, %di
	movw $FIRST_SEL, %dx
	xorw %bp, %bp
2:	movl %es:2(%bx), %eax		/* physical address */
	movw %es:6(%bx), %cx		/* size */
	decw %cx			/* 0 (64 KiB) becomes 0xffff */
	movb $0x92, access		/* data, writable */
	cmpw $2, %bp			/* UNDI code */
	je 3f
	cmpw $5, %bp			/* BC code */
	jne 4f
3:	movb $0x9a, access		/* code, readable */
4:	call make_desc
	movw %dx, %es:(%bx)
	addw $8, %bx
	addw $8, %di
	addw $8, %dx
	incw %bp
	cmpw $NUM_SEGS, %bp
	jne 2b
	movw $FIRST_SEL, %es:PPXE_FIRST_SEL(%si)

	/* The entry point's segment, as a 16-bit code descriptor */
	movzwl %es:PPXE_ENTRY_ESP + 2(%si), %eax
	shll $4, %eax
	movw $0xffff, %cx
	movb $0x9a, access
	movw $gdt + ENTRY_SEL, %di
	call make_desc
	movw %es:PPXE_ENTRY_ESP(%si), %ax
	movw %ax, entry
	movw $ENTRY_SEL, entry + 2

	lgdtl gdt_desc
	movl %cr0, %eax
	orb $1, %al
	movl %eax, %cr0
	ljmp $CODE_SEL, $pm

/* make_desc: the 16-bit descriptor at DS:DI, base %eax, limit %cx,
 * access byte from "access" */
make_desc:
	pushl %eax
	movw %cx, (%di)
	movw %ax, 2(%di)
	shrl $16, %eax
	movb %al, 4(%di)
	movb access, %al
	movb %al, 5(%di)
	movb $0, 6(%di)
	movb %ah, 7(%di)
	popl %eax
	ret

pm:
	movw $DATA_SEL, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss

	/* 1: the stack's own copy, through the selector it hands back */
	movb $'2', step
	call gci_clear
	movw $gci, %bx
	movl %esp, %ebp
	orl $0x5a5a0000, %esp
	call pxe_call
	movl %ebp, %esp
	jc fail
	cmpw $0, gci + GCI_STATUS
	jne fail
	movb $'3', step
	movw gci + GCI_BUF_OFF, %di
	movw gci + GCI_BUF_SEG, %ax
	cmpw $FIRST_SEL, %ax
	jb fail
	movw %ax, %fs
	cmpb $2, %fs:(%di)
	jne fail
	cmpl $YIADDR, %fs:16(%di)
	jne fail

	/* 2: into our buffer */
	movb $'4', step
	call gci_clear
	movw $512, gci + GCI_SIZE
	movw $packet, gci + GCI_BUF_OFF
	movw $DATA_SEL, gci + GCI_BUF_SEG
	movw $gci, %bx
	movw $STACK32_SEL, %ax
	movw %ax, %ss
	movl $0x7000, %esp
	call pxe_call
	movw $DATA_SEL, %dx
	movw %dx, %ss
	jc fail
	movb $'5', step
	cmpb $2, packet
	jne fail
	cmpl $YIADDR, packet + 16
	jne fail

	/* 3: a selector of the LDT (none here) is refused, not followed */
	movb $'6', step
	call gci_clear
	pushw $0x000c
	pushw $gci
	pushw $0x0071
	lcall *entry
	addw $6, %sp
	cmpw $1, %ax
	jne fail

	/* 4: back to real mode, and the real-mode entry */
	movl %cr0, %eax
	andb $0xfe, %al
	movl %eax, %cr0
	ljmp $0, $rm
rm:
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movb $'7', step
	call gci_clear
	movw $512, gci + GCI_SIZE
	movw $packet, gci + GCI_BUF_OFF
	movw $0, gci + GCI_BUF_SEG
	movb $0, packet
	pushw %ds
	pushw $gci
	pushw $0x0071
	lcall *entry_sp
	addw $6, %sp
	call rm_check

	/* 5: EntryPointESP called from real mode */
	movb $'8', step
	call gci_clear
	movw $512, gci + GCI_SIZE
	movw $packet, gci + GCI_BUF_OFF
	movw $0, gci + GCI_BUF_SEG
	movb $0, packet
	pushw %ds
	pushw $gci
	pushw $0x0071
	lcall *entry_esp_rm
	addw $6, %sp
	call rm_check

	movw $ok_msg, %si
	call puts
	jmp done
fail:
	movw $fail_msg, %si
	call puts
done:
	movw $0x2f, %ax
	outb %al, $0xf4
1:	hlt
	jmp 1b

fail_rm:
	movw $fail_msg, %si
	call puts
	jmp done

/* rm_check: CF, AX and the packet of a real-mode call (fails if wrong) */
rm_check:
	jc fail
	cmpw $0, %ax
	jne fail
	cmpb $2, packet
	jne fail
	cmpl $YIADDR, packet + 16
	jne fail
	ret

/* pxe_call: GET_CACHED_INFO with the block at DS:BX; CF and AX as returned */
pxe_call:
	pushw %ds
	pushw %bx
	pushw $0x0071
	lcall *entry
	addw $6, %sp
	ret

/* gci_clear: a GET_CACHED_INFO block asking for the DHCP ACK */
gci_clear:
	movw $gci, %di
	movw $GCI_LEN / 2, %cx
	xorw %ax, %ax
	cld
	rep stosw
	movw $2, gci + GCI_TYPE
	ret

/* puts: the string at DS:SI on COM1 */
puts:
	lodsb
	testb %al, %al
	jz 2f
	movb %al, %ah
	movw $COM1 + 5, %dx
1:	inb %dx, %al
	testb $0x20, %al
	jz 1b
	movb %ah, %al
	movw $COM1, %dx
	outb %al, %dx
	jmp puts
2:	ret

ok_msg:
	.asciz "\r\nKEEL-QEMU-PM-MARKER ok\r\n"
fail_msg:
	.ascii "\r\nKEEL-QEMU-PM-FAIL "
step:
	.asciz "0\r\n"

access:
	.byte 0
	.balign 4
entry:
	.word 0, 0
entry_sp:
	.word 0, 0
entry_esp_rm:
	.word 0, 0
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt
	.balign 8
gdt:
	.quad 0
	.quad 0x00009a000000ffff	/* 0x08: 16-bit code, base 0 */
	.quad 0x000092000000ffff	/* 0x10: 16-bit data, base 0 */
	.fill 8 * 8, 1, 0		/* 0x18-0x48: !PXE's segments, 0x50: entry */
	.quad 0x004092000000ffff	/* 0x58: 32-bit stack, base 0 */
gdt_end:
gci:
	.fill GCI_LEN, 1, 0
packet:
	.fill 512, 1, 0
