/* TFTP client (RFC 1350, 2347-2349, 7440): tftp:// with blksize and windows. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/in.h>
#include <keel/iobuf.h>
#include <keel/open.h>
#include <keel/resolv.h>
#include <keel/tcpip.h>
#include <keel/tftp.h>
#include <keel/timer.h>
#include <keel/uri.h>
#include <keel/xfer.h>

/* ------------------------------------------------------------------------
 * Packets
 */

/** Read a big-endian 16-bit field */
static uint16_t tftp_u16(const void *data)
{
	const uint8_t *p = data;

	return (uint16_t)((p[0] << 8) | p[1]);
}

/** Write a big-endian 16-bit field */
static void tftp_put_u16(uint8_t *p, unsigned int value)
{
	p[0] = (uint8_t)(value >> 8);
	p[1] = (uint8_t)value;
}

/** Append a string with its NUL at @pos (if it fits); the new position */
static size_t tftp_put_string(uint8_t *buf, size_t len, size_t pos,
			      const char *text)
{
	size_t n = strlen(text) + 1;

	if (pos <= len && n <= len - pos)
		memcpy(&buf[pos], text, n);
	return pos + n;
}

/** Copy untrusted text, keeping printable ASCII only (@out: @max + 1) */
static void tftp_sanitise(char *out, const char *in, size_t in_len, size_t max)
{
	size_t i;

	for (i = 0; i < in_len && i < max && in[i]; i++)
		out[i] = (in[i] >= 0x20 && in[i] < 0x7f) ? in[i] : '?';
	out[i] = '\0';
}

/** How each option is asked for and checked */
struct tftp_option_rule {
	const char *name;
	/** TFTP_OPT_* bit */
	unsigned int bit;
	/** Offset of the value asked (0: not asked) in struct tftp_request */
	size_t asked;
	/** Offset of the value in force in struct tftp_options */
	size_t value;
	/** Smallest acceptable answer */
	uint64_t min;
	/** The answer may not exceed the value asked (else "0" is asked) */
	int capped;
};

static const struct tftp_option_rule tftp_option_rules[] = {
	{"blksize", TFTP_OPT_BLKSIZE,
	 __builtin_offsetof(struct tftp_request, blksize),
	 __builtin_offsetof(struct tftp_options, blksize), TFTP_MIN_BLKSIZE, 1},
	{"tsize", TFTP_OPT_TSIZE,
	 __builtin_offsetof(struct tftp_request, tsize),
	 __builtin_offsetof(struct tftp_options, tsize), 0, 0},
	{"windowsize", TFTP_OPT_WINDOWSIZE,
	 __builtin_offsetof(struct tftp_request, windowsize),
	 __builtin_offsetof(struct tftp_options, windowsize), 1, 1},
};

/** The value of a rule's field in a request or options structure */
static uint64_t *tftp_field(const void *base, size_t offset)
{
	return (uint64_t *)((char *)base + offset);
}

int tftp_build_rrq(const struct tftp_request *req, void *buf, size_t len)
{
	const struct tftp_option_rule *rule;
	char number[24];
	uint8_t *p = buf;
	uint64_t asked;
	size_t pos = 2;

	if (!req->filename[0])
		return errctx(-EINVAL, "TFTP needs a file name");
	if (len >= 2)
		tftp_put_u16(p, TFTP_RRQ);
	pos = tftp_put_string(p, len, pos, req->filename);
	pos = tftp_put_string(p, len, pos, "octet");
	for (rule = tftp_option_rules;
	     rule < &tftp_option_rules[ARRAY_SIZE(tftp_option_rules)]; rule++) {
		if (!(asked = *tftp_field(req, rule->asked)))
			continue;
		snprintf(number, sizeof(number), "%llu",
			 rule->capped ? (unsigned long long)asked : 0ULL);
		pos = tftp_put_string(p, len, pos, rule->name);
		pos = tftp_put_string(p, len, pos, number);
	}
	if (pos > len || pos > TFTP_MAX_REQUEST)
		return errctx(-ENAMETOOLONG,
			      "TFTP file name too long for a "
			      "request (%zu bytes)",
			      strlen(req->filename));
	return (int)pos;
}

