/* KZ compressor (host): x86 code split by field, LZ77 with price-driven optimal parsing, range coder with x86-aware contexts. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kz.h"

/*
 * The format is described in src/arch/x86/prefix/unkz.h. The parse is
 * chosen block by block: a shortest-path search over the next KZ_BLOCK
 * positions, where every literal, match and repeat is priced (in 1/16 bit)
 * from the model's probabilities, each position remembering the state and
 * last distances of its best path. A first parse is priced from the model
 * as it stands at the block's start and coded, which updates the model;
 * then the coder goes back to the block's start and parses again, priced
 * from that updated model (which knows the block's statistics), and that
 * path is coded for real. Each parse runs KZ_LOOK positions past the
 * block's end; only the steps that start inside the block are coded.
 */

#define KZ_BLOCK 512
#define KZ_HASH_BITS 16
#define KZ_DEPTH 1024
/* Farthest 2-byte match worth a look (a far one costs more than literals) */
#define KZ_DIST2_MAX 1024
/* Parses of each block: every one after the first is priced from the
 * model as the one before left it */
#define KZ_PASSES 3
/* Positions parsed past a block's end, so that its last steps are chosen
 * knowing what follows (the next block starts where they end) */
#define KZ_LOOK KZ_MAX_LEN
#define KZ_INF 0x7fffffff

struct kz_enc {
	/* Range coder */
	uint64_t low;
	uint32_t range;
	uint8_t cache;
	uint64_t cache_size;
	uint8_t *out;
	size_t out_len, out_cap;
	/* Model: exactly as the decoder's */
	uint16_t p[KZ_NPROBS];
	/* Input; for each of its bytes, the match kind it codes IS_MATCH
	 * with, and the bases of its literal's trees: matched, and plain */
	const uint8_t *in;
	size_t n;
	uint8_t *kind;
	uint32_t *lit_base, *plain_base;
	/* Match finder: chains of 3-byte hashes, and for every position
	 * the one before with the same 2 bytes; positions below @inserted are
	 * in them */
	int32_t *head, *chain, *head2, *chain2;
	size_t inserted;
	/* The probabilities that prices are taken from: p, or next_p */
	const uint16_t *pp;
	uint16_t next_p[KZ_NPROBS];
	/* Price of a 0 bit for probability p >> 4 */
	uint32_t price[(1 << KZ_PBITS) >> 4];
};

/** One candidate match found at a position */
struct kz_match {
	uint32_t len, dist;
};

/** One position of the block's search: the best step that reaches it */
struct kz_node {
	int32_t cost;
	uint32_t from, len;
	/* KZ_K_*, and the distance of a match or the index of a repeat */
	uint32_t kind, arg;
	/* The state and last four distances after that step */
	uint32_t state, reps[4];
};

#define KZ_K_LIT 0
#define KZ_K_MATCH 1
#define KZ_K_REP 2
#define KZ_K_SHORT 3

static int kz_put(struct kz_enc *e, uint8_t b)
{
	if (e->out_len == e->out_cap) {
		size_t cap = e->out_cap ? e->out_cap * 2 : 4096;
		uint8_t *o = realloc(e->out, cap);

		if (!o)
			return -1;
		e->out = o;
		e->out_cap = cap;
	}
	e->out[e->out_len++] = b;
	return 0;
}

static void kz_shift_low(struct kz_enc *e)
{
	if ((uint32_t)e->low < 0xff000000u || (e->low >> 32) != 0) {
		uint8_t carry = (uint8_t)(e->low >> 32), c = e->cache;

		do {
			kz_put(e, (uint8_t)(c + carry));
			c = 0xff;
		} while (--e->cache_size != 0);
		e->cache = (uint8_t)(e->low >> 24);
	}
	e->cache_size++;
	e->low = (e->low & 0x00ffffff) << 8;
}

static void kz_enc_bit(struct kz_enc *e, unsigned int i, unsigned int bit)
{
	uint16_t *p = &e->p[i];
	uint32_t bound = (e->range >> KZ_PBITS) * *p;

	if (!bit) {
		e->range = bound;
		*p += ((1u << KZ_PBITS) - *p) >> KZ_MOVE;
	} else {
		e->low += bound;
		e->range -= bound;
		*p -= *p >> KZ_MOVE;
	}
	while (e->range < (1u << 24)) {
		e->range <<= 8;
		kz_shift_low(e);
	}
}

