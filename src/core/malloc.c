/* Dynamic memory: a boundary-tag, segregated-fit heap over platform regions. */
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <errno.h>
#include <keel/list.h>
#include <keel/malloc.h>

/*
 * Layout
 * ------
 * The platform hands over regions. Each region starts with a descriptor
 * (struct heap_region), is tiled by blocks, and ends with a sentinel header
 * that never merges. Every block starts with a 16-byte header (struct
 * heap_block) holding its size, flags and a canary: a hash of the header's
 * fields and its own address, so that a stray write, a wild pointer or a
 * stale header of an already freed block is recognised.
 *
 * A free block also holds list links right after its header and a copy of
 * its size in its last word (a boundary tag); the next block's header has
 * BLK_PREV_FREE set. free() thus finds and merges both neighbours in O(1),
 * and no two free blocks are ever adjacent (the coalescing invariant).
 *
 * Free blocks are indexed by size in segregated bins: one bin per 16 bytes
 * below 1 KiB, then eight bins per power of two. A bitmap finds the first
 * non-empty bin whose every block is big enough ("good fit"), so ordinary
 * allocation is O(1); small blocks are carved from the low end of the block
 * found. Only when no such bin exists are the smaller candidate bins scanned.
 *
 * Large-block path: requests of MALLOC_LARGE_THRESHOLD bytes or more scan
 * the free blocks that may fit and are carved from the top of the free block
 * with the highest address (top-down first fit). Multi-megabyte images thus
 * gather at the top of memory, away from the small blocks that grow upwards
 * from the bottom, and leave no holes among them when they are freed.
 *
 * A used block's user area starts right after its header, plus a "shift" of
 * 0..15 bytes for malloc_aligned() offsets that are not multiples of 16; the
 * header is always found at (ptr & ~15) - 16. The bytes between the end of
 * the request and the end of the block (the "slack") start with guard bytes,
 * checked by free(), realloc() and heap_check().
 *
 * AddressSanitizer: the payload of a free block beyond its links and footer,
 * and the shift and slack bytes of a used block, are poisoned; headers, links
 * and footers never are, so the allocator reads its own bookkeeping freely.
 * Functions that may read bytes of unknown state (validation of a pointer
 * passed by the caller, guard bytes, heap_check) are not instrumented.
 */

/*
 * Memory-checker hooks (keel/malloc.h): weak no-ops here, replaced by the
 * Linux platform with versions that poison AddressSanitizer's shadow memory.
 */
__weak void heap_poison(const void *ptr, size_t len) {}

__weak void heap_unpoison(const void *ptr, size_t len) {}

#define __no_asan __attribute__((no_sanitize_address))

/** Alignment of blocks and of malloc() results */
#define HEAP_ALIGN 16
#define HEAP_MASK  ((uintptr_t)(HEAP_ALIGN - 1))

/** Block header, at the start of every block */
struct heap_block {
	/** Block size in bytes, header included, a multiple of HEAP_ALIGN */
	size_t size;
	/** Hash of this header's fields and address */
	uint32_t canary;
	/** Used block: bytes between the end of the request and the block's */
	uint16_t slack;
	/** Used block: offset of the user pointer past the header (0..15) */
	uint8_t shift;
	/** BLK_* flags */
	uint8_t flags;
} __aligned(HEAP_ALIGN);

#define BLK_USED      0x01
#define BLK_PREV_FREE 0x02
#define BLK_SENTINEL  0x04

/** Region descriptor, at the start of every region */
struct heap_region {
	/** Next region, in address order */
	struct heap_region *next;
	/** First block */
	struct heap_block *first;
	/** End-of-region sentinel header */
	struct heap_block *sentinel;
	/** Length as handed over */
	size_t len;
} __aligned(HEAP_ALIGN);

#define HDR    sizeof(struct heap_block)
#define LINKS  sizeof(struct list_head)
#define FOOTER sizeof(size_t)
/** Smallest block: header, free-list links and footer */
#define MIN_BLOCK ((HDR + LINKS + FOOTER + HEAP_MASK) & ~HEAP_MASK)
/** Guard bytes written after a request, when the slack allows */
#define GUARD_LEN  8
#define HEAP_MAGIC 0x4b45454cU

