/* The PXE API's entry points: real mode (PXENV+, !PXE, INT 1Ah) and 16-bit protected mode (!PXE) into 32-bit C and back, and NBP start/return. */

/* Selectors: the transition layer's GDT (rmthunk.S), then two of our own */
#define CODE16_SEL 0x08
#define CODE32_SEL 0x10
#define DATA32_SEL 0x18
#define DATA16_SEL 0x20
#define PXE_CODE16_SEL 0x28
#define PXE_DATA16_SEL 0x30

/* Offsets of the block header (struct pxe_block_header in x86/pxe_api.h) */
#define H_PM_ENTRY 0
#define H_NBP_RET 6
#define H_REAL_VEC 12
#define H_SAVED_SP 16
#define H_OPCODE 20
#define H_PARAM_OFF 22
#define H_PARAM_SEG 24
#define H_EXIT 26
#define H_OLD_1A 28
#define H_PXENV_OFF 32
#define H_GDT_DESC 34
#define H_IDT_DESC 40
#define H_OLD_15 104
#define H_E820_OFF 108
#define H_E801_LOW 110
#define H_E801_HIGH 112
#define H_BUSY 114
#define H_E820_COUNT 116
#define H_CALLER_ESP 120
#define H_CALLER_SS 124
#define H_PM_CALL 126
#define H_CALLER_FRAME 128
#define H_CALLER_GDT 132
#define H_CALLER_IDT 138
#define H_LEN 144

/* The caller's frame on its stack at a protected-mode call (from the
 * lowest address): GS, FS, ES, DS, PUSHAL, EFLAGS, IP, CS, then the
 * opcode, parameter offset and selector */
#define F_EAX 36
#define F_EFLAGS 40
#define F_OPCODE 48
#define F_PARAM_OFF 50
#define F_PARAM_SEL 52
/* CR0.PG: Keel's code runs with paging off only */
#define CR0_PG 0x80000000
/* Descriptor bit that makes a stack segment use ESP (LAR's result) */
#define DESC_B 0x00400000

#define SMAP 0x534d4150

#define R(x) ((x) - pxe_text_start)

/*
 * Copied to offset 0 of Keel's PXE block in base memory and run with CS =
 * the block's segment; position-independent. Interrupts stay off from
 * entry until the caller's FLAGS come back.
 */
	.section .text16, "ax"
	.code16
	.globl pxe_text_start
pxe_text_start:
	.fill H_LEN, 1, 0	/* the header; pxe_api.c fills it in */

/* !PXE entry: far call, stack = return, opcode, parameter offset, segment */
	.globl pxe_ppxe_entry
pxe_ppxe_entry:
	pushfw
	cli
	cmpb $0, %cs:H_BUSY
	jne pxe_busy
	pushw %bp
	movw %sp, %bp
	pushw %ax
	movw 8(%bp), %ax
	movw %ax, %cs:H_OPCODE
	movw 10(%bp), %ax
	movw %ax, %cs:H_PARAM_OFF
	movw 12(%bp), %ax
	movw %ax, %cs:H_PARAM_SEG
	popw %ax
	popw %bp
	jmp pxe_enter

/* PXENV+ entry: far call, BX = opcode, ES:DI = parameter block */
	.globl pxe_pxenv_entry
pxe_pxenv_entry:
	pushfw
	cli
	cmpb $0, %cs:H_BUSY
	jne pxe_busy
	movw %bx, %cs:H_OPCODE
	movw %di, %cs:H_PARAM_OFF
	movw %es, %cs:H_PARAM_SEG
pxe_enter:
	movb $1, %cs:H_BUSY
	pushal
	pushw %ds
	pushw %es
	pushw %fs
	pushw %gs
	movw %sp, %cs:H_SAVED_SP
	movw %ss, %cs:H_SAVED_SP + 2
	lgdtl %cs:H_GDT_DESC
	movl %cr0, %eax
	orb $1, %al
	movl %eax, %cr0
	ljmpl *%cs:H_PM_ENTRY

/*
 * !PXE EntryPointESP: a far call from 16-bit protected mode, with CS a
 * descriptor of the caller's whose base is this block; on the stack the
 * return address, opcode, parameter offset and selector. The caller's
 * GDTR, IDTR and stack go into the header; Keel's GDT comes in for the
 * call, and the caller's goes back before the return (pxe_pm_exit).
 * Reads go through CS (a readable code segment), writes through Keel's
 * own data selector once its GDT is loaded.
 */
	.globl pxe_esp_entry
