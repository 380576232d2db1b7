/* Shared by every real-mode prefix: the prefix_info layout and constants. */

#define PREFIX_MAGIC 0x4c45454b
#define PREFIX_TYPE_LKRN 1
#define PREFIX_TYPE_PXE 2
#define PREFIX_TYPE_KPXE 3
#define PREFIX_TYPE_ROM 4
/* Offsets in struct prefix_info (src/arch/x86/include/x86/bios.h) */
#define PI_CMDLINE 8
#define PI_INITRD 12
#define PI_INITRD_LEN 16
#define PI_RET_SP 20
#define PI_RET_SS 22
#define PI_PXENV_OFF 24
#define PI_PXENV_SEG 26
#define PI_PPXE_OFF 28
#define PI_PPXE_SEG 30
#define PI_ROM_SEG 32
#define PI_ROM_BUSDEVFN 34
#define PI_ROM_FLAGS 36
#define PI_LEN 40
/* PI_ROM_FLAGS: the option ROM was started through its INT 19h hook */
#define PI_ROM_VIA_INT19 1

/* The flat GDT every prefix loads: 0x10 flat 32-bit code, 0x18 flat
 * 32-bit data (prefix_pm16.h, lkrn32prefix.S); after a .balign 8 */
.macro PREFIX_FLAT_GDT
	.quad 0
	.quad 0
	.quad 0x00cf9a000000ffff
	.quad 0x00cf92000000ffff
.endm

/* A struct prefix_info for a prefix of TYPE, every other field 0; after a
 * .balign 4 */
.macro PREFIX_INFO type
	.long PREFIX_MAGIC, \type, 0, 0, 0
	.fill PI_LEN - 20, 1, 0
.endm

/* Where every payload runs first: its link address */
#define PAYLOAD_BASE 0x100000


/* keel.lkrn's protected-mode part (lkrn32prefix.S): where the real-mode
 * setup code enters it, from its start */
#define LKRN32_ENTRY_SETUP 16

/* Offsets in the Linux boot protocol's struct boot_params (the zero page) */
#define BP_CODE32_START 0x214
#define BP_RAMDISK_IMAGE 0x218
#define BP_RAMDISK_SIZE 0x21c
#define BP_CMD_LINE_PTR 0x228

/* Offset of run_len in struct kz_header (unkz.h) */
#define KZ_RUN_LEN 20