/* Bins: LIN_BINS linear classes below LIN_LIMIT, then SL_NUM per power of 2 */
#define LIN_BINS  64
#define LIN_SHIFT 10
#define LIN_LIMIT ((size_t)1 << LIN_SHIFT)
#define SL_BITS	  3
#define SL_NUM	  (1U << SL_BITS)
#define LONG_BITS (8 * sizeof(unsigned long))
#define NR_BINS	  (LIN_BINS + (LONG_BITS - LIN_SHIFT) * SL_NUM)
#define MAP_WORDS ((NR_BINS + LONG_BITS - 1) / LONG_BITS)

static struct list_head heap_bins[NR_BINS];
static unsigned long heap_map[MAP_WORDS];
static struct heap_region *heap_regions;
static size_t heap_total;
static size_t heap_used;
static size_t heap_blocks;
static int heap_ready;

/** An allocation request, reduced to block terms */
struct heap_req {
	/** Bytes requested */
	size_t size;
	/** Block size needed, header included */
	size_t need;
	/** Required alignment of the user area's 16-byte base */
	size_t align;
	/** Required residue of that base modulo @align */
	size_t resid;
	/** User pointer's offset past the base */
	size_t shift;
};

static inline uintptr_t addr(const void *ptr)
{
	return (uintptr_t)ptr;
}

static inline struct heap_block *blk_at(uintptr_t a)
{
	return (struct heap_block *)a;
}

static inline uintptr_t blk_end(const struct heap_block *b)
{
	return addr(b) + b->size;
}

static inline struct list_head *blk_links(struct heap_block *b)
{
	return (struct list_head *)(b + 1);
}

static inline struct heap_block *links_blk(struct list_head *link)
{
	return blk_at(addr(link) - HDR);
}

static inline size_t *blk_footer(const struct heap_block *b)
{
	return (size_t *)(blk_end(b) - FOOTER);
}

static inline uintptr_t blk_user(const struct heap_block *b)
{
	return addr(b) + HDR + b->shift;
}

/** Bytes the user asked for */
static inline size_t blk_usize(const struct heap_block *b)
{
	return b->size - HDR - b->shift - b->slack;
}

static inline uintptr_t umin(uintptr_t a, uintptr_t b)
{
	return a < b ? a : b;
}

static inline uintptr_t umax(uintptr_t a, uintptr_t b)
{
	return a > b ? a : b;
}

/** Poison [lo, hi) if it is not empty */
static void poison_range(uintptr_t lo, uintptr_t hi)
{
	if (lo < hi)
		heap_poison((void *)lo, hi - lo);
}

/** Canary of a header: its fields and address, hashed */
static __no_asan uint32_t blk_hash(const struct heap_block *b)
{
	uint64_t h = (uint64_t)addr(b) * 0x9e3779b97f4a7c15ULL;

	h ^= (uint64_t)b->size;
	h *= 0xff51afd7ed558ccdULL;
	h ^= ((uint64_t)b->slack << 16) | ((uint64_t)b->shift << 8) | b->flags;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	return (uint32_t)(h ^ (h >> 32)) ^ HEAP_MAGIC;
}

static void blk_seal(struct heap_block *b)
{
	b->canary = blk_hash(b);
}

static __no_asan int blk_sealed(const struct heap_block *b)
{
	return b->canary == blk_hash(b);
}

/** Invalidate a header that is being merged away */
static void blk_wipe(struct heap_block *b)
{
	b->size = 0;
	b->slack = 0;
	b->shift = 0;
	b->flags = 0;
	b->canary = ~blk_hash(b);
}

/** Set or clear a block's BLK_PREV_FREE flag */
static void blk_mark_prev(struct heap_block *b, unsigned int prev_free)
{
	b->flags = (uint8_t)((b->flags & ~BLK_PREV_FREE) | prev_free);
	blk_seal(b);
}

