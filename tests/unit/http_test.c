/* Self-tests: HTTP responses, chunks, ranges, authentication, and downloads
 * from a fake server. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/base64.h>
#include <keel/crypto.h>
#include <keel/http.h>
#include <keel/in.h>
#include <keel/iobuf.h>
#include <keel/malloc.h>
#include <keel/params.h>
#include <keel/process.h>
#include <keel/test.h>
#include <keel/timer.h>
#include <keel/uri.h>
#include <keel/version.h>
#include <keel/xfer.h>

/** Text with its length, for functions taking both */
#define TXT(text) (text), (sizeof(text) - 1)

/** True if @rc is an error with @code's code */
static int fails(int rc, int code)
{
	return rc < 0 && err_code(rc) == (code & 0xff);
}

/** True if strerror(@rc) contains @text */
static int says(int rc, const char *text)
{
	return strstr(strerror(rc), text) != NULL;
}

/* ------------------------------------------------------------------------
 * Base64 (RFC 4648 section 10)
 */

static void http_base64_test(void)
{
	static const char *const vectors[][2] = {
		{"", ""},
		{"f", "Zg=="},
		{"fo", "Zm8="},
		{"foo", "Zm9v"},
		{"foob", "Zm9vYg=="},
		{"fooba", "Zm9vYmE="},
		{"foobar", "Zm9vYmFy"},
	};
	char buf[16];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vectors); i++) {
		ok(base64_encode(vectors[i][0], strlen(vectors[i][0]), buf,
				 sizeof(buf)) == strlen(vectors[i][1]));
		ok(strcmp(buf, vectors[i][1]) == 0);
		ok(base64_encoded_len(strlen(vectors[i][0])) ==
		   strlen(vectors[i][1]));
	}
	/* Cut short like snprintf, still terminated */
	ok(base64_encode("foobar", 6, buf, 5) == 8 && strcmp(buf, "Zm9v") == 0);
	ok(base64_encode("\xff\xfe", 2, buf, sizeof(buf)) == 4 &&
	   strcmp(buf, "//4=") == 0);
}

/* ------------------------------------------------------------------------
 * Responses
 */

static struct http_rx test_rx;

/** What parsing a whole response gave */
struct parsed {
	int rc; /* 1 complete, 0 incomplete, or an error */
	char body[512];
	size_t len;
};

/**
 * Parse @text fed in pieces of at most @piece bytes (0: all at once).
 *
 * @head	the request was HEAD
 * @eof		the connection closes after the text
 */
static void parse_pieces(const char *text, size_t len, size_t piece, int head,
			 int eof, struct parsed *out)
{
	size_t pos = 0, end, used, body;
	int ev = 0;

	memset(out, 0, sizeof(*out));
	http_rx_reset(&test_rx);
	while (pos <= len) {
		end = (piece && len - pos > piece) ? pos + piece : len;
		ev = http_rx_step(&test_rx, text + pos, end - pos, &used,
				  &body);
		pos += used;
		if (ev < 0 || ev == HTTP_RX_COMPLETE)
			break;
		if (ev == HTTP_RX_HEADERS) {
			if ((ev = http_rx_set_framing(&test_rx, head)) < 0)
				break;
			continue;
		}
		if (ev == HTTP_RX_BODY &&
		    out->len + body <= sizeof(out->body)) {
			memcpy(out->body + out->len, text + pos - body, body);
			out->len += body;
		}
		if (ev == HTTP_RX_MORE && pos == len)
			break;
	}
	if (ev >= 0 && ev != HTTP_RX_COMPLETE && eof &&
	    http_rx_eof(&test_rx) == 0)
		ev = HTTP_RX_COMPLETE;
	out->rc = (ev < 0) ? ev : (ev == HTTP_RX_COMPLETE);
}

static void parse(const char *text, struct parsed *out)
{
	parse_pieces(text, strlen(text), 0, 0, 0, out);
}

static void http_status_line_test(void)
{
	struct http_response *resp = &test_rx.resp;
	struct parsed p;

	parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", &p);
	ok(p.rc == 1 && p.len == 5 && memcmp(p.body, "hello", 5) == 0);
	ok(resp->status == 200 && resp->version == 11 &&
	   strcmp(resp->reason, "OK") == 0 && resp->headers == 1);
	ok(test_rx.framing == HTTP_BODY_LENGTH);
	parse("HTTP/1.0 404 Not Found\r\n\r\n", &p);
	ok(p.rc == 0 && resp->status == 404 && resp->version == 10 &&
	   strcmp(resp->reason, "Not Found") == 0);
	ok(test_rx.framing == HTTP_BODY_CLOSE);
	/* No reason phrase, with or without its space; bare LF line ends */
	parse("HTTP/1.1 204\n\n", &p);
	ok(p.rc == 1 && resp->status == 204 && resp->reason[0] == '\0');
	parse("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", &p);
	ok(p.rc == 1 && resp->reason[0] == '\0');
	/* Empty lines before the status line are tolerated, a few */
	parse("\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", &p);
	ok(p.rc == 1);
	parse("\r\n\r\n\r\n\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", &p);
	ok(fails(p.rc, EPROTO));
	/* Reasons are sanitised and cut short */
	parse("HTTP/1.1 500 Bad\x01 stuff\r\n\r\n", &p);
	ok(fails(p.rc, EPROTO));
	parse("HTTP/1.1 500 A\xe9z\r\n\r\n", &p);
	ok(p.rc == 0 && strcmp(resp->reason, "A?z") == 0);
	/* Garbage */
	parse("HTTP/1.1 2OO OK\r\n\r\n", &p);
	ok(fails(p.rc, EPROTO) && says(p.rc, "malformed status line"));
	parse("ICY 200 OK\r\n\r\n", &p);
	ok(fails(p.rc, EPROTO));
	parse("HTTP/2 200\r\n\r\n", &p);
	ok(fails(p.rc, EPROTO));
	parse("HTTP/2.0 200 OK\r\n\r\n", &p);
	ok(fails(p.rc, ENOTSUP) && says(p.rc, "HTTP/2.0"));
	parse("HTTP/1.1 600 Odd\r\n\r\n", &p);
	ok(fails(p.rc, EPROTO));
	parse("HTTP/1.1 099 Odd\r\n\r\n", &p);
	ok(fails(p.rc, EPROTO));
	parse("HTTP/1.1 2000 OK\r\n\r\n", &p);
	ok(fails(p.rc, EPROTO));
	parse("HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n", &p);
	ok(fails(p.rc, EPROTO) && says(p.rc, "bare CR"));
	parse("<html>\r\n", &p);
	ok(fails(p.rc, EPROTO));
}

