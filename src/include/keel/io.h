/* Hardware access: x86 port I/O, memory-mapped registers, DMA addresses. */
#ifndef KEEL_IO_H
#define KEEL_IO_H
#include <stdint.h>

/*
 * Every firmware platform Keel runs on maps memory one to one: the BIOS
 * platform runs in flat 32-bit protected mode with segment bases of zero,
 * and UEFI identity-maps memory. A pointer is therefore its own physical
 * (bus) address. Drivers still convert explicitly, so that the places that
 * hand addresses to devices stay visible.
 */
typedef unsigned long phys_addr_t;

static inline phys_addr_t virt_to_phys(const volatile void *virt)
{
	return (phys_addr_t)virt;
}

static inline void *phys_to_virt(phys_addr_t phys)
{
	return (void *)phys;
}

/* Port I/O */
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ __volatile__("inb %w1, %b0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ __volatile__("inw %w1, %w0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ __volatile__("inl %w1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void outb(uint8_t v, uint16_t port)
{
	__asm__ __volatile__("outb %b0, %w1" : : "a"(v), "Nd"(port));
}
static inline void outw(uint16_t v, uint16_t port)
{
	__asm__ __volatile__("outw %w0, %w1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint32_t v, uint16_t port)
{
	__asm__ __volatile__("outl %0, %w1" : : "a"(v), "Nd"(port));
}
/** A short delay: a write to the unused POST diagnostic port */
static inline void iodelay(void)
{
	outb(0, 0x80);
}

/* Memory-mapped registers */
static inline uint8_t readb(const volatile void *addr)
{
	return *(const volatile uint8_t *)addr;
}
static inline uint16_t readw(const volatile void *addr)
{
	return *(const volatile uint16_t *)addr;
}
static inline uint32_t readl(const volatile void *addr)
{
	return *(const volatile uint32_t *)addr;
}
static inline void writeb(uint8_t v, volatile void *addr)
{
	*(volatile uint8_t *)addr = v;
}
static inline void writew(uint16_t v, volatile void *addr)
{
	*(volatile uint16_t *)addr = v;
}
static inline void writel(uint32_t v, volatile void *addr)
{
	*(volatile uint32_t *)addr = v;
}

/* Barriers: x86 keeps stores ordered; the compiler must too */
#define barrier() __asm__ __volatile__("" : : : "memory")
#define wmb() barrier()
#ifdef __x86_64__
#define mb() __asm__ __volatile__("mfence" : : : "memory")
#else
#define mb() __asm__ __volatile__("lock; addl $0, (%%esp)" : : : "memory")
#endif
#define rmb() mb()

#endif
