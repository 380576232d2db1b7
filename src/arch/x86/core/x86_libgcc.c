/* 64-bit division for i386, which GCC calls out to (there is no libgcc here). */
#include <stdint.h>

uint64_t __udivmoddi4(uint64_t num, uint64_t den, uint64_t *rem);
uint64_t __udivdi3(uint64_t num, uint64_t den);
uint64_t __umoddi3(uint64_t num, uint64_t den);
int64_t __divdi3(int64_t num, int64_t den);
int64_t __moddi3(int64_t num, int64_t den);
int64_t __divmoddi4(int64_t num, int64_t den, int64_t *rem);

/** 64 by 32 bits with two DIVL instructions */
static uint64_t div64_32(uint64_t num, uint32_t den, uint32_t *rem)
{
	uint32_t hi = (uint32_t)(num >> 32), lo = (uint32_t)num, qhi, qlo, r;

	qhi = hi / den;
	r = hi % den;
	__asm__("divl %4" : "=a"(qlo), "=d"(r) : "0"(lo), "1"(r), "rm"(den));
	*rem = r;
	return ((uint64_t)qhi << 32) | qlo;
}

uint64_t __udivmoddi4(uint64_t num, uint64_t den, uint64_t *rem)
{
	uint64_t quot = 0;
	uint32_t r32;
	int shift;

	if (den == 0) {
		/* As the hardware would, but without a fault */
		if (rem)
			*rem = num;
		return ~(uint64_t)0;
	}
	if ((den >> 32) == 0) {
		quot = div64_32(num, (uint32_t)den, &r32);
		if (rem)
			*rem = r32;
		return quot;
	}
	/* A divisor above 32 bits: shift and subtract (at most 32 rounds) */
	shift = __builtin_clzll(den) - __builtin_clzll(num);
	if (shift < 0) {
		if (rem)
			*rem = num;
		return 0;
	}
	den <<= shift;
	for (; shift >= 0; shift--) {
		quot <<= 1;
		if (num >= den) {
			num -= den;
			quot |= 1;
		}
		den >>= 1;
	}
	if (rem)
		*rem = num;
	return quot;
}

uint64_t __udivdi3(uint64_t num, uint64_t den)
{
	return __udivmoddi4(num, den, 0);
}

uint64_t __umoddi3(uint64_t num, uint64_t den)
{
	uint64_t rem;

	__udivmoddi4(num, den, &rem);
	return rem;
}

int64_t __divmoddi4(int64_t num, int64_t den, int64_t *rem)
{
	int neg_q = (num < 0) != (den < 0), neg_r = num < 0;
	uint64_t unum = neg_r ? -(uint64_t)num : (uint64_t)num;
	uint64_t uden = (den < 0) ? -(uint64_t)den : (uint64_t)den;
	uint64_t urem, uquot = __udivmoddi4(unum, uden, &urem);

	if (rem)
		*rem = neg_r ? -(int64_t)urem : (int64_t)urem;
	return neg_q ? -(int64_t)uquot : (int64_t)uquot;
}

int64_t __divdi3(int64_t num, int64_t den)
{
	return __divmoddi4(num, den, 0);
}

int64_t __moddi3(int64_t num, int64_t den)
{
	int64_t rem;

	__divmoddi4(num, den, &rem);
	return rem;
}
