/* Fuzzing: the boundary between libFuzzer (host) and a fuzz target (firmware). */
#ifndef FUZZ_H
#define FUZZ_H

/** Bring the firmware up once (heap, settings, ...) */
void keel_fuzz_init(void);
/** Feed one input to the target; it must never crash, hang or leak */
int keel_fuzz_one(const unsigned char *data, unsigned long len);

#endif
