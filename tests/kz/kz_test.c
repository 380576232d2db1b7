/* KZ round trips: util/kz.c's compressor against the prefixes' decoder, on random, patterned and real data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../util/kz.h"
#include "kz_vectors.h"

static unsigned int passed, failed;
static uint8_t work[KZ_WORK_SIZE];
/* --vectors: every decode is written here for bin/kz_run32 */
static FILE *vectors;

static void check(int ok, const char *what, size_t n)
{
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("FAIL %s (%zu bytes)\n", what, n);
	}
}

static uint32_t rng = 12345;
static uint32_t rnd(void)
{
	rng = rng * 1103515245 + 12345;
	return rng >> 8;
}

/** Write a record of what the C decoder did, if asked to */
static void record(uint32_t what, const uint8_t *c, size_t clen,
		   const uint8_t *out, size_t n, uint32_t code_len,
		   const uint32_t *slen, int rc)
{
	struct kzv_record r;

	if (vectors && clen <= KZV_MAX_IN && n <= KZV_MAX_OUT) {
		memset(&r, 0, sizeof(r));
		r.magic = KZV_MAGIC;
		r.what = what;
		r.in_len = (uint32_t)clen;
		r.out_len = (uint32_t)n;
		r.code_len = code_len;
		if (slen)
			memcpy(r.slen, slen, sizeof(r.slen));
		r.rc = rc;
		if (fwrite(&r, sizeof(r), 1, vectors) != 1 ||
		    fwrite(c, 1, clen, vectors) != clen ||
		    fwrite(out, 1, n, vectors) != n)
			check(0, "writing the vectors", n);
	}
}

/** Decode into @out (filled with KZV_FILL first, @n bytes) */
static int decode(const uint8_t *c, size_t clen, uint8_t *out, size_t n,
		  uint32_t code_len, const uint32_t *slen)
{
	int rc;

	memset(out, KZV_FILL, n);
	rc = kz_decode(c, (uint32_t)clen, out, (uint32_t)n, code_len, slen,
		       work);
	record(KZV_DECODE, c, clen, out, n, code_len, slen, rc);
	return rc;
}

/** Put split code (@s, KZ_MAP_SIZE + @n bytes) back together in @out */
static int unsplit(uint8_t *out, size_t n, const uint8_t *s,
		   const uint32_t *slen)
{
	int rc;

	memset(out, KZV_FILL, n);
	rc = kz_unsplit(out, (uint32_t)n, s, slen);
	record(KZV_UNSPLIT, s, KZ_MAP_SIZE + n, out, n, 0, slen, rc);
	return rc;
}

/** Compress, decompress, compare; then damage the stream and decode it
 * into a buffer with guard bytes, which must stay untouched */
static void round_trip_at(const char *what, const uint8_t *in, size_t n,
			  uint32_t code_len, const uint32_t *slen)
{
	size_t clen, i;
	uint8_t *c = kz_compress(in, n, code_len, slen, &clen);
	uint8_t *out = malloc(n + 64);

	check(c && out, what, n);
	if (!c || !out)
		return;
	memset(out + n, 0xa5, 64);
	check(decode(c, clen, out, n, code_len, slen) == 0 &&
		      memcmp(out, in, n) == 0,
	      what, n);
	for (i = 0; i < 64; i++) {
		if (out[n + i] != 0xa5)
			break;
	}
	check(i == 64, "guard after output", n);
	/* Truncated, and with flipped bits: never past the output */
	decode(c, clen / 2, out, n, code_len, slen);
	for (i = 0; i < 20 && clen > 5; i++) {
		size_t at = 5 + rnd() % (clen - 5), k;

		c[at] ^= (uint8_t)(1 + rnd() % 255);
		memset(out + n, 0x5a, 64);
		decode(c, clen, out, n, code_len, slen);
		for (k = 0; k < 64 && out[n + k] == 0x5a; k++)
			;
		check(k == 64, "damaged stream stays in bounds", n);
	}
	if (n > 1000)
		printf("%s: %zu -> %zu bytes (%.3f)\n", what, n, clen,
		       (double)clen / n);
	free(c);
	free(out);
}

/** Split code and put it back together; then damage the map, the streams
 * and their lengths: kz_unsplit() must stay inside its buffers (ASan) and
 * its output, and never accept a damaged length */
/** Plain, and (if long enough) with its first KZ_MAP_SIZE bytes taken as
 * an opcode map, its first half after them as an opcode stream and most of
 * the rest as the other streams (some empty) */
static void round_trip(const char *what, const uint8_t *in, size_t n)
{
	uint32_t slen[KZ_NSTREAMS - 1], rest, k;

	round_trip_at(what, in, n, 0, NULL);
	if (n <= 2 * KZ_MAP_SIZE)
		return;
	slen[0] = (uint32_t)(n / 2 - KZ_MAP_SIZE);
	rest = (uint32_t)(n - n / 2) / 10;
	for (k = 1; k < KZ_NSTREAMS - 1; k++)
		slen[k] = k == 3 ? 0 : rest + k;
	round_trip_at("... as split code", in, n,
		      (uint32_t)(n - KZ_MAP_SIZE - rest), slen);
}

