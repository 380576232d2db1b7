/* The full feature set's extras: commands that the small BIOS images leave out. */
#include <config/general.h>

/*
 * config.c requires what every image has. Images that are not size-bound
 * require this object too (keel.linux, the EFI images, keel.lkrn and
 * keel.pxe); undionly.kpxe and the PCI option ROMs do without it, as they
 * must fit where the BIOS puts them. Each line is something that a boot
 * does not need: Tab completion in the line editor, the settings editor
 * (config), HTTP form parameters (params, param), diagnostic commands,
 * SHA-256 (for sha256sum and HTTP Digest authentication with SHA-256;
 * the small images answer MD5 Digest and Basic) and the ipv6 setting
 * type (Keel has no IPv6 stack yet).
 * The small images keep everything needed to boot (DHCP, DNS, TFTP, HTTP,
 * scripts, menus, login, settings, images, sanboot).
 */
REQUIRE_OBJECT(edit_complete);
REQUIRE_OBJECT(complete_cmd);
REQUIRE_OBJECT(settings_complete);
REQUIRE_OBJECT(config_cmd);
REQUIRE_OBJECT(param_cmd);
REQUIRE_OBJECT(ping_cmd);
REQUIRE_OBJECT(nslookup_cmd);
REQUIRE_OBJECT(digest_cmd);
REQUIRE_OBJECT(sha256);
REQUIRE_OBJECT(settings_ipv6);

#if defined(__x86_64__) || defined(__i386__)
REQUIRE_OBJECT(cpuid_cmd);
#endif