static void http_header_test(void)
{
	struct http_response *resp = &test_rx.resp;
	struct parsed p;

	/* Names are case-insensitive; values are trimmed */
	parse("HTTP/1.1 200 OK\r\ncontent-LENGTH:   3  \r\nX-Other: y\r\n\r\n"
	      "abc",
	      &p);
	ok(p.rc == 1 && p.len == 3 && resp->headers == 2);
	/* Folding: the continuation joins the field with one space */
	parse("HTTP/1.1 200 OK\r\nX-A: a\r\n  b\r\nContent-Length:\r\n \t 4\r\n"
	      "\r\nwxyz",
	      &p);
	ok(p.rc == 1 && p.len == 4 && resp->content_length == 4);
	parse("HTTP/1.1 301 Moved\r\nLocation: /a\r\n\t/b\r\n\r\n", &p);
	ok(resp->location && strcmp(resp->location, "/a /b") == 0);
	/* A fold with no field before it */
	parse("HTTP/1.1 200 OK\r\n folded: x\r\n\r\n", &p);
	ok(fails(p.rc, EPROTO) && says(p.rc, "folded"));
	/* Malformed fields */
	parse("HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", &p);
	ok(fails(p.rc, EPROTO));
	parse("HTTP/1.1 200 OK\r\nName : v\r\n\r\n", &p);
	ok(fails(p.rc, EPROTO) && says(p.rc, "field name"));
	parse("HTTP/1.1 200 OK\r\n: v\r\n\r\n", &p);
	ok(fails(p.rc, EPROTO));
	parse_pieces(TXT("HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n"), 0, 0, 0, &p);
	ok(fails(p.rc, EPROTO) && says(p.rc, "control character"));
	parse("HTTP/1.1 200 OK\r\nX: a\x7f\r\n\r\n", &p);
	ok(fails(p.rc, EPROTO));
	parse("HTTP/1.1 200 OK\r\nX: caf\xe9\r\nContent-Length: 0\r\n\r\n", &p);
	ok(p.rc == 1); /* obs-text is allowed in values */
	/* Content-Length: lists of one value, duplicates, nonsense */
	parse("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2"
	      "\r\n\r\nok",
	      &p);
	ok(p.rc == 1 && p.len == 2);
	parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: "
	      "3\r\n\r\n",
	      &p);
	ok(fails(p.rc, EPROTO) && says(p.rc, "two different"));
	parse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", &p);
	ok(fails(p.rc, EPROTO));
	parse("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", &p);
	ok(fails(p.rc, EPROTO));
	parse("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", &p);
	ok(fails(p.rc, EPROTO));
	parse("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n"
	      "\r\n",
	      &p);
	ok(fails(p.rc, EPROTO));
	/* Fields understood */
	parse("HTTP/1.1 206 Partial\r\nConnection: Keep-Alive, Upgrade\r\n"
	      "Accept-Ranges: bytes\r\nETag: W/\"x\"\r\n"
	      "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
	      "Content-Range: bytes 1-2/3\r\nContent-Length: 2\r\n\r\nxy",
	      &p);
	ok(p.rc == 1 && (resp->flags & HTTP_RESP_KEEPALIVE) &&
	   (resp->flags & HTTP_RESP_RANGES) &&
	   (resp->flags & HTTP_RESP_WEAK_ETAG) &&
	   strcmp(resp->etag, "W/\"x\"") == 0 &&
	   strcmp(resp->last_modified, "Sun, 06 Nov 1994 08:49:37 GMT") == 0 &&
	   (resp->flags & HTTP_RESP_RANGE) && resp->range.first == 1 &&
	   resp->range.last == 2 && resp->range.complete == 3);
	parse("HTTP/1.1 200 OK\r\nConnection: close\r\nETag: \"a\"\r\n"
	      "Accept-Ranges: none\r\nContent-Range: bytes 9-1/3\r\n\r\n",
	      &p);
	ok((resp->flags & HTTP_RESP_CLOSE) &&
	   (resp->flags & HTTP_RESP_NO_RANGES) &&
	   !(resp->flags & HTTP_RESP_WEAK_ETAG) &&
	   strcmp(resp->etag, "\"a\"") == 0 &&
	   (resp->flags & HTTP_RESP_RANGE_BAD));
	parse("HTTP/1.1 200 OK\r\nETag: unquoted\r\n\r\n", &p);
	ok(resp->etag[0] == '\0');
	parse("HTTP/1.1 401 No\r\nWWW-Authenticate: Basic realm=\"a\"\r\n"
	      "WWW-Authenticate: Digest nonce=\"n\"\r\n\r\n",
	      &p);
	ok(resp->authenticate &&
	   strcmp(resp->authenticate,
		  "Basic realm=\"a\", Digest nonce=\"n\"") == 0);
	parse("HTTP/1.1 302 Found\r\nLocation: /a\r\nLocation: /b\r\n\r\n", &p);
	ok(fails(p.rc, EPROTO));
}

/** A response of @count header fields, each "X-N: v" */
static char *many_headers(unsigned int count, size_t value_len)
{
	size_t size = 64 + count * (16 + value_len), len;
	char *text = malloc(size);
	unsigned int i;

	if (!text)
		return NULL;
	len = (size_t)snprintf(text, size, "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < count; i++) {
		len += (size_t)snprintf(text + len, size - len, "X-%u: ", i);
		memset(text + len, 'v', value_len);
		len += value_len;
		len += (size_t)snprintf(text + len, size - len, "\r\n");
	}
	snprintf(text + len, size - len, "Content-Length: 0\r\n\r\n");
	return text;
}

static void http_limits_test(void)
{
	struct parsed p;
	char *text;

	/* 99 fields and Content-Length: 100, the most */
	if ((text = many_headers(HTTP_MAX_HEADERS - 1, 4))) {
		parse(text, &p);
		ok(p.rc == 1);
		free(text);
	}
	if ((text = many_headers(HTTP_MAX_HEADERS, 4))) {
		parse(text, &p);
		ok(fails(p.rc, EPROTO) && says(p.rc, "header fields"));
		free(text);
	}
	/* One line at the limit, then one over it */
	if ((text = many_headers(1, HTTP_MAX_LINE - 5))) {
		parse(text, &p);
		ok(p.rc == 1);
		free(text);
	}
	if ((text = many_headers(1, HTTP_MAX_LINE - 4))) {
		parse(text, &p);
		ok(fails(p.rc, EPROTO) && says(p.rc, "over 8192 bytes"));
		free(text);
	}
	/* The whole section */
	if ((text = many_headers(20, 4000))) {
		parse(text, &p);
		ok(fails(p.rc, EPROTO) && says(p.rc, "bytes of header"));
		free(text);
	}
}

static void http_framing_test(void)
{
	struct parsed p;

	/* HEAD, 1xx, 204 and 304 have no body whatever the fields say */
	parse_pieces(TXT("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"), 0, 1,
		     0, &p);
	ok(p.rc == 1 && p.len == 0);
	parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", &p);
	ok(p.rc == 1);
	parse("HTTP/1.1 100 Continue\r\n\r\n", &p);
	ok(p.rc == 1);
	/* Transfer-Encoding wins over Content-Length */
	parse("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: "
	      "chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n",
	      &p);
	ok(p.rc == 1 && p.len == 2 && memcmp(p.body, "ab", 2) == 0);
	parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", &p);
	ok(fails(p.rc, ENOTSUP));
	parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	      &p);
	ok(fails(p.rc, ENOTSUP));
	parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	      "Transfer-Encoding: chunked\r\n\r\n",
	      &p);
	ok(fails(p.rc, ENOTSUP));
	/* Read until close: complete only at the end of the connection */
	parse_pieces(TXT("HTTP/1.1 200 OK\r\n\r\nuntil close"), 0, 0, 1, &p);
	ok(p.rc == 1 && p.len == 11);
	parse_pieces(TXT("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc"), 0,
		     0, 1, &p);
	ok(p.rc == 0);
	/* The next message's bytes are left alone */
	parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nabHTTP/1.1", &p);
	ok(p.rc == 1 && p.len == 2);
}

