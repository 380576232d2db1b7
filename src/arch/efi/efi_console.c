/* UEFI console: text output and keyboard input through the firmware's protocols. */
#include <stddef.h>
#include <string.h>
#include <keel/console.h>
#include <keel/init.h>
#include "efi_api.h"

static CHAR16 efi_outbuf[256];
static unsigned int efi_outlen;

/** Extended input (Ctrl state), if the console offers it */
static EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL *efi_conin_ex;

/** Bytes of an escape sequence still to hand out */
static char efi_pending[8];
static unsigned int efi_pending_len;

void efi_console_flush(void)
{
	if (!efi_outlen)
		return;
	efi_outbuf[efi_outlen] = 0;
	/* A driver may run before the firmware has a console: text is lost */
	if (efi_systab->ConOut)
		efi_systab->ConOut->OutputString(efi_systab->ConOut, efi_outbuf);
	efi_outlen = 0;
}

static void efi_putchar(int c)
{
	/* EFI consoles want CR LF; text beyond ASCII shows as '?' */
	if (c == '\n') {
		efi_outbuf[efi_outlen++] = '\r';
	} else if (c & 0x80) {
		/* A UTF-8 continuation byte adds nothing, a lead byte one '?' */
		if ((c & 0xc0) == 0x80)
			return;
		c = '?';
	}
	efi_outbuf[efi_outlen++] = (CHAR16)c;
	if (c == '\n' || efi_outlen >= ARRAY_SIZE(efi_outbuf) - 2)
		efi_console_flush();
}

/** Escape sequences for EFI scan codes, decoded again by getkey() */
static const char *const efi_scan_seqs[] = {
	[SCAN_UP] = "[A",      [SCAN_DOWN] = "[B",     [SCAN_RIGHT] = "[C",
	[SCAN_LEFT] = "[D",    [SCAN_HOME] = "[H",     [SCAN_END] = "[F",
	[SCAN_INSERT] = "[2~", [SCAN_DELETE] = "[3~",  [SCAN_PAGE_UP] = "[5~",
	[SCAN_PAGE_DOWN] = "[6~",
};

/** Queue the bytes a key stands for; returns the first, or -1 */
static int efi_key_bytes(unsigned int scan, unsigned int uc, int ctrl)
{
	const char *seq;

	if (uc) {
		/* The extended protocol reports Ctrl-letter as the letter */
		if (ctrl && ((uc >= 'a' && uc <= 'z') ||
			     (uc >= 'A' && uc <= 'Z')))
			return CTRL(uc);
		if (uc == '\b')
			return KEY_BACKSPACE;
		return (uc < 0x80) ? (int)uc : '?';
	}
	if (scan == SCAN_ESC)
		return KEY_ESC;
	if (scan >= ARRAY_SIZE(efi_scan_seqs) || !efi_scan_seqs[scan])
		return -1;
	seq = efi_scan_seqs[scan];
	efi_pending_len = strlen(seq);
	memcpy(efi_pending, seq, efi_pending_len);
	return KEY_ESC;
}

static int efi_getchar(void)
{
	EFI_KEY_DATA kd;
	EFI_INPUT_KEY key;
	int ctrl = 0;
	int c;

	efi_console_flush();
	if (efi_pending_len) {
		c = (unsigned char)efi_pending[0];
		memmove(efi_pending, efi_pending + 1, --efi_pending_len);
		return c;
	}
	if (efi_conin_ex) {
		if (efi_conin_ex->ReadKeyStrokeEx(efi_conin_ex, &kd) != 0)
			return -1;
		key = kd.Key;
		if ((kd.KeyState.KeyShiftState & EFI_SHIFT_STATE_VALID) &&
		    (kd.KeyState.KeyShiftState &
		     (EFI_LEFT_CONTROL_PRESSED | EFI_RIGHT_CONTROL_PRESSED)))
			ctrl = 1;
	} else if (!efi_systab->ConIn ||
		   efi_systab->ConIn->ReadKeyStroke(efi_systab->ConIn, &key) !=
			   0) {
		return -1;
	}
	return efi_key_bytes(key.ScanCode, key.UnicodeChar, ctrl);
}

struct console_driver efi_console __console_driver = {
	.name = "efi",
	.putchar = efi_putchar,
	.getchar = efi_getchar,
	.usage = CONSOLE_USAGE_ALL,
	/* Firmware consoles are often mirrored to a serial line (OVMF) */
	.serial = 1,
};

static void efi_console_init(void)
{
	EFI_GUID guid = EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL_GUID;
	void *ex;

	if (efi_systab->ConsoleInHandle &&
	    efi_bs->HandleProtocol(efi_systab->ConsoleInHandle, &guid, &ex) ==
		    0)
		efi_conin_ex = ex;
	if (efi_systab->ConOut)
		efi_systab->ConOut->EnableCursor(efi_systab->ConOut, TRUE);
}

struct init_fn efi_console_init_fn __init_fn(INIT_CONSOLE) = {
	.name = "console",
	.init = efi_console_init,
};

static void efi_console_shutdown(int booting)
{
	(void)booting;
	efi_console_flush();
}

struct startup_fn efi_console_startup __startup_fn(STARTUP_EARLY) = {
	.name = "console",
	.shutdown = efi_console_shutdown,
};
