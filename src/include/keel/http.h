/* HTTP/1.1 client (RFC 9110, 9112): http:// downloads, with keep-alive,
 * redirects, authentication and resume. */
#ifndef KEEL_HTTP_H
#define KEEL_HTTP_H
#include <stddef.h>
#include <stdint.h>

struct interface;
struct sockaddr;
struct uri;
struct digest_algorithm;

#define HTTP_PORT 80

/* ------------------------------------------------------------------------
 * Limits on what a server may send: anything past them fails cleanly
 */

/** One line: the status line, or a header field once unfolded */
#define HTTP_MAX_LINE 8192
/** Header fields in one response (trailers count separately) */
#define HTTP_MAX_HEADERS 100
/** All of a response's header section, line ends included */
#define HTTP_MAX_HEADER_BYTES (64 * 1024)
/** Empty lines tolerated before a status line */
#define HTTP_MAX_EMPTY_LINES 4
/** Reason phrase kept for messages */
#define HTTP_MAX_REASON 63
/** Validators kept for resuming (longer ones are not used) */
#define HTTP_MAX_ETAG 127
#define HTTP_MAX_DATE 63
/** WWW-Authenticate fields kept, all joined */
#define HTTP_MAX_AUTHENTICATE 4096
/** Redirections followed for one download */
#define HTTP_MAX_REDIRECTS 5
/** Body of a response we do not keep (redirect, error) read to reuse
 *  the connection; a longer one closes it instead */
#define HTTP_MAX_DRAIN (64 * 1024)

/* ------------------------------------------------------------------------
 * Content-Range (RFC 9110 section 14.4)
 */

/**
 * A parsed Content-Range: "bytes FIRST-LAST/COMPLETE", where COMPLETE may be
 * "*" (unknown), or an unsatisfied range: "bytes", an asterisk, "/COMPLETE"
 */
struct http_range {
	uint64_t first;
	uint64_t last;
	/** Complete length, if @complete_known */
	uint64_t complete;
	int complete_known;
	/** The unsatisfied form (the answer of a 416): no first or last */
	int unsatisfied;
};

/**
 * Parse a Content-Range field value.
 *
 * @ret rc	0, or -EPROTO if it is malformed or inconsistent
 */
int http_parse_content_range(const char *value, struct http_range *range);

/* ------------------------------------------------------------------------
 * Chunked transfer coding (RFC 9112 section 7.1)
 */

enum http_chunk_state {
	HTTP_CHUNK_SIZE = 0, /* at the start of a chunk-size line */
	HTTP_CHUNK_DIGITS,   /* in the hex digits */
	HTTP_CHUNK_WS,	     /* blanks after the digits */
	HTTP_CHUNK_EXT,	     /* in a chunk extension, to the line end */
	HTTP_CHUNK_SIZE_LF,  /* CR seen: LF must follow */
	HTTP_CHUNK_DATA,     /* in chunk data */
	HTTP_CHUNK_DATA_CR,  /* CR LF after the data */
	HTTP_CHUNK_DATA_LF,
	HTTP_CHUNK_TRAILER,	 /* at the start of a trailer line */
	HTTP_CHUNK_TRAILER_LINE, /* in a trailer line */
	HTTP_CHUNK_TRAILER_LF,	 /* CR seen in the trailer section */
	HTTP_CHUNK_DONE,
};

/** A chunked body decoder */
struct http_chunked {
	enum http_chunk_state state;
	/** Data bytes left in the current chunk (or its size, being read) */
	uint64_t remaining;
	/** Bytes of the current control line */
	size_t line;
	/** Trailer fields seen */
	unsigned int trailers;
	/** True while in the trailer line being an empty one so far */
	int trailer_empty;
};

/**
 * Decode part of a chunked body. Each call consumes control bytes (sizes,
 * extensions, line ends, trailers) and then, if it reaches chunk data, the
 * data; it stops after that data, at the end of the body, or at the end of
 * the input.
 *
 * @used	bytes consumed, filled in
 * @body	bytes of chunk data, filled in: the last @body of the @used
 * @ret rc	0 (more to come), 1 (the last chunk and trailers are done),
 *		or -EPROTO (malformed)
 */
int http_chunked_step(struct http_chunked *chunked, const char *data,
		      size_t len, size_t *used, size_t *body);

/* ------------------------------------------------------------------------
 * Responses: the status line, header fields and message framing
 */

