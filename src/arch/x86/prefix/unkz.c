/* The prefixes' decompressor: KZ (LZ77 + adaptive binary range coder), x86 call filter, fixups. */
#include "unkz.h"

/*
 * Built twice: into every real-mode prefix (i386, flat 32-bit mode, called
 * from assembly with the plain stack convention) and into the host test
 * with util/kz.c, the compressor. It uses no global data and no constant
 * tables, so that its i386 code needs no relocation wherever the prefix is.
 *
 * The format is described in unkz.h. Every read is bounded by the input's
 * length and every write by the output's; a stream that does not decode to
 * exactly the promised length is rejected.
 */

struct kz_dec {
	const uint8_t *in, *in_end;
	uint32_t range, code;
	/* Bytes read past the end (counted, not read) */
	uint32_t overrun;
	uint16_t p[KZ_NPROBS];
};

static void kz_norm(struct kz_dec *d)
{
	if (d->range < (1u << 24)) {
		d->range <<= 8;
		d->code <<= 8;
		if (d->in < d->in_end)
			d->code |= *d->in++;
		else
			d->overrun++;
	}
}

/** One bit with adaptive probability @i */
static unsigned int kz_bit(struct kz_dec *d, unsigned int i)
{
	uint16_t *p = &d->p[i];
	uint32_t bound = (d->range >> KZ_PBITS) * *p;
	unsigned int bit;

	if (d->code < bound) {
		d->range = bound;
		*p += ((1u << KZ_PBITS) - *p) >> KZ_MOVE;
		bit = 0;
	} else {
		d->range -= bound;
		d->code -= bound;
		*p -= *p >> KZ_MOVE;
		bit = 1;
	}
	kz_norm(d);
	return bit;
}

/** @n bits, most significant first, through the tree at @base */
static unsigned int kz_tree(struct kz_dec *d, unsigned int base,
			    unsigned int n)
{
	unsigned int m = 1;

	while (m < (1u << n))
		m = (m << 1) | kz_bit(d, base + m);
	return m - (1u << n);
}

/** @n bits, least significant first, through the tree at @base */
static unsigned int kz_rtree(struct kz_dec *d, unsigned int base,
			     unsigned int n)
{
	unsigned int m = 1, v = 0, i, bit;

	for (i = 0; i < n; i++) {
		bit = kz_bit(d, base + m);
		m = (m << 1) | bit;
		v |= bit << i;
	}
	return v;
}

/** A match length, 2..273, from the coder at @base */
static unsigned int kz_len(struct kz_dec *d, unsigned int base)
{
	if (!kz_bit(d, base + KZ_LEN_CHOICE))
		return 2 + kz_tree(d, base + KZ_LEN_LOW, 3);
	if (!kz_bit(d, base + KZ_LEN_CHOICE2))
		return 10 + kz_tree(d, base + KZ_LEN_MID, 3);
	return 18 + kz_tree(d, base + KZ_LEN_HIGH, 8);
}

/** A match distance minus one, for a match of @len */
static uint32_t kz_dist(struct kz_dec *d, unsigned int len)
{
	unsigned int lc = len - 2 < 3 ? len - 2 : 3;
	unsigned int slot = kz_tree(d, KZ_SLOT + (lc << 6), 6);
	unsigned int nb, i;
	uint32_t dist;

	if (slot < 4)
		return slot;
	nb = (slot >> 1) - 1;
	dist = (2u | (slot & 1)) << nb;
	if (slot < KZ_END_SPEC_SLOT)
		return dist + kz_rtree(d, KZ_SPEC + dist - slot, nb);
	for (i = nb - KZ_ALIGN_BITS; i > 0; i--) {
		d->range >>= 1;
		if (d->code >= d->range) {
			d->code -= d->range;
			dist += 1u << (i - 1 + KZ_ALIGN_BITS);
		}
		kz_norm(d);
	}
	return dist + kz_rtree(d, KZ_ALIGN, KZ_ALIGN_BITS);
}

