/* The firmware's main flow, and the hooks platforms provide around it. */
#ifndef KEEL_MAIN_H
#define KEEL_MAIN_H
#include <stddef.h>

/**
 * Run Keel: initialise, start up, run, shut down.
 *
 * @ret status	exit status for the platform (0 on success)
 */
int keel_main(void);

/**
 * What Keel does once started: the interactive flow (script, autoboot,
 * shell) in firmware images, or the self-test runner in tests.linux.
 * Exactly one object providing it is linked into each image.
 */
int keel_run(void);

/**
 * A script the platform was asked to run (the host build's SCRIPT argument).
 * Platforms without one keep the default, which has none.
 *
 * @script	script bytes, filled in
 * @len		length, filled in
 * @name	name for messages, filled in
 * @ret rc	0 if there is a script, -ENOENT otherwise
 */
int platform_script(const char **script, size_t *len, const char **name);

/**
 * Extra command-line words given to the platform (host build only), for
 * example the test names given to tests.linux.
 *
 * @argv	words, filled in
 * @ret argc	number of words
 */
int platform_args(char ***argv);

#endif