static void kz_enc_direct(struct kz_enc *e, unsigned int bit)
{
	e->range >>= 1;
	if (bit)
		e->low += e->range;
	while (e->range < (1u << 24)) {
		e->range <<= 8;
		kz_shift_low(e);
	}
}

static void kz_enc_tree(struct kz_enc *e, unsigned int base, unsigned int n,
			unsigned int sym)
{
	unsigned int m = 1, i, bit;

	for (i = n; i > 0; i--) {
		bit = (sym >> (i - 1)) & 1;
		kz_enc_bit(e, base + m, bit);
		m = (m << 1) | bit;
	}
}

static void kz_enc_rtree(struct kz_enc *e, unsigned int base, unsigned int n,
			 unsigned int sym)
{
	unsigned int m = 1, i, bit;

	for (i = 0; i < n; i++) {
		bit = (sym >> i) & 1;
		kz_enc_bit(e, base + m, bit);
		m = (m << 1) | bit;
	}
}

/* Prices, in 1/16 bit */
static uint32_t kz_pbit(const struct kz_enc *e, unsigned int i,
			unsigned int bit)
{
	unsigned int p = e->pp[i];

	return e->price[(bit ? (1u << KZ_PBITS) - p : p) >> 4];
}

static uint32_t kz_ptree(const struct kz_enc *e, unsigned int base,
			 unsigned int n, unsigned int sym)
{
	unsigned int m = 1, i, bit;
	uint32_t c = 0;

	for (i = n; i > 0; i--) {
		bit = (sym >> (i - 1)) & 1;
		c += kz_pbit(e, base + m, bit);
		m = (m << 1) | bit;
	}
	return c;
}

static uint32_t kz_prtree(const struct kz_enc *e, unsigned int base,
			  unsigned int n, unsigned int sym)
{
	unsigned int m = 1, i, bit;
	uint32_t c = 0;

	for (i = 0; i < n; i++) {
		bit = (sym >> i) & 1;
		c += kz_pbit(e, base + m, bit);
		m = (m << 1) | bit;
	}
	return c;
}

/* The coding steps, each either coded (@e->out) or priced */
static void kz_enc_len(struct kz_enc *e, unsigned int base, unsigned int len)
{
	len -= 2;
	if (len < 8) {
		kz_enc_bit(e, base + KZ_LEN_CHOICE, 0);
		kz_enc_tree(e, base + KZ_LEN_LOW, 3, len);
	} else if (len < 16) {
		kz_enc_bit(e, base + KZ_LEN_CHOICE, 1);
		kz_enc_bit(e, base + KZ_LEN_CHOICE2, 0);
		kz_enc_tree(e, base + KZ_LEN_MID, 3, len - 8);
	} else {
		kz_enc_bit(e, base + KZ_LEN_CHOICE, 1);
		kz_enc_bit(e, base + KZ_LEN_CHOICE2, 1);
		kz_enc_tree(e, base + KZ_LEN_HIGH, 8, len - 16);
	}
}

static uint32_t kz_price_len(const struct kz_enc *e, unsigned int base,
			     unsigned int len)
{
	len -= 2;
	if (len < 8)
		return kz_pbit(e, base + KZ_LEN_CHOICE, 0) +
		       kz_ptree(e, base + KZ_LEN_LOW, 3, len);
	if (len < 16)
		return kz_pbit(e, base + KZ_LEN_CHOICE, 1) +
		       kz_pbit(e, base + KZ_LEN_CHOICE2, 0) +
		       kz_ptree(e, base + KZ_LEN_MID, 3, len - 8);
	return kz_pbit(e, base + KZ_LEN_CHOICE, 1) +
	       kz_pbit(e, base + KZ_LEN_CHOICE2, 1) +
	       kz_ptree(e, base + KZ_LEN_HIGH, 8, len - 16);
}

static unsigned int kz_slot(uint32_t d)
{
	unsigned int nb = 0;

	if (d < 4)
		return d;
	while ((d >> nb) > 1)
		nb++;
	return 2 * nb + ((d >> (nb - 1)) & 1);
}

