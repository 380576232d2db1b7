/* Dynamic memory: a heap over regions that the platform hands over. */
#ifndef KEEL_MALLOC_H
#define KEEL_MALLOC_H
#include <stddef.h>

/*
 * malloc() never needs the size back at free() time from the caller.
 * Blocks of at least MALLOC_LARGE_THRESHOLD bytes (images, multi-megabyte
 * downloads) take the large-block path: they are cut from the top end of the
 * highest-addressed free block that fits, while small blocks come from the
 * bottom, so the two do not fragment each other.
 */
#define MALLOC_LARGE_THRESHOLD (256 * 1024)

void *malloc(size_t size);
void *zalloc(size_t size);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *old, size_t size);
void free(void *ptr);
/**
 * Allocate with an alignment (a power of two) and an optional offset:
 * the returned pointer p satisfies ((p + offset) % align) == 0.
 * Free it with free().
 */
void *malloc_aligned(size_t size, size_t align, size_t offset);

/**
 * Hand a region of memory to the heap. Platforms call this at start-up.
 *
 * @start	start of region
 * @len		length of region
 */
void heap_add_region(void *start, size_t len);

/** Heap statistics */
struct heap_stats {
	/** Total bytes handed over */
	size_t total;
	/** Bytes currently allocated, including headers */
	size_t used;
	/** Number of live blocks */
	size_t blocks;
	/** Largest free block */
	size_t largest_free;
};
void heap_stats(struct heap_stats *stats);

/**
 * Walk the heap and verify its internal consistency (headers, canaries,
 * free-list order, no overlap).
 *
 * @ret rc	0 if consistent, -EFAULT with a logged reason otherwise
 */
int heap_check(void);

/*
 * Hooks for memory checkers: the heap marks free memory unusable and newly
 * allocated memory usable. The defaults do nothing; the host build's
 * sanitizer variant tells AddressSanitizer.
 */
void heap_poison(const void *ptr, size_t len);
void heap_unpoison(const void *ptr, size_t len);

#endif
