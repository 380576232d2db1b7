/* Self-tests: MD5 and SHA-1/224/256 against RFC and NIST vectors, splits. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <keel/command.h>
#include <keel/crypto.h>
#include <keel/image.h>
#include <keel/settings.h>
#include <keel/test.h>

REQUIRE_OBJECT(digest_cmd);

/** A message and its digest in hex */
struct digest_vector {
	struct digest_algorithm *digest;
	const char *msg;
	const char *hex;
};

#define NIST_448 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define NIST_896                                                               \
	"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"     \
	"ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"

static const struct digest_vector digest_vectors[] = {
	/* RFC 1321 appendix A.5 */
	{&md5_algorithm, "", "d41d8cd98f00b204e9800998ecf8427e"},
	{&md5_algorithm, "a", "0cc175b9c0f1b6a831c399e269772661"},
	{&md5_algorithm, "abc", "900150983cd24fb0d6963f7d28e17f72"},
	{&md5_algorithm, "message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
	{&md5_algorithm, "abcdefghijklmnopqrstuvwxyz",
	 "c3fcd3d76192e4007dfb496cca67e13b"},
	{&md5_algorithm,
	 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
	 "d174ab98d277d9f5a5611c2c9f419d9f"},
	{&md5_algorithm,
	 "1234567890123456789012345678901234567890"
	 "1234567890123456789012345678901234567890",
	 "57edf4a22be3c955ac49da2e2107b67a"},
	/* FIPS 180 examples */
	{&sha1_algorithm, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
	{&sha1_algorithm, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
	{&sha1_algorithm, NIST_448, "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
	{&sha1_algorithm, NIST_896, "a49b2446a02c645bf419f995b67091253a04a259"},
	{&sha224_algorithm, "",
	 "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f"},
	{&sha224_algorithm, "abc",
	 "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"},
	{&sha224_algorithm, NIST_448,
	 "75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525"},
	{&sha224_algorithm, NIST_896,
	 "c97ca9a559850ce97a04a96def6d99a9e0e0e2ab14e6b8df265fc0b3"},
	{&sha256_algorithm, "",
	 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	{&sha256_algorithm, "abc",
	 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	{&sha256_algorithm, NIST_448,
	 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	{&sha256_algorithm, NIST_896,
	 "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
};

/* One million 'a's (FIPS 180 examples; MD5's from the same message) */
static const struct digest_vector digest_million[] = {
	{&md5_algorithm, NULL, "7707d6ae4e027c70eea2a935c2296f21"},
	{&sha1_algorithm, NULL, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"},
	{&sha224_algorithm, NULL,
	 "20794655980c91d8bbb4c1ea97618a4bf03f42581948b2ee4ee7ad67"},
	{&sha256_algorithm, NULL,
	 "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
};

/*
 * Chains over every padding case: the digest of the concatenated digests of
 * messages of length 0..199, message n's byte i being (7i + n) mod 256.
 * Computed once with an independent implementation.
 */
static const struct digest_vector digest_chains[] = {
	{&md5_algorithm, NULL, "0e31983fb09e7f80b96e5ec823d6bb1a"},
	{&sha1_algorithm, NULL, "c2add6cb3908952ddaf192d7f14c30588649e3b5"},
	{&sha224_algorithm, NULL,
	 "5e64f7fa6b4169c0a8817e274dab3a5abe14b5a1ec5fac7fe23b25f3"},
	{&sha256_algorithm, NULL,
	 "8c7c9ff69da76fc28823a1cb97268672663e628e1ea955868b16db46bab0545d"},
};

/** True if @out (@len bytes) is @hex */
static int digest_is(const uint8_t *out, size_t len, const char *hex)
{
	char text[2 * DIGEST_OUT_MAX + 1];
	size_t i;

	for (i = 0; i < len; i++)
		snprintf(&text[2 * i], 3, "%02x", out[i]);
	text[2 * len] = '\0';
	return strcmp(text, hex) == 0;
}

static void digest_vectors_test(void)
{
	const struct digest_vector *v;
	uint8_t out[DIGEST_OUT_MAX];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(digest_vectors); i++) {
		v = &digest_vectors[i];
		digest_once(v->digest, v->msg, strlen(v->msg), out);
		ok(digest_is(out, v->digest->digestsize, v->hex));
	}
}

static void digest_million_test(void)
{
	uint64_t ctx[(DIGEST_CTX_MAX + 7) / 8];
	uint8_t out[DIGEST_OUT_MAX], chunk[1000];
	const struct digest_vector *v;
	unsigned int i, j;

	memset(chunk, 'a', sizeof(chunk));
	for (i = 0; i < ARRAY_SIZE(digest_million); i++) {
		v = &digest_million[i];
		v->digest->init(ctx);
		for (j = 0; j < 1000; j++)
			v->digest->update(ctx, chunk, sizeof(chunk));
		v->digest->final(ctx, out);
		ok(digest_is(out, v->digest->digestsize, v->hex));
	}
}

static void digest_chain_test(void)
{
	uint64_t ctx[(DIGEST_CTX_MAX + 7) / 8];
	uint8_t out[DIGEST_OUT_MAX], msg[200];
	const struct digest_vector *v;
	struct digest_algorithm *d;
	unsigned int i, n, b;

	for (i = 0; i < ARRAY_SIZE(digest_chains); i++) {
		v = &digest_chains[i];
		d = v->digest;
		d->init(ctx);
		for (n = 0; n < 200; n++) {
			for (b = 0; b < n; b++)
				msg[b] = (uint8_t)(7 * b + n);
			digest_once(d, msg, n, out);
			d->update(ctx, out, d->digestsize);
		}
		d->final(ctx, out);
		ok(digest_is(out, d->digestsize, v->hex));
	}
}

/** Split a message at every offset, and into random pieces */
static void digest_split_test(struct digest_algorithm *d)
{
	uint64_t ctx[(DIGEST_CTX_MAX + 7) / 8];
	uint8_t msg[300], whole[DIGEST_OUT_MAX], out[DIGEST_OUT_MAX];
	unsigned int split, bad = 0, pos, take;

	for (pos = 0; pos < sizeof(msg); pos++)
		msg[pos] = (uint8_t)test_random();
	digest_once(d, msg, sizeof(msg), whole);
	for (split = 0; split <= sizeof(msg); split++) {
		d->init(ctx);
		d->update(ctx, msg, split);
		d->update(ctx, msg + split, sizeof(msg) - split);
		d->final(ctx, out);
		bad += (memcmp(out, whole, d->digestsize) != 0);
	}
	ok(bad == 0);
	for (split = 0, bad = 0; split < 50; split++) {
		d->init(ctx);
		for (pos = 0; pos < sizeof(msg); pos += take) {
			take = (unsigned int)(test_random() % 70);
			if (take > sizeof(msg) - pos)
				take = sizeof(msg) - pos;
			d->update(ctx, msg + pos, take);
		}
		d->final(ctx, out);
		bad += (memcmp(out, whole, d->digestsize) != 0);
	}
	ok(bad == 0);
	/* A context is reusable after init */
	d->init(ctx);
	d->update(ctx, "junk", 4);
	d->init(ctx);
	d->update(ctx, msg, sizeof(msg));
	d->final(ctx, out);
	ok(memcmp(out, whole, d->digestsize) == 0);
}

static void digest_table_test(void)
{
	struct digest_algorithm *d;
	unsigned int n = 0;

	for_each_table_entry(d, DIGEST_ALGORITHMS) {
		ok(d->ctxsize <= DIGEST_CTX_MAX);
		ok(d->digestsize <= DIGEST_OUT_MAX);
		ok(d->blocksize <= DIGEST_BLOCK_MAX);
		n++;
	}
	ok(n >= 4);
	ok(find_digest("sha256") == &sha256_algorithm);
	ok(find_digest("md5") == &md5_algorithm);
	ok(find_digest("sha1") == &sha1_algorithm);
	ok(find_digest("sha224") == &sha224_algorithm);
	ok(find_digest("sha512") == NULL);
}

/** The commands: --set stores the hex digest; errors are plain */
static void digest_cmd_test(void)
{
	struct image *image = alloc_image(NULL);
	char buf[2 * DIGEST_OUT_MAX + 1];

	ok(image && image_set_name(image, "digest.test") == 0 &&
	   image_set_data(image, "abc", 3) == 0 && register_image(image) == 0);
	if (!image)
		return;
	ok(system("sha256sum --set digest-test-hex digest.test") == 0);
	ok(fetchf_named_setting("digest-test-hex", buf, sizeof(buf)) == 64 &&
	   strcmp(buf, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff"
		       "61f20015ad") == 0);
	ok(system("md5sum -s digest-test-hex digest.test") == 0);
	ok(fetchf_named_setting("digest-test-hex", buf, sizeof(buf)) == 32 &&
	   strcmp(buf, "900150983cd24fb0d6963f7d28e17f72") == 0);
	ok(system("sha1sum --set digest-test-hex digest.test") == 0);
	ok(fetchf_named_setting("digest-test-hex", buf, sizeof(buf)) == 40 &&
	   strcmp(buf, "a9993e364706816aba3e25717850c26c9cd0d89d") == 0);
	/* Printing several images succeeds; a missing one fails */
	ok(system("sha256sum digest.test digest.test") == 0);
	ok(system("sha256sum digest.test no.such.image") != 0);
	ok(system("sha256sum") != 0);
	ok(system("sha256sum --set x digest.test digest.test") != 0);
	delete_named_setting("digest-test-hex");
	unregister_image(image);
	image_put(image);
}

static void digest_test_exec(void)
{
	digest_vectors_test();
	digest_million_test();
	digest_chain_test();
	digest_split_test(&md5_algorithm);
	digest_split_test(&sha1_algorithm);
	digest_split_test(&sha224_algorithm);
	digest_split_test(&sha256_algorithm);
	digest_table_test();
	digest_cmd_test();
}

struct self_test digest_test __self_test = {
	.name = "digest",
	.exec = digest_test_exec,
};
