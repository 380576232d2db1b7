/* HTTP downloads: the http:// opener, with keep-alive, redirects,
 * authentication, a stall timeout and resume. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/http.h>
#include <keel/in.h>
#include <keel/iobuf.h>
#include <keel/open.h>
#include <keel/params.h>
#include <keel/settings.h>
#include <keel/timer.h>
#include <keel/uri.h>
#include <keel/version.h>
#include <keel/xfer.h>

/* HTTP runs over TCP */
REQUIRE_OBJECT(tcp);

struct http_tunables http_tunables = {
	.stall_ms = 0,
	.idle_ms = 15000,
	.max_idle = 4,
	.resume_tries = 5,
	.backoff_ms = 1000,
	.backoff_max_ms = 8000,
	.connect = NULL,
};

struct http_stats http_stats;

/** HTTP stall timeout (s) */
const struct setting http_timeout_setting __setting(SETTING_MISC) = {
	.name = "http-timeout",
	.type = &setting_type_uint32,
};

static const char *const http_method_names[] = {
	[HTTP_GET] = "GET",
	[HTTP_HEAD] = "HEAD",
	[HTTP_POST] = "POST",
};

/** What happens once the current response has been read */
enum http_next {
	HTTP_NEXT_FINISH = 0, /* its body was the download: done */
	HTTP_NEXT_FAIL,	      /* fail with next_rc */
	HTTP_NEXT_REDIRECT,   /* ask next_uri */
	HTTP_NEXT_RETRY,      /* ask again (now with credentials) */
};

/** A download */
struct http_request {
	struct refcnt refcnt;
	/** To the consumer */
	struct interface xfer;
	/** To the connection */
	struct interface socket;
	/** No data for too long */
	struct timer stall;
	/** The wait before reconnecting to resume */
	struct timer backoff;
	/** The URI being asked for (the last redirection's) */
	struct uri *uri;
	/** The URI as shown in messages (no password) */
	char *shown;
	/** Form and header parameters of the original URI, or NULL */
	struct parameters *params;
	char *user;
	char *password;
	enum http_method method;
	/** POST body, or NULL */
	char *form;
	/** Authorization value for the requests to come, or NULL */
	char *authorization;
	/** Stall timeout, ms */
	unsigned long stall_ms;

	/** The request being sent */
	char *tx;
	size_t tx_len;
	size_t tx_pos;
	/** The response being read */
	struct http_rx rx;
	/** Counts requests, so a handler notices that a new one began */
	unsigned int attempt;
	/** This request went out on a parked connection */
	int reused;
	/** Anything came back on this connection */
	int answered;

	/** The response's body goes to the consumer */
	int delivering;
	enum http_next next;
	int next_rc;
	struct uri *next_uri;
	/** Body bytes of a response we do not keep, read so far */
	size_t drained;

	/** Position of the next body byte */
	uint64_t pos;
	/** Where this request started */
	uint64_t attempt_pos;
	/** Bytes of this body to drop (a server that ignored Range) */
	uint64_t skip;
	/** One past the last byte this response carries (206), or 0 */
	uint64_t end;
	/** Length of the whole file, if known */
	uint64_t total;
	int total_known;
	/** A body was accepted: the validators below describe it */
	int started;
	/** Strong ETag, or "" */
	char etag[HTTP_MAX_ETAG + 1];
	/** Last-Modified, or "" */
	char last_modified[HTTP_MAX_DATE + 1];

	unsigned int redirects;
	unsigned int auth_tries;
	unsigned int resume_tries;
	int finished;
};

static int http_attempt(struct http_request *req, int fresh);
static void http_conn_lost(struct http_request *req, int rc);

/* ------------------------------------------------------------------------
 * Life cycle
 */

static void http_free(struct refcnt *refcnt)
{
	struct http_request *req =
		container_of(refcnt, struct http_request, refcnt);

	http_rx_free(&req->rx);
	uri_put(req->uri);
	uri_put(req->next_uri);
	params_put(req->params);
	free(req->shown);
	free(req->user);
	free(req->password);
	free(req->form);
	free(req->authorization);
	free(req->tx);
	free(req);
}

/** End the download with @rc (the consumer first, so that it hears @rc) */
static void http_finish(struct http_request *req, int rc)
{
	if (req->finished)
		return;
	req->finished = 1;
	DBGC(req, "HTTP %s finished: %s\n", req->shown, strerror(rc));
	timer_stop(&req->stall);
	timer_stop(&req->backoff);
	intf_shutdown(&req->xfer, rc);
	intf_shutdown(&req->socket, rc);
}

