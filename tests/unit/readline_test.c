/* Self-tests: line editing keys, history, completion, bound, redrawing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <keel/command.h>
#include <keel/console.h>
#include <keel/editstring.h>
#include <keel/test.h>

static struct edit_state state;

/** Feed a string of plain keys */
static void type(const char *keys)
{
	while (*keys)
		edit_key(&state, *keys++);
}

/** True if the line is @text with the cursor at @cursor */
static int line_is(const char *text, size_t cursor)
{
	return strcmp(state.buf, text) == 0 && state.len == strlen(text) &&
	       state.cursor == cursor;
}

static void readline_insert_test(void)
{
	edit_init(&state, NULL);
	type("hello");
	ok(line_is("hello", 5));
	edit_key(&state, KEY_LEFT);
	edit_key(&state, KEY_LEFT);
	type("X");
	ok(line_is("helXlo", 4));
	edit_key(&state, KEY_BACKSPACE);
	ok(line_is("hello", 3));
	edit_key(&state, KEY_DC);
	ok(line_is("helo", 3));
	edit_key(&state, CTRL('d'));
	ok(line_is("hel", 3));
	edit_key(&state, CTRL('d')); /* at the end: nothing */
	ok(line_is("hel", 3));
	edit_key(&state, CTRL('h'));
	ok(line_is("he", 2));
	edit_key(&state, KEY_HOME);
	edit_key(&state, KEY_BACKSPACE); /* at the start: nothing */
	ok(line_is("he", 0));
	type(">");
	ok(line_is(">he", 1));
	ok(edit_key(&state, 0x01) == EDIT_OK); /* Ctrl-A */
	ok(state.cursor == 0);
	edit_key(&state, CTRL('e'));
	ok(state.cursor == 3);
	edit_key(&state, CTRL('b'));
	edit_key(&state, CTRL('b'));
	ok(state.cursor == 1);
	edit_key(&state, CTRL('f'));
	ok(state.cursor == 2);
	edit_key(&state, KEY_END);
	edit_key(&state, KEY_RIGHT); /* past the end: nothing */
	ok(state.cursor == 3);
	edit_key(&state, KEY_ESC); /* ignored */
	edit_key(&state, 0x80);
	ok(line_is(">he", 3));
	ok(edit_key(&state, KEY_ENTER) == EDIT_ENTER);
	ok(edit_key(&state, CTRL('c')) == EDIT_CANCEL);
	edit_finish(&state);

	/* Ctrl-D on an empty line is a plain (empty) delete */
	edit_init(&state, NULL);
	ok(edit_key(&state, CTRL('d')) == EDIT_OK);
	ok(line_is("", 0));
	edit_finish(&state);
}

static void readline_kill_test(void)
{
	edit_init(&state, NULL);
	type("echo hello world");
	edit_key(&state, CTRL('w'));
	ok(line_is("echo hello ", 11));
	edit_key(&state, CTRL('w')); /* trailing spaces go with the word */
	ok(line_is("echo ", 5));
	edit_key(&state, CTRL('y'));
	ok(line_is("echo hello ", 11));
	edit_key(&state, KEY_HOME);
	edit_key(&state, KEY_RIGHT);
	edit_key(&state, KEY_RIGHT);
	edit_key(&state, CTRL('k'));
	ok(line_is("ec", 2));
	edit_key(&state, CTRL('y'));
	ok(line_is("echo hello ", 11));
	edit_key(&state, KEY_LEFT);
	edit_key(&state, KEY_LEFT);
	edit_key(&state, CTRL('u'));
	ok(line_is("o ", 0));
	edit_key(&state, CTRL('u')); /* nothing before the cursor */
	ok(line_is("o ", 0));
	edit_key(&state, CTRL('w'));
	ok(line_is("o ", 0));
	edit_finish(&state);
}

static void readline_history_test(void)
{
	struct readline_history history = { .count = 0 };
	unsigned int i;
	char text[16];

	ok(history_add(&history, "") == 0 && history.count == 0);
	history_add(&history, "one");
	history_add(&history, "two");
	history_add(&history, "two"); /* repeat: not stored */
	ok(history.count == 2);

	edit_init(&state, &history);
	type("new");
	edit_key(&state, KEY_UP);
	ok(line_is("two", 3));
	edit_key(&state, CTRL('p'));
	ok(line_is("one", 3));
	ok(edit_key(&state, KEY_UP) == EDIT_BELL); /* oldest */
	ok(line_is("one", 3));
	type("X"); /* edits a scratch copy, never the entry */
	ok(strcmp(history.lines[0], "one") == 0);
	edit_key(&state, KEY_DOWN);
	ok(line_is("two", 3));
	edit_key(&state, KEY_UP);
	ok(line_is("oneX", 4));
	ok(strcmp(history.lines[0], "one") == 0);
	edit_key(&state, KEY_DOWN);
	edit_key(&state, CTRL('n'));
	ok(line_is("new", 3)); /* the line being typed is kept too */
	ok(edit_key(&state, KEY_DOWN) == EDIT_BELL);
	edit_finish(&state);
	ok(strcmp(history.lines[0], "one") == 0);
	ok(strcmp(history.lines[1], "two") == 0);

	/* Without a history, Up and Down do nothing */
	edit_init(&state, NULL);
	type("x");
	ok(edit_key(&state, KEY_UP) == EDIT_BELL && line_is("x", 1));
	edit_finish(&state);

	/* A full history drops the oldest line */
	for (i = 0; i < READLINE_HISTORY_MAX + 3; i++) {
		snprintf(text, sizeof(text), "cmd%u", i);
		history_add(&history, text);
	}
	ok(history.count == READLINE_HISTORY_MAX);
	ok(strcmp(history.lines[READLINE_HISTORY_MAX - 1], "cmd34") == 0);
	ok(strcmp(history.lines[0], "cmd3") == 0);
	history_free(&history);
	ok(history.count == 0);
}

