/* Keel's caller of the loading ROM's PXE API (pxe_call.c): finding it, calling it, base memory for it. */
#ifndef X86_PXE_CALL_H
#define X86_PXE_CALL_H
#include <stddef.h>
#include <x86/pxe.h>

/** Base memory for PXE parameter blocks and frames, reachable by seg:off */
struct pxe_basemem {
	/** Linear address (virt == phys) */
	void *ptr;
	/** Segment, with offset 0 at @ptr */
	uint16_t seg;
	/** Size in bytes */
	size_t len;
	/** Free-memory word (KiB) before, to give it back */
	uint16_t prev_kib;
	unsigned int kib;
};

/**
 * Find the PXE API the loading ROM left: the pointers the prefix saved,
 * else INT 1Ah AX=5650h. Checks signatures, lengths and checksums; uses
 * !PXE if valid, else PXENV+.
 *
 * @ret rc	0 if an API entry was found, -ENODEV if none
 */
int pxe_api_find(void);

/** True once pxe_api_find() has succeeded and the stack is loaded */
int pxe_api_present(void);

/**
 * Call the PXE API. @params (inside a pxe_basemem block, or the
 * transition layer's scratch buffer) is passed as segment:offset.
 *
 * @opcode	PXENV_* opcode
 * @params	parameter block in base memory; its first word is the status
 * @ret rc	0 if AX said success, else an error naming the PXE status
 */
int pxe_call(unsigned int opcode, void *params);

/**
 * Unload the PXE stack for an operating system boot: UNDI shutdown,
 * UNLOAD_STACK, STOP_UNDI. No PXE call is made afterwards.
 */
void pxe_unload(void);

/**
 * Take @len bytes of base memory (rounded up to KiB) from the top, by
 * lowering the BIOS free-memory word at 40:13.
 *
 * @ret rc	0 or -ENOMEM
 */
int pxe_basemem_alloc(struct pxe_basemem *mem, size_t len);
/** Give a block back if nobody allocated below it since */
void pxe_basemem_free(struct pxe_basemem *mem);

/** Segment:offset of a pointer inside a base-memory block */
static inline struct pxe_segoff pxe_segoff_of(const struct pxe_basemem *mem,
					       const void *p)
{
	struct pxe_segoff so;

	so.segment = mem->seg;
	so.offset = (uint16_t)((const char *)p - (const char *)mem->ptr);
	return so;
}

#endif