/** Restart the stall timer */
static void http_stall_restart(struct http_request *req)
{
	timer_start(&req->stall, req->stall_ms * TICKS_PER_MS);
}

static void http_stall_expired(struct timer *timer)
{
	struct http_request *req =
		container_of(timer, struct http_request, stall);
	unsigned long ms = req->stall_ms;

	/* A consumer that takes nothing holds the server back, not the net */
	if (!xfer_window(&req->xfer)) {
		http_stall_restart(req);
		return;
	}
	http_finish(req, errctx(-ETIMEDOUT, "no data from %s for %lu %s",
				req->uri->host, (ms % 1000) ? ms : ms / 1000,
				(ms % 1000) ? "ms" : "s"));
}

static void http_backoff_expired(struct timer *timer)
{
	struct http_request *req =
		container_of(timer, struct http_request, backoff);
	int rc;

	http_stats.resumes++;
	DBGC(req, "HTTP %s: resuming at %llu (try %u)\n", req->shown,
	     (unsigned long long)req->pos, req->resume_tries);
	if ((rc = http_attempt(req, 1)) != 0)
		http_conn_lost(req, rc);
}

/* ------------------------------------------------------------------------
 * The request
 */

/** A bounded text being written, with snprintf semantics */
struct http_out {
	char *buf;
	size_t size;
	size_t len;
};

static void __printf(2, 3) http_put(struct http_out *out, const char *fmt, ...)
{
	size_t room = (out->len < out->size) ? out->size - out->len : 0;
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(out->buf ? out->buf + out->len : NULL, room, fmt, args);
	va_end(args);
	out->len += (size_t)n;
}

/** The request target: the path and query, with stray bytes escaped */
static void http_put_target(struct http_out *out, const struct uri *uri)
{
	const char *epath = (uri->epath && uri->epath[0]) ? uri->epath : "/";
	const unsigned char *p;
	int query;

	for (query = 0; query < 2; query++) {
		p = (const unsigned char *)(query ? uri->equery : epath);
		if (!p)
			break;
		if (query)
			http_put(out, "?");
		for (; *p; p++) {
			if (*p <= 0x20 || *p >= 0x7f || *p == '#')
				http_put(out, "%%%02X", *p);
			else
				http_put(out, "%c", *p);
		}
	}
}

/** The Host field's value: the host (in brackets if it has ':'), the port */
static void http_put_host(struct http_out *out, const struct uri *uri)
{
	size_t len = strcspn(uri->host, "%");
	unsigned int port = uri_port(uri, HTTP_PORT);

	if (strchr(uri->host, ':'))
		http_put(out, "[%.*s]", (int)len, uri->host);
	else
		http_put(out, "%s", uri->host);
	if (port != HTTP_PORT)
		http_put(out, ":%u", port);
}

/** Range and If-Range, when the body is not wanted from the start */
static void http_put_range(struct http_out *out, struct http_request *req)
{
	if (!req->pos)
		return;
	http_put(out, "Range: bytes=%llu-\r\n", (unsigned long long)req->pos);
	if (req->started && req->etag[0])
		http_put(out, "If-Range: %s\r\n", req->etag);
}

/** The whole request, headers and body */
static void http_put_request(struct http_out *out, struct http_request *req)
{
	struct parameter *param;

	http_put(out, "%s ", http_method_names[req->method]);
	http_put_target(out, req->uri);
	http_put(out, " HTTP/1.1\r\nHost: ");
	http_put_host(out, req->uri);
	http_put(out, "\r\nUser-Agent: %s/%s\r\n", PRODUCT_NAME,
		 PRODUCT_VERSION);
	http_put_range(out, req);
	if (req->authorization)
		http_put(out, "Authorization: %s\r\n", req->authorization);
	if (req->params) {
		for_each_param(param, req->params)
		{
			if (param->flags & PARAMETER_HEADER)
				http_put(out, "%s: %s\r\n", param->key,
					 param->value);
		}
	}
	if (req->form)
		http_put(out,
			 "Content-Type: application/x-www-form-urlencoded"
			 "\r\nContent-Length: %zu\r\n",
			 strlen(req->form));
	http_put(out, "\r\n%s", req->form ? req->form : "");
}

/** Build the request into req->tx */
static int http_build_request(struct http_request *req)
{
	struct http_out out = {NULL, 0, 0};

	http_put_request(&out, req);
	free(req->tx);
	req->tx_pos = 0;
	req->tx_len = out.len;
	if (!(req->tx = malloc(out.len + 1)))
		return -ENOMEM;
	out.buf = req->tx;
	out.size = out.len + 1;
	out.len = 0;
	http_put_request(&out, req);
	DBGC2(req, "HTTP request:\n%s\n", req->tx);
	return 0;
}