/** Parse a decimal option value (digits only, no overflow) */
static int tftp_parse_number(const char *text, uint64_t *value)
{
	uint64_t v = 0;

	if (!*text)
		return -EINVAL;
	for (; *text; text++) {
		if (*text < '0' || *text > '9' || v > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*text - '0');
	}
	*value = v;
	return 0;
}

/** Check one option of an OACK and apply it */
static int tftp_apply_option(const struct tftp_request *req, const char *name,
			     const char *value, struct tftp_options *opts)
{
	const struct tftp_option_rule *rule;
	char clean[24];
	uint64_t asked, v;

	tftp_sanitise(clean, name, strlen(name), sizeof(clean) - 1);
	for (rule = tftp_option_rules;
	     rule < &tftp_option_rules[ARRAY_SIZE(tftp_option_rules)]; rule++) {
		if (strcasecmp(rule->name, name) == 0)
			break;
	}
	if (rule == &tftp_option_rules[ARRAY_SIZE(tftp_option_rules)])
		return errctx(-EPROTO,
			      "TFTP server answered an unknown "
			      "option \"%s\"",
			      clean);
	asked = *tftp_field(req, rule->asked);
	if (!asked || (opts->seen & rule->bit))
		return errctx(-EPROTO, "TFTP server answered option %s %s",
			      rule->name, asked ? "twice" : "unasked");
	if (tftp_parse_number(value, &v) != 0 || v < rule->min ||
	    (rule->capped && v > asked)) {
		tftp_sanitise(clean, value, strlen(value), sizeof(clean) - 1);
		return errctx(-EPROTO,
			      "TFTP server answered %s \"%s\" (out "
			      "of range)",
			      rule->name, clean);
	}
	*tftp_field(opts, rule->value) = v;
	opts->seen |= rule->bit;
	return 0;
}

/** The options in force without an OACK */
static void tftp_default_options(struct tftp_options *opts)
{
	opts->blksize = TFTP_DEFAULT_BLKSIZE;
	opts->tsize = 0;
	opts->windowsize = 1;
	opts->seen = 0;
}

int tftp_parse_oack(const struct tftp_request *req, const void *data,
		    size_t len, struct tftp_options *opts)
{
	const char *p = data, *end = p + len, *name;
	int rc;

	tftp_default_options(opts);
	if (len && p[len - 1] != '\0')
		return errctx(-EPROTO, "TFTP server sent a malformed OACK "
				       "(not NUL-terminated)");
	while (p < end) {
		name = p;
		p += strlen(p) + 1;
		if (p >= end)
			return errctx(-EPROTO, "TFTP server sent a malformed "
					       "OACK (option without value)");
		if ((rc = tftp_apply_option(req, name, p, opts)) != 0)
			return rc;
		p += strlen(p) + 1;
	}
	return 0;
}

int tftp_parse_error(const void *data, size_t len, char *msg)
{
	const char *text = (const char *)data + 2;

	msg[0] = '\0';
	if (len < 2)
		return -EINVAL;
	tftp_sanitise(msg, text, len - 2, TFTP_MAX_MESSAGE);
	return tftp_u16(data);
}

/** What a server's error code means here */
struct tftp_error_map {
	unsigned int code;
	int rc;
	const char *text;
};

static const struct tftp_error_map tftp_errors[] = {
	{TFTP_ERR_UNDEFINED, -EIO, "Error"},
	{TFTP_ERR_NOT_FOUND, -ENOENT, "File not found"},
	{TFTP_ERR_ACCESS, -EACCES, "Access violation"},
	{TFTP_ERR_DISK_FULL, -ENOSPC, "Disk full or allocation exceeded"},
	{TFTP_ERR_ILLEGAL_OP, -EPROTO, "Illegal TFTP operation"},
	{TFTP_ERR_UNKNOWN_TID, -ECONNABORTED, "Unknown transfer ID"},
	{TFTP_ERR_EXISTS, -EEXIST, "File already exists"},
	{TFTP_ERR_NO_USER, -EPERM, "No such user"},
	{TFTP_ERR_OPTIONS, -ENOTSUP, "Option negotiation refused"},
};

/* errctx() keeps about 120 characters: the server's words get what is left */
#define TFTP_DETAIL_MAX 116

