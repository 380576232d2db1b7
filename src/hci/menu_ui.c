/* Menus: named menus, the selection model, ANSI drawing, the key loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <keel/console.h>
#include <keel/timer.h>
#include <keel/menu.h>

/** Milliseconds between countdown updates */
#define MENU_TICK 100

/** Every menu defined so far */
static LIST_HEAD(menus);

/* ------------------------------------------------------------------------
 * Store
 */

/** True if two menu names (NULL for unnamed) are the same */
static int menu_name_is(const char *name, const char *other)
{
	if (!name || !other)
		return name == other;
	return strcmp(name, other) == 0;
}

struct menu *find_menu(const char *name)
{
	struct menu *menu;

	list_for_each_entry(menu, &menus, list) {
		if (menu_name_is(menu->name, name))
			return menu;
	}
	return NULL;
}

void destroy_menu(struct menu *menu)
{
	struct menu_item *item, *tmp;

	list_for_each_entry_safe(item, tmp, &menu->items, list) {
		list_del(&item->list);
		free(item->label);
		free(item->text);
		free(item);
	}
	list_del(&menu->list);
	free(menu->name);
	free(menu->title);
	free(menu);
}

void destroy_all_menus(void)
{
	struct menu *menu, *tmp;

	list_for_each_entry_safe(menu, tmp, &menus, list)
		destroy_menu(menu);
}

struct menu *create_menu(const char *name, const char *title)
{
	struct menu *menu = find_menu(name);

	if (menu)
		destroy_menu(menu);
	menu = zalloc(sizeof(*menu));
	if (!menu)
		return NULL;
	INIT_LIST_HEAD(&menu->items);
	list_add(&menu->list, &menus);
	menu->name = name ? strdup(name) : NULL;
	menu->title = strdup(title ? title : "");
	if ((name && !menu->name) || !menu->title) {
		destroy_menu(menu);
		return NULL;
	}
	return menu;
}

int add_menu_item(struct menu *menu, const char *label, const char *text,
		  int shortcut, int is_default)
{
	struct menu_item *item = zalloc(sizeof(*item));

	if (!item)
		return -ENOMEM;
	item->label = label ? strdup(label) : NULL;
	item->text = strdup(text ? text : "");
	if ((label && !item->label) || !item->text) {
		free(item->label);
		free(item->text);
		free(item);
		return -ENOMEM;
	}
	item->shortcut = shortcut;
	item->is_default = is_default;
	list_add_tail(&item->list, &menu->items);
	return 0;
}

/* ------------------------------------------------------------------------
 * Model
 */

/** Nearest selectable index from @from (inclusive) going by @dir, or -1 */
static int menu_ui_find(const struct menu_ui *ui, int from, int dir)
{
	for (; from >= 0 && from < (int)ui->count; from += dir) {
		if (ui->items[from]->label)
			return from;
	}
	return -1;
}

/** Scroll so that the selection shows, with the gaps next to it if they fit */
static void menu_ui_scroll(struct menu_ui *ui)
{
	unsigned int sel = ui->selected, edge;
	int near;

	if (ui->count <= ui->rows) {
		ui->first = 0;
		return;
	}
	if (sel < ui->first) {
		/* Up: bring along the headings between here and the item above */
		near = menu_ui_find(ui, (int)sel - 1, -1);
		edge = (unsigned int)(near + 1);
		ui->first = (sel - edge < ui->rows) ? edge : sel - ui->rows + 1;
	} else if (sel >= ui->first + ui->rows) {
		/* Down: likewise, the gaps up to the item below */
		near = menu_ui_find(ui, (int)sel + 1, 1);
		edge = (near < 0) ? ui->count - 1 : (unsigned int)(near - 1);
		ui->first = ((edge - sel < ui->rows) ? edge : sel) -
			    ui->rows + 1;
	}
	if (ui->first > ui->count - ui->rows)
		ui->first = ui->count - ui->rows;
}

/** Select the selectable item nearest @to, looking first towards @dir */
static void menu_ui_move(struct menu_ui *ui, long to, int dir)
{
	int found;

	if (to < 0)
		to = 0;
	if (to >= (long)ui->count)
		to = (long)ui->count - 1;
	found = menu_ui_find(ui, (int)to, dir);
	if (found < 0)
		found = menu_ui_find(ui, (int)to, -dir);
	if (found >= 0)
		ui->selected = (unsigned int)found;
	menu_ui_scroll(ui);
}

/** One page of movement */
static long menu_ui_page(const struct menu_ui *ui)
{
	return ui->rows > 1 ? (long)ui->rows - 1 : 1;
}

static void menu_ui_up(struct menu_ui *ui)
{
	menu_ui_move(ui, (long)ui->selected - 1, -1);
}

static void menu_ui_down(struct menu_ui *ui)
{
	menu_ui_move(ui, (long)ui->selected + 1, 1);
}

static void menu_ui_page_up(struct menu_ui *ui)
{
	menu_ui_move(ui, (long)ui->selected - menu_ui_page(ui), -1);
}

