/* The ping command: ICMP echo to a host, with counts, timeouts and sizes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/console.h>
#include <keel/icmp.h>
#include <keel/parseopt.h>
#include <keel/resolv.h>
#include <keel/timer.h>

#define PING_DEFAULT_SIZE    64
#define PING_MAX_SIZE	     1400
#define PING_DEFAULT_TIMEOUT 1000
/** Time between the starts of successive requests */
#define PING_INTERVAL 1000

struct ping_options {
	unsigned int size;
	unsigned long timeout;
	unsigned int count;
	int quiet;
};

static const struct option_descriptor ping_opts[] = {
	OPTION_DESC("size", 's', required_argument, struct ping_options, size,
		    parse_integer),
	OPTION_DESC("timeout", 't', required_argument, struct ping_options,
		    timeout, parse_timeout),
	OPTION_DESC("count", 'c', required_argument, struct ping_options, count,
		    parse_integer),
	OPTION_DESC("quiet", 'q', no_argument, struct ping_options, quiet,
		    parse_flag),
};

static const struct command_descriptor ping_cmd = COMMAND_DESC(
	struct ping_options, ping_opts, 1, 1,
	"[--size <bytes>] [--timeout <ms>] [--count <n>] [--quiet] <host>");

/** State of one ping run */
struct ping_state {
	struct icmp_echo_listener listener;
	size_t size;
	/** Sequence number of the request awaiting a reply */
	uint16_t awaited;
	int answered;
	unsigned int received;
};

static void ping_reply(struct icmp_echo_listener *listener, uint16_t seq,
		       const void *data, size_t len,
		       const struct sockaddr_in *src)
{
	struct ping_state *ping =
		container_of(listener, struct ping_state, listener);
	const uint8_t *bytes = data;
	size_t i;

	if (seq != ping->awaited || ping->answered || len != ping->size)
		return;
	for (i = 0; i < len; i++) {
		if (bytes[i] != icmp_pattern(i))
			return; /* corrupted: not counted as a reply */
	}
	ping->answered = 1;
	ping->received++;
	(void)src;
}

/** Send one request and wait for its reply; returns 0, or -ETIMEDOUT... */
static int ping_once(struct ping_state *ping, struct sockaddr_in *dest,
		     const struct ping_options *opts)
{
	unsigned long start = currticks();
	int rc;

	ping->answered = 0;
	if ((rc = icmp_echo_request(dest, ping->listener.ident, ping->awaited,
				    ping->size)) != 0)
		return rc;
	while (!ping->answered) {
		if (console_interrupted())
			return -ECANCELED;
		if (currticks() - start >= opts->timeout)
			return -ETIMEDOUT;
		udelay(200);
	}
	if (!opts->quiet)
		printf("%zu bytes from %s: seq=%u time=%lums\n", ping->size,
		       inet_ntoa(dest->sin_addr), ping->awaited,
		       currticks() - start);
	return 0;
}

static int ping_exec(int argc, char **argv)
{
	struct ping_options opts;
	struct ping_state ping;
	struct sockaddr_in dest;
	unsigned int sent = 0;
	unsigned long start, spent;
	int first = parse_options(argc, argv, &ping_cmd, &opts), rc = 0;

	if (first <= 0)
		return first;
	if (!opts.timeout)
		opts.timeout = PING_DEFAULT_TIMEOUT;
	memset(&ping, 0, sizeof(ping));
	ping.size = opts.size ? opts.size : PING_DEFAULT_SIZE;
	if (ping.size > PING_MAX_SIZE) {
		printf("ping: --size may be at most %d\n", PING_MAX_SIZE);
		return -ERANGE;
	}
	memset(&dest, 0, sizeof(dest));
	if ((rc = resolv_sync(argv[first], (struct sockaddr *)&dest)) != 0) {
		printf("ping: %s: %s\n", argv[first], strerror(rc));
		return rc;
	}
	ping.listener.ident = (uint16_t)random();
	ping.listener.reply = ping_reply;
	icmp_listen(&ping.listener);
	while (!opts.count || sent < opts.count) {
		ping.awaited = (uint16_t)++sent;
		start = currticks();
		rc = ping_once(&ping, &dest, &opts);
		if (rc_is(rc, ECANCELED) || rc_is(rc, ENETUNREACH))
			break;
		if (rc && !opts.quiet)
			printf("No reply from %s: seq=%u\n",
			       inet_ntoa(dest.sin_addr), ping.awaited);
		spent = currticks() - start;
		if (sent != opts.count && spent < PING_INTERVAL &&
		    sleep_interruptible(PING_INTERVAL - spent) != 0) {
			rc = -ECANCELED;
			break;
		}
	}
	icmp_unlisten(&ping.listener);
	printf("Finished: %u sent, %u received\n", sent, ping.received);
	if (rc_is(rc, ECANCELED) || rc_is(rc, ENETUNREACH) || ping.received)
		return ping.received ? 0 : rc;
	return errctx(-ETIMEDOUT, "no reply from %s", inet_ntoa(dest.sin_addr));
}

struct command ping_command __command = {
	.name = "ping",
	.exec = ping_exec,
	.summary = "Send ICMP echo requests to a host",
};
