/* Self-tests: heap edge cases, alignment, large blocks, corruption, stress. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <errno.h>
#include <keel/malloc.h>
#include <keel/test.h>

#define __no_asan __attribute__((no_sanitize_address))

#define KIB 1024UL
#define MIB (1024UL * 1024UL)

/** True if the heap holds as much as it did in @before (no leak) */
static int heap_same(const struct heap_stats *before)
{
	struct heap_stats now;

	heap_stats(&now);
	return now.used == before->used && now.blocks == before->blocks &&
	       now.total == before->total;
}

/** True if @len bytes at @ptr are all zero */
static int all_zero(const void *ptr, size_t len)
{
	const unsigned char *c = ptr;
	size_t i;

	for (i = 0; i < len; i++) {
		if (c[i])
			return 0;
	}
	return 1;
}

/** Write a byte that the heap owns, behind AddressSanitizer's back */
static __no_asan void poke(void *ptr, unsigned char value)
{
	*(volatile unsigned char *)ptr = value;
}

static __no_asan unsigned char peek(const void *ptr)
{
	return *(const volatile unsigned char *)ptr;
}

/** Word @j (a byte offset) of the pattern for @seed */
static inline uint64_t pat_word(uint64_t seed, size_t j)
{
	uint64_t x = seed + j * 0x9e3779b97f4a7c15ULL;

	x ^= x >> 31;
	return x * 0xbf58476d1ce4e5b9ULL;
}

/** Fill a block with the pattern for @seed */
static void pat_fill(void *ptr, size_t len, uint64_t seed)
{
	unsigned char *c = ptr;
	uint64_t w;
	size_t j;

	for (j = 0; j + 8 <= len; j += 8) {
		w = pat_word(seed, j);
		__builtin_memcpy(c + j, &w, 8);
	}
	for (w = pat_word(seed, j); j < len; j++, w >>= 8)
		c[j] = (unsigned char)w;
}

/** True if a block still holds the pattern for @seed */
static int pat_intact(const void *ptr, size_t len, uint64_t seed)
{
	const unsigned char *c = ptr;
	uint64_t w;
	size_t j;

	for (j = 0; j + 8 <= len; j += 8) {
		__builtin_memcpy(&w, c + j, 8);
		if (w != pat_word(seed, j))
			return 0;
	}
	for (w = pat_word(seed, j); j < len; j++, w >>= 8) {
		if (c[j] != (unsigned char)w)
			return 0;
	}
	return 1;
}

/** malloc(0), free(NULL), realloc corner cases, overflow and huge sizes */
static void malloc_test_edge(void)
{
	struct heap_stats before, st;
	unsigned char *p, *q;

	heap_stats(&before);
	p = malloc(0);
	q = malloc(0);
	ok(p && q && p != q);
	ok(((uintptr_t)p % 16) == 0 && ((uintptr_t)q % 16) == 0);
	free(p);
	free(q);
	free(NULL);

	p = realloc(NULL, 10);
	ok(p != NULL);
	memset(p, 0x11, 10);
	ok(realloc(p, 0) == NULL);
	ok(heap_same(&before));

	ok(calloc(SIZE_MAX / 2 + 1, 2) == NULL);
	ok(calloc(SIZE_MAX, SIZE_MAX) == NULL);
	ok(calloc(2, SIZE_MAX / 2 + 1) == NULL);
	p = calloc(0, 5);
	ok(p != NULL);
	free(p);

	ok(malloc(SIZE_MAX) == NULL);
	ok(malloc(SIZE_MAX / 2) == NULL);
	ok(malloc(SIZE_MAX - 15) == NULL);
	ok(zalloc(SIZE_MAX) == NULL);
	ok(malloc_aligned(SIZE_MAX, 16, 0) == NULL);
	ok(malloc_aligned(SIZE_MAX - 64, 4096, 7) == NULL);
	ok(malloc_aligned(16, (size_t)1 << (8 * sizeof(size_t) - 1), 0) ==
	   NULL);
	ok(malloc_aligned(16, 3, 0) == NULL);
	heap_stats(&st);
	ok(malloc(st.total + 1) == NULL);
	ok(malloc(st.largest_free + 1) == NULL);

	p = malloc(100);
	ok(p != NULL);
	pat_fill(p, 100, 7);
	ok(realloc(p, SIZE_MAX) == NULL);
	ok(realloc(p, SIZE_MAX - 15) == NULL);
	ok(pat_intact(p, 100, 7));
	free(p);

	/* zalloc and calloc zero even recycled memory */
	p = malloc(300);
	memset(p, 0xff, 300);
	free(p);
	p = zalloc(300);
	ok(p && all_zero(p, 300));
	memset(p, 0xff, 300);
	free(p);
	p = calloc(10, 30);
	ok(p && all_zero(p, 300));
	free(p);

	ok(heap_same(&before));
	ok(heap_check() == 0);
}

