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
 *   IS_MATCH 1, IS_REP[state] 1 -> a repeat of one of the last four
 *	distances rep0..rep3: IS_REP0 0 then IS_REP0_LONG 0 is one byte at
 *	rep0, IS_REP0_LONG 1 a match at rep0; IS_REP0 1, then IS_REP1 0 is
 *	rep1, else IS_REP2 picks rep2 or rep3; the distance used moves to
 *	rep0. A match's length comes from the REP_LEN coder.
 *   IS_MATCH 1, IS_REP 0 -> a length (MATCH_LEN coder), then a distance:
 *	a 6-bit slot (tree chosen by the length), then its extra bits:
 *	through reverse trees for small slots, else raw bits and 4 bits
 *	through the ALIGN reverse tree. The new distance becomes rep0, the
 *	older ones move down.
 *
 *   lengths: CHOICE 0 -> 2 + 3 bits; CHOICE2 0 -> 10 + 3 bits; else 18 + 8.
 *
 * state remembers the kinds of the last two steps (literal, match, rep).
 * Before compression, the 32-bit operand of every E8/E9 (CALL/JMP rel32)
 * whose top byte is 00 or FF is made absolute (plus its end's offset) and
 * kept in that 25-bit signed form: calls to one function then look alike.
 */

#define KZ_PBITS 12
#define KZ_MOVE 6
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
#define KZ_IS_REP0 (KZ_IS_REP + KZ_NSTATES)
#define KZ_IS_REP0_LONG (KZ_IS_REP0 + KZ_NSTATES)
#define KZ_IS_REP1 (KZ_IS_REP0_LONG + KZ_NSTATES)
#define KZ_IS_REP2 (KZ_IS_REP1 + KZ_NSTATES)
#define KZ_REP_LEN (KZ_IS_REP2 + KZ_NSTATES)
#define KZ_MATCH_LEN (KZ_REP_LEN + KZ_LEN_SIZE)
#define KZ_SLOT (KZ_MATCH_LEN + KZ_LEN_SIZE)	/* 4 trees of 64 */
#define KZ_SPEC (KZ_SLOT + 4 * 64)		/* 114, slots 4..13 */
#define KZ_ALIGN (KZ_SPEC + 115)		/* 16 */
#define KZ_LIT (KZ_ALIGN + 16)			/* (1 << KZ_LC) * 0x300 */
#define KZ_NPROBS (KZ_LIT + (0x300 << KZ_LC))

/** Bytes of work space kz_decode() and kz_unpack() need */
#define KZ_WORK_SIZE (32 + 2 * KZ_NPROBS)

/*
 * A payload (util/mkbios.c) is its file image followed by a table of the
 * offsets of its 32-bit absolute addresses. The table is not compressed as
 * it is: nearly every such address is a 32-bit word, in the image, whose
 * value lies between the link base and the end of the payload's memory, so
 * the stream carries only the exceptions to that rule, found by scanning
 * the image forwards (a word taken as an address is skipped whole):
 *	n, then the offsets of n words in range that are not addresses,
 *	m, then the offsets of m addresses out of range,
 * every number in LEB128 (7 bits a byte, low first, bit 7: more), and each
 * offset as its distance from the one before in its list (from 0).
 * kz_unpack() rebuilds the table from them, in the payload's format.
 */

/** What mkbios puts before a compressed payload */
struct kz_header {
	/** KZ_MAGIC */
	uint32_t magic;
	/** Bytes of KZ stream after this header */
	uint32_t in_len;
	/** Bytes it decompresses to: the payload file and the exceptions */
	uint32_t out_len;
	/** Where the exceptions start in the output (the file's length) */
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

/**
 * Rebuild a payload's fixup table from the exceptions, and add @delta to
 * every address it names.
 *
 * @img		the payload's file image; the table is written after it
 * @filesz	length of the file image
 * @mem_len	bytes usable from @img (the image, bss and table)
 * @ex, @elen	the exceptions
 * @link_base	the payload's link address
 * @delta	what to add to every address
 * @ret rc	0, or -1 if they do not agree with the payload's header
 */
int kz_fixups(uint8_t *img, uint32_t filesz, uint32_t mem_len,
	      const uint8_t *ex, uint32_t elen, uint32_t link_base,
	      uint32_t delta);

/** Stack the prefix keeps above the work space */
#define KZ_STACK_SIZE 4096

/**
 * Decompress a payload to @dst, rebuild its fixup table after its file
 * image, and apply the fixups for running there. The work space is taken
 * after the payload's memory, inside run_len.
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
