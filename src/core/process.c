/* Cooperative scheduler: the run list, and step(). */
#include <keel/process.h>
#include <keel/timer.h>
#include <keel/init.h>

static LIST_HEAD(run_queue);

void process_add(struct process *process)
{
	if (process_running(process))
		return;
	list_add_tail(&process->list, &run_queue);
	ref_get(process->refcnt);
}

void process_del(struct process *process)
{
	if (!process_running(process))
		return;
	list_del(&process->list);
	ref_put(process->refcnt);
}

unsigned int process_count(void)
{
	return list_count(&run_queue);
}

void step(void)
{
	unsigned int n = list_count(&run_queue);
	struct process *process;
	struct refcnt *refcnt;
	void *object;

	timers_run();
	while (n-- &&
	       (process = list_first_entry(&run_queue, struct process, list))) {
		/*
		 * Hold a reference: the step may end the object's life. The
		 * process is not touched after its step, which may free it.
		 */
		refcnt = ref_get(process->refcnt);
		list_del(&process->list);
		if (process->desc->reschedule)
			list_add_tail(&process->list, &run_queue);
		else
			ref_put(refcnt); /* the run list's reference */
		object = (char *)process - process->desc->offset;
		process->desc->step(object);
		ref_put(refcnt);
	}
}

/** Start every permanent process */
static void permanent_processes_init(void)
{
	struct process *process;

	for_each_table_entry(process, PERMANENT_PROCESSES) {
		INIT_LIST_HEAD(&process->list);
		process_add(process);
	}
}

struct init_fn permanent_processes_init_fn __init_fn(INIT_NORMAL) = {
	.name = "processes",
	.init = permanent_processes_init,
};