/** malloc_aligned() with every power of two up to 1 MiB and many offsets */
static void malloc_test_aligned(void)
{
	static const size_t sizes[] = {0, 1, 100, 5000};
	struct heap_stats before;
	void *blocks[ARRAY_SIZE(sizes) * 8];
	size_t align, offsets[8];
	unsigned int shift, i, j, n;
	int good;

	heap_stats(&before);
	for (shift = 0; shift <= 20; shift++) {
		align = (size_t)1 << shift;
		offsets[0] = 0;
		offsets[1] = 1;
		offsets[2] = 8;
		offsets[3] = 15;
		offsets[4] = 16;
		offsets[5] = align / 2;
		offsets[6] = align - 1;
		offsets[7] = align * 3 + 5;
		good = 1;
		n = 0;
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			for (j = 0; j < ARRAY_SIZE(offsets); j++) {
				void *p =
				    malloc_aligned(sizes[i], align, offsets[j]);

				if (!p || ((uintptr_t)p + offsets[j]) % align)
					good = 0;
				if (p)
					memset(p, 0x5a, sizes[i]);
				blocks[n++] = p;
			}
		}
		ok(good);
		ok(heap_check() == 0);
		while (n)
			free(blocks[--n]);
	}
	/* Large and aligned: the large path honours alignment too */
	blocks[0] = malloc_aligned(MIB, MIB, 0);
	blocks[1] = malloc_aligned(512 * KIB, 64 * KIB, 100);
	ok(blocks[0] && ((uintptr_t)blocks[0] % MIB) == 0);
	ok(blocks[1] && ((uintptr_t)blocks[1] + 100) % (64 * KIB) == 0);
	free(blocks[0]);
	free(blocks[1]);
	ok(heap_same(&before));
	ok(heap_check() == 0);
}

/** Large blocks go to the top; freed neighbours coalesce; realloc in place */
static void malloc_test_large(void)
{
	struct heap_stats before;
	unsigned char *small, *big, *again, *a[4], *r;
	unsigned int i;

	heap_stats(&before);
	small = malloc(64);
	big = malloc(4 * MIB);
	ok(small && big && big > small);
	free(big);

	/* Four 1 MiB blocks stack downwards from the top */
	for (i = 0; i < 4; i++)
		a[i] = malloc(MIB);
	ok(a[0] && a[1] && a[2] && a[3]);
	ok(a[0] > a[1] && a[1] > a[2] && a[2] > a[3]);
	/* Free them so as to merge: alone, with both sides, with one side */
	free(a[1]);
	free(a[3]);
	free(a[2]);
	free(a[0]);
	ok(heap_check() == 0);
	/* Only full coalescing gives the same top-most place back */
	again = malloc(4 * MIB);
	ok(again == big);
	free(again);

	/* Growing into a freed neighbour, then shrinking, stays in place */
	a[0] = malloc(MIB);
	a[1] = malloc(MIB);
	ok(a[0] && a[1]);
	pat_fill(a[1], MIB, 11);
	free(a[0]);
	r = realloc(a[1], MIB + MIB / 2);
	ok(r == a[1]);
	ok(r && pat_intact(r, MIB, 11));
	pat_fill(r, MIB + MIB / 2, 12);
	r = realloc(r, 300 * KIB);
	ok(r == a[1]);
	ok(r && pat_intact(r, 300 * KIB, 12));
	ok(heap_check() == 0);
	free(r);

	/* A moving realloc keeps the contents */
	a[0] = malloc(100);
	a[1] = malloc(100);
	pat_fill(a[0], 100, 13);
	r = realloc(a[0], 100 * KIB);
	ok(r && pat_intact(r, 100, 13));
	free(r);
	free(a[1]);
	free(small);
	ok(heap_same(&before));
	ok(heap_check() == 0);
}

/** An extra region: unaligned bounds, overlap and tiny regions refused */
static void malloc_test_region(void)
{
	static unsigned char extra[8192] __aligned(16);
	struct heap_stats before, st;

	heap_stats(&before);
	heap_add_region(extra + 8, 4096 + 3);
	heap_stats(&st);
	ok(st.total == before.total + 4096 + 3);
	ok(heap_check() == 0);
	heap_add_region(extra + 100, 200);
	heap_add_region(extra, sizeof(extra));
	heap_add_region(extra + 6000, 32);
	heap_stats(&st);
	ok(st.total == before.total + 4096 + 3);
	ok(st.used == before.used && st.blocks == before.blocks);
	ok(heap_check() == 0);
}

