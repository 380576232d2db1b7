/* x86 CPU identification. */
#ifndef KEEL_CPUID_H
#define KEEL_CPUID_H
#include <stdint.h>

/** Registers returned by CPUID */
struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

/** Run CPUID for a leaf (and sub-leaf 0) */
void cpuid(uint32_t leaf, struct cpuid_regs *regs);
/** True if the CPU supports the CPUID instruction */
int cpuid_supported(void);

#endif