int tftp_error_rc(unsigned int code, const char *server, const char *path,
		  const char *msg)
{
	const struct tftp_error_map *map = &tftp_errors[0];
	const char *text = "Unknown error";
	char detail[TFTP_DETAIL_MAX + 1];
	size_t len, room, msg_len = strlen(msg);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tftp_errors); i++) {
		if (tftp_errors[i].code == code) {
			map = &tftp_errors[i];
			text = map->text;
		}
	}
	len = (size_t)snprintf(detail, sizeof(detail), "TFTP server %s: %s: %s",
			       server, text, path);
	/* Room for the message within ' ("...")', if a few words fit */
	room = (len + 5 + 12 < TFTP_DETAIL_MAX) ? TFTP_DETAIL_MAX - len - 5 : 0;
	if (msg_len && room && strcasecmp(msg, text) != 0) {
		if (msg_len > room)
			snprintf(detail + len, sizeof(detail) - len,
				 " (\"%.*s...\")", (int)(room - 3), msg);
		else
			snprintf(detail + len, sizeof(detail) - len,
				 " (\"%s\")", msg);
	}
	return errctx(map->rc, "%s", detail);
}

int tftp_build_packet(const struct tftp_session *session,
		      const struct tftp_action *act, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t pos;

	if (act->send == TFTP_RRQ)
		return tftp_build_rrq(&session->req, buf, len);
	if (len < 4 || !act->send)
		return act->send ? -ENOSPC : 0;
	tftp_put_u16(p, act->send);
	if (act->send == TFTP_ACK) {
		tftp_put_u16(&p[2], act->block);
		return 4;
	}
	tftp_put_u16(&p[2], act->err_code);
	pos = tftp_put_string(p, len, 4, act->err_msg ? act->err_msg : "");
	return pos <= len ? (int)pos : -ENOSPC;
}

/* ------------------------------------------------------------------------
 * The session: a state machine without sockets or clocks
 */

unsigned long tftp_retry_timeout(unsigned int timeouts)
{
	unsigned long ms = TFTP_MIN_TIMEOUT_MS;

	while (timeouts-- && ms < TFTP_MAX_TIMEOUT_MS)
		ms *= 2;
	return ms < TFTP_MAX_TIMEOUT_MS ? ms : TFTP_MAX_TIMEOUT_MS;
}

/** End the session with @rc */
static void tftp_finish(struct tftp_session *session, int rc,
			struct tftp_action *act)
{
	session->phase = TFTP_FINISHED;
	session->rc = rc;
	act->done = 1;
	act->rc = rc;
}

/** Send an ERROR to @port and finish with @rc */
static void tftp_fail(struct tftp_session *session, uint16_t port,
		      unsigned int code, const char *msg, int rc,
		      struct tftp_action *act)
{
	act->send = TFTP_ERROR;
	act->port = port;
	act->err_code = code;
	act->err_msg = msg;
	tftp_finish(session, rc, act);
}

/** Acknowledge the last block received in order */
static void tftp_ack(struct tftp_session *session, struct tftp_action *act)
{
	act->send = TFTP_ACK;
	act->port = session->tid;
	act->block = session->last_block;
	session->in_window = 0;
}

/** (Re)send the request from scratch */
static void tftp_request(struct tftp_session *session, struct tftp_action *act)
{
	act->send = TFTP_RRQ;
	act->port = 0;
	act->restart_timer = 1;
	session->timeouts = 0;
}

void tftp_start(struct tftp_session *session, const struct tftp_request *req,
		const char *server, const char *path, struct tftp_action *act)
{
	memset(session, 0, sizeof(*session));
	memset(act, 0, sizeof(*act));
	session->req = *req;
	session->server = server;
	session->path = path;
	tftp_default_options(&session->opts);
	tftp_request(session, act);
}

/** A block that is not the next one: a gap, or a duplicate */
static void tftp_rx_out_of_order(struct tftp_session *session, uint16_t block,
				 struct tftp_action *act)
{
	uint16_t ahead = (uint16_t)(block - session->last_block - 1);

	if (ahead < 0x8000) {
		/* Lost blocks: once per window, restart it after our last */
		if (!session->gap_acked) {
			session->gap_acked = 1;
			tftp_ack(session, act);
		}
	} else if (block == session->last_block && !session->in_window) {
		/* The server resends what we acknowledged: our ACK was lost */
		tftp_ack(session, act);
	}
}

