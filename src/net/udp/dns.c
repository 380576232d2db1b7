/* DNS resolver (RFC 1035): A records, CNAMEs, search domains, many servers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <keel/dhcp.h>
#include <keel/dns.h>
#include <keel/iobuf.h>
#include <keel/open.h>
#include <keel/resolv.h>
#include <keel/settings.h>
#include <keel/timer.h>
#include <keel/xfer.h>

DHCP_FEATURE(dns_feature, DHCP_EB_FEATURE_DNS, "DNS");

/* ------------------------------------------------------------------------
 * Names
 */

int dns_encode_name(const char *name, void *buf, size_t len)
{
	uint8_t *out = buf;
	size_t pos = 0, label;

	while (*name) {
		label = strcspn(name, ".");
		if (label == 0)
			return errctx(-EINVAL, "empty label in a DNS name");
		if (label > DNS_MAX_LABEL)
			return errctx(-ENAMETOOLONG, "DNS label over %u bytes",
				      DNS_MAX_LABEL);
		if (pos + 1 + label + 1 > DNS_MAX_NAME)
			return errctx(-ENAMETOOLONG, "DNS name over %u bytes",
				      DNS_MAX_NAME);
		if (pos + 1 + label <= len) {
			out[pos] = (uint8_t)label;
			memcpy(&out[pos + 1], name, label);
		}
		pos += 1 + label;
		name += label;
		if (*name == '.')
			name++;
	}
	if (pos < len)
		out[pos] = 0;
	pos++;
	return (pos <= len || !len) ? (int)pos : -ENOSPC;
}

/** Append a label to dotted text of @out characters so far; new length */
static size_t dns_text_append(char *text, size_t text_len, size_t out,
			      const uint8_t *label, size_t len)
{
	if (out && out < text_len)
		text[out] = '.';
	out += out ? 1 : 0;
	if (out < text_len)
		memcpy(&text[out], label,
		       (out + len < text_len) ? len : text_len - out);
	return out + len;
}

int dns_decode_name(const void *msg, size_t msg_len, size_t offset, char *text,
		    size_t text_len, size_t *next)
{
	const uint8_t *p = msg;
	size_t run = offset, pos = offset, wire = 1, out = 0, target;
	unsigned int jumps = 0;
	uint8_t label;

	if (next)
		*next = 0;
	while (pos < msg_len && (label = p[pos]) != 0) {
		if ((label & 0xc0) == 0xc0) {
			if (pos + 2 > msg_len || ++jumps > DNS_MAX_JUMPS)
				return -EINVAL;
			target = ((size_t)(label & 0x3f) << 8) | p[pos + 1];
			/* Strictly backwards, before this run: no loops */
			if (target >= run)
				return -EINVAL;
			if (next && !*next)
				*next = pos + 2;
			run = pos = target;
			continue;
		}
		wire += 1U + label;
		/* 0x40 and 0x80 label types; too long; cut short */
		if ((label & 0xc0) || wire > DNS_MAX_NAME ||
		    pos + 1 + label > msg_len)
			return -EINVAL;
		if (memchr(&p[pos + 1], '.', label) ||
		    memchr(&p[pos + 1], '\0', label))
			return -EINVAL;
		out = dns_text_append(text, text_len, out, &p[pos + 1], label);
		pos += 1U + label;
	}
	if (pos >= msg_len)
		return -EINVAL;
	if (next && !*next)
		*next = pos + 1;
	if (text_len)
		text[out < text_len ? out : text_len - 1] = '\0';
	return (int)out;
}

