/* Running the init, startup and shutdown tables. */
#include <keel/init.h>

static int started;

void initialise(void)
{
	struct init_fn *fn;

	for_each_table_entry(fn, INIT_FNS)
		fn->init();
}

void startup(void)
{
	struct startup_fn *fn;

	if (started)
		return;
	for_each_table_entry(fn, STARTUP_FNS) {
		if (fn->startup)
			fn->startup();
	}
	started = 1;
}

void shutdown(int booting)
{
	struct startup_fn *fn;

	if (!started)
		return;
	started = 0;
	for_each_table_entry_reverse(fn, STARTUP_FNS) {
		if (fn->shutdown)
			fn->shutdown(booting);
	}
}