static void kz_enc_dist(struct kz_enc *e, uint32_t d, unsigned int len)
{
	unsigned int lc = len - 2 < 3 ? len - 2 : 3, slot = kz_slot(d), nb, i;
	uint32_t base, extra;

	kz_enc_tree(e, KZ_SLOT + (lc << 6), 6, slot);
	if (slot < 4)
		return;
	nb = (slot >> 1) - 1;
	base = (2u | (slot & 1)) << nb;
	extra = d - base;
	if (slot < KZ_END_SPEC_SLOT) {
		kz_enc_rtree(e, KZ_SPEC + base - slot, nb, extra);
		return;
	}
	for (i = nb - KZ_ALIGN_BITS; i > 0; i--)
		kz_enc_direct(e, (extra >> (i - 1 + KZ_ALIGN_BITS)) & 1);
	kz_enc_rtree(e, KZ_ALIGN, KZ_ALIGN_BITS, extra & 15);
}

static uint32_t kz_price_dist(const struct kz_enc *e, uint32_t d,
			      unsigned int len)
{
	unsigned int lc = len - 2 < 3 ? len - 2 : 3, slot = kz_slot(d), nb;
	uint32_t base, extra, c;

	c = kz_ptree(e, KZ_SLOT + (lc << 6), 6, slot);
	if (slot < 4)
		return c;
	nb = (slot >> 1) - 1;
	base = (2u | (slot & 1)) << nb;
	extra = d - base;
	if (slot < KZ_END_SPEC_SLOT)
		return c + kz_prtree(e, KZ_SPEC + base - slot, nb, extra);
	return c + 16 * (nb - KZ_ALIGN_BITS) +
	       kz_prtree(e, KZ_ALIGN, KZ_ALIGN_BITS, extra & 15);
}

/** The IS_MATCH slot of a step at @pos in state @st */
static unsigned int kz_is_match(const struct kz_enc *e, size_t pos,
				unsigned int st)
{
	return KZ_IS_MATCH + KZ_NSTATES * e->kind[pos] + st;
}

/**
 * The probability slots that code the literal at @pos, one per bit from
 * the top: after a match, the byte at rep0 guides them until a bit differs
 */
static void kz_lit_slots(const struct kz_enc *e, size_t pos,
			 unsigned int state, uint32_t rep0,
			 unsigned int slot[8])
{
	unsigned int base = e->lit_base[pos], sym = 1;
	unsigned int b = e->in[pos];
	unsigned int mb = 0, matched = state >= KZ_STATES_LIT, i, bit, mbit;

	if (matched)
		mb = e->in[pos - rep0];
	for (i = 8; i > 0; i--) {
		bit = (b >> (i - 1)) & 1;
		if (matched) {
			mbit = (mb >> (i - 1)) & 1;
			slot[8 - i] = base + 0x100 + (mbit << 8) + sym;
			matched = mbit == bit;
		} else {
			slot[8 - i] = e->plain_base[pos] + sym;
		}
		sym = (sym << 1) | bit;
	}
}

static void kz_enc_lit(struct kz_enc *e, size_t pos, unsigned int state,
		       uint32_t rep0)
{
	unsigned int slot[8], b = e->in[pos], i;

	kz_lit_slots(e, pos, state, rep0, slot);
	for (i = 0; i < 8; i++)
		kz_enc_bit(e, slot[i], (b >> (7 - i)) & 1);
}

static uint32_t kz_price_lit(const struct kz_enc *e, size_t pos,
			     unsigned int state, uint32_t rep0)
{
	unsigned int slot[8], b = e->in[pos], i;
	uint32_t c = 0;

	kz_lit_slots(e, pos, state, rep0, slot);
	for (i = 0; i < 8; i++)
		c += kz_pbit(e, slot[i], (b >> (7 - i)) & 1);
	return c;
}

static uint32_t kz_hash(const uint8_t *p)
{
	return ((uint32_t)(p[0] | (p[1] << 8) | (p[2] << 16)) * 2654435761u) >>
	       (32 - KZ_HASH_BITS);
}

