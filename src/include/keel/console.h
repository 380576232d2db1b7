/* Consoles: every output goes to all enabled consoles; input comes from any. */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H
#include <keel/tables.h>

/** Special keys, as returned by getkey() (above the byte range) */
#define KEY_MIN 0x100
#define KEY_UP 0x101
#define KEY_DOWN 0x102
#define KEY_RIGHT 0x103
#define KEY_LEFT 0x104
#define KEY_HOME 0x105
#define KEY_END 0x106
#define KEY_DC 0x107	/* Delete */
#define KEY_PPAGE 0x108 /* Page Up */
#define KEY_NPAGE 0x109 /* Page Down */
#define KEY_IC 0x10a	/* Insert */
/** Control key of a letter */
#define CTRL(c) ((c) & 0x1f)
#define KEY_ESC 0x1b
#define KEY_ENTER '\r'
#define KEY_BACKSPACE 0x7f

/** A console driver */
struct console_driver {
	const char *name;
	/** Write one character; NULL if output-less */
	void (*putchar)(int c);
	/** Read one byte, or return -1 if none waits; NULL if input-less */
	int (*getchar)(void);
	/** Console usage bits (CONSOLE_USAGE_*) */
	unsigned int usage;
	/** Disabled by configuration or run time */
	int disabled;
	/** Serial-like: no cursor addressing assumed, sparse updates */
	int serial;
};
#define CONSOLE_USAGE_STDOUT 0x01
#define CONSOLE_USAGE_DEBUG 0x02
#define CONSOLE_USAGE_ALL 0x03

#define CONSOLES __table(struct console_driver, "consoles")
#define __console_driver __table_entry(CONSOLES, 01)

/** Write a character to consoles with these usage bits */
void console_putchar_usage(int c, unsigned int usage);
/**
 * Read a raw byte from any console.
 *
 * @ret c	byte, or -1 if none waits
 */
int console_getchar(void);
/** True when every console's input has ended (host build on a pipe) */
int console_input_ended(void);
/** Note that a console's input has ended */
void console_set_input_ended(void);

/** True if a key is waiting (steps the scheduler) */
int iskey(void);
/**
 * Wait for a key, decoding ANSI escape sequences into KEY_* codes.
 *
 * @timeout	milliseconds to wait, or 0 for ever
 * @ret key	key, or -1 on timeout or end of input
 */
int getkey(unsigned long timeout);

/**
 * Check for Ctrl-C without waiting; other keys stay queued for later reads.
 * Long-running commands call this (or sleep_interruptible) to be abortable.
 *
 * @ret interrupted	true if Ctrl-C was pressed
 */
int console_interrupted(void);

/**
 * Wait, stepping the scheduler, unless Ctrl-C is pressed.
 *
 * @ms		milliseconds
 * @ret rc	0, or -ECANCELED if interrupted
 */
int sleep_interruptible(unsigned long ms);

/** True if any enabled console is a serial line (updates should be sparse) */
int console_is_serial(void);

#endif
