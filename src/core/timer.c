/* One-shot timers on the monotonic tick, and retry timers with backoff. */
#include <keel/timer.h>

static LIST_HEAD(timers);

void mdelay(unsigned long msecs)
{
	while (msecs--)
		udelay(1000);
}

void timer_start(struct timer *timer, unsigned long ticks)
{
	struct timer *pos;

	if (timer->running)
		timer_stop(timer);
	timer->expiry = currticks() + ticks;
	/* Keep the list ordered; equal expiries fire in start order */
	list_for_each_entry_reverse(pos, &timers, list) {
		if (ticks_after_eq(timer->expiry, pos->expiry))
			break;
	}
	list_add(&timer->list, &pos->list);
	timer->running = 1;
	ref_get(timer->refcnt);
}

void timer_stop(struct timer *timer)
{
	if (!timer->running)
		return;
	list_del(&timer->list);
	timer->running = 0;
	ref_put(timer->refcnt);
}

void timers_run(void)
{
	unsigned long now = currticks();
	struct timer *timer;
	struct refcnt *refcnt;
	/* Bounded: a timer that restarts itself at once cannot hog us */
	unsigned int budget = 256;

	while (budget-- &&
	       (timer = list_first_entry(&timers, struct timer, list))) {
		if (!ticks_after_eq(now, timer->expiry))
			break;
		/*
		 * Keep a refcounted owner alive across its own callback. An
		 * owner without a refcount may free the timer in the callback,
		 * so the timer is not touched afterwards.
		 */
		refcnt = ref_get(timer->refcnt);
		timer_stop(timer);
		timer->expired(timer);
		ref_put(refcnt);
	}
}

unsigned long timers_next(void)
{
	struct timer *timer = list_first_entry(&timers, struct timer, list);
	unsigned long now = currticks();

	if (!timer)
		return ~0UL;
	return ticks_after_eq(now, timer->expiry) ? 0 : timer->expiry - now;
}

static unsigned long retry_min(struct retry_timer *retry)
{
	return retry->min ? retry->min : RETRY_DEFAULT_MIN;
}

static unsigned long retry_max(struct retry_timer *retry)
{
	return retry->max ? retry->max : RETRY_DEFAULT_MAX;
}

static void retry_expired(struct timer *timer)
{
	struct retry_timer *retry =
		container_of(timer, struct retry_timer, timer);
	int fail;

	retry->count++;
	retry->timeout *= 2;
	fail = (retry->timeout > retry_max(retry));
	if (fail)
		retry->timeout = retry_max(retry);
	retry->expired(retry, fail);
}

void retry_init(struct retry_timer *retry,
		void (*expired)(struct retry_timer *retry, int fail),
		struct refcnt *refcnt)
{
	timer_init(&retry->timer, retry_expired, refcnt);
	retry->timeout = 0;
	retry->min = retry->max = 0;
	retry->count = 0;
	retry->expired = expired;
}

void retry_start(struct retry_timer *retry)
{
	if (retry->timeout < retry_min(retry))
		retry->timeout = retry_min(retry);
	if (retry->timeout > retry_max(retry))
		retry->timeout = retry_max(retry);
	timer_start(&retry->timer, retry->timeout);
}

void retry_start_fixed(struct retry_timer *retry, unsigned long timeout)
{
	retry_start(retry);
	timer_start(&retry->timer, timeout);
}

void retry_stop(struct retry_timer *retry)
{
	timer_stop(&retry->timer);
	retry->count = 0;
}

void retry_reset(struct retry_timer *retry)
{
	retry->timeout = retry_min(retry);
	retry->count = 0;
}
