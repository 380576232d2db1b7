/* Name resolution: literal addresses and DNS behind one asynchronous interface. */
#ifndef KEEL_RESOLV_H
#define KEEL_RESOLV_H
#include <keel/in.h>
#include <keel/interface.h>
#include <keel/tables.h>

/** A name resolver */
struct resolver {
	const char *name;
	/**
	 * Start resolving @name. The answer comes back through
	 * resolv_done() on @resolv, then intf_close().
	 *
	 * @sa		address with the port (and family wish) set
	 * @ret rc	0 if started, -ENXIO if this resolver cannot try
	 */
	int (*resolv)(struct interface *resolv, const char *name,
		      struct sockaddr *sa);
};
/* Order: literal addresses first, then DNS */
#define RESOLV_NUMERIC 01
#define RESOLV_NORMAL 02
#define RESOLVERS __table(struct resolver, "resolvers")
#define __resolver(order) __table_entry(RESOLVERS, order)

/** Report a resolved address (the port is preserved from the request) */
void resolv_done(struct interface *intf, struct sockaddr *sa);
#define resolv_done_TYPE(object_type) void (*)(object_type, struct sockaddr *)

/**
 * Resolve a name with the first resolver that accepts it.
 *
 * @resolv	interface to report on (resolv_done, then close)
 */
int resolv(struct interface *resolv, const char *name, struct sockaddr *sa);

/**
 * Resolve a name and wait (stepping the scheduler; Ctrl-C cancels).
 *
 * @sa		address, filled in (port and family as requested)
 * @ret rc	0, -ENOENT (no such name), -ETIMEDOUT, -ECANCELED
 */
int resolv_sync(const char *name, struct sockaddr *sa);

#endif
