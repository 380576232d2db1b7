/* Self-tests: timer ordering and cancellation, retry backoff, processes. */
#include <stdlib.h>
#include <keel/process.h>
#include <keel/test.h>
#include <keel/timer.h>

#define NTIMERS 8
static int fired_order[NTIMERS * 2];
static unsigned int nfired;

struct test_timer {
	struct timer timer;
	int id;
};

static void test_timer_expired(struct timer *timer)
{
	struct test_timer *t = container_of(timer, struct test_timer, timer);

	if (nfired < ARRAY_SIZE(fired_order))
		fired_order[nfired++] = t->id;
}

/** Step the scheduler until @done is true or @ms pass */
static void run_until(int (*done)(void), unsigned long ms)
{
	unsigned long start = currticks();

	while (!done() && currticks() - start < ms) {
		step();
		udelay(200);
	}
}

static int all_fired(void)
{
	return nfired >= NTIMERS - 2;
}

static void timer_test(void)
{
	/* Delays chosen so expiry order differs from start order */
	static const unsigned long delays[NTIMERS] = {40, 10, 30, 20,
						      0,  50, 25, 35};
	static const int expect[] = {4, 1, 6, 2, 0, 5};
	struct test_timer timers[NTIMERS];
	unsigned int i;

	nfired = 0;
	for (i = 0; i < NTIMERS; i++) {
		timers[i].id = (int)i;
		timer_init(&timers[i].timer, test_timer_expired, NULL);
		timer_start(&timers[i].timer, delays[i]);
	}
	/* Cancel one, and restart one later than it was */
	timer_stop(&timers[7].timer);
	timer_stop(&timers[7].timer); /* twice is harmless */
	timer_stop(&timers[3].timer);
	ok(!timers[3].timer.running && timers[0].timer.running);
	run_until(all_fired, 2000);
	ok(nfired == ARRAY_SIZE(expect));
	for (i = 0; i < ARRAY_SIZE(expect) && i < nfired; i++)
		ok(fired_order[i] == expect[i]);
	for (i = 0; i < NTIMERS; i++)
		ok(!timers[i].timer.running);
}

static unsigned int retry_expiries, retry_failed;
static unsigned long retry_timeouts[16];

static void test_retry_expired(struct retry_timer *retry, int fail)
{
	if (retry_expiries < ARRAY_SIZE(retry_timeouts))
		retry_timeouts[retry_expiries] = retry->timeout;
	retry_expiries++;
	if (fail)
		retry_failed = retry_expiries;
	else
		retry_start(retry);
}

static int retry_done(void)
{
	return retry_failed != 0;
}

static void retry_test(void)
{
	struct retry_timer retry;

	retry_expiries = retry_failed = 0;
	retry_init(&retry, test_retry_expired, NULL);
	retry_set_bounds(&retry, 5, 40);
	retry_start(&retry);
	ok(retry_running(&retry));
	run_until(retry_done, 2000);
	/* 5 -> 10, 20, 40, then 80 > 40 fails on the fourth expiry */
	ok(retry_failed == 4);
	ok(retry_timeouts[0] == 10 && retry_timeouts[1] == 20 &&
	   retry_timeouts[2] == 40 && retry_timeouts[3] == 40);
	ok(!retry_running(&retry));

	/* A stopped retry timer never fires */
	retry_expiries = 0;
	retry_reset(&retry);
	retry_start(&retry);
	retry_stop(&retry);
	run_until(retry_done, 30);
	ok(retry_expiries == 0);
}

/* Processes: each records its id; one removes itself after 3 steps */
struct test_proc {
	struct process process;
	struct refcnt refcnt;
	int id;
	unsigned int steps;
	int *freed;
};
static int proc_log[64];
static unsigned int nlog;

static void test_proc_step(struct test_proc *p)
{
	if (nlog < ARRAY_SIZE(proc_log))
		proc_log[nlog++] = p->id;
	if (++p->steps == 3)
		process_del(&p->process);
}

static void test_proc_free(struct refcnt *refcnt)
{
	struct test_proc *p = container_of(refcnt, struct test_proc, refcnt);

	(*p->freed)++;
	free(p);
}

static const struct process_descriptor test_proc_desc =
	PROC_DESC(struct test_proc, process, test_proc_step);
static const struct process_descriptor test_once_desc =
	PROC_DESC_ONCE(struct test_proc, process, test_proc_step);

static struct test_proc *test_proc_new(int id, int *freed,
				       const struct process_descriptor *desc)
{
	struct test_proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	ref_init(&p->refcnt, test_proc_free);
	p->id = id;
	p->freed = freed;
	process_init(&p->process, desc, &p->refcnt);
	return p;
}

static void process_test(void)
{
	struct test_proc *a, *b, *once;
	unsigned int base = process_count();
	int freed = 0, i;

	nlog = 0;
	a = test_proc_new(1, &freed, &test_proc_desc);
	b = test_proc_new(2, &freed, &test_proc_desc);
	once = test_proc_new(3, &freed, &test_once_desc);
	ok(a && b && once);
	if (!(a && b && once))
		return;
	/* The creator lets go: the run list now keeps them alive */
	ref_put(&a->refcnt);
	ref_put(&b->refcnt);
	ref_put(&once->refcnt);
	ok(freed == 0 && process_count() == base + 3);
	for (i = 0; i < 5; i++)
		step();
	/* Round-robin in start order; "once" ran a single time */
	ok(nlog == 7);
	ok(proc_log[0] == 1 && proc_log[1] == 2 && proc_log[2] == 3);
	ok(proc_log[3] == 1 && proc_log[4] == 2);
	ok(proc_log[5] == 1 && proc_log[6] == 2);
	/* Each left after three steps and was freed with its last reference */
	ok(freed == 3);
	ok(process_count() == base);
}

static void sched_test_exec(void)
{
	timer_test();
	retry_test();
	process_test();
}

struct self_test sched_test __self_test = {
	.name = "scheduler",
	.exec = sched_test_exec,
};
