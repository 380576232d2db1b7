/* TFTP (RFC 1350, 2347-2349, 7440): the protocol engine, apart from sockets. */
#ifndef KEEL_TFTP_H
#define KEEL_TFTP_H
#include <stddef.h>
#include <stdint.h>

/*
 * src/net/udp/tftp.c keeps the protocol in a session that never touches
 * the network or the clock: the socket side hands it each datagram (with
 * the port it came from) and each timeout, and it answers with a struct
 * tftp_action saying what to send, what data to deliver where, whether to
 * restart the timer and whether the transfer ended. The self-tests and the
 * fuzz target drive it the same way.
 */

#define TFTP_PORT 69

/* Opcodes */
#define TFTP_RRQ   1
#define TFTP_WRQ   2
#define TFTP_DATA  3
#define TFTP_ACK   4
#define TFTP_ERROR 5
#define TFTP_OACK  6

/* Error codes */
#define TFTP_ERR_UNDEFINED   0
#define TFTP_ERR_NOT_FOUND   1
#define TFTP_ERR_ACCESS	     2
#define TFTP_ERR_DISK_FULL   3
#define TFTP_ERR_ILLEGAL_OP  4
#define TFTP_ERR_UNKNOWN_TID 5
#define TFTP_ERR_EXISTS	     6
#define TFTP_ERR_NO_USER     7
#define TFTP_ERR_OPTIONS     8

/** Block size without options, and the bounds of RFC 2348 */
#define TFTP_DEFAULT_BLKSIZE 512
#define TFTP_MIN_BLKSIZE     8
#define TFTP_MAX_BLKSIZE     65464
/**
 * UDP + TFTP headers: blksize = tcpip_mtu() - this, as tcpip_mtu() has
 * taken the IP header off the device MTU already (1500 - 20 - 8 - 4 = 1468)
 */
#define TFTP_OVERHEAD (8 + 4)
/** Window asked for (RFC 7440); the server may lower it */
#define TFTP_WINDOWSIZE	    16
#define TFTP_MAX_WINDOWSIZE 65535
/** Requests must fit a classic 512-byte packet (RFC 2347) */
#define TFTP_MAX_REQUEST 512
/** Longest server error message kept (sanitised) */
#define TFTP_MAX_MESSAGE 80

/* Retransmission: 1 s doubling to 8 s, giving up after 6 tries (31 s) */
#define TFTP_MIN_TIMEOUT_MS 1000
#define TFTP_MAX_TIMEOUT_MS 8000
#define TFTP_MAX_TRIES	    6

/** What a read request asks for; option values of 0 are not asked */
struct tftp_request {
	/** File name as sent (RFC 3617: the URI path without its first '/') */
	const char *filename;
	/** blksize to propose, or 0 */
	uint64_t blksize;
	/** Ask for tsize (1) or not (0) */
	uint64_t tsize;
	/** windowsize to propose, or 0 */
	uint64_t windowsize;
};

/* Bits of tftp_options.seen */
#define TFTP_OPT_BLKSIZE    0x01
#define TFTP_OPT_TSIZE	    0x02
#define TFTP_OPT_WINDOWSIZE 0x04

/** Options in force: the defaults, as changed by an OACK */
struct tftp_options {
	uint64_t blksize;
	uint64_t tsize;
	uint64_t windowsize;
	/** TFTP_OPT_* that the OACK carried */
	unsigned int seen;
};

/** Where a session stands */
enum tftp_phase {
	/** RRQ sent, no answer yet */
	TFTP_REQUESTING = 0,
	/** The server answered from its transfer ID */
	TFTP_RECEIVING,
	/** Complete or failed (see rc) */
	TFTP_FINISHED,
};

