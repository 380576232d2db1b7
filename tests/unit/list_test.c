/* Self-tests: lists and reference counts. */
#include <stdlib.h>
#include <keel/list.h>
#include <keel/refcnt.h>
#include <keel/test.h>

struct item {
	struct list_head list;
	int value;
};

/** Check that a list holds exactly @values, in order */
static int list_is(struct list_head *head, const int *values, unsigned int n)
{
	struct item *item;
	unsigned int i = 0;

	if (!list_check(head))
		return 0;
	list_for_each_entry(item, head, list) {
		if (i >= n || item->value != values[i++])
			return 0;
	}
	return i == n;
}

static void list_test_exec(void)
{
	LIST_HEAD(head);
	struct item items[5], *pos, *tmp;
	int i, n;

	ok(list_empty(&head));
	ok(list_first_entry(&head, struct item, list) == NULL);
	for (i = 0; i < 5; i++)
		items[i].value = i;
	list_add(&items[1].list, &head);
	list_add(&items[0].list, &head);
	list_add_tail(&items[2].list, &head);
	list_add_tail(&items[3].list, &head);
	ok(list_is(&head, (const int[]){0, 1, 2, 3}, 4));
	ok(list_count(&head) == 4);
	ok(list_first_entry(&head, struct item, list) == &items[0]);
	ok(list_last_entry(&head, struct item, list) == &items[3]);

	list_del(&items[1].list);
	ok(list_unlinked(&items[1].list));
	ok(list_is(&head, (const int[]){0, 2, 3}, 3));

	n = 3;
	list_for_each_entry_reverse(pos, &head, list)
		ok(pos->value == (int[]){0, 2, 3}[--n]);

	/* Deleting while iterating */
	list_for_each_entry_safe(pos, tmp, &head, list) {
		if (pos->value != 3)
			list_del(&pos->list);
	}
	ok(list_is(&head, (const int[]){3}, 1));
	list_del(&items[3].list);
	ok(list_empty(&head));
	ok(list_check(&head));
}

struct self_test list_test __self_test = {
	.name = "list",
	.exec = list_test_exec,
};

struct counted {
	struct refcnt refcnt;
	int *freed;
};

static void counted_free(struct refcnt *refcnt)
{
	struct counted *obj = container_of(refcnt, struct counted, refcnt);

	(*obj->freed)++;
	free(obj);
}

static void refcnt_test_exec(void)
{
	struct counted *obj = malloc(sizeof(*obj));
	struct refcnt plain;
	int freed = 0;

	ok(obj != NULL);
	if (!obj)
		return;
	ref_init(&obj->refcnt, counted_free);
	obj->freed = &freed;
	ok(ref_get_obj(obj) == obj);
	ref_get(&obj->refcnt);
	ref_put(&obj->refcnt);
	ref_put(&obj->refcnt);
	ok(freed == 0); /* the creator's reference remains */
	ref_put(&obj->refcnt);
	ok(freed == 1);

	/* NULL is accepted everywhere */
	ok(ref_get(NULL) == NULL);
	ref_put(NULL);

	/* A static object with ref_no_free survives its last put */
	ref_init(&plain, ref_no_free);
	ref_put(&plain);
	ok(plain.count == -1);
}

struct self_test refcnt_test __self_test = {
	.name = "refcnt",
	.exec = refcnt_test_exec,
};
