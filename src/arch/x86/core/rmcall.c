/* The transition layer: real-mode calls from 32-bit C through a base-memory trampoline. */
#include <string.h>
#include <keel/io.h>
#include <x86/asmcall.h>
#include <x86/realmode.h>

/** The trampoline block's header, at its offset 0 (see rmthunk.S) */
struct rm_tramp {
	uint16_t target_ip, target_cs;
	uint16_t jump_sp, jump_ss;
	uint16_t out_sp;
	uint8_t mode, pad;
	uint16_t real_ip, real_cs;
	uint32_t pm_ret_off;
	uint16_t pm_ret_sel;
	uint16_t pad2;
	uint16_t gdt_limit;
	uint32_t gdt_base;
	uint16_t idt_limit;
	uint32_t idt_base;
	uint32_t pad3;
	uint64_t gdt[5];
} __attribute__((packed));

#define MODE_PUSHF 1
#define MODE_JUMP 2

/** The register frame the trampoline pops: rm_regs without FLAGS */
#define RM_FRAME_LEN offsetof(struct rm_regs, flags)

extern char rm_text_start[], rm_text_end[];
extern void rm_pm_return(void);
extern __asmcall uint16_t rm_thunk(uint16_t sp);
extern __asmcall void rm_load_gdt(void *desc);

uint16_t rm_seg;
/** KiB taken from base memory, and the free-memory word we saw then */
static unsigned int rm_kib;
static uint16_t rm_prev_basemem;

/** BIOS data area: free base memory in KiB */
#define BDA_BASEMEM ((volatile uint16_t *)0x413)

static inline size_t rm_code_len(void)
{
	return (size_t)(rm_text_end - rm_text_start);
}

/* Block layout: code, then the stack, then the scratch buffer */
static inline size_t rm_stack_top(void)
{
	return (rm_code_len() + RM_STACK_SIZE + 15) & ~(size_t)15;
}

static inline struct rm_tramp *rm_tramp(void)
{
	return real_to_virt(rm_seg, 0);
}

/** A GDT descriptor: base, limit (bytes, or 4 KiB pages with @flags 0xc) */
static uint64_t rm_gdt_entry(uint32_t base, uint32_t limit, uint8_t access,
			     uint8_t flags)
{
	return (uint64_t)(limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) |
	       ((uint64_t)access << 40) |
	       ((uint64_t)(((limit >> 16) & 0xf) | (flags << 4)) << 48) |
	       ((uint64_t)(base >> 24) << 56);
}

void rm_install(void)
{
	struct rm_tramp *t;
	uint32_t base;

	if (!rm_seg) {
		rm_kib = (unsigned int)((rm_stack_top() + RM_SCRATCH_SIZE +
					 1023) / 1024);
		rm_prev_basemem = *BDA_BASEMEM;
		*BDA_BASEMEM = (uint16_t)(rm_prev_basemem - rm_kib);
		rm_seg = (uint16_t)(*BDA_BASEMEM * 64);
	}
	base = (uint32_t)rm_seg << 4;
	t = rm_tramp();
	memcpy(t, rm_text_start, rm_code_len());
	t->real_cs = rm_seg;
	t->pm_ret_off = (uint32_t)rm_pm_return;
	t->gdt[0] = 0;
	t->gdt[1] = rm_gdt_entry(base, 0xffff, 0x9a, 0x0);
	t->gdt[2] = rm_gdt_entry(0, 0xfffff, 0x9a, 0xc);
	t->gdt[3] = rm_gdt_entry(0, 0xfffff, 0x92, 0xc);
	t->gdt[4] = rm_gdt_entry(base, 0xffff, 0x92, 0x0);
	t->gdt_limit = sizeof(t->gdt) - 1;
	t->gdt_base = base + offsetof(struct rm_tramp, gdt);
	rm_load_gdt(&t->gdt_limit);
}

void rm_uninstall(void)
{
	/* Only the latest allocation can be given back */
	if (rm_seg && *BDA_BASEMEM == rm_prev_basemem - rm_kib)
		*BDA_BASEMEM = rm_prev_basemem;
}

unsigned int rm_basemem_kib(void)
{
	return rm_kib;
}

/** Lay the register frame and @args on the stack and make the call */
static void rm_call(uint8_t mode, uint16_t cs, uint16_t ip,
		    struct rm_regs *regs, const uint16_t *args,
		    unsigned int nargs)
{
	struct rm_tramp *t = rm_tramp();
	uint16_t sp, out_sp;

	if (nargs > RM_MAX_ARGS)
		nargs = RM_MAX_ARGS;
	sp = (uint16_t)(rm_stack_top() - RM_FRAME_LEN - 2 * nargs);
	memcpy(real_to_virt(rm_seg, sp), regs, RM_FRAME_LEN);
	if (nargs)
		memcpy(real_to_virt(rm_seg, sp + RM_FRAME_LEN), args,
		       2 * nargs);
	t->target_cs = cs;
	t->target_ip = ip;
	t->mode = mode;
	out_sp = rm_thunk(sp);
	(void)out_sp;
	memcpy(regs, real_to_virt(rm_seg, t->out_sp), sizeof(*regs));
}

void rm_int(unsigned int vector, struct rm_regs *regs)
{
	uint32_t vec =
		*(volatile uint32_t *)phys_to_virt((vector & 0xff) * 4);

	rm_call(MODE_PUSHF, (uint16_t)(vec >> 16), (uint16_t)vec, regs, NULL,
		0);
}

void rm_farcall(uint16_t cs, uint16_t ip, struct rm_regs *regs,
		const uint16_t *args, unsigned int nargs)
{
	rm_call(0, cs, ip, regs, args, nargs);
}

void rm_jump(uint16_t cs, uint16_t ip, uint16_t ss, uint16_t sp,
	     const struct rm_regs *regs)
{
	struct rm_tramp *t = rm_tramp();
	struct rm_regs copy = *regs;

	t->jump_ss = ss;
	t->jump_sp = sp;
	rm_call(MODE_JUMP, cs, ip, &copy, NULL, 0);
	for (;;)
		;
}

void *rm_scratch(void)
{
	return real_to_virt(rm_seg, rm_scratch_off());
}

uint16_t rm_scratch_seg(void)
{
	return rm_seg;
}

uint16_t rm_scratch_off(void)
{
	return (uint16_t)rm_stack_top();
}
