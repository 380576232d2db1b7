/* The script embedded into the image at build time with EMBED=. */
#ifndef KEEL_EMBEDDED_H
#define KEEL_EMBEDDED_H
#include <stddef.h>

/**
 * The embedded script.
 *
 * @len		length, filled in (0 when nothing was embedded)
 * @ret script	script bytes, NUL-terminated
 */
const char *embedded_script_get(size_t *len);

#endif
