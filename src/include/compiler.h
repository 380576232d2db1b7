/* Compiler glue included first in every firmware object: object identity, attributes. */
#ifndef COMPILER_H
#define COMPILER_H

/*
 * Every firmware object is built with -DOBJECT=<basename> and -DFILE_ID=<n>.
 * Each object defines a symbol obj_<basename>, so that configuration code can
 * pull an object out of the library archive with REQUIRE_OBJECT(); this is how
 * features are chosen at link time.
 */
#define _C1(x, y) x##y
#define _C2(x, y) _C1(x, y)
#define _S1(x) #x
#define _S2(x) _S1(x)

/* Clang instruments globals in custom sections; table entries must not be padded */
#if defined(__clang__) && defined(__has_feature)
#if __has_feature(address_sanitizer)
#define __no_asan_global __attribute__((no_sanitize("address")))
#endif
#endif
#ifndef __no_asan_global
#define __no_asan_global
#endif

#ifndef ASSEMBLY

/** Define a global symbol that other objects may require */
#define PROVIDE_SYMBOL(sym)                                                    \
	char sym[0] __attribute__((used, section(".discard.sym"))) __no_asan_global
/** Make the link fail unless the object providing @sym is present */
#define REQUIRE_SYMBOL(sym)                                                    \
	extern char sym[];                                                     \
	static char *const _C2(__require_, sym) __attribute__((used,           \
		section(".discard.req"))) __no_asan_global = sym
/** Require an object by its basename */
#define REQUIRE_OBJECT(name) REQUIRE_SYMBOL(_C2(obj_, name))

#ifdef OBJECT
PROVIDE_SYMBOL(_C2(obj_, OBJECT));
#endif

#endif /* ASSEMBLY */

#ifndef FILE_ID
#define FILE_ID 0
#endif

#define __unused __attribute__((unused))
#define __used __attribute__((used))
#define __packed __attribute__((packed))
#define __aligned(n) __attribute__((aligned(n)))
#define __noreturn __attribute__((noreturn))
#define __weak __attribute__((weak))
#define __always_inline inline __attribute__((always_inline))
#define __printf(f, a) __attribute__((format(printf, f, a)))
#define __nonnull __attribute__((nonnull))
#define __must_check __attribute__((warn_unused_result))
/** Export a symbol out of the firmware into the platform's host side */
#define __export __attribute__((visibility("default")))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/** Containing structure of a member pointer */
#define container_of(ptr, type, member)                                        \
	((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

#include <keel/debug.h>

#endif /* COMPILER_H */
