/* keel.lkrn's protected-mode part: the 32-bit boot protocol's entry, then the payload's decoder. */
#include "prefix_defs.h"

/*
 * A Linux loader puts this, followed by the compressed payload, at
 * code32_start (1 MiB). It is entered in one of two ways:
 *
 * - at offset 0, by a loader that speaks the 32-bit boot protocol (GRUB's
 *   linux on a BIOS): flat 32-bit segments 0x10 and 0x18 in the loader's
 *   GDT, interrupts off, %esi = the struct boot_params (the zero page),
 *   no stack. The command line and initrd are taken from boot_params.
 *   A20 is on (this code runs at 1 MiB); the loader left the IVT and the
 *   BIOS data area alone, so that the payload can call the BIOS.
 *
 * - at LKRN32_ENTRY_SETUP, from the real-mode setup code (lkrnprefix.S)
 *   through prefix_to_pm: %ebx = the linear address of this code, %ebp =
 *   the setup code's struct prefix_info, filled in.
 *
 * Either way the payload is decompressed above itself, in the memory
 * that the header's init_size asks the loader to leave free.
 */
	.code32
	.text
	.org 0
lkrn32_entry:
	cli
	cld
	movl BP_CODE32_START(%esi), %ebx
	jmp lkrn32_boot

	.org LKRN32_ENTRY_SETUP
lkrn32_setup:
	jmp lkrn32_unpack

lkrn32_boot:
	/* Where the loader jumped: a loader that did not copy the setup
	 * header into boot_params loaded a non-relocatable kernel at 1 MiB */
	testl %ebx, %ebx
	jnz 1f
	movl $PAYLOAD_BASE, %ebx
1:	/* A GDT of our own: the loader's may lie where the payload unpacks */
	leal lkrn32_gdt(%ebx), %eax
	movl %eax, lkrn32_gdtr + 2(%ebx)
	lgdtl lkrn32_gdtr(%ebx)
	leal 2f(%ebx), %eax
	movl %eax, lkrn32_far(%ebx)
	ljmpl *lkrn32_far(%ebx)
2:	movw $0x18, %ax
	movw %ax, %ds
	movw %ax, %es
	/* What the loader gave: the command line and the initrd */
	leal lkrn32_info(%ebx), %ebp
	movl BP_CMD_LINE_PTR(%esi), %eax
	movl %eax, PI_CMDLINE(%ebp)
	movl BP_RAMDISK_IMAGE(%esi), %eax
	movl %eax, PI_INITRD(%ebp)
	movl BP_RAMDISK_SIZE(%esi), %eax
	movl %eax, PI_INITRD_LEN(%ebp)

	/* %ebx = this code, %ebp = the struct prefix_info */
lkrn32_unpack:
	movw $0x18, %ax
	movw %ax, %ds
	movw %ax, %es
	movl %ebx, %esi
	movl lkrn32_len(%ebx), %ecx
	leal payload(%ebx), %ebx
	leal 4095(%ebx,%ecx), %edi
	andl $~4095, %edi
	jmp prefix_pm32

	.balign 8
lkrn32_gdt:
	PREFIX_FLAT_GDT
lkrn32_gdtr:
	.word 0x1f
	.long 0
lkrn32_far:
	.long 0
	.word 0x10

	.balign 4
lkrn32_info:
	PREFIX_INFO PREFIX_TYPE_LKRN
	.ascii "KPLN"		/* mkbios writes the payload's length after this */
lkrn32_len:
	.long 0

#include "prefix_pm32.h"

	/* After everything, the decompressor included (see prefix.lds) */
	.section .prefix.end, "a"
payload:
