/* SHA-256 and SHA-224 (FIPS 180-4): image checksums, TLS, and signatures. */
#include <stdint.h>
#include <string.h>
#include <keel/crypto.h>

/* First 32 bits of the fractional parts of the cube roots of the first 64
 * primes (FIPS 180-4 section 4.2.2) */
static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t sha256_ror(uint32_t x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

/* FIPS 180-4 section 4.1.2 */
#define SHA256_CH(x, y, z)  (((x) & (y)) ^ (~(x) & (z)))
#define SHA256_MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define SHA256_S0(x)	    (sha256_ror(x, 2) ^ sha256_ror(x, 13) ^ sha256_ror(x, 22))
#define SHA256_S1(x)	    (sha256_ror(x, 6) ^ sha256_ror(x, 11) ^ sha256_ror(x, 25))
#define SHA256_s0(x)	    (sha256_ror(x, 7) ^ sha256_ror(x, 18) ^ ((x) >> 3))
#define SHA256_s1(x)	    (sha256_ror(x, 17) ^ sha256_ror(x, 19) ^ ((x) >> 10))

static void sha256_compress(uint32_t *hash, const uint8_t *block)
{
	uint32_t w[64], a = hash[0], b = hash[1], c = hash[2], d = hash[3],
			e = hash[4], f = hash[5], g = hash[6], h = hash[7];
	unsigned int t;

	for (t = 0; t < 16; t++)
		w[t] = ((uint32_t)block[4 * t] << 24) |
		       ((uint32_t)block[4 * t + 1] << 16) |
		       ((uint32_t)block[4 * t + 2] << 8) |
		       (uint32_t)block[4 * t + 3];
	for (; t < 64; t++)
		w[t] = SHA256_s1(w[t - 2]) + w[t - 7] + SHA256_s0(w[t - 15]) +
		       w[t - 16];
	/* One round at a time: the firmware images are kept small */
	for (t = 0; t < 64; t++) {
		uint32_t t1 = h + SHA256_S1(e) + SHA256_CH(e, f, g) +
			      sha256_k[t] + w[t];
		uint32_t t2 = SHA256_S0(a) + SHA256_MAJ(a, b, c);

		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	hash[0] += a;
	hash[1] += b;
	hash[2] += c;
	hash[3] += d;
	hash[4] += e;
	hash[5] += f;
	hash[6] += g;
	hash[7] += h;
}

static void sha256_init(void *ctx)
{
	/* Fractional parts of the square roots of the first 8 primes */
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	struct sha256_context *sha256 = ctx;

	sha256->block.len = 0;
	memcpy(sha256->h, h0, sizeof(h0));
	sha256->out_len = SHA256_DIGEST_SIZE;
}

static void sha224_init(void *ctx)
{
	/* Second 32 bits of those of the 9th to 16th primes */
	static const uint32_t h0[8] = {
		0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939,
		0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4,
	};
	struct sha256_context *sha256 = ctx;

	sha256->block.len = 0;
	memcpy(sha256->h, h0, sizeof(h0));
	sha256->out_len = SHA224_DIGEST_SIZE;
}

static void sha256_update(void *ctx, const void *data, size_t len)
{
	struct sha256_context *sha256 = ctx;

	digest_block_update(&sha256->block, sha256->h, sha256_compress, data,
			    len);
}

static void sha256_final(void *ctx, void *out)
{
	struct sha256_context *sha256 = ctx;
	uint8_t *bytes = out;
	unsigned int i;

	digest_block_final(&sha256->block, sha256->h, sha256_compress, 1);
	for (i = 0; i < sha256->out_len; i++)
		bytes[i] = (uint8_t)(sha256->h[i / 4] >> (24 - 8 * (i % 4)));
}

struct digest_algorithm sha224_algorithm __digest_algorithm = {
	.name = "sha224",
	.ctxsize = sizeof(struct sha256_context),
	.blocksize = 64,
	.digestsize = SHA224_DIGEST_SIZE,
	.init = sha224_init,
	.update = sha256_update,
	.final = sha256_final,
};

struct digest_algorithm sha256_algorithm __digest_algorithm = {
	.name = "sha256",
	.ctxsize = sizeof(struct sha256_context),
	.blocksize = 64,
	.digestsize = SHA256_DIGEST_SIZE,
	.init = sha256_init,
	.update = sha256_update,
	.final = sha256_final,
};
