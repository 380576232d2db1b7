/* Error sentences: turn an error code into words a user can act on. */
#include <stdio.h>
#include <string.h>
#include <errno.h>

/** One error code and how to say it */
struct error_text {
	unsigned char code;
	const char *name;
	const char *text;
};

static const struct error_text error_texts[] = {
	{EC_PERM, "EPERM", "Operation not permitted"},
	{EC_NOENT, "ENOENT", "Not found"},
	{EC_SRCH, "ESRCH", "No such process"},
	{EC_INTR, "EINTR", "Interrupted by the user"},
	{EC_IO, "EIO", "Input/output error"},
	{EC_NXIO, "ENXIO", "No such device or address"},
	{EC_2BIG, "E2BIG", "Argument list too long"},
	{EC_NOEXEC, "ENOEXEC", "Not an executable image of a known format"},
	{EC_BADF, "EBADF", "Bad handle"},
	{EC_AGAIN, "EAGAIN", "Temporarily unavailable, try again"},
	{EC_NOMEM, "ENOMEM", "Out of memory"},
	{EC_ACCES, "EACCES", "Permission denied"},
	{EC_FAULT, "EFAULT", "Internal corruption detected"},
	{EC_BUSY, "EBUSY", "Device or resource busy"},
	{EC_EXIST, "EEXIST", "Already exists"},
	{EC_NODEV, "ENODEV", "No such device"},
	{EC_NOTDIR, "ENOTDIR", "Not a directory"},
	{EC_INVAL, "EINVAL", "Invalid argument"},
	{EC_NFILE, "ENFILE", "Too many open files"},
	{EC_FBIG, "EFBIG", "File too large"},
	{EC_NOSPC, "ENOSPC", "No space left"},
	{EC_SPIPE, "ESPIPE", "Cannot seek"},
	{EC_PIPE, "EPIPE", "Connection closed by the other end"},
	{EC_DOM, "EDOM", "Argument out of domain"},
	{EC_RANGE, "ERANGE", "Value out of range"},
	{EC_NAMETOOLONG, "ENAMETOOLONG", "Name too long"},
	{EC_NOSYS, "ENOSYS", "Not supported by this build"},
	{EC_NOTEMPTY, "ENOTEMPTY", "Not empty"},
	{EC_LOOP, "ELOOP", "Too many redirections or nested levels"},
	{EC_NOMSG, "ENOMSG", "No message of the expected type"},
	{EC_NODATA, "ENODATA", "No data available"},
	{EC_TIME, "ETIME", "Timer expired"},
	{EC_PROTO, "EPROTO", "Protocol error"},
	{EC_BADMSG, "EBADMSG", "Malformed message"},
	{EC_OVERFLOW, "EOVERFLOW", "Value too large"},
	{EC_ILSEQ, "EILSEQ", "Invalid byte sequence"},
	{EC_NOTSOCK, "ENOTSOCK", "Not a socket"},
	{EC_DESTADDRREQ, "EDESTADDRREQ", "Destination address required"},
	{EC_MSGSIZE, "EMSGSIZE", "Message too long"},
	{EC_PROTONOSUPPORT, "EPROTONOSUPPORT", "Protocol not supported"},
	{EC_NOTSUP, "ENOTSUP", "Operation not supported"},
	{EC_AFNOSUPPORT, "EAFNOSUPPORT", "Address family not supported"},
	{EC_ADDRINUSE, "EADDRINUSE", "Address already in use"},
	{EC_ADDRNOTAVAIL, "EADDRNOTAVAIL", "Address not available"},
	{EC_NETDOWN, "ENETDOWN",
	 "Network is down (no link, or interface closed)"},
	{EC_NETUNREACH, "ENETUNREACH", "Network unreachable (no route)"},
	{EC_NETRESET, "ENETRESET", "Network dropped the connection"},
	{EC_CONNABORTED, "ECONNABORTED", "Connection aborted"},
	{EC_CONNRESET, "ECONNRESET", "Connection reset by the other end"},
	{EC_NOBUFS, "ENOBUFS", "No buffer space available"},
	{EC_ISCONN, "EISCONN", "Already connected"},
	{EC_NOTCONN, "ENOTCONN", "Not connected"},
	{EC_TIMEDOUT, "ETIMEDOUT", "Connection timed out"},
	{EC_CONNREFUSED, "ECONNREFUSED", "Connection refused"},
	{EC_HOSTDOWN, "EHOSTDOWN", "Host is down"},
	{EC_HOSTUNREACH, "EHOSTUNREACH", "Host unreachable"},
	{EC_ALREADY, "EALREADY", "Already in progress"},
	{EC_INPROGRESS, "EINPROGRESS", "Operation in progress"},
	{EC_STALE, "ESTALE", "Out of date"},
	{EC_CANCELED, "ECANCELED", "Cancelled"},
	{EC_KEYREJECTED, "EKEYREJECTED", "Key or certificate rejected"},
	{EC_AUTH, "EAUTH", "Authentication failed"},
	{EC_NOTTY, "ENOTTY", "Not a terminal"},
};

/* Recent details attached with errctx(), newest last */
#define ERRCTX_SLOTS 8
#define ERRCTX_LEN   120
static struct {
	int rc;
	char text[ERRCTX_LEN];
} errctx_ring[ERRCTX_SLOTS];
static unsigned int errctx_next;

static const struct error_text *error_lookup(int rc)
{
	unsigned int code = (rc < 0) ? (unsigned int)err_code(rc)
				     : ((unsigned int)rc & 0xff);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(error_texts); i++) {
		if (error_texts[i].code == code)
			return &error_texts[i];
	}
	return NULL;
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
	const struct error_text *err = error_lookup(rc);
	const char *detail = errctx_find(rc);

	if (rc == 0)
		return "No error";
	if (err && detail)
		snprintf(buf, sizeof(buf), "%s (%s)", err->text, detail);
	else if (err)
		return err->text;
	else
		snprintf(buf, sizeof(buf), "Unknown error (code %d)",
			 err_code(rc < 0 ? rc : -rc));
	return buf;
}

const char *errname(int rc)
{
	const struct error_text *err = error_lookup(rc);

	return err ? err->name : "EUNKNOWN";
}