/** One download's protocol state */
struct tftp_session {
	/** Request, with options cleared if the server refused them */
	struct tftp_request req;
	/** Options in force */
	struct tftp_options opts;
	/** Server address and URI path, for messages */
	const char *server;
	const char *path;
	enum tftp_phase phase;
	/** Server's transfer ID (its port, host order); 0 until it answers */
	uint16_t tid;
	/** The server answered with an OACK */
	int oack;
	/** Last block received in order, as numbered on the wire */
	uint16_t last_block;
	/** Blocks received in order: the position, immune to wrap-around */
	uint64_t blocks;
	/** Blocks received since our last ACK */
	unsigned int in_window;
	/** A gap in the current window has been answered already */
	int gap_acked;
	/** Timeouts since the last progress */
	unsigned int timeouts;
	/** Result once finished */
	int rc;
};

/** What a session wants done after an event */
struct tftp_action {
	/** Packet to send: 0, TFTP_RRQ, TFTP_ACK or TFTP_ERROR */
	unsigned int send;
	/** To this port (host order); 0 means the server's request port */
	uint16_t port;
	/** ACK: block number */
	uint16_t block;
	/** ERROR: code and message */
	unsigned int err_code;
	const char *err_msg;
	/** Deliver @len bytes at @data (inside the datagram) at @offset */
	int deliver;
	const void *data;
	size_t len;
	uint64_t offset;
	/** Announce the total size @size (tsize) */
	int size_hint;
	uint64_t size;
	/** (Re)start the timer with tftp_retry_timeout(timeouts) */
	int restart_timer;
	/** The transfer ended with @rc (0: complete) */
	int done;
	int rc;
};

/** Milliseconds to wait after a send, given the timeouts so far */
unsigned long tftp_retry_timeout(unsigned int timeouts);

/**
 * Build a read request: name, "octet", then the options asked.
 *
 * @ret len	packet length, or -ENAMETOOLONG / -EINVAL
 */
int tftp_build_rrq(const struct tftp_request *req, void *buf, size_t len);
/**
 * Build the packet an action sends (RRQ, ACK or ERROR).
 *
 * @ret len	packet length, 0 if nothing to send, or negative error
 */
int tftp_build_packet(const struct tftp_session *session,
		      const struct tftp_action *act, void *buf, size_t len);

/**
 * Check an OACK's options against the request and apply them.
 *
 * @data	the options (after the opcode)
 * @opts	filled in: defaults, changed by each option
 * @ret rc	0, or -EPROTO with a plain detail
 */
int tftp_parse_oack(const struct tftp_request *req, const void *data,
		    size_t len, struct tftp_options *opts);
/**
 * Read an ERROR packet's body.
 *
 * @data	after the opcode
 * @msg		the message, printable ASCII only (TFTP_MAX_MESSAGE + 1)
 * @ret code	the error code, or -EINVAL if too short
 */
int tftp_parse_error(const void *data, size_t len, char *msg);
/**
 * The rc for a server's error, with the detail
 * "TFTP server <server>: <text>: <path> (<message>)".
 */
int tftp_error_rc(unsigned int code, const char *server, const char *path,
		  const char *msg);

/**
 * Start a session: the first RRQ.
 *
 * @req		what to ask (the filename must outlive the session)
 * @server	server address text and @path, for messages
 */
void tftp_start(struct tftp_session *session, const struct tftp_request *req,
		const char *server, const char *path, struct tftp_action *act);
/**
 * Handle a datagram from the server's address.
 *
 * @port	its source port (host order)
 */
void tftp_rx(struct tftp_session *session, uint16_t port, const void *data,
	     size_t len, struct tftp_action *act);
/** Handle the timer's expiry: retransmit, or give up */
void tftp_timeout(struct tftp_session *session, struct tftp_action *act);
/**
 * Abandon a session locally (the data could not be stored, the user
 * cancelled): tell the server with @code and @msg, finish with @rc.
 */
void tftp_abort(struct tftp_session *session, unsigned int code,
		const char *msg, int rc, struct tftp_action *act);

#endif /* KEEL_TFTP_H */