/** Send as much of the request as the connection takes */
static void http_tx_pump(struct http_request *req)
{
	struct io_buffer *iobuf;
	size_t n;
	int rc;

	while (req->tx && req->tx_pos < req->tx_len) {
		if (!(n = xfer_window(&req->socket)))
			return;
		if (n > req->tx_len - req->tx_pos)
			n = req->tx_len - req->tx_pos;
		if (!(iobuf = xfer_alloc_iob(&req->socket, n))) {
			http_finish(req, -ENOMEM);
			return;
		}
		memcpy(iob_put(iobuf, n), req->tx + req->tx_pos, n);
		req->tx_pos += n;
		if ((rc = xfer_deliver(&req->socket, iobuf, NULL)) != 0) {
			intf_restart(&req->socket, rc);
			http_conn_lost(req, rc);
			return;
		}
	}
}

/** Open a connection to the URI's server, or take a parked one */
static int http_connect(struct http_request *req, int fresh)
{
	unsigned int port = uri_port(req->uri, HTTP_PORT);
	struct sockaddr_in peer;
	int rc;

	req->reused = 0;
	if (!fresh && req->method != HTTP_POST &&
	    http_pool_get(&req->socket, req->uri->host, port)) {
		req->reused = 1;
		http_stats.reused++;
		return 0;
	}
	memset(&peer, 0, sizeof(peer));
	peer.sin_port = htons((uint16_t)port);
	if (http_tunables.connect)
		rc = http_tunables.connect(
			&req->socket, (struct sockaddr *)&peer, req->uri->host);
	else
		rc = xfer_open_named_socket(&req->socket, SOCK_STREAM,
					    (struct sockaddr *)&peer,
					    req->uri->host, NULL);
	if (rc == 0)
		http_stats.connections++;
	return rc;
}

/** Send a request for what is still wanted */
static int http_attempt(struct http_request *req, int fresh)
{
	int rc;

	req->attempt++;
	intf_restart(&req->socket, 0);
	http_rx_reset(&req->rx);
	req->answered = 0;
	req->delivering = 0;
	req->next = HTTP_NEXT_FINISH;
	req->drained = 0;
	req->skip = 0;
	req->end = 0;
	req->attempt_pos = req->pos;
	if ((rc = http_build_request(req)) != 0)
		return rc;
	DBGC(req, "HTTP %s %s from %llu\n", http_method_names[req->method],
	     req->shown, (unsigned long long)req->pos);
	if ((rc = http_connect(req, fresh)) != 0)
		return rc;
	http_stall_restart(req);
	http_tx_pump(req);
	return 0;
}

/* ------------------------------------------------------------------------
 * After a response
 */

/** HTTP_NEXT_FINISH: done, unless a range came short of the end */
static int http_next_finish(struct http_request *req)
{
	if (req->method == HTTP_HEAD || !req->total_known ||
	    req->pos >= req->total) {
		http_finish(req, 0);
		return 0;
	}
	/* A server may answer a range with less than was asked */
	if (req->pos > req->attempt_pos)
		return http_attempt(req, 0);
	return errctx(-EPROTO,
		      "HTTP server %s sent none of the %llu bytes "
		      "asked of %s",
		      req->uri->host,
		      (unsigned long long)(req->total - req->pos), req->shown);
}

static int http_next_fail(struct http_request *req)
{
	return req->next_rc;
}

static int http_next_redirect(struct http_request *req)
{
	struct uri shown;

	uri_put(req->uri);
	req->uri = req->next_uri;
	req->next_uri = NULL;
	shown = *req->uri;
	shown.password = NULL;
	free(req->shown);
	if (!(req->shown = format_uri_alloc(&shown)))
		return -ENOMEM;
	return http_attempt(req, 0);
}

static int http_next_retry(struct http_request *req)
{
	return http_attempt(req, 0);
}

/** What to do after a response, by enum http_next */
static int (*const http_nexts[])(struct http_request *req) = {
	[HTTP_NEXT_FINISH] = http_next_finish,
	[HTTP_NEXT_FAIL] = http_next_fail,
	[HTTP_NEXT_REDIRECT] = http_next_redirect,
	[HTTP_NEXT_RETRY] = http_next_retry,
};

/** Carry out what the response said, now that it is read */
static void http_act(struct http_request *req)
{
	int rc = http_nexts[req->next](req);

	if (rc)
		http_finish(req, rc);
}

