/* Linker tables: arrays assembled by the linker from entries spread over many objects. */
#ifndef KEEL_TABLES_H
#define KEEL_TABLES_H

/*
 * A table NAME lives in sections ".tbl.NAME.NN". Every platform's linker
 * script gathers ".tbl.*" sorted by name, so entries are ordered by NN and
 * the zero-length markers in ".tbl.NAME.00" and ".tbl.NAME.99" bracket them.
 * Entries of order 01 come first, 98 last.
 *
 *   #define COMMANDS __table(struct command, "commands")
 *   struct command echo_cmd __table_entry(COMMANDS, 01) = { ... };
 *   for_each_table_entry(cmd, COMMANDS) { ... }
 */

/** Declare a table: its entry type and name */
#define __table(type, name) (type, name)
#define __table_type(table) __table_extract_type table
#define __table_extract_type(type, name) type
#define __table_name(table) __table_extract_name table
#define __table_extract_name(type, name) name
#define __table_section(table, idx) ".tbl." __table_name(table) "." _S2(idx)

/* Alignment is fixed by the user so that the compiler never pads between entries */
#define __table_align(table) __alignof__(__table_type(table))

/** Attribute placing an entry in a table at order @idx (01..98) */
#define __table_entry(table, idx)                                              \
	__attribute__((used, section(__table_section(table, idx)),              \
		       aligned(__table_align(table)))) __no_asan_global

/*
 * The markers are zero-sized objects, so the pointer is laundered through an
 * empty asm: the compiler (and UBSan's object-size check) must not assume
 * that entries read through it lie within the marker itself.
 */
#define __table_marker(table, idx)                                             \
	({                                                                     \
		static __table_type(table) __marker[0] __attribute__((        \
			used, section(__table_section(table, idx)),           \
			aligned(__table_align(table)))) __no_asan_global;     \
		__table_type(table) *__p = __marker;                           \
		__asm__("" : "+r"(__p));                                       \
		__p;                                                           \
	})

/** First entry of a table */
#define table_start(table) __table_marker(table, 00)
/** One past the last entry of a table */
#define table_end(table) __table_marker(table, 99)
/** Number of entries in a table */
#define table_num_entries(table)                                               \
	((unsigned int)(table_end(table) - table_start(table)))

/** Iterate over every entry of a table, in order */
#define for_each_table_entry(pos, table)                                       \
	for (pos = table_start(table); pos < table_end(table); pos++)

/** Iterate over every entry of a table, in reverse order */
#define for_each_table_entry_reverse(pos, table)                               \
	for (pos = (table_end(table) - 1); pos >= table_start(table); pos--)

#endif /* KEEL_TABLES_H */
