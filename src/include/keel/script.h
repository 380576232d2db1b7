/* Scripts: the iPXE-compatible script image type. */
#ifndef KEEL_SCRIPT_H
#define KEEL_SCRIPT_H
#include <stddef.h>

struct image;

/**
 * Run a script held in memory, as an image named @name.
 *
 * @data	script text
 * @len		length
 * @name	name for messages
 * @ret rc	the script's status
 */
int script_run(const char *data, size_t len, const char *name);

/** True if @data starts with a script signature ("#!ipxe" or "#!gpxe") */
int script_signature_ok(const char *data, size_t len);

#endif