static void tftp_rx_data(struct tftp_session *session, uint16_t port,
			 const uint8_t *body, size_t len,
			 struct tftp_action *act)
{
	uint16_t block;
	int rc;

	if (len < 2)
		return;
	block = tftp_u16(body);
	if (!session->tid) {
		/* No OACK: the server ignored our options, defaults apply */
		if (block != 1)
			return;
		session->tid = port;
		session->phase = TFTP_RECEIVING;
	}
	if (len - 2 > session->opts.blksize) {
		rc = errctx(-EPROTO,
			    "TFTP server %s sent a %zu-byte block, "
			    "over the %llu agreed",
			    session->server, len - 2,
			    (unsigned long long)session->opts.blksize);
		tftp_fail(session, port, TFTP_ERR_ILLEGAL_OP, "Block too large",
			  rc, act);
		return;
	}
	if (block != (uint16_t)(session->last_block + 1)) {
		tftp_rx_out_of_order(session, block, act);
		return;
	}
	act->deliver = 1;
	act->data = body + 2;
	act->len = len - 2;
	act->offset = session->blocks * session->opts.blksize;
	session->blocks++;
	session->last_block = block;
	session->in_window++;
	session->gap_acked = 0;
	session->timeouts = 0;
	act->restart_timer = 1;
	if (len - 2 < session->opts.blksize) {
		tftp_ack(session, act);
		tftp_finish(session, 0, act);
	} else if (session->in_window >= session->opts.windowsize) {
		tftp_ack(session, act);
	}
}

static void tftp_rx_oack(struct tftp_session *session, uint16_t port,
			 const uint8_t *body, size_t len,
			 struct tftp_action *act)
{
	int rc;

	if (session->tid) {
		/* A repeated OACK: our ACK 0 was lost */
		if (session->oack && !session->blocks)
			tftp_ack(session, act);
		return;
	}
	session->tid = port;
	session->phase = TFTP_RECEIVING;
	session->oack = 1;
	if ((rc = tftp_parse_oack(&session->req, body, len, &session->opts)) !=
	    0) {
		tftp_fail(session, port, TFTP_ERR_OPTIONS,
			  "Unacceptable option", rc, act);
		return;
	}
	if (session->opts.seen & TFTP_OPT_TSIZE) {
		act->size_hint = 1;
		act->size = session->opts.tsize;
	}
	session->timeouts = 0;
	act->restart_timer = 1;
	tftp_ack(session, act);
}

static void tftp_rx_error(struct tftp_session *session, uint16_t port,
			  const uint8_t *body, size_t len,
			  struct tftp_action *act)
{
	char msg[TFTP_MAX_MESSAGE + 1];
	int code = tftp_parse_error(body, len, msg);

	if (code < 0)
		return;
	/* Options refused outright: ask again without them (RFC 2347) */
	if (!session->tid && code == TFTP_ERR_OPTIONS &&
	    (session->req.blksize || session->req.tsize ||
	     session->req.windowsize)) {
		session->req.blksize = 0;
		session->req.tsize = 0;
		session->req.windowsize = 0;
		tftp_request(session, act);
		return;
	}
	tftp_finish(session,
		    tftp_error_rc((unsigned int)code, session->server,
				  session->path, msg),
		    act);
}

/** Handlers of what a server may send, by opcode */
static void (*const tftp_rx_handlers[])(struct tftp_session *, uint16_t,
					const uint8_t *, size_t,
					struct tftp_action *) = {
	[TFTP_DATA] = tftp_rx_data,
	[TFTP_ERROR] = tftp_rx_error,
	[TFTP_OACK] = tftp_rx_oack,
};

void tftp_rx(struct tftp_session *session, uint16_t port, const void *data,
	     size_t len, struct tftp_action *act)
{
	uint16_t opcode;

	memset(act, 0, sizeof(*act));
	if (session->phase == TFTP_FINISHED || len < 2)
		return;
	opcode = tftp_u16(data);
	if (session->tid && port != session->tid) {
		/* Another transfer's packet: tell it, never answer errors */
		if (opcode != TFTP_ERROR) {
			act->send = TFTP_ERROR;
			act->port = port;
			act->err_code = TFTP_ERR_UNKNOWN_TID;
			act->err_msg = "Unknown transfer ID";
		}
		return;
	}
	if (opcode < ARRAY_SIZE(tftp_rx_handlers) && tftp_rx_handlers[opcode])
		tftp_rx_handlers[opcode](
			session, port, (const uint8_t *)data + 2, len - 2, act);
}