/** Bin holding free blocks of @size */
static unsigned int bin_index(size_t size)
{
	unsigned int fl;

	if (size < LIN_LIMIT)
		return (unsigned int)(size / HEAP_ALIGN);
	fl = (unsigned int)(LONG_BITS - 1 - __builtin_clzl(size));
	return LIN_BINS + (fl - LIN_SHIFT) * SL_NUM +
	       (unsigned int)((size >> (fl - SL_BITS)) & (SL_NUM - 1));
}

/** Smallest size held by bin @idx */
static size_t bin_floor(unsigned int idx)
{
	unsigned int fl, sl;

	if (idx < LIN_BINS)
		return (size_t)idx * HEAP_ALIGN;
	fl = LIN_SHIFT + (idx - LIN_BINS) / SL_NUM;
	sl = (idx - LIN_BINS) % SL_NUM;
	return (size_t)(SL_NUM + sl) << (fl - SL_BITS);
}

/** First bin whose every block holds at least @size */
static unsigned int bin_fit(size_t size)
{
	unsigned int idx = bin_index(size);

	return (bin_floor(idx) < size) ? idx + 1 : idx;
}

/** First non-empty bin at or above @from, or -1 */
static int bin_find(unsigned int from)
{
	unsigned int word = from / LONG_BITS;
	unsigned long bits;

	if (from >= NR_BINS)
		return -1;
	bits = heap_map[word] & (~0UL << (from % LONG_BITS));
	while (!bits) {
		if (++word >= MAP_WORDS)
			return -1;
		bits = heap_map[word];
	}
	return (int)(word * LONG_BITS + (unsigned int)__builtin_ctzl(bits));
}

/** Bit of bin @idx in its bitmap word */
static inline unsigned long bin_bit(unsigned int idx)
{
	return 1UL << (idx % LONG_BITS);
}

/** File a free block in its bin */
static void bin_insert(struct heap_block *b)
{
	unsigned int idx = bin_index(b->size);

	list_add(blk_links(b), &heap_bins[idx]);
	heap_map[idx / LONG_BITS] |= bin_bit(idx);
}

/** Take a free block off its bin (before its size changes) */
static void bin_remove(struct heap_block *b)
{
	unsigned int idx = bin_index(b->size);

	list_del(blk_links(b));
	if (list_empty(&heap_bins[idx]))
		heap_map[idx / LONG_BITS] &= ~bin_bit(idx);
}

/**
 * Turn [b, b + size) into a free block and file it. Its header and links
 * must be addressable; its predecessor is used.
 */
static void blk_make_free(struct heap_block *b, size_t size)
{
	b->size = size;
	b->slack = 0;
	b->shift = 0;
	b->flags = 0;
	blk_seal(b);
	heap_unpoison(blk_footer(b), FOOTER);
	*blk_footer(b) = size;
	bin_insert(b);
}

static __no_asan void guard_write(const struct heap_block *b)
{
	uint8_t *guard = (uint8_t *)(blk_user(b) + blk_usize(b));
	unsigned int i;

	for (i = 0; i < b->slack && i < GUARD_LEN; i++)
		guard[i] = (uint8_t)(0xa5 + 0x3b * i);
}

static __no_asan int guard_intact(const struct heap_block *b)
{
	const uint8_t *guard = (const uint8_t *)(blk_user(b) + blk_usize(b));
	unsigned int i;

	for (i = 0; i < b->slack && i < GUARD_LEN; i++) {
		if (guard[i] != (uint8_t)(0xa5 + 0x3b * i))
			return 0;
	}
	return 1;
}

/**
 * Hand a used block's user area over for @size bytes: record the slack,
 * seal the header, unpoison exactly the request and write the guard.
 */
static void blk_set_user(struct heap_block *b, size_t size)
{
	uintptr_t user = addr(b) + HDR + b->shift;

	b->slack = (uint16_t)(b->size - HDR - b->shift - size);
	blk_seal(b);
	poison_range(addr(b) + HDR, user);
	if (size)
		heap_unpoison((void *)user, size);
	poison_range(user + size, blk_end(b));
	guard_write(b);
}

