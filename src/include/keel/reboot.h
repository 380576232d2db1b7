/* Platform API: leaving Keel: exit to the platform, reboot, power off. */
#ifndef KEEL_REBOOT_H
#define KEEL_REBOOT_H

/**
 * Leave Keel and return to the platform (BIOS: try the next boot device;
 * EFI: back to the boot manager; host: exit the process).
 *
 * @status	0 for success
 */
void platform_exit(int status) __attribute__((noreturn));
/** Reboot the machine; @warm asks for a warm reboot where that exists */
void reboot(int warm) __attribute__((noreturn));
/**
 * Power the machine off.
 *
 * @ret rc	only returns, with an error, if it failed
 */
int poweroff(void);

#endif
