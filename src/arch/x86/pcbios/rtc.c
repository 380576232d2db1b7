/* Wall-clock time from the CMOS real-time clock. */
#include <keel/io.h>
#include <keel/timer.h>

#define CMOS_ADDR 0x70
#define CMOS_DATA 0x71
#define CMOS_NMI_OFF 0x80
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_A_UIP 0x80
#define RTC_STATUS_B 0x0b
#define RTC_STATUS_B_24H 0x02
#define RTC_STATUS_B_BINARY 0x04

static uint8_t cmos_read(uint8_t reg)
{
	outb(reg | CMOS_NMI_OFF, CMOS_ADDR);
	return inb(CMOS_DATA);
}

static unsigned int rtc_field(uint8_t reg, uint8_t status_b)
{
	uint8_t v = cmos_read(reg);

	if (reg == 0x04 && !(status_b & RTC_STATUS_B_24H)) {
		/* 12-hour clock: bit 7 means PM */
		unsigned int pm = v & 0x80, h;

		v &= 0x7f;
		h = (status_b & RTC_STATUS_B_BINARY) ? v
						     : (v >> 4) * 10 + (v & 0xf);
		return (h % 12) + (pm ? 12 : 0);
	}
	if (status_b & RTC_STATUS_B_BINARY)
		return v;
	return (v >> 4) * 10 + (v & 0xf);
}

/** Days since 1970-01-01 of a civil date */
static long long rtc_days(unsigned int y, unsigned int m, unsigned int d)
{
	/* Count years from March so that the leap day ends a year */
	long long era_y = (long long)y - (m <= 2);
	unsigned int mp = (m + 9) % 12;
	long long doy = (153 * mp + 2) / 5 + d - 1;

	return era_y * 365 + era_y / 4 - era_y / 100 + era_y / 400 + doy -
	       719468;
}

long long unixtime(void)
{
	unsigned int spins = 100000, sec, min, hour, day, mon, year, cent;
	uint8_t status_b;

	while ((cmos_read(RTC_STATUS_A) & RTC_STATUS_A_UIP) && --spins)
		;
	status_b = cmos_read(RTC_STATUS_B);
	sec = rtc_field(0x00, status_b);
	min = rtc_field(0x02, status_b);
	hour = rtc_field(0x04, status_b);
	day = rtc_field(0x07, status_b);
	mon = rtc_field(0x08, status_b);
	year = rtc_field(0x09, status_b);
	cent = rtc_field(0x32, status_b);
	if (cent < 19 || cent > 30)
		cent = (year < 70) ? 20 : 19;
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 ||
	    min > 59 || sec > 60)
		return 0;
	return rtc_days(cent * 100 + year, mon, day) * 86400LL +
	       hour * 3600 + min * 60 + sec;
}