/**
 * Free a block, merging it with free neighbours. Its header must be valid
 * (size, BLK_PREV_FREE) and its payload addressable.
 */
static void blk_release(struct heap_block *b)
{
	struct heap_block *start = b, *next = blk_at(blk_end(b));
	uintptr_t lo = addr(b), hi = blk_end(b), end = blk_end(b);

	if (b->flags & BLK_PREV_FREE) {
		start = blk_at(addr(b) - *(size_t *)(addr(b) - FOOTER));
		bin_remove(start);
		lo -= FOOTER;
		blk_wipe(b);
	}
	if (!(next->flags & BLK_USED)) {
		bin_remove(next);
		end += next->size;
		hi = addr(next) + HDR + LINKS;
		blk_wipe(next);
	}
	blk_make_free(start, end - addr(start));
	blk_mark_prev(blk_at(end), BLK_PREV_FREE);
	/* Poison what became payload and was not already poisoned */
	poison_range(umax(lo, addr(start) + HDR + LINKS),
		     umin(hi, end - FOOTER));
}

/**
 * Carve a used block for @req at @b inside free block @f, leaving the
 * space before and after it as free blocks (or as slack if too small).
 *
 * @ret ptr	user pointer
 */
static void *blk_carve(struct heap_block *f, uintptr_t b,
		       const struct heap_req *req)
{
	uintptr_t end = blk_end(f);
	size_t need = req->need, tail = end - (b + req->need);
	unsigned int prev = 0;
	struct heap_block *blk = blk_at(b);

	bin_remove(f);
	if (b > addr(f)) {
		blk_make_free(f, b - addr(f));
		prev = BLK_PREV_FREE;
	}
	if (tail >= MIN_BLOCK) {
		heap_unpoison(blk_at(b + need), HDR + LINKS);
		blk_make_free(blk_at(b + need), tail);
	} else {
		need += tail;
		blk_mark_prev(blk_at(end), 0);
	}
	heap_unpoison(blk, HDR);
	blk->size = need;
	blk->shift = (uint8_t)req->shift;
	blk->flags = (uint8_t)(BLK_USED | prev);
	blk_set_user(blk, req->size);
	heap_used += need;
	heap_blocks++;
	return (void *)blk_user(blk);
}

/** Lowest place for @req in free block @f, or 0 */
static uintptr_t place_low(const struct heap_block *f,
			   const struct heap_req *req)
{
	uintptr_t u = addr(f) + HDR;

	u += (req->resid - u) & (req->align - 1);
	while (u - HDR != addr(f) && u - HDR - addr(f) < MIN_BLOCK)
		u += req->align;
	if (u - HDR > blk_end(f) || blk_end(f) - (u - HDR) < req->need)
		return 0;
	return u - HDR;
}

/** Highest place for @req in free block @f, or 0 */
static uintptr_t place_high(const struct heap_block *f,
			    const struct heap_req *req)
{
	uintptr_t u;

	if (f->size < req->need)
		return 0;
	u = blk_end(f) - req->need + HDR;
	u -= (u - req->resid) & (req->align - 1);
	while (u - HDR != addr(f)) {
		if (u - HDR < addr(f))
			return 0;
		if (u - HDR - addr(f) >= MIN_BLOCK)
			break;
		u -= req->align;
	}
	return u - HDR;
}

/**
 * Scan the bins from @from upwards for a free block that can hold @req:
 * the first that fits, or with @high the one whose place is highest.
 */
static struct heap_block *heap_scan(const struct heap_req *req,
				    unsigned int from, int high,
				    uintptr_t *place)
{
	struct heap_block *best = NULL, *f;
	struct list_head *link;
	uintptr_t where;
	int idx;

	*place = 0;
	for (idx = bin_find(from); idx >= 0; idx = bin_find(idx + 1)) {
		for (link = heap_bins[idx].next; link != &heap_bins[idx];
		     link = link->next) {
			f = links_blk(link);
			where = high ? place_high(f, req) : place_low(f, req);
			if (!where || where <= *place)
				continue;
			*place = where;
			best = f;
			if (!high)
				return best;
		}
	}
	return best;
}