pxe_esp_entry:
	/* Called from real mode after all: the real-mode entry serves */
	pushw %ax
	smsw %ax
	testb $1, %al
	popw %ax
	jz pxe_ppxe_entry
	pushfl
	cli
	pushal
	pushw %ds
	pushw %es
	pushw %fs
	pushw %gs
	movl %cr0, %eax
	testl $CR0_PG, %eax
	jnz pxe_esp_refuse
	cmpb $0, %cs:H_BUSY
	jne pxe_esp_refuse
	/* A 16-bit stack segment addresses with SP alone */
	movl %esp, %ebp
	movw %ss, %ax
	larl %eax, %ebx
	testl $DESC_B, %ebx
	jnz 1f
	movzwl %sp, %ebp
1:	subl $12, %esp
	sgdtl %ss:-12(%ebp)
	sidtl %ss:-6(%ebp)
	lgdtl %cs:H_GDT_DESC
	movw $PXE_DATA16_SEL, %ax
	movw %ax, %ds
	movl %ss:-12(%ebp), %eax
	movl %eax, H_CALLER_GDT
	movw %ss:-8(%ebp), %ax
	movw %ax, H_CALLER_GDT + 4
	movl %ss:-6(%ebp), %eax
	movl %eax, H_CALLER_IDT
	movw %ss:-2(%ebp), %ax
	movw %ax, H_CALLER_IDT + 4
	addl $12, %esp
	movw %ss, H_CALLER_SS
	movl %esp, H_CALLER_ESP
	movl %ebp, H_CALLER_FRAME
	movw %ss:F_OPCODE(%ebp), %ax
	movw %ax, H_OPCODE
	movw %ss:F_PARAM_OFF(%ebp), %ax
	movw %ax, H_PARAM_OFF
	movw %ss:F_PARAM_SEL(%ebp), %ax
	movw %ax, H_PARAM_SEG
	movb $1, H_PM_CALL
	movb $1, H_BUSY
	ljmpl *H_PM_ENTRY

/* Paging on, or a call in progress: fail at once, nothing changed */
pxe_esp_refuse:
	popw %gs
	popw %fs
	popw %es
	popw %ds
	popal
	popfl
	movw $1, %ax
	stc
	lret

/*
 * A call made while another is in progress (from an interrupt handler
 * that ran while Keel had interrupts on in real mode) fails at once
 */
pxe_busy:
	popfw
	movw $1, %ax
	stc
	lret

/* Back from C in 16-bit protected mode (CS = PXE_CODE16_SEL) */
pxe_exit16:
	movw $PXE_DATA16_SEL, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl %cr0, %eax
	andb $0xfe, %al
	movl %eax, %cr0
	ljmp *%cs:H_REAL_VEC
	.globl pxe_exit_real
pxe_exit_real:
	lidtl %cs:H_IDT_DESC
	lss %cs:H_SAVED_SP, %sp
	popw %gs
	popw %fs
	popw %es
	popw %ds
	popal
	movw %cs:H_EXIT, %ax
	movb $0, %cs:H_BUSY
	popfw
	testw %ax, %ax
	jz 1f
	stc
	lret
1:	clc
	lret

/* INT 1Ah: AX = 5650h finds PXENV+ (AX = 564Eh, ES:BX, CF clear) */
	.globl pxe_int1a
pxe_int1a:
	cmpw $0x5650, %ax
	je 1f
	ljmp *%cs:H_OLD_1A
1:	movw $0x564e, %ax
	movw %cs, %bx
	movw %bx, %es
	movw %cs:H_PXENV_OFF, %bx
	pushw %bp
	movw %sp, %bp
	andb $0xfe, 6(%bp)
	popw %bp
	iret

/*
 * INT 15h: the memory map without the memory Keel still uses while the
 * NBP runs (E820h from a table pxe_api.c builds, E801h and 88h from it)
 */
	.globl pxe_int15
pxe_int15:
	cmpl $0xe820, %eax
	je pxe_int15_e820
	cmpw $0xe801, %ax
	je pxe_int15_e801
	cmpb $0x88, %ah
	je pxe_int15_88
pxe_int15_chain:
	ljmp *%cs:H_OLD_15
