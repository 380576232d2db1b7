/* Freestanding stdlib.h: allocation, number parsing, random numbers. */
#ifndef STDLIB_H
#define STDLIB_H
#include <stddef.h>
#include <keel/malloc.h>

/* Number parsing (src/core/strtoul.c); base 0 means auto (0x, 0 octal) */
unsigned long strtoul(const char *s, char **end, int base);
long strtol(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
long long strtoll(const char *s, char **end, int base);
static inline int atoi(const char *s) { return (int)strtol(s, NULL, 10); }

/* Random numbers (src/core/random.c), not for cryptography */
long random(void);
void srandom(unsigned int seed);
static inline int rand(void) { return (int)random(); }

static inline int abs(int x) { return x < 0 ? -x : x; }

#endif
