/* MD5 (RFC 1321): the 128-bit digest that old protocols still use. */
#include <stdint.h>
#include <string.h>
#include <keel/crypto.h>

/* T[i] = floor(2^32 * |sin(i + 1)|), RFC 1321 section 3.4 */
static const uint32_t md5_t[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
	0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
	0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
	0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
	0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
	0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
	0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
	0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
	0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

static inline uint32_t md5_rol(uint32_t x, unsigned int n)
{
	return (x << n) | (x >> (32 - n));
}

/* The four auxiliary functions of RFC 1321 section 3.4 */
#define MD5_F(x, y, z) (((x) & (y)) | (~(x) & (z)))
#define MD5_G(x, y, z) (((x) & (z)) | ((y) & ~(z)))
#define MD5_H(x, y, z) ((x) ^ (y) ^ (z))
#define MD5_I(x, y, z) ((y) ^ ((x) | ~(z)))

/* The shifts of each round's four steps (RFC 1321 section 3.4) */
static const uint8_t md5_s[16] = {
	7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21,
};

static void md5_compress(uint32_t *h, const uint8_t *block)
{
	uint32_t x[16], a = h[0], b = h[1], c = h[2], d = h[3];
	unsigned int i;

	for (i = 0; i < 16; i++)
		x[i] = (uint32_t)block[4 * i] |
		       ((uint32_t)block[4 * i + 1] << 8) |
		       ((uint32_t)block[4 * i + 2] << 16) |
		       ((uint32_t)block[4 * i + 3] << 24);
	/* One step at a time (the firmware images are kept small). Message
	 * word k of step i: i, 5i + 1, 3i + 5, 7i (mod 16) by round */
	for (i = 0; i < 64; i++) {
		unsigned int r = i / 16, k;
		uint32_t f, tmp;

		if (r == 0) {
			f = MD5_F(b, c, d);
			k = i;
		} else if (r == 1) {
			f = MD5_G(b, c, d);
			k = (5 * i + 1) % 16;
		} else if (r == 2) {
			f = MD5_H(b, c, d);
			k = (3 * i + 5) % 16;
		} else {
			f = MD5_I(b, c, d);
			k = (7 * i) % 16;
		}
		tmp = d;
		d = c;
		c = b;
		b += md5_rol(a + f + x[k] + md5_t[i], md5_s[4 * r + i % 4]);
		a = tmp;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
}

static void md5_init(void *ctx)
{
	struct md5_context *md5 = ctx;

	md5->block.len = 0;
	md5->h[0] = 0x67452301;
	md5->h[1] = 0xefcdab89;
	md5->h[2] = 0x98badcfe;
	md5->h[3] = 0x10325476;
}

static void md5_update(void *ctx, const void *data, size_t len)
{
	struct md5_context *md5 = ctx;

	digest_block_update(&md5->block, md5->h, md5_compress, data, len);
}

static void md5_final(void *ctx, void *out)
{
	struct md5_context *md5 = ctx;
	uint8_t *bytes = out;
	unsigned int i;

	digest_block_final(&md5->block, md5->h, md5_compress, 0);
	for (i = 0; i < MD5_DIGEST_SIZE; i++)
		bytes[i] = (uint8_t)(md5->h[i / 4] >> (8 * (i % 4)));
}

struct digest_algorithm md5_algorithm __digest_algorithm = {
	.name = "md5",
	.ctxsize = sizeof(struct md5_context),
	.blocksize = 64,
	.digestsize = MD5_DIGEST_SIZE,
	.init = md5_init,
	.update = md5_update,
	.final = md5_final,
};
