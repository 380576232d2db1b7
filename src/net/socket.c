/* Opening sockets: by address through the socket openers, or by name after
 * resolving. */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/open.h>
#include <keel/resolv.h>
#include <keel/xfer.h>

int xfer_open_socket(struct interface *xfer, int semantics,
		     struct sockaddr *peer, struct sockaddr *local)
{
	struct socket_opener *opener;

	for_each_table_entry(opener, SOCKET_OPENERS) {
		if (opener->semantics == semantics &&
		    opener->family == peer->sa_family)
			return opener->open(xfer, peer, local);
	}
	return errctx(-ENOTSUP,
		      "no %s sockets for address family %u in "
		      "this build",
		      semantics == SOCK_STREAM ? "stream" : "datagram",
		      peer->sa_family);
}

/** A socket waiting for its name to resolve */
struct named_socket {
	struct refcnt refcnt;
	/** To the user */
	struct interface xfer;
	/** To the resolver */
	struct interface resolv;
	/** To the socket, once opened */
	struct interface socket;
	int semantics;
	/** The name resolved (the resolver's close that follows is expected) */
	int resolved;
	struct sockaddr peer;
	struct sockaddr local;
	int have_local;
};

static void named_close(struct named_socket *named, int rc)
{
	intfs_shutdown(rc, &named->resolv, &named->socket, &named->xfer, NULL);
}

/** Nothing may be sent before the socket exists */
static size_t named_window(struct named_socket *named)
{
	(void)named;
	return 0;
}

static void named_resolv_done(struct named_socket *named, struct sockaddr *sa)
{
	int rc;

	named->resolved = 1;
	memcpy(&named->peer, sa, sizeof(named->peer));
	rc = xfer_open_socket(&named->socket, named->semantics, &named->peer,
			      named->have_local ? &named->local : NULL);
	if (rc != 0) {
		named_close(named, rc);
		return;
	}
	/* Step out of the way: the user now talks to the socket directly */
	intf_shutdown(&named->resolv, 0);
	intf_splice(&named->xfer, &named->socket);
	xfer_window_changed(&named->xfer);
}

static void named_resolv_close(struct named_socket *named, int rc)
{
	/* The resolver finished without an answer: the name did not resolve */
	if (!named->resolved)
		named_close(named, rc ? rc : -ENOENT);
	else
		intf_shutdown(&named->resolv, 0);
}

static struct interface_operation named_xfer_ops[] = {
	INTF_OP(xfer_window, struct named_socket *, named_window),
	INTF_OP(intf_close, struct named_socket *, named_close),
};
static struct interface_descriptor named_xfer_desc =
	INTF_DESC(struct named_socket, xfer, named_xfer_ops);

static struct interface_operation named_resolv_ops[] = {
	INTF_OP(resolv_done, struct named_socket *, named_resolv_done),
	INTF_OP(intf_close, struct named_socket *, named_resolv_close),
};
static struct interface_descriptor named_resolv_desc =
	INTF_DESC(struct named_socket, resolv, named_resolv_ops);

static struct interface_operation named_socket_ops[] = {
	INTF_OP(intf_close, struct named_socket *, named_close),
};
static struct interface_descriptor named_socket_desc =
	INTF_DESC(struct named_socket, socket, named_socket_ops);

int xfer_open_named_socket(struct interface *xfer, int semantics,
			   struct sockaddr *peer, const char *name,
			   struct sockaddr *local)
{
	struct named_socket *named = zalloc(sizeof(*named));
	int rc;

	if (!named)
		return -ENOMEM;
	ref_init(&named->refcnt, NULL);
	intf_init(&named->xfer, &named_xfer_desc, &named->refcnt);
	intf_init(&named->resolv, &named_resolv_desc, &named->refcnt);
	intf_init(&named->socket, &named_socket_desc, &named->refcnt);
	named->semantics = semantics;
	memcpy(&named->peer, peer, sizeof(named->peer));
	if (local) {
		memcpy(&named->local, local, sizeof(named->local));
		named->have_local = 1;
	}
	if ((rc = resolv(&named->resolv, name, &named->peer)) != 0)
		goto err;
	intf_plug_plug(&named->xfer, xfer);
	ref_put(&named->refcnt);
	return 0;
err:
	named_close(named, rc);
	ref_put(&named->refcnt);
	return rc;
}
