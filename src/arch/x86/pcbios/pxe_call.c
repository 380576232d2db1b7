/* Calling the loading ROM's PXE API (!PXE or PXENV+) from 32-bit Keel, and base memory for it. */
#include <string.h>
#include <errno.h>
#include <keel/debug.h>
#include <keel/errors.h>
#include <keel/io.h>
#include <x86/bios.h>
#include <x86/pxe_call.h>
#include <x86/realmode.h>

/** How the API is entered */
enum pxe_entry_kind {
	PXE_ENTRY_NONE = 0,
	/** !PXE EntryPointSP: opcode and parameters on the stack */
	PXE_ENTRY_BANG,
	/** PXENV+ RMEntry: BX = opcode, ES:DI = parameters */
	PXE_ENTRY_PLUS,
};

static enum pxe_entry_kind pxe_entry_kind;
static struct pxe_segoff pxe_entry;

/** BIOS data area: free base memory in KiB */
#define BDA_BASEMEM ((volatile uint16_t *)0x413)

/** Bytes of @len at @p sum to zero (mod 256) */
static int pxe_checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *b++);
	return sum == 0;
}

/** A far pointer that is plausibly inside real-mode memory */
static int pxe_segoff_ok(struct pxe_segoff so, size_t len)
{
	uint32_t lin = ((uint32_t)so.segment << 4) + so.offset;

	return so.segment != 0 && lin >= 0x400 && lin + len <= 0x100000;
}

static int pxe_bang_ok(struct pxe_segoff so)
{
	const struct pxe_ppxe *bang;

	if (!pxe_segoff_ok(so, PXE_PPXE_STRUCT_LEN))
		return 0;
	bang = real_to_virt(so.segment, so.offset);
	return memcmp(bang->signature, "!PXE", 4) == 0 &&
	       bang->length >= PXE_PPXE_STRUCT_LEN &&
	       pxe_segoff_ok(so, bang->length) &&
	       pxe_checksum_ok(bang, bang->length) &&
	       bang->entry_sp.segment != 0;
}

static int pxe_plus_ok(struct pxe_segoff so)
{
	const struct pxe_pxenv *plus;

	/* Stacks before 2.1 have a shorter structure without ppxe */
	if (!pxe_segoff_ok(so, offsetof(struct pxe_pxenv, ppxe)))
		return 0;
	plus = real_to_virt(so.segment, so.offset);
	return memcmp(plus->signature, "PXENV+", 6) == 0 &&
	       plus->length >= offsetof(struct pxe_pxenv, ppxe) &&
	       pxe_segoff_ok(so, plus->length) &&
	       pxe_checksum_ok(plus, plus->length) &&
	       plus->rm_entry.segment != 0;
}

/** Choose the entry from a PXENV+ and/or !PXE pointer (either may be 0) */
static int pxe_api_choose(struct pxe_segoff plus_so, struct pxe_segoff bang_so)
{
	const struct pxe_pxenv *plus = NULL;
	const struct pxe_ppxe *bang;

	if (pxe_plus_ok(plus_so))
		plus = real_to_virt(plus_so.segment, plus_so.offset);
	/* A 2.1 PXENV+ names its !PXE when the caller gave none */
	if (!pxe_bang_ok(bang_so) && plus && plus->version >= 0x0201 &&
	    plus->length >= PXE_PXENV_STRUCT_LEN)
		bang_so = plus->ppxe;
	if (pxe_bang_ok(bang_so)) {
		bang = real_to_virt(bang_so.segment, bang_so.offset);
		pxe_entry = bang->entry_sp;
		pxe_entry_kind = PXE_ENTRY_BANG;
		DBG("PXE: !PXE at %04x:%04x, entry %04x:%04x\n",
		    bang_so.segment, bang_so.offset, pxe_entry.segment,
		    pxe_entry.offset);
		return 0;
	}
	if (plus) {
		pxe_entry = plus->rm_entry;
		pxe_entry_kind = PXE_ENTRY_PLUS;
		DBG("PXE: PXENV+ %04x at %04x:%04x, entry %04x:%04x\n",
		    plus->version, plus_so.segment, plus_so.offset,
		    pxe_entry.segment, pxe_entry.offset);
		return 0;
	}
	return -ENODEV;
}