/** The response is complete; @leftover bytes followed it */
static void http_complete(struct http_request *req, size_t leftover)
{
	struct http_response *resp = &req->rx.resp;
	int reusable =
		!leftover && req->rx.framing != HTTP_BODY_CLOSE &&
		!(resp->flags & HTTP_RESP_CLOSE) &&
		(resp->version >= 11 || (resp->flags & HTTP_RESP_KEEPALIVE));

	timer_stop(&req->stall);
	if (reusable && intf_plugged(&req->socket))
		http_pool_put(&req->socket, req->uri->host,
			      uri_port(req->uri, HTTP_PORT));
	else
		intf_restart(&req->socket, 0);
	http_act(req);
}

/** Act without reading the rest of the body: the connection goes */
static void http_act_now(struct http_request *req)
{
	timer_stop(&req->stall);
	intf_restart(&req->socket, -ECONNABORTED);
	http_act(req);
}

/* ------------------------------------------------------------------------
 * Responses
 */

/** Deliver a size hint to the consumer */
static void http_size_hint(struct http_request *req, uint64_t total)
{
	struct xfer_metadata meta;
	struct io_buffer *iobuf;

	req->total = total;
	req->total_known = 1;
	if (!(iobuf = xfer_alloc_iob(&req->xfer, 0)))
		return;
	memset(&meta, 0, sizeof(meta));
	meta.flags = XFER_FL_SIZE_HINT;
	meta.offset = total;
	xfer_deliver(&req->xfer, iobuf, &meta);
}

/** Remember what identifies the file, for resuming */
static void http_record(struct http_request *req,
			const struct http_response *resp)
{
	strcpy(req->etag,
	       (resp->flags & HTTP_RESP_WEAK_ETAG) ? "" : resp->etag);
	strcpy(req->last_modified, resp->last_modified);
}

/** True unless the response's validators say the file changed */
static int http_same_validators(struct http_request *req,
				const struct http_response *resp)
{
	if (req->etag[0] && resp->etag[0] && strcmp(req->etag, resp->etag) != 0)
		return 0;
	if (req->last_modified[0] && resp->last_modified[0] &&
	    strcmp(req->last_modified, resp->last_modified) != 0)
		return 0;
	return 1;
}

/** A whole file sent again: safe to use only if it is surely the same */
static int http_same_file(struct http_request *req,
			  const struct http_response *resp)
{
	if (!(resp->flags & HTTP_RESP_LENGTH) || !req->total_known ||
	    resp->content_length != req->total ||
	    !http_same_validators(req, resp))
		return 0;
	return (req->etag[0] && resp->etag[0]) ||
	       (req->last_modified[0] && resp->last_modified[0]);
}

/** 206: the range must start where we are and fit the file we had */
static int http_accept_partial(struct http_request *req)
{
	struct http_response *resp = &req->rx.resp;
	struct http_range *range = &resp->range;

	if (!(resp->flags & HTTP_RESP_RANGE) || range->unsatisfied)
		return errctx(-EPROTO,
			      "HTTP server sent part of %s without "
			      "a valid Content-Range",
			      req->shown);
	if (range->first != req->pos ||
	    ((resp->flags & HTTP_RESP_LENGTH) &&
	     resp->content_length != range->last - range->first + 1))
		return errctx(-EPROTO,
			      "HTTP server sent bytes %llu-%llu of "
			      "%s, not from %llu as asked",
			      (unsigned long long)range->first,
			      (unsigned long long)range->last, req->shown,
			      (unsigned long long)req->pos);
	if ((req->started && !http_same_validators(req, resp)) ||
	    (req->total_known && range->complete_known &&
	     range->complete != req->total))
		return errctx(-ESTALE,
			      "%s changed on the server during the "
			      "download",
			      req->shown);
	if (!req->started)
		http_record(req, resp);
	if (!req->total_known && range->complete_known)
		http_size_hint(req, range->complete);
	req->end = range->last + 1;
	return 0;
}

/** 200 and the like: the whole file, from its start */
static int http_accept_full(struct http_request *req)
{
	struct http_response *resp = &req->rx.resp;

	if (req->pos && req->started && !http_same_validators(req, resp))
		return errctx(-ESTALE,
			      "%s changed on the server: cannot "
			      "resume",
			      req->shown);
	if (req->pos && req->started && !http_same_file(req, resp))
		return errctx(-ESTALE,
			      "cannot resume %s: the server sent it "
			      "whole again",
			      req->shown);
	/* Whatever comes before our position was delivered already */
	req->skip = req->pos;
	if (req->started)
		return 0;
	http_record(req, resp);
	if (resp->flags & HTTP_RESP_LENGTH)
		http_size_hint(req, resp->content_length);
	return 0;
}