/** Parse @text whole, in two pieces at every split, and a byte at a time */
static void split_check(const char *text, const char *body, int rc)
{
	size_t len = strlen(text), split, used, n, pos;
	struct parsed whole, p;
	int bad = 0, ev;

	parse(text, &whole);
	ok(rc < 0 ? whole.rc < 0 : whole.rc == rc);
	if (rc == 1)
		ok(whole.len == strlen(body) &&
		   memcmp(whole.body, body, whole.len) == 0);
	for (split = 1; split < len; split++) {
		memset(&p, 0, sizeof(p));
		http_rx_reset(&test_rx);
		for (pos = 0, ev = 0; ev >= 0 && ev != HTTP_RX_COMPLETE;) {
			size_t end = (pos < split) ? split : len;

			ev = http_rx_step(&test_rx, text + pos, end - pos,
					  &used, &n);
			pos += used;
			if (ev == HTTP_RX_HEADERS) {
				ev = http_rx_set_framing(&test_rx, 0);
				if (ev == 0)
					ev = HTTP_RX_HEADERS;
				continue;
			}
			if (ev == HTTP_RX_BODY) {
				memcpy(p.body + p.len, text + pos - n, n);
				p.len += n;
			}
			if (ev == HTTP_RX_MORE && pos == len)
				break;
		}
		p.rc = (ev < 0) ? ev : (ev == HTTP_RX_COMPLETE);
		if ((p.rc < 0) != (rc < 0) || (rc >= 0 && p.rc != rc) ||
		    (rc == 1 && (p.len != whole.len ||
				 memcmp(p.body, whole.body, p.len) != 0)))
			bad++;
	}
	ok(bad == 0);
	parse_pieces(text, len, 1, 0, 0, &p);
	ok((p.rc < 0) == (rc < 0) &&
	   (rc != 1 ||
	    (p.len == whole.len && memcmp(p.body, whole.body, p.len) == 0)));
}

#define CHUNKED_HEAD "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

static void http_chunked_test(void)
{
	struct http_chunked ch;
	size_t used, body;

	split_check(CHUNKED_HEAD "5\r\nhello\r\n0\r\n\r\n", "hello", 1);
	split_check(CHUNKED_HEAD "5;name=val\r\nhello\r\n6 ; x=\"y;z\"\r\n "
				 "world\r\n0;last\r\n\r\n",
		    "hello world", 1);
	split_check(CHUNKED_HEAD "A\r\n0123456789\r\na\r\nabcdefghij\r\n"
				 "00000\r\n\r\n",
		    "0123456789abcdefghij", 1);
	split_check(CHUNKED_HEAD "3\nabc\n0\n\n", "abc", 1);
	/* Trailers are read and ignored */
	split_check(CHUNKED_HEAD "1\r\nx\r\n0\r\nX-Sum: 1\r\nY: z\r\n\r\n", "x",
		    1);
	/* Cut short: incomplete, not an error */
	split_check(CHUNKED_HEAD "5\r\nhel", "", 0);
	split_check(CHUNKED_HEAD "5\r\nhello\r\n0\r\nX: y\r\n", "", 0);
	/* Malformed */
	split_check(CHUNKED_HEAD "g\r\nx\r\n0\r\n\r\n", "", -1);
	split_check(CHUNKED_HEAD "\r\nx\r\n0\r\n\r\n", "", -1);
	split_check(CHUNKED_HEAD "-1\r\nx\r\n", "", -1);
	split_check(CHUNKED_HEAD "5 x\r\nhello\r\n", "", -1);
	split_check(CHUNKED_HEAD "3\r\nhello\r\n0\r\n\r\n", "", -1);
	split_check(CHUNKED_HEAD "5\rhello\r\n", "", -1);
	split_check(CHUNKED_HEAD "5;a\x01\r\nhello\r\n", "", -1);
	split_check(CHUNKED_HEAD "0\r\nX: y\rz\r\n\r\n", "", -1);
	/* Sizes that overflow, and sizes beyond any file */
	split_check(CHUNKED_HEAD "ffffffffffffffffff\r\n", "", -1);
	split_check(CHUNKED_HEAD "10000000000000000\r\n", "", -1);
	split_check(CHUNKED_HEAD "4000000000000001\r\n", "", -1);
	/* Leading zeros are fine, but not without end */
	memset(&ch, 0, sizeof(ch));
	{
		char zeros[HTTP_MAX_LINE + 8];
		int rc;

		memset(zeros, '0', sizeof(zeros));
		rc = http_chunked_step(&ch, zeros, sizeof(zeros), &used, &body);
		ok(fails(rc, EPROTO) && says(rc, "chunk line"));
	}
	/* Too many trailers */
	{
		static char text[8 + (HTTP_MAX_HEADERS + 1) * 6];
		size_t len = 0;
		unsigned int i;
		int rc;

		len += (size_t)snprintf(text, sizeof(text), "0\r\n");
		for (i = 0; i <= HTTP_MAX_HEADERS; i++)
			len += (size_t)snprintf(text + len, sizeof(text) - len,
						"X: y\r\n");
		memset(&ch, 0, sizeof(ch));
		rc = http_chunked_step(&ch, text, len, &used, &body);
		ok(fails(rc, EPROTO) && says(rc, "trailer"));
	}
	/* The decoder alone: data comes back after its control bytes */
	memset(&ch, 0, sizeof(ch));
	ok(http_chunked_step(&ch, TXT("4\r\nabcd\r\n0\r\n\r\n"), &used,
			     &body) == 0 &&
	   used == 7 && body == 4);
	ok(http_chunked_step(&ch, TXT("\r\n0\r\n\r\n"), &used, &body) == 1 &&
	   used == 7 && body == 0 && ch.state == HTTP_CHUNK_DONE);
}

static void http_content_range_test(void)
{
	struct http_range r;

	ok(http_parse_content_range("bytes 0-499/1234", &r) == 0 &&
	   r.first == 0 && r.last == 499 && r.complete_known &&
	   r.complete == 1234 && !r.unsatisfied);
	ok(http_parse_content_range("bytes 500-999/*", &r) == 0 &&
	   r.first == 500 && r.last == 999 && !r.complete_known);
	ok(http_parse_content_range("bytes */1234", &r) == 0 && r.unsatisfied &&
	   r.complete == 1234);
	ok(http_parse_content_range("BYTES 7-7/8", &r) == 0 && r.first == 7);
	ok(http_parse_content_range(" bytes 0-0/1 ", &r) == 0);
	ok(fails(http_parse_content_range("bytes 5-3/10", &r), EPROTO));
	ok(fails(http_parse_content_range("bytes 0-10/10", &r), EPROTO));
	ok(fails(http_parse_content_range("items 0-1/2", &r), EPROTO));
	ok(fails(http_parse_content_range("bytes 0-1", &r), EPROTO));
	ok(fails(http_parse_content_range("bytes -1/10", &r), EPROTO));
	ok(fails(http_parse_content_range("bytes */*", &r), EPROTO));
	ok(fails(http_parse_content_range("bytes 0-1/2x", &r), EPROTO));
	ok(fails(http_parse_content_range("bytes 1-2/99999999999999999999", &r),
		 EPROTO));
	ok(fails(http_parse_content_range("", &r), EPROTO));
}

/* ------------------------------------------------------------------------
 * Authentication
 */

static void http_digest_test(void)
{
	static const char nonce[] =
		"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
	static const char opaque[] =
		"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";
	struct http_digest_input in = {
		.user = "Mufasa",
		.password = "Circle of Life",
		.method = "GET",
		.uri = "/dir/index.html",
		.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
		.nc = 1,
	};
	struct http_challenge chal;
	char text[600], hex[2 * DIGEST_OUT_MAX + 1], *value;

	/* RFC 7616 section 3.9.1: SHA-256 first, then MD5 */
	snprintf(text, sizeof(text),
		 "Digest realm=\"http-auth@example.org\", qop=\"auth, "
		 "auth-int\","
		 " algorithm=SHA-256, nonce=\"%s\", opaque=\"%s\", Digest "
		 "realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
		 "algorithm=MD5, nonce=\"%s\", opaque=\"%s\"",
		 nonce, opaque, nonce, opaque);
	ok(http_parse_challenges(text, &chal) == 0 &&
	   chal.scheme == HTTP_AUTH_DIGEST &&
	   chal.algorithm == &sha256_algorithm && chal.qop_auth &&
	   strcmp(chal.realm, "http-auth@example.org") == 0 &&
	   strcmp(chal.nonce, nonce) == 0 && strcmp(chal.opaque, opaque) == 0);
	http_digest_response(&chal, &in, hex);
	ok(strcmp(hex, "753927fa0e85d155564e2e272a28d180"
		       "2ca10daf4496794697cf8db5856cb6c1") == 0);
	chal.algorithm = &md5_algorithm;
	http_digest_response(&chal, &in, hex);
	ok(strcmp(hex, "8ca523f5e9506fed4657c9700eebdbec") == 0);
	value = http_authorization(&chal, &in);
	ok(value &&
	   strcmp(value,
		  "Digest username=\"Mufasa\", "
		  "realm=\"http-auth@example.org\", "
		  "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
		  "uri=\"/dir/index.html\", algorithm=MD5, "
		  "response=\"8ca523f5e9506fed4657c9700eebdbec\", "
		  "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\", "
		  "qop=auth, nc=00000001, "
		  "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\"") ==
		   0);
	free(value);

	/* RFC 2617 section 3.5 */
	ok(http_parse_challenges(
		   "Digest realm=\"testrealm@host.com\", "
		   "qop=\"auth,auth-int\", "
		   "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
		   "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
		   &chal) == 0 &&
	   chal.algorithm == &md5_algorithm);
	in.password = "Circle Of Life";
	in.cnonce = "0a4f113b";
	http_digest_response(&chal, &in, hex);
	ok(strcmp(hex, "6629fae49393a05397450978507c4ef1") == 0);
}

