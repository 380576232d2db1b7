/* Host half of the self-tests: the host C library as a reference oracle. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int host_vsnprintf(char *buf, unsigned long size, const char *fmt,
		   va_list args);
int host_snprintf(char *buf, unsigned long size, const char *fmt, ...);
unsigned long host_strtoul(const char *s, char **end, int base);
long host_strtol(const char *s, char **end, int base);

int host_vsnprintf(char *buf, unsigned long size, const char *fmt, va_list args)
{
	return vsnprintf(buf, size, fmt, args);
}

int host_snprintf(char *buf, unsigned long size, const char *fmt, ...)
{
	va_list args;
	int len;

	va_start(args, fmt);
	len = vsnprintf(buf, size, fmt, args);
	va_end(args);
	return len;
}

unsigned long host_strtoul(const char *s, char **end, int base)
{
	return strtoul(s, end, base);
}

long host_strtol(const char *s, char **end, int base)
{
	return strtol(s, end, base);
}