/** 2xx */
static int http_on_success(struct http_request *req)
{
	struct http_response *resp = &req->rx.resp;
	int rc;

	req->next = HTTP_NEXT_FINISH;
	if (req->method == HTTP_HEAD) {
		if (resp->flags & HTTP_RESP_LENGTH)
			http_size_hint(req, resp->content_length);
		return 0;
	}
	rc = (resp->status == 206) ? http_accept_partial(req)
				   : http_accept_full(req);
	if (rc)
		return rc;
	/* A later challenge (a resume's, say) may be answered afresh */
	req->auth_tries = 0;
	req->started = 1;
	req->delivering = 1;
	return 0;
}

/** Credentials of a redirection: kept only for the same server */
static int http_redirect_credentials(struct http_request *req, struct uri *next)
{
	int same = strcasecmp(next->host, req->uri->host) == 0 &&
		   uri_port(next, HTTP_PORT) == uri_port(req->uri, HTTP_PORT);

	/* An answer to a challenge names the URI it was for */
	free(req->authorization);
	req->authorization = NULL;
	req->auth_tries = 0;
	if (!next->user && same)
		return 0;
	free(req->user);
	free(req->password);
	req->user = next->user ? strdup(next->user) : NULL;
	req->password = next->user
				? strdup(next->password ? next->password : "")
				: NULL;
	if (next->user && (!req->user || !req->password))
		return -ENOMEM;
	return 0;
}

/** 301, 302, 303, 307, 308 */
static int http_on_redirect(struct http_request *req)
{
	struct http_response *resp = &req->rx.resp;
	struct uri *location, *next;

	if (!resp->location)
		return errctx(-EPROTO, "HTTP %u without a Location: %s",
			      resp->status, req->shown);
	if (req->redirects >= HTTP_MAX_REDIRECTS)
		return errctx(-ELOOP, "over %d HTTP redirections from %s",
			      HTTP_MAX_REDIRECTS, req->shown);
	if (!(location = parse_uri(resp->location)))
		return -ENOMEM;
	next = resolve_uri(req->uri, location);
	uri_put(location);
	if (!next)
		return -ENOMEM;
	uri_put(req->next_uri);
	req->next_uri = next;
	if (!next->scheme || strcasecmp(next->scheme, "http") != 0 ||
	    !next->host || !next->host[0])
		return errctx(-ENOTSUP,
			      "%s redirects to %.60s, which Keel "
			      "cannot follow",
			      req->shown, resp->location);
	if (resp->status == 303 ||
	    (req->method == HTTP_POST && resp->status <= 302)) {
		if (req->method == HTTP_POST)
			req->method = HTTP_GET;
		free(req->form);
		req->form = NULL;
	}
	req->redirects++;
	http_stats.redirects++;
	req->next = HTTP_NEXT_REDIRECT;
	return http_redirect_credentials(req, next);
}

/** A fresh client nonce: 16 hex digits */
static void http_cnonce(char *cnonce, size_t len)
{
	snprintf(cnonce, len, "%08lx%08lx",
		 (unsigned long)random() & 0xffffffffUL,
		 (unsigned long)random() & 0xffffffffUL);
}

/** 401: answer the challenge once (twice if the nonce went stale) */
static int http_on_challenge(struct http_request *req)
{
	struct http_response *resp = &req->rx.resp;
	struct http_digest_input in;
	struct http_challenge chal;
	struct http_out out = {NULL, 0, 0};
	char cnonce[20], *target;

	if (!req->user || !resp->authenticate ||
	    http_parse_challenges(resp->authenticate, &chal) != 0 ||
	    req->auth_tries >= 2 ||
	    (req->auth_tries == 1 &&
	     !(chal.scheme == HTTP_AUTH_DIGEST && chal.stale)))
		return 1;
	http_put_target(&out, req->uri);
	if (!(target = malloc(out.len + 1)))
		return -ENOMEM;
	out.buf = target;
	out.size = out.len + 1;
	out.len = 0;
	http_put_target(&out, req->uri);
	http_cnonce(cnonce, sizeof(cnonce));
	in.user = req->user;
	in.password = req->password ? req->password : "";
	in.method = http_method_names[req->method];
	in.uri = target;
	in.cnonce = cnonce;
	in.nc = 1;
	free(req->authorization);
	req->authorization = http_authorization(&chal, &in);
	free(target);
	if (!req->authorization)
		return -ENOMEM;
	req->auth_tries++;
	req->next = HTTP_NEXT_RETRY;
	return 0;
}

/** True for the redirections followed */
static int http_is_redirect(unsigned int status)
{
	return status == 301 || status == 302 || status == 303 ||
	       status == 307 || status == 308;
}

