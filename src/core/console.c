/* Console multiplexing: printf to every console, keys from any, escape
 * decoding. */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <keel/console.h>
#include <keel/process.h>
#include <keel/timer.h>

static int input_ended;
/** Bytes read ahead while decoding an escape sequence that was not one */
static int pushback[8];
static unsigned int npushback;

void console_putchar_usage(int c, unsigned int usage)
{
	struct console_driver *console;

	for_each_table_entry(console, CONSOLES) {
		if (!console->disabled && console->putchar &&
		    (console->usage & usage))
			console->putchar(c);
	}
}

int putchar(int c)
{
	console_putchar_usage(c, CONSOLE_USAGE_STDOUT);
	return c;
}

static void printf_emit(void *ctx, int c)
{
	(void)ctx;
	putchar(c);
}

int vprintf(const char *fmt, va_list args)
{
	return (int)vcprintf(printf_emit, NULL, fmt, args);
}

int printf(const char *fmt, ...)
{
	va_list args;
	int len;

	va_start(args, fmt);
	len = vprintf(fmt, args);
	va_end(args);
	return len;
}

int puts(const char *s)
{
	while (*s)
		putchar(*s++);
	putchar('\n');
	return 0;
}

/** Read a byte from the first console driver that has one, or -1 */
static int console_driver_getchar(void)
{
	struct console_driver *console;
	int c;

	for_each_table_entry(console, CONSOLES) {
		if (console->disabled || !console->getchar)
			continue;
		c = console->getchar();
		if (c >= 0)
			return c;
	}
	return -1;
}

int console_getchar(void)
{
	if (npushback)
		return pushback[--npushback];
	return console_driver_getchar();
}

int console_input_ended(void)
{
	return input_ended && !npushback;
}

void console_set_input_ended(void)
{
	input_ended = 1;
}

int console_is_serial(void)
{
	struct console_driver *console;

	for_each_table_entry(console, CONSOLES) {
		if (!console->disabled && console->serial)
			return 1;
	}
	return 0;
}

int iskey(void)
{
	int c;

	if (npushback)
		return 1;
	step();
	c = console_getchar();
	if (c < 0)
		return 0;
	pushback[npushback++] = c;
	return 1;
}

int console_interrupted(void)
{
	int c;

	step();
	/* Keys that are not Ctrl-C wait, in order, for whoever reads next */
	while (npushback < ARRAY_SIZE(pushback)) {
		c = console_driver_getchar();
		if (c < 0)
			return 0;
		if (c == CTRL('C'))
			return 1;
		memmove(&pushback[1], &pushback[0], npushback * sizeof(int));
		pushback[0] = c;
		npushback++;
	}
	return 0;
}

int sleep_interruptible(unsigned long ms)
{
	unsigned long start = currticks();

	while (currticks() - start < ms) {
		if (console_interrupted())
			return -ECANCELED;
		udelay(1000);
	}
	return 0;
}

/** Wait up to @ms for a byte; -1 if none comes */
static int getchar_timeout(unsigned long ms)
{
	unsigned long start = currticks();
	int c;

	while (1) {
		c = console_getchar();
		if (c >= 0)
			return c;
		if (console_input_ended())
			return -1;
		if (ms && !ticks_after_eq(start + ms, currticks()))
			return -1;
		step();
		udelay(ms ? 100 : 1000);
	}
}

/* ANSI escape sequences: final byte after "ESC [" (and optional number) */
static const struct {
	const char *seq;
	int key;
} ansi_keys[] = {
	{"A", KEY_UP},	  {"B", KEY_DOWN}, {"C", KEY_RIGHT},  {"D", KEY_LEFT},
	{"H", KEY_HOME},  {"F", KEY_END},  {"1~", KEY_HOME},  {"2~", KEY_IC},
	{"3~", KEY_DC},	  {"4~", KEY_END}, {"5~", KEY_PPAGE}, {"6~", KEY_NPAGE},
	{"7~", KEY_HOME}, {"8~", KEY_END},
};

/** Decode the rest of an escape sequence after ESC */
static int getkey_escape(void)
{
	char seq[8];
	unsigned int len = 0, i;
	int c;

	/* A lone ESC: nothing follows quickly */
	c = getchar_timeout(50);
	if (c < 0)
		return KEY_ESC;
	if (c != '[' && c != 'O') {
		pushback[npushback++] = c;
		return KEY_ESC;
	}
	while (len < sizeof(seq) - 1) {
		c = getchar_timeout(50);
		if (c < 0)
			break;
		seq[len++] = (char)c;
		if (c >= 0x40 && c <= 0x7e)
			break;
	}
	seq[len] = '\0';
	for (i = 0; i < ARRAY_SIZE(ansi_keys); i++) {
		if (strcmp(seq, ansi_keys[i].seq) == 0)
			return ansi_keys[i].key;
	}
	return -1 - 1000; /* unknown sequence: swallowed */
}

int getkey(unsigned long timeout)
{
	/* CR LF (serial lines, pipes, pasted scripts) is one Enter, not two */
	static int prev_was_cr;
	unsigned long start = currticks();
	unsigned long left;
	int c;

	while (1) {
		left = 0;
		if (timeout) {
			unsigned long gone = currticks() - start;

			if (gone >= timeout)
				return -1;
			left = timeout - gone;
		}
		c = getchar_timeout(left);
		if (c < 0)
			return -1;
		if (c == '\n' && prev_was_cr) {
			prev_was_cr = 0;
			continue;
		}
		prev_was_cr = (c == '\r');
		if (c == KEY_ESC) {
			c = getkey_escape();
			if (c == -1 - 1000)
				continue;
		}
		if (c == '\n')
			c = KEY_ENTER;
		if (c == 0x08)
			c = KEY_BACKSPACE;
		return c;
	}
}
