/* Self-test helper: a capture NIC that keeps a copy of what the stack sends. */
#ifndef CAPNIC_H
#define CAPNIC_H
#include <keel/list.h>

struct net_device;

/** Copies of every frame transmitted on a capture NIC, oldest first */
extern struct list_head capnic_captured;

/**
 * Create and register a capture NIC with MAC 02:00:00:00:00:01.
 *
 * @ret netdev	device (the caller holds a reference), or NULL
 */
struct net_device *capnic_create(void);
/** Forget every captured frame */
void capnic_flush(void);

#endif
