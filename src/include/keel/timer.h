/* Time: the platform's monotonic tick, delays, and one-shot and retry timers. */
#ifndef KEEL_TIMER_H
#define KEEL_TIMER_H
#include <keel/list.h>
#include <keel/refcnt.h>

/** Every platform counts time in milliseconds */
#define TICKS_PER_SEC 1000UL
#define TICKS_PER_MS 1UL

/* Platform API: one implementation per platform, chosen at link time */

/** Monotonic time in ticks since an arbitrary origin; wraps */
unsigned long currticks(void);
/** Busy-wait (or sleep) for a number of microseconds */
void udelay(unsigned long usecs);
/** Delay for a number of milliseconds */
void mdelay(unsigned long msecs);
/** Seconds since the Unix epoch, or 0 if the platform has no clock */
long long unixtime(void);

/** True if tick @a is at or after tick @b, across wrap-around */
#define ticks_after_eq(a, b) ((long)((a) - (b)) >= 0)

/** A one-shot timer */
struct timer {
	/** Link in the list of running timers, ordered by expiry */
	struct list_head list;
	/** Tick at which the timer fires */
	unsigned long expiry;
	/** True while running */
	int running;
	/** Called on expiry; the timer is stopped first */
	void (*expired)(struct timer *timer);
	/** Reference held while running, or NULL */
	struct refcnt *refcnt;
};

/** Initialise a timer */
static inline void timer_init(struct timer *timer,
			      void (*expired)(struct timer *timer),
			      struct refcnt *refcnt)
{
	INIT_LIST_HEAD(&timer->list);
	timer->running = 0;
	timer->expired = expired;
	timer->refcnt = refcnt;
}

/** Start (or restart) a timer to fire after @ticks */
void timer_start(struct timer *timer, unsigned long ticks);
/** Stop a timer; harmless if it is not running */
void timer_stop(struct timer *timer);
/** Fire every timer that is due; called by step() */
void timers_run(void);
/** Ticks until the next timer fires, or ~0UL if none is running */
unsigned long timers_next(void);

/**
 * A retry timer: a timer whose timeout doubles on each expiry, between a
 * minimum and a maximum, for protocols that retransmit (ARP, DHCP, TCP).
 * When the timeout would exceed the maximum, expired() is told to give up.
 */
struct retry_timer {
	/** Underlying timer */
	struct timer timer;
	/** Current timeout, in ticks (0 = not yet set) */
	unsigned long timeout;
	/** Minimum timeout (0 = default) */
	unsigned long min;
	/** Maximum timeout (0 = default) */
	unsigned long max;
	/** Expiries since the last start */
	unsigned int count;
	/** Called on expiry; @fail means the maximum was passed: give up */
	void (*expired)(struct retry_timer *retry, int fail);
};

#define RETRY_DEFAULT_MIN (TICKS_PER_SEC / 4)
#define RETRY_DEFAULT_MAX (10 * TICKS_PER_SEC)

/** Initialise a retry timer */
void retry_init(struct retry_timer *retry,
		void (*expired)(struct retry_timer *retry, int fail),
		struct refcnt *refcnt);
/** Set the bounds of a retry timer's timeout */
static inline void retry_set_bounds(struct retry_timer *retry,
				    unsigned long min, unsigned long max)
{
	retry->min = min;
	retry->max = max;
}
/** Start a retry timer with its current timeout (the minimum at first) */
void retry_start(struct retry_timer *retry);
/** Start a retry timer with a specific timeout for this round only */
void retry_start_fixed(struct retry_timer *retry, unsigned long timeout);
/** Stop a retry timer; the timeout is kept, as RTT estimation may update it */
void retry_stop(struct retry_timer *retry);
/** Reset a retry timer's backoff to its minimum */
void retry_reset(struct retry_timer *retry);
static inline int retry_running(struct retry_timer *retry)
{
	return retry->timer.running;
}

#endif