/** Find room for a small request: good fit, low end of the block */
static struct heap_block *heap_find_low(const struct heap_req *req,
					uintptr_t *place)
{
	size_t worst = req->need;
	struct heap_block *f;
	int idx;

	if (req->align > HEAP_ALIGN)
		worst += req->align + MIN_BLOCK;
	idx = bin_find(bin_fit(worst));
	if (idx < 0)
		return heap_scan(req, bin_index(req->need), 0, place);
	f = links_blk(heap_bins[idx].next);
	*place = place_low(f, req);
	return f;
}

/**
 * Describe a request in block terms.
 *
 * @ret rc	0, or -EINVAL for a bad alignment, -ENOMEM if it cannot fit
 */
static int heap_req_init(struct heap_req *req, size_t size, size_t align,
			 size_t offset)
{
	if (!align)
		align = HEAP_ALIGN;
	if (align & (align - 1))
		return -EINVAL;
	if (size > heap_total || align > heap_total)
		return -ENOMEM;
	req->size = size;
	req->shift = (0 - offset) & HEAP_MASK & (align - 1);
	req->align = HEAP_ALIGN;
	req->resid = 0;
	if (align > HEAP_ALIGN) {
		req->align = align;
		req->resid = (0 - offset - req->shift) & (align - 1);
	}
	req->need = (HDR + req->shift + size + HEAP_MASK) & ~HEAP_MASK;
	if (req->need < MIN_BLOCK)
		req->need = MIN_BLOCK;
	return 0;
}

/** Allocate for malloc() and malloc_aligned() */
static void *heap_alloc(size_t size, size_t align, size_t offset)
{
	struct heap_req req;
	struct heap_block *f;
	uintptr_t place;
	void *ptr;

	if (heap_req_init(&req, size, align, offset) != 0)
		goto fail;
	if (size >= MALLOC_LARGE_THRESHOLD)
		f = heap_scan(&req, bin_index(req.need), 1, &place);
	else
		f = heap_find_low(&req, &place);
	if (!f || !place)
		goto fail;
	ptr = blk_carve(f, place, &req);
	DBG2("malloc(%zu, %zu, %zu) = %p\n", size, align, offset, ptr);
	return ptr;
fail:
	DBG("malloc(%zu, %zu, %zu) failed\n", size, align, offset);
	return NULL;
}

/** Region holding address @a in its blocks, or NULL */
static struct heap_region *region_of(uintptr_t a)
{
	struct heap_region *r;

	for (r = heap_regions; r; r = r->next) {
		if (a >= addr(r->first) && a < addr(r->sentinel))
			return r;
	}
	return NULL;
}

/** True if @link may be dereferenced: a bin head or inside the heap */
static int link_plausible(const struct list_head *link)
{
	if (link >= heap_bins && link < heap_bins + NR_BINS)
		return 1;
	return region_of(addr(link)) && !((addr(link) - HDR) & HEAP_MASK);
}

/** True if free block @f's links are consistent, so it can be unlinked */
static __no_asan int blk_linked(const struct heap_block *f)
{
	struct list_head *link = blk_links((struct heap_block *)f);

	return link_plausible(link->next) && link_plausible(link->prev) &&
	       link->next->prev == link && link->prev->next == link;
}

/** Check the neighbours that freeing or growing @b will touch */
static __no_asan int blk_neighbours_ok(const struct heap_block *b,
				       const struct heap_region *r)
{
	const struct heap_block *next = blk_at(blk_end(b)), *prev;
	size_t psize;

	if (!blk_sealed(next))
		return 0;
	if (!(next->flags & BLK_USED) && !blk_linked(next))
		return 0;
	if (!(b->flags & BLK_PREV_FREE))
		return 1;
	psize = *(const size_t *)(addr(b) - FOOTER);
	if (psize < MIN_BLOCK || psize > addr(b) - addr(r->first))
		return 0;
	prev = blk_at(addr(b) - psize);
	return blk_sealed(prev) && prev->size == psize &&
	       !(prev->flags & BLK_USED) && blk_linked(prev);
}

