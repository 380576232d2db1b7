/* Self-tests: error codes, their sites, and their sentences. */
#include <string.h>
#include <errno.h>
#include <keel/test.h>

static int fail_here(void)
{
	return -ETIMEDOUT;
}

static int fail_there(void)
{
	return -ETIMEDOUT;
}

static void errors_test_exec(void)
{
	int a = fail_here(), b = fail_there();

	ok(a < 0 && b < 0);
	/* Same code, different sites */
	ok(a != b);
	ok(rc_is(a, ETIMEDOUT) && rc_is(b, ETIMEDOUT));
	ok(!rc_is(a, ENOENT));
	ok(err_code(a) == EC_TIMEDOUT);
	ok(err_file(a) == FILE_ID && FILE_ID != 0);
	ok(err_line(a) != err_line(b));
	ok(err_code(0) == 0);

	ok(strcmp(strerror(a), "Connection timed out") == 0);
	ok(strcmp(errname(a), "ETIMEDOUT") == 0);
	ok(strcmp(strerror(0), "No error") == 0);
	ok(strncmp(strerror(-ERR_SITE(250)), "Unknown error", 13) == 0);

	/* A detail sticks to exactly the rc it was attached to */
	ok(errctx(a, "no answer from %s after %d tries", "10.0.2.2", 5) == a);
	ok(strcmp(strerror(a), "Connection timed out (no answer from "
			       "10.0.2.2 after 5 tries)") == 0);
	ok(strcmp(strerror(b), "Connection timed out") == 0);
}

struct self_test errors_test __self_test = {
	.name = "errors",
	.exec = errors_test_exec,
};
