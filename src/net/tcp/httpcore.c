/* HTTP responses (RFC 9112): status line, header fields, framing, chunked
 * bodies and Content-Range, parsed strictly within bounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <keel/http.h>

/** Largest number accepted in a length or position (2^62) */
#define HTTP_MAX_NUMBER (1ULL << 62)

/* ------------------------------------------------------------------------
 * Small lexical helpers
 */

/** True for a token character (RFC 9110 section 5.6.2) */
static int http_is_tchar(unsigned char c)
{
	return c < 0x80 && (isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c)));
}

/** True for a control character not allowed in a field (all but HTAB) */
static int http_is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/** Skip optional whitespace */
static const char *http_skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/** Copy untrusted text for a message: printable ASCII, cut at @max */
static void http_sanitise(char *out, const char *in, size_t max)
{
	size_t i;

	for (i = 0; i < max && in[i]; i++)
		out[i] = (in[i] >= 0x20 && in[i] < 0x7f) ? in[i] : '?';
	out[i] = '\0';
}

/**
 * Parse a decimal number (digits only, at most HTTP_MAX_NUMBER).
 *
 * @text	cursor, moved past the digits
 * @ret rc	0 or -EPROTO
 */
static int http_parse_number(const char **text, uint64_t *value)
{
	const char *p = *text;
	uint64_t v = 0;

	if (!isdigit((unsigned char)*p))
		return -EPROTO;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > HTTP_MAX_NUMBER)
			return -EPROTO;
	}
	*text = p;
	*value = v;
	return 0;
}

/**
 * Call @fn with each element of a comma-separated list, trimmed (empty
 * elements skipped, as RFC 9110 section 5.6.1 asks). @value is cut up.
 */
static int http_for_each_element(char *value,
				 int (*fn)(struct http_response *resp,
					   char *element),
				 struct http_response *resp)
{
	char *element, *end;
	int rc;