void tftp_timeout(struct tftp_session *session, struct tftp_action *act)
{
	memset(act, 0, sizeof(*act));
	if (session->phase == TFTP_FINISHED)
		return;
	if (++session->timeouts >= TFTP_MAX_TRIES) {
		tftp_finish(session,
			    errctx(-ETIMEDOUT,
				   "no answer from %s "
				   "after %u tries",
				   session->server, session->timeouts),
			    act);
		return;
	}
	act->restart_timer = 1;
	if (session->phase == TFTP_REQUESTING)
		act->send = TFTP_RRQ;
	else
		tftp_ack(session, act);
}

void tftp_abort(struct tftp_session *session, unsigned int code,
		const char *msg, int rc, struct tftp_action *act)
{
	memset(act, 0, sizeof(*act));
	if (session->phase == TFTP_FINISHED)
		return;
	if (session->tid)
		tftp_fail(session, session->tid, code, msg, rc, act);
	else
		tftp_finish(session, rc, act);
}

/* ------------------------------------------------------------------------
 * Downloads: a session on a UDP socket, behind the tftp:// opener
 */

/** A download */
struct tftp {
	struct refcnt refcnt;
	/** To the consumer */
	struct interface xfer;
	/** To the resolver, until the server's address is known */
	struct interface resolv;
	/** UDP socket, accepting any port of the server */
	struct interface socket;
	/** Retransmission timer */
	struct timer timer;
	struct uri *uri;
	/** Server address; the port is where requests go */
	struct sockaddr_in server;
	/** Server address as text, for messages */
	char server_text[16];
	struct tftp_session session;
	/** Shut down: nothing more is sent or started */
	int closed;
};

static void tftp_free(struct refcnt *refcnt)
{
	struct tftp *tftp = container_of(refcnt, struct tftp, refcnt);

	uri_put(tftp->uri);
	free(tftp);
}

static void tftp_done(struct tftp *tftp, int rc)
{
	/* The consumer first, so that it hears @rc: closes bouncing back
	 * from the others find us closed */
	if (tftp->closed)
		return;
	tftp->closed = 1;
	DBGC(tftp, "TFTP %s finished: %s\n", tftp->uri->path, strerror(rc));
	tftp->session.phase = TFTP_FINISHED;
	timer_stop(&tftp->timer);
	intf_shutdown(&tftp->xfer, rc);
	intf_shutdown(&tftp->resolv, rc);
	intf_shutdown(&tftp->socket, rc);
}

/** Send the packet an action asks for */
static void tftp_send(struct tftp *tftp, const struct tftp_action *act)
{
	struct sockaddr_in dest = tftp->server;
	struct xfer_metadata meta;
	struct io_buffer *iobuf;
	int len, rc;

	if (act->port)
		dest.sin_port = htons(act->port);
	if (!(iobuf = xfer_alloc_iob(&tftp->socket, TFTP_MAX_REQUEST)))
		return;
	len = tftp_build_packet(&tftp->session, act,
				iob_put(iobuf, TFTP_MAX_REQUEST),
				TFTP_MAX_REQUEST);
	if (len < 0) {
		free_iob(iobuf);
		return;
	}
	iob_unput(iobuf, TFTP_MAX_REQUEST - (size_t)len);
	memset(&meta, 0, sizeof(meta));
	meta.dest = &dest;
	DBGC2(tftp, "TFTP opcode %u block %u to port %u\n", act->send,
	      act->block, ntohs(dest.sin_port));
	if ((rc = xfer_deliver(&tftp->socket, iobuf, &meta)) != 0)
		DBGC(tftp, "TFTP could not send: %s\n", strerror(rc));
}

/** The consumer could not take data (or its size): abort, telling why */
static void tftp_refused(struct tftp *tftp, int rc, struct tftp_action *act)
{
	DBGC(tftp, "TFTP could not store the file: %s\n", strerror(rc));
	if (rc_is(rc, ENOSPC) || rc_is(rc, ENOMEM) || rc_is(rc, EFBIG))
		tftp_abort(&tftp->session, TFTP_ERR_DISK_FULL,
			   "Disk full or allocation exceeded", rc, act);
	else
		tftp_abort(&tftp->session, TFTP_ERR_UNDEFINED,
			   "Transfer aborted", rc, act);
}

