/* Self-tests: menus, moves, gaps, scrolling, countdown and drawing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/console.h>
#include <keel/menu.h>
#include <keel/test.h>

/** Build a menu from "label:text" strings; "" or ":text" makes a gap */
static struct menu *test_menu(const char *name, const char *const *items,
			      unsigned int n)
{
	struct menu *menu = create_menu(name, "Test menu");
	char label[32];
	const char *colon;
	unsigned int i;

	for (i = 0; menu && i < n; i++) {
		colon = strchr(items[i], ':');
		if (!colon || colon == items[i]) {
			add_menu_item(menu, NULL, colon ? colon + 1 : "", 0, 0);
			continue;
		}
		memcpy(label, items[i], (size_t)(colon - items[i]));
		label[colon - items[i]] = '\0';
		add_menu_item(menu, label, colon + 1, 0, 0);
	}
	return menu;
}

/** Label of the selected item */
static const char *selected(struct menu_ui *ui)
{
	const char *label = menu_ui_selected(ui)->label;

	return label ? label : "(a gap)";
}

static void menu_store_test(void)
{
	struct menu *unnamed, *named, *again;

	unnamed = create_menu(NULL, "One");
	named = create_menu("boot", "Two");
	ok(unnamed && named);
	ok(find_menu(NULL) == unnamed);
	ok(find_menu("boot") == named);
	ok(find_menu("other") == NULL);
	ok(add_menu_item(named, "a", "Alpha", 'a', 0) == 0);
	again = create_menu("boot", "Three"); /* replaces */
	ok(find_menu("boot") == again && list_empty(&again->items));
	ok(strcmp(again->title, "Three") == 0);
	destroy_menu(again);
	destroy_menu(unnamed);
	ok(find_menu("boot") == NULL && find_menu(NULL) == NULL);
}

static void menu_move_test(void)
{
	static const char *const items[] = { ":Heading", "a:Alpha", ":",
					     "b:Beta", "c:Gamma", ":Footer" };
	struct menu *menu = test_menu(NULL, items, ARRAY_SIZE(items));
	struct menu_ui ui;

	ok(menu_ui_init(&ui, menu, NULL, 10, 0) == 0);
	ok(strcmp(selected(&ui), "a") == 0 && ui.selected == 1);
	ok(menu_ui_key(&ui, KEY_UP) == MENU_RUNNING);
	ok(ui.selected == 1); /* nothing selectable above */
	menu_ui_key(&ui, KEY_DOWN);
	ok(strcmp(selected(&ui), "b") == 0); /* the gap is skipped */
	menu_ui_key(&ui, CTRL('n'));
	menu_ui_key(&ui, KEY_DOWN);
	ok(strcmp(selected(&ui), "c") == 0);
	menu_ui_key(&ui, KEY_HOME);
	ok(strcmp(selected(&ui), "a") == 0);
	menu_ui_key(&ui, KEY_END);
	ok(strcmp(selected(&ui), "c") == 0);
	menu_ui_key(&ui, CTRL('p'));
	ok(strcmp(selected(&ui), "b") == 0);
	menu_ui_key(&ui, KEY_PPAGE);
	ok(strcmp(selected(&ui), "a") == 0);
	menu_ui_key(&ui, KEY_NPAGE);
	ok(strcmp(selected(&ui), "c") == 0);
	ok(menu_ui_key(&ui, 'z') == MENU_RUNNING);
	ok(menu_ui_key(&ui, KEY_ENTER) == MENU_CHOSEN);
	ok(strcmp(selected(&ui), "c") == 0);
	menu_ui_free(&ui);

	menu_ui_init(&ui, menu, NULL, 10, 0);
	ok(menu_ui_key(&ui, KEY_ESC) == MENU_CANCELLED);
	menu_ui_free(&ui);
	menu_ui_init(&ui, menu, NULL, 10, 0);
	ok(menu_ui_key(&ui, CTRL('c')) == MENU_CANCELLED);
	menu_ui_free(&ui);
	destroy_menu(menu);
}

