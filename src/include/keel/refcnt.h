/* Reference counts: every long-lived object is freed when its last user lets go. */
#ifndef KEEL_REFCNT_H
#define KEEL_REFCNT_H

/** A reference counter, embedded in its object */
struct refcnt {
	/**
	 * Number of references beyond the first. The object is created with
	 * count 0 (one reference) and freed when it would drop below 0.
	 */
	int count;
	/** Free the object; NULL means free(refcnt), so embed it first */
	void (*free)(struct refcnt *refcnt);
};

/** Initialise a reference count with a free method */
static inline void ref_init(struct refcnt *refcnt,
			    void (*free)(struct refcnt *refcnt))
{
	refcnt->count = 0;
	refcnt->free = free;
}

/** Take a reference; NULL is accepted and ignored. Returns @refcnt. */
struct refcnt *ref_get(struct refcnt *refcnt);
/** Drop a reference; NULL is accepted and ignored */
void ref_put(struct refcnt *refcnt);
/** A free method that does nothing, for statically allocated objects */
void ref_no_free(struct refcnt *refcnt);

/** Take a reference to an object that embeds "struct refcnt refcnt" */
#define ref_get_obj(obj) ((obj) ? (ref_get(&(obj)->refcnt), (obj)) : (obj))
/** Drop a reference to an object that embeds "struct refcnt refcnt" */
#define ref_put_obj(obj)                                                       \
	do {                                                                   \
		if (obj)                                                       \
			ref_put(&(obj)->refcnt);                               \
	} while (0)

#endif
