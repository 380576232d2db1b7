/* Autoboot: DHCP on each network device and chain the boot file. */
#ifndef KEEL_AUTOBOOT_H
#define KEEL_AUTOBOOT_H

/**
 * Boot from the network without a script: for each device, open it, run
 * DHCP and chain its boot file. The download issue provides it; until then
 * a default says there is nothing to boot from.
 *
 * @ret rc	only returns on failure
 */
int autoboot(void);

/**
 * Open every network device before the Ctrl-B banner, so that links come
 * up (and NICs finish starting) while it waits rather than after it.
 * autoboot() treats these devices as found closed: one that fails is
 * closed again. The default does nothing.
 */
void autoboot_prepare(void);

/** Milliseconds to offer the Ctrl-B shell at start-up (config.c) */
extern const unsigned long banner_timeout_ms;
/** True to fall back to the shell when booting fails (config.c) */
extern const int shell_wanted_after_failure;

#endif