static void split_trip(const char *what, const uint8_t *in, size_t n)
{
	uint8_t *s = malloc(KZ_MAP_SIZE + n), *d = malloc(KZ_MAP_SIZE + n);
	uint8_t *out = malloc(n + 64);
	uint32_t slen[KZ_NSTREAMS - 1], dlen[KZ_NSTREAMS - 1];
	unsigned int i, k;

	check(s && d && out && kz_split(in, (uint32_t)n, s, slen) == 0,
	      what, n);
	if (!s || !d || !out)
		goto out;
	memset(out, 0xa5, n + 64);
	check(unsplit(out, n, s, slen) == 0 &&
		      memcmp(out, in, n) == 0,
	      "split code round trip", n);
	for (i = 0; i < 60; i++) {
		memcpy(d, s, KZ_MAP_SIZE + n);
		memcpy(dlen, slen, sizeof(dlen));
		k = rnd() % KZ_NSTREAMS;
		if (i % 3 == 0) {
			dlen[k % (KZ_NSTREAMS - 1)] += 1 + rnd() % 7;
			check(unsplit(out, n, d, dlen) != 0,
			      "a longer stream is refused", n);
		} else {
			d[rnd() % (KZ_MAP_SIZE + n)] ^= (uint8_t)(1 + rnd() % 255);
			unsplit(out, n, d, dlen);
		}
		for (k = 0; k < 64 && out[n + k] == 0xa5; k++)
			;
		check(k == 64, "damaged split code stays in bounds", n);
	}
out:
	free(s);
	free(d);
	free(out);
}

#define FIX_IMG 4096
#define FIX_GUARD 64
#define FIX_LINK 0x100000u

/** kz_fixups() on @img (FIX_IMG bytes and a guard), recorded if asked */
static int fixups(uint8_t *img, uint32_t filesz, const uint8_t *ex,
		  uint32_t elen, uint32_t delta)
{
	static uint8_t in[FIX_IMG + FIX_GUARD + 256];
	uint32_t args[KZ_NSTREAMS - 1] = {FIX_IMG, FIX_LINK, delta, elen};
	int rc;

	memcpy(in, img, FIX_IMG + FIX_GUARD);
	memcpy(in + FIX_IMG + FIX_GUARD, ex, elen);
	rc = kz_fixups(img, filesz, FIX_IMG, ex, elen, FIX_LINK, delta);
	record(KZV_FIXUPS, in, FIX_IMG + FIX_GUARD + elen, img,
	       FIX_IMG + FIX_GUARD, filesz, args, rc);
	return rc;
}

/** Damaged fixup exceptions: kz_fixups() stays inside the payload's memory */
static void fixups_bounds(void)
{
	static uint8_t img[FIX_IMG + FIX_GUARD], ex[64];
	unsigned int round, i;

	for (round = 0; round < 200; round++) {
		for (i = 0; i < sizeof(img); i++)
			img[i] = (uint8_t)(rnd() % 3 ? 0x10 : rnd());
		for (i = 0; i < sizeof(ex); i++)
			ex[i] = (uint8_t)rnd();
		memset(img + FIX_IMG, 0x77, FIX_GUARD);
		fixups(img, 2048, ex, (uint32_t)(rnd() % sizeof(ex)), rnd());
		for (i = 0; i < FIX_GUARD && img[FIX_IMG + i] == 0x77; i++)
			;
		check(i == FIX_GUARD, "fixup rebuild stays in bounds", round);
	}
}

