/* Error codes: a POSIX-like code plus the identity of the site that raised it. */
#ifndef KEEL_ERRORS_H
#define KEEL_ERRORS_H

/*
 * A failing function returns a negative int rc = -E, where E packs:
 *   bits  0..7   the code (EC_*), which says what went wrong;
 *   bits  8..19  the source line that raised it;
 *   bits 20..30  the file identity (FILE_ID, assigned by the Makefile).
 * So "return -ENOENT;" records where the error was born, and two failures
 * with the same code stay distinguishable in a report. Compare errors by
 * code with rc_is(rc, ENOENT), never with ==.
 */
#define ERR_SITE(code)                                                         \
	((code) | ((__LINE__ & 0xfff) << 8) | ((FILE_ID & 0x7ff) << 20))

/** The code part of an rc (positive), or 0 for success */
#define err_code(rc) ((rc) < 0 ? ((-(rc)) & 0xff) : 0)
/** The source line that raised an rc */
#define err_line(rc) (((-(rc)) >> 8) & 0xfff)
/** The file identity that raised an rc */
#define err_file(rc) (((-(rc)) >> 20) & 0x7ff)
/** True if rc failed with the same code as error macro @e (e.g. ENOENT) */
#define rc_is(rc, e) (err_code(rc) == ((e) & 0xff))

/* Codes. Numbers follow Linux errno where one exists, for familiarity. */
#define EC_PERM 1
#define EC_NOENT 2
#define EC_SRCH 3
#define EC_INTR 4
#define EC_IO 5
#define EC_NXIO 6
#define EC_2BIG 7
#define EC_NOEXEC 8
#define EC_BADF 9
#define EC_AGAIN 11
#define EC_NOMEM 12
#define EC_ACCES 13
#define EC_FAULT 14
#define EC_BUSY 16
#define EC_EXIST 17
#define EC_NODEV 19
#define EC_NOTDIR 20
#define EC_INVAL 22
#define EC_NFILE 23
#define EC_FBIG 27
#define EC_NOSPC 28
#define EC_SPIPE 29
#define EC_PIPE 32
#define EC_DOM 33
#define EC_RANGE 34
#define EC_NAMETOOLONG 36
#define EC_NOSYS 38
#define EC_NOTEMPTY 39
#define EC_LOOP 40
#define EC_NOMSG 42
#define EC_NODATA 61
#define EC_TIME 62
#define EC_PROTO 71
#define EC_BADMSG 74
#define EC_OVERFLOW 75
#define EC_ILSEQ 84
#define EC_NOTSOCK 88
#define EC_DESTADDRREQ 89
#define EC_MSGSIZE 90
#define EC_PROTONOSUPPORT 93
#define EC_NOTSUP 95
#define EC_AFNOSUPPORT 97
#define EC_ADDRINUSE 98
#define EC_ADDRNOTAVAIL 99
#define EC_NETDOWN 100
#define EC_NETUNREACH 101
#define EC_NETRESET 102
#define EC_CONNABORTED 103
#define EC_CONNRESET 104
#define EC_NOBUFS 105
#define EC_ISCONN 106
#define EC_NOTCONN 107
#define EC_TIMEDOUT 110
#define EC_CONNREFUSED 111
#define EC_HOSTDOWN 112
#define EC_HOSTUNREACH 113
#define EC_ALREADY 114
#define EC_INPROGRESS 115
#define EC_STALE 116
#define EC_CANCELED 125
#define EC_KEYREJECTED 129
/* Keel's own codes, above the POSIX range */
#define EC_NOTFOUND_HTTP 200
#define EC_AUTH 201
#define EC_NOTTY 202
#define EC_UNKNOWN 255

