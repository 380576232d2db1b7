/* Host build timer: the monotonic clock, in milliseconds. */
#include <keel/timer.h>
#include "linux_api.h"

unsigned long currticks(void)
{
	return linux_now_ms();
}

void udelay(unsigned long usecs)
{
	linux_usleep(usecs);
}

long long unixtime(void)
{
	return linux_unixtime();
}