/** Matches at @pos (inserted on the first visit), longest first found last */
static unsigned int kz_find(struct kz_enc *e, size_t pos,
			    struct kz_match *m, unsigned int max)
{
	size_t avail = e->n - pos, lim = avail < KZ_MAX_LEN ? avail : KZ_MAX_LEN;
	unsigned int count = 0, depth = KZ_DEPTH, best = 2;
	int32_t cand;
	uint32_t h;

	if (avail < 2)
		return 0;
	if (pos >= e->inserted) {
		h = e->in[pos] | (e->in[pos + 1] << 8);
		e->chain2[pos] = e->head2[h];
		e->head2[h] = (int32_t)pos;
		if (avail >= 3) {
			h = kz_hash(e->in + pos);
			e->chain[pos] = e->head[h];
			e->head[h] = (int32_t)pos;
		}
		e->inserted = pos + 1;
	}
	cand = e->chain2[pos];
	if (cand >= 0 && pos - (size_t)cand <= KZ_DIST2_MAX) {
		m[count].len = 2;
		m[count].dist = (uint32_t)(pos - (size_t)cand);
		count++;
	}
	if (avail < 3)
		return count;
	for (cand = e->chain[pos]; cand >= 0 && depth--; cand = e->chain[cand]) {
		const uint8_t *a = e->in + pos, *b = e->in + cand;
		size_t l;

		if (a[best] != b[best])
			continue;
		for (l = 0; l < lim && a[l] == b[l]; l++)
			;
		if (l > best) {
			best = (unsigned int)l;
			m[count].len = (uint32_t)l;
			m[count].dist = (uint32_t)(pos - cand);
			if (++count == max || l == lim)
				break;
		}
	}
	return count;
}

static void kz_relax(struct kz_node *opt, uint32_t at, int64_t cost,
		     uint32_t from, uint32_t len, uint32_t kind, uint32_t arg,
		     uint32_t state, const uint32_t *reps)
{
	if (cost >= opt[at].cost)
		return;
	opt[at].cost = (int32_t)cost;
	opt[at].from = from;
	opt[at].len = len;
	opt[at].kind = kind;
	opt[at].arg = arg;
	opt[at].state = state;
	memcpy(opt[at].reps, reps, sizeof(opt[at].reps));
}

/** The last four distances after using repeat @k (it moves to the front) */
static void kz_rep_use(const uint32_t *in, unsigned int k, uint32_t *out)
{
	unsigned int i, j = 1;

	out[0] = in[k];
	for (i = 0; i < 4; i++) {
		if (i != k)
			out[j++] = in[i];
	}
}

/** Price of choosing repeat @k (IS_MATCH and IS_REP excluded) */
static uint32_t kz_price_rep(const struct kz_enc *e, unsigned int st,
			     unsigned int k)
{
	if (k == 0)
		return kz_pbit(e, KZ_IS_REP0 + st, 0) +
		       kz_pbit(e, KZ_IS_REP0_LONG + st, 1);
	if (k == 1)
		return kz_pbit(e, KZ_IS_REP0 + st, 1) +
		       kz_pbit(e, KZ_IS_REP1 + st, 0);
	return kz_pbit(e, KZ_IS_REP0 + st, 1) + kz_pbit(e, KZ_IS_REP1 + st, 1) +
	       kz_pbit(e, KZ_IS_REP2 + st, k == 3);
}

static void kz_enc_rep(struct kz_enc *e, unsigned int st, unsigned int k)
{
	if (k == 0) {
		kz_enc_bit(e, KZ_IS_REP0 + st, 0);
		kz_enc_bit(e, KZ_IS_REP0_LONG + st, 1);
		return;
	}
	kz_enc_bit(e, KZ_IS_REP0 + st, 1);
	kz_enc_bit(e, KZ_IS_REP1 + st, k != 1);
	if (k != 1)
		kz_enc_bit(e, KZ_IS_REP2 + st, k == 3);
}

/**
 * Choose the parse of [pos, pos + @blen + @look) and code its steps that
 * start before @blen.
 *
 * @ret len	bytes coded (at least @blen: the last step may run past it)
 */
