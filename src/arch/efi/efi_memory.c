/* UEFI memory: one large page allocation handed to the heap, freed on exit. */
#include <stdlib.h>
#include <keel/init.h>
#include <keel/malloc.h>
#include "efi_api.h"

/** The heap takes this share of free memory below 4 GiB, within bounds */
#define EFI_HEAP_SHARE_PERCENT 50
#define EFI_HEAP_MIN (16UL << 20)
#define EFI_HEAP_MAX (1UL << 30)
/** Memory descriptors we read (the map is small on real machines) */
#define EFI_MAP_BYTES 16384

UINT64 efi_heap_limit = EFI_HEAP_MAX;

static EFI_PHYSICAL_ADDRESS efi_heap_base;
static UINTN efi_heap_pages;

/**
 * Measure free memory below 4 GiB (device DMA and 32-bit loaders want it).
 *
 * @largest	largest free range, filled in
 * @ret total	total free bytes
 */
static UINT64 efi_free_memory(UINT64 *largest)
{
	static uint8_t map[EFI_MAP_BYTES];
	UINTN size = sizeof(map), key, desc_size;
	UINT32 desc_version;
	UINT64 total = 0;
	UINTN off;

	*largest = 0;
	if (efi_bs->GetMemoryMap(&size, (void *)map, &key, &desc_size,
				 &desc_version) != 0 ||
	    desc_size < sizeof(EFI_MEMORY_DESCRIPTOR))
		return 0;
	for (off = 0; off + desc_size <= size; off += desc_size) {
		EFI_MEMORY_DESCRIPTOR *d = (void *)(map + off);
		UINT64 start = d->PhysicalStart;
		UINT64 end = start + (d->NumberOfPages << EFI_PAGE_SHIFT);

		if (d->Type != EfiConventionalMemory || start >= (1ULL << 32))
			continue;
		if (end > (1ULL << 32))
			end = 1ULL << 32;
		total += end - start;
		if (end - start > *largest)
			*largest = end - start;
	}
	return total;
}

static void efi_memory_init(void)
{
	UINT64 largest, want;
	UINT64 total = efi_free_memory(&largest);

	/* Leave the rest for the OS loaders we start (kernel, initrd copies) */
	want = total * EFI_HEAP_SHARE_PERCENT / 100;
	if (want > efi_heap_limit)
		want = efi_heap_limit;
	if (want > largest)
		want = largest;
	while (want >= EFI_HEAP_MIN) {
		efi_heap_base = 0xffffffffULL;
		efi_heap_pages = (UINTN)(want >> EFI_PAGE_SHIFT);
		if (efi_bs->AllocatePages(AllocateMaxAddress, EfiLoaderData,
					  efi_heap_pages, &efi_heap_base) == 0) {
			heap_add_region((void *)(uintptr_t)efi_heap_base,
					efi_heap_pages << EFI_PAGE_SHIFT);
			return;
		}
		want /= 2;
	}
	efi_heap_pages = 0;
	efi_systab->ConOut->OutputString(efi_systab->ConOut,
					 L"Keel: not enough memory\r\n");
}

struct init_fn efi_memory_init_fn __init_fn(INIT_EARLY) = {
	.name = "memory",
	.init = efi_memory_init,
};

/** Give the heap back to the firmware; nothing may be allocated after */
void efi_memory_release(void)
{
	if (efi_heap_pages)
		efi_bs->FreePages(efi_heap_base, efi_heap_pages);
	efi_heap_pages = 0;
}
