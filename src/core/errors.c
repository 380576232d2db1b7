/* Error sentences: turn an error code into words a user can act on. */
#include <stdio.h>
#include <string.h>
#include <errno.h>

/*
 * Every error code and how to say it: its name and its sentence. Kept as a
 * list of codes and one block of strings (name, sentence, name...) in the
 * same order, which takes less room than a table of pointers.
 */
#define ERROR_TEXTS(X) \
	X(EC_PERM, "EPERM", "Operation not permitted") \
	X(EC_NOENT, "ENOENT", "Not found") \
	X(EC_SRCH, "ESRCH", "No such process") \
	X(EC_INTR, "EINTR", "Interrupted by the user") \
	X(EC_IO, "EIO", "Input/output error") \
	X(EC_NXIO, "ENXIO", "No such device or address") \
	X(EC_2BIG, "E2BIG", "Argument list too long") \
	X(EC_NOEXEC, "ENOEXEC", "Not an executable image of a known format") \
	X(EC_BADF, "EBADF", "Bad handle") \
	X(EC_AGAIN, "EAGAIN", "Temporarily unavailable, try again") \
	X(EC_NOMEM, "ENOMEM", "Out of memory") \
	X(EC_ACCES, "EACCES", "Permission denied") \
	X(EC_FAULT, "EFAULT", "Internal corruption detected") \
	X(EC_BUSY, "EBUSY", "Device or resource busy") \
	X(EC_EXIST, "EEXIST", "Already exists") \
	X(EC_NODEV, "ENODEV", "No such device") \
	X(EC_NOTDIR, "ENOTDIR", "Not a directory") \
	X(EC_INVAL, "EINVAL", "Invalid argument") \
	X(EC_NFILE, "ENFILE", "Too many open files") \
	X(EC_FBIG, "EFBIG", "File too large") \
	X(EC_NOSPC, "ENOSPC", "No space left") \
	X(EC_SPIPE, "ESPIPE", "Cannot seek") \
	X(EC_PIPE, "EPIPE", "Connection closed by the other end") \
	X(EC_DOM, "EDOM", "Argument out of domain") \
	X(EC_RANGE, "ERANGE", "Value out of range") \
	X(EC_NAMETOOLONG, "ENAMETOOLONG", "Name too long") \
	X(EC_NOSYS, "ENOSYS", "Not supported by this build") \
	X(EC_NOTEMPTY, "ENOTEMPTY", "Not empty") \
	X(EC_LOOP, "ELOOP", "Too many redirections or nested levels") \
	X(EC_NOMSG, "ENOMSG", "No message of the expected type") \
	X(EC_NODATA, "ENODATA", "No data available") \
	X(EC_TIME, "ETIME", "Timer expired") \
	X(EC_PROTO, "EPROTO", "Protocol error") \
	X(EC_BADMSG, "EBADMSG", "Malformed message") \
	X(EC_OVERFLOW, "EOVERFLOW", "Value too large") \
	X(EC_ILSEQ, "EILSEQ", "Invalid byte sequence") \
	X(EC_NOTSOCK, "ENOTSOCK", "Not a socket") \
	X(EC_DESTADDRREQ, "EDESTADDRREQ", "Destination address required") \
	X(EC_MSGSIZE, "EMSGSIZE", "Message too long") \
	X(EC_PROTONOSUPPORT, "EPROTONOSUPPORT", "Protocol not supported") \
	X(EC_NOTSUP, "ENOTSUP", "Operation not supported") \
	X(EC_AFNOSUPPORT, "EAFNOSUPPORT", "Address family not supported") \
	X(EC_ADDRINUSE, "EADDRINUSE", "Address already in use") \
	X(EC_ADDRNOTAVAIL, "EADDRNOTAVAIL", "Address not available") \
	X(EC_NETDOWN, "ENETDOWN", \
	  "Network is down (no link, or interface closed)") \
	X(EC_NETUNREACH, "ENETUNREACH", "Network unreachable (no route)") \
	X(EC_NETRESET, "ENETRESET", "Network dropped the connection") \
	X(EC_CONNABORTED, "ECONNABORTED", "Connection aborted") \
	X(EC_CONNRESET, "ECONNRESET", "Connection reset by the other end") \
	X(EC_NOBUFS, "ENOBUFS", "No buffer space available") \
	X(EC_ISCONN, "EISCONN", "Already connected") \
	X(EC_NOTCONN, "ENOTCONN", "Not connected") \
	X(EC_TIMEDOUT, "ETIMEDOUT", "Connection timed out") \
	X(EC_CONNREFUSED, "ECONNREFUSED", "Connection refused") \
	X(EC_HOSTDOWN, "EHOSTDOWN", "Host is down") \
	X(EC_HOSTUNREACH, "EHOSTUNREACH", "Host unreachable") \
	X(EC_ALREADY, "EALREADY", "Already in progress") \
	X(EC_INPROGRESS, "EINPROGRESS", "Operation in progress") \
	X(EC_STALE, "ESTALE", "Out of date") \
	X(EC_CANCELED, "ECANCELED", "Cancelled") \
	X(EC_KEYREJECTED, "EKEYREJECTED", "Key or certificate rejected") \
	X(EC_AUTH, "EAUTH", "Authentication failed") \
	X(EC_NOTTY, "ENOTTY", "Not a terminal")