static uint32_t kz_block(struct kz_enc *e, size_t pos, uint32_t blen,
			 uint32_t look, struct kz_node *opt, uint32_t *path,
			 unsigned int *state, uint32_t *reps)
{
	struct kz_match m[64];
	uint32_t i, j, k, l, np, at, minl, nreps[4];
	unsigned int nm, st;

	for (i = 0; i <= blen + look + KZ_MAX_LEN; i++)
		opt[i].cost = KZ_INF;
	opt[0].cost = 0;
	opt[0].state = *state;
	memcpy(opt[0].reps, reps, sizeof(opt[0].reps));
	for (i = 0; i < blen + look; i++) {
		size_t cur = pos + i, avail = e->n - cur;
		size_t lim = avail < KZ_MAX_LEN ? avail : KZ_MAX_LEN;
		int64_t c = opt[i].cost, cm, cr;
		const uint32_t *r = opt[i].reps;

		st = opt[i].state;
		nm = kz_find(e, cur, m, 64);
		kz_relax(opt, i + 1,
			 c + kz_pbit(e, kz_is_match(e, cur, st), 0) +
				 kz_price_lit(e, cur, st, r[0]),
			 i, 1, KZ_K_LIT, 0, KZ_NEXT_LIT(st), r);
		cm = c + kz_pbit(e, kz_is_match(e, cur, st), 1);
		cr = cm + kz_pbit(e, KZ_IS_REP + st, 1);
		if (r[0] <= cur && e->in[cur] == e->in[cur - r[0]])
			kz_relax(opt, i + 1,
				 cr + kz_pbit(e, KZ_IS_REP0 + st, 0) +
					 kz_pbit(e, KZ_IS_REP0_LONG + st, 0),
				 i, 1, KZ_K_SHORT, 0, KZ_NEXT_REP(st), r);
		for (k = 0; k < 4; k++) {
			const uint8_t *a = e->in + cur, *b;
			int64_t ck;

			if (r[k] > cur)
				continue;
			b = a - r[k];
			for (l = 0; l < lim && a[l] == b[l]; l++)
				;
			if (l < 2)
				continue;
			ck = cr + kz_price_rep(e, st, k);
			kz_rep_use(r, k, nreps);
			for (j = 2; j <= l; j++)
				kz_relax(opt, i + j,
					 ck + kz_price_len(e, KZ_REP_LEN, j), i,
					 j, KZ_K_REP, k, KZ_NEXT_REP(st), nreps);
		}
		minl = 2;
		nreps[1] = r[0];
		nreps[2] = r[1];
		nreps[3] = r[2];
		for (j = 0; j < nm; j++) {
			uint32_t d = m[j].dist;
			int64_t cd = cm + kz_pbit(e, KZ_IS_REP + st, 0);

			if (d == r[0] || d == r[1] || d == r[2] || d == r[3]) {
				minl = m[j].len + 1;
				continue;
			}
			nreps[0] = d;
			for (l = minl; l <= m[j].len; l++)
				kz_relax(opt, i + l,
					 cd + kz_price_len(e, KZ_MATCH_LEN, l) +
						 kz_price_dist(e, d - 1, l),
					 i, l, KZ_K_MATCH, d, KZ_NEXT_MATCH(st),
					 nreps);
			minl = m[j].len + 1;
		}
	}
	/* The cheapest way to reach the end of the look-ahead (paths that run
	 * past it are dropped), then its steps that start in the block, coded
	 * forwards */
	np = 0;
	for (at = blen + look; at > 0; at = opt[at].from)
		path[np++] = at;
	at = 0;
	while (np--) {
		struct kz_node *nd = &opt[path[np]];
		size_t p = pos + nd->from;

		if (nd->from >= blen)
			break;
		at = path[np];

		st = *state;
		if (nd->kind == KZ_K_LIT) {
			kz_enc_bit(e, kz_is_match(e, p, st), 0);
			kz_enc_lit(e, p, st, reps[0]);
		} else if (nd->kind == KZ_K_SHORT) {
			kz_enc_bit(e, kz_is_match(e, p, st), 1);
			kz_enc_bit(e, KZ_IS_REP + st, 1);
			kz_enc_bit(e, KZ_IS_REP0 + st, 0);
			kz_enc_bit(e, KZ_IS_REP0_LONG + st, 0);
		} else if (nd->kind == KZ_K_REP) {
			kz_enc_bit(e, kz_is_match(e, p, st), 1);
			kz_enc_bit(e, KZ_IS_REP + st, 1);
			kz_enc_rep(e, st, nd->arg);
			kz_enc_len(e, KZ_REP_LEN, nd->len);
		} else {
			kz_enc_bit(e, kz_is_match(e, p, st), 1);
			kz_enc_bit(e, KZ_IS_REP + st, 0);
			kz_enc_len(e, KZ_MATCH_LEN, nd->len);
			kz_enc_dist(e, nd->arg - 1, nd->len);
		}
		*state = nd->state;
		memcpy(reps, nd->reps, 4 * sizeof(*reps));
	}
	return at;
}