static void http_challenge_test(void)
{
	struct http_digest_input in = {.user = "Aladdin",
				       .password = "open sesame"};
	struct http_challenge chal;
	char *value;

	/* Basic (RFC 7617 section 2) */
	ok(http_parse_challenges("Basic realm=\"WallyWorld\"", &chal) == 0 &&
	   chal.scheme == HTTP_AUTH_BASIC &&
	   strcmp(chal.realm, "WallyWorld") == 0);
	value = http_authorization(&chal, &in);
	ok(value && strcmp(value, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==") == 0);
	free(value);
	/* Digest is preferred to Basic, wherever it comes */
	ok(http_parse_challenges("Basic realm=\"a\", Digest realm=\"b\", "
				 "nonce=\"n\"",
				 &chal) == 0 &&
	   chal.scheme == HTTP_AUTH_DIGEST && strcmp(chal.realm, "b") == 0 &&
	   !chal.qop_auth && !chal.has_opaque);
	/* What cannot be answered is passed over */
	ok(http_parse_challenges("Negotiate abc==, Digest realm=\"r\", "
				 "nonce=\"1\", algorithm=SHA-512-256, "
				 "Digest realm=\"r\", nonce=\"2\", "
				 "qop=\"auth-int\", Digest realm=\"r\", "
				 "nonce=\"3\", algorithm=md5-SESS, stale=TRUE, "
				 "userhash=true",
				 &chal) == 0 &&
	   strcmp(chal.nonce, "3") == 0 && chal.sess && chal.stale &&
	   chal.userhash && chal.algorithm == &md5_algorithm);
	ok(fails(http_parse_challenges("Negotiate, NTLM", &chal), ENOTSUP));
	ok(fails(http_parse_challenges("Digest realm=\"no nonce\"", &chal),
		 ENOTSUP));
	ok(fails(http_parse_challenges("", &chal), ENOTSUP));
	ok(fails(http_parse_challenges("=,=\"\\", &chal), ENOTSUP));
	/* Quoted strings: escapes and commas inside */
	ok(http_parse_challenges("Digest realm=\"a, \\\"b\\\\\", nonce=x",
				 &chal) == 0 &&
	   strcmp(chal.realm, "a, \"b\\") == 0 && strcmp(chal.nonce, "x") == 0);
	ok(fails(http_parse_challenges("Digest realm=\"unterminated, nonce=x",
				       &chal),
		 ENOTSUP));
	/* A value too long spoils its challenge only */
	{
		char text[700];

		snprintf(text, sizeof(text),
			 "Digest realm=\"%0300d\", nonce=\"1\", Basic "
			 "realm=\"x\"",
			 0);
		ok(http_parse_challenges(text, &chal) == 0 &&
		   chal.scheme == HTTP_AUTH_BASIC);
	}
	/* Quotes in the user name are escaped in the answer */
	ok(http_parse_challenges("Digest realm=\"r\", nonce=\"n\"", &chal) ==
	   0);
	in.user = "a\"b";
	in.method = "GET";
	in.uri = "/";
	in.cnonce = "c";
	in.nc = 1;
	value = http_authorization(&chal, &in);
	ok(value &&
	   strncmp(value, "Digest username=\"a\\\"b\", realm=\"r\"", 33) == 0 &&
	   !strstr(value, "qop="));
	free(value);
}

static void http_status_test(void)
{
	int rc;

	rc = http_status_rc(404, "Not Found", "http://10.99.0.1/missing");
	ok(fails(rc, ENOENT) &&
	   strcmp(strerror(rc), "Not found (HTTP 404 Not Found: "
				"http://10.99.0.1/missing)") == 0);
	rc = http_status_rc(403, "", "http://h/x");
	ok(fails(rc, EACCES) && says(rc, "HTTP 403 Forbidden: http://h/x"));
	ok(fails(http_status_rc(401, "Unauthorized", "u"), EACCES));
	ok(fails(http_status_rc(410, "", "u"), ENOENT));
	ok(fails(http_status_rc(503, "", "u"), EAGAIN));
	ok(fails(http_status_rc(500, "Oops", "u"), EIO));
	ok(fails(http_status_rc(599, "", "u"), EIO));
	rc = http_status_rc(418, "I'm a teapot", "u");
	ok(fails(rc, EINVAL) && says(rc, "HTTP 418 I'm a teapot: u"));
	rc = http_status_rc(499, "", "u");
	ok(says(rc, "(HTTP 499: u)"));
	ok(fails(http_status_rc(300, "", "u"), EPROTO));
}

/* ------------------------------------------------------------------------
 * Downloads from a fake server
 */

/** One connection to the fake server */
struct fake_conn {
	struct refcnt refcnt;
	struct interface xfer;
	/** What the client sent */
	char req[4096];
	size_t len;
	/** The client closed it (and how) */
	int closed;
	int close_rc;
	char host[32];
	unsigned int port;
};

#define FAKE_MAX 64
static struct fake_conn *fakes[FAKE_MAX];
static unsigned int nfakes;
/** How many of the next connections are refused at once */
static int fake_refuse;

static int fake_deliver(struct fake_conn *conn, struct io_buffer *iobuf,
			struct xfer_metadata *meta)
{
	size_t len = iob_len(iobuf);

	(void)meta;
	if (conn->len + len < sizeof(conn->req)) {
		memcpy(conn->req + conn->len, iobuf->data, len);
		conn->len += len;
		conn->req[conn->len] = '\0';
	}
	free_iob(iobuf);
	return 0;
}

static void fake_close(struct fake_conn *conn, int rc)
{
	conn->closed = 1;
	conn->close_rc = rc;
	intf_shutdown(&conn->xfer, rc);
}

static struct interface_operation fake_ops[] = {
	INTF_OP(xfer_deliver, struct fake_conn *, fake_deliver),
	INTF_OP(intf_close, struct fake_conn *, fake_close),
};
static struct interface_descriptor fake_desc =
	INTF_DESC(struct fake_conn, xfer, fake_ops);

static int fake_connect(struct interface *xfer, struct sockaddr *peer,
			const char *host)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)peer;
	struct fake_conn *conn;

	if (fake_refuse) {
		fake_refuse--;
		return errctx(-ECONNREFUSED, "fake server refused");
	}
	if (nfakes >= FAKE_MAX || !(conn = zalloc(sizeof(*conn))))
		return -ENOMEM;
	ref_init(&conn->refcnt, NULL);
	intf_init(&conn->xfer, &fake_desc, &conn->refcnt);
	snprintf(conn->host, sizeof(conn->host), "%s", host);
	conn->port = ntohs(sin->sin_port);
	intf_plug_plug(&conn->xfer, xfer);
	fakes[nfakes++] = conn; /* the test's reference */
	return 0;
}