static uint8_t *put_varint(uint8_t *p, uint32_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/**
 * Exceptions made by hand for a file of filler bytes that no 32-bit word
 * read at any offset takes for an address, with addresses in range,
 * addresses out of range (the second list) and words in range that are
 * not addresses (the first): kz_fixups() must rebuild the table exactly
 * and move every address by delta, and nothing else
 */
static void fixups_valid(void)
{
	static uint8_t img[FIX_IMG + FIX_GUARD], want[FIX_IMG + FIX_GUARD];
	uint8_t ex[1024], *fl, *ml, *t;
	uint32_t filesz = 2048, at, prev, fprev, mprev, nf, nm, v, delta, d;
	uint32_t addr[512], naddr;
	unsigned int round;

	for (round = 0; round < 50; round++) {
		memset(img, 0xee, sizeof(img));
		delta = rnd() * 256u;
		nf = nm = naddr = 0;
		fl = ex + 512;
		ml = ex + 768;
		t = want + filesz;
		prev = fprev = mprev = 0;
		for (at = 16; at + 4 <= filesz; at += 4 + 4 * (rnd() % 8)) {
			unsigned int kind = rnd() % 4;

			v = kind == 2 ? 0x00200000u + rnd() % 0x1000
				      : FIX_LINK + rnd() % FIX_IMG;
			img[at] = (uint8_t)v;
			img[at + 1] = (uint8_t)(v >> 8);
			img[at + 2] = (uint8_t)(v >> 16);
			img[at + 3] = (uint8_t)(v >> 24);
			if (kind == 3) {
				/* In range, not an address */
				fl = put_varint(fl, at - fprev);
				fprev = at;
				nf++;
				continue;
			}
			if (kind == 2) {
				ml = put_varint(ml, at - mprev);
				mprev = at;
				nm++;
			}
			addr[naddr++] = at;
			d = at - prev;
			prev = at;
			if (d < 0x80) {
				*t++ = (uint8_t)d;
			} else {
				*t++ = (uint8_t)(0x80 | (d >> 8));
				*t++ = (uint8_t)d;
			}
		}
		*t++ = 0;
		v = (uint32_t)(t - (want + filesz));
		img[8] = (uint8_t)v;
		img[9] = (uint8_t)(v >> 8);
		img[10] = img[11] = 0;
		/* the addresses moved by delta, and nothing else */
		memcpy(want, img, filesz);
		for (at = 0; at < naddr; at++) {
			uint8_t *w = want + addr[at];

			v = w[0] | (w[1] << 8) | ((uint32_t)w[2] << 16) |
			    ((uint32_t)w[3] << 24);
			v += delta;
			w[0] = (uint8_t)v;
			w[1] = (uint8_t)(v >> 8);
			w[2] = (uint8_t)(v >> 16);
			w[3] = (uint8_t)(v >> 24);
		}
		/* n, the first list, m, the second */
		t = put_varint(ex, nf);
		memmove(t, ex + 512, (size_t)(fl - (ex + 512)));
		t += fl - (ex + 512);
		t = put_varint(t, nm);
		memmove(t, ex + 768, (size_t)(ml - (ex + 768)));
		t += ml - (ex + 768);
		memset(img + filesz, 0x77, sizeof(img) - filesz);
		memset(want + filesz + (want[8] | (want[9] << 8)), 0x77,
		       sizeof(img) - filesz - (want[8] | (want[9] << 8)));
		check(fixups(img, filesz, ex, (uint32_t)(t - ex), delta) == 0 &&
			      memcmp(img, want, sizeof(img)) == 0,
		      "fixup table rebuilt", round);
	}
}

/** Bytes of each file named on the command line that are tried */
#define KZ_TEST_FILE_MAX 65536

int main(int argc, char **argv)
{
	static uint8_t buf[1 << 18];
	size_t n, i;
	int a = 1;

	if (argc > 2 && strcmp(argv[1], "--vectors") == 0) {
		vectors = fopen(argv[2], "wb");
		if (!vectors) {
			perror(argv[2]);
			return 1;
		}
		a = 3;
	}
	/* Empty, tiny, runs, random, text-like, call-like */
	round_trip("empty", buf, 0);
	for (n = 1; n < 40; n++) {
		for (i = 0; i < n; i++)
			buf[i] = (uint8_t)rnd();
		round_trip("tiny random", buf, n);
	}
	memset(buf, 0, 100000);
	round_trip("zeros", buf, 100000);
	for (i = 0; i < 70000; i++)
		buf[i] = (uint8_t)rnd();
	round_trip("random", buf, 70000);
	split_trip("random", buf, 70000);
	for (n = 0; n < 40; n++)
		split_trip("tiny random", buf + n, n);
	for (i = 0; i < 90000; i++)
		buf[i] = "abcdefgh ijk"[rnd() % 12] ^ (rnd() % 50 == 0);
	round_trip("skewed text", buf, 90000);
	for (i = 0; i + 5 < 80000; i += 5) {
		buf[i] = 0xe8 | (rnd() & 1);
		buf[i + 1] = (uint8_t)rnd();
		buf[i + 2] = (uint8_t)rnd();
		buf[i + 3] = (uint8_t)(rnd() & 1);
		buf[i + 4] = (rnd() & 1) ? 0xff : 0;
	}
	round_trip("calls", buf, 80000);
	split_trip("calls", buf, 80000);
	fixups_bounds();
	fixups_valid();
	/*
	 * Real inputs: the first 64 KiB of any files named on the command
	 * line (machine code is the compressor's slowest input; every image
	 * the build compresses is decoded again by mkbios anyway)
	 */
	for (; a < argc; a++) {
		FILE *f = fopen(argv[a], "rb");

		check(f != NULL, argv[a], 0);
		if (!f)
			continue;
		n = fread(buf, 1, KZ_TEST_FILE_MAX, f);
		fclose(f);
		round_trip(argv[a], buf, n);
		split_trip(argv[a], buf, n);
	}
	if (vectors && fclose(vectors) != 0)
		check(0, "writing the vectors", 0);
	printf("%u passed, %u failed\n", passed, failed);
	return failed != 0;
}