static void menu_default_test(void)
{
	static const char *const items[] = { "a:A", "b:B", "c:C", ":gap" };
	struct menu *menu = test_menu("d", items, ARRAY_SIZE(items));
	struct menu_item *item;
	struct menu_ui ui;

	ok(menu_ui_init(&ui, menu, "c", 10, 0) == 0);
	ok(strcmp(selected(&ui), "c") == 0);
	menu_ui_free(&ui);
	ok(menu_ui_init(&ui, menu, "nosuch", 10, 0) == 0);
	ok(strcmp(selected(&ui), "a") == 0);
	menu_ui_free(&ui);

	/* Marked defaults: the last one wins, unless choose names a label */
	list_for_each_entry(item, &menu->items, list)
		item->is_default = item->label && strcmp(item->label, "a") != 0;
	menu_ui_init(&ui, menu, NULL, 10, 0);
	ok(strcmp(selected(&ui), "c") == 0);
	menu_ui_free(&ui);
	menu_ui_init(&ui, menu, "a", 10, 0);
	ok(strcmp(selected(&ui), "a") == 0);
	menu_ui_free(&ui);
	destroy_menu(menu);

	/* Nothing selectable */
	menu = test_menu("e", items + 3, 1);
	ok(rc_is(menu_ui_init(&ui, menu, NULL, 10, 0), ENOENT));
	destroy_menu(menu);
	menu = create_menu("e", "");
	ok(rc_is(menu_ui_init(&ui, menu, "x", 10, 0), ENOENT));
	destroy_menu(menu);
}

static void menu_shortcut_test(void)
{
	struct menu *menu = create_menu(NULL, "Keys");
	struct menu_ui ui;

	add_menu_item(menu, "a", "Alpha", 0, 0);
	add_menu_item(menu, NULL, "gap", 'g', 0);
	add_menu_item(menu, "b", "Beta", 'b', 0);
	add_menu_item(menu, "x", "Exit", 'X', 0);
	add_menu_item(menu, "y", "Lower", 'x', 0);
	add_menu_item(menu, "s", "Shell", CTRL('b'), 0);

	menu_ui_init(&ui, menu, NULL, 10, 0);
	ok(menu_ui_key(&ui, 'g') == MENU_RUNNING); /* a gap's key does nothing */
	ok(menu_ui_key(&ui, 'b') == MENU_CHOSEN && !strcmp(selected(&ui), "b"));
	menu_ui_free(&ui);
	menu_ui_init(&ui, menu, NULL, 10, 0);
	ok(menu_ui_key(&ui, 'B') == MENU_CHOSEN && !strcmp(selected(&ui), "b"));
	menu_ui_free(&ui);
	menu_ui_init(&ui, menu, NULL, 10, 0);
	ok(menu_ui_key(&ui, 'x') == MENU_CHOSEN && !strcmp(selected(&ui), "y"));
	menu_ui_free(&ui);
	menu_ui_init(&ui, menu, NULL, 10, 0);
	ok(menu_ui_key(&ui, 'X') == MENU_CHOSEN && !strcmp(selected(&ui), "x"));
	menu_ui_free(&ui);
	menu_ui_init(&ui, menu, NULL, 10, 0);
	ok(menu_ui_key(&ui, CTRL('b')) == MENU_CHOSEN &&
	   !strcmp(selected(&ui), "s"));
	menu_ui_free(&ui);
	destroy_menu(menu);
}

/** A menu of @n items "i0".."i<n-1>", with gaps where @gaps says */
static struct menu *numbered_menu(unsigned int n, const char *gaps)
{
	struct menu *menu = create_menu("num", "Numbers");
	char label[16];
	unsigned int i;

	for (i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "i%u", i);
		add_menu_item(menu, (gaps && gaps[i] == '-') ? NULL : label,
			      label, 0, 0);
	}
	return menu;
}

static void menu_scroll_test(void)
{
	struct menu *menu = numbered_menu(10, NULL);
	struct menu_ui ui;
	unsigned int i;

	menu_ui_init(&ui, menu, NULL, 3, 0);
	ok(ui.first == 0 && ui.selected == 0);
	menu_ui_key(&ui, KEY_DOWN);
	menu_ui_key(&ui, KEY_DOWN);
	ok(ui.first == 0 && ui.selected == 2);
	menu_ui_key(&ui, KEY_DOWN);
	ok(ui.first == 1 && ui.selected == 3);
	menu_ui_key(&ui, KEY_NPAGE);
	ok(ui.selected == 5 && ui.first == 3);
	menu_ui_key(&ui, KEY_END);
	ok(ui.selected == 9 && ui.first == 7);
	menu_ui_key(&ui, KEY_PPAGE);
	ok(ui.selected == 7 && ui.first == 7);
	menu_ui_key(&ui, KEY_PPAGE);
	ok(ui.selected == 5 && ui.first == 5);
	menu_ui_key(&ui, KEY_HOME);
	ok(ui.selected == 0 && ui.first == 0);
	/* The selection is always on screen */
	for (i = 0; i < 300; i++) {
		static const int keys[] = { KEY_UP, KEY_DOWN, KEY_PPAGE,
					    KEY_NPAGE, KEY_HOME, KEY_END };

		menu_ui_key(&ui, keys[test_random() % ARRAY_SIZE(keys)]);
		if (ui.selected < ui.first || ui.selected >= ui.first + 3 ||
		    ui.first > 7)
			break;
	}
	ok(i == 300);
	menu_ui_free(&ui);
	destroy_menu(menu);

	/* Headings come along when scrolling to the items next to them */
	menu = numbered_menu(12, "--.......--.");
	menu_ui_init(&ui, menu, "i8", 4, 0);
	ok(ui.selected == 8 && ui.first == 7); /* the gaps below come along */
	menu_ui_key(&ui, KEY_HOME);
	ok(ui.selected == 2 && ui.first == 0); /* both headings shown */
	menu_ui_key(&ui, KEY_END);
	ok(ui.selected == 11 && ui.first == 8);
	menu_ui_free(&ui);
	menu_ui_init(&ui, menu, "i8", 4, 0);
	menu_ui_key(&ui, KEY_DOWN);
	ok(ui.selected == 11 && ui.first == 8);
	menu_ui_free(&ui);
	destroy_menu(menu);
}

