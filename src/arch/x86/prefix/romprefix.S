/* PCI option ROM prefix: ROM header, PCI data structure, $PnP header; the BEV decompresses and enters Keel. */
#include "prefix_defs.h"

/* "$PnP" and "$PMM" as little-endian dwords */
#define PNP_SIGNATURE 0x506e5024
#define PMM_SIGNATURE 0x4d4d5024
/* PMM allocation flags: extended memory (above 1 MiB), temporary */
#define PMM_FLAGS_EXTENDED 0x0002
/* rom_flags, set by "mkbios romint19": hook INT 19h on a PnP BIOS too */
#define ROM_FLAG_HOOK_INT19 0x01
/* BBS: what the init entry returns in AX (an IPL device is attached) */
#define BBS_IPL_ATTACHED 0x0020

	.code16
	.text
	.org 0
rom_start:
	.word 0xaa55
rom_size:
	.byte 0			/* 512-byte blocks: mkbios */
	.byte 0xe9		/* init entry: jmp near init_entry */
	.word init_entry - 6
	.byte 0
	.ascii "KEEL"		/* at offset 7: mkbios checks it */
rom_flags:
	.byte 0			/* at offset 11: ROM_FLAG_* */
	.org 0x18
	.word pcir
	.word pnp

	.balign 4
pcir:
	.ascii "PCIR"
	.word 0			/* vendor: mkbios */
	.word 0			/* device: mkbios */
	.word 0			/* device list (none) */
	.word 0x1c		/* length of this structure */
	.byte 3			/* revision: PCI 3.0 */
	.byte 0x00, 0x00, 0x02	/* class: ethernet controller */
	.word 0			/* image length in 512-byte blocks: mkbios */
	.word 0x0001		/* revision level of the code */
	.byte 0			/* code type: x86 PC-AT */
	.byte 0x80		/* indicator: last image */
	.word 0			/* maximum run-time length: mkbios */
	.word 0			/* configuration utility header (none) */
	.word 0			/* DMTF CLP entry point (none) */

	.balign 16
pnp:
	.ascii "$PnP"
	.byte 1			/* structure revision */
	.byte 2			/* length in 16-byte units */
	.word 0			/* next header (none) */
	.byte 0
	.byte 0			/* checksum: mkbios */
	.long 0			/* device identifier */
	.word manufacturer
	.word product
	.byte 0x02, 0x00, 0x00	/* device type: network, ethernet */
	.byte 0x54		/* shadowable, needed only to boot, IPL device */
	.word 0			/* boot connection vector (none) */
	.word 0			/* disconnect vector (none) */
	.word bev_entry		/* bootstrap entry vector */
	.word 0
	.word 0			/* static resource information vector (none) */

/* Written by the init entry while the BIOS keeps the ROM writable */
rom_busdevfn:
	.word 0xffff		/* AX at init: bus:dev.fn (0xffff: unknown) */
rom_pmm_addr:
	.long 0			/* PMM block for the payload, or 0 */
rom_old_int19:
	.long 0			/* INT 19h before we hooked it, or 0 */

manufacturer:
	.asciz "Keel"
product:
	.asciz "Keel network boot firmware"

/*
 * Init entry: a far call during POST, AX = bus:dev.fn, ES:DI = the PnP
 * BIOS's installation check structure if there is one. Records where the
 * NIC is, asks PMM for the memory the payload will run in, hooks INT 19h
 * for a BIOS that is not PnP (a PnP BIOS calls the BEV; with
 * ROM_FLAG_HOOK_INT19 set, INT 19h is hooked there too, so that Keel boots
 * before whatever the BIOS's boot order names), and returns.
 */
init_entry:
	pushfw
	pushw %ds
	pushw %es
	pushal
	cld
	movw %cs, %bx
	movw %bx, %ds
	movw %ax, rom_busdevfn
	cmpl $PNP_SIGNATURE, %es:(%di)
	jne 2f
	testb $ROM_FLAG_HOOK_INT19, rom_flags
	jz 1f
2:	xorw %ax, %ax
	movw %ax, %es
	movl %es:(0x19 * 4), %eax
	movl %eax, rom_old_int19
	movw $int19_entry, %es:(0x19 * 4)
	movw %cs, %es:(0x19 * 4 + 2)
