/* Self-tests: DNS names, compression limits, responses, search lists. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/dns.h>
#include <keel/settings.h>
#include <keel/test.h>

/** True if @rc is an error with @code's code */
static int fails(int rc, int code)
{
	return rc < 0 && err_code(rc) == (code & 0xff);
}

/* ------------------------------------------------------------------------
 * Encoding
 */

static void dns_encode_test(void)
{
	static const uint8_t www[] = "\x03www\x07"
				     "example\x03"
				     "com";
	char name[300];
	uint8_t buf[300];
	unsigned int i;

	ok(dns_encode_name("www.example.com", buf, sizeof(buf)) == 17);
	ok(memcmp(buf, www, sizeof(www)) == 0);
	/* A trailing dot changes nothing; the size is known beforehand */
	ok(dns_encode_name("www.example.com.", buf, sizeof(buf)) == 17);
	ok(memcmp(buf, www, sizeof(www)) == 0);
	ok(dns_encode_name("www.example.com", NULL, 0) == 17);
	ok(dns_encode_name("", buf, sizeof(buf)) == 1 && buf[0] == 0);
	ok(fails(dns_encode_name("www.example.com", buf, 10), ENOSPC));
	ok(fails(dns_encode_name("a..b", buf, sizeof(buf)), EINVAL));
	ok(fails(dns_encode_name(".a", buf, sizeof(buf)), EINVAL));
	/* Labels up to 63 bytes, names up to 255 */
	memset(name, 'a', 63);
	name[63] = '\0';
	ok(dns_encode_name(name, buf, sizeof(buf)) == 65);
	name[63] = 'a';
	name[64] = '\0';
	ok(fails(dns_encode_name(name, buf, sizeof(buf)), ENAMETOOLONG));
	/* 127 labels "a." = 254 bytes + root = 255: the limit exactly */
	for (i = 0; i < 127; i++)
		memcpy(&name[2 * i], "a.", 2);
	name[253] = '\0';
	ok(dns_encode_name(name, buf, sizeof(buf)) == 255);
	strcpy(&name[253], ".b");
	ok(fails(dns_encode_name(name, buf, sizeof(buf)), ENAMETOOLONG));
}

/* ------------------------------------------------------------------------
 * Decoding
 */

static void dns_decode_test(void)
{
	/* Two names at 0 and 17: the second ends with a pointer to 4 */
	static const uint8_t msg[] = "\x03www\x07"
				     "example\x03"
				     "com\x00"
				     "\x04mail\xc0\x04";
	static const uint8_t self_loop[] = "\x01"
					   "a\xc0\x00";
	static const uint8_t forward[] = "\xc0\x02\x01"
					 "a\x00";
	static const uint8_t two_step[] = "\x01"
					  "a\x00\x01"
					  "b\xc0\x00"
					  "\x01"
					  "c\xc0\x03";
	static const uint8_t bad_type[] = "\x41"
					  "a\x00";
	static const uint8_t truncated[] = "\x05"
					   "ab";
	static const uint8_t dotted[] = "\x03"
					"a.b\x00";
	uint8_t chain[640];
	char text[DNS_MAX_TEXT];
	size_t next, pos;
	unsigned int i;

	ok(dns_decode_name(msg, sizeof(msg) - 1, 0, text, sizeof(text),
			   &next) == 15 &&
	   strcmp(text, "www.example.com") == 0 && next == 17);
	ok(dns_decode_name(msg, sizeof(msg) - 1, 17, text, sizeof(text),
			   &next) == 16 &&
	   strcmp(text, "mail.example.com") == 0 && next == 24);
	ok(dns_decode_name(msg, sizeof(msg) - 1, 16, text, sizeof(text),
			   &next) == 0 &&
	   text[0] == '\0' && next == 17);
	/* A short text buffer is truncated but terminated */
	ok(dns_decode_name(msg, sizeof(msg) - 1, 0, text, 4, NULL) == 15 &&
	   strcmp(text, "www") == 0);
	/* Loops and forward pointers */
	ok(fails(dns_decode_name(self_loop, 4, 0, text, sizeof(text), NULL),
		 EINVAL));
	ok(fails(dns_decode_name(self_loop, 4, 2, text, sizeof(text), NULL),
		 EINVAL));
	ok(fails(dns_decode_name(forward, 5, 0, text, sizeof(text), NULL),
		 EINVAL));
	/* "c" -> 3 "b" -> 0 "a": fine; but 3 -> 0 -> ... is backwards only */
	ok(dns_decode_name(two_step, 11, 7, text, sizeof(text), NULL) == 5 &&
	   strcmp(text, "c.b.a") == 0);
	ok(fails(dns_decode_name(bad_type, 3, 0, text, sizeof(text), NULL),
		 EINVAL));
	ok(fails(dns_decode_name(truncated, 3, 0, text, sizeof(text), NULL),
		 EINVAL));
	ok(fails(dns_decode_name(dotted, 5, 0, text, sizeof(text), NULL),
		 EINVAL));
	ok(fails(dns_decode_name(msg, sizeof(msg) - 1, 100, text, sizeof(text),
				 NULL),
		 EINVAL));

	/* A name grown past 255 bytes through pointers: each "a" label
	 * points to the previous one, 200 deep */
	chain[0] = 1;
	chain[1] = 'x';
	chain[2] = 0;
	for (pos = 3, i = 0; i < 150; i++, pos += 4) {
		chain[pos] = 1;
		chain[pos + 1] = 'a';
		chain[pos + 2] = (uint8_t)(0xc0 | ((pos - (i ? 4 : 3)) >> 8));
		chain[pos + 3] = (uint8_t)(pos - (i ? 4 : 3));
	}
	ok(dns_decode_name(chain, pos, 3 + 4 * 10, text, sizeof(text), NULL) ==
	   23);
	ok(fails(dns_decode_name(chain, pos, pos - 4, text, sizeof(text), NULL),
		 EINVAL));

	/* 63-byte labels through pointers: 3 labels fit, 4 are too long */
	memset(chain, 'z', sizeof(chain));
	chain[0] = 63;
	chain[64] = 0;
	for (pos = 65, i = 0; i < 3; i++, pos += 66) {
		chain[pos] = 63;
		chain[pos + 64] = 0xc0;
		chain[pos + 65] = (uint8_t)(i ? pos - 66 : 0);
	}
	ok(dns_decode_name(chain, pos, 65 + 66, text, sizeof(text), NULL) ==
	   3 * 63 + 2);
	ok(fails(dns_decode_name(chain, pos, 65 + 2 * 66, text, sizeof(text),
				 NULL),
		 EINVAL));
}

