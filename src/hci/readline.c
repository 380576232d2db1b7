/* Line editor: keys, history, redrawing, and the console loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <keel/console.h>
#include <keel/editstring.h>
#include <keel/readline.h>
#include <keel/timer.h>

/** Terminal width assumed when listing candidates */
#define READLINE_WIDTH 80

/* ------------------------------------------------------------------------
 * History
 */

int history_add(struct readline_history *history, const char *line)
{
	char *copy;

	if (!line[0])
		return 0;
	if (history->count &&
	    strcmp(history->lines[history->count - 1], line) == 0)
		return 0;
	copy = strdup(line);
	if (!copy)
		return -ENOMEM;
	if (history->count == READLINE_HISTORY_MAX) {
		free(history->lines[0]);
		memmove(&history->lines[0], &history->lines[1],
			(READLINE_HISTORY_MAX - 1) * sizeof(history->lines[0]));
		history->count--;
	}
	history->lines[history->count++] = copy;
	return 0;
}

void history_free(struct readline_history *history)
{
	unsigned int i;

	for (i = 0; i < history->count; i++) {
		free(history->lines[i]);
		history->lines[i] = NULL;
	}
	history->count = 0;
}

/* ------------------------------------------------------------------------
 * Editing core
 */

void edit_init(struct edit_state *state, struct readline_history *history)
{
	memset(state, 0, sizeof(*state));
	state->history = history;
	state->hist_pos = history ? history->count : 0;
}

int edit_set(struct edit_state *state, const char *text)
{
	size_t len = strnlen(text, EDIT_MAX + 1);
	int rc = 0;

	if (len > EDIT_MAX) {
		len = EDIT_MAX;
		rc = -ENOSPC;
	}
	memcpy(state->buf, text, len);
	state->buf[len] = '\0';
	state->len = len;
	state->cursor = len;
	return rc;
}

int edit_insert(struct edit_state *state, const char *text, size_t len)
{
	char *at = &state->buf[state->cursor];

	if (len > EDIT_MAX - state->len)
		return EDIT_BELL;
	memmove(at + len, at, state->len - state->cursor + 1);
	memcpy(at, text, len);
	state->len += len;
	state->cursor += len;
	return EDIT_OK;
}

/** Remove @len characters from @from; keep them for Ctrl-Y if @kill */
static int edit_remove(struct edit_state *state, size_t from, size_t len,
		       int kill)
{
	if (!len)
		return EDIT_OK;
	if (kill) {
		free(state->killed);
		state->killed = strndup(&state->buf[from], len);
	}
	memmove(&state->buf[from], &state->buf[from + len],
		state->len - from - len + 1);
	state->len -= len;
	if (state->cursor >= from + len)
		state->cursor -= len;
	else if (state->cursor > from)
		state->cursor = from;
	return EDIT_OK;
}

static int edit_left(struct edit_state *state)
{
	if (state->cursor)
		state->cursor--;
	return EDIT_OK;
}

static int edit_right(struct edit_state *state)
{
	if (state->cursor < state->len)
		state->cursor++;
	return EDIT_OK;
}

static int edit_home(struct edit_state *state)
{
	state->cursor = 0;
	return EDIT_OK;
}

static int edit_end(struct edit_state *state)
{
	state->cursor = state->len;
	return EDIT_OK;
}

static int edit_backspace(struct edit_state *state)
{
	if (!state->cursor)
		return EDIT_OK;
	return edit_remove(state, state->cursor - 1, 1, 0);
}

static int edit_delete(struct edit_state *state)
{
	if (state->cursor == state->len)
		return EDIT_OK;
	return edit_remove(state, state->cursor, 1, 0);
}

static int edit_kill_end(struct edit_state *state)
{
	return edit_remove(state, state->cursor, state->len - state->cursor, 1);
}

static int edit_kill_start(struct edit_state *state)
{
	return edit_remove(state, 0, state->cursor, 1);
}

static int edit_kill_word(struct edit_state *state)
{
	size_t start = state->cursor;

	while (start && isspace(state->buf[start - 1]))
		start--;
	while (start && !isspace(state->buf[start - 1]))
		start--;
	return edit_remove(state, start, state->cursor - start, 1);
}

static int edit_yank(struct edit_state *state)
{
	if (!state->killed)
		return EDIT_OK;
	return edit_insert(state, state->killed, strlen(state->killed));
}

/** Text of history position @pos as stored (the new line is empty) */
static const char *edit_history_text(struct edit_state *state,
				     unsigned int pos)
{
	if (pos < state->history->count)
		return state->history->lines[pos];
	return "";
}

/** Move through the history by @dir, keeping edits in scratch copies */
static int edit_history_go(struct edit_state *state, int dir)
{
	unsigned int pos = state->hist_pos;
	char **scratch;

	if (!state->history || (dir < 0 && pos == 0) ||
	    (dir > 0 && pos >= state->history->count))
		return EDIT_BELL;
	/* The history entry itself is never changed; a copy keeps the edits */
	scratch = &state->scratch[pos];
	free(*scratch);
	*scratch = NULL;
	if (strcmp(state->buf, edit_history_text(state, pos)) != 0) {
		*scratch = strdup(state->buf);
		if (!*scratch)
			return EDIT_BELL;
	}
	pos += dir;
	state->hist_pos = pos;
	edit_set(state, state->scratch[pos] ? state->scratch[pos] :
					      edit_history_text(state, pos));
	return EDIT_OK;
}