#define ERROR_CODE(code, name, text) code,
#define ERROR_STRINGS(code, name, text) name "\0" text "\0"
static const unsigned char error_codes[] = {ERROR_TEXTS(ERROR_CODE)};
static const char error_strings[] = ERROR_TEXTS(ERROR_STRINGS);

/** One error code's name and sentence */
struct error_text {
	const char *name;
	const char *text;
};

/* Recent details attached with errctx(), newest last */
#define ERRCTX_SLOTS 8
#define ERRCTX_LEN   120
static struct {
	int rc;
	char text[ERRCTX_LEN];
} errctx_ring[ERRCTX_SLOTS];
static unsigned int errctx_next;

/** Find @rc's name and sentence; 0, or -1 for an unknown code */
static int error_lookup(int rc, struct error_text *err)
{
	unsigned int code = (rc < 0) ? (unsigned int)err_code(rc)
				     : ((unsigned int)rc & 0xff);
	const char *s = error_strings;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(error_codes); i++) {
		err->name = s;
		s += strlen(s) + 1;
		err->text = s;
		if (error_codes[i] == code)
			return 0;
		s += strlen(s) + 1;
	}
	return -1;
}

int errctx(int rc, const char *fmt, ...)
{
	va_list args;
	unsigned int slot = errctx_next++ % ERRCTX_SLOTS;

	errctx_ring[slot].rc = rc;
	va_start(args, fmt);
	vsnprintf(errctx_ring[slot].text, ERRCTX_LEN, fmt, args);
	va_end(args);
	return rc;
}

/** The most recent detail attached to exactly this rc, or NULL */
static const char *errctx_find(int rc)
{
	unsigned int i, slot;

	for (i = 1; i <= ERRCTX_SLOTS; i++) {
		slot = (errctx_next - i) % ERRCTX_SLOTS;
		if (errctx_ring[slot].rc == rc && rc)
			return errctx_ring[slot].text;
	}
	return NULL;
}

const char *strerror(int rc)
{
	static char buf[ERRCTX_LEN + 80];
	struct error_text err;
	int found = (error_lookup(rc, &err) == 0);
	const char *detail = errctx_find(rc);

	if (rc == 0)
		return "No error";
	if (found && detail)
		snprintf(buf, sizeof(buf), "%s (%s)", err.text, detail);
	else if (found)
		return err.text;
	else
		snprintf(buf, sizeof(buf), "Unknown error (code %d)",
			 err_code(rc < 0 ? rc : -rc));
	return buf;
}

const char *errname(int rc)
{
	struct error_text err;

	return (error_lookup(rc, &err) == 0) ? err.name : "EUNKNOWN";
}