/** A fixed candidate source: commands first, setting names elsewhere */
static void test_complete(const char *word, int first,
			  void (*add)(void *ctx, const char *candidate),
			  void *ctx)
{
	static const char *const commands[] = { "echo", "exit", "exec",
						"set", "exit" };
	static const char *const settings[] = { "setting1", "setting2",
						"other" };
	unsigned int i;

	for (i = 0; first && i < ARRAY_SIZE(commands); i++)
		add(ctx, commands[i]);
	/* Off-prefix names are dropped by the editor */
	for (i = 0; !first && i < ARRAY_SIZE(settings); i++)
		add(ctx, settings[i]);
}

/** Start a line with the fixed completer and some text */
static void complete_start(const char *text)
{
	edit_init(&state, NULL);
	state.complete = test_complete;
	type(text);
}

static void readline_complete_test(void)
{
	complete_start("ech");
	ok(edit_key(&state, '\t') == EDIT_OK);
	ok(line_is("echo ", 5));
	type("se");
	ok(edit_key(&state, '\t') == EDIT_OK);
	ok(line_is("echo setting", 12)); /* common prefix, no space */
	ok(edit_key(&state, '\t') == EDIT_LIST);
	ok(state.cands.count == 2);
	ok(strcmp(state.cands.names[0], "setting1") == 0);
	ok(strcmp(state.cands.names[1], "setting2") == 0);
	edit_finish(&state);

	/* Several: first Tab finds nothing common, the second lists them */
	complete_start("e");
	ok(edit_key(&state, '\t') == EDIT_BELL);
	ok(edit_key(&state, '\t') == EDIT_LIST);
	ok(state.cands.count == 3); /* duplicates merged, sorted */
	ok(strcmp(state.cands.names[0], "echo") == 0);
	ok(strcmp(state.cands.names[1], "exec") == 0);
	ok(strcmp(state.cands.names[2], "exit") == 0);
	ok(line_is("e", 1));
	edit_finish(&state);

	complete_start("exi");
	edit_key(&state, '\t');
	ok(line_is("exit ", 5));
	edit_finish(&state);

	/* Mid-line, after "&&", and with nothing matching */
	complete_start("x && ec foo");
	state.cursor = 7;
	edit_key(&state, '\t');
	ok(line_is("x && echo foo", 9)); /* no second space */
	edit_finish(&state);
	complete_start("echo ec");
	ok(edit_key(&state, '\t') == EDIT_BELL && line_is("echo ec", 7));
	edit_finish(&state);
	complete_start("zz");
	ok(edit_key(&state, '\t') == EDIT_BELL && line_is("zz", 2));
	state.no_complete = 1;
	edit_key(&state, KEY_HOME);
	ok(edit_key(&state, '\t') == EDIT_BELL && line_is("zz", 0));
	edit_finish(&state);
}

/** Command-name completion from the real table of commands */
static void readline_commands_test(void)
{
	extern struct completer command_completer;
	struct command *command;
	char *first, *name;
	unsigned int n = 0;

	for_each_table_entry(command, COMMANDS) {
		edit_init(&state, NULL);
		state.complete = command_completer.complete;
		name = strndup(command->name, strlen(command->name) - 1);
		type(name);
		edit_key(&state, '\t');
		edit_key(&state, '\t');
		/* Either completed to the name, or listed it among others */
		first = state.cands.count ? state.cands.names[0] : state.buf;
		ok(strncmp(first, name, strlen(name)) == 0);
		ok(state.cands.count || strncmp(state.buf, command->name,
						strlen(command->name)) == 0);
		free(name);
		edit_finish(&state);
		n++;
	}
	/* Arguments are not command names */
	edit_init(&state, NULL);
	state.complete = command_completer.complete;
	type("x ");
	ok(edit_key(&state, '\t') == EDIT_BELL);
	edit_finish(&state);
	ok(n == table_num_entries(COMMANDS));
}

