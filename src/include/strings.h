/* Freestanding strings.h. */
#ifndef STRINGS_H
#define STRINGS_H
#include <string.h>
/** Index (1-based) of the lowest set bit, or 0 */
static inline int ffsl(long x) { return __builtin_ffsl(x); }
static inline int ffs(int x) { return __builtin_ffs(x); }
/** Index (1-based) of the highest set bit, or 0 */
static inline int flsl(unsigned long x)
{
	return x ? (int)(8 * sizeof(x)) - __builtin_clzl(x) : 0;
}
#endif