/* ------------------------------------------------------------------------
 * Responses
 */

/** A response under construction */
struct test_msg {
	uint8_t data[512];
	size_t len;
};

static void put(struct test_msg *m, const void *data, size_t len)
{
	memcpy(&m->data[m->len], data, len);
	m->len += len;
}

static void put16(struct test_msg *m, uint16_t value)
{
	uint8_t raw[2] = {(uint8_t)(value >> 8), (uint8_t)value};

	put(m, raw, 2);
}

/** Header and the question "www.example.com A IN" (name at offset 12) */
static void start_response(struct test_msg *m, uint16_t id, uint16_t flags,
			   uint16_t ancount)
{
	m->len = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, 1);
	put16(m, ancount);
	put16(m, 0);
	put16(m, 0);
	put(m,
	    "\x03www\x07"
	    "example\x03"
	    "com",
	    17);
	put16(m, DNS_TYPE_A);
	put16(m, DNS_CLASS_IN);
}

/** A record header: name (already encoded), type, class IN, TTL, length */
static void put_rr(struct test_msg *m, const void *name, size_t name_len,
		   uint16_t type, const void *rdata, size_t rdlen)
{
	put(m, name, name_len);
	put16(m, type);
	put16(m, DNS_CLASS_IN);
	put(m, "\x00\x00\x0e\x10", 4);
	put16(m, (uint16_t)rdlen);
	put(m, rdata, rdlen);
}

#define RESPONSE (DNS_FLAG_QR | DNS_FLAG_RD | 0x0080)