/* Opcode map entries (unkz.h) */
#define X_E(len, st) ((len) | ((st) << KZ_X_STREAM_SHIFT))
#define X_M KZ_X_MODRM
#define X_I8 X_E(1, KZ_S_I8)
#define X_IV (KZ_X_PLUS_OSZ | X_E(0, KZ_S_I32))
#define X_REL8 X_E(1, KZ_S_REL8)
#define X_FAR (KZ_X_PLUS_OSZ | X_E(2, KZ_S_I32))

/** The entry for one-byte opcode @b (i386, 32-bit code) */
static uint8_t kz_map1(unsigned int b)
{
	unsigned int m = b & 7;

	if (b == 0x0f)
		return KZ_X_ESCAPE;
	if (b < 0x40) {
		/* ALU ops on r/m, then on AL/eAX; 26/2E/36/3E segments */
		if (m < 4)
			return X_M;
		if (m == 4)
			return X_I8;
		if (m == 5)
			return X_IV;
		return (m == 6 && b >= 0x20) ? KZ_X_PREFIX : 0;
	}
	if (b < 0x60)
		return 0; /* INC, DEC, PUSH, POP */
	switch (b) {
	case 0x62: case 0x63: case 0x84 ... 0x8f: case 0xc4: case 0xc5:
	case 0xd0 ... 0xd3: case 0xd8 ... 0xdf: case 0xfe: case 0xff:
		return X_M;
	case 0x64: case 0x65: case 0xf0: case 0xf2: case 0xf3:
		return KZ_X_PREFIX;
	case 0x66:
		return KZ_X_OSZ;
	case 0x67:
		return KZ_X_ASZ;
	case 0x68: case 0xa9: case 0xb8 ... 0xbf:
		return X_IV;
	case 0x69: case 0x81: case 0xc7: case 0xf7:
		return X_M | X_IV;
	case 0x6a: case 0xa8: case 0xb0 ... 0xb7: case 0xcd: case 0xd4:
	case 0xd5: case 0xe4 ... 0xe7:
		return X_I8;
	case 0x6b: case 0x80: case 0x82: case 0x83: case 0xc0: case 0xc1:
	case 0xc6: case 0xf6:
		return X_M | X_I8;
	case 0x70 ... 0x7f: case 0xe0 ... 0xe3: case 0xeb:
		return X_REL8;
	case 0x9a: case 0xea:
		return X_FAR;
	case 0xa0 ... 0xa3:
		return X_E(4, KZ_S_D32); /* moffs */
	case 0xc2: case 0xca:
		return X_E(2, KZ_S_I32);
	case 0xc8:
		return X_E(3, KZ_S_I32); /* ENTER */
	case 0xe8:
		return KZ_X_PLUS_OSZ | X_E(0, KZ_S_CALL);
	case 0xe9:
		return KZ_X_PLUS_OSZ | X_E(0, KZ_S_JMP);
	default:
		return 0;
	}
}

/** The entry for opcode 0F @b */
static uint8_t kz_map2(unsigned int b)
{
	switch (b) {
	case 0x80 ... 0x8f:
		return KZ_X_PLUS_OSZ | X_E(0, KZ_S_JMP); /* Jcc rel32 */
	case 0x05 ... 0x0b: case 0x30 ... 0x37: case 0x77: case 0xa0 ... 0xa2:
	case 0xa8 ... 0xaa: case 0xc8 ... 0xcf:
		return 0;
	case 0x70 ... 0x73: case 0xa4: case 0xac: case 0xba: case 0xc2:
	case 0xc4 ... 0xc6:
		return X_M | X_I8;
	default:
		return X_M;
	}
}