static void menu_ui_page_down(struct menu_ui *ui)
{
	menu_ui_move(ui, (long)ui->selected + menu_ui_page(ui), 1);
}

static void menu_ui_home(struct menu_ui *ui)
{
	menu_ui_move(ui, 0, 1);
}

static void menu_ui_end(struct menu_ui *ui)
{
	menu_ui_move(ui, (long)ui->count - 1, -1);
}

/** Keys of a menu: a move, or a final state */
static const struct menu_binding {
	int key;
	void (*move)(struct menu_ui *ui);
	int state;
} menu_bindings[] = {
	{ KEY_UP, menu_ui_up, MENU_RUNNING },
	{ CTRL('p'), menu_ui_up, MENU_RUNNING },
	{ KEY_DOWN, menu_ui_down, MENU_RUNNING },
	{ CTRL('n'), menu_ui_down, MENU_RUNNING },
	{ KEY_PPAGE, menu_ui_page_up, MENU_RUNNING },
	{ KEY_NPAGE, menu_ui_page_down, MENU_RUNNING },
	{ KEY_HOME, menu_ui_home, MENU_RUNNING },
	{ KEY_END, menu_ui_end, MENU_RUNNING },
	{ KEY_ENTER, NULL, MENU_CHOSEN },
	{ KEY_ESC, NULL, MENU_CANCELLED },
	{ CTRL('c'), NULL, MENU_CANCELLED },
	{ CTRL('x'), NULL, MENU_CANCELLED },
};

/** Choose the item whose shortcut is @key (exactly, else ignoring case) */
static int menu_ui_shortcut(struct menu_ui *ui, int key)
{
	unsigned int i, pass;
	struct menu_item *item;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < ui->count; i++) {
			item = ui->items[i];
			if (!item->label || !item->shortcut)
				continue;
			if (item->shortcut == key ||
			    (pass && key < 0x80 && item->shortcut < 0x80 &&
			     tolower(item->shortcut) == tolower(key))) {
				ui->selected = i;
				menu_ui_scroll(ui);
				return MENU_CHOSEN;
			}
		}
	}
	return MENU_RUNNING;
}

int menu_ui_key(struct menu_ui *ui, int key)
{
	const struct menu_binding *binding;
	unsigned int i;

	ui->counting = 0;
	if (ui->state != MENU_RUNNING)
		return ui->state;
	for (i = 0; i < ARRAY_SIZE(menu_bindings); i++) {
		binding = &menu_bindings[i];
		if (binding->key != key)
			continue;
		if (binding->move)
			binding->move(ui);
		ui->state = binding->state;
		return ui->state;
	}
	ui->state = menu_ui_shortcut(ui, key);
	return ui->state;
}

int menu_ui_elapse(struct menu_ui *ui, unsigned long ms)
{
	if (ui->state != MENU_RUNNING || !ui->counting)
		return ui->state;
	if (ms >= ui->left) {
		ui->left = 0;
		ui->counting = 0;
		ui->state = MENU_CHOSEN;
	} else {
		ui->left -= ms;
	}
	return ui->state;
}

/** The first selection: @select's item, else the last default, else first */
static int menu_ui_start(struct menu_ui *ui, const char *select)
{
	struct menu_item *item;
	int found = menu_ui_find(ui, 0, 1);
	unsigned int i;

	if (found < 0)
		return -ENOENT;
	for (i = 0; i < ui->count; i++) {
		item = ui->items[i];
		if (!item->label)
			continue;
		if (select ? (strcmp(item->label, select) == 0) :
			     item->is_default)
			found = (int)i;
	}
	ui->selected = (unsigned int)found;
	return 0;
}

int menu_ui_init(struct menu_ui *ui, struct menu *menu, const char *select,
		 unsigned int rows, unsigned long timeout)
{
	struct menu_item *item;
	unsigned int i = 0;
	int rc;

	memset(ui, 0, sizeof(*ui));
	ui->rows = rows ? rows : 1;
	ui->count = list_count(&menu->items);
	ui->items = calloc(ui->count + 1, sizeof(ui->items[0]));
	if (!ui->items)
		return -ENOMEM;
	list_for_each_entry(item, &menu->items, list)
		ui->items[i++] = item;
	rc = menu_ui_start(ui, select);
	if (rc != 0) {
		menu_ui_free(ui);
		return rc;
	}
	menu_ui_scroll(ui);
	ui->counting = (timeout != 0);
	ui->left = timeout;
	ui->hint = menu->hint;
	return 0;
}

void menu_ui_free(struct menu_ui *ui)
{
	free(ui->items);
	ui->items = NULL;
	ui->count = 0;
}

/* ------------------------------------------------------------------------
 * Drawing
 */

static void screen_putc(void *ctx, int c)
{
	struct menu_screen *screen = ctx;
	char ch = (char)c;

	screen->emit(screen->ctx, &ch, 1);
}

static void __printf(2, 3) screen_printf(struct menu_screen *screen,
					 const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vcprintf(screen_putc, screen, fmt, args);
	va_end(args);
}

/** Move to the start of a screen row (1-based) and clear it */
static void screen_row(struct menu_screen *screen, unsigned int row)
{
	screen_printf(screen, "\033[%u;1H\033[K", row);
}