static void dns_response_test(void)
{
	struct dns_answer *answer = malloc(sizeof(*answer));
	struct test_msg *m = malloc(sizeof(*m));
	size_t web;

	if (!answer || !m) {
		ok(0);
		goto out;
	}
	/* www -> web.example.com (compressed) -> srv.example.net -> A */
	start_response(m, 0x1234, RESPONSE, 3);
	put_rr(m, "\xc0\x0c", 2, DNS_TYPE_CNAME, "\x03web\xc0\x10", 6);
	web = m->len - 6;
	put_rr(m, "\xc0\x2d", 2, DNS_TYPE_CNAME,
	       "\x03srv\x07"
	       "example\x03net",
	       17);
	ok(web == 0x2d);
	put_rr(m, "\xc0\x3f", 2, DNS_TYPE_A, "\x0a\x00\x00\x07", 4);
	ok(dns_parse_response(m->data, m->len, 0x1234, "www.example.com",
			      answer) == 0);
	ok(answer->addr.s_addr == htonl(0x0a000007));
	/* Names compare without regard to case or a trailing dot */
	ok(dns_parse_response(m->data, m->len, 0x1234, "WWW.Example.COM.",
			      answer) == 0);
	/* Wrong ID, wrong question, not a response: not ours */
	ok(fails(dns_parse_response(m->data, m->len, 0x1235, "www.example.com",
				    answer),
		 EINVAL));
	ok(fails(dns_parse_response(m->data, m->len, 0x1234, "ftp.example.com",
				    answer),
		 EINVAL));
	m->data[2] &= 0x7f;
	ok(fails(dns_parse_response(m->data, m->len, 0x1234, "www.example.com",
				    answer),
		 EINVAL));
	m->data[2] |= 0x80;
	/* A record cut short */
	ok(fails(dns_parse_response(m->data, m->len - 1, 0x1234,
				    "www.example.com", answer),
		 EINVAL));
	ok(fails(dns_parse_response(m->data, 11, 0x1234, "www.example.com",
				    answer),
		 EINVAL));

	/* The chain leaves the answer: ask about its end */
	start_response(m, 7, RESPONSE, 1);
	put_rr(m, "\xc0\x0c", 2, DNS_TYPE_CNAME, "\x03web\xc0\x10", 6);
	ok(fails(dns_parse_response(m->data, m->len, 7, "www.example.com",
				    answer),
		 EAGAIN));
	ok(strcmp(answer->cname, "web.example.com") == 0);

	/* A CNAME loop is not followed for ever */
	start_response(m, 7, RESPONSE, 2);
	put_rr(m, "\xc0\x0c", 2, DNS_TYPE_CNAME, "\x03web\xc0\x10", 6);
	put_rr(m, "\xc0\x2d", 2, DNS_TYPE_CNAME, "\xc0\x0c", 2);
	ok(fails(dns_parse_response(m->data, m->len, 7, "www.example.com",
				    answer),
		 EAGAIN) ||
	   fails(dns_parse_response(m->data, m->len, 7, "www.example.com",
				    answer),
		 ENOENT));

	/* No such name; no address; server failure */
	start_response(m, 9, RESPONSE | DNS_RCODE_NXDOMAIN, 0);
	ok(fails(dns_parse_response(m->data, m->len, 9, "www.example.com",
				    answer),
		 ENOENT));
	ok(answer->rcode == DNS_RCODE_NXDOMAIN);
	start_response(m, 9, RESPONSE, 1);
	put_rr(m, "\xc0\x0c", 2, DNS_TYPE_AAAA, "0123456789abcdef", 16);
	ok(fails(dns_parse_response(m->data, m->len, 9, "www.example.com",
				    answer),
		 ENOENT));
	start_response(m, 9, RESPONSE | DNS_RCODE_SERVFAIL, 0);
	ok(fails(dns_parse_response(m->data, m->len, 9, "www.example.com",
				    answer),
		 EIO));
	/* An A record of the wrong size is no address */
	start_response(m, 9, RESPONSE, 1);
	put_rr(m, "\xc0\x0c", 2, DNS_TYPE_A, "\x0a\x00\x00", 3);
	ok(fails(dns_parse_response(m->data, m->len, 9, "www.example.com",
				    answer),
		 ENOENT));
out:
	free(answer);
	free(m);
}

static void dns_query_test(void)
{
	static const uint8_t want[] = "\xab\xcd\x01\x00\x00\x01\x00\x00\x00"
				      "\x00\x00\x00\x03www\x07"
				      "example\x03"
				      "com\x00\x00\x01\x00\x01";
	uint8_t buf[64];

	ok(dns_build_query(0xabcd, "www.example.com", DNS_TYPE_A, buf,
			   sizeof(buf)) == 33);
	ok(memcmp(buf, want, 33) == 0);
	ok(fails(dns_build_query(1, "www.example.com", DNS_TYPE_A, buf, 20),
		 ENOSPC));
	ok(fails(dns_build_query(1, "a..b", DNS_TYPE_A, buf, sizeof(buf)),
		 EINVAL));
}

/* ------------------------------------------------------------------------
 * Search lists (option 119)
 */

static void dns_search_test(void)
{
	/* RFC 3397's example: the second name points into the first */
	static const uint8_t list[] = "\x03"
				      "eng\x05"
				      "apple\x03"
				      "com\x00"
				      "\x09marketing\xc0\x04";
	const struct setting_type *type = find_setting_type("dnssl");
	char text[80];
	uint8_t raw[64];

	ok(dns_decode_search_list(list, sizeof(list) - 1, text, sizeof(text)) ==
	   33);
	ok(strcmp(text, "eng.apple.com marketing.apple.com") == 0);
	ok(fails(dns_decode_search_list("\xc0\x00", 2, text, sizeof(text)),
		 EINVAL));
	ok(dns_decode_search_list(NULL, 0, text, sizeof(text)) == 0 &&
	   !text[0]);
	/* The setting type formats and parses the same text */
	ok(type != NULL);
	if (!type)
		return;
	ok(setting_format(type, list, sizeof(list) - 1, text, sizeof(text)) ==
	   33);
	ok(setting_parse(type, "a.example b.example", raw, sizeof(raw)) == 22);
	ok(setting_format(type, raw, 22, text, sizeof(text)) == 19 &&
	   strcmp(text, "a.example b.example") == 0);
}

struct self_test dns_encode_test_entry __self_test = {
	.name = "dns",
	.exec = dns_encode_test,
};
struct self_test dns_decode_test_entry __self_test = {
	.name = "dns-decode",
	.exec = dns_decode_test,
};
struct self_test dns_response_test_entry __self_test = {
	.name = "dns-response",
	.exec = dns_response_test,
};
struct self_test dns_query_test_entry __self_test = {
	.name = "dns-query",
	.exec = dns_query_test,
};
struct self_test dns_search_test_entry __self_test = {
	.name = "dns-search",
	.exec = dns_search_test,
};