void kz_x86_map(uint8_t *map)
{
	unsigned int b;

	for (b = 0; b < 256; b++) {
		map[b] = kz_map1(b);
		map[256 + b] = kz_map2(b);
	}
}

/** Append @n bytes to stream @k */
static void kz_emit(uint8_t **st, uint32_t *sl, unsigned int k,
		    const uint8_t *p, unsigned int n)
{
	memcpy(st[k] + sl[k], p, n);
	sl[k] += n;
}

int kz_split(const uint8_t *code, uint32_t len, uint8_t *out,
	     uint32_t *slen)
{
	uint8_t *st[KZ_NSTREAMS], b[4], *map = out;
	uint32_t sl[KZ_NSTREAMS] = {0}, pos = 0, n, v;
	struct kz_insn f;
	unsigned int k;
	int rc = -1;

	kz_x86_map(map);
	out += KZ_MAP_SIZE;
	for (k = 0; k < KZ_NSTREAMS; k++)
		st[k] = malloc(len + 1);
	for (k = 0; k < KZ_NSTREAMS; k++) {
		if (!st[k])
			goto out;
	}
	while (pos < len) {
		n = len - pos;
		if (n > KZ_TAIL) {
			kz_x86(map, code + pos, &f);
			if ((uint32_t)(f.nop + f.dlen + f.ilen) + KZ_TAIL > n)
				f.nop = 0;
		} else {
			f.nop = 0;
		}
		if (!f.nop) {
			kz_emit(st, sl, KZ_S_OP, code + pos, n);
			break;
		}
		kz_emit(st, sl, KZ_S_OP, code + pos, f.nop);
		kz_emit(st, sl, f.dlen == 1 ? KZ_S_D8 : KZ_S_D32,
			code + pos + f.nop, f.dlen);
		pos += f.nop + f.dlen;
		if (f.ilen == 4 && f.istream >= KZ_S_CALL &&
		    f.istream <= KZ_S_JMP) {
			/* rel32 to the target's offset, big-endian */
			v = code[pos] | (code[pos + 1] << 8) |
			    ((uint32_t)code[pos + 2] << 16) |
			    ((uint32_t)code[pos + 3] << 24);
			v += pos + 4;
			b[0] = (uint8_t)(v >> 24);
			b[1] = (uint8_t)(v >> 16);
			b[2] = (uint8_t)(v >> 8);
			b[3] = (uint8_t)v;
			kz_emit(st, sl, f.istream, b, 4);
		} else {
			kz_emit(st, sl, f.istream, code + pos, f.ilen);
		}
		pos += f.ilen;
	}
	for (k = 0, n = 0; k < KZ_NSTREAMS; k++) {
		memcpy(out + n, st[k], sl[k]);
		n += sl[k];
		if (k < KZ_NSTREAMS - 1)
			slen[k] = sl[k];
	}
	rc = n == len ? 0 : -1;
out:
	for (k = 0; k < KZ_NSTREAMS; k++)
		free(st[k]);
	return rc;
}

/** Each byte's contexts, as the decoder follows them (kz_kind_at()) */
static int kz_contexts(struct kz_enc *e, const uint8_t *in, size_t n,
		       uint32_t code_len, const uint32_t *slen)
{
	uint32_t end[KZ_NSTREAMS], o;
	unsigned int k, r, kind = KZ_K_OP, op = 0, b;
	size_t pos;

	e->kind = calloc(n + 1, 1);
	e->lit_base = calloc(n + 1, sizeof(*e->lit_base));
	e->plain_base = calloc(n + 1, sizeof(*e->plain_base));
	if (!e->kind || !e->lit_base || !e->plain_base)
		return -1;
	for (pos = 0; pos < n; pos++)
		e->lit_base[pos] = e->plain_base[pos] = KZ_LIT;
	if (!code_len)
		return 0;
	if (n < KZ_MAP_SIZE || code_len > n - KZ_MAP_SIZE ||
	    kz_stream_ends(code_len, slen, end) != 0)
		return -1;
	/* end[k]: where stream k ends in @in */
	for (k = 0; k < KZ_NSTREAMS; k++)
		end[k] += KZ_MAP_SIZE;
	for (pos = KZ_MAP_SIZE, r = 0; pos < KZ_MAP_SIZE + code_len; pos++) {
		while (pos >= end[r])
			r++;
		if (r != KZ_S_OP) {
			o = (uint32_t)(pos - end[r - 1]);
			e->kind[pos] = (uint8_t)kz_skind(r, o);
			continue;
		}
		b = in[pos];
		e->kind[pos] = (uint8_t)kind;
		e->lit_base[pos] = e->plain_base[pos] = KZ_LIT + 0x300 * kind;
		if (kind == KZ_K_MODRM)
			e->plain_base[pos] = KZ_LIT_MODRM + 0x100 * op;
		if (kind == KZ_K_OP)
			op = b;
		if (kind == KZ_K_OP2)
			op = 256 | b;
		kind = kz_kind(in, kind, b);
	}
	return 0;
}

