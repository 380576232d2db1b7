/* KZ compressor (host side); the format and decoder are in src/arch/x86/prefix/unkz.h. */
#ifndef KZ_H
#define KZ_H
#include <stddef.h>
#include <stdint.h>
#include "../src/arch/x86/prefix/unkz.h"

/**
 * Compress @n bytes at @in into a KZ stream.
 *
 * @code_len	bytes of split code in @in after the opcode map, or 0 if it
 *		holds none; @slen, its streams' lengths (kz_decode())
 * @ret out	the stream (malloc'd; its length in *@out_len), or NULL
 */
uint8_t *kz_compress(const uint8_t *in, size_t n, uint32_t code_len,
		     const uint32_t *slen, size_t *out_len);

/** Write the opcode map (KZ_MAP_SIZE bytes) that kz_split() uses */
void kz_x86_map(uint8_t *map);

/**
 * Split @len bytes of 32-bit code into the streams kz_unsplit() takes.
 *
 * @out		KZ_MAP_SIZE + @len bytes: the opcode map, then the
 *			streams, one after the other
 * @slen		their lengths but the last one's
 * @ret rc		0, or -1 if out of memory
 */
int kz_split(const uint8_t *code, uint32_t len, uint8_t *out,
	     uint32_t *slen);

#endif