1:	call pmm_alloc
	call rom_fix_checksum
	popal
	popw %es
	popw %ds
	popfw
	movw $BBS_IPL_ATTACHED, %ax
	lret

/* Allocate the payload's run-time memory through PMM, if the BIOS has it */
pmm_alloc:
	movw $0xf000, %ax
	movw %ax, %es
	xorw %di, %di
1:	cmpl $PMM_SIGNATURE, %es:(%di)
	jne 3f
	/* The structure's bytes (length at +5) add up to 0 */
	movzbw %es:5(%di), %cx
	jcxz 3f
	xorb %al, %al
	movw %di, %si
2:	addb %es:(%si), %al
	incw %si
	loop 2b
	testb %al, %al
	jz 4f
3:	addw $16, %di
	jnz 1b
	ret
4:	/* pmmAllocate(length in paragraphs, handle, flags): function 0 */
	movl payload + KZ_RUN_LEN, %eax
	addl $4096 + 15, %eax	/* room to align the payload to a page */
	shrl $4, %eax
	pushw $PMM_FLAGS_EXTENDED
	pushl $PREFIX_MAGIC
	pushl %eax
	pushw $0
	lcall *%es:7(%di)
	addw $12, %sp
	movw %cs, %bx
	movw %bx, %ds
	shll $16, %edx
	movw %ax, %dx
	cmpl $0xffffffff, %edx	/* "function not supported" */
	je 5f
	movl %edx, rom_pmm_addr
5:	ret

/* Make the whole image's bytes add up to 0 again, through its last byte */
rom_fix_checksum:
	movzbw rom_size, %cx
	movw %cs, %dx
	xorb %ah, %ah
1:	movw %dx, %ds
	xorw %si, %si
	movw $512, %bx
2:	lodsb
	addb %al, %ah
	decw %bx
	jnz 2b
	addw $32, %dx
	loop 1b
	subb %ah, 511		/* %ds is the last block's */
	movw %cs, %ax
	movw %ax, %ds
	ret

/* INT 19h, hooked: put the old handler back (Keel's exit calls it, so
 * that the BIOS then boots as it would have), then boot as from the BEV */
int19_entry:
	xorw %ax, %ax
	movw %ax, %es
	movl %cs:rom_old_int19, %eax
	movl %eax, %es:(0x19 * 4)
	movb $PI_ROM_VIA_INT19, %dl
	jmp 1f

/*
 * Bootstrap entry vector: a far call when the BIOS boots from this NIC.
 * The prefix_info goes on the BIOS's stack. Keel's exit leaves through
 * INT 18h, so that the BIOS tries its next boot device.
 */
bev_entry:
	xorb %dl, %dl
1:	cld
	movw %sp, %bp
	subw $PI_LEN, %sp
	movw %ss, %ax
	movw %ax, %es
	movw %sp, %di
	movw $PI_LEN, %cx
	xorb %al, %al
	rep stosb
	movw %sp, %di
	movl $PREFIX_MAGIC, %es:(%di)
	movl $PREFIX_TYPE_ROM, %es:4(%di)
	movw %bp, %es:PI_RET_SP(%di)
	movw %ss, %es:PI_RET_SS(%di)
	movw %cs, %es:PI_ROM_SEG(%di)
	movw %cs:rom_busdevfn, %ax
	movw %ax, %es:PI_ROM_BUSDEVFN(%di)
	movb %dl, %es:PI_ROM_FLAGS(%di)
	xorl %ebp, %ebp
	movw %ss, %bp
	shll $4, %ebp
	movzwl %sp, %eax
	addl %eax, %ebp
	xorl %ebx, %ebx
	movw %cs, %bx
	shll $4, %ebx
	addl $payload, %ebx
	movl %cs:payload_len, %ecx
	movl %cs:rom_pmm_addr, %edi
	testl %edi, %edi
	jz 1f
	addl $4095, %edi
	andl $~4095, %edi
1:	jmp prefix_enter_pm

	.balign 4
	.ascii "KPLN"		/* mkbios writes the payload's length after this */
payload_len:
	.long 0

#include "prefix_pm.h"

	/* After everything, the decompressor included (see prefix.lds) */
	.section .prefix.end, "a"
payload:
