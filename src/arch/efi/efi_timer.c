/* UEFI timer: the TSC, calibrated against the firmware's Stall(); the RTC. */
#include <keel/init.h>
#include <keel/timer.h>
#include "efi_api.h"

/** TSC ticks per millisecond (0 until calibrated) */
static unsigned long efi_tsc_per_ms;
/** Milliseconds counted so far, and the TSC value they end at */
static unsigned long efi_ms;
static uint64_t efi_tsc_last;

static inline uint64_t efi_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/** Measure the TSC over 10 ms of Stall() */
static void efi_timer_init(void)
{
	uint64_t start = efi_rdtsc();

	efi_bs->Stall(10000);
	efi_tsc_per_ms = (unsigned long)((efi_rdtsc() - start) / 10);
	if (!efi_tsc_per_ms)
		efi_tsc_per_ms = 1;
	efi_tsc_last = efi_rdtsc();
}

struct init_fn efi_timer_init_fn __init_fn(INIT_EARLY) = {
	.name = "timer",
	.init = efi_timer_init,
};

unsigned long currticks(void)
{
	uint64_t now, elapsed;

	if (!efi_tsc_per_ms)
		efi_timer_init();
	now = efi_rdtsc();
	elapsed = (now - efi_tsc_last) / efi_tsc_per_ms;
	/* Keep the remainder, so that time never drifts */
	efi_tsc_last += elapsed * efi_tsc_per_ms;
	efi_ms += (unsigned long)elapsed;
	return efi_ms;
}

void udelay(unsigned long usecs)
{
	efi_bs->Stall(usecs);
}

/** Days from 1970-01-01 to a civil date (proleptic Gregorian) */
static long long efi_days(int y, unsigned int m, unsigned int d)
{
	long long era;
	unsigned int yoe, doy, doe;

	y -= (m <= 2);
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned int)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

long long unixtime(void)
{
	EFI_TIME t;
	long long secs;

	if (efi_systab->RuntimeServices->GetTime(&t, NULL) != 0)
		return 0;
	if (t.Month < 1 || t.Month > 12 || t.Day < 1 || t.Day > 31)
		return 0;
	secs = efi_days(t.Year, t.Month, t.Day) * 86400LL + t.Hour * 3600LL +
	       t.Minute * 60LL + t.Second;
	/* UEFI: local time = UTC - TimeZone */
	if (t.TimeZone != EFI_UNSPECIFIED_TIMEZONE && t.TimeZone >= -1440 &&
	    t.TimeZone <= 1440)
		secs += t.TimeZone * 60LL;
	return secs;
}