/** The LZ stream into @out, exactly @out_len bytes */
static int kz_lz(struct kz_dec *d, uint8_t *out, uint32_t out_len)
{
	uint32_t pos = 0, rep0 = 1, rep1 = 1, rep2 = 1, rep3 = 1, len, base;
	unsigned int state = 0, sym, mb, mbit, bit;

	while (pos < out_len) {
		if (!kz_bit(d, KZ_IS_MATCH + state)) {
			base = KZ_LIT + 0x300 * (pos ? out[pos - 1] >> (8 - KZ_LC) : 0);
			sym = 1;
			if (state >= KZ_STATES_LIT) {
				mb = out[pos - rep0];
				do {
					mbit = (mb >> 7) & 1;
					mb <<= 1;
					bit = kz_bit(d, base + 0x100 + (mbit << 8) + sym);
					sym = (sym << 1) | bit;
				} while (sym < 0x100 && mbit == bit);
			}
			while (sym < 0x100)
				sym = (sym << 1) | kz_bit(d, base + sym);
			out[pos++] = (uint8_t)sym;
			state = KZ_NEXT_LIT(state);
			continue;
		}
		if (kz_bit(d, KZ_IS_REP + state)) {
			if (!kz_bit(d, KZ_IS_REP0 + state)) {
				len = 1;
				if (kz_bit(d, KZ_IS_REP0_LONG + state))
					len = kz_len(d, KZ_REP_LEN);
			} else {
				if (!kz_bit(d, KZ_IS_REP1 + state)) {
					base = rep1;
				} else {
					if (!kz_bit(d, KZ_IS_REP2 + state)) {
						base = rep2;
					} else {
						base = rep3;
						rep3 = rep2;
					}
					rep2 = rep1;
				}
				rep1 = rep0;
				rep0 = base;
				len = kz_len(d, KZ_REP_LEN);
			}
			state = KZ_NEXT_REP(state);
		} else {
			rep3 = rep2;
			rep2 = rep1;
			rep1 = rep0;
			len = kz_len(d, KZ_MATCH_LEN);
			rep0 = kz_dist(d, len) + 1;
			state = KZ_NEXT_MATCH(state);
		}
		if (rep0 > pos || len > out_len - pos)
			return -1;
		while (len--) {
			out[pos] = out[pos - rep0];
			pos++;
		}
	}
	return 0;
}

void kz_unfilter(uint8_t *buf, uint32_t len)
{
	uint32_t i = 0, v, next_ok = 0;

	while (i + 5 <= len) {
		if ((buf[i] & 0xfe) != 0xe8) {
			i++;
			continue;
		}
		/* An operand left alone is never touched by a conversion
		 * overlapping it, so both directions see the same bytes */
		if (i < next_ok || (buf[i + 4] != 0 && buf[i + 4] != 0xff)) {
			next_ok = i + 4;
			i++;
			continue;
		}
		v = buf[i + 1] | (buf[i + 2] << 8) | ((uint32_t)buf[i + 3] << 16) |
		    ((uint32_t)buf[i + 4] << 24);
		v -= i + 5;
		/* Back to the 25-bit signed form */
		v = (v & 0x1000000) ? (v | 0xff000000) : (v & 0xffffff);
		buf[i + 1] = (uint8_t)v;
		buf[i + 2] = (uint8_t)(v >> 8);
		buf[i + 3] = (uint8_t)(v >> 16);
		buf[i + 4] = (uint8_t)(v >> 24);
		i += 5;
	}
}

int kz_decode(const uint8_t *in, uint32_t in_len, uint8_t *out,
	      uint32_t out_len, void *work)
{
	struct kz_dec *d = work;
	unsigned int i;

	if (in_len < 5 || in[0] != 0)
		return -1;
	d->in = in + 5;
	d->in_end = in + in_len;
	d->range = 0xffffffff;
	d->code = ((uint32_t)in[1] << 24) | ((uint32_t)in[2] << 16) |
		  ((uint32_t)in[3] << 8) | in[4];
	d->overrun = 0;
	for (i = 0; i < KZ_NPROBS; i++)
		d->p[i] = 1u << (KZ_PBITS - 1);
	if (kz_lz(d, out, out_len) != 0 || d->overrun > 4)
		return -1;
	kz_unfilter(out, out_len);
	return 0;
}

