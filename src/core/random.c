/* Pseudo-random numbers for jitter and identifiers (not for cryptography). */
#include <stdint.h>
#include <stdlib.h>
#include <keel/timer.h>

static uint64_t random_state;

void srandom(unsigned int seed)
{
	random_state = (uint64_t)seed * 0x9e3779b97f4a7c15ULL + 1;
}

long random(void)
{
	/* xorshift64*: small, fast, and good enough for retransmission jitter
	 */
	if (!random_state)
		srandom((unsigned int)currticks() ^ 0x4b45454cU);
	random_state ^= random_state >> 12;
	random_state ^= random_state << 25;
	random_state ^= random_state >> 27;
	return (long)((random_state * 0x2545f4914f6cdd1dULL) >> 33);
}
