/* Object interfaces: plugging, operation lookup with pass-through, closing. */
#include <stdarg.h>
#include <keel/interface.h>

const struct interface_descriptor null_intf_desc = {.offset = 0};
struct interface null_intf = {
	.dest = &null_intf,
	.refcnt = NULL,
	.desc = &null_intf_desc,
};

struct interface *intf_get(struct interface *intf)
{
	ref_get(intf->refcnt);
	return intf;
}

void intf_put(struct interface *intf)
{
	ref_put(intf->refcnt);
}

void intf_plug(struct interface *intf, struct interface *dest)
{
	intf_get(dest);
	intf_put(intf->dest);
	intf->dest = dest;
}

void intf_plug_plug(struct interface *a, struct interface *b)
{
	intf_plug(a, b);
	intf_plug(b, a);
}

void intf_unplug(struct interface *intf)
{
	intf_plug(intf, &null_intf);
}

/** Look an operation up in one interface's own descriptor */
static void *intf_find_op(struct interface *intf, void *type)
{
	const struct interface_descriptor *desc = intf->desc;
	unsigned int i;

	for (i = 0; i < desc->num_op; i++) {
		if (desc->op[i].type == type)
			return desc->op[i].func;
	}
	return NULL;
}

void *intf_get_dest_op_untyped(struct interface *intf, void *type,
			       struct interface **dest)
{
	struct interface *next;
	void *func;

	/* Bounded: a pass-through chain longer than this is a cycle */
	unsigned int hops = 64;

	*dest = intf_get(intf->dest);
	while (hops--) {
		func = intf_find_op(*dest, type);
		if (func || !(*dest)->desc->passthru)
			return func;
		next = (struct interface *)((char *)*dest +
					    (*dest)->desc->passthru);
		next = intf_get(next->dest);
		intf_put(*dest);
		*dest = next;
	}
	return NULL;
}

void intf_close(struct interface *intf, int rc)
{
	struct interface *dest;
	__typeof__(intf_close_TYPE(void *)) op =
		intf_get_dest_op(intf, intf_close, &dest);

	if (op)
		op(intf_object(dest), rc);
	else
		intf_unplug(dest); /* default: the peer lets go of us */
	intf_put(dest);
}

void intf_shutdown(struct interface *intf, int rc)
{
	struct interface tmp;

	/* Move the connection to a temporary so that re-entry sees us unplugged
	 */
	tmp.desc = &null_intf_desc;
	tmp.refcnt = NULL;
	tmp.dest = &null_intf;
	intf_plug(&tmp, intf->dest);
	intf_unplug(intf);
	intf_close(&tmp, rc);
	intf_unplug(&tmp);
}

void intfs_shutdown(int rc, ...)
{
	struct interface *intf;
	va_list args;

	va_start(args, rc);
	while ((intf = va_arg(args, struct interface *)) != NULL)
		intf_shutdown(intf, rc);
	va_end(args);
}

void intf_splice(struct interface *a, struct interface *b)
{
	struct interface *a_dest = intf_get(a->dest);
	struct interface *b_dest = intf_get(b->dest);

	intf_plug(a_dest, b_dest);
	intf_plug(b_dest, a_dest);
	intf_unplug(a);
	intf_unplug(b);
	intf_put(a_dest);
	intf_put(b_dest);
}

void intf_restart(struct interface *intf, int rc)
{
	const struct interface_descriptor *desc = intf->desc;

	intf_shutdown(intf, rc);
	intf->desc = desc;
}