	while ((element = strsep(&value, ",")) != NULL) {
		element = (char *)http_skip_ows(element);
		end = element + strlen(element);
		while (end > element && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*element && (rc = fn(resp, element)) != 0)
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Content-Range
 */

int http_parse_content_range(const char *value, struct http_range *range)
{
	const char *p = http_skip_ows(value);

	memset(range, 0, sizeof(*range));
	if (strncasecmp(p, "bytes", 5) != 0 || p[5] != ' ')
		goto bad;
	p = http_skip_ows(p + 6);
	if (*p == '*') {
		range->unsatisfied = 1;
		p++;
	} else if (http_parse_number(&p, &range->first) != 0 || *p++ != '-' ||
		   http_parse_number(&p, &range->last) != 0 ||
		   range->last < range->first) {
		goto bad;
	}
	if (*p++ != '/')
		goto bad;
	if (*p == '*' && !range->unsatisfied) {
		p++;
	} else {
		if (http_parse_number(&p, &range->complete) != 0)
			goto bad;
		range->complete_known = 1;
		if (!range->unsatisfied && range->last >= range->complete)
			goto bad;
	}
	if (*http_skip_ows(p) != '\0')
		goto bad;
	return 0;
bad:
	return -EPROTO;
}

/* ------------------------------------------------------------------------
 * Chunked transfer coding
 */

/** Value of a hex digit, or -1 */
static int http_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/** The end of a chunk-size line */
static int http_chunk_size_end(struct http_chunked *ch)
{
	ch->line = 0;
	if (ch->remaining) {
		ch->state = HTTP_CHUNK_DATA;
	} else {
		ch->state = HTTP_CHUNK_TRAILER;
		ch->trailers = 0;
	}
	return 0;
}

/** After the size digits: blanks, an extension, or the line end */
static int http_chunk_after_size(struct http_chunked *ch, char c)
{
	if (c == ' ' || c == '\t')
		ch->state = HTTP_CHUNK_WS;
	else if (c == ';')
		ch->state = HTTP_CHUNK_EXT;
	else if (c == '\r')
		ch->state = HTTP_CHUNK_SIZE_LF;
	else if (c == '\n')
		return http_chunk_size_end(ch);
	else
		return errctx(-EPROTO, "HTTP server sent a malformed chunk "
				       "size");
	return 0;
}

static int http_chunk_size(struct http_chunked *ch, char c)
{
	int v = http_hex_value(c);

	if (v < 0)
		return errctx(-EPROTO, "HTTP server sent a chunk without a "
				       "size");
	ch->remaining = (uint64_t)v;
	ch->state = HTTP_CHUNK_DIGITS;
	return 0;
}

static int http_chunk_digits(struct http_chunked *ch, char c)
{
	int v = http_hex_value(c);

	if (v < 0)
		return http_chunk_after_size(ch, c);
	if (ch->remaining > (HTTP_MAX_NUMBER >> 4) ||
	    ((ch->remaining << 4) | (uint64_t)v) > HTTP_MAX_NUMBER)
		return errctx(-EPROTO, "HTTP server sent a chunk size too "
				       "large to be true");
	ch->remaining = (ch->remaining << 4) | (uint64_t)v;
	return 0;
}

static int http_chunk_ws(struct http_chunked *ch, char c)
{
	return http_chunk_after_size(ch, c);
}

static int http_chunk_ext(struct http_chunked *ch, char c)
{
	if (c == '\r')
		ch->state = HTTP_CHUNK_SIZE_LF;
	else if (c == '\n')
		return http_chunk_size_end(ch);
	else if (http_is_ctl((unsigned char)c))
		return errctx(-EPROTO, "HTTP server sent a control character "
				       "in a chunk extension");
	return 0;
}

/** A CR must be followed by LF */
static int http_chunk_size_lf(struct http_chunked *ch, char c)
{
	if (c != '\n')
		return errctx(-EPROTO, "HTTP server sent a bare CR in a "
				       "chunk size line");
	return http_chunk_size_end(ch);
}

static int http_chunk_data_cr(struct http_chunked *ch, char c)
{
	if (c == '\r') {
		ch->state = HTTP_CHUNK_DATA_LF;
	} else if (c == '\n') {
		ch->state = HTTP_CHUNK_SIZE;
	} else {
		return errctx(-EPROTO, "HTTP server sent a chunk longer than "
				       "its size");
	}
	return 0;
}

static int http_chunk_data_lf(struct http_chunked *ch, char c)
{
	if (c != '\n')
		return errctx(-EPROTO, "HTTP server sent a chunk longer than "
				       "its size");
	ch->state = HTTP_CHUNK_SIZE;
	return 0;
}

/** At the start of a trailer line: the empty line ends the body */
static int http_chunk_trailer(struct http_chunked *ch, char c)
{
	ch->trailer_empty = 1;
	if (c == '\r') {
		ch->state = HTTP_CHUNK_TRAILER_LF;
	} else if (c == '\n') {
		ch->state = HTTP_CHUNK_DONE;
	} else if (++ch->trailers > HTTP_MAX_HEADERS) {
		return errctx(-EPROTO,
			      "HTTP server sent over %d trailer "
			      "fields",
			      HTTP_MAX_HEADERS);
	} else {
		ch->trailer_empty = 0;
		ch->state = HTTP_CHUNK_TRAILER_LINE;
		if (http_is_ctl((unsigned char)c))
			return errctx(-EPROTO, "HTTP server sent a control "
					       "character in a trailer");
	}
	return 0;
}

static int http_chunk_trailer_line(struct http_chunked *ch, char c)
{
	if (c == '\r') {
		ch->state = HTTP_CHUNK_TRAILER_LF;
	} else if (c == '\n') {
		ch->line = 0;
		ch->state = HTTP_CHUNK_TRAILER;
	} else if (http_is_ctl((unsigned char)c)) {
		return errctx(-EPROTO, "HTTP server sent a control character "
				       "in a trailer");
	}
	return 0;
}

static int http_chunk_trailer_lf(struct http_chunked *ch, char c)
{
	if (c != '\n')
		return errctx(-EPROTO, "HTTP server sent a bare CR in a "
				       "trailer");
	ch->line = 0;
	ch->state = ch->trailer_empty ? HTTP_CHUNK_DONE : HTTP_CHUNK_TRAILER;
	return 0;
}

/** Control-byte handlers, by state (data and the end take no bytes here) */
static int (*const http_chunk_handlers[])(struct http_chunked *, char) = {
	[HTTP_CHUNK_SIZE] = http_chunk_size,
	[HTTP_CHUNK_DIGITS] = http_chunk_digits,
	[HTTP_CHUNK_WS] = http_chunk_ws,
	[HTTP_CHUNK_EXT] = http_chunk_ext,
	[HTTP_CHUNK_SIZE_LF] = http_chunk_size_lf,
	[HTTP_CHUNK_DATA_CR] = http_chunk_data_cr,
	[HTTP_CHUNK_DATA_LF] = http_chunk_data_lf,
	[HTTP_CHUNK_TRAILER] = http_chunk_trailer,
	[HTTP_CHUNK_TRAILER_LINE] = http_chunk_trailer_line,
	[HTTP_CHUNK_TRAILER_LF] = http_chunk_trailer_lf,
};

/** One control byte */
static int http_chunk_byte(struct http_chunked *ch, char c)
{
	if ((unsigned int)ch->state >= ARRAY_SIZE(http_chunk_handlers) ||
	    !http_chunk_handlers[ch->state])
		return -EPROTO;
	if (++ch->line > HTTP_MAX_LINE)
		return errctx(-EPROTO,
			      "HTTP server sent a chunk line over "
			      "%d bytes",
			      HTTP_MAX_LINE);
	return http_chunk_handlers[ch->state](ch, c);
}

int http_chunked_step(struct http_chunked *ch, const char *data, size_t len,
		      size_t *used, size_t *body)
{
	size_t i = 0, n;
	int rc = 0;

	*body = 0;
	while (i < len && ch->state != HTTP_CHUNK_DONE) {
		if (ch->state == HTTP_CHUNK_DATA) {
			n = len - i;
			if (n > ch->remaining)
				n = (size_t)ch->remaining;
			ch->remaining -= n;
			i += n;
			*body = n;
			if (!ch->remaining) {
				ch->line = 0;
				ch->state = HTTP_CHUNK_DATA_CR;
			}
			break;
		}
		if ((rc = http_chunk_byte(ch, data[i++])) != 0)
			break;
	}
	*used = i;
	if (rc)
		return rc;
	return ch->state == HTTP_CHUNK_DONE;
}

/* ------------------------------------------------------------------------
 * Header fields
 */

static int http_content_length_element(struct http_response *resp,
				       char *element)
{
	const char *p = element;
	uint64_t v;

	if (http_parse_number(&p, &v) != 0 || *p)
		return errctx(-EPROTO, "HTTP server sent a malformed "
				       "Content-Length");
	if ((resp->flags & HTTP_RESP_LENGTH) && v != resp->content_length)
		return errctx(-EPROTO, "HTTP server sent two different "
				       "Content-Length values");
	resp->content_length = v;
	resp->flags |= HTTP_RESP_LENGTH;
	return 0;
}

static int http_hdr_content_length(struct http_response *resp, char *value)
{
	if (!*value)
		return errctx(-EPROTO, "HTTP server sent an empty "
				       "Content-Length");
	return http_for_each_element(value, http_content_length_element, resp);
}

static int http_te_element(struct http_response *resp, char *element)
{
	/* Parameters (";q=...") do not matter: only the coding's name */
	element[strcspn(element, " \t;")] = '\0';
	if (strcasecmp(element, "chunked") == 0 &&
	    !(resp->flags & HTTP_RESP_CHUNKED)) {
		resp->flags |= HTTP_RESP_CHUNKED;
		return 0;
	}
	/* Anything after chunked, chunked twice, or any other coding */
	resp->flags |= HTTP_RESP_TE_OTHER;
	return 0;
}

static int http_hdr_transfer_encoding(struct http_response *resp, char *value)
{
	return http_for_each_element(value, http_te_element, resp);
}

static int http_connection_element(struct http_response *resp, char *element)
{
	if (strcasecmp(element, "close") == 0)
		resp->flags |= HTTP_RESP_CLOSE;
	else if (strcasecmp(element, "keep-alive") == 0)
		resp->flags |= HTTP_RESP_KEEPALIVE;
	return 0;
}

static int http_hdr_connection(struct http_response *resp, char *value)
{
	return http_for_each_element(value, http_connection_element, resp);
}

static int http_ranges_element(struct http_response *resp, char *element)
{
	if (strcasecmp(element, "bytes") == 0)
		resp->flags |= HTTP_RESP_RANGES;
	else if (strcasecmp(element, "none") == 0)
		resp->flags |= HTTP_RESP_NO_RANGES;
	return 0;
}

static int http_hdr_accept_ranges(struct http_response *resp, char *value)
{
	return http_for_each_element(value, http_ranges_element, resp);
}

static int http_hdr_content_range(struct http_response *resp, char *value)
{
	if (resp->flags & (HTTP_RESP_RANGE | HTTP_RESP_RANGE_BAD))
		return errctx(-EPROTO, "HTTP server sent two Content-Range "
				       "fields");
	if (http_parse_content_range(value, &resp->range) == 0)
		resp->flags |= HTTP_RESP_RANGE;
	else
		resp->flags |= HTTP_RESP_RANGE_BAD;
	return 0;
}

/** An entity tag: [W/]"..." without quotes or controls inside */
static int http_valid_etag(const char *value)
{
	size_t len;

	if (strncmp(value, "W/", 2) == 0)
		value += 2;
	len = strlen(value);
	if (len < 2 || value[0] != '"' || value[len - 1] != '"')
		return 0;
	return strcspn(value + 1, "\"") == len - 2;
}

static int http_hdr_etag(struct http_response *resp, char *value)
{
	/* Unusable (too long, malformed or repeated): resume without it */
	if (resp->etag[0] || strlen(value) > HTTP_MAX_ETAG ||
	    !http_valid_etag(value)) {
		resp->etag[0] = '\0';
		resp->flags |= HTTP_RESP_WEAK_ETAG;
		return 0;
	}
	strcpy(resp->etag, value);
	if (strncmp(value, "W/", 2) == 0)
		resp->flags |= HTTP_RESP_WEAK_ETAG;
	return 0;
}

static int http_hdr_last_modified(struct http_response *resp, char *value)
{
	if (strlen(value) <= HTTP_MAX_DATE)
		strcpy(resp->last_modified, value);
	return 0;
}

static int http_hdr_location(struct http_response *resp, char *value)
{
	if (resp->location)
		return errctx(-EPROTO, "HTTP server sent two Location fields");
	if (!(resp->location = strdup(value)))
		return -ENOMEM;
	return 0;
}

static int http_hdr_www_authenticate(struct http_response *resp, char *value)
{
	size_t have = resp->authenticate ? strlen(resp->authenticate) : 0;
	size_t add = strlen(value);
	char *joined;

	/* Challenges past the limit are not answered */
	if (have + add + 2 > HTTP_MAX_AUTHENTICATE)
		return 0;
	if (!(joined = realloc(resp->authenticate, have + add + 3)))
		return -ENOMEM;
	if (have)
		strcpy(joined + have, ", ");
	strcpy(joined + have + (have ? 2 : 0), value);
	resp->authenticate = joined;
	return 0;
}

/** What is done with each header field we understand */
struct http_header_handler {
	const char *name;
	int (*parse)(struct http_response *resp, char *value);
};

static const struct http_header_handler http_header_handlers[] = {
	{"Content-Length", http_hdr_content_length},
	{"Transfer-Encoding", http_hdr_transfer_encoding},
	{"Connection", http_hdr_connection},
	{"Accept-Ranges", http_hdr_accept_ranges},
	{"Content-Range", http_hdr_content_range},
	{"ETag", http_hdr_etag},
	{"Last-Modified", http_hdr_last_modified},
	{"Location", http_hdr_location},
	{"WWW-Authenticate", http_hdr_www_authenticate},
};

/** One complete (unfolded) header field, in rx->line */
static int http_rx_field(struct http_rx *rx)
{
	const struct http_header_handler *handler;
	char *line = rx->line, *colon, *value, *end;
	size_t i;

	line[rx->len] = '\0';
	rx->len = 0;
	colon = strchr(line, ':');
	if (!colon || colon == line)
		return errctx(-EPROTO, "HTTP server sent a header line "
				       "without a field name");
	for (i = 0; &line[i] < colon; i++) {
		if (!http_is_tchar((unsigned char)line[i]))
			return errctx(-EPROTO, "HTTP server sent a malformed "
					       "field name");
	}
	if (++rx->resp.headers > HTTP_MAX_HEADERS)
		return errctx(-EPROTO,
			      "HTTP server sent over %d header "
			      "fields",
			      HTTP_MAX_HEADERS);
	*colon = '\0';
	value = (char *)http_skip_ows(colon + 1);
	end = value + strlen(value);
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	for (i = 0; i < ARRAY_SIZE(http_header_handlers); i++) {
		handler = &http_header_handlers[i];
		if (strcasecmp(handler->name, line) == 0)
			return handler->parse(&rx->resp, value);
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * The status line
 */

/** Parse "HTTP/1.1 200 OK" from rx->line */
static int http_rx_status(struct http_rx *rx)
{
	struct http_response *resp = &rx->resp;
	const char *p = rx->line;
	char shown[41];

	rx->line[rx->len] = '\0';
	rx->len = 0;
	if (strncmp(p, "HTTP/", 5) != 0 || !isdigit((unsigned char)p[5]) ||
	    p[6] != '.' || !isdigit((unsigned char)p[7]) || p[8] != ' ' ||
	    !isdigit((unsigned char)p[9]) || !isdigit((unsigned char)p[10]) ||
	    !isdigit((unsigned char)p[11]) || (p[12] != ' ' && p[12])) {
		http_sanitise(shown, p, sizeof(shown) - 1);
		return errctx(-EPROTO,
			      "HTTP server sent a malformed status "
			      "line \"%s\"",
			      shown);
	}
	if (p[5] != '1')
		return errctx(-ENOTSUP, "HTTP server answered in HTTP/%c.%c",
			      p[5], p[7]);
	resp->version = (p[7] == '0') ? 10 : 11;
	resp->status = (unsigned int)((p[9] - '0') * 100 + (p[10] - '0') * 10 +
				      (p[11] - '0'));
	if (resp->status < 100 || resp->status > 599)
		return errctx(-EPROTO, "HTTP server sent status %u",
			      resp->status);
	http_sanitise(resp->reason, p[12] ? p + 13 : "", HTTP_MAX_REASON);
	rx->state = HTTP_RX_HEADERS;
	return 0;
}

/* ------------------------------------------------------------------------
 * The header section, a byte at a time
 */

/** The end of a line; 1 when the header section is complete */
static int http_rx_eol(struct http_rx *rx)
{
	if (rx->state == HTTP_RX_STATUS) {
		if (rx->len) {
			rx->line_start = 1;
			return http_rx_status(rx);
		}
		if (++rx->empty_lines > HTTP_MAX_EMPTY_LINES)
			return errctx(-EPROTO, "HTTP server sent empty lines "
					       "instead of a status line");
		return 0;
	}
	if (!rx->line_start) {
		/* The field stays in the buffer: the next line may fold */
		rx->line_start = 1;
		return 0;
	}
	/* An empty line: the last field, then the end of the section */
	if (rx->len) {
		int rc = http_rx_field(rx);

		if (rc)
			return rc;
	}
	rx->state = HTTP_RX_HEADERS_DONE;
	return 1;
}

/** The first byte of a header line: a folded continuation, or a new field */
static int http_rx_line_start(struct http_rx *rx, char c)
{
	int rc;

	rx->line_start = 0;
	if (c == ' ' || c == '\t') {
		/* obs-fold (RFC 9112 section 5.2): one SP replaces it */
		if (!rx->len)
			return errctx(-EPROTO, "HTTP server sent a folded "
					       "line without a field");
		if (rx->len >= HTTP_MAX_LINE)
			return errctx(-EPROTO,
				      "HTTP server sent a header line "
				      "over %d bytes",
				      HTTP_MAX_LINE);
		rx->folding = 1;
		rx->line[rx->len++] = ' ';
		return 0;
	}
	if (rx->len && (rc = http_rx_field(rx)) != 0)
		return rc;
	return 0;
}

/** One byte of the status line or header section; 1 at its end */
static int http_rx_header_byte(struct http_rx *rx, char c)
{
	int rc;

	if (++rx->header_bytes > HTTP_MAX_HEADER_BYTES)
		return errctx(-EPROTO,
			      "HTTP server sent over %d bytes of "
			      "header fields",
			      HTTP_MAX_HEADER_BYTES);
	if (rx->cr) {
		rx->cr = 0;
		if (c != '\n')
			return errctx(-EPROTO, "HTTP server sent a bare CR in "
					       "its header");
		return http_rx_eol(rx);
	}
	if (c == '\r') {
		rx->cr = 1;
		return 0;
	}
	if (c == '\n')
		return http_rx_eol(rx);
	if (rx->line_start && rx->state == HTTP_RX_HEADERS &&
	    (rc = http_rx_line_start(rx, c)) != 0)
		return rc;
	rx->line_start = 0;
	if (rx->folding && (c == ' ' || c == '\t'))
		return 0;
	rx->folding = 0;
	if (c == '\0' || http_is_ctl((unsigned char)c))
		return errctx(-EPROTO, "HTTP server sent a control character "
				       "in its header");
	if (rx->len >= HTTP_MAX_LINE)
		return errctx(-EPROTO,
			      "HTTP server sent a header line over "
			      "%d bytes",
			      HTTP_MAX_LINE);
	rx->line[rx->len++] = c;
	return 0;
}

/* ------------------------------------------------------------------------
 * The parser
 */

void http_rx_free(struct http_rx *rx)
{
	free(rx->resp.location);
	free(rx->resp.authenticate);
	rx->resp.location = NULL;
	rx->resp.authenticate = NULL;
}

void http_rx_reset(struct http_rx *rx)
{
	http_rx_free(rx);
	memset(&rx->resp, 0, sizeof(rx->resp));
	memset(&rx->chunked, 0, sizeof(rx->chunked));
	rx->state = HTTP_RX_STATUS;
	rx->framing = HTTP_BODY_NONE;
	rx->remaining = 0;
	rx->header_bytes = 0;
	rx->empty_lines = 0;
	rx->line_start = 0;
	rx->cr = 0;
	rx->folding = 0;
	rx->len = 0;
}

int http_rx_set_framing(struct http_rx *rx, int head)
{
	struct http_response *resp = &rx->resp;

	rx->state = HTTP_RX_BODY;
	if (resp->status < 200 || head || resp->status == 204 ||
	    resp->status == 304) {
		rx->framing = HTTP_BODY_NONE;
	} else if (resp->flags & HTTP_RESP_TE_OTHER) {
		return errctx(-ENOTSUP, "HTTP server sent a transfer coding "
					"other than chunked");
	} else if (resp->flags & HTTP_RESP_CHUNKED) {
		rx->framing = HTTP_BODY_CHUNKED;
		memset(&rx->chunked, 0, sizeof(rx->chunked));
		return 0;
	} else if (resp->flags & HTTP_RESP_LENGTH) {
		rx->framing = HTTP_BODY_LENGTH;
		rx->remaining = resp->content_length;
	} else {
		rx->framing = HTTP_BODY_CLOSE;
		return 0;
	}
	if (rx->framing == HTTP_BODY_NONE || !rx->remaining)
		rx->state = HTTP_RX_DONE;
	return 0;
}

/** Header bytes until the section ends */
static int http_rx_step_header(struct http_rx *rx, const char *data, size_t len,
			       size_t *used)
{
	size_t i;
	int rc;

	for (i = 0; i < len; i++) {
		if ((rc = http_rx_header_byte(rx, data[i])) != 0) {
			*used = i + 1;
			return rc < 0 ? rc : HTTP_RX_HEADERS;
		}
	}
	*used = len;
	return HTTP_RX_MORE;
}

/** Body bytes, as the framing says */
static int http_rx_step_body(struct http_rx *rx, const char *data, size_t len,
			     size_t *used, size_t *body)
{
	size_t n = len;
	int rc;

	if (rx->framing == HTTP_BODY_CHUNKED) {
		rc = http_chunked_step(&rx->chunked, data, len, used, body);
		if (rc < 0)
			return rc;
		if (rc > 0)
			rx->state = HTTP_RX_DONE;
		return *body ? HTTP_RX_BODY
			     : (rc > 0 ? HTTP_RX_COMPLETE : HTTP_RX_MORE);
	}
	if (rx->framing == HTTP_BODY_LENGTH) {
		if (n > rx->remaining)
			n = (size_t)rx->remaining;
		rx->remaining -= n;
		if (!rx->remaining)
			rx->state = HTTP_RX_DONE;
	}
	*used = *body = n;
	return n ? HTTP_RX_BODY : HTTP_RX_MORE;
}

int http_rx_step(struct http_rx *rx, const char *data, size_t len, size_t *used,
		 size_t *body)
{
	*used = 0;
	*body = 0;
	switch (rx->state) {
	case HTTP_RX_STATUS:
	case HTTP_RX_HEADERS:
		return http_rx_step_header(rx, data, len, used);
	case HTTP_RX_BODY:
		return http_rx_step_body(rx, data, len, used, body);
	case HTTP_RX_DONE:
		return HTTP_RX_COMPLETE;
	default:
		/* HTTP_RX_HEADERS_DONE: the framing must be set first */
		return -EINVAL;
	}
}

int http_rx_eof(struct http_rx *rx)
{
	if (rx->state == HTTP_RX_BODY && rx->framing == HTTP_BODY_CLOSE) {
		rx->state = HTTP_RX_DONE;
		return 0;
	}
	return rx->state == HTTP_RX_DONE ? 0 : -ECONNRESET;
}

/* ------------------------------------------------------------------------
 * Status codes
 */

/** What a final status means here */
struct http_status_map {
	unsigned int status;
	int rc;
	const char *reason;
};

static const struct http_status_map http_statuses[] = {
	{400, -EINVAL, "Bad Request"},
	{401, -EACCES, "Unauthorized"},
	{403, -EACCES, "Forbidden"},
	{404, -ENOENT, "Not Found"},
	{405, -ENOTSUP, "Method Not Allowed"},
	{407, -EACCES, "Proxy Authentication Required"},
	{408, -ETIMEDOUT, "Request Timeout"},
	{410, -ENOENT, "Gone"},
	{413, -EMSGSIZE, "Content Too Large"},
	{414, -ENAMETOOLONG, "URI Too Long"},
	{416, -ERANGE, "Range Not Satisfiable"},
	{429, -EAGAIN, "Too Many Requests"},
	{500, -EIO, "Internal Server Error"},
	{501, -ENOTSUP, "Not Implemented"},
	{502, -EIO, "Bad Gateway"},
	{503, -EAGAIN, "Service Unavailable"},
	{504, -ETIMEDOUT, "Gateway Timeout"},
	{505, -ENOTSUP, "HTTP Version Not Supported"},
};

int http_status_rc(unsigned int status, const char *reason, const char *shown)
{
	const struct http_status_map *map = NULL;
	unsigned int i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(http_statuses); i++) {
		if (http_statuses[i].status == status)
			map = &http_statuses[i];
	}
	if (map)
		rc = map->rc;
	else if (status >= 500)
		rc = -EIO;
	else if (status >= 400)
		rc = -EINVAL;
	else
		rc = -EPROTO;
	if (!reason || !reason[0])
		reason = map ? map->reason : "";
	return errctx(rc, "HTTP %u%s%s: %s", status, reason[0] ? " " : "",
		      reason, shown);
}
