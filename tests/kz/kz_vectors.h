/* The records bin/kz_test writes for bin/kz_run32: streams with the C decoder's result and output. */
#ifndef KZ_VECTORS_H
#define KZ_VECTORS_H
#include <stdint.h>

/* A record: this header (32-bit words, the same on both sides), the
 * input (in_len bytes), then the C decoder's output buffer (out_len bytes,
 * filled with KZV_FILL before it ran) */
struct kzv_record {
	uint32_t magic;
	/* KZV_DECODE: kz_decode(in, in_len, out, out_len, code_len, slen);
	 * KZV_UNSPLIT: kz_unsplit(out, out_len, in, slen);
	 * KZV_FIXUPS: out (out_len bytes) is first the start of in, the rest
	 * of in the exceptions: kz_fixups(out, code_len, slen[0], in +
	 * out_len, slen[3], slen[1], slen[2]) */
	uint32_t what;
	uint32_t in_len, out_len, code_len;
	uint32_t slen[KZ_NSTREAMS - 1];
	int32_t rc;
};

#define KZV_MAGIC 0x33565a4bu /* "KZV3" */
#define KZV_DECODE 0
#define KZV_UNSPLIT 1
#define KZV_FIXUPS 2
#define KZV_FILL 0xa5
#define KZV_GUARD 0x5a
/* The largest stream and output written (bigger ones are not written) */
#define KZV_MAX_IN (1u << 18)
#define KZV_MAX_OUT (1u << 18)

#endif
