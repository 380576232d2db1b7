/* KZ compressor (host side); the format and decoder are in src/arch/x86/prefix/unkz.h. */
#ifndef KZ_H
#define KZ_H
#include <stddef.h>
#include <stdint.h>
#include "../src/arch/x86/prefix/unkz.h"

/**
 * Compress @n bytes at @in into a KZ stream.
 *
 * @ret out	the stream (malloc'd; its length in *@out_len), or NULL
 */
uint8_t *kz_compress(const uint8_t *in, size_t n, size_t *out_len);

/** The E8/E9 filter that kz_compress() applies (kz_unfilter() undoes it) */
void kz_filter(uint8_t *buf, size_t len);

#endif
