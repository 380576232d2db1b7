/* Fuzz target: a received DHCP packet, stored as settings, then shown. */
#include <stdlib.h>
#include <string.h>
#include <keel/dhcp.h>
#include <keel/dhcpopts.h>
#include <keel/settings.h>
#include "fuzz.h"
#include "fuzzlib.h"

REQUIRE_OBJECT(linux_memory);

/** The block a packet is stored in, as the client keeps a lease */
struct fuzz_dhcp_block {
	struct refcnt refcnt;
	struct generic_settings generic;
};

static void fuzz_dhcp_free(struct refcnt *refcnt)
{
	struct fuzz_dhcp_block *block =
		container_of(refcnt, struct fuzz_dhcp_block, refcnt);

	generic_settings_clear(&block->generic.settings);
	free(block);
}

/** Format every stored value, as "show" would */
static int fuzz_dhcp_show(void *ctx, struct settings *origin,
			  const struct setting *setting, const char *value)
{
	(void)ctx;
	(void)origin;
	(void)setting;
	(void)value;
	return 0;
}

/** Look up a few tags directly, including encapsulated and absent ones */
static void fuzz_dhcp_fetch(const unsigned char *data, unsigned long len)
{
	static const unsigned int tags[] = {
		DHCP_MESSAGE_TYPE,
		DHCP_SERVER_IDENTIFIER,
		DHCP_DOMAIN_NAME,
		DHCP_PXE_BOOT_MENU,
		DHCP_PXE_BOOT_SERVERS,
		DHCP_EB_NO_PXEDHCP,
		DHCP_ENCAP_OPT(DHCP_EB_ENCAP, 19),
		DHCP_ENCAP_OPT(1, 1),
	};
	struct dhcp_packet_view view;
	unsigned char buf[16];
	unsigned int i;

	if (dhcppkt_parse(&view, data, len) != 0)
		return;
	dhcppkt_msgtype(&view);
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		dhcppkt_fetch(&view, tags[i], buf, sizeof(buf));
}

__export int keel_fuzz_one(const unsigned char *data, unsigned long len)
{
	struct heap_stats before;
	struct fuzz_dhcp_block *block;

	fuzz_begin(&before);
	fuzz_dhcp_fetch(data, len);
	/* The option block on its own, as 43 or 175 are read */
	dhcpopt_fetch(data, len, DHCP_ENCAP_OPT(DHCP_EB_ENCAP, 1), NULL, 0);
	block = zalloc(sizeof(*block));
	if (block) {
		ref_init(&block->refcnt, fuzz_dhcp_free);
		generic_settings_init(&block->generic, &block->refcnt);
		if (dhcp_store_packet(&block->generic.settings, data, len) ==
			    0 &&
		    register_settings(&block->generic.settings, NULL,
				      "fuzzdhcp") == 0) {
			settings_walk(&block->generic.settings, fuzz_dhcp_show,
				      NULL);
			unregister_settings(&block->generic.settings);
		}
		ref_put(&block->refcnt);
	}
	fuzz_end(&before);
	return 0;
}
