/* Host half of the host build: main(), and the terminal's raw mode. */
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "../linux_api.h"

static struct termios saved_termios;
static int termios_saved;

/** Restore the terminal as it was before raw mode */
static void console_restore(void)
{
	if (termios_saved)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
}

/** Put a terminal on stdin into raw mode: keys arrive one by one, no echo */
static void console_raw(void)
{
	struct termios raw;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_termios))
		return;
	termios_saved = 1;
	atexit(console_restore);
	raw = saved_termios;
	raw.c_iflag &= ~(unsigned)(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
	raw.c_oflag |= OPOST | ONLCR;
	raw.c_lflag &= ~(unsigned)(ECHO | ICANON | IEXTEN | ISIG);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	console_raw();
	return keel_linux_main(argc, argv);
}

int linux_console_is_tty(void)
{
	return termios_saved;
}