/** Compare two dotted names, ignoring case and a trailing dot */
static int dns_name_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la && a[la - 1] == '.')
		la--;
	if (lb && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

int dns_decode_search_list(const void *data, size_t len, char *out,
			   size_t out_len)
{
	char name[DNS_MAX_TEXT];
	size_t pos = 0, next, used = 0;
	int name_len;

	if (out_len)
		out[0] = '\0';
	while (pos < len) {
		name_len = dns_decode_name(data, len, pos, name, sizeof(name),
					   &next);
		if (name_len < 0)
			return name_len;
		if (name_len) {
			if (used && used < out_len)
				out[used] = ' ';
			used += used ? 1 : 0;
			if (used < out_len)
				strlcpy(&out[used], name, out_len - used);
			used += (size_t)name_len;
		}
		pos = next;
	}
	return (int)used;
}

/* ------------------------------------------------------------------------
 * Messages
 */

int dns_build_query(uint16_t id, const char *name, uint16_t qtype, void *buf,
		    size_t len)
{
	struct dns_header *hdr = buf;
	uint8_t *p = buf;
	int name_len;

	if (len < sizeof(*hdr) + 4)
		return -ENOSPC;
	memset(hdr, 0, sizeof(*hdr));
	hdr->id = htons(id);
	hdr->flags = htons(DNS_FLAG_RD);
	hdr->qdcount = htons(1);
	name_len =
		dns_encode_name(name, p + sizeof(*hdr), len - sizeof(*hdr) - 4);
	if (name_len < 0)
		return name_len;
	p += sizeof(*hdr) + name_len;
	p[0] = (uint8_t)(qtype >> 8);
	p[1] = (uint8_t)qtype;
	p[2] = 0;
	p[3] = DNS_CLASS_IN;
	return (int)(sizeof(*hdr) + (size_t)name_len + 4);
}

/** Read a 16-bit field */
static uint16_t dns_u16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/** One resource record, as found in a message */
struct dns_rr {
	char name[DNS_MAX_TEXT];
	uint16_t type;
	uint16_t class;
	size_t rdata;
	size_t rdlen;
};

/** Read the record at *@pos and move past it */
static int dns_read_rr(const uint8_t *msg, size_t len, size_t *pos,
		       struct dns_rr *rr)
{
	size_t next;
	int rc;

	if ((rc = dns_decode_name(msg, len, *pos, rr->name, sizeof(rr->name),
				  &next)) < 0)
		return rc;
	if (next + 10 > len)
		return -EINVAL;
	rr->type = dns_u16(&msg[next]);
	rr->class = dns_u16(&msg[next + 2]);
	rr->rdlen = dns_u16(&msg[next + 8]);
	rr->rdata = next + 10;
	if (rr->rdata + rr->rdlen > len)
		return -EINVAL;
	*pos = rr->rdata + rr->rdlen;
	return 0;
}

/**
 * Find an answer record of @type for @name.
 *
 * @ret rc	0 (@rr filled in), -ENOENT, or -EINVAL
 */
static int dns_find_rr(const uint8_t *msg, size_t len, size_t answers,
		       unsigned int count, const char *name, uint16_t type,
		       struct dns_rr *rr)
{
	size_t pos = answers;
	int rc;

	while (count--) {
		if ((rc = dns_read_rr(msg, len, &pos, rr)) != 0)
			return rc;
		if (rr->type == type && rr->class == DNS_CLASS_IN &&
		    dns_name_eq(rr->name, name))
			return 0;
	}
	return -ENOENT;
}

/** Check the header and the echoed question; the answers' offset */
static int dns_check_question(const uint8_t *msg, size_t len, uint16_t id,
			      const char *qname, size_t *answers)
{
	const struct dns_header *hdr = (const void *)msg;
	char name[DNS_MAX_TEXT];
	uint16_t flags;
	int rc;

	if (len < sizeof(*hdr))
		return -EINVAL;
	flags = ntohs(hdr->flags);
	if (ntohs(hdr->id) != id || !(flags & DNS_FLAG_QR) ||
	    (flags & DNS_FLAG_OPCODE) || ntohs(hdr->qdcount) != 1)
		return -EINVAL;
	if ((rc = dns_decode_name(msg, len, sizeof(*hdr), name, sizeof(name),
				  answers)) < 0)
		return rc;
	if (*answers + 4 > len || !dns_name_eq(name, qname) ||
	    dns_u16(&msg[*answers]) != DNS_TYPE_A ||
	    dns_u16(&msg[*answers + 2]) != DNS_CLASS_IN)
		return -EINVAL;
	*answers += 4;
	return 0;
}

/**
 * Follow @name through the answers to an A record, via CNAMEs.
 *
 * @name	start of the chain; left at its end
 * @ret rc	0 (@addr filled in), -ENOENT, or -EINVAL
 */
static int dns_follow(const uint8_t *msg, size_t len, size_t answers,
		      unsigned int count, char *name, struct in_addr *addr)
{
	struct dns_rr *rr = malloc(sizeof(*rr));
	unsigned int depth;
	int rc = -ENOMEM;

	for (depth = 0; rr; depth++) {
		rc = dns_find_rr(msg, len, answers, count, name, DNS_TYPE_A,
				 rr);
		if (rc == 0 && rr->rdlen == sizeof(*addr)) {
			memcpy(addr, &msg[rr->rdata], rr->rdlen);
			break;
		}
		if (rc_is(rc, EINVAL))
			break;
		rc = -ENOENT;
		if (depth == DNS_MAX_CNAMES ||
		    dns_find_rr(msg, len, answers, count, name, DNS_TYPE_CNAME,
				rr) != 0)
			break;
		/* The target may point anywhere before it, not past rdata */
		rc = dns_decode_name(msg, rr->rdata + rr->rdlen, rr->rdata,
				     name, DNS_MAX_TEXT, NULL);
		if (rc <= 0) {
			rc = rc ? rc : -ENOENT;
			break;
		}
	}
	free(rr);
	return rc;
}

int dns_parse_response(const void *data, size_t len, uint16_t id,
		       const char *qname, struct dns_answer *answer)
{
	const uint8_t *msg = data;
	const struct dns_header *hdr = data;
	char current[DNS_MAX_TEXT];
	size_t answers;
	int rc;

	memset(answer, 0, sizeof(*answer));
	if ((rc = dns_check_question(msg, len, id, qname, &answers)) != 0)
		return rc;
	answer->rcode = ntohs(hdr->flags) & DNS_FLAG_RCODE;
	if (answer->rcode == DNS_RCODE_NXDOMAIN)
		return -ENOENT;
	if (answer->rcode != DNS_RCODE_OK)
		return -EIO;
	strlcpy(current, qname, sizeof(current));
	rc = dns_follow(msg, len, answers, ntohs(hdr->ancount), current,
			&answer->addr);
	if (rc_is(rc, ENOENT) && !dns_name_eq(current, qname)) {
		strlcpy(answer->cname, current, sizeof(answer->cname));
		return -EAGAIN;
	}
	return rc;
}

/* ------------------------------------------------------------------------
 * Settings: the search list (option 119)
 */

static int format_dnssl(const struct setting_type *type, const void *raw,
			size_t raw_len, char *buf, size_t len)
{
	char dummy;
	int rc = dns_decode_search_list(raw, raw_len, len ? buf : &dummy,
					len ? len : 1);

	return rc < 0 ? errctx(rc, "malformed DNS search list") : rc;
}

static int parse_dnssl(const struct setting_type *type, const char *text,
		       void *raw, size_t len)
{
	char name[DNS_MAX_TEXT];
	size_t used = 0, word;
	int rc;

	while (*text) {
		word = strcspn(text, " ,");
		if (word && word < sizeof(name)) {
			memcpy(name, text, word);
			name[word] = '\0';
			rc = dns_encode_name(
				name, used < len ? (uint8_t *)raw + used : NULL,
				used < len ? len - used : 0);
			if (rc < 0 && !rc_is(rc, ENOSPC))
				return rc;
			if (rc < 0)
				rc = dns_encode_name(name, NULL, 0);
			used += (size_t)rc;
		} else if (word) {
			return errctx(-ENAMETOOLONG, "DNS name too long");
		}
		text += word;
		text += strspn(text, " ,");
	}
	return (int)used;
}

const struct setting_type setting_type_dnssl __setting_type = {
	.name = "dnssl",
	.parse = parse_dnssl,
	.format = format_dnssl,
};

/** DNS search list */
const struct setting dnssl_setting __setting(SETTING_IP_EXTRA) = {
	.name = "dnssl",
	.tag = DHCP_DOMAIN_SEARCH,
	.type = &setting_type_dnssl,
};

/* ------------------------------------------------------------------------
 * The resolver
 */

/** A lookup in progress */
struct dns_request {
	struct refcnt refcnt;
	/** Whoever asked */
	struct interface resolv;
	/** UDP socket, any local port */
	struct interface socket;
	/** Retransmission timer */
	struct timer timer;
	/** The request's address (port and family wish), answered into */
	struct sockaddr sa;
	/** Servers, in order */
	struct in_addr servers[DNS_MAX_SERVERS];
	unsigned int num_servers;
	/** Transmissions of the current question */
	unsigned int tries;
	/** Name as asked */
	char *name;
	/** Search suffixes still to try, space-separated ("" when used up) */
	char *suffixes;
	const char *next_suffix;
	/** Whether the name as given is still to be tried after suffixes */
	int bare_pending;
	/** CNAMEs followed */
	unsigned int cnames;
	/** A server said it failed */
	int failed;
	/** The outcome has been reported */
	int finished;
	/** The question now asked, and its ID */
	char qname[DNS_MAX_TEXT];
	uint16_t id;
};

static void dns_free(struct refcnt *refcnt)
{
	struct dns_request *dns =
		container_of(refcnt, struct dns_request, refcnt);

	free(dns->name);
	free(dns->suffixes);
	free(dns);
}

static void dns_done(struct dns_request *dns, int rc)
{
	/* Peers close back while we shut down: only the first end counts */
	if (dns->finished)
		return;
	dns->finished = 1;
	timer_stop(&dns->timer);
	intf_shutdown(&dns->socket, rc);
	intf_shutdown(&dns->resolv, rc);
}

/** Ask the current question of the next server in turn */
static void dns_send(struct dns_request *dns)
{
	struct sockaddr_in peer;
	struct xfer_metadata meta;
	struct io_buffer *iobuf;
	unsigned int round = dns->tries / dns->num_servers;
	unsigned long wait = DNS_MIN_TIMEOUT_MS << round;
	int len, rc;

	memset(&peer, 0, sizeof(peer));
	peer.sin_family = AF_INET;
	peer.sin_port = htons(DNS_PORT);
	peer.sin_addr = dns->servers[dns->tries % dns->num_servers];
	memset(&meta, 0, sizeof(meta));
	meta.dest = &peer;
	dns->tries++;
	timer_start(&dns->timer,
		    (wait > DNS_MAX_TIMEOUT_MS ? DNS_MAX_TIMEOUT_MS : wait) *
			    TICKS_PER_MS);
	iobuf = xfer_alloc_iob(&dns->socket, DNS_MAX_NAME + 32);
	if (!iobuf)
		return;
	len = dns_build_query(dns->id, dns->qname, DNS_TYPE_A,
			      iob_put(iobuf, DNS_MAX_NAME + 32),
			      DNS_MAX_NAME + 32);
	if (len < 0) {
		free_iob(iobuf);
		dns_done(dns, len);
		return;
	}
	iob_unput(iobuf, DNS_MAX_NAME + 32 - (size_t)len);
	DBGC(dns, "DNS %s? #%u to %s\n", dns->qname, dns->tries,
	     inet_ntoa(peer.sin_addr));
	if ((rc = xfer_deliver(&dns->socket, iobuf, &meta)) != 0)
		DBGC(dns, "DNS could not send: %s\n", strerror(rc));
}

/** Start asking about @name with a fresh ID */
static void dns_ask(struct dns_request *dns, const char *name)
{
	strlcpy(dns->qname, name, sizeof(dns->qname));
	dns->id = (uint16_t)random();
	dns->tries = 0;
	dns->failed = 0;
	dns_send(dns);
}

/**
 * Move on to the next form of the name: with the next search suffix, or
 * as given.
 *
 * @ret rc	0 if asking, -ENOENT if every form was tried
 */
static int dns_next_candidate(struct dns_request *dns)
{
	char name[DNS_MAX_TEXT + DNS_MAX_TEXT];
	const char *suffix;
	size_t len;

	while ((suffix = dns->next_suffix) && *suffix) {
		len = strcspn(suffix, " ");
		dns->next_suffix = suffix + len + (suffix[len] ? 1 : 0);
		snprintf(name, sizeof(name), "%s.%.*s", dns->name, (int)len,
			 suffix);
		/* A suffix that makes the name too long is skipped */
		if (dns_encode_name(name, NULL, 0) > 0) {
			dns_ask(dns, name);
			return 0;
		}
	}
	if (dns->bare_pending) {
		dns->bare_pending = 0;
		dns_ask(dns, dns->name);
		return 0;
	}
	return -ENOENT;
}

static void dns_timer_expired(struct timer *timer)
{
	struct dns_request *dns =
		container_of(timer, struct dns_request, timer);

	if (dns->tries < DNS_MAX_ROUNDS * dns->num_servers) {
		dns_send(dns);
		return;
	}
	if (dns->failed)
		dns_done(dns, errctx(-EIO,
				     "DNS servers failed to answer for "
				     "\"%s\"",
				     dns->qname));
	else
		dns_done(dns, errctx(-ETIMEDOUT,
				     "no answer from DNS server %s "
				     "after %u tries",
				     inet_ntoa(dns->servers[0]), dns->tries));
}

/** True if @src is one of our servers' DNS ports */
static int dns_from_server(struct dns_request *dns,
			   const struct sockaddr_in *src)
{
	unsigned int i;

	if (!src || src->sin_family != AF_INET ||
	    src->sin_port != htons(DNS_PORT))
		return 0;
	for (i = 0; i < dns->num_servers; i++) {
		if (dns->servers[i].s_addr == src->sin_addr.s_addr)
			return 1;
	}
	return 0;
}

/** Act on a valid answer */
static void dns_answered(struct dns_request *dns, int rc,
			 struct dns_answer *answer)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&dns->sa;

	if (rc == 0) {
		DBGC(dns, "DNS %s is %s\n", dns->qname,
		     inet_ntoa(answer->addr));
		sin->sin_family = AF_INET;
		sin->sin_addr = answer->addr;
		resolv_done(&dns->resolv, &dns->sa);
		dns_done(dns, 0);
	} else if (rc_is(rc, EAGAIN)) {
		if (++dns->cnames > DNS_MAX_CNAMES) {
			dns_done(dns, errctx(-ELOOP,
					     "more than %u CNAMEs "
					     "for \"%s\"",
					     DNS_MAX_CNAMES, dns->name));
			return;
		}
		dns->next_suffix = NULL;
		dns->bare_pending = 0;
		dns_ask(dns, answer->cname);
	} else if (rc_is(rc, EIO)) {
		/* This server cannot help: the next one, at once */
		dns->failed = 1;
		timer_stop(&dns->timer);
		dns_timer_expired(&dns->timer);
	} else if (dns_next_candidate(dns) != 0) {
		dns_done(dns,
			 errctx(-ENOENT, "no such host \"%s\"", dns->name));
	}
}

