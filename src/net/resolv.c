/* Name resolution: dispatch to resolvers, the literal-address resolver, and
 * waiting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/console.h>
#include <keel/process.h>
#include <keel/resolv.h>
#include <keel/timer.h>

void resolv_done(struct interface *intf, struct sockaddr *sa)
{
	struct interface *dest;
	__typeof__(resolv_done_TYPE(void *)) op =
		intf_get_dest_op(intf, resolv_done, &dest);

	if (op)
		op(intf_object(dest), sa);
	intf_put(dest);
}

int resolv(struct interface *resolv_intf, const char *name, struct sockaddr *sa)
{
	struct resolver *resolver;
	int rc;

	for_each_table_entry(resolver, RESOLVERS) {
		rc = resolver->resolv(resolv_intf, name, sa);
		if (!rc_is(rc, ENXIO))
			return rc;
	}
	return errctx(-ENXIO,
		      "cannot resolve \"%s\": not an address, and "
		      "this build has no DNS",
		      name);
}

/* ------------------------------------------------------------------------
 * Literal addresses, answered from a process so the caller is never
 * called back before resolv() has returned
 */

struct numeric_resolv {
	struct refcnt refcnt;
	struct interface resolv;
	struct process process;
	struct sockaddr sa;
};

static void numeric_step(struct numeric_resolv *numeric)
{
	resolv_done(&numeric->resolv, &numeric->sa);
	intf_shutdown(&numeric->resolv, 0);
}

/** The requester gave up before the answer went out */
static void numeric_close(struct numeric_resolv *numeric, int rc)
{
	process_del(&numeric->process);
	intf_shutdown(&numeric->resolv, rc);
}

static const struct process_descriptor numeric_process_desc =
	PROC_DESC_ONCE(struct numeric_resolv, process, numeric_step);
static struct interface_operation numeric_resolv_ops[] = {
	INTF_OP(intf_close, struct numeric_resolv *, numeric_close),
};
static struct interface_descriptor numeric_resolv_desc =
	INTF_DESC(struct numeric_resolv, resolv, numeric_resolv_ops);

static int numeric_resolv(struct interface *resolv_intf, const char *name,
			  struct sockaddr *sa)
{
	struct sockaddr_in *sin;
	struct numeric_resolv *numeric;
	struct in_addr addr;

	if (!inet_aton(name, &addr))
		return -ENXIO;
	numeric = zalloc(sizeof(*numeric));
	if (!numeric)
		return -ENOMEM;
	ref_init(&numeric->refcnt, NULL);
	intf_init(&numeric->resolv, &numeric_resolv_desc, &numeric->refcnt);
	memcpy(&numeric->sa, sa, sizeof(numeric->sa));
	sin = (struct sockaddr_in *)&numeric->sa;
	sin->sin_family = AF_INET;
	sin->sin_addr = addr;
	process_init(&numeric->process, &numeric_process_desc,
		     &numeric->refcnt);
	intf_plug_plug(&numeric->resolv, resolv_intf);
	ref_put(&numeric->refcnt);
	return 0;
}

struct resolver numeric_resolver __resolver(RESOLV_NUMERIC) = {
	.name = "numeric",
	.resolv = numeric_resolv,
};

/* ------------------------------------------------------------------------
 * Waiting for an answer
 */

struct resolv_wait {
	struct refcnt refcnt;
	struct interface resolv;
	struct sockaddr *sa;
	int done;
	int rc;
};

static void resolv_wait_done(struct resolv_wait *wait, struct sockaddr *sa)
{
	memcpy(wait->sa, sa, sizeof(*wait->sa));
	wait->rc = 0;
}

static void resolv_wait_close(struct resolv_wait *wait, int rc)
{
	if (rc)
		wait->rc = rc;
	wait->done = 1;
	intf_shutdown(&wait->resolv, rc);
}

static struct interface_operation resolv_wait_ops[] = {
	INTF_OP(resolv_done, struct resolv_wait *, resolv_wait_done),
	INTF_OP(intf_close, struct resolv_wait *, resolv_wait_close),
};
static struct interface_descriptor resolv_wait_desc =
	INTF_DESC(struct resolv_wait, resolv, resolv_wait_ops);

int resolv_sync(const char *name, struct sockaddr *sa)
{
	struct resolv_wait wait;
	int rc;

	memset(&wait, 0, sizeof(wait));
	ref_init(&wait.refcnt, ref_no_free);
	intf_init(&wait.resolv, &resolv_wait_desc, &wait.refcnt);
	wait.sa = sa;
	wait.rc = errctx(-ENOENT, "no address found for \"%s\"", name);
	if ((rc = resolv(&wait.resolv, name, sa)) != 0)
		return rc;
	while (!wait.done) {
		if (console_interrupted()) {
			intf_shutdown(&wait.resolv, -ECANCELED);
			return -ECANCELED;
		}
		udelay(100);
	}
	return wait.rc;
}
