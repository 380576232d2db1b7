/* Debug output: printf and hex dumps to the debug consoles. */
#include <stdio.h>
#include <keel/console.h>

static void dbg_emit(void *ctx, int c)
{
	(void)ctx;
	console_putchar_usage(c, CONSOLE_USAGE_DEBUG);
}

void dbg_printf(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vcprintf(dbg_emit, NULL, fmt, args);
	va_end(args);
}

void dbg_hexdump(const void *data, unsigned long len)
{
	const unsigned char *bytes = data;
	unsigned long i, j;

	for (i = 0; i < len; i += 16) {
		dbg_printf("%08lx :", i);
		for (j = i; j < i + 16; j++) {
			if (j < len)
				dbg_printf(" %02x", bytes[j]);
			else
				dbg_printf("   ");
		}
		dbg_printf(" : ");
		for (j = i; j < i + 16 && j < len; j++) {
			dbg_printf("%c", (bytes[j] >= 0x20 && bytes[j] < 0x7f)
						 ? bytes[j]
						 : '.');
		}
		dbg_printf("\n");
	}
}
