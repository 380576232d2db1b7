/* BIOS timer: the TSC, calibrated at start-up against PIT channel 2. */
#include <keel/io.h>
#include <keel/timer.h>
#include <x86/bios.h>

#define PIT_HZ 1193182UL
#define PIT_CH2 0x42
#define PIT_MODE 0x43
#define PORT_B 0x61
#define PORT_B_GATE2 0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2 0x20
/** Calibration window: 10 ms */
#define CALIBRATE_MS 10

static uint32_t tsc_per_ms = 1000000; /* a guess until calibrated */
static uint32_t tsc_per_us = 1000;

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

void bios_timer_calibrate(void)
{
	uint32_t count = (uint32_t)(PIT_HZ * CALIBRATE_MS / 1000);
	uint64_t start, ticks;
	unsigned long spins = 0;
	uint8_t portb;

	/* Gate channel 2 on, speaker off; mode 0 counts down once */
	portb = inb(PORT_B);
	outb((uint8_t)((portb & ~PORT_B_SPEAKER) | PORT_B_GATE2), PORT_B);
	outb(0xb0, PIT_MODE); /* channel 2, lobyte/hibyte, mode 0, binary */
	outb((uint8_t)count, PIT_CH2);
	outb((uint8_t)(count >> 8), PIT_CH2);
	start = rdtsc();
	while (!(inb(PORT_B) & PORT_B_OUT2) && ++spins < 100000000UL)
		;
	ticks = rdtsc() - start;
	outb(portb, PORT_B);
	if (ticks / CALIBRATE_MS >= 1000 && ticks / CALIBRATE_MS < 0xffffffffULL) {
		tsc_per_ms = (uint32_t)(ticks / CALIBRATE_MS);
		tsc_per_us = tsc_per_ms / 1000;
	}
}

unsigned long currticks(void)
{
	uint64_t tsc = rdtsc();
	uint32_t hi = (uint32_t)(tsc >> 32), lo = (uint32_t)tsc, q, r;

	/* The low 32 bits of tsc / tsc_per_ms; the tick count wraps */
	r = hi % tsc_per_ms;
	__asm__("divl %4" : "=a"(q), "=d"(r) : "0"(lo), "1"(r), "rm"(tsc_per_ms));
	return q;
}

void udelay(unsigned long usecs)
{
	uint64_t start = rdtsc(), wait = (uint64_t)usecs * tsc_per_us;

	while (rdtsc() - start < wait)
		__asm__ __volatile__("pause");
}
