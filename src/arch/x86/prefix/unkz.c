/* KZ's decoder in C: the format's reference, for the host tools (every BIOS prefix runs unkz32.S, its i386 twin). */
#include "unkz.h"

/*
 * The format is described in unkz.h. util/kz.c (the compressor) follows
 * the same contexts through kz_kind() and kz_skind(), and splits code by
 * kz_x86(); mkbios checks every image it compresses with kz_unpack()
 * below, and bin/kz_test checks that unkz32.S, the prefixes' decoder,
 * does what these functions do, byte for byte and failure for failure
 * (tests/kz/kz_run32.c).
 *
 * Every read is bounded by the input's length and every write by the
 * output's; a stream that does not decode to exactly the promised length
 * is rejected.
 */
struct kz_dec {
	const uint8_t *in, *in_end;
	uint32_t range, code;
	/* Bytes read past the end (counted, not read) */
	uint32_t overrun;
	/* Where each region of the output ends: the opcode map, the split
	 * code's streams (KZ_S_OP first), then the rest; the region of the
	 * byte being decoded */
	uint32_t end[KZ_NSTREAMS + 2], r;
	/* How far the opcode stream has been followed, the kind of the byte
	 * there, and the last opcode before it (256 added after 0F) */
	uint32_t seen, kind, op;
	uint16_t p[KZ_NPROBS];
};

_Static_assert(sizeof(struct kz_dec) <= KZ_WORK_SIZE, "KZ_WORK_SIZE");

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

int kz_stream_ends(uint32_t code_len, const uint32_t *slen, uint32_t *end)
{
	uint32_t at = 0;
	unsigned int k;

	for (k = 0; k < KZ_NSTREAMS - 1; k++) {
		if (slen[k] > code_len - at)
			return -1;
		at += slen[k];
		end[k] = at;
	}
	end[KZ_NSTREAMS - 1] = code_len;
	return 0;
}

unsigned int kz_kind(const uint8_t *map, unsigned int k, unsigned int b)
{
	unsigned int e;

	if (k == KZ_K_MODRM)
		return (b < 0xc0 && (b & 7) == 4) ? KZ_K_SIB : KZ_K_OP;
	if (k == KZ_K_SIB)
		return KZ_K_OP;
	e = map[((k == KZ_K_OP2) << 8) | b];
	if (e == KZ_X_ESCAPE && k == KZ_K_OP)
		return KZ_K_OP2;
	return (e & KZ_X_MODRM) ? KZ_K_MODRM : KZ_K_OP;
}

unsigned int kz_skind(unsigned int k, uint32_t o)
{
	return 4 + 4 * (k == KZ_S_JMP ? KZ_S_CALL : k) +
	       (((0x74 >> k) & 1) ? (o & 3) : 0);
}

/**
 * The match kind of the byte at @pos (the opcode stream is followed up to
 * it); d->kind and d->op are then its kind and opcode if it is in KZ_S_OP
 */
static unsigned int kz_kind_at(struct kz_dec *d, const uint8_t *out,
			       uint32_t pos)
{
	unsigned int b;

	while (d->r <= KZ_NSTREAMS && pos >= d->end[d->r])
		d->r++;
	if (d->r == 1 + KZ_S_OP) {
		for (; d->seen < pos; d->seen++) {
			b = out[d->seen];
			if (d->kind == KZ_K_OP)
				d->op = b;
			if (d->kind == KZ_K_OP2)
				d->op = 256 | b;
			d->kind = kz_kind(out, d->kind, b);
		}
		return d->kind;
	}
	if (d->r == 0 || d->r > KZ_NSTREAMS)
		return KZ_K_OTHER;
	return kz_skind(d->r - 1, pos - d->end[d->r - 1]);
}

