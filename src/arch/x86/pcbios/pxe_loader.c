/* The PXE API entry points that the loading PXE ROM handed to keel.pxe or undionly.kpxe. */
#include <errno.h>
#include <x86/bios.h>

int pxe_loader_entry(uint32_t *pxenv, uint32_t *ppxe)
{
	if (x86_prefix.type != PREFIX_TYPE_PXE &&
	    x86_prefix.type != PREFIX_TYPE_KPXE)
		return -ENOENT;
	*pxenv = ((uint32_t)x86_prefix.pxenv_seg << 16) | x86_prefix.pxenv_off;
	*ppxe = ((uint32_t)x86_prefix.ppxe_seg << 16) | x86_prefix.ppxe_off;
	return 0;
}
