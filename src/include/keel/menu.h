/* Menus for menu, item and choose: store, model, drawing, interaction. */
#ifndef KEEL_MENU_H
#define KEEL_MENU_H
#include <stddef.h>
#include <keel/list.h>

/** One line of a menu */
struct menu_item {
	/** Link in the menu's items */
	struct list_head list;
	/** Label that choose stores, or NULL for a gap (not selectable) */
	char *label;
	/** Text shown (may be empty) */
	char *text;
	/** Shortcut key that chooses the item at once, or 0 */
	int shortcut;
	/** Selected first unless choose names another label */
	int is_default;
};

/** A named menu */
struct menu {
	/** Link in the list of menus */
	struct list_head list;
	/** Name, or NULL for the unnamed menu */
	char *name;
	/** Title drawn at the top */
	char *title;
	/** Items, in order */
	struct list_head items;
	/** Help on the bottom line, or NULL for the usual one (not owned) */
	const char *hint;
};

/**
 * Create a menu, replacing any menu of the same name.
 *
 * @name	name, or NULL for the unnamed menu
 * @title	title (may be empty)
 * @ret menu	new menu, or NULL if out of memory
 */
struct menu *create_menu(const char *name, const char *title);
/** Find a menu by name (NULL for the unnamed menu), or NULL */
struct menu *find_menu(const char *name);
/** Destroy a menu and its items */
void destroy_menu(struct menu *menu);
/** Destroy every menu */
void destroy_all_menus(void);
/**
 * Append an item.
 *
 * @label	label, or NULL for a gap
 * @text	text (NULL for empty)
 * @shortcut	shortcut key, or 0
 * @is_default	true to make it the default
 * @ret rc	0 or -ENOMEM
 */
int add_menu_item(struct menu *menu, const char *label, const char *text,
		  int shortcut, int is_default);

/* ------------------------------------------------------------------------
 * Model: selection, scrolling and countdown, with no console
 */

/** State of a running menu */
enum menu_state {
	MENU_RUNNING = 0,
	MENU_CHOSEN,
	MENU_CANCELLED,
};

struct menu_ui {
	/** Items by index */
	struct menu_item **items;
	unsigned int count;
	/** Index of the selected item (always selectable) */
	unsigned int selected;
	/** Index of the first item on screen */
	unsigned int first;
	/** Number of item rows on screen */
	unsigned int rows;
	/** A countdown runs */
	int counting;
	/** Milliseconds left before the selection is chosen */
	unsigned long left;
	/** MENU_RUNNING until an item is chosen or the menu cancelled */
	int state;
	/** Help for the bottom line, or NULL */
	const char *hint;
};

/**
 * Set up the model of a menu.
 *
 * The first selection is the item labelled @select if there is one,
 * otherwise (without @select) the last item marked default, otherwise the
 * first selectable item.
 *
 * @menu	menu
 * @select	label to select first, or NULL
 * @rows	item rows on screen (at least 1)
 * @timeout	milliseconds before the selection is chosen, or 0 for none
 * @ret rc	0, -ENOENT if nothing is selectable, or -ENOMEM
 */
int menu_ui_init(struct menu_ui *ui, struct menu *menu, const char *select,
		 unsigned int rows, unsigned long timeout);
/** Free the model */
void menu_ui_free(struct menu_ui *ui);
/**
 * Apply a key: moves, Enter, Esc/Ctrl-C/Ctrl-X, shortcuts. Any key stops
 * the countdown.
 *
 * @ret state	the new menu_state
 */
int menu_ui_key(struct menu_ui *ui, int key);
/**
 * Let time pass for the countdown; at zero the selection is chosen.
 *
 * @ret state	the new menu_state
 */
int menu_ui_elapse(struct menu_ui *ui, unsigned long ms);
/** The selected item */
static inline struct menu_item *menu_ui_selected(struct menu_ui *ui)
{
	return ui->items[ui->selected];
}

/* ------------------------------------------------------------------------
 * Drawing: plain ANSI (absolute positions, reverse video), ASCII only
 */

/** Screen size assumed when the console cannot say */
#define MENU_SCREEN_WIDTH 80
#define MENU_SCREEN_HEIGHT 24
/** Rows taken by the title, margins and status line */
#define MENU_SCREEN_CHROME 4

/** A screen a menu is drawn on, and what it last showed */
struct menu_screen {
	unsigned int width;
	unsigned int height;
	/** Character sink */
	void (*emit)(void *ctx, const char *text, size_t len);
	void *ctx;
	/* What was drawn last, to redraw only what changed */
	unsigned int shown_first;
	unsigned int shown_selected;
	unsigned long shown_seconds;
	int shown_counting;
};

/** Item rows that fit on a screen */
static inline unsigned int menu_screen_rows(const struct menu_screen *screen)
{
	return screen->height > MENU_SCREEN_CHROME + 1 ?
		       screen->height - MENU_SCREEN_CHROME : 1;
}

/** Clear the screen and draw the whole menu */
void menu_draw(struct menu_screen *screen, struct menu *menu,
	       struct menu_ui *ui);
/** Redraw only what changed since the last drawing */
void menu_draw_update(struct menu_screen *screen, struct menu_ui *ui);

/**
 * Show a menu on the console and let the user choose.
 *
 * @menu	menu
 * @timeout	milliseconds before the selection is chosen, or 0 for none
 * @select	label to select first, or NULL
 * @chosen	chosen item, filled in on success
 * @ret rc	0, -ECANCELED, -ENOENT if nothing is selectable, -EPIPE at
 *		the end of input
 */
int show_menu(struct menu *menu, unsigned long timeout, const char *select,
	      struct menu_item **chosen);

#endif
