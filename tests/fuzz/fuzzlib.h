/* Helpers shared by the firmware halves of fuzz targets. */
#ifndef FUZZLIB_H
#define FUZZLIB_H
#include <keel/malloc.h>

/** Start one input: reset the Ctrl-C budget, note the heap */
void fuzz_begin(struct heap_stats *before);
/**
 * Let virtual time pass (a minute, in steps) so that every timer an input
 * started (reassembly, ARP retries...) expires and frees what it holds.
 */
void fuzz_settle(void);
/** End one input: trap if the heap leaked or is corrupt */
void fuzz_end(const struct heap_stats *before);

#endif
