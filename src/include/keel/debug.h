/* Debug output that compiles away unless DEBUG=file[:level] names this object. */
#ifndef KEEL_DEBUG_H
#define KEEL_DEBUG_H

/*
 * DBGLVL is set per object by the Makefile from DEBUG=obj[:level],...
 * Level bits: 1 = normal (DBG), 2 = extra (DBG2), 4 = packet dumps (DBG_HD).
 */
#ifndef DBGLVL
#define DBGLVL 0
#endif

#ifndef ASSEMBLY
void dbg_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dbg_hexdump(const void *data, unsigned long len);

#define DBG_IF(lvl, ...)                                                       \
	do {                                                                   \
		if (DBGLVL & (lvl))                                            \
			dbg_printf(__VA_ARGS__);                               \
	} while (0)

/** Normal debug message */
#define DBG(...) DBG_IF(1, __VA_ARGS__)
/** Extra (verbose) debug message */
#define DBG2(...) DBG_IF(2, __VA_ARGS__)
/** Hex dump of a buffer at level 4 */
#define DBG_HD(data, len)                                                      \
	do {                                                                   \
		if (DBGLVL & 4)                                                \
			dbg_hexdump(data, len);                                \
	} while (0)
/** Debug message prefixed with an object's address, to tell instances apart */
#define DBGC(obj, fmt, ...) DBG_IF(1, "[%p] " fmt, (void *)(obj), ##__VA_ARGS__)
#define DBGC2(obj, fmt, ...) DBG_IF(2, "[%p] " fmt, (void *)(obj), ##__VA_ARGS__)
#endif

#endif /* KEEL_DEBUG_H */
