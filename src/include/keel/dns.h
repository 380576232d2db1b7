/* DNS (RFC 1035): message layout, names, the A-record resolver. */
#ifndef KEEL_DNS_H
#define KEEL_DNS_H
#include <stddef.h>
#include <stdint.h>
#include <keel/in.h>

#define DNS_PORT 53

/** Message header */
struct dns_header {
	uint16_t id;
	uint16_t flags;
	uint16_t qdcount;
	uint16_t ancount;
	uint16_t nscount;
	uint16_t arcount;
} __attribute__((packed));

#define DNS_FLAG_QR	   0x8000 /* a response */
#define DNS_FLAG_OPCODE	   0x7800 /* 0: standard query */
#define DNS_FLAG_TC	   0x0200 /* truncated */
#define DNS_FLAG_RD	   0x0100 /* recursion desired */
#define DNS_FLAG_RCODE	   0x000f
#define DNS_RCODE_OK	   0
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3

#define DNS_TYPE_A     1
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_AAAA  28
#define DNS_CLASS_IN   1

/** Longest name, in wire form (labels, length bytes and the root) */
#define DNS_MAX_NAME 255
/** Longest label */
#define DNS_MAX_LABEL 63
/** Longest name as text, with its NUL */
#define DNS_MAX_TEXT 256
/** Compression pointers followed while decoding one name */
#define DNS_MAX_JUMPS 32
/** CNAMEs followed for one lookup */
#define DNS_MAX_CNAMES 8
/** Servers used from ${dns} */
#define DNS_MAX_SERVERS 4
/** Rounds over the servers before giving up; the wait doubles each round */
#define DNS_MAX_ROUNDS	   3
#define DNS_MIN_TIMEOUT_MS 1000
#define DNS_MAX_TIMEOUT_MS 4000

/**
 * Encode a dotted name ("www.example.com", a trailing dot allowed) as
 * labels. Labels are 1..63 bytes; the whole is at most 255 bytes.
 *
 * @buf		buffer (may be NULL if @len is 0)
 * @ret len	encoded length, -EINVAL, -ENAMETOOLONG, or -ENOSPC
 */
int dns_encode_name(const char *name, void *buf, size_t len);

/**
 * Decode a name at @offset in a message, following compression pointers.
 * A pointer must point before the label it replaces (so loops cannot
 * happen), at most DNS_MAX_JUMPS are followed, labels are 1..63 bytes
 * without '.' or NUL in them, and the name is at most 255 bytes.
 *
 * @text	dotted text, NUL-terminated ("" for the root); DNS_MAX_TEXT
 *		bytes are always enough
 * @next	offset just after the name where it starts (may be NULL)
 * @ret len	text length, or -EINVAL (malformed, looping, too long)
 */
int dns_decode_name(const void *msg, size_t msg_len, size_t offset, char *text,
		    size_t text_len, size_t *next);

/**
 * Build a standard query with recursion desired.
 *
 * @ret len	message length, or negative error
 */
int dns_build_query(uint16_t id, const char *name, uint16_t qtype, void *buf,
		    size_t len);

/** What a response says about a question */
struct dns_answer {
	/** Address found (A record of the name or its CNAME chain) */
	struct in_addr addr;
	/** Where a CNAME chain leaves the answer, if no address was found */
	char cname[DNS_MAX_TEXT];
	/** Response code */
	unsigned int rcode;
};

/**
 * Check a response against a query and read its answer for an A record,
 * following CNAMEs inside the answer section (at most DNS_MAX_CNAMES).
 *
 * @id		the query's ID
 * @qname	the name asked about
 * @ret rc	0 (address in @answer->addr), -EAGAIN (a CNAME whose target
 *		must be asked about: @answer->cname), -ENOENT (no such name or
 *		no address: @answer->rcode says which), -EIO (server failure
 *		or refusal), -EINVAL (malformed or not an answer to this
 *		query: ignore it)
 */
int dns_parse_response(const void *msg, size_t len, uint16_t id,
		       const char *qname, struct dns_answer *answer);

/**
 * Decode a domain search list (DHCP option 119, RFC 3397: names
 * compressed against the start of the list) into text.
 *
 * @out		names separated by single spaces, NUL-terminated
 * @ret len	text length, or -EINVAL
 */
int dns_decode_search_list(const void *data, size_t len, char *out,
			   size_t out_len);

#endif /* KEEL_DNS_H */