/** Announce the total size (tsize) to the consumer */
static int tftp_size_hint(struct tftp *tftp, uint64_t size)
{
	struct xfer_metadata meta;
	struct io_buffer *iobuf;

	if (!(iobuf = xfer_alloc_iob(&tftp->xfer, 0)))
		return -ENOMEM;
	memset(&meta, 0, sizeof(meta));
	meta.flags = XFER_FL_SIZE_HINT;
	meta.offset = size;
	return xfer_deliver(&tftp->xfer, iobuf, &meta);
}

/** Carry out an action (data, if any, was delivered already) */
static void tftp_perform(struct tftp *tftp, struct tftp_action *act)
{
	int rc;

	if (act->size_hint && !tftp->closed &&
	    (rc = tftp_size_hint(tftp, act->size)) != 0)
		tftp_refused(tftp, rc, act);
	/* The consumer may have closed us while taking data or the size */
	if (tftp->closed)
		return;
	if (act->send)
		tftp_send(tftp, act);
	if (act->restart_timer)
		timer_start(&tftp->timer,
			    tftp_retry_timeout(tftp->session.timeouts) *
				    TICKS_PER_MS);
	if (act->done)
		tftp_done(tftp, act->rc);
}

/** Hand a block to the consumer; on failure, the session is aborted */
static void tftp_deliver_block(struct tftp *tftp, struct io_buffer *iobuf,
			       struct tftp_action *act)
{
	struct xfer_metadata meta;
	int rc;

	iob_pull(iobuf,
		 (size_t)((const char *)act->data - (const char *)iobuf->data));
	memset(&meta, 0, sizeof(meta));
	meta.flags = XFER_FL_ABS_OFFSET;
	meta.offset = act->offset;
	if ((rc = xfer_deliver(&tftp->xfer, iobuf, &meta)) != 0)
		tftp_refused(tftp, rc, act);
}

static int tftp_socket_deliver(struct tftp *tftp, struct io_buffer *iobuf,
			       struct xfer_metadata *meta)
{
	const struct sockaddr_in *src = meta->src;
	struct tftp_action act;

	if (!src || src->sin_family != AF_INET ||
	    src->sin_addr.s_addr != tftp->server.sin_addr.s_addr) {
		free_iob(iobuf);
		return 0;
	}
	ref_get(&tftp->refcnt);
	tftp_rx(&tftp->session, ntohs(src->sin_port), iobuf->data,
		iob_len(iobuf), &act);
	if (act.deliver)
		tftp_deliver_block(tftp, iobuf, &act);
	else
		free_iob(iobuf);
	tftp_perform(tftp, &act);
	ref_put(&tftp->refcnt);
	return 0;
}

static void tftp_expired(struct timer *timer)
{
	struct tftp *tftp = container_of(timer, struct tftp, timer);
	struct tftp_action act;

	ref_get(&tftp->refcnt);
	tftp_timeout(&tftp->session, &act);
	if (act.send)
		DBGC(tftp, "TFTP %s: retry %u\n", tftp->uri->path,
		     tftp->session.timeouts);
	tftp_perform(tftp, &act);
	ref_put(&tftp->refcnt);
}

/** The consumer closed early: stop, telling the server */
static void tftp_close(struct tftp *tftp, int rc)
{
	struct tftp_action act;

	if (tftp->closed)
		return;
	if (!rc)
		rc = -ECANCELED;
	tftp_abort(&tftp->session, TFTP_ERR_UNDEFINED, "Transfer cancelled", rc,
		   &act);
	if (act.send)
		tftp_send(tftp, &act);
	tftp_done(tftp, rc);
}

/** The block size to propose: the largest that fits the path MTU */
static uint64_t tftp_blksize(struct tftp *tftp)
{
	size_t mtu = tcpip_mtu((struct sockaddr_tcpip *)&tftp->server);
	size_t blksize = (mtu > TFTP_OVERHEAD) ? mtu - TFTP_OVERHEAD : 0;

	if (blksize > TFTP_MAX_BLKSIZE)
		blksize = TFTP_MAX_BLKSIZE;
	return (blksize > TFTP_DEFAULT_BLKSIZE) ? blksize : 0;
}