/** The newest connection */
static struct fake_conn *fake_last(void)
{
	return nfakes ? fakes[nfakes - 1] : NULL;
}

/** The server sends text on a connection */
static void fake_send_len(struct fake_conn *conn, const char *text, size_t len)
{
	struct io_buffer *iobuf = alloc_iob(len);

	if (!conn || !iobuf) {
		free_iob(iobuf);
		return;
	}
	memcpy(iob_put(iobuf, len), text, len);
	xfer_deliver(&conn->xfer, iobuf, NULL);
}

static void fake_send(struct fake_conn *conn, const char *text)
{
	fake_send_len(conn, text, strlen(text));
}

/** The server closes a connection (0) or resets it */
static void fake_hangup(struct fake_conn *conn, int rc)
{
	if (conn)
		intf_shutdown(&conn->xfer, rc);
}

/** Forget what was sent on a connection */
static void fake_clear(struct fake_conn *conn)
{
	if (conn) {
		conn->len = 0;
		conn->req[0] = '\0';
	}
}

static void fake_forget_all(void)
{
	unsigned int i;

	for (i = 0; i < nfakes; i++) {
		intf_shutdown(&fakes[i]->xfer, -ECANCELED);
		ref_put(&fakes[i]->refcnt);
	}
	nfakes = 0;
	fake_refuse = 0;
}

/** A consumer collecting the body */
struct http_sink {
	struct refcnt refcnt;
	struct interface xfer;
	char data[65536];
	size_t len;
	uint64_t hint;
	int hinted;
	unsigned int deliveries;
	int closed;
	int rc;
};

static int http_sink_deliver(struct http_sink *sink, struct io_buffer *iobuf,
			     struct xfer_metadata *meta)
{
	size_t len = iob_len(iobuf), end = (size_t)meta->offset + len;

	if (meta->flags & XFER_FL_SIZE_HINT) {
		sink->hint = meta->offset;
		sink->hinted++;
	} else if (!(meta->flags & XFER_FL_ABS_OFFSET) ||
		   end > sizeof(sink->data)) {
		free_iob(iobuf);
		return -ENOSPC;
	} else {
		memcpy(sink->data + meta->offset, iobuf->data, len);
		if (end > sink->len)
			sink->len = end;
		sink->deliveries++;
	}
	free_iob(iobuf);
	return 0;
}

static void http_sink_close(struct http_sink *sink, int rc)
{
	sink->closed++;
	sink->rc = rc;
	intf_shutdown(&sink->xfer, rc);
}

static struct interface_operation http_sink_ops[] = {
	INTF_OP(xfer_deliver, struct http_sink *, http_sink_deliver),
	INTF_OP(intf_close, struct http_sink *, http_sink_close),
};
static struct interface_descriptor http_sink_desc =
	INTF_DESC(struct http_sink, xfer, http_sink_ops);

static struct http_sink sink;

/** Open @text with @method into the sink */
static int sink_open(const char *text, enum http_method method)
{
	struct uri *uri = parse_uri(text);
	unsigned int i;
	int rc;

	for (i = 0; i < nfakes; i++)
		fake_clear(fakes[i]);
	memset(&sink, 0, sizeof(sink));
	ref_init(&sink.refcnt, ref_no_free);
	intf_init(&sink.xfer, &http_sink_desc, &sink.refcnt);
	if (!uri)
		return -ENOMEM;
	rc = http_open_method(&sink.xfer, uri, method);
	uri_put(uri);
	return rc;
}

/** Step the scheduler until the sink closes or @ms pass */
static void wait_closed(unsigned long ms)
{
	unsigned long start = currticks();

	while (!sink.closed && currticks() - start < ms) {
		step();
		udelay(200);
	}
}

/** Step until there are @count connections or @ms pass */
static void wait_conns(unsigned int count, unsigned long ms)
{
	unsigned long start = currticks();

	while (nfakes < count && !sink.closed && currticks() - start < ms) {
		step();
		udelay(200);
	}
}

/** True if @text starts with @prefix */
static int starts(const char *text, const char *prefix)
{
	return strncmp(text, prefix, strlen(prefix)) == 0;
}

#define GET_LINE(path) "GET " path " HTTP/1.1\r\n"
#define UA	       "User-Agent: " PRODUCT_NAME "/" PRODUCT_VERSION "\r\n"

static void http_e2e_basic_test(void)
{
	struct fake_conn *conn;

	/* A plain download; the connection is parked afterwards */
	ok(sink_open("http://10.0.0.2/dir/file", HTTP_GET) == 0);
	conn = fake_last();
	ok(nfakes == 1 && conn && conn->port == 80 &&
	   strcmp(conn->host, "10.0.0.2") == 0);
	ok(conn &&
	   strcmp(conn->req,
		  GET_LINE("/dir/file") "Host: 10.0.0.2\r\n" UA "\r\n") == 0);
	fake_send(conn,
		  "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nETag: \"e\"\r\n"
		  "\r\n0123");
	ok(!sink.closed && sink.hinted == 1 && sink.hint == 10);
	fake_send(conn, "456789");
	ok(sink.closed == 1 && sink.rc == 0 && sink.len == 10 &&
	   memcmp(sink.data, "0123456789", 10) == 0);
	ok(http_pool_count() == 1 && !conn->closed);

	/* The next download from the same server reuses it: chunked */
	fake_clear(conn);
	ok(sink_open("http://10.0.0.2/b%20c?q=1#frag", HTTP_GET) == 0);
	ok(nfakes == 1 && http_pool_count() == 0);
	ok(strcmp(conn->req,
		  GET_LINE("/b%20c?q=1") "Host: 10.0.0.2\r\n" UA "\r\n") == 0);
	fake_send(conn, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			"3\r\nabc\r\n");
	fake_send(conn, "2;x\r\nde\r\n0\r\nTrailer: 1\r\n\r\n");
	ok(sink.closed && sink.rc == 0 && sink.len == 5 &&
	   memcmp(sink.data, "abcde", 5) == 0 && !sink.hinted);
	ok(http_pool_count() == 1);

	/* Another server, another port: a connection of its own */
	ok(sink_open("http://other.test:8080/", HTTP_GET) == 0);
	ok(nfakes == 2 && fake_last()->port == 8080 &&
	   strstr(fake_last()->req, "GET / HTTP/1.1\r\nHost: other.test:8080"));
	/* HTTP/1.0 without keep-alive: the connection is closed after */
	fake_send(fake_last(), "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx");
	ok(sink.closed && sink.rc == 0 && fake_last()->closed &&
	   fake_last()->close_rc == 0 && http_pool_count() == 1);

	/* A parked connection the server closes leaves the pool */
	fake_hangup(conn, 0);
	ok(http_pool_count() == 0);

	/* Read until close */
	ok(sink_open("http://10.0.0.2/raw", HTTP_GET) == 0 && nfakes == 3);
	fake_send(fake_last(),
		  "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nraw");
	fake_send(fake_last(), " data");
	ok(!sink.closed);
	fake_hangup(fake_last(), 0);
	ok(sink.closed && sink.rc == 0 && sink.len == 8 &&
	   memcmp(sink.data, "raw data", 8) == 0 && http_pool_count() == 0);

	/* 100 Continue comes before the answer */
	ok(sink_open("http://10.0.0.2/c", HTTP_GET) == 0);
	fake_send(fake_last(),
		  "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"
		  "Content-Length: 2\r\n\r\nok");
	ok(sink.closed && sink.rc == 0 && sink.len == 2);

	/* HEAD: the length only */
	ok(sink_open("http://10.0.0.2/h", HTTP_HEAD) == 0 &&
	   strncmp(fake_last()->req, "HEAD /h HTTP/1.1\r\n", 18) == 0);
	fake_send(fake_last(),
		  "HTTP/1.1 200 OK\r\nContent-Length: 12345\r\n\r\n");
	ok(sink.closed && sink.rc == 0 && sink.hint == 12345 && sink.len == 0);
	http_pool_flush();
}

