/* SHA-1 (FIPS 180-4): a 160-bit digest, for legacy checksums and TLS. */
#include <stdint.h>
#include <string.h>
#include <keel/crypto.h>

static inline uint32_t sha1_rol(uint32_t x, unsigned int n)
{
	return (x << n) | (x >> (32 - n));
}

static void sha1_compress(uint32_t *h, const uint8_t *block)
{
	uint32_t w[16], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	unsigned int t;

	for (t = 0; t < 16; t++)
		w[t] = ((uint32_t)block[4 * t] << 24) |
		       ((uint32_t)block[4 * t + 1] << 16) |
		       ((uint32_t)block[4 * t + 2] << 8) |
		       (uint32_t)block[4 * t + 3];
	/* One of the 80 steps at a time (FIPS 180-4 section 6.1.2, step 3),
	 * the schedule W[t] kept in a 16-word ring */
	for (t = 0; t < 80; t++) {
		uint32_t f, k, tmp;

		if (t >= 16)
			w[t % 16] = sha1_rol(w[(t + 13) % 16] ^ w[(t + 8) % 16] ^
						     w[(t + 2) % 16] ^ w[t % 16],
					     1);
		if (t < 20) {
			f = (b & c) ^ (~b & d);
			k = 0x5a827999;
		} else if (t < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (t < 60) {
			f = (b & c) ^ (b & d) ^ (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		tmp = sha1_rol(a, 5) + f + e + k + w[t % 16];
		e = d;
		d = c;
		c = sha1_rol(b, 30);
		b = a;
		a = tmp;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

static void sha1_init(void *ctx)
{
	static const uint32_t h0[5] = {
		0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0,
	};
	struct sha1_context *sha1 = ctx;

	sha1->block.len = 0;
	memcpy(sha1->h, h0, sizeof(h0));
}

static void sha1_update(void *ctx, const void *data, size_t len)
{
	struct sha1_context *sha1 = ctx;

	digest_block_update(&sha1->block, sha1->h, sha1_compress, data, len);
}

static void sha1_final(void *ctx, void *out)
{
	struct sha1_context *sha1 = ctx;
	uint8_t *bytes = out;
	unsigned int i;

	digest_block_final(&sha1->block, sha1->h, sha1_compress, 1);
	for (i = 0; i < SHA1_DIGEST_SIZE; i++)
		bytes[i] = (uint8_t)(sha1->h[i / 4] >> (24 - 8 * (i % 4)));
}

struct digest_algorithm sha1_algorithm __digest_algorithm = {
	.name = "sha1",
	.ctxsize = sizeof(struct sha1_context),
	.blocksize = 64,
	.digestsize = SHA1_DIGEST_SIZE,
	.init = sha1_init,
	.update = sha1_update,
	.final = sha1_final,
};
