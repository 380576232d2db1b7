/* Self-test runner: runs every registered test and prints the tally last. */
#include <stdio.h>
#include <string.h>
#include <keel/main.h>
#include <keel/test.h>
#include <keel/timer.h>

unsigned int test_failures;
static unsigned int test_passes;
/** Failures reported in detail; the rest are only counted */
#define TEST_REPORT_MAX 50
static unsigned int test_reported;

void test_ok(int success, const char *file, unsigned int line, const char *text)
{
	if (success) {
		test_passes++;
		return;
	}
	test_failures++;
	if (test_reported++ < TEST_REPORT_MAX)
		printf("FAIL %s:%u: %s\n", file, line, text);
}

static unsigned long long test_state = 0x853c49e6748fea9bULL;

void test_srandom(unsigned long seed)
{
	test_state = seed * 0x9e3779b97f4a7c15ULL + 0x853c49e6748fea9bULL;
}

unsigned long test_random(void)
{
	test_state ^= test_state >> 12;
	test_state ^= test_state << 25;
	test_state ^= test_state >> 27;
	return (unsigned long)((test_state * 0x2545f4914f6cdd1dULL) >> 1);
}

/** True if @test was selected by name on the command line (or none was) */
static int test_selected(const struct self_test *test, int argc, char **argv)
{
	int i;

	if (!argc)
		return 1;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], test->name) == 0)
			return 1;
	}
	return 0;
}

int keel_run(void)
{
	struct self_test *test;
	unsigned int passes, failures, ran = 0;
	unsigned long start;
	char **argv;
	int argc = platform_args(&argv);

	for_each_table_entry(test, SELF_TESTS) {
		if (!test_selected(test, argc, argv))
			continue;
		passes = test_passes;
		failures = test_failures;
		start = currticks();
		test_srandom(0x4b65656cUL);
		test->exec();
		ran++;
		printf("%s %-16s %7u checks  %5lu ms\n",
		       (test_failures == failures) ? "[ ok ]" : "[FAIL]",
		       test->name,
		       (test_passes - passes) + (test_failures - failures),
		       currticks() - start);
	}
	if (!ran)
		printf("no test matched\n");
	printf("%u passed, %u failed\n", test_passes, test_failures);
	return (test_failures || !ran) ? 1 : 0;
}