static void readline_bound_test(void)
{
	static char big[EDIT_MAX + 10];

	memset(big, 'a', sizeof(big) - 1);
	edit_init(&state, NULL);
	ok(edit_set(&state, big) != 0);
	ok(state.len == EDIT_MAX && state.buf[EDIT_MAX] == '\0');
	ok(edit_key(&state, 'b') == EDIT_BELL);
	ok(state.len == EDIT_MAX);
	edit_key(&state, KEY_BACKSPACE);
	ok(edit_key(&state, 'b') == EDIT_OK);
	ok(edit_key(&state, 'c') == EDIT_BELL);
	ok(state.len == EDIT_MAX && state.buf[EDIT_MAX - 1] == 'b');
	/* Yanking or completing past the bound is refused whole */
	edit_key(&state, KEY_HOME);
	edit_key(&state, CTRL('k'));
	type("x");
	ok(edit_key(&state, CTRL('y')) == EDIT_BELL && line_is("x", 1));
	edit_finish(&state);

	/* "ech<Tab>" with no room left for the "o" */
	memcpy(big, "ech ", 4);
	big[EDIT_MAX] = '\0';
	edit_init(&state, NULL);
	state.complete = test_complete;
	edit_set(&state, big);
	state.cursor = 3;
	ok(edit_key(&state, '\t') == EDIT_BELL);
	ok(state.len == EDIT_MAX && memcmp(state.buf, "ech a", 5) == 0);
	edit_finish(&state);
}

/* ------------------------------------------------------------------------
 * A one-line terminal, to check what the view draws
 */

static struct {
	char cells[EDIT_MAX + 16];
	size_t cursor;
	size_t bytes;
	int bad;
} term;

/** Apply the view's output: printable characters, CSI n C/D, CSI K */
static void term_emit(void *ctx, const char *text, size_t len)
{
	const char *end = text + len;
	unsigned long n;

	term.bytes += len;
	while (text < end) {
		if (*text != '\033') {
			term.cells[term.cursor++] = *text++;
			continue;
		}
		if (end - text < 3 || text[1] != '[') {
			term.bad = 1;
			return;
		}
		n = strtoul(text + 2, (char **)&text, 10);
		if (*text == 'D' && n && n <= term.cursor)
			term.cursor -= n;
		else if (*text == 'C' && n)
			term.cursor += n;
		else if (*text == 'K' && !n)
			memset(&term.cells[term.cursor], ' ',
			       sizeof(term.cells) - term.cursor - 1);
		else
			term.bad = 1;
		text++;
	}
}

/** True if the terminal shows the line (or its mask) and its cursor */
static int term_matches(int mask)
{
	size_t i;

	for (i = 0; i < state.len; i++) {
		if (term.cells[i] != (mask ? mask : state.buf[i]))
			return 0;
	}
	return !term.bad && term.cells[state.len] == ' ' &&
	       term.cursor == state.cursor;
}

static void readline_view_test(void)
{
	static const int keys[] = {
		'a', 'b', ' ', 'c', KEY_LEFT, KEY_RIGHT, KEY_HOME, KEY_END,
		KEY_BACKSPACE, KEY_DC, CTRL('k'), CTRL('u'), CTRL('w'),
		CTRL('y'), KEY_UP, KEY_DOWN, 'x',
	};
	struct readline_history history = { .count = 0 };
	static struct edit_view view;
	unsigned int i, round;
	int mask;

	history_add(&history, "history line");
	history_add(&history, "a b c");
	for (round = 0; round < 40; round++) {
		mask = (round % 4 == 3) ? '*' : 0;
		memset(&term, 0, sizeof(term));
		memset(term.cells, ' ', sizeof(term.cells) - 1);
		edit_init(&state, &history);
		view.emit = term_emit;
		view.mask = mask;
		edit_view_reset(&view);
		for (i = 0; i < 200 && !term.bad; i++) {
			edit_key(&state, keys[test_random() % ARRAY_SIZE(keys)]);
			edit_view_update(&view, &state);
			if (!term_matches(mask))
				break;
		}
		ok(i == 200);
		edit_finish(&state);
		if (test_failures)
			break;
	}

	/* Typing at the end costs one byte per key */
	memset(&term, 0, sizeof(term));
	edit_init(&state, NULL);
	edit_view_reset(&view);
	view.mask = 0;
	type("abc");
	edit_view_update(&view, &state);
	ok(term.bytes == 3);
	edit_key(&state, 'd');
	edit_view_update(&view, &state);
	ok(term.bytes == 4);
	edit_key(&state, KEY_HOME);
	edit_view_update(&view, &state);
	ok(term.bytes == 4 + strlen("\033[4D") && term.cursor == 0);
	edit_finish(&state);
	history_free(&history);
}

static void readline_test_exec(void)
{
	readline_insert_test();
	readline_kill_test();
	readline_history_test();
	readline_complete_test();
	readline_commands_test();
	readline_bound_test();
	readline_view_test();
}

struct self_test readline_test __self_test = {
	.name = "readline",
	.exec = readline_test_exec,
};
