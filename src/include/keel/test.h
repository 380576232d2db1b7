/* Self-test framework: tests register in a linker table and report through ok(). */
#ifndef KEEL_TEST_H
#define KEEL_TEST_H

#include <keel/tables.h>

/** A self-test */
struct self_test {
	/** Name, printed in the report */
	const char *name;
	/** Run the test; failures are recorded through ok() */
	void (*exec)(void);
};

#define SELF_TESTS __table(struct self_test, "self_tests")
/** Register a self-test */
#define __self_test __table_entry(SELF_TESTS, 01)

/**
 * Record one check.
 *
 * @success	true if the check passed
 * @file	source file
 * @line	source line
 * @text	text of the check, printed on failure
 */
void test_ok(int success, const char *file, unsigned int line,
	     const char *text);

/** Check a condition, reporting file and line if it is false */
#define ok(...) test_ok(!!(__VA_ARGS__), __FILE__, __LINE__, #__VA_ARGS__)

/** Number of checks that failed so far (lets a test stop a long loop early) */
extern unsigned int test_failures;

/** Deterministic pseudo-random numbers for tests (xorshift64*) */
unsigned long test_random(void);
/** Reseed the test random generator */
void test_srandom(unsigned long seed);

/*
 * Oracle: the host C library, reachable only from the host build.
 * Tests use it to compare Keel's freestanding functions with a reference.
 */
int host_vsnprintf(char *buf, unsigned long size, const char *fmt,
		   __builtin_va_list args);
int host_snprintf(char *buf, unsigned long size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
unsigned long host_strtoul(const char *s, char **end, int base);
long host_strtol(const char *s, char **end, int base);

#endif /* KEEL_TEST_H */