/**
 * Find and validate the used block of a pointer given to free() or
 * realloc(). On any inconsistency, say why and return NULL.
 */
static __no_asan struct heap_block *user_block(const void *ptr, const char *op)
{
	struct heap_region *r = region_of(addr(ptr));
	struct heap_block *b = blk_at((addr(ptr) & ~HEAP_MASK) - HDR);
	const char *why;

	why = "not a heap pointer";
	if (!r || addr(ptr) < addr(r->first) + HDR)
		goto bad;
	why = "bad block header (double free, wild pointer or overrun)";
	if (!blk_sealed(b) || (b->flags & BLK_SENTINEL) ||
	    b->size < MIN_BLOCK || b->size > addr(r->sentinel) - addr(b))
		goto bad;
	why = "double free";
	if (!(b->flags & BLK_USED))
		goto bad;
	why = "not the start of a block";
	if (b->shift != (addr(ptr) & HEAP_MASK))
		goto bad;
	why = "heap overrun: bytes past the end of this block were overwritten";
	if (!guard_intact(b))
		goto bad;
	why = "a neighbouring block is corrupted";
	if (!blk_neighbours_ok(b, r))
		goto bad;
	return b;
bad:
	printf("malloc: %s(%p): %s; ignored\n", op, ptr, why);
	return NULL;
}

void *malloc(size_t size)
{
	return heap_alloc(size, HEAP_ALIGN, 0);
}

void *malloc_aligned(size_t size, size_t align, size_t offset)
{
	return heap_alloc(size, align, offset);
}

void *zalloc(size_t size)
{
	void *ptr = malloc(size);

	if (ptr)
		memset(ptr, 0, size);
	return ptr;
}

void *calloc(size_t nmemb, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(nmemb, size, &total))
		return NULL;
	return zalloc(total);
}

void free(void *ptr)
{
	struct heap_block *b;

	if (!ptr)
		return;
	b = user_block(ptr, "free");
	if (!b)
		return;
	DBG2("free(%p)\n", ptr);
	heap_used -= b->size;
	heap_blocks--;
	heap_unpoison(b + 1, b->size - HDR);
	blk_release(b);
}

/** Shrink used block @b to @need bytes, freeing the tail if big enough */
static void blk_shrink(struct heap_block *b, size_t need)
{
	struct heap_block *tail = blk_at(addr(b) + need);
	uintptr_t end = blk_end(b);

	if (b->size - need < MIN_BLOCK)
		return;
	heap_used -= b->size - need;
	b->size = need;
	heap_unpoison(tail, end - addr(tail));
	tail->size = end - addr(tail);
	tail->flags = BLK_USED;
	blk_release(tail);
}

/** Grow used block @b to @need bytes into its free successor @next */
static void blk_grow(struct heap_block *b, struct heap_block *next, size_t need)
{
	uintptr_t end = blk_end(next);
	size_t total = b->size + next->size;

	bin_remove(next);
	blk_wipe(next);
	if (total - need >= MIN_BLOCK) {
		heap_unpoison(blk_at(addr(b) + need), HDR + LINKS);
		blk_make_free(blk_at(addr(b) + need), total - need);
	} else {
		need = total;
		blk_mark_prev(blk_at(end), 0);
	}
	heap_used += need - b->size;
	b->size = need;
}

/**
 * Resize used block @b in place for @size user bytes.
 *
 * @ret rc	0, or -ENOSPC if the block cannot grow in place
 */
static int blk_resize(struct heap_block *b, size_t size)
{
	size_t need = (HDR + b->shift + size + HEAP_MASK) & ~HEAP_MASK;
	struct heap_block *next = blk_at(blk_end(b));

	if (need < MIN_BLOCK)
		need = MIN_BLOCK;
	if (need <= b->size) {
		blk_shrink(b, need);
	} else if (!(next->flags & BLK_USED) && next->size >= need - b->size) {
		blk_grow(b, next, need);
	} else {
		return -ENOSPC;
	}
	blk_set_user(b, size);
	return 0;
}