/** Double free, overruns and wild pointers are caught, not obeyed */
static void malloc_test_corrupt(void)
{
	struct heap_stats before, st;
	unsigned char *a, *b, *c, local, old;
	int rc;

	heap_stats(&before);
	a = malloc(40);
	b = malloc(40);
	c = malloc(40);
	ok(a && b && c);
	free(b);
	heap_stats(&st);
	free(b);
	ok(realloc(b, 80) == NULL);
	ok(heap_same(&st));
	ok(heap_check() == 0);

	/* One byte past a 40-byte request: the guard in the slack */
	old = peek(a + 40);
	poke(a + 40, (unsigned char)~old);
	rc = heap_check();
	ok(rc_is(rc, EFAULT));
	free(a);
	ok(heap_same(&st));
	poke(a + 40, old);
	ok(heap_check() == 0);

	/* One byte past a 48-byte request: the next block's header */
	free(c);
	c = malloc(48);
	heap_stats(&st);
	old = peek(c + 48);
	poke(c + 48, (unsigned char)(old ^ 0x40));
	rc = heap_check();
	ok(rc_is(rc, EFAULT));
	free(c);
	ok(heap_same(&st));
	poke(c + 48, old);
	ok(heap_check() == 0);

	/* Wild, interior and misaligned pointers */
	free(&local);
	free(a + 1);
	free(a + 16);
	ok(heap_same(&st));
	ok(heap_check() == 0);
	free(a);
	free(c);
	ok(heap_same(&before));
	ok(heap_check() == 0);
}

/* ------------------------------------------------------------------------
 * Stress: a million random operations over a table of live blocks
 */

#define STRESS_OPS	   1000000
#define STRESS_SLOTS	   4000
#define STRESS_CHECK_EVERY 50000
#define STRESS_MAX_LARGE   8

/* A million passing checks would drown the tally: report only failures */
#define stress_ok(cond)                                                        \
	do {                                                                   \
		if (!(cond))                                                   \
			ok(cond);                                              \
	} while (0)

struct stress_slot {
	unsigned char *ptr;
	size_t len;
	uint64_t seed;
};

struct stress_span {
	uintptr_t start;
	uintptr_t end;
};

static struct stress_slot stress_slots[STRESS_SLOTS];
static struct stress_span stress_spans[STRESS_SLOTS];
static unsigned int stress_large;
static size_t stress_large_max;
static unsigned long stress_seq;

/** A size skewed towards small blocks, sometimes a large one */
static size_t stress_size(void)
{
	unsigned long r = test_random() % 10000;

	if (r < 6000)
		return test_random() % 128;
	if (r < 9000)
		return test_random() % 2048;
	if (r < 9900)
		return test_random() % (16 * KIB);
	if (r < 9997 || stress_large >= STRESS_MAX_LARGE)
		return test_random() % (64 * KIB);
	return MALLOC_LARGE_THRESHOLD +
	       test_random() % (stress_large_max - MALLOC_LARGE_THRESHOLD);
}

/** Record a new block in @slot, checking alignment and zeroing */
static void stress_fill(struct stress_slot *slot, unsigned char *p, size_t len,
			int zeroed)
{
	stress_ok(p != NULL);
	if (!p)
		return;
	if (zeroed)
		stress_ok(all_zero(p, len));
	slot->ptr = p;
	slot->len = len;
	slot->seed = ((uint64_t)(slot - stress_slots) << 40) ^ ++stress_seq;
	stress_large += (len >= MALLOC_LARGE_THRESHOLD);
	pat_fill(p, len, slot->seed);
}

/** Allocate into an empty slot, by a random one of the allocators */
static void stress_alloc(struct stress_slot *slot)
{
	size_t len = stress_size(), align, offset, n;
	unsigned long how = test_random() % 10;
	unsigned char *p;

	if (how == 0) {
		stress_fill(slot, zalloc(len), len, 1);
	} else if (how == 1) {
		n = 1 + test_random() % 16;
		len /= n;
		stress_fill(slot, calloc(len, n), len * n, 1);
	} else if (how <= 3) {
		align = (size_t)1 << (test_random() % 13);
		if (test_random() % 64 == 0)
			align = (size_t)1 << (13 + test_random() % 8);
		offset = test_random() % (2 * align + 64);
		p = malloc_aligned(len, align, offset);
		stress_ok(((uintptr_t)p + offset) % align == 0);
		stress_fill(slot, p, len, 0);
		return;
	} else {
		stress_fill(slot, malloc(len), len, 0);
	}
	stress_ok(((uintptr_t)slot->ptr % 16) == 0);
}