static int dns_deliver(struct dns_request *dns, struct io_buffer *iobuf,
		       struct xfer_metadata *meta)
{
	struct dns_answer *answer = malloc(sizeof(*answer));
	int rc = 0;

	if (!answer) {
		rc = -ENOMEM;
		goto out;
	}
	if (!dns_from_server(dns, meta->src))
		goto out;
	rc = dns_parse_response(iobuf->data, iob_len(iobuf), dns->id,
				dns->qname, answer);
	if (rc_is(rc, EINVAL)) {
		DBGC(dns, "DNS ignored a reply that does not answer %s\n",
		     dns->qname);
		goto out;
	}
	ref_get(&dns->refcnt);
	dns_answered(dns, rc, answer);
	ref_put(&dns->refcnt);
	rc = 0;
out:
	free(answer);
	free_iob(iobuf);
	return rc;
}

static void dns_close(struct dns_request *dns, int rc)
{
	dns_done(dns, rc ? rc : -ECONNABORTED);
}

static struct interface_operation dns_socket_ops[] = {
	INTF_OP(xfer_deliver, struct dns_request *, dns_deliver),
	INTF_OP(intf_close, struct dns_request *, dns_close),
};
static struct interface_descriptor dns_socket_desc =
	INTF_DESC(struct dns_request, socket, dns_socket_ops);