void *realloc(void *old, size_t size)
{
	struct heap_block *b;
	size_t keep;
	void *new;

	if (!old)
		return malloc(size);
	if (!size) {
		free(old);
		return NULL;
	}
	b = user_block(old, "realloc");
	if (!b || size > heap_total)
		return NULL;
	if (blk_resize(b, size) == 0)
		return old;
	new = malloc(size);
	if (!new)
		return NULL;
	keep = blk_usize(b);
	memcpy(new, old, (keep < size) ? keep : size);
	free(old);
	return new;
}

/** True if [lo, hi) overlaps a region already handed over */
static int region_overlaps(uintptr_t lo, uintptr_t hi)
{
	struct heap_region *r;

	for (r = heap_regions; r; r = r->next) {
		if (lo < addr(r->sentinel) + HDR && addr(r) < hi)
			return 1;
	}
	return 0;
}

/** Link a region into the address-ordered list */
static void region_link(struct heap_region *new)
{
	struct heap_region **pos = &heap_regions;

	while (*pos && addr(*pos) < addr(new))
		pos = &(*pos)->next;
	new->next = *pos;
	*pos = new;
}

static void heap_init(void)
{
	unsigned int i;

	if (heap_ready)
		return;
	for (i = 0; i < NR_BINS; i++)
		INIT_LIST_HEAD(&heap_bins[i]);
	heap_ready = 1;
}

void heap_add_region(void *start, size_t len)
{
	uintptr_t lo = (addr(start) + HEAP_MASK) & ~HEAP_MASK, hi;
	struct heap_region *r = (struct heap_region *)lo;
	struct heap_block *first = (struct heap_block *)(r + 1), *sentinel;

	heap_init();
	if (__builtin_add_overflow(addr(start), len, &hi))
		hi = UINTPTR_MAX;
	hi &= ~HEAP_MASK;
	if (lo < addr(start) || !lo || hi <= lo ||
	    hi - lo < sizeof(*r) + MIN_BLOCK + HDR) {
		DBG("heap: region %p+%#zx too small, ignored\n", start, len);
		return;
	}
	if (region_overlaps(lo, hi)) {
		printf("malloc: region %p+%#zx overlaps the heap; ignored\n",
		       start, len);
		return;
	}
	sentinel = blk_at(hi - HDR);
	heap_unpoison(r, sizeof(*r) + HDR + LINKS);
	heap_unpoison(sentinel, HDR);
	r->first = first;
	r->sentinel = sentinel;
	r->len = len;
	sentinel->size = HDR;
	sentinel->slack = 0;
	sentinel->shift = 0;
	sentinel->flags = BLK_USED | BLK_SENTINEL | BLK_PREV_FREE;
	blk_seal(sentinel);
	blk_make_free(first, addr(sentinel) - addr(first));
	poison_range(addr(first) + HDR + LINKS, addr(sentinel) - FOOTER);
	region_link(r);
	heap_total += len;
	DBG("heap: region %p+%#zx, %zu bytes usable\n", start, len,
	    first->size - HDR);
}

void heap_stats(struct heap_stats *stats)
{
	struct list_head *link;
	size_t largest = 0;
	int idx = -1, i;

	for (i = bin_find(0); i >= 0; i = bin_find(i + 1))
		idx = i;
	if (idx >= 0) {
		for (link = heap_bins[idx].next; link != &heap_bins[idx];
		     link = link->next)
			largest = umax(largest, links_blk(link)->size);
	}
	stats->total = heap_total;
	stats->used = heap_used;
	stats->blocks = heap_blocks;
	stats->largest_free = largest ? largest - HDR : 0;
}

/* ------------------------------------------------------------------------
 * Consistency check
 */

/** What a walk over the blocks found */
struct heap_tally {
	size_t total;
	size_t used;
	size_t blocks;
	size_t free_blocks;
};

/** Report an inconsistency */
static int heap_fail(const void *where, const char *why)
{
	printf("heap_check: %p: %s\n", where, why);
	return -EFAULT;
}