#define EPERM ERR_SITE(EC_PERM)
#define ENOENT ERR_SITE(EC_NOENT)
#define ESRCH ERR_SITE(EC_SRCH)
#define EINTR ERR_SITE(EC_INTR)
#define EIO ERR_SITE(EC_IO)
#define ENXIO ERR_SITE(EC_NXIO)
#define E2BIG ERR_SITE(EC_2BIG)
#define ENOEXEC ERR_SITE(EC_NOEXEC)
#define EBADF ERR_SITE(EC_BADF)
#define EAGAIN ERR_SITE(EC_AGAIN)
#define ENOMEM ERR_SITE(EC_NOMEM)
#define EACCES ERR_SITE(EC_ACCES)
#define EFAULT ERR_SITE(EC_FAULT)
#define EBUSY ERR_SITE(EC_BUSY)
#define EEXIST ERR_SITE(EC_EXIST)
#define ENODEV ERR_SITE(EC_NODEV)
#define ENOTDIR ERR_SITE(EC_NOTDIR)
#define EINVAL ERR_SITE(EC_INVAL)
#define ENFILE ERR_SITE(EC_NFILE)
#define EFBIG ERR_SITE(EC_FBIG)
#define ENOSPC ERR_SITE(EC_NOSPC)
#define ESPIPE ERR_SITE(EC_SPIPE)
#define EPIPE ERR_SITE(EC_PIPE)
#define EDOM ERR_SITE(EC_DOM)
#define ERANGE ERR_SITE(EC_RANGE)
#define ENAMETOOLONG ERR_SITE(EC_NAMETOOLONG)
#define ENOSYS ERR_SITE(EC_NOSYS)
#define ENOTEMPTY ERR_SITE(EC_NOTEMPTY)
#define ELOOP ERR_SITE(EC_LOOP)
#define ENOMSG ERR_SITE(EC_NOMSG)
#define ENODATA ERR_SITE(EC_NODATA)
#define ETIME ERR_SITE(EC_TIME)
#define EPROTO ERR_SITE(EC_PROTO)
#define EBADMSG ERR_SITE(EC_BADMSG)
#define EOVERFLOW ERR_SITE(EC_OVERFLOW)
#define EILSEQ ERR_SITE(EC_ILSEQ)
#define ENOTSOCK ERR_SITE(EC_NOTSOCK)
#define EDESTADDRREQ ERR_SITE(EC_DESTADDRREQ)
#define EMSGSIZE ERR_SITE(EC_MSGSIZE)
#define EPROTONOSUPPORT ERR_SITE(EC_PROTONOSUPPORT)
#define ENOTSUP ERR_SITE(EC_NOTSUP)
#define EAFNOSUPPORT ERR_SITE(EC_AFNOSUPPORT)
#define EADDRINUSE ERR_SITE(EC_ADDRINUSE)
#define EADDRNOTAVAIL ERR_SITE(EC_ADDRNOTAVAIL)
#define ENETDOWN ERR_SITE(EC_NETDOWN)
#define ENETUNREACH ERR_SITE(EC_NETUNREACH)
#define ENETRESET ERR_SITE(EC_NETRESET)
#define ECONNABORTED ERR_SITE(EC_CONNABORTED)
#define ECONNRESET ERR_SITE(EC_CONNRESET)
#define ENOBUFS ERR_SITE(EC_NOBUFS)
#define EISCONN ERR_SITE(EC_ISCONN)
#define ENOTCONN ERR_SITE(EC_NOTCONN)
#define ETIMEDOUT ERR_SITE(EC_TIMEDOUT)
#define ECONNREFUSED ERR_SITE(EC_CONNREFUSED)
#define EHOSTDOWN ERR_SITE(EC_HOSTDOWN)
#define EHOSTUNREACH ERR_SITE(EC_HOSTUNREACH)
#define EALREADY ERR_SITE(EC_ALREADY)
#define EINPROGRESS ERR_SITE(EC_INPROGRESS)
#define ESTALE ERR_SITE(EC_STALE)
#define ECANCELED ERR_SITE(EC_CANCELED)
#define EKEYREJECTED ERR_SITE(EC_KEYREJECTED)
#define EAUTH ERR_SITE(EC_AUTH)
#define ENOTTY ERR_SITE(EC_NOTTY)

/**
 * Attach a plain-language detail to an error, e.g.
 *   return errctx(-ETIMEDOUT, "no answer from %s after %d tries", ip, n);
 * strerror() then prints "Connection timed out (no answer from ... tries)".
 * A few recent details are kept; older ones are forgotten.
 *
 * @rc		the error (negative)
 * @fmt		detail format
 * @ret rc	@rc, unchanged
 */
int errctx(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * Plain sentence describing an error, with its detail if one was attached.
 * The string stays valid until the next call.
 *
 * @rc		error (negative, or a positive code)
 * @ret text	sentence
 */
const char *strerror(int rc);

/** Short name of an error's code, such as "ENOENT", for logs and tests */
const char *errname(int rc);

#endif /* KEEL_ERRORS_H */
