/* The firmware's run flow: banner, script or Ctrl-B shell, embedded script, autoboot, shell. */
#include <stdio.h>
#include <errno.h>
#include <keel/autoboot.h>
#include <keel/command.h>
#include <keel/embedded.h>
#include <keel/main.h>
#include <keel/script.h>
#include <keel/shell.h>
#include <keel/version.h>

/** An rc as a platform exit status: 0, an "exit N" code, or 1 */
static int exit_status(int rc)
{
	if (rc == 0)
		return 0;
	return (rc > 0) ? (rc & 0xff) : 1;
}

__weak int autoboot(void)
{
	return errctx(-ENODEV, "this build has no network devices");
}

__weak void autoboot_prepare(void)
{
}

int keel_run(void)
{
	const char *script, *name;
	size_t len;
	int rc;

	printf("%s %s -- %s\n", PRODUCT_NAME, PRODUCT_VERSION,
	       PRODUCT_TAGLINE);

	/* A script named on the command line runs instead of everything */
	rc = platform_script(&script, &len, &name);
	if (rc == 0)
		return exit_status(script_run(script, len, name));
	if (!rc_is(rc, ENOENT)) {
		printf("%s\n", strerror(rc));
		return 1;
	}

	if (banner_timeout_ms)
		autoboot_prepare();
	if (shell_banner(banner_timeout_ms))
		return exit_status(shell());

	exit_requested = 0;
	script = embedded_script_get(&len);
	if (len)
		rc = script_run(script, len, "embedded script");
	else
		rc = autoboot();
	/* "exit" means leave: the platform tries its next boot device */
	if (exit_requested)
		return exit_status(rc);
	if (rc)
		printf("Boot failed: %s\n", strerror(rc));
	if (rc && shell_wanted_after_failure)
		rc = shell();
	return exit_status(rc);
}