/** Decide what the response means */
static int http_judge(struct http_request *req)
{
	struct http_response *resp = &req->rx.resp;
	unsigned int status = resp->status;
	int rc;

	if (http_is_redirect(status))
		return http_on_redirect(req);
	if (status == 401 && (rc = http_on_challenge(req)) <= 0)
		return rc;
	if (status >= 200 && status < 300)
		return http_on_success(req);
	req->next = HTTP_NEXT_FAIL;
	req->next_rc = http_status_rc(status, resp->reason, req->shown);
	return 0;
}

/** The header section is complete */
static void http_on_headers(struct http_request *req)
{
	struct http_response *resp = &req->rx.resp;
	int rc;

	DBGC(req, "HTTP %s: %u %s\n", req->shown, resp->status, resp->reason);
	if (resp->status < 200) {
		/* Interim (100 Continue, 103 Early Hints): the next follows */
		if (resp->status == 101)
			http_finish(req, errctx(-EPROTO,
						"HTTP server %s "
						"switched protocols",
						req->uri->host));
		else
			http_rx_reset(&req->rx);
		return;
	}
	if ((rc = http_rx_set_framing(&req->rx, req->method == HTTP_HEAD)) ||
	    (rc = http_judge(req))) {
		http_finish(req, rc);
		return;
	}
	/* A body we do not keep is read to keep the connection, if short */
	if (!req->delivering && req->rx.state != HTTP_RX_DONE &&
	    (req->rx.framing == HTTP_BODY_CLOSE ||
	     (req->rx.framing == HTTP_BODY_LENGTH &&
	      req->rx.remaining > HTTP_MAX_DRAIN)))
		http_act_now(req);
}

/* ------------------------------------------------------------------------
 * Receiving
 */

/** Hand body bytes to the consumer; @iobuf (if not NULL) holds exactly them */
static void http_on_body(struct http_request *req, const char *data, size_t len,
			 struct io_buffer *iobuf)
{
	struct xfer_metadata meta;
	size_t skip = (req->skip < len) ? (size_t)req->skip : len;
	int rc;

	if (!req->delivering) {
		free_iob(iobuf);
		if ((req->drained += len) > HTTP_MAX_DRAIN)
			http_act_now(req);
		return;
	}
	req->skip -= skip;
	data += skip;
	len -= skip;
	if (req->end && len > req->end - req->pos) {
		free_iob(iobuf);
		http_finish(req, errctx(-EPROTO,
					"HTTP server %s sent more "
					"than the range asked",
					req->uri->host));
		return;
	}
	if (iobuf) {
		iob_pull(iobuf, skip);
	} else if (len && (iobuf = xfer_alloc_iob(&req->xfer, len))) {
		memcpy(iob_put(iobuf, len), data, len);
	}
	if (!len || !iobuf) {
		free_iob(iobuf);
		if (len)
			http_finish(req, -ENOMEM);
		return;
	}
	memset(&meta, 0, sizeof(meta));
	meta.flags = XFER_FL_ABS_OFFSET;
	meta.offset = req->pos;
	req->pos += len;
	if (req->resume_tries && req->pos > req->attempt_pos)
		req->resume_tries = 0;
	if ((rc = xfer_deliver(&req->xfer, iobuf, &meta)) != 0)
		http_finish(req, rc);
}

/** Run what arrived through the response parser */
static void http_rx_input(struct http_request *req, struct io_buffer *iobuf)
{
	const char *data = iobuf->data;
	size_t len = iob_len(iobuf), pos = 0, used, body;
	unsigned int attempt = req->attempt;
	int event;

	while (!req->finished && req->attempt == attempt) {
		event = http_rx_step(&req->rx, data + pos, len - pos, &used,
				     &body);
		pos += used;
		if (event < 0) {
			http_finish(req, event);
			break;
		}
		if (event == HTTP_RX_MORE)
			break;
		if (event == HTTP_RX_HEADERS) {
			http_on_headers(req);
		} else if (event == HTTP_RX_BODY && pos == len && iobuf) {
			/* The body runs to the end: pass the buffer on */
			iob_pull(iobuf, pos - body);
			http_on_body(req, iobuf->data, body, iobuf);
			iobuf = NULL;
		} else if (event == HTTP_RX_BODY) {
			http_on_body(req, data + pos - body, body, NULL);
		} else {
			http_complete(req, len - pos);
			break;
		}
	}
	free_iob(iobuf);
}

static int http_socket_deliver(struct http_request *req,
			       struct io_buffer *iobuf,
			       struct xfer_metadata *meta)
{
	(void)meta;
	if (req->finished || !iob_len(iobuf)) {
		free_iob(iobuf);
		return 0;
	}
	ref_get(&req->refcnt);
	req->answered = 1;
	http_stall_restart(req);
	http_rx_input(req, iobuf);
	ref_put(&req->refcnt);
	return 0;
}