static int edit_history_prev(struct edit_state *state)
{
	return edit_history_go(state, -1);
}

static int edit_history_next(struct edit_state *state)
{
	return edit_history_go(state, 1);
}

/* ------------------------------------------------------------------------
 * Completion candidates (found by edit_complete.c, listed by readline_ext)
 */

void edit_cands_clear(struct edit_candidates *cands)
{
	unsigned int i;

	for (i = 0; i < cands->count; i++)
		free(cands->names[i]);
	free(cands->names);
	memset(cands, 0, sizeof(*cands));
}

static int edit_enter(struct edit_state *state)
{
	return EDIT_ENTER;
}

static int edit_cancel(struct edit_state *state)
{
	return EDIT_CANCEL;
}

static int edit_redraw(struct edit_state *state)
{
	return EDIT_REDRAW;
}

/** Keys and what they do (optional objects add more through EDIT_KEYS) */
static const struct edit_key_binding edit_bindings[] = {
	{ KEY_LEFT, edit_left },	  { CTRL('b'), edit_left },
	{ KEY_RIGHT, edit_right },	  { CTRL('f'), edit_right },
	{ KEY_HOME, edit_home },	  { CTRL('a'), edit_home },
	{ KEY_END, edit_end },		  { CTRL('e'), edit_end },
	{ KEY_BACKSPACE, edit_backspace }, { CTRL('h'), edit_backspace },
	{ KEY_DC, edit_delete },	  { CTRL('d'), edit_delete },
	{ CTRL('k'), edit_kill_end },	  { CTRL('u'), edit_kill_start },
	{ CTRL('w'), edit_kill_word },	  { CTRL('y'), edit_yank },
	{ KEY_UP, edit_history_prev },	  { CTRL('p'), edit_history_prev },
	{ KEY_DOWN, edit_history_next },  { CTRL('n'), edit_history_next },
	{ KEY_ENTER, edit_enter },	  { CTRL('c'), edit_cancel },
	{ CTRL('l'), edit_redraw },
};

/** What @key is bound to, or NULL */
static const struct edit_key_binding *edit_binding(int key)
{
	const struct edit_key_binding *binding;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(edit_bindings); i++) {
		if (edit_bindings[i].key == key)
			return &edit_bindings[i];
	}
	for_each_table_entry(binding, EDIT_KEYS) {
		if (binding->key == key)
			return binding;
	}
	return NULL;
}

int edit_key(struct edit_state *state, int key)
{
	const struct edit_key_binding *binding = edit_binding(key);
	char c = (char)key;
	int rc = EDIT_OK;

	if (binding)
		rc = binding->action(state);
	else if (key >= 0x20 && key < 0x7f)
		rc = edit_insert(state, &c, 1);
	/* Other keys (Esc, Insert, stray controls) are ignored */
	state->last_key = key;
	return rc;
}

void edit_finish(struct edit_state *state)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(state->scratch); i++) {
		free(state->scratch[i]);
		state->scratch[i] = NULL;
	}
	edit_cands_clear(&state->cands);
	free(state->killed);
	state->killed = NULL;
}

/* ------------------------------------------------------------------------
 * View: what the terminal shows after the prompt
 */

void edit_view_reset(struct edit_view *view)
{
	view->len = 0;
	view->cursor = 0;
	view->shown[0] = '\0';
}

/** Move the terminal cursor within the line with CSI n D / CSI n C */
static void edit_view_move(struct edit_view *view, size_t to)
{
	char seq[24];
	int len;

	if (to == view->cursor)
		return;
	if (to < view->cursor)
		len = snprintf(seq, sizeof(seq), "\033[%zuD", view->cursor - to);
	else
		len = snprintf(seq, sizeof(seq), "\033[%zuC", to - view->cursor);
	view->emit(view->ctx, seq, (size_t)len);
	view->cursor = to;
}

/** What the line should show at @i: the text, or the mask character */
static char edit_view_char(const struct edit_view *view,
			   const struct edit_state *state, size_t i)
{
	return (char)(view->mask ? view->mask : state->buf[i]);
}

void edit_view_update(struct edit_view *view, const struct edit_state *state)
{
	size_t same = 0, i;

	while (same < state->len && same < view->len &&
	       view->shown[same] == edit_view_char(view, state, same))
		same++;
	if (same < state->len || same < view->len) {
		edit_view_move(view, same);
		for (i = same; i < state->len; i++)
			view->shown[i] = edit_view_char(view, state, i);
		view->shown[state->len] = '\0';
		if (state->len > same)
			view->emit(view->ctx, &view->shown[same],
				   state->len - same);
		if (state->len < view->len)
			view->emit(view->ctx, "\033[K", 3);
		view->len = state->len;
		view->cursor = state->len;
	}
	edit_view_move(view, state->cursor);
}

