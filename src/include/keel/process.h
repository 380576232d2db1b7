/* Cooperative processes: everything that runs in the background, stepped in turn. */
#ifndef KEEL_PROCESS_H
#define KEEL_PROCESS_H
#include <keel/list.h>
#include <keel/refcnt.h>
#include <keel/tables.h>

/** What a process does */
struct process_descriptor {
	/** Offset of the process within its object */
	unsigned long offset;
	/** Do one slice of work; never blocks */
	void (*step)(void *object);
	/** True to keep running; false to run once and leave the list */
	int reschedule;
};

/** A process */
struct process {
	/** Link in the run list (self-linked when not running) */
	struct list_head list;
	/** What it does */
	const struct process_descriptor *desc;
	/** Reference held while running, or NULL */
	struct refcnt *refcnt;
};

/** Descriptor for a process @member of @type stepping with @func */
#define PROC_DESC(type, member, func)                                          \
	{ .offset = __builtin_offsetof(type, member), .step = (void (*)(void *))(func), \
	  .reschedule = 1 }
/** Descriptor for a process that runs once when added */
#define PROC_DESC_ONCE(type, member, func)                                     \
	{ .offset = __builtin_offsetof(type, member), .step = (void (*)(void *))(func), \
	  .reschedule = 0 }

static inline void process_init_stopped(struct process *process,
					const struct process_descriptor *desc,
					struct refcnt *refcnt)
{
	INIT_LIST_HEAD(&process->list);
	process->desc = desc;
	process->refcnt = refcnt;
}

/** Add a process to the run list; harmless if already running */
void process_add(struct process *process);
/** Remove a process from the run list; harmless if not running */
void process_del(struct process *process);
static inline int process_running(struct process *process)
{
	return !list_unlinked(&process->list);
}
/** Initialise a process and start it */
static inline void process_init(struct process *process,
				const struct process_descriptor *desc,
				struct refcnt *refcnt)
{
	process_init_stopped(process, desc, refcnt);
	process_add(process);
}

/** Permanent processes, started at boot (e.g. network polling) */
#define PERMANENT_PROCESSES __table(struct process, "processes")
#define __permanent_process __table_entry(PERMANENT_PROCESSES, 01)

/**
 * Run one round of the scheduler: due timers, then one step of each process
 * that was running when the round began.
 */
void step(void);

/** Number of processes on the run list */
unsigned int process_count(void);

#endif