static uint32_t kz_get32(const uint8_t *p)
{
	return p[0] | (p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static void kz_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/** Append one delta to a fixup table in the payload's format */
static uint8_t *kz_fix_put(uint8_t *t, uint32_t delta)
{
	if (delta < 0x80) {
		*t++ = (uint8_t)delta;
	} else if (delta < 0x4000) {
		*t++ = (uint8_t)(0x80 | (delta >> 8));
		*t++ = (uint8_t)delta;
	} else {
		*t++ = 0xff;
		kz_put32(t, delta);
		t += 4;
	}
	return t;
}

/** A LEB128 number from [*p, end), or ~0 if it runs past the end */
static uint32_t kz_varint(const uint8_t **p, const uint8_t *end)
{
	uint32_t v = 0;
	unsigned int shift = 0;

	while (*p < end && shift < 32) {
		v |= (uint32_t)(**p & 0x7f) << shift;
		if (!(*(*p)++ & 0x80))
			return v;
		shift += 7;
	}
	return ~0u;
}

/** A list of increasing offsets, as a count then deltas */
struct kz_list {
	const uint8_t *p, *end;
	uint32_t left, next;
};

static void kz_list_step(struct kz_list *l)
{
	uint32_t d;

	if (!l->left) {
		l->next = ~0u;
		return;
	}
	l->left--;
	d = kz_varint(&l->p, l->end);
	l->next = d == ~0u ? ~0u : l->next + d;
}

int kz_fixups(uint8_t *img, uint32_t filesz, uint32_t mem_len,
	      const uint8_t *ex, uint32_t elen, uint32_t link_base,
	      uint32_t delta)
{
	uint32_t i, prev = 0, v, rel;
	uint8_t *t = img + filesz, *t_end = img + mem_len - 5;
	struct kz_list fl, ml;

	if (filesz < 12 || mem_len < filesz + 6)
		return -1;
	fl.p = ex;
	fl.end = ex + elen;
	fl.left = kz_varint(&fl.p, fl.end);
	ml.p = fl.p;
	ml.end = fl.end;
	/* (a damaged count ends with the table, not after 2^32 turns) */
	for (i = 0; i < fl.left && ml.p < ml.end; i++)
		kz_varint(&ml.p, ml.end);
	ml.left = kz_varint(&ml.p, ml.end);
	if (fl.left == ~0u || ml.left == ~0u)
		return -1;
	fl.next = ml.next = 0;
	kz_list_step(&fl);
	kz_list_step(&ml);
	for (i = 0; i + 4 <= filesz && t < t_end;) {
		v = kz_get32(img + i);
		if (ml.next == i) {
			kz_list_step(&ml);
			rel = 1;
		} else {
			rel = v >= link_base && v - link_base <= mem_len;
			if (rel && fl.next == i) {
				kz_list_step(&fl);
				rel = 0;
			}
		}
		if (!rel) {
			i++;
			continue;
		}
		t = kz_fix_put(t, i - prev);
		prev = i;
		kz_put32(img + i, v + delta);
		i += 4;
	}
	if (t >= t_end || fl.left || ml.left)
		return -1;
	*t++ = 0;
	/* The payload's header says how long its table is (x86_entry.S) */
	return (uint32_t)(t - (img + filesz)) == kz_get32(img + 8) ? 0 : -1;
}

int kz_unpack(const struct kz_header *h, uint32_t avail, uint8_t *dst,
	      uint32_t link_base)
{
	uint32_t work, elen, i;

	if (avail < sizeof(*h) || h->magic != KZ_MAGIC)
		return -1;
	work = (h->mem_len + 15) & ~15u;
	if (h->in_len > avail - sizeof(*h) || h->fix_off > h->out_len ||
	    h->out_len > h->mem_len || work < h->mem_len ||
	    h->run_len < KZ_STACK_SIZE || h->run_len - KZ_STACK_SIZE < work ||
	    h->run_len - KZ_STACK_SIZE - work < KZ_WORK_SIZE ||
	    kz_decode((const uint8_t *)(h + 1), h->in_len, dst, h->out_len,
		      dst + work) != 0)
		return -1;
	/* The exceptions move to the work space; the table goes where they
	 * were */
	elen = h->out_len - h->fix_off;
	if (elen > KZ_WORK_SIZE)
		return -1;
	for (i = 0; i < elen; i++)
		dst[work + i] = dst[h->fix_off + i];
	return kz_fixups(dst, h->fix_off, h->mem_len, dst + work, elen,
			 link_base, (uint32_t)(uintptr_t)dst - link_base);
}
