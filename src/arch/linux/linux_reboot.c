/* Host build: exit, reboot and power off all end the process. */
#include <keel/init.h>
#include <keel/reboot.h>
#include <keel/linux.h>
#include "linux_api.h"

void platform_exit(int status)
{
	shutdown_exit();
	linux_console_flush();
	linux_exit(status);
}

void reboot(int warm)
{
	(void)warm;
	shutdown_exit();
	linux_console_flush();
	linux_exit(0);
}

int poweroff(void)
{
	shutdown_exit();
	linux_console_flush();
	linux_exit(0);
}
