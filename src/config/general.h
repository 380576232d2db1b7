/* Feature selection: which protocols, commands and image types a build includes. */
#ifndef CONFIG_GENERAL_H
#define CONFIG_GENERAL_H

/*
 * Features are switched on here (and overridden in config/local/general.h,
 * which git ignores). config.c turns each into REQUIRE_OBJECT() lines; the
 * features' own files never test these macros.
 */

/*
 * Seconds to wait for Ctrl-B at start-up (0 to 5). One second: the network
 * devices are opened before the wait, so links come up during it; a Ctrl-B
 * typed early, while the firmware still starts, waits in its keyboard
 * buffer and counts. See docs/performance.md.
 */
#define BANNER_TIMEOUT 1

/* Drop to the shell when booting fails (1), or return to the platform (0) */
#define SHELL_AFTER_FAILURE 1

#include <config/local/general.h>

#endif
