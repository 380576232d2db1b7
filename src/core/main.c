/* Keel's main flow: initialise, start, run, shut down. */
#include <stddef.h>
#include <errno.h>
#include <keel/init.h>
#include <keel/main.h>

int keel_main(void)
{
	int status;

	initialise();
	startup();
	status = keel_run();
	shutdown_exit();
	return status;
}

__weak int platform_script(const char **script, size_t *len, const char **name)
{
	(void)script;
	(void)len;
	(void)name;
	return -ENOENT;
}

__weak int platform_args(char ***argv)
{
	*argv = NULL;
	return 0;
}
