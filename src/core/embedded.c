/* Access to the script embedded at build time (EMBED=). */
#include <keel/embedded.h>

extern const char embedded_script[];
extern const char embedded_script_end[];

const char *embedded_script_get(size_t *len)
{
	*len = (size_t)(embedded_script_end - embedded_script);
	return embedded_script;
}