uint8_t *kz_compress(const uint8_t *in, size_t n, uint32_t code_len,
		     const uint32_t *slen, size_t *out_len)
{
	struct kz_enc *e = calloc(1, sizeof(*e)), *snap = malloc(sizeof(*e));
	struct kz_node *opt = calloc(KZ_BLOCK + KZ_LOOK + KZ_MAX_LEN + 1,
				     sizeof(*opt));
	uint32_t *path = calloc(KZ_BLOCK + KZ_LOOK + 1, sizeof(*path));
	uint32_t reps[4] = {1, 1, 1, 1};
	unsigned int state = 0, i, pass;
	size_t pos = 0;
	uint8_t *out = NULL;

	if (!e || !opt || !path)
		goto out;
	e->head = malloc(sizeof(*e->head) << KZ_HASH_BITS);
	e->chain = malloc(sizeof(*e->chain) * (n + 1));
	e->head2 = malloc(sizeof(*e->head2) << 16);
	e->chain2 = malloc(sizeof(*e->chain2) * (n + 1));
	if (!e->head || !e->chain || !e->head2 || !e->chain2 || !snap)
		goto out;
	memset(e->head, 0xff, sizeof(*e->head) << KZ_HASH_BITS);
	memset(e->head2, 0xff, sizeof(*e->head2) << 16);
	e->in = in;
	if (kz_contexts(e, in, n, code_len, slen) != 0)
		goto out;
	pos = 0;
	e->n = n;
	for (i = 0; i < KZ_NPROBS; i++)
		e->p[i] = 1u << (KZ_PBITS - 1);
	for (i = 0; i < (1u << KZ_PBITS) >> 4; i++)
		e->price[i] = (uint32_t)(-log2((i * 16 + 8) /
					       (double)(1u << KZ_PBITS)) *
					 16 + 0.5);
	e->range = 0xffffffff;
	e->cache_size = 1;
	e->pp = e->p;
	while (pos < n) {
		uint32_t blen = n - pos < KZ_BLOCK ? (uint32_t)(n - pos) : KZ_BLOCK;
		uint32_t look = n - pos - blen < KZ_LOOK ?
					(uint32_t)(n - pos - blen) : KZ_LOOK;
		uint32_t reps0[4];
		unsigned int state0 = state;

		/* Twice: the second parse is priced with the model as the
		 * first one left it, which knows the block's statistics */
		memcpy(reps0, reps, sizeof(reps0));
		for (pass = 1; pass < KZ_PASSES; pass++) {
			*snap = *e;
			kz_block(e, pos, blen, look, opt, path, &state, reps);
			memcpy(snap->next_p, e->p, sizeof(e->p));
			snap->out = e->out;
			snap->out_cap = e->out_cap;
			snap->inserted = e->inserted;
			*e = *snap;
			state = state0;
			memcpy(reps, reps0, sizeof(reps0));
			e->pp = e->next_p;
		}
		pos += kz_block(e, pos, blen, look, opt, path, &state, reps);
		e->pp = e->p;
	}
	for (i = 0; i < 5; i++)
		kz_shift_low(e);
	out = e->out;
	*out_len = e->out_len;
	if (!out) {
		out = malloc(1);
		*out_len = 0;
	}
out:
	if (e) {
		free(e->head);
		free(e->chain);
		free(e->head2);
		free(e->chain2);
		free(e->kind);
		free(e->lit_base);
		free(e->plain_base);
	}
	free(e);
	free(snap);
	free(opt);
	free(path);
	return out;
}