/** Draw item row @row (0-based) of the item area */
static void menu_draw_row(struct menu_screen *screen, struct menu_ui *ui,
			  unsigned int row)
{
	unsigned int index = ui->first + row;
	int width = (int)screen->width - 6;
	struct menu_item *item;
	const char *text;

	screen_row(screen, 3 + row);
	if (index >= ui->count)
		return;
	item = ui->items[index];
	text = (item->text[0] || !item->label) ? item->text : item->label;
	if (width < 1)
		width = 1;
	if (index == ui->selected)
		screen_printf(screen, "  \033[7m %-*.*s \033[0m", width, width,
			      text);
	else
		screen_printf(screen, "   %.*s", width, text);
}

/** Draw the scroll markers above and below the items */
static void menu_draw_markers(struct menu_screen *screen, struct menu_ui *ui)
{
	screen_row(screen, 2);
	if (ui->first)
		screen_printf(screen, "   ^ more ^");
	screen_row(screen, 3 + ui->rows);
	if (ui->first + ui->rows < ui->count)
		screen_printf(screen, "   v more v");
}

/** Draw every item row and the markers */
static void menu_draw_items(struct menu_screen *screen, struct menu_ui *ui)
{
	unsigned int row;

	for (row = 0; row < ui->rows; row++)
		menu_draw_row(screen, ui, row);
	menu_draw_markers(screen, ui);
	screen->shown_first = ui->first;
	screen->shown_selected = ui->selected;
}

/** Draw the bottom line: the countdown, or how to use the menu */
static void menu_draw_status(struct menu_screen *screen, struct menu_ui *ui)
{
	unsigned long seconds = (ui->left + 999) / 1000;

	screen_row(screen, screen->height);
	if (ui->counting)
		screen_printf(screen, "   Automatic selection in %lu second%s",
			      seconds, seconds == 1 ? "" : "s");
	else
		screen_printf(screen, "   %.*s", (int)screen->width - 4,
			      ui->hint ? ui->hint :
					 "Up/Down to move, Enter to choose, "
					 "Esc to cancel");
	screen->shown_counting = ui->counting;
	screen->shown_seconds = seconds;
}

void menu_draw(struct menu_screen *screen, struct menu *menu,
	       struct menu_ui *ui)
{
	size_t len = strlen(menu->title);
	unsigned int col = 1;

	if (len < screen->width)
		col += (unsigned int)(screen->width - len) / 2;
	screen_printf(screen, "\033[?25l\033[0m\033[2J\033[H");
	screen_printf(screen, "\033[1;%uH%.*s", col, (int)screen->width,
		      menu->title);
	menu_draw_items(screen, ui);
	menu_draw_status(screen, ui);
}

void menu_draw_update(struct menu_screen *screen, struct menu_ui *ui)
{
	unsigned int old = screen->shown_selected;

	if (ui->first != screen->shown_first) {
		menu_draw_items(screen, ui);
	} else if (ui->selected != old) {
		menu_draw_row(screen, ui, old - ui->first);
		menu_draw_row(screen, ui, ui->selected - ui->first);
		screen->shown_selected = ui->selected;
	}
	if (ui->counting != screen->shown_counting ||
	    (ui->counting && (ui->left + 999) / 1000 != screen->shown_seconds))
		menu_draw_status(screen, ui);
}

/* ------------------------------------------------------------------------
 * Console loop
 */

static void menu_console_emit(void *ctx, const char *text, size_t len)
{
	while (len--)
		putchar(*text++);
}

/** Take keys and time until the menu is chosen or cancelled */
static int menu_loop(struct menu_screen *screen, struct menu_ui *ui)
{
	unsigned long last = currticks(), now;
	int key;

	while (ui->state == MENU_RUNNING) {
		key = getkey(ui->counting ? MENU_TICK : 0);
		now = currticks();
		if (key >= 0) {
			menu_ui_key(ui, key);
		} else if (console_input_ended()) {
			if (!ui->counting)
				return -EPIPE;
			mdelay(MENU_TICK / 10);
		}
		menu_ui_elapse(ui, now - last);
		last = now;
		if (ui->state == MENU_RUNNING)
			menu_draw_update(screen, ui);
	}
	return (ui->state == MENU_CHOSEN) ? 0 : -ECANCELED;
}

int show_menu(struct menu *menu, unsigned long timeout, const char *select,
	      struct menu_item **chosen)
{
	struct menu_screen screen = {
		.width = MENU_SCREEN_WIDTH,
		.height = MENU_SCREEN_HEIGHT,
		.emit = menu_console_emit,
	};
	struct menu_ui ui;
	int rc;

	rc = menu_ui_init(&ui, menu, select, menu_screen_rows(&screen),
			  timeout);
	if (rc != 0)
		return rc;
	menu_draw(&screen, menu, &ui);
	rc = menu_loop(&screen, &ui);
	printf("\033[0m\033[2J\033[H\033[?25h");
	if (rc == 0)
		*chosen = menu_ui_selected(&ui);
	menu_ui_free(&ui);
	return rc;
}
