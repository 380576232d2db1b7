/* HTTP persistent connections: idle connections parked by host and port,
 * reused, and closed after a while or at shutdown. */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/http.h>
#include <keel/init.h>
#include <keel/interface.h>
#include <keel/list.h>
#include <keel/timer.h>
#include <keel/xfer.h>

/** A parked connection */
struct http_idle {
	struct refcnt refcnt;
	/** Link in the pool, oldest first */
	struct list_head list;
	/** To the connection */
	struct interface socket;
	/** Closes the connection when it has idled long enough */
	struct timer timer;
	char *host;
	unsigned int port;
};

/** Parked connections, oldest first */
static LIST_HEAD(http_idle_list);

static void http_idle_free(struct refcnt *refcnt)
{
	struct http_idle *idle = container_of(refcnt, struct http_idle, refcnt);

	free(idle->host);
	free(idle);
}

/** Take a parked connection out of the pool (the pool's reference goes) */
static void http_idle_remove(struct http_idle *idle)
{
	if (list_unlinked(&idle->list))
		return;
	list_del(&idle->list);
	timer_stop(&idle->timer);
	ref_put(&idle->refcnt);
}

/** Close a parked connection: gracefully (@rc 0) or aborted */
static void http_idle_close(struct http_idle *idle, int rc)
{
	ref_get(&idle->refcnt);
	DBGC(idle, "HTTP idle connection to %s:%u closed: %s\n", idle->host,
	     idle->port, strerror(rc));
	intf_shutdown(&idle->socket, rc);
	http_idle_remove(idle);
	ref_put(&idle->refcnt);
}

/** The server sent something while no request was out: drop it */
static int http_idle_deliver(struct http_idle *idle, struct io_buffer *iobuf,
			     struct xfer_metadata *meta)
{
	(void)meta;
	free_iob(iobuf);
	http_idle_close(idle, -EPROTO);
	return 0;
}

static void http_idle_expired(struct timer *timer)
{
	http_idle_close(container_of(timer, struct http_idle, timer), 0);
}

static struct interface_operation http_idle_ops[] = {
	INTF_OP(xfer_deliver, struct http_idle *, http_idle_deliver),
	INTF_OP(intf_close, struct http_idle *, http_idle_close),
};
static struct interface_descriptor http_idle_desc =
	INTF_DESC(struct http_idle, socket, http_idle_ops);

/** Move the connection @from is plugged into over to @to */
static void http_move(struct interface *to, struct interface *from)
{
	intf_plug_plug(to, from->dest);
	intf_unplug(from);
}

void http_pool_put(struct interface *socket, const char *host,
		   unsigned int port)
{
	struct http_idle *idle;

	if (http_tunables.max_idle &&
	    http_pool_count() >= http_tunables.max_idle)
		http_idle_close(list_first_entry(&http_idle_list,
						 struct http_idle, list),
				0);
	idle = zalloc(sizeof(*idle));
	if (!idle || !(idle->host = strdup(host)) || !http_tunables.max_idle) {
		free(idle ? idle->host : NULL);
		free(idle);
		intf_shutdown(socket, 0);
		return;
	}
	ref_init(&idle->refcnt, http_idle_free);
	intf_init(&idle->socket, &http_idle_desc, &idle->refcnt);
	timer_init(&idle->timer, http_idle_expired, &idle->refcnt);
	idle->port = port;
	http_move(&idle->socket, socket);
	/* The pool's reference is the one we were born with */
	list_add_tail(&idle->list, &http_idle_list);
	timer_start(&idle->timer, http_tunables.idle_ms * TICKS_PER_MS);
	DBGC(idle, "HTTP connection to %s:%u parked\n", host, port);
}

int http_pool_get(struct interface *socket, const char *host, unsigned int port)
{
	struct http_idle *idle;

	list_for_each_entry(idle, &http_idle_list, list) {
		if (idle->port == port && strcasecmp(idle->host, host) == 0)
			break;
	}
	if (&idle->list == &http_idle_list)
		return 0;
	ref_get(&idle->refcnt);
	http_move(socket, &idle->socket);
	http_idle_remove(idle);
	ref_put(&idle->refcnt);
	DBGC(idle, "HTTP connection to %s:%u reused\n", host, port);
	return 1;
}

void http_pool_flush(void)
{
	while (!list_empty(&http_idle_list))
		http_idle_close(list_first_entry(&http_idle_list,
						 struct http_idle, list),
				0);
}

unsigned int http_pool_count(void)
{
	struct http_idle *idle;
	unsigned int count = 0;

	list_for_each_entry(idle, &http_idle_list, list)
		count++;
	return count;
}

static void http_pool_shutdown(int booting)
{
	(void)booting;
	http_pool_flush();
}

struct startup_fn http_pool_startup_fn __startup_fn(STARTUP_NORMAL) = {
	.name = "http",
	.shutdown = http_pool_shutdown,
};
