/* The transition layer's code: 32-bit protected mode to real mode and back. */

/* Selectors of the GDT that Keel keeps in the trampoline block */
#define CODE16_SEL 0x08
#define CODE32_SEL 0x10
#define DATA32_SEL 0x18
#define DATA16_SEL 0x20

/* Offsets of the trampoline's header (struct rm_tramp in rmcall.c) */
#define T_TARGET 0
#define T_JUMP_STACK 4
#define T_OUT_SP 8
#define T_MODE 10
#define T_REAL_VEC 12
#define T_PM_RET_VEC 16
#define T_GDT_DESC 24
#define T_IDT_DESC 30
#define T_GDT 40
#define T_CODE 80

#define MODE_PUSHF 1
#define MODE_JUMP 2

#define R(x) ((x) - rm_text_start)

/*
 * The trampoline: copied to offset 0 of the base-memory block, where it
 * runs with CS = the block's segment. It refers to itself only through
 * offsets from its start, so it needs no relocation.
 */
	.section .text16, "ax"
	.code16
	.globl rm_text_start
rm_text_start:
	/* The header; rmcall.c fills it in */
	.word 0, 0		/* target ip, cs */
	.word 0, 0		/* jump sp, ss */
	.word 0			/* out sp */
	.byte 0, 0		/* mode */
	.word R(rm_real), 0	/* real-mode entry: ip, cs (patched) */
	.long 0			/* protected-mode return: offset (patched) */
	.word CODE32_SEL
	.word 0
	.word 0, 0, 0		/* GDT descriptor */
	.word 0x3ff, 0, 0	/* real-mode IVT descriptor */
	.long 0
	.fill 40, 1, 0		/* GDT */

	/* Entered from rm_thunk in 16-bit protected mode, %ax = stack */
rm_pm16:
	movw $DATA16_SEL, %bx
	movw %bx, %ds
	movw %bx, %es
	movw %bx, %fs
	movw %bx, %gs
	movw %bx, %ss
	movl %cr0, %ebx
	andb $0xfe, %bl
	movl %ebx, %cr0
	ljmp *%cs:T_REAL_VEC
rm_real:
	movw %cs, %bx
	movw %bx, %ss
	movw %ax, %sp
	lidt %cs:T_IDT_DESC
	popw %gs
	popw %fs
	popw %es
	popw %ds
	popal
	testb $MODE_JUMP, %cs:T_MODE
	jnz rm_do_jump
	sti
	testb $MODE_PUSHF, %cs:T_MODE
	jz 1f
	pushfw
	cli
1:	lcall *%cs:T_TARGET
	pushfw
	cli
	cld
	pushal
	pushw %ds
	pushw %es
	pushw %fs
	pushw %gs
	movw %sp, %cs:T_OUT_SP
	lgdtl %cs:T_GDT_DESC
	movl %cr0, %eax
	orb $1, %al
	movl %eax, %cr0
	ljmpl *%cs:T_PM_RET_VEC

rm_do_jump:
	lss %cs:T_JUMP_STACK, %sp
	sti
	ljmp *%cs:T_TARGET

	.globl rm_text_end
rm_text_end:

/* The 32-bit half */
	.text
	.code32

/*
 * uint16_t rm_thunk(uint16_t sp): enter the trampoline with the real-mode
 * stack at @sp (the register frame on it), return the stack pointer at
 * which the trampoline left the registers after the call.
 */
	.globl rm_thunk
rm_thunk:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl 20(%esp), %eax
	movl %esp, rm_saved_esp
	ljmp $CODE16_SEL, $R(rm_pm16)

	.globl rm_pm_return
rm_pm_return:
	movw $DATA32_SEL, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl rm_saved_esp, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

/* void rm_load_gdt(void *desc): load a GDT whose flat selectors match ours */
	.globl rm_load_gdt
rm_load_gdt:
	movl 4(%esp), %eax
	lgdt (%eax)
	ljmp $CODE32_SEL, $1f
1:	movw $DATA32_SEL, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	ret

	.section .bss
	.balign 4
rm_saved_esp:
	.long 0

	.section .note.GNU-stack, "", @progbits
