/* The tcpcheck command: move a verifiable byte pattern both ways over TCP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/console.h>
#include <keel/open.h>
#include <keel/parseopt.h>
#include <keel/tcp.h>
#include <keel/timer.h>
#include <keel/xfer.h>

/*
 * Byte i of either direction is (i * 7 + 3) & 0xff. The server checks what
 * we send and answers with the same pattern; tests/lab uses this to prove
 * that data crossed intact, with loss and delay on the link.
 */
static inline uint8_t tcpcheck_pattern(size_t i)
{
	return (uint8_t)(i * 7 + 3);
}

#define TCPCHECK_CHUNK 4096

struct tcpcheck {
	struct refcnt refcnt;
	struct interface xfer;
	size_t to_send, sent;
	/** Our FIN has been requested (everything was sent) */
	int write_shut;
	size_t received;
	/** First offset that did not match, or ~0 */
	size_t bad_at;
	int done;
	int rc;
};

static void tcpcheck_close(struct tcpcheck *check, int rc)
{
	check->done = 1;
	check->rc = rc;
	intf_shutdown(&check->xfer, rc);
}

static int tcpcheck_deliver(struct tcpcheck *check, struct io_buffer *iobuf,
			    struct xfer_metadata *meta)
{
	const uint8_t *data = iobuf->data;
	size_t i, len = iob_len(iobuf);

	(void)meta;
	for (i = 0; i < len; i++) {
		if (data[i] != tcpcheck_pattern(check->received + i) &&
		    check->bad_at == ~(size_t)0)
			check->bad_at = check->received + i;
	}
	check->received += len;
	free_iob(iobuf);
	return 0;
}

/** Send as much of the pattern as the connection accepts now */
static void tcpcheck_pump(struct tcpcheck *check)
{
	struct io_buffer *iobuf;
	uint8_t *data;
	size_t len, i;

	while (check->sent < check->to_send) {
		len = xfer_window(&check->xfer);
		if (!len)
			return;
		if (len > TCPCHECK_CHUNK)
			len = TCPCHECK_CHUNK;
		if (len > check->to_send - check->sent)
			len = check->to_send - check->sent;
		iobuf = xfer_alloc_iob(&check->xfer, len);
		if (!iobuf)
			return;
		data = iob_put(iobuf, len);
		for (i = 0; i < len; i++)
			data[i] = tcpcheck_pattern(check->sent + i);
		if (xfer_deliver(&check->xfer, iobuf, NULL) != 0)
			return;
		check->sent += len;
	}
	/* Half-close: the server answers once it has seen all our data */
	if (!check->write_shut && xfer_window(&check->xfer)) {
		check->write_shut = 1;
		tcp_shutdown_write(&check->xfer);
	}
}

static struct interface_operation tcpcheck_ops[] = {
	INTF_OP(xfer_deliver, struct tcpcheck *, tcpcheck_deliver),
	INTF_OP(xfer_window_changed, struct tcpcheck *, tcpcheck_pump),
	INTF_OP(intf_close, struct tcpcheck *, tcpcheck_close),
};
static struct interface_descriptor tcpcheck_desc =
	INTF_DESC(struct tcpcheck, xfer, tcpcheck_ops);

struct tcpcheck_options {
	unsigned int send;
	unsigned int expect;
	unsigned long timeout;
};

static const struct option_descriptor tcpcheck_opts[] = {
	OPTION_DESC("send", 's', required_argument, struct tcpcheck_options,
		    send, parse_integer),
	OPTION_DESC("expect", 'e', required_argument, struct tcpcheck_options,
		    expect, parse_integer),
	OPTION_DESC("timeout", 't', required_argument, struct tcpcheck_options,
		    timeout, parse_timeout),
};

static const struct command_descriptor tcpcheck_cmd = COMMAND_DESC(
	struct tcpcheck_options, tcpcheck_opts, 1, 1,
	"[--send <bytes>] [--expect <bytes>] [--timeout <ms>] <host>:<port>");

/** Open the connection; @target is "host:port" and is cut in place */
static int tcpcheck_open(struct tcpcheck *check, char *target)
{
	struct sockaddr_in peer;
	char *colon = strrchr(target, ':');
	unsigned int port;
	int rc;

	if (!colon || parse_integer(colon + 1, &port) != 0 || !port ||
	    port > 65535)
		return errctx(-EINVAL, "\"%s\" is not host:port", target);
	*colon = '\0';
	memset(&peer, 0, sizeof(peer));
	peer.sin_port = htons((uint16_t)port);
	rc = xfer_open_named_socket(&check->xfer, SOCK_STREAM,
				    (struct sockaddr *)&peer, target, NULL);
	*colon = ':';
	return rc;
}

/** Step until the server closes, the time runs out, or Ctrl-C */
static int tcpcheck_wait(struct tcpcheck *check, unsigned long timeout)
{
	unsigned long start = currticks();

	while (!check->done) {
		tcpcheck_pump(check);
		if (console_interrupted())
			return -ECANCELED;
		if (currticks() - start > timeout)
			return errctx(-ETIMEDOUT,
				      "%zu of %zu bytes sent, %zu "
				      "received",
				      check->sent, check->to_send,
				      check->received);
	}
	return check->rc;
}

static int tcpcheck_exec(int argc, char **argv)
{
	struct tcpcheck_options opts;
	struct tcpcheck check;
	int first = parse_options(argc, argv, &tcpcheck_cmd, &opts), rc;

	if (first <= 0)
		return first;
	memset(&check, 0, sizeof(check));
	ref_init(&check.refcnt, ref_no_free);
	intf_init(&check.xfer, &tcpcheck_desc, &check.refcnt);
	check.to_send = opts.send;
	check.bad_at = ~(size_t)0;
	if ((rc = tcpcheck_open(&check, argv[first])) == 0)
		rc = tcpcheck_wait(&check,
				   opts.timeout ? opts.timeout : 120000);
	intf_shutdown(&check.xfer, rc);
	if (rc == 0 && check.sent != check.to_send)
		rc = errctx(-EPIPE, "the server closed after %zu of %zu bytes",
			    check.sent, check.to_send);
	if (rc == 0 &&
	    (check.received != opts.expect || check.bad_at != ~(size_t)0))
		rc = errctx(-EIO,
			    "received %zu bytes, expected %u; first "
			    "bad byte at %ld",
			    check.received, opts.expect, (long)check.bad_at);
	printf("tcpcheck: sent %zu, received %zu, %s\n", check.sent,
	       check.received, rc ? strerror(rc) : "ok");
	return rc;
}

struct command tcpcheck_command __command = {
	.name = "tcpcheck",
	.exec = tcpcheck_exec,
	.summary = "Send and verify a byte pattern over TCP (for tests)",
};
