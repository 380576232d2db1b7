/* Object interfaces: typed operations between objects, with default fallbacks. */
#ifndef KEEL_INTERFACE_H
#define KEEL_INTERFACE_H
#include <stddef.h>
#include <keel/refcnt.h>

/*
 * An object (a download, a connection, an image) exposes one or more
 * "struct interface" members. Each interface is plugged into a peer's
 * interface; operations invoked on an interface run in the peer object.
 *
 * An operation is identified by the address of its generic caller, e.g.
 * xfer_deliver. A descriptor lists the operations an interface implements;
 * anything missing gets the caller's default behaviour. A descriptor may name
 * a pass-through interface in the same object: operations the object does not
 * implement then travel on to whatever that interface is plugged into.
 */
struct interface;

/** One implemented operation */
struct interface_operation {
	/** Generic caller that identifies the operation */
	void *type;
	/** Implementation, taking the owning object as its first argument */
	void *func;
};

/** What an interface implements */
struct interface_descriptor {
	/** Offset of the interface within its object */
	size_t offset;
	/** Implemented operations */
	const struct interface_operation *op;
	/** Number of operations */
	unsigned int num_op;
	/** Offset from this interface to its pass-through partner, or 0 */
	long passthru;
};

/** An interface */
struct interface {
	/** Peer interface (the null interface when unplugged) */
	struct interface *dest;
	/** Reference count of the owning object, or NULL */
	struct refcnt *refcnt;
	/** Operations this interface implements */
	const struct interface_descriptor *desc;
};

/*
 * An operation named OP declares OP_TYPE(object_type): the pointer type of
 * its implementations. INTF_OP checks an implementation against it, so a
 * wrong signature is a compile error rather than a crash.
 */
#define INTF_OP(op_type, object_type, op_func)                                 \
	{                                                                      \
		.type = (void *)op_type,                                       \
		.func = __builtin_choose_expr(                                 \
			__builtin_types_compatible_p(__typeof__(&op_func),     \
						     op_type##_TYPE(object_type)), \
			(void *)op_func, (void)0),                             \
	}

/** Descriptor for interface @member of @object_type with operations @ops */
#define INTF_DESC(object_type, member, ops)                                    \
	{                                                                      \
		.offset = __builtin_offsetof(object_type, member),             \
		.op = ops, .num_op = ARRAY_SIZE(ops), .passthru = 0,           \
	}

/** As INTF_DESC, passing unimplemented operations through @pass */
#define INTF_DESC_PASSTHRU(object_type, member, ops, pass)                     \
	{                                                                      \
		.offset = __builtin_offsetof(object_type, member),             \
		.op = ops, .num_op = ARRAY_SIZE(ops),                          \
		.passthru = (long)__builtin_offsetof(object_type, pass) -      \
			    (long)__builtin_offsetof(object_type, member),     \
	}

/** Descriptor implementing nothing */
#define INTF_DESC_PURE(object_type, member)                                    \
	{ .offset = __builtin_offsetof(object_type, member) }

/** The interface everything unplugged points at; it implements nothing */
extern struct interface null_intf;
extern const struct interface_descriptor null_intf_desc;

/** Initialise an interface, unplugged */
static inline void intf_init(struct interface *intf,
			     const struct interface_descriptor *desc,
			     struct refcnt *refcnt)
{
	intf->dest = &null_intf;
	intf->refcnt = refcnt;
	intf->desc = desc;
}

/** Initialise an interface statically */
#define INTF_INIT(descriptor) { .dest = &null_intf, .refcnt = NULL, .desc = &(descriptor) }

/** The object owning an interface */
static inline void *intf_object(struct interface *intf)
{
	return (char *)intf - intf->desc->offset;
}

struct interface *intf_get(struct interface *intf);
void intf_put(struct interface *intf);
/** Plug @intf into @dest (one direction) */
void intf_plug(struct interface *intf, struct interface *dest);
/** Plug two interfaces into each other */
void intf_plug_plug(struct interface *a, struct interface *b);
/** Unplug @intf (one direction) */
void intf_unplug(struct interface *intf);
/** True if the interface is plugged into something */
static inline int intf_plugged(struct interface *intf)
{
	return intf->dest != &null_intf;
}

/**
 * Find the implementation of an operation at an interface's destination.
 *
 * @intf	source interface
 * @type	operation (its generic caller)
 * @dest	destination found, with a reference the caller must intf_put()
 * @ret func	implementation, or NULL to use the default
 */
void *intf_get_dest_op_untyped(struct interface *intf, void *type,
			       struct interface **dest);
#define intf_get_dest_op(intf, op_type, dest)                                  \
	((op_type##_TYPE(void *))intf_get_dest_op_untyped(                     \
		intf, (void *)op_type, dest))

/* The close operation, shared by every kind of interface */
void intf_close(struct interface *intf, int rc);
#define intf_close_TYPE(object_type) void (*)(object_type, int rc)

/**
 * Unplug an interface, then close what it was plugged into with @rc.
 * Safe against the peer closing us back.
 */
void intf_shutdown(struct interface *intf, int rc);
/** Shut down several interfaces of one object, in order, then re-init none */
void intfs_shutdown(int rc, ...);
/**
 * Connect what @a is plugged into with what @b is plugged into, and unplug
 * @a and @b: an object in the middle steps out of the way.
 */
void intf_splice(struct interface *a, struct interface *b);
/** Shut down an interface and leave it ready for reuse */
void intf_restart(struct interface *intf, int rc);

#endif
