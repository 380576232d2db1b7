/* Line editor with history and completion, for the shell and prompts. */
#ifndef KEEL_READLINE_H
#define KEEL_READLINE_H
#include <keel/tables.h>

#define READLINE_HISTORY_MAX 32

/** A history of entered lines */
struct readline_history {
	/** Lines, oldest first (malloc'd) */
	char *lines[READLINE_HISTORY_MAX];
	unsigned int count;
};

/**
 * Read a line from the console, with editing.
 *
 * Keys: Left/Right, Home/End, Ctrl-A/E/B/F, Backspace, Delete, Ctrl-D,
 * Ctrl-K/U/W, Up/Down (history), Tab (completion), Enter.
 * Ctrl-C abandons the line.
 *
 * @prompt	prompt to print, or NULL
 * @prefill	initial contents, or NULL
 * @history	history to use and extend, or NULL
 * @timeout	milliseconds to wait for the first key, or 0 for ever
 * @line	the line (malloc'd, caller frees), filled in on success
 * @ret rc	0, -ECANCELED on Ctrl-C, -ETIMEDOUT, or -EPIPE at end of input
 */
int readline_history(const char *prompt, const char *prefill,
		     struct readline_history *history, unsigned long timeout,
		     char **line);

/** Forget every line of a history */
void history_free(struct readline_history *history);

/**
 * A source of tab completions. Completers register in a table; the line
 * editor asks each of them for candidates for the word under the cursor.
 */
struct completer {
	const char *name;
	/**
	 * Offer candidates for a word.
	 *
	 * @word	text typed so far of the word under the cursor
	 * @first	true if this word is the command name
	 * @add		called once per candidate (full word)
	 * @ctx		context for @add
	 */
	void (*complete)(const char *word, int first,
			 void (*add)(void *ctx, const char *candidate),
			 void *ctx);
};
#define COMPLETERS __table(struct completer, "completers")
#define __completer __table_entry(COMPLETERS, 01)

#endif