static void menu_timeout_test(void)
{
	static const char *const items[] = { "a:A", "b:B" };
	struct menu *menu = test_menu(NULL, items, ARRAY_SIZE(items));
	struct menu_ui ui;

	menu_ui_init(&ui, menu, "b", 10, 1500);
	ok(ui.counting && ui.left == 1500);
	ok(menu_ui_elapse(&ui, 1000) == MENU_RUNNING && ui.left == 500);
	ok(menu_ui_elapse(&ui, 600) == MENU_CHOSEN);
	ok(strcmp(selected(&ui), "b") == 0);
	menu_ui_free(&ui);

	/* Any key stops the countdown */
	menu_ui_init(&ui, menu, NULL, 10, 1000);
	ok(menu_ui_key(&ui, 'q') == MENU_RUNNING && !ui.counting);
	ok(menu_ui_elapse(&ui, 5000) == MENU_RUNNING);
	menu_ui_free(&ui);

	/* Without a timeout, time does nothing */
	menu_ui_init(&ui, menu, NULL, 10, 0);
	ok(menu_ui_elapse(&ui, 100000) == MENU_RUNNING);
	menu_ui_free(&ui);
	destroy_menu(menu);
}

/* ------------------------------------------------------------------------
 * A small ANSI screen, to check what the menu draws
 */

#define ROWS MENU_SCREEN_HEIGHT
#define COLS MENU_SCREEN_WIDTH

struct test_screen {
	char cells[ROWS][COLS + 1];
	char attrs[ROWS][COLS];
	unsigned int row, col;
	int reverse;
	int bad;
	size_t bytes;
};

/** Apply one escape sequence; @seq points after "ESC [" */
static const char *screen_escape(struct test_screen *scr, const char *seq)
{
	unsigned long n[2] = { 0, 0 };
	unsigned int count = 0;
	char *end;

	if (*seq == '?')
		seq++;
	while (count < 2) {
		n[count++] = strtoul(seq, &end, 10);
		seq = end;
		if (*seq != ';')
			break;
		seq++;
	}
	switch (*seq) {
	case 'H':
		scr->row = n[0] ? n[0] - 1 : 0;
		scr->col = n[1] ? n[1] - 1 : 0;
		break;
	case 'J':
		memset(scr->cells, ' ', sizeof(scr->cells));
		memset(scr->attrs, 0, sizeof(scr->attrs));
		break;
	case 'K':
		memset(&scr->cells[scr->row][scr->col], ' ', COLS - scr->col);
		memset(&scr->attrs[scr->row][scr->col], 0, COLS - scr->col);
		break;
	case 'm':
		scr->reverse = (n[0] == 7);
		break;
	case 'l':
	case 'h':
		break;
	default:
		scr->bad = 1;
	}
	return seq + 1;
}

static void screen_emit(void *ctx, const char *text, size_t len)
{
	static char pending[32];
	static size_t npending;
	struct test_screen *scr = ctx;

	scr->bytes += len;
	while (len--) {
		char c = *text++;

		if (npending || c == '\033') {
			pending[npending++] = c;
			if (npending > 1 && ((c >= 'A' && c <= 'Z') ||
					     (c >= 'a' && c <= 'z'))) {
				pending[npending] = '\0';
				if (pending[1] != '[')
					scr->bad = 1;
				else
					screen_escape(scr, pending + 2);
				npending = 0;
			} else if (npending >= sizeof(pending) - 1) {
				scr->bad = 1;
				npending = 0;
			}
			continue;
		}
		if (c < 0x20 || c > 0x7e || scr->row >= ROWS)
			scr->bad = 1;
		else if (scr->col < COLS)
			scr->attrs[scr->row][scr->col] = (char)scr->reverse,
			scr->cells[scr->row][scr->col++] = c;
	}
}