/** Response flags (struct http_response) */
#define HTTP_RESP_LENGTH    0x0001 /* Content-Length present */
#define HTTP_RESP_CHUNKED   0x0002 /* Transfer-Encoding ends in chunked */
#define HTTP_RESP_TE_OTHER  0x0004 /* another transfer coding */
#define HTTP_RESP_CLOSE	    0x0008 /* Connection: close */
#define HTTP_RESP_KEEPALIVE 0x0010 /* Connection: keep-alive */
#define HTTP_RESP_RANGES    0x0020 /* Accept-Ranges: bytes */
#define HTTP_RESP_NO_RANGES 0x0040 /* Accept-Ranges: none */
#define HTTP_RESP_RANGE	    0x0080 /* a valid Content-Range */
#define HTTP_RESP_RANGE_BAD 0x0100 /* a malformed Content-Range */
#define HTTP_RESP_WEAK_ETAG 0x0200 /* the ETag is weak (W/"...") */

/** What a response's header section said */
struct http_response {
	/** Status code, 100 to 599 */
	unsigned int status;
	/** HTTP version: 10 or 11 */
	unsigned int version;
	/** Reason phrase, printable ASCII only, maybe cut short */
	char reason[HTTP_MAX_REASON + 1];
	/** HTTP_RESP_* */
	unsigned int flags;
	uint64_t content_length;
	struct http_range range;
	/** ETag as sent (quotes and W/ included), or "" */
	char etag[HTTP_MAX_ETAG + 1];
	/** Last-Modified as sent, or "" */
	char last_modified[HTTP_MAX_DATE + 1];
	/** Location, or NULL (owned) */
	char *location;
	/** Every WWW-Authenticate value, joined by ", ", or NULL (owned) */
	char *authenticate;
	/** Header fields seen */
	unsigned int headers;
};

/** How a response's body ends (RFC 9112 section 6.3) */
enum http_framing {
	HTTP_BODY_NONE = 0, /* no body (HEAD, 1xx, 204, 304) */
	HTTP_BODY_LENGTH,   /* Content-Length bytes */
	HTTP_BODY_CHUNKED,  /* chunked */
	HTTP_BODY_CLOSE,    /* until the server closes */
};

enum http_rx_state {
	HTTP_RX_STATUS = 0,   /* reading the status line */
	HTTP_RX_HEADERS,      /* reading header fields */
	HTTP_RX_HEADERS_DONE, /* header section read; framing not set */
	HTTP_RX_BODY,	      /* reading the body */
	HTTP_RX_DONE,	      /* the message is complete */
};

/** Events of http_rx_step() */
#define HTTP_RX_MORE	 0 /* everything consumed; more input needed */
#define HTTP_RX_HEADERS	 1 /* the header section is complete */
#define HTTP_RX_BODY	 2 /* body bytes at the start of the input */
#define HTTP_RX_COMPLETE 3 /* the message is complete */

/** A response parser: fed what the connection receives */
struct http_rx {
	enum http_rx_state state;
	struct http_response resp;
	enum http_framing framing;
	/** Body bytes still expected (HTTP_BODY_LENGTH) */
	uint64_t remaining;
	struct http_chunked chunked;
	/** Header section bytes so far */
	size_t header_bytes;
	/** Empty lines before the status line */
	unsigned int empty_lines;
	/** At the start of a line */
	int line_start;
	/** A CR was seen: LF must follow */
	int cr;
	/** Skipping the blanks that begin a folded line */
	int folding;
	/** The line (or unfolded field) being read */
	size_t len;
	char line[HTTP_MAX_LINE + 1];
};

/** Start reading a new response (freeing what the last one kept) */
void http_rx_reset(struct http_rx *rx);
/** Free what a response kept */
void http_rx_free(struct http_rx *rx);
/**
 * Consume part of the input. Call again with what is left until it
 * returns HTTP_RX_MORE (everything consumed) or HTTP_RX_COMPLETE (the rest
 * belongs to whatever follows the message).
 *
 * @used	bytes consumed, filled in
 * @body	for HTTP_RX_BODY, the number of body bytes: the last @body of
 *		the @used bytes consumed
 * @ret event	HTTP_RX_*, or a negative error: the response is malformed
 *		or over a limit (the message says how)
 */
int http_rx_step(struct http_rx *rx, const char *data, size_t len, size_t *used,
		 size_t *body);
/**
 * After HTTP_RX_HEADERS: decide how the body ends (RFC 9112 section 6.3),
 * given the request method and the status.
 *
 * @head	the request was HEAD
 * @ret rc	0, or -ENOTSUP for a transfer coding we cannot decode
 */
int http_rx_set_framing(struct http_rx *rx, int head);
/**
 * The connection closed: is the message complete?
 *
 * @ret rc	0 if so (a body read until close), else -ECONNRESET
 */
int http_rx_eof(struct http_rx *rx);

/* ------------------------------------------------------------------------
 * Authentication: Basic (RFC 7617) and Digest (RFC 7616)
 */

enum http_auth_scheme {
	HTTP_AUTH_NONE = 0,
	HTTP_AUTH_BASIC,
	HTTP_AUTH_DIGEST,
};

