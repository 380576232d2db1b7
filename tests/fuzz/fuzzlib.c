/* Firmware half shared by fuzz targets: silent console, virtual time, leak
 * checks. */
#include <stdlib.h>
#include <keel/console.h>
#include <keel/init.h>
#include <keel/process.h>
#include <keel/settings.h>
#include <keel/timer.h>
#include "fuzz.h"
#include "fuzzlib.h"

/* Console polls allowed per input before a simulated Ctrl-C */
#define FUZZ_POLL_BUDGET 2000

static unsigned long fuzz_polls;
static unsigned long fuzz_clock;

static void fuzz_putchar(int c)
{
	(void)c;
}

static int fuzz_getchar(void)
{
	return (++fuzz_polls > FUZZ_POLL_BUDGET) ? CTRL('C') : -1;
}

struct console_driver fuzz_console __console_driver = {
	.name = "fuzz",
	.putchar = fuzz_putchar,
	.getchar = fuzz_getchar,
	.usage = CONSOLE_USAGE_ALL,
};

/* Virtual time: waits cost nothing, so "sleep 99999" ends at the budget */
unsigned long currticks(void)
{
	return fuzz_clock;
}

void udelay(unsigned long usecs)
{
	fuzz_clock += (usecs + 999) / 1000;
}

long long unixtime(void)
{
	return 1700000000LL + (long long)(fuzz_clock / 1000);
}

/* Settings blocks that existed before any input, kept across inputs */
#define FUZZ_MAX_BLOCKS 16
static struct settings *fuzz_blocks[FUZZ_MAX_BLOCKS];
static unsigned int fuzz_nblocks;

__export void keel_fuzz_init(void)
{
	struct settings *root, *child;

	initialise();
	startup();
	console_set_input_ended();
	root = find_settings("");
	list_for_each_entry(child, &root->children, siblings) {
		if (fuzz_nblocks < FUZZ_MAX_BLOCKS)
			fuzz_blocks[fuzz_nblocks++] = child;
	}
}

/** Forget what an input stored: values, and blocks that "set" created */
static void fuzz_reset_settings(void)
{
	struct settings *root = find_settings(""), *child, *tmp;
	unsigned int i;
	int keep;

	clear_settings(root);
	list_for_each_entry_safe(child, tmp, &root->children, siblings) {
		for (keep = 0, i = 0; i < fuzz_nblocks; i++)
			keep |= (fuzz_blocks[i] == child);
		if (!keep)
			unregister_settings(child);
	}
}

void fuzz_settle(void)
{
	unsigned int i;

	for (i = 0; i < 120; i++) {
		fuzz_clock += 500;
		step();
	}
}

void fuzz_begin(struct heap_stats *before)
{
	fuzz_polls = 0;
	heap_stats(before);
}

void fuzz_end(const struct heap_stats *before)
{
	struct heap_stats after;

	fuzz_reset_settings();
	heap_stats(&after);
	/* Every input must give back all that it took */
	if (after.used != before->used || after.blocks != before->blocks ||
	    heap_check() != 0)
		__builtin_trap();
}
