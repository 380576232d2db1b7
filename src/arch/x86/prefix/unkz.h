/* KZ, the BIOS images' compression format: shared by util/kz.c and the prefixes' decoder. */
#ifndef UNKZ_H
#define UNKZ_H
#include <stdint.h>

/*
 * A KZ stream is an LZ77 parse coded bit by bit with an adaptive binary
 * range coder (11-bit probabilities, adapted by 1/32 of the error; the
 * first of its bytes is always 0). The uncompressed length is known from
 * the header, so there is no end marker. Each step codes:
 *
 *   IS_MATCH[state] 0 -> a literal: 8 bits through a tree chosen by the top
 *	KZ_LC bits of the previous byte; right after a match the bits are
 *	coded against the byte at distance rep0 until the first difference.
 *   IS_MATCH 1, IS_REP[state] 1 -> a match of the last distance (rep0),
 *	length from the REP_LEN coder.
 *   IS_MATCH 1, IS_REP 0 -> a length (MATCH_LEN coder), then a distance:
 *	a 6-bit slot (tree chosen by the length), then its extra bits:
 *	through reverse trees for small slots, else raw bits and 4 bits
 *	through the ALIGN reverse tree. The new distance becomes rep0.
 *
 *   lengths: CHOICE 0 -> 2 + 3 bits; CHOICE2 0 -> 10 + 3 bits; else 18 + 8.
 *
 * state remembers the kinds of the last two steps (literal, match, rep).
 * Before compression, the 32-bit operand of every E8/E9 (CALL/JMP rel32)
 * whose top byte is 00 or FF is made absolute (plus its end's offset) and
 * kept in that 25-bit signed form: calls to one function then look alike.
 */

#define KZ_PBITS 11
#define KZ_MOVE 5
#define KZ_LC 3
#define KZ_ALIGN_BITS 4
#define KZ_END_SPEC_SLOT 14
#define KZ_MIN_LEN 2
#define KZ_MAX_LEN 273

/* state = kind of the last step * 3 + kind of the one before */
#define KZ_NSTATES 9
#define KZ_STATES_LIT 3
#define KZ_NEXT_LIT(s) ((s) / 3)
#define KZ_NEXT_MATCH(s) (3 + (s) / 3)
#define KZ_NEXT_REP(s) (6 + (s) / 3)

/* A length coder's probabilities, from its base */
#define KZ_LEN_CHOICE 0
#define KZ_LEN_CHOICE2 1
#define KZ_LEN_LOW 2		/* 8 (tree nodes 1..7) */
#define KZ_LEN_MID 10		/* 8 */
#define KZ_LEN_HIGH 18		/* 256 */
#define KZ_LEN_SIZE 274

/* Where each group of probabilities lies */
#define KZ_IS_MATCH 0
#define KZ_IS_REP (KZ_IS_MATCH + KZ_NSTATES)
#define KZ_REP_LEN (KZ_IS_REP + KZ_NSTATES)
#define KZ_MATCH_LEN (KZ_REP_LEN + KZ_LEN_SIZE)
#define KZ_SLOT (KZ_MATCH_LEN + KZ_LEN_SIZE)	/* 4 trees of 64 */
#define KZ_SPEC (KZ_SLOT + 4 * 64)		/* 114, slots 4..13 */
#define KZ_ALIGN (KZ_SPEC + 115)		/* 16 */
#define KZ_LIT (KZ_ALIGN + 16)			/* (1 << KZ_LC) * 0x300 */
#define KZ_NPROBS (KZ_LIT + (0x300 << KZ_LC))

/** Bytes of work space kz_decode() and kz_unpack() need */
#define KZ_WORK_SIZE (32 + 2 * KZ_NPROBS)

/** What mkbios puts before a compressed payload */
struct kz_header {
	/** KZ_MAGIC */
	uint32_t magic;
	/** Bytes of KZ stream after this header */
	uint32_t in_len;
	/** Bytes it decompresses to: the payload file and its fixup table */
	uint32_t out_len;
	/** Where the fixup table starts in the output */
	uint32_t fix_off;
	/** Bytes the payload occupies once running (file, bss, fixups) */
	uint32_t mem_len;
	/** Bytes needed at the destination while unpacking: mem_len rounded
	 * to 16, KZ_WORK_SIZE of work space, then the prefix's stack */
	uint32_t run_len;
} __attribute__((packed));

#define KZ_MAGIC 0x315a4b4b /* "KKZ1" */

/**
 * Decompress a KZ stream.
 *
 * @in, @in_len		the stream
 * @out, @out_len	where it goes, and its exact length
 * @work		KZ_WORK_SIZE bytes of scratch space
 * @ret rc		0, or -1 if the stream is damaged
 */
int kz_decode(const uint8_t *in, uint32_t in_len, uint8_t *out,
	      uint32_t out_len, void *work);

/** Undo the E8/E9 filter on @len bytes at @buf */
void kz_unfilter(uint8_t *buf, uint32_t len);

/** Stack the prefix keeps above the work space */
#define KZ_STACK_SIZE 4096

/**
 * Decompress a payload to @dst and apply its fixups for running there.
 * The work space is taken after the payload's memory, inside run_len.
 *
 * @h		the header, followed by the stream
 * @avail	bytes readable at @h
 * @dst		destination (h->run_len bytes are free there)
 * @link_base	the payload's link address
 * @ret rc	0, or -1 if the payload is damaged
 */
int kz_unpack(const struct kz_header *h, uint32_t avail, uint8_t *dst,
	      uint32_t link_base);

#endif
