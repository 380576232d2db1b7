/* keel.lkrn: a Linux bzImage; this is its real-mode setup, which enters the protected-mode part. */
#include "prefix_defs.h"
	.code16
	.text
	.org 0
/* Boot sector: only reached if someone boots the image as a floppy */
bootsect:
	ljmp $0x07c0, $1f - bootsect
1:	movw %cs, %ax
	movw %ax, %ds
	movw $bootsect_msg, %si
2:	lodsb
	testb %al, %al
	jz 3f
	movb $0x0e, %ah
	movw $0x0007, %bx
	int $0x10
	jmp 2b
3:	int $0x18
bootsect_msg:
	.asciz "keel.lkrn is a Linux kernel image: boot it with a Linux loader\r\n"

	.org 0x1f1
setup_sects:	.byte 0			/* patched by mkbios */
root_flags:	.word 0
syssize:	.long 0			/* patched by mkbios */
ram_size:	.word 0
vid_mode:	.word 0xffff
root_dev:	.word 0
boot_flag:	.word 0xaa55
	.org 0x200
	.byte 0xeb, setup_entry - 0x202
	.ascii "HdrS"
	.word 0x020a
realmode_swtch:	.long 0
start_sys_seg:	.word 0x1000
kernel_version:	.word version_str - 0x200
type_of_loader:	.byte 0
loadflags:	.byte 0x01		/* LOADED_HIGH */
setup_move_size: .word 0
code32_start:	.long 0x100000
ramdisk_image:	.long 0
ramdisk_size:	.long 0
bootsect_kludge: .long 0
heap_end_ptr:	.word 0
ext_loader_ver:	.byte 0
ext_loader_type: .byte 0
cmd_line_ptr:	.long 0
initrd_addr_max: .long 0x7fffffff
kernel_alignment: .long 0x1000
relocatable_kernel: .byte 0
min_alignment:	.byte 0
xloadflags:	.word 0
cmdline_size:	.long 0x7ff
hardware_subarch: .long 0
hardware_subarch_data: .quad 0
payload_offset:	.long 0
payload_length:	.long 0
setup_data:	.quad 0
pref_address:	.quad 0x100000
init_size:	.long 0			/* patched by mkbios */
handover_offset: .long 0

version_str:
	.asciz "Keel"

/* Entered at (setup segment + 0x20):0000 */
setup_entry:
	movw %cs, %ax
	subw $0x20, %ax
	pushw %ax
	pushw $1f
	lret
1:	movw %ax, %ds
	movw %ax, %es
	movzwl %ax, %ebp
	shll $4, %ebp
	addl $info, %ebp
	movl cmd_line_ptr, %eax
	movl %eax, info + PI_CMDLINE
	movl ramdisk_image, %eax
	movl %eax, info + PI_INITRD
	movl ramdisk_size, %eax
	movl %eax, info + PI_INITRD_LEN
	/* The protected-mode part (lkrn32prefix.S, then the compressed
	 * payload) is where the loader put it: code32_start. It unpacks the
	 * payload above itself, in the memory init_size asked for */
	movl code32_start, %ebx
	leal LKRN32_ENTRY_SETUP(%ebx), %edx
	jmp prefix_to_pm

	.balign 4
info:
	PREFIX_INFO PREFIX_TYPE_LKRN

#include "prefix_pm16.h"