pxe_int15_e820:
	cmpl $SMAP, %edx
	jne pxe_int15_chain
	cmpl $20, %ecx
	jb pxe_int15_fail
	cmpl %cs:H_E820_COUNT, %ebx
	jae pxe_int15_fail
	pushw %ds
	pushw %si
	pushw %di
	pushw %cx
	imulw $20, %bx, %si
	addw %cs:H_E820_OFF, %si
	pushw %cs
	popw %ds
	movw $10, %cx
	cld
	rep movsw
	popw %cx
	popw %di
	popw %si
	popw %ds
	incl %ebx
	cmpl %cs:H_E820_COUNT, %ebx
	jb 1f
	xorl %ebx, %ebx
1:	movl $SMAP, %eax
	movl $20, %ecx
	jmp pxe_iret_clc
pxe_int15_e801:
	movw %cs:H_E801_LOW, %ax
	movw %ax, %cx
	movw %cs:H_E801_HIGH, %bx
	movw %bx, %dx
	jmp pxe_iret_clc
pxe_int15_88:
	movw %cs:H_E801_LOW, %ax
	jmp pxe_iret_clc
pxe_int15_fail:
	pushw %bp
	movw %sp, %bp
	orb $1, 6(%bp)
	popw %bp
	iret
pxe_iret_clc:
	pushw %bp
	movw %sp, %bp
	andb $0xfe, 6(%bp)
	popw %bp
	iret

/* The NBP's return address: back into Keel for good, AX = its status */
	.globl pxe_nbp_return
pxe_nbp_return:
	cli
	movw %ax, %cs:H_EXIT
	lgdtl %cs:H_GDT_DESC
	movl %cr0, %eax
	orb $1, %al
	movl %eax, %cr0
	ljmpl *%cs:H_NBP_RET

	.globl pxe_text_end
pxe_text_end:

/* The 32-bit half */
	.text
	.code32

/* An API call arrives: run the dispatcher on Keel's stack, then go back */
	.globl pxe_pm_entry
pxe_pm_entry:
	movw $DATA32_SEL, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl pxe_nbp_esp, %esp
	cld
	call pxe_api_dispatch
	movl pxe_block_base, %eax
	cmpb $0, H_PM_CALL(%eax)
	jne pxe_pm_exit
	/* A real-mode call made by C left the transition layer's GDT */
	lgdt H_GDT_DESC(%eax)
	ljmp $PXE_CODE16_SEL, $R(pxe_exit16)

/*
 * Back to a 16-bit protected-mode caller (%eax = the block): its GDT and
 * IDT, its stack, the exit code in its AX and CF, its registers, then a
 * 16-bit far return
 */
pxe_pm_exit:
	movb $0, H_PM_CALL(%eax)
	lgdt H_CALLER_GDT(%eax)
	lidt H_CALLER_IDT(%eax)
	movzwl H_EXIT(%eax), %edx
	movl H_CALLER_FRAME(%eax), %ebx
	movb $0, H_BUSY(%eax)
	lss H_CALLER_ESP(%eax), %esp
	movw %dx, %ss:F_EAX(%ebx)
	andl $~1, %ss:F_EFLAGS(%ebx)
	testw %dx, %dx
	jz 1f
	orl $1, %ss:F_EFLAGS(%ebx)
1:	popw %gs
	popw %fs
	popw %es
	popw %ds
	popal
	popfl
	lretw

/*
 * uint16_t pxe_run_nbp(const struct rm_regs *regs, uint16_t ss, uint16_t sp):
 * keep this frame for API calls and the NBP's return, then jump to the NBP.
 */
	.globl pxe_run_nbp
pxe_run_nbp:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, pxe_nbp_esp
	pushl 28(%esp)
	pushl 28(%esp)
	pushl 28(%esp)
	call pxe_nbp_jump
2:	hlt
	jmp 2b

/* The NBP returned: resume pxe_run_nbp's caller */
	.globl pxe_pm_nbp_return
pxe_pm_nbp_return:
	movw $DATA32_SEL, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl pxe_nbp_esp, %esp
	movl pxe_block_base, %eax
	movzwl H_EXIT(%eax), %eax
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.section .bss
	.balign 4
	.globl pxe_nbp_esp
pxe_nbp_esp:
	.long 0

	.section .note.GNU-stack, "", @progbits