int pxe_api_find(void)
{
	struct pxe_segoff plus_so = {0, 0}, bang_so = {0, 0};
	uint32_t plus_far, bang_far;
	struct rm_regs regs;

	if (pxe_entry_kind != PXE_ENTRY_NONE)
		return 0;
	/* What the ROM handed the NBP at entry, as the prefix saved it */
	if (pxe_loader_entry(&plus_far, &bang_far) == 0) {
		plus_so.segment = (uint16_t)(plus_far >> 16);
		plus_so.offset = (uint16_t)plus_far;
		bang_so.segment = (uint16_t)(bang_far >> 16);
		bang_so.offset = (uint16_t)bang_far;
		if (pxe_api_choose(plus_so, bang_so) == 0)
			return 0;
	}
	/* The installation check every PXE stack answers */
	memset(&regs, 0, sizeof(regs));
	regs.eax = 0x5650;
	rm_int(0x1a, &regs);
	if ((regs.flags & RM_CF) || (regs.eax & 0xffff) != 0x564e)
		return errctx(-ENODEV, "no PXE stack was found");
	plus_so.segment = regs.es;
	plus_so.offset = (uint16_t)regs.ebx;
	bang_so.segment = 0;
	bang_so.offset = 0;
	if (pxe_api_choose(plus_so, bang_so) != 0)
		return errctx(-ENODEV, "the PXE stack's structures are "
				       "corrupt");
	return 0;
}

int pxe_api_present(void)
{
	return pxe_entry_kind != PXE_ENTRY_NONE;
}

int pxe_call(unsigned int opcode, void *params)
{
	uint32_t lin = (uint32_t)virt_to_phys(params);
	uint16_t seg = (uint16_t)(lin >> 4), off = (uint16_t)(lin & 15);
	uint16_t args[3];
	struct rm_regs regs;
	uint16_t status;

	if (pxe_entry_kind == PXE_ENTRY_NONE)
		return errctx(-ENODEV, "the PXE stack is not loaded");
	if (lin >= 0xa0000)
		return -EFAULT;
	memset(&regs, 0, sizeof(regs));
	if (pxe_entry_kind == PXE_ENTRY_BANG) {
		args[0] = (uint16_t)opcode;
		args[1] = off;
		args[2] = seg;
		rm_farcall(pxe_entry.segment, pxe_entry.offset, &regs, args,
			   3);
	} else {
		regs.es = seg;
		regs.edi = off;
		regs.ebx = opcode;
		rm_farcall(pxe_entry.segment, pxe_entry.offset, &regs, NULL,
			   0);
	}
	status = *(volatile uint16_t *)params;
	if ((regs.eax & 0xffff) == PXENV_EXIT_SUCCESS)
		return 0;
	DBG("PXE: call %04x failed, status %02x\n", opcode, status);
	if (status == PXENV_STATUS_UNSUPPORTED ||
	    status == PXENV_STATUS_BAD_FUNC ||
	    status == PXENV_STATUS_UNDI_INVALID_FUNCTION)
		return errctx(-ENOTSUP,
			      "the PXE stack does not offer call %04x",
			      opcode);
	if (status == PXENV_STATUS_OUT_OF_RESOURCES)
		return errctx(-ENOBUFS, "the PXE stack is out of resources "
					"(call %04x)",
			      opcode);
	return errctx(-EIO, "the PXE stack failed call %04x with status %02x",
		      opcode, status);
}

void pxe_unload(void)
{
	union {
		struct pxe_status_only s;
		struct pxe_unload_stack unload;
	} *p;
	int rc;

	if (pxe_entry_kind == PXE_ENTRY_NONE)
		return;
	p = rm_scratch();
	memset(p, 0, sizeof(*p));
	pxe_call(PXENV_UNDI_SHUTDOWN, &p->s);
	memset(p, 0, sizeof(*p));
	rc = pxe_call(PXENV_UNLOAD_STACK, &p->unload);
	memset(p, 0, sizeof(*p));
	if (rc == 0)
		pxe_call(PXENV_STOP_UNDI, &p->s);
	/* Whatever happened, the entry points may be gone now */
	pxe_entry_kind = PXE_ENTRY_NONE;
}

int pxe_basemem_alloc(struct pxe_basemem *mem, size_t len)
{
	uint16_t kib_now = *BDA_BASEMEM;
	unsigned int kib = (unsigned int)((len + 1023) / 1024);

	/* Keep the first 64 KiB, where the IVT, BDA and boot code live */
	if (kib_now > 640 || kib_now < kib + 64)
		return errctx(-ENOMEM, "base memory is full (%u KiB free)",
			      kib_now);
	mem->prev_kib = kib_now;
	mem->kib = kib;
	*BDA_BASEMEM = (uint16_t)(kib_now - kib);
	mem->seg = (uint16_t)(*BDA_BASEMEM * 64);
	mem->ptr = real_to_virt(mem->seg, 0);
	mem->len = (size_t)kib * 1024;
	memset(mem->ptr, 0, mem->len);
	return 0;
}

void pxe_basemem_free(struct pxe_basemem *mem)
{
	if (!mem->ptr)
		return;
	if (*BDA_BASEMEM == mem->prev_kib - mem->kib)
		*BDA_BASEMEM = mem->prev_kib;
	mem->ptr = NULL;
}