/* ------------------------------------------------------------------------
 * Losing the connection
 */

/** The connection broke off a download: reconnect and resume, or give up */
static void http_resume(struct http_request *req, int rc)
{
	unsigned long delay = http_tunables.backoff_ms;
	unsigned int i;

	if (req->method != HTTP_GET ||
	    ++req->resume_tries > http_tunables.resume_tries) {
		http_finish(req,
			    errctx(rc,
				   "lost %s at byte %llu; %u tries to "
				   "resume failed",
				   req->shown, (unsigned long long)req->pos,
				   req->resume_tries - 1));
		return;
	}
	for (i = 1;
	     i < req->resume_tries && delay < http_tunables.backoff_max_ms; i++)
		delay *= 2;
	if (delay > http_tunables.backoff_max_ms)
		delay = http_tunables.backoff_max_ms;
	DBGC(req, "HTTP %s: connection lost at %llu (%s), retry in %lu ms\n",
	     req->shown, (unsigned long long)req->pos, strerror(rc), delay);
	timer_stop(&req->stall);
	timer_start(&req->backoff, delay * TICKS_PER_MS);
}

/** The connection is gone (already unplugged); @rc 0 for a close */
static void http_conn_lost(struct http_request *req, int rc)
{
	if (req->finished)
		return;
	if (rc == 0 && http_rx_eof(&req->rx) == 0) {
		http_complete(req, 0);
	} else if (!req->answered && req->reused) {
		/* A parked connection the server had closed: once more */
		if ((rc = http_attempt(req, 1)) != 0)
			http_conn_lost(req, rc);
	} else if (req->rx.state == HTTP_RX_BODY && !req->delivering) {
		/* The body of a response we did not keep: act on it */
		http_act(req);
	} else if (req->started) {
		http_resume(req, rc ? rc : -ECONNRESET);
	} else if (req->answered) {
		http_finish(req, errctx(rc ? rc : -ECONNRESET,
					"HTTP server %s broke off its answer "
					"for %s",
					req->uri->host, req->shown));
	} else {
		http_finish(req, rc ? rc
				    : errctx(-ECONNRESET,
					     "HTTP server %s closed the "
					     "connection without answering",
					     req->uri->host));
	}
}

static void http_socket_close(struct http_request *req, int rc)
{
	/* Our own closing comes back here with the socket unplugged */
	if (!intf_plugged(&req->socket))
		return;
	ref_get(&req->refcnt);
	DBGC(req, "HTTP %s: connection closed: %s\n", req->shown, strerror(rc));
	intf_restart(&req->socket, rc);
	http_conn_lost(req, rc);
	ref_put(&req->refcnt);
}

/** What the consumer can take is what we let the server send */
static size_t http_socket_window(struct http_request *req)
{
	return xfer_window(&req->xfer);
}

static void http_socket_window_changed(struct http_request *req)
{
	ref_get(&req->refcnt);
	http_tx_pump(req);
	ref_put(&req->refcnt);
}

/* ------------------------------------------------------------------------
 * The consumer's side
 */

/** The consumer moves: continue from there (zero-length, absolute) */
static int http_xfer_deliver(struct http_request *req, struct io_buffer *iobuf,
			     struct xfer_metadata *meta)
{
	size_t len = iob_len(iobuf);
	int rc = 0;

	free_iob(iobuf);
	if (len || !(meta->flags & XFER_FL_ABS_OFFSET))
		return -ENOTSUP;
	if (req->finished || meta->offset == req->pos)
		return 0;
	if (req->method != HTTP_GET)
		return errctx(-ESPIPE, "cannot seek in an HTTP %s",
			      http_method_names[req->method]);
	ref_get(&req->refcnt);
	req->pos = meta->offset;
	if (!req->backoff.running) {
		intf_restart(&req->socket, -ECANCELED);
		if ((rc = http_attempt(req, 0)) != 0)
			http_finish(req, rc);
	}
	ref_put(&req->refcnt);
	return rc;
}

static void http_xfer_window_changed(struct http_request *req)
{
	xfer_window_changed(&req->socket);
}

static void http_xfer_close(struct http_request *req, int rc)
{
	http_finish(req, rc ? rc : -ECANCELED);
}

static struct interface_operation http_xfer_ops[] = {
	INTF_OP(xfer_deliver, struct http_request *, http_xfer_deliver),
	INTF_OP(xfer_window_changed, struct http_request *,
		http_xfer_window_changed),
	INTF_OP(intf_close, struct http_request *, http_xfer_close),
};
static struct interface_descriptor http_xfer_desc =
	INTF_DESC(struct http_request, xfer, http_xfer_ops);

