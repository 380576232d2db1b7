/* Line-editing core behind readline: keys and redrawing, console-free. */
#ifndef KEEL_EDITSTRING_H
#define KEEL_EDITSTRING_H
#include <stddef.h>
#include <keel/readline.h>

/*
 * readline() is three parts: an edit state that takes keys and changes a
 * buffer (edit_key), a view that brings a terminal line up to date with the
 * buffer through a character sink (edit_view_update), and the console loop
 * in readline.c that joins them. The first two never touch the console, so
 * self-tests drive them directly.
 */

/** Longest line the editor accepts, in characters */
#define EDIT_MAX 4096

/** What edit_key() asks of its caller */
enum edit_result {
	EDIT_OK = 0,	/* handled; bring the view up to date */
	EDIT_BELL,	/* refused (line full, nothing to do): ring the bell */
	EDIT_ENTER,	/* the line is complete */
	EDIT_CANCEL,	/* Ctrl-C: abandon the line */
	EDIT_LIST,	/* show the candidates in state->cands, then redraw */
	EDIT_REDRAW,	/* clear the screen and redraw (Ctrl-L) */
};

/** A source of completion candidates (same shape as a completer) */
typedef void (*edit_complete_fn)(const char *word, int first,
				 void (*add)(void *ctx, const char *candidate),
				 void *ctx);

/** Completion candidates, sorted and without duplicates */
struct edit_candidates {
	char **names;
	unsigned int count;
	unsigned int alloc;
};

/** The line being edited */
struct edit_state {
	/** Contents, always NUL-terminated */
	char buf[EDIT_MAX + 1];
	size_t len;
	/** Cursor position, 0..len */
	size_t cursor;
	/** History to browse, or NULL */
	struct readline_history *history;
	/** Index being shown: 0..count-1 a history line, count the new line */
	unsigned int hist_pos;
	/** Edited copies of each history position (NULL = unchanged) */
	char *scratch[READLINE_HISTORY_MAX + 1];
	/** Candidate source; NULL means every entry of COMPLETERS */
	edit_complete_fn complete;
	/** Disable Tab completion (password fields) */
	int no_complete;
	/** Candidates of the last Tab, for EDIT_LIST */
	struct edit_candidates cands;
	/** Previous key, to spot a second Tab */
	int last_key;
	/** Text removed by the last kill, for Ctrl-Y (malloc'd) */
	char *killed;
};

/** A key bound to an action on the edit state */
struct edit_key_binding {
	int key;
	/** Returns an edit_result */
	int (*action)(struct edit_state *state);
};

/*
 * Keys that optional objects bind, beyond the editor's own (Tab:
 * src/hci/edit_complete.c, part of the full feature set).
 */
#define EDIT_KEYS __table(const struct edit_key_binding, "edit_keys")
#define __edit_key __table_entry(EDIT_KEYS, 01)

/** Start editing an empty line with an optional history */
void edit_init(struct edit_state *state, struct readline_history *history);
/**
 * Replace the whole line, cursor at the end.
 *
 * @ret rc	0, or -ENOSPC if @text was cut at EDIT_MAX
 */
int edit_set(struct edit_state *state, const char *text);
/**
 * Apply one key (a byte or a KEY_* code from getkey()).
 *
 * @ret result	an edit_result
 */
int edit_key(struct edit_state *state, int key);
/** Free everything the state holds (not the state itself) */
void edit_finish(struct edit_state *state);
/**
 * Insert text at the cursor: all of it, or nothing if it does not fit.
 *
 * @ret result	EDIT_OK, or EDIT_BELL if it does not fit
 */
int edit_insert(struct edit_state *state, const char *text, size_t len);
/** Forget every candidate of the last Tab */
void edit_cands_clear(struct edit_candidates *cands);

/**
 * Add a line to a history: empty lines and repeats of the newest entry are
 * not stored; the oldest entry goes when it is full.
 *
 * @ret rc	0 or -ENOMEM
 */
int history_add(struct readline_history *history, const char *line);

/** A terminal line as last drawn, after the prompt */
struct edit_view {
	/** Characters on screen */
	char shown[EDIT_MAX + 1];
	size_t len;
	/** Terminal cursor, as an offset into @shown */
	size_t cursor;
	/** Show this character instead of each typed one (0: show them) */
	int mask;
	/** Character sink */
	void (*emit)(void *ctx, const char *text, size_t len);
	void *ctx;
};

/** Note that nothing of the line is on screen (the prompt was just drawn) */
void edit_view_reset(struct edit_view *view);
/**
 * Bring the screen up to date with the state using few characters:
 * relative cursor moves (CSI n C / CSI n D), the changed tail, and an
 * erase to the end of the line when it got shorter.
 */
void edit_view_update(struct edit_view *view, const struct edit_state *state);
/** Move the terminal cursor to the end of the shown line */
void edit_view_end(struct edit_view *view);

/** Options of readline_ext() */
struct readline_opts {
	/** Prompt, or NULL */
	const char *prompt;
	/** Initial contents, or NULL */
	const char *prefill;
	/** History, or NULL */
	struct readline_history *history;
	/** Milliseconds to wait for the first key, or 0 for ever */
	unsigned long timeout;
	/** Echo this character for each typed one (0 to echo them) */
	int mask;
	/** Esc and Ctrl-X abandon the line (-ECANCELED), as Ctrl-C does */
	int esc_cancels;
};

/**
 * Read a line from the console with the given options; see
 * readline_history() for the keys and return codes.
 */
int readline_ext(const struct readline_opts *opts, char **line);

#endif