/** The name resolved: open the socket and ask */
static void tftp_resolv_done(struct tftp *tftp, struct sockaddr *sa)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)sa;
	struct sockaddr_in peer;
	struct tftp_request req;
	struct tftp_action act;
	int rc;

	/* A resolver may answer after we were cancelled */
	if (tftp->closed)
		return;
	tftp->server.sin_family = AF_INET;
	tftp->server.sin_addr = sin->sin_addr;
	snprintf(tftp->server_text, sizeof(tftp->server_text), "%s",
		 inet_ntoa(sin->sin_addr));
	/* The answer comes from a port of the server's choosing */
	peer = tftp->server;
	peer.sin_port = 0;
	if ((rc = xfer_open_socket(&tftp->socket, SOCK_DGRAM,
				   (struct sockaddr *)&peer, NULL)) != 0) {
		tftp_done(tftp, rc);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.filename = tftp->uri->path + (tftp->uri->path[0] == '/');
	req.blksize = tftp_blksize(tftp);
	req.tsize = 1;
	req.windowsize = TFTP_WINDOWSIZE;
	DBGC(tftp, "TFTP %s from %s, blksize %llu\n", req.filename,
	     tftp->server_text, (unsigned long long)req.blksize);
	tftp_start(&tftp->session, &req, tftp->server_text, tftp->uri->path,
		   &act);
	tftp_perform(tftp, &act);
}

/** The socket went away under us */
static void tftp_socket_close(struct tftp *tftp, int rc)
{
	tftp_done(tftp, rc ? rc : -ECONNRESET);
}

static void tftp_resolv_close(struct tftp *tftp, int rc)
{
	intf_shutdown(&tftp->resolv, rc);
	if (rc)
		tftp_done(tftp, rc);
}

static struct interface_operation tftp_xfer_ops[] = {
	INTF_OP(intf_close, struct tftp *, tftp_close),
};
static struct interface_descriptor tftp_xfer_desc =
	INTF_DESC(struct tftp, xfer, tftp_xfer_ops);

static struct interface_operation tftp_resolv_ops[] = {
	INTF_OP(resolv_done, struct tftp *, tftp_resolv_done),
	INTF_OP(intf_close, struct tftp *, tftp_resolv_close),
};
static struct interface_descriptor tftp_resolv_desc =
	INTF_DESC(struct tftp, resolv, tftp_resolv_ops);

static struct interface_operation tftp_socket_ops[] = {
	INTF_OP(xfer_deliver, struct tftp *, tftp_socket_deliver),
	INTF_OP(intf_close, struct tftp *, tftp_socket_close),
};
static struct interface_descriptor tftp_socket_desc =
	INTF_DESC(struct tftp, socket, tftp_socket_ops);

static int tftp_open(struct interface *xfer, struct uri *uri)
{
	struct tftp *tftp;
	int rc;

	if (!uri->host || !uri->host[0])
		return errctx(-EINVAL, "a TFTP URI needs a server");
	if (!uri->path || !uri->path[0] || strcmp(uri->path, "/") == 0)
		return errctx(-EINVAL, "a TFTP URI needs a file name");
	if (!(tftp = zalloc(sizeof(*tftp))))
		return -ENOMEM;
	ref_init(&tftp->refcnt, tftp_free);
	intf_init(&tftp->xfer, &tftp_xfer_desc, &tftp->refcnt);
	intf_init(&tftp->resolv, &tftp_resolv_desc, &tftp->refcnt);
	intf_init(&tftp->socket, &tftp_socket_desc, &tftp->refcnt);
	timer_init(&tftp->timer, tftp_expired, &tftp->refcnt);
	tftp->uri = uri_get(uri);
	tftp->server.sin_family = AF_INET;
	tftp->server.sin_port = htons((uint16_t)uri_port(uri, TFTP_PORT));
	if ((rc = resolv(&tftp->resolv, uri->host,
			 (struct sockaddr *)&tftp->server)) != 0)
		goto err;
	intf_plug_plug(&tftp->xfer, xfer);
	ref_put(&tftp->refcnt);
	return 0;
err:
	tftp_done(tftp, rc);
	ref_put(&tftp->refcnt);
	return rc;
}

struct uri_opener tftp_uri_opener __uri_opener = {
	.scheme = "tftp",
	.open = tftp_open,
};
