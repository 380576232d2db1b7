/* BIOS console: VGA text through INT 10h (with a little ANSI), keyboard through INT 16h. */
#include <string.h>
#include <keel/console.h>
#include <keel/init.h>
#include <keel/io.h>
#include <keel/timer.h>
#include <x86/bios.h>
#include <x86/realmode.h>

extern struct console_driver serial_console;

/** Text attribute for cleared areas: light grey on black */
#define BIOS_ATTR 0x07

static void bios_teletype(int c)
{
	struct rm_regs regs;

	memset(&regs, 0, sizeof(regs));
	regs.eax = 0x0e00 | (uint8_t)c;
	regs.ebx = 0x0007;
	rm_int(0x10, &regs);
}

void bios_early_print(const char *msg)
{
	while (*msg)
		bios_teletype(*msg++);
}

/** Cursor position: row in the high byte, column in the low byte */
static uint16_t bios_get_cursor(void)
{
	struct rm_regs regs;

	memset(&regs, 0, sizeof(regs));
	regs.eax = 0x0300;
	rm_int(0x10, &regs);
	return (uint16_t)regs.edx;
}

static void bios_set_cursor(unsigned int row, unsigned int col)
{
	struct rm_regs regs;

	memset(&regs, 0, sizeof(regs));
	regs.eax = 0x0200;
	regs.edx = ((row & 0xff) << 8) | (col & 0xff);
	rm_int(0x10, &regs);
}

/** Clear the rectangle from (r0,c0) to (r1,c1) inclusive */
static void bios_clear(unsigned int r0, unsigned int c0, unsigned int r1,
		       unsigned int c1)
{
	struct rm_regs regs;

	memset(&regs, 0, sizeof(regs));
	regs.eax = 0x0600;
	regs.ebx = BIOS_ATTR << 8;
	regs.ecx = (r0 << 8) | c0;
	regs.edx = (r1 << 8) | c1;
	rm_int(0x10, &regs);
}

/* ANSI escape state: ESC [ p1 ; p2 letter */
static struct {
	int state; /* 0 none, 1 after ESC, 2 in CSI */
	unsigned int params[2];
	unsigned int nparams;
} ansi;

/** Act on the CSI sequences Keel's editor and menus use: H, J, K */
static void bios_ansi(int final)
{
	uint16_t pos;

	switch (final) {
	case 'H':
	case 'f':
		bios_set_cursor(ansi.params[0] ? ansi.params[0] - 1 : 0,
				ansi.params[1] ? ansi.params[1] - 1 : 0);
		break;
	case 'J':
		bios_clear(0, 0, 24, 79);
		bios_set_cursor(0, 0);
		break;
	case 'K':
		pos = bios_get_cursor();
		bios_clear(pos >> 8, pos & 0xff, pos >> 8, 79);
		break;
	default:
		break; /* colours, cursor visibility: ignored */
	}
}

static void bios_putchar(int c)
{
	if (ansi.state == 1) {
		ansi.state = (c == '[') ? 2 : 0;
		memset(ansi.params, 0, sizeof(ansi.params));
		ansi.nparams = 0;
		return;
	}
	if (ansi.state == 2) {
		if (c >= '0' && c <= '9') {
			if (ansi.nparams < 2)
				ansi.params[ansi.nparams] =
					ansi.params[ansi.nparams] * 10 +
					(unsigned int)(c - '0');
		} else if (c == ';') {
			ansi.nparams++;
		} else if (c != '?') {
			ansi.state = 0;
			bios_ansi(c);
		}
		return;
	}
	if (c == 0x1b) {
		ansi.state = 1;
		return;
	}
	if (c == '\n')
		bios_teletype('\r');
	bios_teletype(c);
}

/* Keys that arrive as scan codes, turned into the ANSI sequences getkey() decodes */
static const struct {
	uint8_t scan;
	char seq[4];
} bios_keys[] = {
	{0x48, "[A"}, {0x50, "[B"}, {0x4d, "[C"}, {0x4b, "[D"},
	{0x47, "[H"}, {0x4f, "[F"}, {0x53, "[3~"}, {0x49, "[5~"},
	{0x51, "[6~"}, {0x52, "[2~"},
};

static char bios_pending[6];
static unsigned int bios_npending;

/**
 * INT 16h is asked at most this often (ms) while no key comes. Every call
 * is a round trip to real mode, and the wait loops of downloads and DHCP
 * ask for Ctrl-C on every turn: under emulation these trips took an
 * eighth of the time of a download. A key typed waits at most this long.
 */
#define BIOS_KEY_POLL_MS 10

/** When INT 16h was last asked, and whether it had a key then */
static unsigned long bios_key_asked;
static int bios_key_seen;

/** True if it is time to ask INT 16h again */
static int bios_key_due(void)
{
	unsigned long now = currticks();

	if (!bios_key_seen &&
	    now - bios_key_asked < BIOS_KEY_POLL_MS * TICKS_PER_MS)
		return 0;
	bios_key_asked = now;
	return 1;
}

static int bios_getchar(void)
{
	struct rm_regs regs;
	unsigned int i;
	uint8_t ascii, scan;

	if (bios_npending) {
		int c = (uint8_t)bios_pending[0];

		memmove(bios_pending, bios_pending + 1, --bios_npending);
		return c;
	}
	if (!bios_key_due())
		return -1;
	memset(&regs, 0, sizeof(regs));
	regs.eax = 0x0100;
	rm_int(0x16, &regs);
	bios_key_seen = !(regs.flags & RM_ZF);
	if (!bios_key_seen)
		return -1;
	memset(&regs, 0, sizeof(regs));
	rm_int(0x16, &regs);
	ascii = (uint8_t)regs.eax;
	scan = (uint8_t)(regs.eax >> 8);
	if (ascii && ascii != 0xe0)
		return (ascii == 0x08) ? KEY_BACKSPACE : ascii;
	for (i = 0; i < ARRAY_SIZE(bios_keys); i++) {
		if (bios_keys[i].scan == scan) {
			bios_npending = strlen(bios_keys[i].seq);
			memcpy(bios_pending, bios_keys[i].seq, bios_npending);
			return KEY_ESC;
		}
	}
	return -1;
}

static int bios_output_off;

static void bios_console_putchar(int c)
{
	if (!bios_output_off)
		bios_putchar(c);
}

struct console_driver bios_console __console_driver = {
	.name = "bios",
	.putchar = bios_console_putchar,
	.getchar = bios_getchar,
	.usage = CONSOLE_USAGE_ALL,
};

/**
 * A BIOS that copies INT 10h output to the serial port itself (SeaBIOS's
 * sercon under QEMU -nographic, serial redirection on servers) hooks
 * INT 10h in its own segment rather than leaving it to the video ROM at
 * C000. Keel drives the serial port itself, so it would print everything
 * twice: then INT 10h is used for input only.
 */
static void bios_console_init(void)
{
	uint32_t vec = *(volatile uint32_t *)phys_to_virt(0x10 * 4);

	if ((vec >> 16) >= 0xf000 && !serial_console.disabled)
		bios_output_off = 1;
}

struct init_fn bios_console_init_fn __init_fn(INIT_NORMAL) = {
	.name = "bios console",
	.init = bios_console_init,
};
