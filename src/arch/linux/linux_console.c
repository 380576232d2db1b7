/* Host build console: standard output, and standard input without blocking. */
#include <keel/console.h>
#include <keel/init.h>
#include <keel/linux.h>
#include "linux_api.h"

static char outbuf[512];
static unsigned int outlen;

static void linux_flush(void)
{
	if (outlen)
		linux_console_write(outbuf, outlen);
	outlen = 0;
}

static void linux_putchar(int c)
{
	outbuf[outlen++] = (char)c;
	/* Line-buffered; also flushed whenever we look for input */
	if (c == '\n' || outlen == sizeof(outbuf))
		linux_flush();
}

static int linux_getchar(void)
{
	int c;

	linux_flush();
	c = linux_console_read();
	if (c == -2) {
		console_set_input_ended();
		return -1;
	}
	return c;
}

struct console_driver linux_console __console_driver = {
	.name = "stdio",
	.putchar = linux_putchar,
	.getchar = linux_getchar,
	.usage = CONSOLE_USAGE_ALL,
};

/** On a pipe or file, behave like a serial line: no in-place updates */
static void linux_console_init(void)
{
	linux_console.serial = !linux_console_is_tty();
}

struct init_fn linux_console_init_fn __init_fn(INIT_CONSOLE) = {
	.name = "console",
	.init = linux_console_init,
};

static void linux_console_shutdown(int booting)
{
	(void)booting;
	linux_flush();
}

struct startup_fn linux_console_startup __startup_fn(STARTUP_EARLY) = {
	.name = "console",
	.shutdown = linux_console_shutdown,
};

void linux_console_flush(void)
{
	linux_flush();
}
