/* Reference counting. */
#include <stdlib.h>
#include <keel/refcnt.h>

struct refcnt *ref_get(struct refcnt *refcnt)
{
	if (refcnt)
		refcnt->count++;
	return refcnt;
}

void ref_put(struct refcnt *refcnt)
{
	if (!refcnt)
		return;
	if (--refcnt->count >= 0)
		return;
	if (refcnt->free)
		refcnt->free(refcnt);
	else
		free(refcnt);
}

void ref_no_free(struct refcnt *refcnt)
{
	(void)refcnt;
}