/** The LZ stream into @out, exactly @out_len bytes */
static int kz_lz(struct kz_dec *d, uint8_t *out, uint32_t out_len)
{
	uint32_t pos = 0, rep0 = 1, rep1 = 1, rep2 = 1, rep3 = 1, len, base;
	unsigned int state = 0, sym, mb, mbit, bit, kind;

	while (pos < out_len) {
		kind = kz_kind_at(d, out, pos);
		if (!kz_bit(d, KZ_IS_MATCH + KZ_NSTATES * kind + state)) {
			kind = d->r == 1 + KZ_S_OP ? d->kind : KZ_K_OTHER;
			base = KZ_LIT + 0x300 * kind;
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
			if (kind == KZ_K_MODRM)
				base = KZ_LIT_MODRM + 0x100 * d->op;
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

int kz_decode(const uint8_t *in, uint32_t in_len, uint8_t *out,
	      uint32_t out_len, uint32_t code_len, const uint32_t *slen,
	      void *work)
{
	struct kz_dec *d = work;
	uint32_t ends[KZ_NSTREAMS];
	unsigned int i;

	if (in_len < 5 || in[0] != 0)
		return -1;
	d->in = in + 5;
	d->in_end = in + in_len;
	d->range = 0xffffffff;
	d->code = ((uint32_t)in[1] << 24) | ((uint32_t)in[2] << 16) |
		  ((uint32_t)in[3] << 8) | in[4];
	d->overrun = 0;
	d->r = 0;
	d->seen = KZ_MAP_SIZE;
	d->kind = KZ_K_OP;
	d->op = 0;
	for (i = 0; i < KZ_NPROBS; i++)
		d->p[i] = 1u << (KZ_PBITS - 1);
	/* The regions' ends: the map's, the streams' (all 0 with no split
	 * code: the rest is all) */
	for (i = 0; i <= KZ_NSTREAMS; i++)
		d->end[i] = 0;
	if (code_len) {
		if (out_len < KZ_MAP_SIZE || code_len > out_len - KZ_MAP_SIZE ||
		    kz_stream_ends(code_len, slen, ends) != 0)
			return -1;
		d->end[0] = KZ_MAP_SIZE;
		for (i = 0; i < KZ_NSTREAMS; i++)
			d->end[1 + i] = KZ_MAP_SIZE + ends[i];
	}
	d->end[KZ_NSTREAMS + 1] = ~0u;
	if (kz_lz(d, out, out_len) != 0 || d->overrun > 4)
		return -1;
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

static uint32_t kz_get32be(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | (p[2] << 8) |
	       p[3];
}

void kz_x86(const uint8_t *map, const uint8_t *p, struct kz_insn *f)
{
	unsigned int n = 0, b, e, m, osz = 4, asz = 4, ilen;

	/* Prefixes (at most 14), the opcode, and the second byte of a 0F */
	do {
		b = p[n++];
		e = map[b];
		if (e == KZ_X_ESCAPE)
			e = map[256 + p[n++]];
		if (e == KZ_X_OSZ)
			osz = 2;
		if (e == KZ_X_ASZ)
			asz = 2;
	} while ((e & ~KZ_X_LEN) == KZ_X_PREFIX && n < 15);
	ilen = (e & KZ_X_LEN) + ((e & KZ_X_PLUS_OSZ) ? osz : 0);
	f->dlen = 0;
	if (e & KZ_X_MODRM) {
		m = p[n++];
		/* F6 and F7 have an immediate only as TEST (/0 and /1) */
		if ((b & 0xfe) == 0xf6 && (m & 0x30))
			ilen = 0;
		if (m < 0xc0) {
			if (asz == 2) {
				if (m >= 0x80 || (m & 0xc7) == 0x06)
					f->dlen = 2;
			} else {
				b = m;
				if ((m & 7) == 4)
					b = p[n++];
				if (m >= 0x80 || (m < 0x40 && (b & 7) == 5))
					f->dlen = 4;
			}
			if ((m & 0xc0) == 0x40)
				f->dlen = 1;
		}
	}
	f->nop = (uint8_t)n;
	f->ilen = (uint8_t)ilen;
	f->istream = (uint8_t)((e >> KZ_X_STREAM_SHIFT) & 7);
}

/** Copy @n bytes from stream @k, or fail if it has not that many */
static int kz_take(const uint8_t **sp, const uint8_t *const *se,
		   unsigned int k, uint8_t *out, unsigned int n)
{
	if ((uint32_t)(se[k] - sp[k]) < n)
		return -1;
	while (n--)
		*out++ = *sp[k]++;
	return 0;
}

/** 0 if every stream has been read to its end, else -1 */
static int kz_done(const uint8_t *const *sp, const uint8_t *const *se)
{
	unsigned int k;

	for (k = 0; k < KZ_NSTREAMS; k++) {
		if (sp[k] != se[k])
			return -1;
	}
	return 0;
}

int kz_unsplit(uint8_t *out, uint32_t len, const uint8_t *s,
	       const uint32_t *slen)
{
	const uint8_t *sp[KZ_NSTREAMS], *se[KZ_NSTREAMS];
	struct kz_insn f;
	uint32_t pos = 0, ends[KZ_NSTREAMS];
	unsigned int k, n;

	if (kz_stream_ends(len, slen, ends) != 0)
		return -1;
	for (k = 0; k < KZ_NSTREAMS; k++) {
		sp[k] = s + KZ_MAP_SIZE + (k ? ends[k - 1] : 0);
		se[k] = s + KZ_MAP_SIZE + ends[k];
	}
	while (pos < len) {
		n = len - pos;
		k = 0;
		if (n > KZ_TAIL) {
			/* (the code's last KZ_TAIL bytes are in it) */
			if ((uint32_t)(se[KZ_S_OP] - sp[KZ_S_OP]) < KZ_TAIL)
				return -1;
			kz_x86(s, sp[KZ_S_OP], &f);
			k = (unsigned int)(f.nop + f.dlen + f.ilen) + KZ_TAIL <= n;
		}
		if (!k) {
			if (kz_take(sp, se, KZ_S_OP, out + pos, n) != 0)
				return -1;
			break;
		}
		if (kz_take(sp, se, KZ_S_OP, out + pos, f.nop) != 0 ||
		    kz_take(sp, se, f.dlen == 1 ? KZ_S_D8 : KZ_S_D32,
			    out + pos + f.nop, f.dlen) != 0 ||
		    kz_take(sp, se, f.istream, out + pos + f.nop + f.dlen,
			    f.ilen) != 0)
			return -1;
		pos += f.nop + f.dlen + f.ilen;
		if (f.ilen == 4 && f.istream >= KZ_S_CALL &&
		    f.istream <= KZ_S_JMP) {
			/* Back from the target's offset to rel32 */
			kz_put32(out + pos - 4, kz_get32be(out + pos - 4) - pos);
		}
	}
	return kz_done(sp, se);
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
	uint32_t mem, out, i;
	uint8_t *s;

	if (avail < sizeof(*h) || h->magic != KZ_MAGIC)
		return -1;
	/* The decoded stream after the payload's memory, then the work
	 * space, then the stack (each sum checked against overflow) */
	mem = (h->mem_len + 15) & ~15u;
	out = (h->out_len + 15) & ~15u;
	if (h->in_len > avail - sizeof(*h) || h->out_len < KZ_MAP_SIZE ||
	    h->fix_off > h->out_len - KZ_MAP_SIZE ||
	    h->code_len > h->fix_off ||
	    mem < h->mem_len || out < h->out_len || mem + out < mem ||
	    h->run_len < KZ_STACK_SIZE + KZ_WORK_SIZE ||
	    h->run_len - KZ_STACK_SIZE - KZ_WORK_SIZE < mem + out)
		return -1;
	s = dst + mem;
	if (kz_decode((const uint8_t *)(h + 1), h->in_len, s, h->out_len,
		      h->code_len, h->split_len, s + out) != 0 ||
	    kz_unsplit(dst, h->code_len, s, h->split_len) != 0)
		return -1;
	/* The rest of the file, after the map and the code */
	s += KZ_MAP_SIZE;
	for (i = h->code_len; i < h->fix_off; i++)
		dst[i] = s[i];
	return kz_fixups(dst, h->fix_off, h->mem_len, s + h->fix_off,
			 h->out_len - KZ_MAP_SIZE - h->fix_off, link_base,
			 (uint32_t)(uintptr_t)dst - link_base);
}