/** Check one block of region @r, whose predecessor was free if @prev_free */
static __no_asan int check_block(const struct heap_region *r,
				 struct heap_block *b, int prev_free)
{
	if (!blk_sealed(b))
		return heap_fail(b, "block header corrupted");
	if (b->size < MIN_BLOCK || (b->size & HEAP_MASK) ||
	    b->size > addr(r->sentinel) - addr(b) || (b->flags & BLK_SENTINEL))
		return heap_fail(b, "bad block size or flags");
	if (!!(b->flags & BLK_PREV_FREE) != prev_free)
		return heap_fail(b,
				 "BLK_PREV_FREE flag disagrees with neighbour");
	if (b->flags & BLK_USED) {
		if (b->shift > HEAP_MASK || b->slack > b->size - HDR - b->shift)
			return heap_fail(b, "bad shift or slack");
		if (!guard_intact(b))
			return heap_fail(b, "overrun: guard bytes overwritten");
		return 0;
	}
	if (prev_free)
		return heap_fail(b, "adjacent free blocks were not coalesced");
	if (*blk_footer(b) != b->size)
		return heap_fail(b, "free block footer corrupted");
	return 0;
}

/** Walk every block of region @r */
static __no_asan int check_region(const struct heap_region *r,
				  struct heap_tally *t)
{
	struct heap_block *b = r->first;
	int prev_free = 0;
	int rc;

	if (r->next && addr(r->sentinel) + HDR > addr(r->next))
		return heap_fail(r, "regions overlap");
	while (b != r->sentinel) {
		rc = check_block(r, b, prev_free);
		if (rc != 0)
			return rc;
		prev_free = !(b->flags & BLK_USED);
		if (prev_free) {
			t->free_blocks++;
		} else {
			t->used += b->size;
			t->blocks++;
		}
		b = blk_at(blk_end(b));
	}
	if (!blk_sealed(b) || b->size != HDR ||
	    (b->flags & ~BLK_PREV_FREE) != (BLK_USED | BLK_SENTINEL) ||
	    !!(b->flags & BLK_PREV_FREE) != prev_free)
		return heap_fail(b, "region sentinel corrupted");
	t->total += r->len;
	return 0;
}

/** Check one free-list link: inside the heap, a free block of bin @idx */
static __no_asan int check_link(struct list_head *link, unsigned int idx)
{
	struct heap_block *f = links_blk(link);

	if (!region_of(addr(f)) || (addr(f) & HEAP_MASK))
		return heap_fail(link, "free list points outside the heap");
	if (!blk_sealed(f) || (f->flags & BLK_USED))
		return heap_fail(f, "free list holds a block that is not free");
	if (bin_index(f->size) != idx)
		return heap_fail(f, "free block filed in the wrong bin");
	if (!blk_linked(f))
		return heap_fail(f, "free list links inconsistent");
	return 0;
}

/** Walk every bin: each entry a valid free block, counts match the walk */
static __no_asan int check_bins(const struct heap_tally *t)
{
	struct list_head *head, *link;
	size_t count = 0;
	unsigned int idx;
	int rc, mapped;

	for (idx = 0; heap_ready && idx < NR_BINS; idx++) {
		head = &heap_bins[idx];
		mapped = !!(heap_map[idx / LONG_BITS] & bin_bit(idx));
		if (mapped == list_empty(head))
			return heap_fail(head, "bin bitmap disagrees with bin");
		for (link = head->next; link != head; link = link->next) {
			rc = check_link(link, idx);
			if (rc != 0)
				return rc;
			if (++count > t->free_blocks)
				return heap_fail(link, "free lists loop");
		}
	}
	if (count != t->free_blocks)
		return heap_fail(heap_bins, "free blocks missing from bins");
	return 0;
}

int heap_check(void)
{
	struct heap_tally t = {0};
	struct heap_region *r;
	int rc;

	for (r = heap_regions; r; r = r->next) {
		rc = check_region(r, &t);
		if (rc != 0)
			return rc;
	}
	rc = check_bins(&t);
	if (rc != 0)
		return rc;
	if (t.total != heap_total || t.used != heap_used ||
	    t.blocks != heap_blocks)
		return heap_fail(heap_regions, "heap totals do not add up");
	return 0;
}