static struct interface_operation dns_resolv_ops[] = {
	INTF_OP(intf_close, struct dns_request *, dns_close),
};
static struct interface_descriptor dns_resolv_desc =
	INTF_DESC(struct dns_request, resolv, dns_resolv_ops);

/** Read ${dns}: one or more IPv4 addresses */
static unsigned int dns_servers(struct in_addr *servers)
{
	uint8_t raw[4 * DNS_MAX_SERVERS];
	struct setting setting = dns_setting;
	int len = fetch_setting(NULL, &setting, NULL, NULL, raw, sizeof(raw));
	unsigned int i, n = 0;

	if (len > (int)sizeof(raw))
		len = sizeof(raw);
	for (i = 0; len >= 4 && i + 4 <= (unsigned int)len; i += 4) {
		memcpy(&servers[n], &raw[i], 4);
		if (servers[n].s_addr && servers[n].s_addr != INADDR_BROADCAST)
			n++;
	}
	return n;
}

/** Search suffixes: ${dnssl}, then ${domain} if not already there */
static char *dns_suffixes(void)
{
	char *list = NULL, *domain = NULL, *joined;
	struct setting dnssl = dnssl_setting;
	size_t len;

	dnssl.type = &setting_type_dnssl;
	if (fetchf_setting_copy(NULL, &dnssl, NULL, NULL, &list) < 0)
		list = NULL;
	if (fetch_string_setting_copy(NULL, &domain_setting, &domain) < 0)
		domain = NULL;
	if (domain && domain[strlen(domain) - 1] == '.')
		domain[strlen(domain) - 1] = '\0';
	if (domain && *domain && !(list && strstr(list, domain))) {
		len = (list ? strlen(list) : 0) + strlen(domain) + 2;
		if ((joined = malloc(len)))
			snprintf(joined, len, "%s%s%s", list ? list : "",
				 (list && *list) ? " " : "", domain);
		free(list);
		list = joined;
	}
	free(domain);
	return list ? list : strdup("");
}

