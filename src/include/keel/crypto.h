/* Message digests: one interface over MD5, SHA-1, SHA-224 and SHA-256. */
#ifndef KEEL_CRYPTO_H
#define KEEL_CRYPTO_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <keel/tables.h>

/**
 * A digest algorithm. A user allocates ctxsize bytes (aligned for a
 * uint64_t; DIGEST_CTX_MAX is enough for every algorithm), then calls
 * init, update any number of times, and final, which writes digestsize
 * bytes. A context is reusable after init again. HMAC (RFC 2104) needs
 * blocksize.
 */
struct digest_algorithm {
	/** Name, lower case: "md5", "sha1", "sha224", "sha256" */
	const char *name;
	/** Context size, bytes */
	size_t ctxsize;
	/** Block size, bytes */
	size_t blocksize;
	/** Digest size, bytes */
	size_t digestsize;
	/** Start a new digest */
	void (*init)(void *ctx);
	/** Add @len bytes of data */
	void (*update)(void *ctx, const void *data, size_t len);
	/** Finish: write the digest to @out (the context is then spent) */
	void (*final)(void *ctx, void *out);
};

/** Every digest algorithm linked in */
#define DIGEST_ALGORITHMS  __table(struct digest_algorithm, "digest_algorithms")
#define __digest_algorithm __table_entry(DIGEST_ALGORITHMS, 01)

extern struct digest_algorithm md5_algorithm;
extern struct digest_algorithm sha1_algorithm;
extern struct digest_algorithm sha224_algorithm;
extern struct digest_algorithm sha256_algorithm;

/** Largest digest, bytes */
#define DIGEST_OUT_MAX 32
/** Largest block, bytes */
#define DIGEST_BLOCK_MAX 64

/* ------------------------------------------------------------------------
 * Contexts. Each algorithm hashes 64-byte blocks (Merkle-Damgard with a
 * 64-bit length), so they share the buffering below.
 */

/** Partial block and length, common to every algorithm here */
struct digest_block {
	/** Bytes hashed so far */
	uint64_t len;
	/** Bytes waiting for a full block */
	uint8_t buf[64];
};

struct md5_context {
	struct digest_block block;
	uint32_t h[4];
};

struct sha1_context {
	struct digest_block block;
	uint32_t h[5];
};

/** SHA-224 uses the same context as SHA-256 */
struct sha256_context {
	struct digest_block block;
	uint32_t h[8];
	/** Bytes of the state that final() writes out (28 or 32) */
	unsigned int out_len;
};

/** Room for any context */
#define DIGEST_CTX_MAX sizeof(struct sha256_context)

#define MD5_DIGEST_SIZE	   16
#define SHA1_DIGEST_SIZE   20
#define SHA224_DIGEST_SIZE 28
#define SHA256_DIGEST_SIZE 32

/** A compression function: hash one 64-byte block into @state */
typedef void (*digest_compress_t)(uint32_t *state, const uint8_t *block);

/**
 * Feed data through 64-byte blocks. Inlined into each algorithm with its
 * compression function, so the call is direct.
 */
static inline __attribute__((always_inline)) void
digest_block_update(struct digest_block *block, uint32_t *state,
		    digest_compress_t compress, const void *data, size_t len)
{
	const uint8_t *in = data;
	size_t used = (size_t)(block->len % 64), take;

	block->len += len;
	if (used) {
		take = 64 - used;
		if (take > len)
			take = len;
		memcpy(&block->buf[used], in, take);
		in += take;
		len -= take;
		if (used + take < 64)
			return;
		compress(state, block->buf);
	}
	for (; len >= 64; in += 64, len -= 64)
		compress(state, in);
	memcpy(block->buf, in, len);
}

/**
 * Pad the last block: 0x80, zeroes, then the length in bits (big-endian
 * for SHA, little-endian for MD5), and hash it.
 */
static inline __attribute__((always_inline)) void
digest_block_final(struct digest_block *block, uint32_t *state,
		   digest_compress_t compress, int big_endian)
{
	uint64_t bits = block->len * 8;
	size_t used = (size_t)(block->len % 64);
	unsigned int i;

	block->buf[used++] = 0x80;
	if (used > 56) {
		memset(&block->buf[used], 0, 64 - used);
		compress(state, block->buf);
		used = 0;
	}
	memset(&block->buf[used], 0, 56 - used);
	for (i = 0; i < 8; i++)
		block->buf[big_endian ? 63 - i : 56 + i] =
			(uint8_t)(bits >> (8 * i));
	compress(state, block->buf);
}

/** The algorithm named @name (case-sensitive), or NULL */
static inline struct digest_algorithm *find_digest(const char *name)
{
	struct digest_algorithm *digest;

	for_each_table_entry(digest, DIGEST_ALGORITHMS) {
		if (strcmp(digest->name, name) == 0)
			return digest;
	}
	return NULL;
}

/**
 * Digest a buffer in one call.
 *
 * @out		digestsize bytes
 */
static inline void digest_once(struct digest_algorithm *digest,
			       const void *data, size_t len, void *out)
{
	uint64_t ctx[(DIGEST_CTX_MAX + 7) / 8];

	digest->init(ctx);
	digest->update(ctx, data, len);
	digest->final(ctx, out);
}

#endif /* KEEL_CRYPTO_H */
