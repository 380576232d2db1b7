/* KZ round trips: util/kz.c's compressor against the prefixes' decoder, on random, patterned and real data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../util/kz.h"

static unsigned int passed, failed;
static uint8_t work[KZ_WORK_SIZE];

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

/** Compress, decompress, compare; then damage the stream and decode it
 * into a buffer with guard bytes, which must stay untouched */
static void round_trip_at(const char *what, const uint8_t *in, size_t n,
			  size_t op_end)
{
	size_t clen, i;
	uint8_t *c = kz_compress(in, n, op_end, &clen);
	uint8_t *out = malloc(n + 64);

	check(c && out, what, n);
	if (!c || !out)
		return;
	memset(out, 0xa5, n + 64);
	check(kz_decode(c, (uint32_t)clen, out, (uint32_t)n, (uint32_t)op_end,
			    work) == 0 &&
		      memcmp(out, in, n) == 0,
	      what, n);
	for (i = 0; i < 64; i++) {
		if (out[n + i] != 0xa5)
			break;
	}
	check(i == 64, "guard after output", n);
	/* Truncated, and with flipped bits: never past the output */
	kz_decode(c, (uint32_t)(clen / 2), out, (uint32_t)n, (uint32_t)op_end,
		  work);
	for (i = 0; i < 20 && clen > 5; i++) {
		size_t at = 5 + rnd() % (clen - 5), k;

		c[at] ^= (uint8_t)(1 + rnd() % 255);
		memset(out + n, 0x5a, 64);
		kz_decode(c, (uint32_t)clen, out, (uint32_t)n, (uint32_t)op_end,
			  work);
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
 * an opcode map and its first half after them as an opcode stream */
static void round_trip(const char *what, const uint8_t *in, size_t n)
{
	round_trip_at(what, in, n, 0);
	if (n > 2 * KZ_MAP_SIZE)
		round_trip_at("... as split code", in, n, n / 2);
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
	check(kz_unsplit(out, (uint32_t)n, s, slen) == 0 &&
		      memcmp(out, in, n) == 0,
	      "split code round trip", n);
	for (i = 0; i < 60; i++) {
		memcpy(d, s, KZ_MAP_SIZE + n);
		memcpy(dlen, slen, sizeof(dlen));
		k = rnd() % KZ_NSTREAMS;
		if (i % 3 == 0) {
			dlen[k % (KZ_NSTREAMS - 1)] += 1 + rnd() % 7;
			check(kz_unsplit(out, (uint32_t)n, d, dlen) != 0,
			      "a longer stream is refused", n);
		} else {
			d[rnd() % (KZ_MAP_SIZE + n)] ^= (uint8_t)(1 + rnd() % 255);
			kz_unsplit(out, (uint32_t)n, d, dlen);
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

/** Damaged fixup exceptions: kz_fixups() stays inside the payload's memory */
static void fixups_bounds(void)
{
	static uint8_t img[4096 + 64], ex[64];
	unsigned int round, i;

	for (round = 0; round < 200; round++) {
		for (i = 0; i < sizeof(img); i++)
			img[i] = (uint8_t)(rnd() % 3 ? 0x10 : rnd());
		for (i = 0; i < sizeof(ex); i++)
			ex[i] = (uint8_t)rnd();
		memset(img + 4096, 0x77, 64);
		kz_fixups(img, 2048, 4096, ex, (uint32_t)(rnd() % sizeof(ex)),
			  0x100000, rnd());
		for (i = 0; i < 64 && img[4096 + i] == 0x77; i++)
			;
		check(i == 64, "fixup rebuild stays in bounds", round);
	}
}

/** Bytes of each file named on the command line that are tried */
#define KZ_TEST_FILE_MAX 65536

int main(int argc, char **argv)
{
	static uint8_t buf[1 << 18];
	size_t n, i;
	int a;

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
	/*
	 * Real inputs: the first 64 KiB of any files named on the command
	 * line (machine code is the compressor's slowest input; every image
	 * the build compresses is decoded again by mkbios anyway)
	 */
	for (a = 1; a < argc; a++) {
		FILE *f = fopen(argv[a], "rb");

		check(f != NULL, argv[a], 0);
		if (!f)
			continue;
		n = fread(buf, 1, KZ_TEST_FILE_MAX, f);
		fclose(f);
		round_trip(argv[a], buf, n);
		split_trip(argv[a], buf, n);
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed != 0;
}