/** True if screen row @row (0-based) starts, after blanks, with @text */
static int row_has(struct test_screen *scr, unsigned int row, const char *text)
{
	char *cells = scr->cells[row];

	cells[COLS] = '\0';
	return strstr(cells, text) != NULL;
}

/** True if row @row has reverse video anywhere */
static int row_reversed(struct test_screen *scr, unsigned int row)
{
	return memchr(scr->attrs[row], 1, COLS) != NULL;
}

static struct test_screen scr_inc, scr_full;

/** True if two screens show the same characters and attributes */
static int screens_equal(struct test_screen *a, struct test_screen *b)
{
	unsigned int row;

	for (row = 0; row < ROWS; row++) {
		if (memcmp(a->cells[row], b->cells[row], COLS) != 0 ||
		    memcmp(a->attrs[row], b->attrs[row], COLS) != 0)
			return 0;
	}
	return !a->bad && !b->bad;
}

static void screen_init(struct menu_screen *screen, struct test_screen *scr)
{
	memset(scr, 0, sizeof(*scr));
	memset(screen, 0, sizeof(*screen));
	screen->width = COLS;
	screen->height = ROWS;
	screen->emit = screen_emit;
	screen->ctx = scr;
}

static void menu_draw_test(void)
{
	struct menu *menu = numbered_menu(40, "-.........-.........-........."
					      "-.........");
	struct menu_screen inc, full;
	struct menu_ui ui;
	unsigned int i, rows;
	size_t before;

	screen_init(&inc, &scr_inc);
	rows = menu_screen_rows(&inc);
	ok(rows == ROWS - MENU_SCREEN_CHROME);
	menu_ui_init(&ui, menu, NULL, rows, 3000);
	menu_draw(&inc, menu, &ui);
	ok(!scr_inc.bad);
	/* Title centred on the first row */
	ok(memcmp(&scr_inc.cells[0][(COLS - 7) / 2], "Numbers", 7) == 0);
	ok(row_has(&scr_inc, 2, "i0") && !row_reversed(&scr_inc, 2));
	ok(row_has(&scr_inc, 3, "i1") && row_reversed(&scr_inc, 3));
	ok(row_has(&scr_inc, ROWS - 2, "more") && !row_has(&scr_inc, 1, "more"));
	ok(row_has(&scr_inc, ROWS - 1, "3 seconds"));

	/* A move redraws two rows only */
	before = scr_inc.bytes;
	menu_ui_key(&ui, KEY_DOWN);
	menu_draw_update(&inc, &ui);
	ok(!row_reversed(&scr_inc, 3) && row_reversed(&scr_inc, 4));
	ok(!row_has(&scr_inc, ROWS - 1, "seconds"));
	ok(scr_inc.bytes - before < 2 * COLS + 200);

	/* Whatever happens, updates leave what a full drawing shows */
	for (i = 0; i < 200; i++) {
		static const int keys[] = { KEY_UP, KEY_DOWN, KEY_PPAGE,
					    KEY_NPAGE, KEY_HOME, KEY_END };

		menu_ui_key(&ui, keys[test_random() % ARRAY_SIZE(keys)]);
		menu_draw_update(&inc, &ui);
		screen_init(&full, &scr_full);
		menu_draw(&full, menu, &ui);
		if (!screens_equal(&scr_inc, &scr_full))
			break;
	}
	ok(i == 200);
	menu_ui_free(&ui);

	/* The countdown line follows the seconds left */
	menu_ui_init(&ui, menu, NULL, rows, 2500);
	screen_init(&inc, &scr_inc);
	menu_draw(&inc, menu, &ui);
	ok(row_has(&scr_inc, ROWS - 1, "3 seconds"));
	menu_ui_elapse(&ui, 1000);
	menu_draw_update(&inc, &ui);
	ok(row_has(&scr_inc, ROWS - 1, "2 seconds"));
	menu_ui_elapse(&ui, 1000);
	menu_draw_update(&inc, &ui);
	ok(row_has(&scr_inc, ROWS - 1, "1 second") &&
	   !row_has(&scr_inc, ROWS - 1, "seconds"));
	menu_ui_free(&ui);
	destroy_menu(menu);
}

static void menu_test_exec(void)
{
	menu_store_test();
	menu_move_test();
	menu_default_test();
	menu_shortcut_test();
	menu_scroll_test();
	menu_timeout_test();
	menu_draw_test();
}

struct self_test menu_test __self_test = {
	.name = "menu",
	.exec = menu_test_exec,
};
