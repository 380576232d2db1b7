/* KZ, the BIOS images' compression format: shared by util/kz.c and the prefixes' decoder. */
#ifndef UNKZ_H
#define UNKZ_H
#ifndef ASSEMBLY
#include <stdint.h>
#endif

/*
 * A KZ stream is an LZ77 parse coded bit by bit with an adaptive binary
 * range coder (12-bit probabilities, adapted by 1/32 of the error; the
 * first of its bytes is always 0). The uncompressed length is known from
 * the header, so there is no end marker. Each step codes:
 *
 * Each step begins at a byte whose kind (KZ_K_*) the decoder knows: in
 * the split code's KZ_S_OP stream, whether it begins an instruction,
 * follows 0F, is a ModRM or a SIB byte, as kz_kind() follows them through
 * the bytes before it; in the code's other streams, which stream and, in
 * those of 4-byte fields, the offset in it modulo 4 (kz_skind()); elsewhere
 * one kind for all.
 *
 *   IS_MATCH[kind][state] 0 -> a literal: 8 bits through a tree: a ModRM
 *	byte's by the instruction's opcode (the last KZ_K_OP or KZ_K_OP2
 *	byte before it, 256 added after 0F), any other KZ_S_OP byte's by
 *	its kind, every other byte's through one tree. Right after a match
 *	the bits are coded against the byte at distance rep0 until the first
 *	difference, through trees of their own (KZ_LIT's last 0x200 of the
 *	byte's KZ_K_* kind, KZ_K_OTHER outside KZ_S_OP).
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
 *
 * Before compression, the payload's 32-bit code (its first code_len bytes)
 * is split by field into KZ_NSTREAMS streams, laid one after the other:
 * each instruction's leading bytes (prefixes, opcode, ModRM, SIB) go to
 * KZ_S_OP, its displacement and its immediate each to the stream of their
 * kind, and the operand of a CALL or JMP/Jcc rel32 becomes the target's
 * offset in the code, most significant byte first: calls to one function
 * then look alike, and nearby targets share their first bytes. Opcodes
 * then follow opcodes, and addresses follow addresses, which LZ77 finds
 * far more repeats in. kz_x86() tells the fields apart from the leading
 * bytes alone, so the decoder reads those first and then knows where the
 * rest of the instruction comes from. Code that kz_x86() reads wrongly
 * (data, 16-bit code) still comes back exactly, only less compressed.
 * The code's last KZ_TAIL bytes, and any instruction that would run into
 * them, go to KZ_S_OP as they are (so kz_x86() never reads past the end).
 */

/* The split code's streams, in the order they are laid out */
#define KZ_S_OP 0	/* prefixes, opcodes, ModRM and SIB bytes */
#define KZ_S_D8 1	/* 8-bit displacements */
#define KZ_S_D32 2	/* 16- and 32-bit displacements, moffs */
#define KZ_S_I8 3	/* 8-bit immediates */
#define KZ_S_I32 4	/* other immediates */
#define KZ_S_CALL 5	/* CALL rel32, as the target's offset */
#define KZ_S_JMP 6	/* JMP and Jcc rel32, as the target's offset */
#define KZ_S_REL8 7	/* JMP, Jcc, LOOP and JCXZ rel8 */
#define KZ_NSTREAMS 8
#define KZ_TAIL 20

/*
 * The opcode map that kz_x86() reads instructions by: 256 entries for the
 * one-byte opcodes, then 256 for those after 0F. It comes first in the
 * decoded stream (util/kz.c writes it), so the decoder carries no table.
 * An entry is the immediate's length (KZ_X_LEN, plus the operand size if
 * KZ_X_PLUS_OSZ) and stream, and whether a ModRM byte follows; or, with
 * the stream KZ_S_D8 that no immediate uses, one of the specials below.
 */
#define KZ_X_LEN 0x07
#define KZ_X_STREAM_SHIFT 3
#define KZ_X_MODRM 0x40
#define KZ_X_PLUS_OSZ 0x80
#define KZ_X_PREFIX (KZ_S_D8 << KZ_X_STREAM_SHIFT)	/* LOCK, REP, segment */
#define KZ_X_OSZ (KZ_X_PREFIX | 1)	/* 66: 16-bit operands */
#define KZ_X_ASZ (KZ_X_PREFIX | 2)	/* 67: 16-bit addressing */
#define KZ_X_ESCAPE (KZ_X_PREFIX | 3)	/* 0F: the second map */
#define KZ_MAP_SIZE 512

/* Kinds of byte, for the literals' context */
#define KZ_K_OTHER 0	/* not in KZ_S_OP */
#define KZ_K_OP 1	/* a prefix or an opcode: begins or continues one */
#define KZ_K_OP2 2	/* the byte after 0F */
#define KZ_K_MODRM 3
#define KZ_K_SIB 4
#define KZ_NKINDS 5

/* Match kinds after KZ_NKINDS: of the code's streams 1 to 7 (kz_skind) */
#define KZ_NMKINDS (4 + 4 * KZ_S_REL8 + 1)

#ifndef ASSEMBLY
/**
 * Where each stream of @code_len bytes of split code ends, counted from
 * the first's start: @end[k] for stream k, given the lengths @slen of all
 * but the last, which ends with the code.
 *
 * @ret rc	0, or -1 if those lengths do not fit in @code_len
 */
int kz_stream_ends(uint32_t code_len, const uint32_t *slen, uint32_t *end);

/**
 * The kind that a byte at offset @o of split-code stream @k (KZ_S_D8 to
 * KZ_S_REL8) codes IS_MATCH with: its stream's (CALL and JMP share one),
 * and in the streams of 4-byte fields its offset modulo 4 too.
 */
