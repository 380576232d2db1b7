/* Fuzz target: the script language (line reader, labels, operators, expansion).
 */
#include <stdlib.h>
#include <string.h>
#include <keel/command.h>
#include <keel/menu.h>
#include <keel/script.h>
#include <keel/settings.h>
#include "fuzz.h"
#include "fuzzlib.h"

/* What the scripts may run: no reboot, nothing that leaves the process */
REQUIRE_OBJECT(linux_memory);
REQUIRE_OBJECT(exec);
REQUIRE_OBJECT(script);
REQUIRE_OBJECT(shell);
REQUIRE_OBJECT(script_cmd);
REQUIRE_OBJECT(settings_cmd);
REQUIRE_OBJECT(menu_cmd);

__export int keel_fuzz_one(const unsigned char *data, unsigned long len)
{
	static const char header[] = "#!ipxe\n";
	struct heap_stats before;
	char *text, *expanded;

	fuzz_begin(&before);
	text = malloc(sizeof(header) + len);
	if (!text)
		return 0;
	memcpy(text, header, sizeof(header) - 1);
	memcpy(text + sizeof(header) - 1, data, len);
	text[sizeof(header) - 1 + len] = '\0';

	/* The expander on its own, then the whole language */
	expanded = expand_settings(text + sizeof(header) - 1);
	free(expanded);
	script_run(text, sizeof(header) - 1 + len, "fuzz");

	free(text);
	destroy_all_menus();
	last_errno = 0;
	fuzz_end(&before);
	return 0;
}
