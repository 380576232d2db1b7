/* Doubly-linked circular lists embedded in their owners. */
#ifndef KEEL_LIST_H
#define KEEL_LIST_H
#include <stddef.h>

/** A list head, or a link within an entry */
struct list_head {
	struct list_head *next;
	struct list_head *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }
/** Declare and initialise a list head */
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

/** Initialise a list head (an empty list) */
static inline void INIT_LIST_HEAD(struct list_head *list)
{
	list->next = list;
	list->prev = list;
}

static inline void list_insert(struct list_head *new, struct list_head *prev,
			       struct list_head *next)
{
	next->prev = new;
	new->next = next;
	new->prev = prev;
	prev->next = new;
}

/** Add an entry at the head of a list */
static inline void list_add(struct list_head *new, struct list_head *head)
{
	list_insert(new, head, head->next);
}

/** Add an entry at the tail of a list */
static inline void list_add_tail(struct list_head *new, struct list_head *head)
{
	list_insert(new, head->prev, head);
}

/** Remove an entry from its list; the entry is left self-linked */
static inline void list_del(struct list_head *entry)
{
	entry->next->prev = entry->prev;
	entry->prev->next = entry->next;
	INIT_LIST_HEAD(entry);
}

/** True if a list is empty */
static inline int list_empty(const struct list_head *list)
{
	return list->next == list;
}

/** True if an entry is on no list (after INIT_LIST_HEAD or list_del) */
#define list_unlinked(entry) list_empty(entry)

/** Entry containing a list link */
#define list_entry(link, type, member) container_of(link, type, member)
/** First entry of a list, or NULL if empty */
#define list_first_entry(head, type, member)                                   \
	(list_empty(head) ? NULL : list_entry((head)->next, type, member))
/** Last entry of a list, or NULL if empty */
#define list_last_entry(head, type, member)                                    \
	(list_empty(head) ? NULL : list_entry((head)->prev, type, member))

/** Iterate over entries */
#define list_for_each_entry(pos, head, member)                                 \
	for (pos = list_entry((head)->next, __typeof__(*pos), member);         \
	     &pos->member != (head);                                           \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))

/** Iterate over entries in reverse */
#define list_for_each_entry_reverse(pos, head, member)                         \
	for (pos = list_entry((head)->prev, __typeof__(*pos), member);         \
	     &pos->member != (head);                                           \
	     pos = list_entry(pos->member.prev, __typeof__(*pos), member))

/** Iterate over entries, allowing the current one to be removed */
#define list_for_each_entry_safe(pos, tmp, head, member)                       \
	for (pos = list_entry((head)->next, __typeof__(*pos), member),         \
	    tmp = list_entry(pos->member.next, __typeof__(*pos), member);      \
	     &pos->member != (head); pos = tmp,                                \
	    tmp = list_entry(tmp->member.next, __typeof__(*tmp), member))

/** Number of entries (walks the list) */
static inline unsigned int list_count(const struct list_head *head)
{
	const struct list_head *l;
	unsigned int n = 0;

	for (l = head->next; l != head; l = l->next)
		n++;
	return n;
}

/**
 * Check a list's links for consistency.
 *
 * @ret ok	true if every next->prev and prev->next points back
 */
static inline int list_check(const struct list_head *head)
{
	const struct list_head *l = head;

	do {
		if (l->next->prev != l || l->prev->next != l)
			return 0;
		l = l->next;
	} while (l != head);
	return 1;
}

#endif
