/* URIs (RFC 3986): parsing, formatting, resolution, encoding, openers. */
#ifndef KEEL_URI_H
#define KEEL_URI_H
#include <stddef.h>
#include <keel/refcnt.h>
#include <keel/tables.h>

struct interface;
struct parameters;

/**
 * A parsed URI. Fields are NULL when absent; "" when present but empty
 * ("http://a:/" has the port ""). Text fields hold decoded values
 * (percent-escapes resolved) except the "e" fields and the opaque part,
 * which keep the encoded form for re-sending (path with query, as a
 * server expects). "%00" is never decoded: it stays as three characters.
 *
 *   http://user:pass@host:8080/dir/file?x=1#frag
 *   iscsi:10.0.0.1::::iqn.2010-04.org.example:disk     (opaque)
 *   http://[fe80::1%25net0]:8080/                      (host "fe80::1%net0")
 *
 * A URI with a scheme whose remainder does not start with '/' is opaque:
 * everything after "scheme:" up to a '#' (query included) is in @opaque
 * and the authority, path and query fields are NULL. The host of an IP
 * literal is kept without its brackets; formatting adds them back to any
 * host containing ':'. @host is non-NULL exactly when the URI has an
 * authority ("//..."), even an empty one ("file:///x" has the host "").
 * An empty path is NULL. Whenever a path is present, both @path and
 * @epath are set.
 *
 * iPXE's "##params" or "##params=NAME" suffix (see keel/params.h) names a
 * form parameter list to submit with the request; it is taken off the text
 * before anything else is parsed, and is not written back by format_uri().
 * A suffix naming a list that does not exist is ignored, as in iPXE.
 */
struct uri {
	struct refcnt refcnt;
	const char *scheme;
	/** Everything after "scheme:" for URIs whose remainder is not "/..." */
	const char *opaque;
	const char *user;
	const char *password;
	const char *host;
	/** Port text, as written (not decoded) */
	const char *port;
	/** Decoded path */
	const char *path;
	/** Path as it appeared, still percent-encoded */
	const char *epath;
	/** Query, encoded, without '?' */
	const char *equery;
	/** Fragment, encoded, without '#' */
	const char *efragment;
	/** Form parameters (iPXE's "##params" / "##params=NAME"), or NULL */
	struct parameters *params;
};

/**
 * Parse a URI or relative reference.
 *
 * @ret uri	URI (drop it with uri_put()), or NULL if out of memory
 */
struct uri *parse_uri(const char *text);
/**
 * Build a URI from a template whose fields point at text owned by the
 * caller; the copy owns its text. A template may give @path (decoded) or
 * @epath (encoded), or both; the other is computed. Its refcnt is ignored.
 *
 * @ret uri	URI, or NULL if out of memory
 */
struct uri *uri_dup(const struct uri *tmpl);
static inline struct uri *uri_get(struct uri *uri)
{
	ref_get(&uri->refcnt);
	return uri;
}
static inline void uri_put(struct uri *uri)
{
	if (uri)
		ref_put(&uri->refcnt);
}
/** Format like snprintf (the "##params" suffix is not written) */
size_t format_uri(const struct uri *uri, char *buf, size_t len);
/** Format into a malloc'd string, or NULL */
char *format_uri_alloc(const struct uri *uri);
/** The port as a number, or @default_port if none (or no number) is given */
unsigned int uri_port(const struct uri *uri, unsigned int default_port);
/**
 * Resolve @relative against @base (RFC 3986 section 5.2, strict: a
 * reference with a scheme stands on its own, dot segments removed). The
 * result keeps @relative's parameters. An opaque base acts as a base whose
 * path is the opaque text.
 *
 * @base	base URI, or NULL (then @relative is returned, referenced)
 * @ret uri	new reference, or NULL if out of memory
 */
struct uri *resolve_uri(const struct uri *base, struct uri *relative);
/** True if the URI has a scheme (is absolute) */
static inline int uri_is_absolute(const struct uri *uri)
{
	return uri->scheme != NULL;
}

/* ------------------------------------------------------------------------
 * Percent-encoding
 */

/** What a piece of text will be part of: which characters stay as they are */
enum uri_field {
	URI_USER,	  /* unreserved and sub-delims */
	URI_PASSWORD,	  /* as user, and ':' */
	URI_HOST,	  /* a registered name: as user */
	URI_HOST_LITERAL, /* inside [...]: as host, and ':' */
	URI_PATH,	  /* as password, and '@' and '/' */
	URI_QUERY,	  /* as path, and '?' */
	URI_FRAGMENT,	  /* as query */
	URI_FORM,	  /* a form key or value: unreserved only */
};

/**
 * Percent-encode text for a field: every byte outside RFC 3986's unreserved
 * set and the field's allowed delimiters becomes %XX (upper case). Works
 * like snprintf.
 *
 * @ret len	length of the encoded text
 */
size_t uri_encode(enum uri_field field, const char *raw, char *buf, size_t len);
/**
 * Decode percent-escapes. A '%' not followed by two hex digits, and "%00",
 * stay as they are. Works like snprintf; @buf may be @encoded itself.
 *
 * @ret len	length of the decoded text
 */
size_t uri_decode(const char *encoded, char *buf, size_t len);

/* ------------------------------------------------------------------------
 * The current working URI and opening
 */

/** The URI of the running script, for relative "chain sub.ipxe" (or NULL) */
extern struct uri *cwuri;
/**
 * Change cwuri to @uri resolved against the current cwuri (NULL clears
 * it); ${cwuri} and ${cwduri} follow.
 */
void churi(struct uri *uri);

/** Something that opens URIs of one scheme */
struct uri_opener {
	/** Scheme, lower case: "tftp", "http" (matched case-insensitively) */
	const char *scheme;
	/**
	 * Open @uri (always absolute) and plug the transfer into @xfer. Data
	 * arrives with xfer_deliver(), positioned by XFER_FL_ABS_OFFSET
	 * metadata when it does not follow on; a XFER_FL_SIZE_HINT delivery
	 * may announce the total length. The transfer ends with intf_close():
	 * 0 when complete, or a plain error (errctx) such as "HTTP 404 Not
	 * Found: http://...". An opener takes its own reference to @uri if
	 * it keeps it. The path to ask a server for is @epath (HTTP, with
	 * "?" @equery) or @path decoded (TFTP, without its leading '/').
	 */
	int (*open)(struct interface *xfer, struct uri *uri);
};
#define URI_OPENERS  __table(struct uri_opener, "uri_openers")
#define __uri_opener __table_entry(URI_OPENERS, 01)

/**
 * Open a URI (resolved against cwuri when relative) with the opener for
 * its scheme. Fails plainly (-ENOTSUP) for a relative URI with nothing to
 * resolve it against, or a scheme no opener handles.
 */
int xfer_open_uri(struct interface *xfer, struct uri *uri);
/** Parse and open a URI string */
int xfer_open_uri_string(struct interface *xfer, const char *uri_string);

#endif