static void http_e2e_stale_test(void)
{
	struct fake_conn *parked;
	unsigned int count = nfakes;

	ok(sink_open("http://10.0.0.2/one", HTTP_GET) == 0 &&
	   nfakes == count + 1);
	parked = fake_last();
	fake_send(parked, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1");
	ok(sink.closed && sink.rc == 0 && http_pool_count() == 1);
	/* Reused, but dead: tried once more on a new connection */
	ok(sink_open("http://10.0.0.2/two", HTTP_GET) == 0 &&
	   nfakes == count + 1);
	fake_hangup(parked, -ECONNRESET);
	ok(nfakes == count + 2 && !sink.closed &&
	   starts(fake_last()->req, GET_LINE("/two")));
	fake_send(fake_last(), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2");
	ok(sink.closed && sink.rc == 0 && sink.data[0] == '2');
	/* A fresh connection that closes without answering: a plain failure */
	http_pool_flush();
	ok(sink_open("http://10.0.0.2/three", HTTP_GET) == 0);
	fake_hangup(fake_last(), 0);
	ok(sink.closed && fails(sink.rc, ECONNRESET) &&
	   says(sink.rc, "closed the connection without answering"));
	/* Refused at once: the opener fails and tells nobody else */
	fake_refuse = 1;
	ok(fails(sink_open("http://10.0.0.2/four", HTTP_GET), ECONNREFUSED));
	ok(!sink.closed);
	fake_refuse = 0;
}

static void http_e2e_redirect_test(void)
{
	struct fake_conn *conn;
	unsigned int i;

	http_pool_flush();
	ok(sink_open("http://10.0.0.2/dir/sub/a", HTTP_GET) == 0);
	conn = fake_last();
	fake_clear(conn);
	fake_send(conn, "HTTP/1.1 302 Found\r\nLocation: ../b/c?x=1\r\n"
			"Content-Length: 5\r\n\r\nmoved");
	/* Drained, and asked again on the same connection */
	ok(!sink.closed && fake_last() == conn &&
	   strcmp(conn->req, GET_LINE("/dir/b/c?x=1") "Host: 10.0.0.2\r\n" UA
						      "\r\n") == 0);
	fake_send(conn, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nyes");
	ok(sink.closed && sink.rc == 0 && sink.len == 3);

	/* To another server, absolute */
	ok(sink_open("http://10.0.0.2/x", HTTP_GET) == 0 &&
	   fake_last() == conn);
	fake_send(conn,
		  "HTTP/1.1 301 Moved\r\nLocation: http://10.0.0.3:81/y\r\n"
		  "Content-Length: 0\r\n\r\n");
	ok(fake_last() != conn && fake_last()->port == 81 &&
	   strstr(fake_last()->req, "Host: 10.0.0.3:81\r\n"));
	fake_send(fake_last(), "HTTP/1.1 308 Permanent\r\nLocation: /z\r\n"
			       "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
	fake_send(fake_last(), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz");
	ok(sink.closed && sink.rc == 0 && sink.data[0] == 'z');

	/* Too many */
	ok(sink_open("http://10.0.0.2/loop", HTTP_GET) == 0);
	for (i = 0; i < 6 && !sink.closed; i++)
		fake_send(conn, "HTTP/1.1 307 Again\r\nLocation: /loop\r\n"
				"Content-Length: 0\r\n\r\n");
	ok(i == 6 && sink.closed && fails(sink.rc, ELOOP) &&
	   says(sink.rc, "over 5 HTTP redirections"));

	/* Nowhere to go, or somewhere we cannot */
	http_pool_flush();
	ok(sink_open("http://10.0.0.2/x", HTTP_GET) == 0);
	fake_send(fake_last(),
		  "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n");
	ok(sink.closed && fails(sink.rc, EPROTO) &&
	   says(sink.rc, "302 without a Location"));
	ok(sink_open("http://10.0.0.2/x", HTTP_GET) == 0);
	fake_send(fake_last(), "HTTP/1.1 302 Found\r\nLocation: https://s/x\r\n"
			       "Content-Length: 0\r\n\r\n");
	ok(sink.closed && fails(sink.rc, ENOTSUP) &&
	   says(sink.rc, "https://s/x"));
	http_pool_flush();
}

static void http_e2e_post_test(void)
{
	struct parameters *params = create_parameters("httptest");
	struct uri *uri =
		parse_uri("http://10.0.0.2/boot.php##params=httptest");
	struct fake_conn *conn;

	ok(params && uri && uri->params == params);
	if (!params || !uri)
		goto out;
	ok(add_parameter(params, "mac", "52:54:00:12:34:56", PARAMETER_FORM) ==
	   0);
	ok(add_parameter(params, "name", "a b&c", PARAMETER_FORM) == 0);
	ok(add_parameter(params, "X-Asset", "1234", PARAMETER_HEADER) == 0);
	memset(&sink, 0, sizeof(sink));
	ref_init(&sink.refcnt, ref_no_free);
	intf_init(&sink.xfer, &http_sink_desc, &sink.refcnt);
	ok(xfer_open_uri(&sink.xfer, uri) == 0);
	conn = fake_last();
	{
		static const char form[] =
			"mac=52%3A54%3A00%3A12%3A34%3A56&name=a%20b%26c";
		const char *body = conn ? strstr(conn->req, "\r\n\r\n") : NULL;
		char length[32];

		snprintf(length, sizeof(length), "Content-Length: %zu\r\n",
			 sizeof(form) - 1);
		ok(body && strcmp(body + 4, form) == 0 &&
		   strstr(conn->req, length));
	}
	ok(conn &&
	   strstr(conn->req, "POST /boot.php HTTP/1.1\r\n") == conn->req &&
	   strstr(conn->req, "X-Asset: 1234\r\n") &&
	   strstr(conn->req,
		  "Content-Type: application/x-www-form-urlencoded"));
	/* 303 turns it into a GET without a body */
	fake_clear(conn);
	fake_send(conn, "HTTP/1.1 303 See Other\r\nLocation: /next\r\n"
			"Content-Length: 0\r\n\r\n");
	ok(nfakes && starts(fake_last()->req, GET_LINE("/next")) &&
	   !strstr(fake_last()->req, "Content-Length") &&
	   strstr(fake_last()->req, "X-Asset: 1234\r\n"));
	fake_send(fake_last(),
		  "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
	ok(sink.closed && sink.rc == 0);
	/* A header parameter that cannot be a field */
	ok(add_parameter(params, "Bad Name", "x", PARAMETER_HEADER) == 0);
	ok(fails(sink_open("http://10.0.0.2/p##params=httptest", HTTP_GET),
		 EINVAL));
out:
	uri_put(uri);
	if (params)
		destroy_parameters(params);
	http_pool_flush();
}

/** The value of @name="..." in @text, copied to @buf */
static int header_param(const char *text, const char *name, char *buf,
			size_t len)
{
	char key[32];
	const char *p, *end;

	snprintf(key, sizeof(key), "%s=\"", name);
	if (!(p = strstr(text, key)))
		return -1;
	p += strlen(key);
	if (!(end = strchr(p, '"')) || (size_t)(end - p) >= len)
		return -1;
	memcpy(buf, p, (size_t)(end - p));
	buf[end - p] = '\0';
	return 0;
}

static void http_e2e_auth_test(void)
{
	struct http_digest_input in = {.user = "Mufasa",
				       .password = "Circle of Life",
				       .method = "GET",
				       .uri = "/dir/index.html",
				       .nc = 1};
	struct http_challenge chal;
	char cnonce[40], response[80], hex[2 * DIGEST_OUT_MAX + 1];
	struct fake_conn *conn;

	http_pool_flush();
	ok(sink_open("http://Mufasa:Circle%20of%20Life@10.0.0.2/dir/index.html",
		     HTTP_GET) == 0);
	conn = fake_last();
	ok(!strstr(conn->req, "Authorization"));
	fake_clear(conn);
	fake_send(conn,
		  "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest "
		  "realm=\"http-auth@example.org\", qop=\"auth, auth-int\","
		  " algorithm=MD5, nonce=\"abc\", opaque=\"xyz\"\r\n"
		  "Content-Length: 3\r\n\r\nno!");
	ok(!sink.closed &&
	   strstr(conn->req, "Authorization: Digest "
			     "username=\"Mufasa\"") &&
	   strstr(conn->req, "uri=\"/dir/index.html\"") &&
	   strstr(conn->req, "qop=auth, nc=00000001"));
	ok(header_param(conn->req, "cnonce", cnonce, sizeof(cnonce)) == 0 &&
	   header_param(conn->req, "response", response, sizeof(response)) ==
		   0);
	ok(http_parse_challenges("Digest realm=\"http-auth@example.org\", "
				 "qop=auth, nonce=\"abc\"",
				 &chal) == 0);
	in.cnonce = cnonce;
	http_digest_response(&chal, &in, hex);
	ok(strcmp(hex, response) == 0);
	fake_send(conn, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret");
	ok(sink.closed && sink.rc == 0 && sink.len == 6);

	/* A stale nonce earns a second answer, with the new nonce */
	ok(sink_open("http://Mufasa:x@10.0.0.2/s", HTTP_GET) == 0);
	fake_send(conn,
		  "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest "
		  "realm=\"r\", nonce=\"one\"\r\nContent-Length: 0\r\n\r\n");
	ok(strstr(conn->req, "nonce=\"one\""));
	fake_send(conn, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest "
			"realm=\"r\", nonce=\"two\", stale=true\r\n"
			"Content-Length: 0\r\n\r\n");
	ok(!sink.closed && strstr(conn->req, "nonce=\"two\""));
	fake_send(conn, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest "
			"realm=\"r\", nonce=\"six\", stale=true\r\n"
			"Content-Length: 0\r\n\r\n");
	ok(sink.closed && fails(sink.rc, EACCES) &&
	   !strstr(conn->req, "nonce=\"six\""));

	/* Wrong credentials: one retry, then the status */
	ok(sink_open("http://Mufasa:wrong@10.0.0.2/d", HTTP_GET) == 0);
	fake_send(conn, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic "
			"realm=\"r\"\r\nContent-Length: 0\r\n\r\n");
	ok(strstr(conn->req, "Authorization: Basic TXVmYXNhOndyb25n\r\n"));
	fake_send(conn, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic "
			"realm=\"r\"\r\nContent-Length: 0\r\n\r\n");
	ok(sink.closed && fails(sink.rc, EACCES) &&
	   says(sink.rc, "HTTP 401 Unauthorized: http://Mufasa@10.0.0.2/d") &&
	   !says(sink.rc, "wrong"));
	/* No credentials: the status at once */
	ok(sink_open("http://10.0.0.2/d", HTTP_GET) == 0);
	fake_send(conn, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic "
			"realm=\"r\"\r\nContent-Length: 0\r\n\r\n");
	ok(sink.closed && fails(sink.rc, EACCES));
	http_pool_flush();
}

static void http_e2e_errors_test(void)
{
	/* 404: the body is read, the connection kept */
	ok(sink_open("http://10.0.0.2/missing", HTTP_GET) == 0);
	fake_send(fake_last(), "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n"
			       "\r\nnot here!");
	ok(sink.closed && fails(sink.rc, ENOENT) &&
	   strcmp(strerror(sink.rc), "Not found (HTTP 404 Not Found: "
				     "http://10.0.0.2/missing)") == 0);
	ok(sink.len == 0 && http_pool_count() == 1);
	/* 500 with a long body: no draining, the connection goes */
	ok(sink_open("http://10.0.0.2/err", HTTP_GET) == 0);
	fake_send(fake_last(), "HTTP/1.1 500 Internal Server Error\r\n"
			       "Content-Length: 10000000\r\n\r\n");
	ok(sink.closed && fails(sink.rc, EIO) && fake_last()->closed &&
	   says(sink.rc, "HTTP 500 Internal Server Error"));
	/* Malformed */
	ok(sink_open("http://10.0.0.2/bad", HTTP_GET) == 0);
	fake_send(fake_last(), "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n");
	ok(sink.closed && fails(sink.rc, EPROTO) && fake_last()->closed &&
	   fake_last()->close_rc != 0);
	ok(sink_open("http://10.0.0.2/bad", HTTP_GET) == 0);
	fake_send(fake_last(), "SSH-2.0-OpenSSH\r\n");
	ok(sink.closed && fails(sink.rc, EPROTO));
	/* Bad URIs */
	ok(fails(sink_open("http:///nohost", HTTP_GET), EINVAL));
	ok(fails(sink_open("http://h:99999/", HTTP_GET), EINVAL));
	/* The consumer cancels mid-body: the connection is aborted */
	ok(sink_open("http://10.0.0.2/big", HTTP_GET) == 0);
	fake_send(fake_last(),
		  "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nab");
	intf_shutdown(&sink.xfer, -ECANCELED);
	ok(fake_last()->closed && fake_last()->close_rc != 0 &&
	   http_pool_count() == 0);
	/* Stall */
	http_tunables.stall_ms = 30;
	ok(sink_open("http://10.0.0.2/slow", HTTP_GET) == 0);
	wait_closed(2000);
	ok(sink.closed && fails(sink.rc, ETIMEDOUT) &&
	   strcmp(strerror(sink.rc), "Connection timed out (no data from "
				     "10.0.0.2 for 30 ms)") == 0);
	http_tunables.stall_ms = 0;
	http_pool_flush();
}

static void http_e2e_resume_test(void)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n"
				   "ETag: \"v1\"\r\n\r\n";
	struct fake_conn *first;

	/* Cut after 4 bytes: resumed with a range, validated */
	ok(sink_open("http://10.0.0.2/f", HTTP_GET) == 0);
	first = fake_last();
	fake_send(first, head);
	fake_send(first, "0123");
	fake_hangup(first, 0);
	ok(!sink.closed);
	wait_conns(nfakes + 1, 2000);
	ok(fake_last() != first &&
	   strstr(fake_last()->req, "Range: bytes=4-\r\nIf-Range: \"v1\"\r\n"));
	fake_send(fake_last(), "HTTP/1.1 206 Partial Content\r\n"
			       "Content-Range: bytes 4-9/10\r\nETag: \"v1\"\r\n"
			       "Content-Length: 6\r\n\r\n456");
	/* Cut again, after progress: tries start over */
	fake_hangup(fake_last(), -ECONNRESET);
	wait_conns(nfakes + 1, 2000);
	ok(strstr(fake_last()->req, "Range: bytes=7-\r\n"));
	fake_send(fake_last(), "HTTP/1.1 206 Partial Content\r\n"
			       "Content-Range: bytes 7-9/10\r\n"
			       "Content-Length: 3\r\n\r\n789");
	ok(sink.closed && sink.rc == 0 && sink.len == 10 &&
	   memcmp(sink.data, "0123456789", 10) == 0 && sink.hinted == 1);

	/* A server that ignores ranges sends the same file whole: skipped */
	ok(sink_open("http://10.0.0.2/g", HTTP_GET) == 0);
	fake_send(fake_last(), head);
	fake_send(fake_last(), "01234");
	fake_hangup(fake_last(), 0);
	wait_conns(nfakes + 1, 2000);
	fake_send(fake_last(), head);
	fake_send(fake_last(), "0123456789");
	ok(sink.closed && sink.rc == 0 && sink.len == 10 &&
	   memcmp(sink.data, "0123456789", 10) == 0);

	/* ... or a changed file: not resumable */
	ok(sink_open("http://10.0.0.2/h", HTTP_GET) == 0);
	fake_send(fake_last(), head);
	fake_send(fake_last(), "01234");
	fake_hangup(fake_last(), 0);
	wait_conns(nfakes + 1, 2000);
	fake_send(fake_last(), "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n"
			       "ETag: \"v2\"\r\n\r\n");
	ok(sink.closed && fails(sink.rc, ESTALE) &&
	   says(sink.rc, "http://10.0.0.2/h changed on the server: cannot "
			 "resume"));
	/* ... or without validators to tell: not resumable either */
	ok(sink_open("http://10.0.0.2/h2", HTTP_GET) == 0);
	fake_send(fake_last(),
		  "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01");
	fake_hangup(fake_last(), 0);
	wait_conns(nfakes + 1, 2000);
	fake_send(fake_last(), "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
	ok(sink.closed && fails(sink.rc, ESTALE) &&
	   says(sink.rc, "the server sent it whole again"));
	/* ... or a range of a file of another length */
	ok(sink_open("http://10.0.0.2/i", HTTP_GET) == 0);
	fake_send(fake_last(), head);
	fake_send(fake_last(), "01234");
	fake_hangup(fake_last(), 0);
	wait_conns(nfakes + 1, 2000);
	fake_send(fake_last(), "HTTP/1.1 206 Partial\r\nContent-Range: bytes "
			       "5-10/11\r\n\r\n");
	ok(sink.closed && fails(sink.rc, ESTALE));
	/* ... or the wrong range */
	ok(sink_open("http://10.0.0.2/j", HTTP_GET) == 0);
	fake_send(fake_last(), head);
	fake_send(fake_last(), "01234");
	fake_hangup(fake_last(), 0);
	wait_conns(nfakes + 1, 2000);
	fake_send(fake_last(), "HTTP/1.1 206 Partial\r\nContent-Range: bytes "
			       "0-9/10\r\n\r\n");
	ok(sink.closed && fails(sink.rc, EPROTO));

	/* Chunked, cut mid-chunk; the server refuses for a while */
	ok(sink_open("http://10.0.0.2/k", HTTP_GET) == 0);
	fake_send(fake_last(),
		  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
		  "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		  "\r\n5\r\nab");
	fake_refuse = 2;
	fake_hangup(fake_last(), -ECONNRESET);
	wait_conns(nfakes + 1, 2000);
	ok(!sink.closed && !fake_refuse);
	ok(strstr(fake_last()->req, "Range: bytes=2-\r\n") &&
	   !strstr(fake_last()->req, "If-Range"));
	fake_send(fake_last(),
		  "HTTP/1.1 206 Partial\r\nContent-Range: bytes "
		  "2-4/5\r\nLast-Modified: Sun, 06 Nov 1994 08:49:37"
		  " GMT\r\nContent-Length: 3\r\n\r\ncde");
	ok(sink.closed && sink.rc == 0 && sink.len == 5 &&
	   memcmp(sink.data, "abcde", 5) == 0);

	/* Every try refused: a plain failure, after a bounded number */
	ok(sink_open("http://10.0.0.2/l", HTTP_GET) == 0);
	fake_send(fake_last(), head);
	fake_send(fake_last(), "0");
	fake_refuse = 100;
	fake_hangup(fake_last(), 0);
	wait_closed(3000);
	ok(sink.closed && fails(sink.rc, ECONNREFUSED) &&
	   says(sink.rc, "at byte 1; 5 tries to resume failed"));
	fake_refuse = 0;

	/* Behind Digest authentication: the resume may be challenged anew */
	ok(sink_open("http://u:p@10.0.0.2/o", HTTP_GET) == 0);
	fake_send(fake_last(), "HTTP/1.1 401 No\r\nWWW-Authenticate: Digest "
			       "realm=\"r\", nonce=\"a\", qop=auth\r\n"
			       "Content-Length: 0\r\n\r\n");
	fake_send(fake_last(), head);
	fake_send(fake_last(), "0123");
	fake_hangup(fake_last(), 0);
	wait_conns(nfakes + 1, 2000);
	ok(strstr(fake_last()->req, "Range: bytes=4-\r\n") &&
	   strstr(fake_last()->req, "Authorization: Digest "));
	fake_send(fake_last(), "HTTP/1.1 401 No\r\nWWW-Authenticate: Digest "
			       "realm=\"r\", nonce=\"b\", qop=auth\r\n"
			       "Content-Length: 0\r\n\r\n");
	ok(!sink.closed && strstr(fake_last()->req, "nonce=\"b\""));
	fake_send(fake_last(), "HTTP/1.1 206 Partial\r\nContent-Range: bytes "
			       "4-9/10\r\nContent-Length: 6\r\n\r\n456789");
	ok(sink.closed && sink.rc == 0 &&
	   memcmp(sink.data, "0123456789", 10) == 0);

	/* The consumer seeks */
	ok(sink_open("http://10.0.0.2/m", HTTP_GET) == 0);
	first = fake_last();
	fake_send(first, head);
	fake_send(first, "01");
	ok(xfer_seek(&sink.xfer, 6) == 0);
	ok(first->closed && fake_last() != first &&
	   strstr(fake_last()->req, "Range: bytes=6-\r\n"));
	fake_send(fake_last(), "HTTP/1.1 206 Partial\r\nContent-Range: bytes "
			       "6-9/10\r\nETag: \"v1\"\r\nContent-Length: 4\r\n"
			       "\r\n6789");
	ok(sink.closed && sink.rc == 0 &&
	   memcmp(sink.data + 6, "6789", 4) == 0);
	/* A short range is followed by a request for the rest */
	ok(sink_open("http://10.0.0.2/n", HTTP_GET) == 0);
	fake_send(fake_last(), head);
	fake_send(fake_last(), "012");
	fake_hangup(fake_last(), 0);
	wait_conns(nfakes + 1, 2000);
	first = fake_last();
	fake_clear(first);
	fake_send(first,
		  "HTTP/1.1 206 Partial\r\nContent-Range: bytes 3-5/10\r\n"
		  "Content-Length: 3\r\n\r\n345");
	ok(!sink.closed && strstr(first->req, "Range: bytes=6-\r\n"));
	fake_send(first,
		  "HTTP/1.1 206 Partial\r\nContent-Range: bytes 6-9/10\r\n"
		  "Content-Length: 4\r\n\r\n6789");
	ok(sink.closed && sink.rc == 0 &&
	   memcmp(sink.data, "0123456789", 10) == 0);
	http_pool_flush();
}

static void http_e2e_test(void)
{
	struct http_tunables saved = http_tunables;
	struct heap_stats before, after;

	http_pool_flush();
	heap_stats(&before);
	http_tunables.connect = fake_connect;
	http_tunables.backoff_ms = 1;
	http_tunables.backoff_max_ms = 4;
	http_e2e_basic_test();
	http_e2e_stale_test();
	http_e2e_redirect_test();
	http_e2e_post_test();
	http_e2e_auth_test();
	http_e2e_errors_test();
	http_e2e_resume_test();
	http_pool_flush();
	fake_forget_all();
	http_tunables = saved;
	heap_stats(&after);
	/* Every download gave back what it took */
	ok(after.used == before.used && after.blocks == before.blocks);
}

static void http_test_exec(void)
{
	http_base64_test();
	http_status_line_test();
	http_header_test();
	http_limits_test();
	http_framing_test();
	http_chunked_test();
	http_content_range_test();
	http_digest_test();
	http_challenge_test();
	http_status_test();
	http_rx_free(&test_rx);
	http_e2e_test();
}

struct self_test http_test __self_test = {
	.name = "http",
	.exec = http_test_exec,
};
