/* The interactive shell. */
#ifndef KEEL_SHELL_H
#define KEEL_SHELL_H

/** The shell's prompt */
#define SHELL_PROMPT "keel> "

/**
 * Run the interactive shell until "exit" or the end of input.
 *
 * @ret rc	status of the last command (or of "exit")
 */
int shell(void);

/**
 * Offer the shell before booting: "Press Ctrl-B for the Keel shell..."
 *
 * @timeout	milliseconds to wait (0: do not wait)
 * @ret wanted	true if the user pressed Ctrl-B
 */
int shell_banner(unsigned long timeout);

#endif