unsigned int kz_skind(unsigned int k, uint32_t o);

/**
 * The kind of the KZ_S_OP byte after one of kind @k whose value is @b,
 * by the opcode map @map. Both sides follow the stream with it, from
 * KZ_K_OP at its start; it need not be exact, only the same on both.
 */
unsigned int kz_kind(const uint8_t *map, unsigned int k, unsigned int b);

/** An instruction's fields, as kz_x86() reads them */
struct kz_insn {
	/** Leading bytes: prefixes, opcode, ModRM, SIB */
	uint8_t nop;
	/** Displacement bytes (0, 1, 2 or 4) */
	uint8_t dlen;
	/** Immediate bytes, and the stream they go to */
	uint8_t ilen, istream;
};

/**
 * Read the leading bytes of the 32-bit instruction at @p, by the opcode
 * map @map. It reads only bytes it counts in @f->nop, one after the
 * other, and at most 18.
 */
void kz_x86(const uint8_t *map, const uint8_t *p, struct kz_insn *f);
#endif

#define KZ_PBITS 12
#define KZ_MOVE 5
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
#define KZ_IS_REP 0	/* (first: unkz32.S reaches them in a byte) */
#define KZ_IS_REP0 (KZ_IS_REP + KZ_NSTATES)
#define KZ_IS_REP0_LONG (KZ_IS_REP0 + KZ_NSTATES)
#define KZ_IS_REP1 (KZ_IS_REP0_LONG + KZ_NSTATES)
#define KZ_IS_REP2 (KZ_IS_REP1 + KZ_NSTATES)
#define KZ_IS_MATCH (KZ_IS_REP2 + KZ_NSTATES) /* by match kind and state */
#define KZ_REP_LEN (KZ_IS_MATCH + KZ_NSTATES * KZ_NMKINDS)
#define KZ_MATCH_LEN (KZ_REP_LEN + KZ_LEN_SIZE)
#define KZ_SLOT (KZ_MATCH_LEN + KZ_LEN_SIZE)	/* 4 trees of 64 */
#define KZ_SPEC (KZ_SLOT + 4 * 64)		/* 114, slots 4..13 */
#define KZ_ALIGN (KZ_SPEC + 115)		/* 16 */
#define KZ_LIT (KZ_ALIGN + 16)			/* 0x300 per kind */
#define KZ_LIT_MODRM (KZ_LIT + 0x300 * KZ_NKINDS) /* 0x100 per opcode */
#define KZ_NPROBS (KZ_LIT_MODRM + 0x100 * 512)

/** Bytes of work space kz_decode() and kz_unpack() need */
#define KZ_WORK_SIZE (128 + 2 * KZ_NPROBS)

#ifndef ASSEMBLY
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

/** What mkbios puts before a compressed payload (32-bit words only: no
 * padding; x86 reads them at any alignment) */
struct kz_header {
	/** KZ_MAGIC */
	uint32_t magic;
	/** Bytes of KZ stream after this header */
	uint32_t in_len;
	/** Bytes it decompresses to: the opcode map, the payload file (its
	 * code split), then the exceptions */
	uint32_t out_len;
	/** The file's length (the exceptions follow it, and the map) */
	uint32_t fix_off;
	/** Bytes the payload occupies once running (file, bss, fixups) */
	uint32_t mem_len;
	/** Bytes needed at the destination while unpacking: mem_len and
	 * out_len, each rounded to 16 (the payload, then the decoded
	 * stream), KZ_WORK_SIZE of work space, then the prefix's stack */
	uint32_t run_len;
	/** Bytes of the payload, from its start, that are split code */
	uint32_t code_len;
	/** Lengths of the split code's streams; the last one is the rest */
	uint32_t split_len[KZ_NSTREAMS - 1];
};


/**
 * Decompress a KZ stream.
 *
 * @in, @in_len		the stream
 * @out, @out_len	where it goes, and its exact length
 * @code_len		bytes of split code in the output (after the opcode
 *			map, at KZ_MAP_SIZE), or 0 if it holds none
 * @slen		the lengths of its streams but the last one's
 * @work		KZ_WORK_SIZE bytes of scratch space
 * @ret rc		0, or -1 if the stream is damaged
 */
int kz_decode(const uint8_t *in, uint32_t in_len, uint8_t *out,
	      uint32_t out_len, uint32_t code_len, const uint32_t *slen,
	      void *work);

/**
 * Put split code back together.
 *
 * @out, @len		where the code goes, and its length
 * @s			the opcode map (KZ_MAP_SIZE bytes), then the
 *			streams, one after the other
 * @slen		their lengths but the last one's
 * @ret rc		0, or -1 if the streams do not fit the code
 */
int kz_unsplit(uint8_t *out, uint32_t len, const uint8_t *s,
	       const uint32_t *slen);

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

#endif

/** Stack the prefix keeps above the work space */
#define KZ_STACK_SIZE 4096
/** The first word of a struct kz_header */
#define KZ_MAGIC 0x335a4b4b /* "KKZ3" */

#ifndef ASSEMBLY
/**
 * Decompress a payload to @dst, rebuild its fixup table after its file
 * image, and apply the fixups for running there. The stream is decoded
 * after the payload's memory, and the work space taken after that, inside
 * run_len; the code is put together from there at @dst, and the rest of
 * the file copied after it.
 *
 * @h		the header, followed by the stream
 * @avail	bytes readable at @h
 * @dst		destination (h->run_len bytes are free there)
 * @link_base	the payload's link address
 * @ret rc	0, or -1 if the payload is damaged
 */
int kz_unpack(const struct kz_header *h, uint32_t avail, uint8_t *dst,
	      uint32_t link_base);

#endif /* ASSEMBLY */

#endif
