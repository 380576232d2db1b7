/* x86 CPUID access. */
#include <keel/cpuid.h>

int cpuid_supported(void)
{
#if defined(__x86_64__)
	return 1; /* every x86-64 CPU has CPUID */
#else
	unsigned long before, after;

	/* CPUID exists if EFLAGS.ID (bit 21) can be toggled */
	__asm__ volatile("pushfl\n\tpopl %0\n\tmovl %0, %1\n\t"
			 "xorl $0x200000, %0\n\tpushl %0\n\tpopfl\n\t"
			 "pushfl\n\tpopl %0\n\tpushl %1\n\tpopfl"
			 : "=&r"(after), "=&r"(before));
	return ((before ^ after) & 0x200000) != 0;
#endif
}

void cpuid(uint32_t leaf, struct cpuid_regs *regs)
{
	__asm__ volatile("cpuid"
			 : "=a"(regs->eax), "=b"(regs->ebx), "=c"(regs->ecx),
			   "=d"(regs->edx)
			 : "0"(leaf), "2"(0));
}