static struct interface_operation http_socket_ops[] = {
	INTF_OP(xfer_deliver, struct http_request *, http_socket_deliver),
	INTF_OP(xfer_window, struct http_request *, http_socket_window),
	INTF_OP(xfer_window_changed, struct http_request *,
		http_socket_window_changed),
	INTF_OP(intf_close, struct http_request *, http_socket_close),
};
static struct interface_descriptor http_socket_desc =
	INTF_DESC(struct http_request, socket, http_socket_ops);

/* ------------------------------------------------------------------------
 * Opening
 */

/** Header parameters must make valid fields */
static int http_check_params(struct parameters *params)
{
	struct parameter *param;
	const char *c;

	if (!params)
		return 0;
	for_each_param(param, params)
	{
		if (!(param->flags & PARAMETER_HEADER))
			continue;
		for (c = param->key; *c; c++) {
			if (*c <= 0x20 || *c >= 0x7f ||
			    strchr("\"(),/:;<=>?@[\\]{}", *c))
				break;
		}
		if (*c || !param->key[0] || strpbrk(param->value, "\r\n"))
			return errctx(-EINVAL,
				      "\"%.30s\" cannot be sent as an "
				      "HTTP header",
				      param->key);
	}
	return 0;
}

/** The stall timeout: tunable, else the http-timeout setting, else 30 s */
static unsigned long http_stall_ms(void)
{
	unsigned long value;

	if (http_tunables.stall_ms)
		return http_tunables.stall_ms;
	if (fetch_uint_setting(NULL, &http_timeout_setting, &value) >= 0 &&
	    value)
		return value * 1000;
	return HTTP_DEFAULT_TIMEOUT * 1000UL;
}

/** Copy what the download needs from the URI */
static int http_init_request(struct http_request *req, struct uri *uri,
			     enum http_method method)
{
	struct uri shown = *uri;

	req->uri = uri_get(uri);
	req->params = params_get(uri->params);
	req->method = method;
	req->stall_ms = http_stall_ms();
	shown.password = NULL;
	if (!(req->shown = format_uri_alloc(&shown)))
		return -ENOMEM;
	if (uri->user &&
	    (!(req->user = strdup(uri->user)) ||
	     !(req->password = strdup(uri->password ? uri->password : ""))))
		return -ENOMEM;
	if (method == HTTP_POST &&
	    !(req->form = req->params ? params_format_form_alloc(req->params)
				      : strdup("")))
		return -ENOMEM;
	return 0;
}

int http_open_method(struct interface *xfer, struct uri *uri,
		     enum http_method method)
{
	unsigned int port = uri_port(uri, HTTP_PORT);
	struct http_request *req;
	int rc;

	if (!uri->host || !uri->host[0])
		return errctx(-EINVAL, "an HTTP URI needs a server");
	if (uri->port && uri->port[0] && (!port || uri_port(uri, 0) != port))
		return errctx(-EINVAL, "\"%.20s\" is not a port", uri->port);
	if ((unsigned int)method >= ARRAY_SIZE(http_method_names))
		return -EINVAL;
	if ((rc = http_check_params(uri->params)) != 0)
		return rc;
	if (!(req = zalloc(sizeof(*req))))
		return -ENOMEM;
	ref_init(&req->refcnt, http_free);
	intf_init(&req->xfer, &http_xfer_desc, &req->refcnt);
	intf_init(&req->socket, &http_socket_desc, &req->refcnt);
	timer_init(&req->stall, http_stall_expired, &req->refcnt);
	timer_init(&req->backoff, http_backoff_expired, &req->refcnt);
	if ((rc = http_init_request(req, uri, method)) != 0 ||
	    (rc = http_attempt(req, 0)) != 0)
		goto err;
	intf_plug_plug(&req->xfer, xfer);
	ref_put(&req->refcnt);
	return 0;
err:
	http_finish(req, rc);
	ref_put(&req->refcnt);
	return rc;
}

/** True if the URI's parameters make a form to POST (iPXE's rule) */
static int http_wants_post(struct uri *uri)
{
	struct parameter *param;

	if (!uri->params)
		return 0;
	if (list_empty(&uri->params->entries))
		return 1;
	for_each_param(param, uri->params)
	{
		if (param->flags & PARAMETER_FORM)
			return 1;
	}
	return 0;
}

static int http_open(struct interface *xfer, struct uri *uri)
{
	return http_open_method(xfer, uri,
				http_wants_post(uri) ? HTTP_POST : HTTP_GET);
}

struct uri_opener http_uri_opener __uri_opener = {
	.scheme = "http",
	.open = http_open,
};