void edit_view_end(struct edit_view *view)
{
	edit_view_move(view, view->len);
}

/* ------------------------------------------------------------------------
 * Console loop
 */

/** A readline call in progress */
struct readline_ctx {
	struct edit_state state;
	struct edit_view view;
	const struct readline_opts *opts;
	/** Milliseconds left for the first key (0: wait for ever) */
	unsigned long timeout;
};

static void readline_emit(void *ctx, const char *text, size_t len)
{
	while (len--)
		putchar(*text++);
}

/** Print completion candidates in columns, sorted down the columns */
static void readline_columns(const struct edit_candidates *cands)
{
	size_t width = 0, len;
	unsigned int cols, rows, row, col, i;

	for (i = 0; i < cands->count; i++) {
		len = strlen(cands->names[i]);
		if (len > width)
			width = len;
	}
	width += 2;
	cols = (width < READLINE_WIDTH) ? (READLINE_WIDTH / width) : 1;
	rows = (cands->count + cols - 1) / cols;
	for (row = 0; row < rows; row++) {
		for (col = 0; col < cols; col++) {
			i = col * rows + row;
			if (i >= cands->count)
				break;
			if (col == cols - 1 || i + rows >= cands->count)
				printf("%s", cands->names[i]);
			else
				printf("%-*s", (int)width, cands->names[i]);
		}
		putchar('\n');
	}
}

/** Draw the prompt and the whole line again, after a listing or a clear */
static void readline_redraw(struct readline_ctx *rl, int clear)
{
	edit_view_end(&rl->view);
	if (clear)
		printf("\033[2J\033[H");
	else
		putchar('\n');
	if (rl->state.cands.count) {
		readline_columns(&rl->state.cands);
		edit_cands_clear(&rl->state.cands);
	}
	if (rl->opts->prompt)
		printf("%s", rl->opts->prompt);
	edit_view_reset(&rl->view);
	edit_view_update(&rl->view, &rl->state);
}

/** Act on what the editing core made of a key */
static int readline_result(struct readline_ctx *rl, int result)
{
	switch (result) {
	case EDIT_ENTER:
		return 0;
	case EDIT_CANCEL:
		return -ECANCELED;
	case EDIT_BELL:
		putchar('\a');
		break;
	case EDIT_LIST:
		readline_redraw(rl, 0);
		break;
	case EDIT_REDRAW:
		readline_redraw(rl, 1);
		break;
	}
	edit_view_update(&rl->view, &rl->state);
	return 1;
}

/**
 * Wait for and handle one key.
 *
 * @ret rc	1 to go on, 0 when the line is complete, or a negative error
 */
static int readline_step(struct readline_ctx *rl)
{
	int key = getkey(rl->timeout);

	if (key < 0) {
		if (console_input_ended())
			return rl->state.len ? 0 : -EPIPE;
		return rl->timeout ? -ETIMEDOUT : 1;
	}
	rl->timeout = 0;
	if (rl->opts->esc_cancels && (key == KEY_ESC || key == CTRL('x'))) {
		rl->state.last_key = key;
		return -ECANCELED;
	}
	return readline_result(rl, edit_key(&rl->state, key));
}

/** Finish the screen line and hand the result over */
static int readline_done(struct readline_ctx *rl, int rc, char **line)
{
	edit_view_end(&rl->view);
	if (rc_is(rc, ECANCELED) && rl->state.last_key == CTRL('c'))
		printf("^C\n");
	else
		putchar('\n');
	if (rc != 0)
		return rc;
	*line = strdup(rl->state.buf);
	if (!*line)
		return -ENOMEM;
	if (rl->opts->history)
		history_add(rl->opts->history, rl->state.buf);
	return 0;
}

int readline_ext(const struct readline_opts *opts, char **line)
{
	struct readline_ctx *rl;
	int rc;

	*line = NULL;
	rl = malloc(sizeof(*rl));
	if (!rl)
		return -ENOMEM;
	edit_init(&rl->state, opts->history);
	rl->state.no_complete = !!opts->mask;
	rl->view.mask = opts->mask;
	rl->view.emit = readline_emit;
	rl->view.ctx = NULL;
	edit_view_reset(&rl->view);
	rl->opts = opts;
	rl->timeout = opts->timeout;
	if (opts->prompt)
		printf("%s", opts->prompt);
	if (opts->prefill) {
		edit_set(&rl->state, opts->prefill);
		edit_view_update(&rl->view, &rl->state);
	}
	while ((rc = readline_step(rl)) > 0)
		;
	rc = readline_done(rl, rc, line);
	edit_finish(&rl->state);
	if (opts->mask)
		memset(rl, 0, sizeof(*rl)); /* leave no password behind */
	free(rl);
	return rc;
}

int readline_history(const char *prompt, const char *prefill,
		     struct readline_history *history, unsigned long timeout,
		     char **line)
{
	struct readline_opts opts = {
		.prompt = prompt,
		.prefill = prefill,
		.history = history,
		.timeout = timeout,
	};

	return readline_ext(&opts, line);
}