/** The challenge chosen to answer */
struct http_challenge {
	enum http_auth_scheme scheme;
	char realm[128];
	char nonce[256];
	char opaque[256];
	/** Digest: hash algorithm (MD5 or SHA-256), and "-sess" */
	struct digest_algorithm *algorithm;
	int sess;
	/** Digest: qop "auth" offered (else RFC 2069 style, no qop) */
	int qop_auth;
	/** Digest: the last answer used a stale nonce */
	int stale;
	/** Digest: the user name is to be hashed (RFC 7616 section 3.4.4) */
	int userhash;
	/** Opaque was sent (even empty) */
	int has_opaque;
};

/**
 * Choose the challenge to answer among WWW-Authenticate values (several
 * joined by ", "): the first Digest challenge with an algorithm we know,
 * else Basic.
 *
 * @ret rc	0, or -ENOTSUP if there is nothing we can answer
 */
int http_parse_challenges(const char *text, struct http_challenge *chal);

/** What a Digest answer is computed from */
struct http_digest_input {
	const char *user;
	const char *password;
	const char *method;
	/** Request target, as sent ("/dir/index.html") */
	const char *uri;
	const char *cnonce;
	unsigned int nc;
};

/**
 * Compute the Digest "response" value (lower-case hex) for a challenge.
 *
 * @hex		room for 2 * digestsize + 1 characters
 */
void http_digest_response(const struct http_challenge *chal,
			  const struct http_digest_input *in, char *hex);
/**
 * Build the Authorization field value answering a challenge.
 *
 * @ret value	malloc'd text, or NULL if out of memory
 */
char *http_authorization(const struct http_challenge *chal,
			 const struct http_digest_input *in);

/* ------------------------------------------------------------------------
 * Status codes
 */

/**
 * The error for a final status that is not a success, with a plain detail:
 * "HTTP 404 Not Found: http://10.99.0.1/missing" (404 gives -ENOENT,
 * 401 and 403 -EACCES, 5xx mostly -EIO...).
 *
 * @reason	the server's reason phrase, or "" for the standard one
 * @shown	the URI as shown to people (no password)
 */
int http_status_rc(unsigned int status, const char *reason, const char *shown);

/* ------------------------------------------------------------------------
 * Idle connections kept for reuse (keyed by host and port)
 */

/**
 * Park the connection that @socket is plugged into, for later requests to
 * @host:@port. @socket is left unplugged. When the pool is full, the oldest
 * connection is closed.
 */
void http_pool_put(struct interface *socket, const char *host,
		   unsigned int port);
/**
 * Plug @socket into a parked connection to @host:@port.
 *
 * @ret found	1 if one was taken, 0 if none is parked
 */
int http_pool_get(struct interface *socket, const char *host,
		  unsigned int port);
/** Close every parked connection */
void http_pool_flush(void);
/** Number of parked connections */
unsigned int http_pool_count(void);

/* ------------------------------------------------------------------------
 * Opening
 */

enum http_method {
	HTTP_GET = 0,
	HTTP_HEAD,
	HTTP_POST,
};

/**
 * Open an http:// URI with a given method. The opener registered for
 * "http" uses GET, or POST when the URI names form parameters ("##params").
 * HEAD delivers no data, only a XFER_FL_SIZE_HINT when the length is known.
 *
 * The consumer receives body bytes with XFER_FL_ABS_OFFSET. It may seek
 * (xfer_seek() on its interface): the download then continues from there
 * with a Range request. The transfer closes with 0 once the whole body is
 * delivered, or with a plain error.
 */
int http_open_method(struct interface *xfer, struct uri *uri,
		     enum http_method method);

/** Tunables: timings and bounds (tests shorten them) */
struct http_tunables {
	/** Stall timeout, ms (0: the http-timeout setting, else 30 s) */
	unsigned long stall_ms;
	/** How long an idle connection is kept, ms */
	unsigned long idle_ms;
	/** Idle connections kept at most */
	unsigned int max_idle;
	/** Reconnections to resume one download after the connection drops */
	unsigned int resume_tries;
	/** Wait before the first reconnection, doubled each time up to max */
	unsigned long backoff_ms;
	unsigned long backoff_max_ms;
	/**
	 * Open a connection (NULL: TCP through xfer_open_named_socket()).
	 * Tests and fuzz targets put a fake server here.
	 */
	int (*connect)(struct interface *xfer, struct sockaddr *peer,
		       const char *host);
};
extern struct http_tunables http_tunables;

/** Default stall timeout, seconds (the http-timeout setting overrides) */
#define HTTP_DEFAULT_TIMEOUT 30

/** Counters, for tests */
struct http_stats {
	/** Connections opened */
	unsigned int connections;
	/** Requests sent on a parked connection */
	unsigned int reused;
	/** Requests sent to resume a download that broke off */
	unsigned int resumes;
	/** Redirections followed */
	unsigned int redirects;
};
extern struct http_stats http_stats;

#endif /* KEEL_HTTP_H */
