/* Start-up and shutdown hooks, run in a fixed order from linker tables. */
#ifndef KEEL_INIT_H
#define KEEL_INIT_H
#include <keel/tables.h>

/** An initialisation function: runs once at boot, cannot fail */
struct init_fn {
	const char *name;
	void (*init)(void);
};
#define INIT_FNS __table(struct init_fn, "init_fns")
#define __init_fn(order) __table_entry(INIT_FNS, order)
/* Orders */
#define INIT_EARLY 01	/* platform basics: memory map, heap */
#define INIT_CONSOLE 02 /* consoles */
#define INIT_NORMAL 03	/* everything else */
#define INIT_LATE 04	/* needs everything else */

/** Something to start after initialisation and stop before exit */
struct startup_fn {
	const char *name;
	/** Start; may be NULL */
	void (*startup)(void);
	/**
	 * Stop; may be NULL. @booting is true when handing over to a loaded
	 * OS (devices must be quiesced), false on a plain exit.
	 */
	void (*shutdown)(int booting);
};
#define STARTUP_FNS __table(struct startup_fn, "startup_fns")
#define __startup_fn(order) __table_entry(STARTUP_FNS, order)
#define STARTUP_EARLY 01
#define STARTUP_NORMAL 02
#define STARTUP_LATE 03

/** Run every init function, then every startup function */
void initialise(void);
void startup(void);
/** Run every shutdown function, in reverse order (once only) */
void shutdown(int booting);
/** Shut down for exit to the platform */
static inline void shutdown_exit(void) { shutdown(0); }
/** Shut down to hand over to a loaded operating system */
static inline void shutdown_boot(void) { shutdown(1); }

#endif
