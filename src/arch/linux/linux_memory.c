/* Host build memory: an mmap arena handed to the heap, and ASan poisoning. */
#include <stdlib.h>
#include <keel/init.h>
#include <keel/linux.h>
#include "linux_api.h"

/** Arena size in MiB (--mem) */
unsigned long linux_mem_mib = 256;

static void linux_memory_init(void)
{
	unsigned long len = linux_mem_mib << 20;
	void *arena = linux_arena(len);

	if (!arena) {
		linux_log("keel.linux: cannot map the heap arena\n");
		linux_exit(1);
	}
	/* The arena is unusable until the heap hands pieces of it out */
	heap_poison(arena, len);
	heap_add_region(arena, len);
}

struct init_fn linux_memory_init_fn __init_fn(INIT_EARLY) = {
	.name = "memory",
	.init = linux_memory_init,
};

void heap_poison(const void *ptr, size_t len)
{
	linux_poison(ptr, len);
}

void heap_unpoison(const void *ptr, size_t len)
{
	linux_unpoison(ptr, len);
}