static void stress_free(struct stress_slot *slot)
{
	stress_ok(pat_intact(slot->ptr, slot->len, slot->seed));
	stress_large -= (slot->len >= MALLOC_LARGE_THRESHOLD);
	free(slot->ptr);
	slot->ptr = NULL;
	slot->len = 0;
}

/** Resize a live block: the common prefix must survive */
static void stress_realloc(struct stress_slot *slot)
{
	size_t len = (test_random() % 16) ? stress_size() : 0;
	size_t keep = (len < slot->len) ? len : slot->len;
	unsigned char *p;

	stress_ok(pat_intact(slot->ptr, slot->len, slot->seed));
	p = realloc(slot->ptr, len);
	stress_large -= (slot->len >= MALLOC_LARGE_THRESHOLD);
	if (!len) {
		stress_ok(p == NULL);
		slot->ptr = NULL;
		slot->len = 0;
		return;
	}
	stress_ok(p != NULL);
	if (!p) {
		stress_large += (slot->len >= MALLOC_LARGE_THRESHOLD);
		return;
	}
	stress_ok(p == slot->ptr || ((uintptr_t)p % 16) == 0);
	stress_ok(pat_intact(p, keep, slot->seed));
	stress_large += (len >= MALLOC_LARGE_THRESHOLD);
	slot->ptr = p;
	slot->len = len;
	pat_fill(p, len, slot->seed);
}

/** Sort spans by start address (Shell sort, gaps 3k+1) */
static void stress_sort(struct stress_span *spans, unsigned int n)
{
	struct stress_span tmp;
	unsigned int gap = 1, i, j;

	while (gap < n / 3)
		gap = 3 * gap + 1;
	for (; gap; gap /= 3) {
		for (i = gap; i < n; i++) {
			tmp = spans[i];
			for (j = i;
			     j >= gap && spans[j - gap].start > tmp.start;
			     j -= gap)
				spans[j] = spans[j - gap];
			spans[j] = tmp;
		}
	}
}

/** True if no two live blocks overlap (empty blocks count as one byte) */
static int stress_disjoint(void)
{
	unsigned int i, n = 0;
	struct stress_slot *slot;

	for (i = 0; i < STRESS_SLOTS; i++) {
		slot = &stress_slots[i];
		if (!slot->ptr)
			continue;
		stress_spans[n].start = (uintptr_t)slot->ptr;
		stress_spans[n].end =
		    (uintptr_t)slot->ptr + slot->len + !slot->len;
		n++;
	}
	stress_sort(stress_spans, n);
	for (i = 1; i < n; i++) {
		if (stress_spans[i - 1].end > stress_spans[i].start)
			return 0;
	}
	return 1;
}

static void malloc_test_stress(void)
{
	unsigned int failures = test_failures, i;
	struct stress_slot *slot;
	struct heap_stats before;
	unsigned long op;

	heap_stats(&before);
	stress_large_max = before.total / 64;
	if (stress_large_max > 4 * MIB)
		stress_large_max = 4 * MIB;
	if (stress_large_max <= MALLOC_LARGE_THRESHOLD)
		stress_large_max = MALLOC_LARGE_THRESHOLD + 1;
	for (op = 1; op <= STRESS_OPS && test_failures == failures; op++) {
		slot = &stress_slots[test_random() % STRESS_SLOTS];
		if (!slot->ptr)
			stress_alloc(slot);
		else if (test_random() % 8 < 5)
			stress_free(slot);
		else
			stress_realloc(slot);
		if (op % STRESS_CHECK_EVERY == 0) {
			ok(stress_disjoint());
			ok(heap_check() == 0);
		}
	}
	ok(op > STRESS_OPS);
	for (i = 0; i < STRESS_SLOTS; i++) {
		if (stress_slots[i].ptr)
			stress_free(&stress_slots[i]);
	}
	ok(stress_large == 0);
	ok(heap_same(&before));
	ok(heap_check() == 0);
}

static void malloc_test_exec(void)
{
	ok(heap_check() == 0);
	malloc_test_edge();
	malloc_test_aligned();
	malloc_test_large();
	printf("malloc: the heap errors below are expected\n");
	malloc_test_region();
	malloc_test_corrupt();
	malloc_test_stress();
}

struct self_test malloc_test __self_test = {
    .name = "malloc",
    .exec = malloc_test_exec,
};