/** Plan the forms of the name: as given first if it has a dot */
static int dns_plan(struct dns_request *dns, const char *name)
{
	size_t len = strlen(name);

	if (!(dns->name = strdup(name)) || !(dns->suffixes = dns_suffixes()))
		return -ENOMEM;
	if (len && name[len - 1] == '.') {
		dns->name[len - 1] = '\0';
		dns->next_suffix = NULL;
		dns->bare_pending = 1;
	} else if (strchr(name, '.')) {
		dns->next_suffix = dns->suffixes;
		dns_ask(dns, name);
		return 0;
	} else {
		dns->next_suffix = dns->suffixes;
		dns->bare_pending = 1;
	}
	return dns_next_candidate(dns);
}

static int dns_resolv(struct interface *resolv_intf, const char *name,
		      struct sockaddr *sa)
{
	struct sockaddr_in local;
	struct dns_request *dns;
	int rc;

	if ((rc = dns_encode_name(name, NULL, 0)) < 0 || rc <= 1)
		return errctx(-EINVAL, "\"%s\" is not a valid host name", name);
	if (!(dns = zalloc(sizeof(*dns))))
		return -ENOMEM;
	ref_init(&dns->refcnt, dns_free);
	intf_init(&dns->resolv, &dns_resolv_desc, &dns->refcnt);
	intf_init(&dns->socket, &dns_socket_desc, &dns->refcnt);
	timer_init(&dns->timer, dns_timer_expired, &dns->refcnt);
	memcpy(&dns->sa, sa, sizeof(dns->sa));
	if (!(dns->num_servers = dns_servers(dns->servers))) {
		rc = errctx(-ENETUNREACH,
			    "no DNS server is known to ask about "
			    "\"%s\" (set dns, or run dhcp)",
			    name);
		goto err;
	}
	memset(&local, 0, sizeof(local));
	local.sin_family = AF_INET;
	if ((rc = xfer_open_socket(&dns->socket, SOCK_DGRAM,
				   (struct sockaddr *)&local,
				   (struct sockaddr *)&local)) != 0)
		goto err;
	if ((rc = dns_plan(dns, name)) != 0)
		goto err;
	intf_plug_plug(&dns->resolv, resolv_intf);
	ref_put(&dns->refcnt);
	return 0;
err:
	dns_done(dns, rc);
	ref_put(&dns->refcnt);
	return rc;
}

struct resolver dns_resolver __resolver(RESOLV_NORMAL) = {
	.name = "DNS",
	.resolv = dns_resolv,
};
