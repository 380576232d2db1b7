/* Self-tests: TFTP packets, options, the session, a download on a fake wire. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/arp.h>
#include <keel/ethernet.h>
#include <keel/iobuf.h>
#include <keel/ip.h>
#include <keel/malloc.h>
#include <keel/netdevice.h>
#include <keel/process.h>
#include <keel/settings.h>
#include <keel/tcpip.h>
#include <keel/test.h>
#include "capnic.h"
#include <keel/tftp.h>
#include <keel/udp.h>
#include <keel/uri.h>
#include <keel/xfer.h>

/** A packet written as a string literal with embedded NULs */
#define PKT(text) (const void *)(text), (sizeof(text) - 1)

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
 * Packets and options
 */

static void tftp_rrq_test(void)
{
	static const char full[] = "\0\1boot/file.img\0octet\0blksize\0001468\0"
				   "tsize\0000\0windowsize\00016\0";
	static const char bare[] = "\0\1x\0octet\0";
	struct tftp_request req = {.filename = "boot/file.img",
				   .blksize = 1468,
				   .tsize = 1,
				   .windowsize = 16};
	char buf[TFTP_MAX_REQUEST + 64], *name;
	int len;

	len = tftp_build_rrq(&req, buf, sizeof(buf));
	ok(len == (int)sizeof(full) - 1 && memcmp(buf, full, (size_t)len) == 0);
	/* Too small a buffer */
	ok(tftp_build_rrq(&req, buf, 20) < 0);
	/* Without options */
	memset(&req, 0, sizeof(req));
	req.filename = "x";
	len = tftp_build_rrq(&req, buf, sizeof(buf));
	ok(len == (int)sizeof(bare) - 1 && memcmp(buf, bare, (size_t)len) == 0);
	req.filename = "";
	ok(fails(tftp_build_rrq(&req, buf, sizeof(buf)), EINVAL));
	/* A request must fit 512 bytes */
	name = malloc(600);
	if (!name)
		return;
	memset(name, 'n', 599);
	name[599] = '\0';
	req.filename = name;
	ok(fails(tftp_build_rrq(&req, buf, sizeof(buf)), ENAMETOOLONG));
	name[503] = '\0'; /* 2 + 504 + 6: exactly 512 bytes */
	ok(tftp_build_rrq(&req, buf, sizeof(buf)) == 512);
	name[503] = 'n';
	name[504] = '\0'; /* 513 */
	ok(fails(tftp_build_rrq(&req, buf, sizeof(buf)), ENAMETOOLONG));
	free(name);
}

static void tftp_oack_test(void)
{
	struct tftp_request req = {
		.filename = "f", .blksize = 1432, .tsize = 1, .windowsize = 16};
	struct tftp_options opts;

	/* Everything, in any case and order */
	ok(tftp_parse_oack(&req,
			   PKT("TSize\0009876543210\0BLKSIZE\0001024\0"
			       "windowsize\0008\0"),
			   &opts) == 0);
	ok(opts.blksize == 1024 && opts.windowsize == 8 &&
	   opts.tsize == 9876543210ULL &&
	   opts.seen ==
		   (TFTP_OPT_BLKSIZE | TFTP_OPT_TSIZE | TFTP_OPT_WINDOWSIZE));
	/* A subset: the rest keeps its default */
	ok(tftp_parse_oack(&req, PKT("blksize\0001432\0"), &opts) == 0);
	ok(opts.blksize == 1432 && opts.windowsize == 1 &&
	   opts.seen == TFTP_OPT_BLKSIZE);
	ok(tftp_parse_oack(&req, "", 0, &opts) == 0 && opts.blksize == 512 &&
	   opts.seen == 0);
	ok(tftp_parse_oack(&req, PKT("blksize\0008\0"), &opts) == 0 &&
	   opts.blksize == 8);
	/* Malformed */
	ok(fails(tftp_parse_oack(&req, PKT("blksize\0001024"), &opts), EPROTO));
	ok(says(tftp_parse_oack(&req, PKT("blksize\0001024"), &opts),
		"not NUL-terminated"));
	ok(fails(tftp_parse_oack(&req, PKT("blksize\0"), &opts), EPROTO));
	ok(fails(tftp_parse_oack(&req, PKT("\0"), &opts), EPROTO));
	/* Unknown, unasked, repeated */
	ok(fails(tftp_parse_oack(&req, PKT("timeout\0005\0"), &opts), EPROTO));
	ok(says(tftp_parse_oack(&req, PKT("time\x1bout\0005\0"), &opts),
		"unknown option \"time?out\""));
	ok(fails(tftp_parse_oack(&req, PKT("blksize\000512\0blksize\000512\0"),
				 &opts),
		 EPROTO));
	/* Out of range: above what was asked, below the minimum, not a number
	 */
	ok(fails(tftp_parse_oack(&req, PKT("blksize\0001433\0"), &opts),
		 EPROTO));
	ok(says(tftp_parse_oack(&req, PKT("blksize\0001433\0"), &opts),
		"blksize \"1433\" (out of range)"));
	ok(fails(tftp_parse_oack(&req, PKT("blksize\0007\0"), &opts), EPROTO));
	ok(fails(tftp_parse_oack(&req, PKT("blksize\000\0"), &opts), EPROTO));
	ok(fails(tftp_parse_oack(&req, PKT("blksize\000+512\0"), &opts),
		 EPROTO));
	ok(fails(tftp_parse_oack(&req, PKT("blksize\000512 \0"), &opts),
		 EPROTO));
	ok(fails(tftp_parse_oack(&req, PKT("windowsize\0000\0"), &opts),
		 EPROTO));
	ok(fails(tftp_parse_oack(&req, PKT("windowsize\00017\0"), &opts),
		 EPROTO));
	ok(fails(tftp_parse_oack(&req, PKT("tsize\00099999999999999999999\0"),
				 &opts),
		 EPROTO));
	ok(tftp_parse_oack(&req, PKT("tsize\00018446744073709551609\0"),
			   &opts) == 0 &&
	   opts.tsize == 18446744073709551609ULL);
	/* Options not asked for */
	req.tsize = 0;
	ok(fails(tftp_parse_oack(&req, PKT("tsize\0005\0"), &opts), EPROTO));
	ok(says(tftp_parse_oack(&req, PKT("tsize\0005\0"), &opts), "unasked"));
}

static void tftp_error_test(void)
{
	char msg[TFTP_MAX_MESSAGE + 1], big[200];
	int rc;

	ok(tftp_parse_error(PKT("\0\1File not found\0"), msg) == 1 &&
	   strcmp(msg, "File not found") == 0);
	/* Unterminated, and with control characters */
	ok(tftp_parse_error(PKT("\0\2no\x1b[2Jway\n"), msg) == 2 &&
	   strcmp(msg, "no?[2Jway?") == 0);
	ok(tftp_parse_error(PKT("\0\3"), msg) == 3 && msg[0] == '\0');
	ok(tftp_parse_error(PKT("\0"), msg) < 0 && msg[0] == '\0');
	/* Long messages are cut */
	memset(big, 'm', sizeof(big));
	big[0] = 0;
	big[1] = 0;
	ok(tftp_parse_error(big, sizeof(big), msg) == 0 &&
	   strlen(msg) == TFTP_MAX_MESSAGE);

	/* Mapping, with a plain detail */
	rc = tftp_error_rc(1, "10.99.0.1", "/path", "File not found");
	ok(fails(rc, ENOENT));
	ok(strcmp(strerror(rc), "Not found (TFTP server "
				"10.99.0.1: File not found: /path)") == 0);
	rc = tftp_error_rc(1, "10.99.0.1", "/x", "file /srv/x not found");
	ok(fails(rc, ENOENT) && says(rc, "File not found: /x (\"file /srv/x "
					 "not found\")"));
	/* A long message is shortened so that the detail stays whole */
	rc = tftp_error_rc(1, "10.99.0.1", "/nosuch.bin",
			   "file /tmp/keel-lab-"
			   "28564/tftp/nosuch.bin not found for 10.99.0.130");
	ok(says(rc, "File not found: /nosuch.bin (\"file /tmp/keel-lab-") &&
	   says(rc, "...\"))"));
	big[sizeof(big) - 1] = '\0';
	rc = tftp_error_rc(0, "s", "/p", big + 2);
	ok(says(rc, "(TFTP server s: Error: /p (\"mmmm") &&
	   says(rc, "m...\"))"));
	ok(fails(tftp_error_rc(2, "s", "/p", ""), EACCES));
	ok(fails(tftp_error_rc(3, "s", "/p", ""), ENOSPC));
	ok(fails(tftp_error_rc(4, "s", "/p", ""), EPROTO));
	ok(fails(tftp_error_rc(5, "s", "/p", ""), ECONNABORTED));
	ok(fails(tftp_error_rc(6, "s", "/p", ""), EEXIST));
	ok(fails(tftp_error_rc(7, "s", "/p", ""), EPERM));
	ok(fails(tftp_error_rc(8, "s", "/p", ""), ENOTSUP));
	rc = tftp_error_rc(0, "s", "/p", "permission denied");
	ok(fails(rc, EIO) && says(rc, "(\"permission denied\")"));
	rc = tftp_error_rc(99, "s", "/p", "");
	ok(fails(rc, EIO) && says(rc, "Unknown error: /p"));
}

static void tftp_retry_test(void)
{
	unsigned long total = 0;
	unsigned int i;

	ok(tftp_retry_timeout(0) == 1000);
	ok(tftp_retry_timeout(1) == 2000);
	ok(tftp_retry_timeout(2) == 4000);
	ok(tftp_retry_timeout(3) == 8000);
	ok(tftp_retry_timeout(4) == 8000);
	ok(tftp_retry_timeout(~0U) == 8000);
	for (i = 0; i < TFTP_MAX_TRIES; i++)
		total += tftp_retry_timeout(i);
	ok(total == 31000); /* the whole wait before giving up */
}

/* ------------------------------------------------------------------------
 * The session
 */

#define SERVER_TID 3000

/** Start a session asking for every option */
static void session_start(struct tftp_session *s, struct tftp_action *act)
{
	struct tftp_request req = {.filename = "boot.img",
				   .blksize = 1024,
				   .tsize = 1,
				   .windowsize = 4};

	tftp_start(s, &req, "10.0.0.2", "/boot.img", act);
}

/** Feed a DATA packet of @len bytes (pattern: block number) */
static void feed_data(struct tftp_session *s, uint16_t port, uint16_t block,
		      size_t len, struct tftp_action *act)
{
	static uint8_t pkt[4 + 2048];

	pkt[0] = 0;
	pkt[1] = TFTP_DATA;
	pkt[2] = (uint8_t)(block >> 8);
	pkt[3] = (uint8_t)block;
	memset(&pkt[4], (int)(block & 0xff), len);
	tftp_rx(s, port, pkt, 4 + len, act);
}

/** True if @act acknowledges @block to the server's TID and nothing else */
static int acks(const struct tftp_action *act, uint16_t block)
{
	return act->send == TFTP_ACK && act->block == block &&
	       act->port == SERVER_TID && !act->done;
}

/** True if @act does nothing at all */
static int idle(const struct tftp_action *act)
{
	return !act->send && !act->deliver && !act->done && !act->size_hint &&
	       !act->restart_timer;
}

static void tftp_session_oack_test(void)
{
	struct tftp_session s;
	struct tftp_action act;
	uint8_t buf[600];
	unsigned int i;

	session_start(&s, &act);
	ok(act.send == TFTP_RRQ && act.port == 0 && act.restart_timer);
	ok(tftp_build_packet(&s, &act, buf, sizeof(buf)) ==
	   (int)sizeof("\0\1boot.img\0octet\0blksize\0001024\0tsize\0000\0"
		       "windowsize\0004\0") -
		   1);
	/* Stray packets before the answer: no lock */
	feed_data(&s, SERVER_TID, 2, 512, &act);
	ok(idle(&act) && s.tid == 0);
	tftp_rx(&s, SERVER_TID, PKT("\0\4\0\1"), &act);
	ok(idle(&act) && s.tid == 0);
	tftp_rx(&s, SERVER_TID, PKT("\0"), &act);
	ok(idle(&act) && s.tid == 0);

	/* The OACK locks the TID, announces the size, and is acknowledged */
	tftp_rx(&s, SERVER_TID,
		PKT("\0\6blksize\0001024\0tsize\0003000\0windowsize\0002\0"),
		&act);
	ok(acks(&act, 0) && act.size_hint && act.size == 3000 &&
	   act.restart_timer);
	ok(s.tid == SERVER_TID && s.phase == TFTP_RECEIVING &&
	   s.opts.blksize == 1024 && s.opts.windowsize == 2);
	ok(tftp_build_packet(&s, &act, buf, sizeof(buf)) == 4 &&
	   memcmp(buf, "\0\4\0\0", 4) == 0);
	/* Our ACK was lost: the OACK again */
	tftp_rx(&s, SERVER_TID, PKT("\0\6blksize\0001024\0"), &act);
	ok(acks(&act, 0) && !act.size_hint);
	/* Another port: ERROR 5 there, nothing else changes */
	tftp_rx(&s, SERVER_TID + 1, PKT("\0\6blksize\0001024\0"), &act);
	ok(act.send == TFTP_ERROR && act.port == SERVER_TID + 1 &&
	   act.err_code == TFTP_ERR_UNKNOWN_TID && !act.done);
	ok(tftp_build_packet(&s, &act, buf, sizeof(buf)) ==
		   (int)sizeof("\0\5\0\5Unknown transfer ID") &&
	   memcmp(buf, "\0\5\0\5Unknown transfer ID", 24) == 0);
	/* Errors from another port are not answered, and do not stop us */
	tftp_rx(&s, SERVER_TID + 1, PKT("\0\5\0\1nope\0"), &act);
	ok(idle(&act) && s.phase == TFTP_RECEIVING);

	/* Windows of two: an ACK after every second block */
	for (i = 1; i <= 2; i++) {
		feed_data(&s, SERVER_TID, (uint16_t)i, 1024, &act);
		ok(act.deliver && act.len == 1024 &&
		   act.offset == (i - 1) * 1024ULL && act.restart_timer);
		ok(i == 2 ? acks(&act, 2) : !act.send);
	}
	/* Last block: short; acknowledged and done */
	feed_data(&s, SERVER_TID, 3, 952, &act);
	ok(act.deliver && act.offset == 2048 && act.len == 952);
	ok(act.send == TFTP_ACK && act.block == 3 && act.done && act.rc == 0);
	ok(s.phase == TFTP_FINISHED);
	/* Finished: deaf */
	feed_data(&s, SERVER_TID, 3, 952, &act);
	ok(idle(&act));
	tftp_timeout(&s, &act);
	ok(idle(&act));
}

static void tftp_session_window_test(void)
{
	struct tftp_session s;
	struct tftp_action act;

	session_start(&s, &act);
	tftp_rx(&s, SERVER_TID, PKT("\0\6blksize\000512\0windowsize\0004\0"),
		&act);
	ok(acks(&act, 0) && !act.size_hint);
	/* 1 2 _ 4: the gap is answered once with ACK 2 */
	feed_data(&s, SERVER_TID, 1, 512, &act);
	ok(act.deliver && !act.send);
	feed_data(&s, SERVER_TID, 2, 512, &act);
	ok(act.deliver && !act.send);
	feed_data(&s, SERVER_TID, 4, 512, &act);
	ok(!act.deliver && acks(&act, 2) && !act.restart_timer);
	feed_data(&s, SERVER_TID, 5, 512, &act);
	ok(idle(&act));
	/* The server restarts the window at 3; the old 2 is a duplicate */
	feed_data(&s, SERVER_TID, 2, 512, &act);
	ok(acks(&act, 2));
	feed_data(&s, SERVER_TID, 3, 512, &act);
	ok(act.deliver && act.offset == 1024 && !act.send);
	feed_data(&s, SERVER_TID, 3, 512, &act);
	ok(idle(&act)); /* mid-window duplicate: ignored */
	feed_data(&s, SERVER_TID, 4, 512, &act);
	feed_data(&s, SERVER_TID, 5, 512, &act);
	ok(act.deliver && !act.send);
	feed_data(&s, SERVER_TID, 6, 512, &act);
	ok(act.deliver && act.offset == 5 * 512 && acks(&act, 6));
	/* A whole window repeated (our ACK lost): one ACK, at its end */
	feed_data(&s, SERVER_TID, 3, 512, &act);
	ok(idle(&act));
	feed_data(&s, SERVER_TID, 6, 512, &act);
	ok(acks(&act, 6));
	/* Far-away blocks are ignored */
	feed_data(&s, SERVER_TID, 20000, 512, &act);
	ok(!act.deliver && acks(&act, 6)); /* ahead: a gap */
	feed_data(&s, SERVER_TID, 40000, 512, &act);
	ok(idle(&act)); /* behind: an old duplicate */
	/* The timer re-acknowledges the last block in order */
	tftp_timeout(&s, &act);
	ok(acks(&act, 6) && act.restart_timer && s.timeouts == 1);
	feed_data(&s, SERVER_TID, 7, 100, &act);
	ok(act.deliver && act.offset == 6 * 512 && act.len == 100 && act.done &&
	   act.rc == 0 && act.block == 7 && s.timeouts == 0);
	/* A block over the agreed size fails the transfer */
	session_start(&s, &act);
	tftp_rx(&s, SERVER_TID, PKT("\0\6blksize\000512\0"), &act);
	feed_data(&s, SERVER_TID, 1, 513, &act);
	ok(act.done && fails(act.rc, EPROTO) && act.send == TFTP_ERROR &&
	   act.err_code == TFTP_ERR_ILLEGAL_OP && !act.deliver);
	ok(says(act.rc, "10.0.0.2 sent a 513-byte block, over the 512 agreed"));
}

static void tftp_session_wrap_test(void)
{
	struct tftp_session s;
	struct tftp_action act;
	unsigned long n, bad = 0;

	/* 8-byte blocks, window 1: 70000 blocks cross 65535 -> 0 */
	session_start(&s, &act);
	tftp_rx(&s, SERVER_TID, PKT("\0\6blksize\0008\0windowsize\0001\0"),
		&act);
	ok(acks(&act, 0));
	for (n = 1; n <= 70000; n++) {
		feed_data(&s, SERVER_TID, (uint16_t)n, 8, &act);
		if (!act.deliver || act.offset != (n - 1) * 8 ||
		    !acks(&act, (uint16_t)n))
			bad++;
		/* Each block repeated: never delivered twice, re-ACKed */
		feed_data(&s, SERVER_TID, (uint16_t)n, 8, &act);
		if (act.deliver || !acks(&act, (uint16_t)n))
			bad++;
	}
	ok(bad == 0);
	ok(s.blocks == 70000 && s.last_block == (uint16_t)70000);
	feed_data(&s, SERVER_TID, (uint16_t)70001, 0, &act);
	ok(act.deliver && act.len == 0 && act.offset == 70000ULL * 8 &&
	   act.done && act.rc == 0);
}

static void tftp_session_fallback_test(void)
{
	struct tftp_session s;
	struct tftp_action act;
	uint8_t buf[600];
	unsigned int i;

	/* The server ignores options: plain DATA, 512 bytes, lock-step */
	session_start(&s, &act);
	feed_data(&s, SERVER_TID, 1, 512, &act);
	ok(act.deliver && acks(&act, 1) && s.tid == SERVER_TID &&
	   s.opts.blksize == 512 && s.opts.windowsize == 1);
	feed_data(&s, SERVER_TID, 2, 511, &act);
	ok(act.deliver && act.offset == 512 && act.done && act.rc == 0);

	/* The server refuses options: the request again, without them */
	session_start(&s, &act);
	tftp_rx(&s, SERVER_TID, PKT("\0\5\0\10no options\0"), &act);
	ok(act.send == TFTP_RRQ && !act.done && act.restart_timer &&
	   s.tid == 0);
	ok(tftp_build_packet(&s, &act, buf, sizeof(buf)) ==
		   (int)sizeof("\0\1boot.img\0octet") &&
	   memcmp(buf, "\0\1boot.img\0octet", 17) == 0);
	/* ... then an OACK would be wrong */
	tftp_rx(&s, SERVER_TID, PKT("\0\6blksize\000512\0"), &act);
	ok(act.done && fails(act.rc, EPROTO) && act.send == TFTP_ERROR &&
	   act.err_code == TFTP_ERR_OPTIONS && act.port == SERVER_TID);
	/* Refused twice: give up */
	session_start(&s, &act);
	tftp_rx(&s, SERVER_TID, PKT("\0\5\0\10no\0"), &act);
	tftp_rx(&s, SERVER_TID + 1, PKT("\0\5\0\10no\0"), &act);
	ok(act.done && fails(act.rc, ENOTSUP) && !act.send);

	/* A bad OACK: ERROR 8 to its sender, and failure */
	session_start(&s, &act);
	tftp_rx(&s, SERVER_TID, PKT("\0\6blksize\0002048\0"), &act);
	ok(act.done && fails(act.rc, EPROTO) && act.send == TFTP_ERROR &&
	   act.err_code == TFTP_ERR_OPTIONS && act.port == SERVER_TID);
	ok(says(act.rc, "blksize \"2048\""));
	session_start(&s, &act);
	tftp_rx(&s, SERVER_TID, PKT("\0\6blksize\0001024\0x"), &act);
	ok(act.done && act.send == TFTP_ERROR && fails(act.rc, EPROTO));

	/* File not found */
	session_start(&s, &act);
	tftp_rx(&s, SERVER_TID, PKT("\0\5\0\1File not found\0"), &act);
	ok(act.done && !act.send && fails(act.rc, ENOENT));
	ok(strcmp(strerror(act.rc),
		  "Not found (TFTP server "
		  "10.0.0.2: File not found: /boot.img)") == 0);

	/* No answer: RRQ again with backoff, then a plain failure */
	session_start(&s, &act);
	for (i = 1; i < TFTP_MAX_TRIES; i++) {
		tftp_timeout(&s, &act);
		ok(act.send == TFTP_RRQ && act.restart_timer && !act.done &&
		   s.timeouts == i);
	}
	tftp_timeout(&s, &act);
	ok(act.done && !act.send && fails(act.rc, ETIMEDOUT));
	ok(strcmp(strerror(act.rc), "Connection timed out (no answer from "
				    "10.0.0.2 after 6 tries)") == 0);

	/* Cancelled locally: ERROR to the TID once there is one */
	session_start(&s, &act);
	tftp_abort(&s, TFTP_ERR_UNDEFINED, "cancelled", -ECANCELED, &act);
	ok(act.done && !act.send && fails(act.rc, ECANCELED));
	session_start(&s, &act);
	feed_data(&s, SERVER_TID, 1, 512, &act);
	tftp_abort(&s, TFTP_ERR_DISK_FULL, "full", -ENOSPC, &act);
	ok(act.done && act.send == TFTP_ERROR && act.port == SERVER_TID &&
	   act.err_code == TFTP_ERR_DISK_FULL);
	ok(tftp_build_packet(&s, &act, buf, sizeof(buf)) == 9 &&
	   memcmp(buf, "\0\5\0\3full", 9) == 0);
	tftp_abort(&s, TFTP_ERR_DISK_FULL, "full", -ENOSPC, &act);
	ok(idle(&act));
}

/* ------------------------------------------------------------------------
 * A whole download over a capture NIC, the test playing the server
 */

static const uint8_t server_mac[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x77};

/** A sink collecting a download */
struct tftp_sink {
	struct refcnt refcnt;
	struct interface xfer;
	uint8_t *data;
	size_t len;
	uint64_t hint;
	int closed;
	int rc;
};

static int sink_deliver(struct tftp_sink *sink, struct io_buffer *iobuf,
			struct xfer_metadata *meta)
{
	size_t len = iob_len(iobuf), end;
	uint8_t *grown;

	if (meta->flags & XFER_FL_SIZE_HINT) {
		sink->hint = meta->offset;
		free_iob(iobuf);
		return (meta->offset > 1000000) ? -EFBIG : 0;
	}
	end = (size_t)meta->offset + len;
	if (!(meta->flags & XFER_FL_ABS_OFFSET) || end > 1000000 ||
	    !(grown = realloc(sink->data, end ? end : 1))) {
		free_iob(iobuf);
		return -ENOSPC;
	}
	sink->data = grown;
	memcpy(sink->data + meta->offset, iobuf->data, len);
	if (end > sink->len)
		sink->len = end;
	free_iob(iobuf);
	return 0;
}

static void sink_close(struct tftp_sink *sink, int rc)
{
	sink->closed++;
	sink->rc = rc;
	intf_shutdown(&sink->xfer, rc);
}

static struct interface_operation sink_ops[] = {
	INTF_OP(xfer_deliver, struct tftp_sink *, sink_deliver),
	INTF_OP(intf_close, struct tftp_sink *, sink_close),
};
static struct interface_descriptor sink_desc =
	INTF_DESC(struct tftp_sink, xfer, sink_ops);

static void sink_init(struct tftp_sink *sink)
{
	memset(sink, 0, sizeof(*sink));
	ref_init(&sink->refcnt, ref_no_free);
	intf_init(&sink->xfer, &sink_desc, &sink->refcnt);
}

/** Inject a UDP datagram from 10.0.0.2:@sport to 10.0.0.1:@dport */
static void wire_inject(struct net_device *netdev, uint16_t sport,
			uint16_t dport, const void *payload, size_t len)
{
	struct io_buffer *iobuf = alloc_iob(ETH_HLEN + 28 + len);
	struct ethhdr *eth;
	struct iphdr *ip;
	struct udp_header *udp;

	if (!iobuf)
		return;
	eth = iob_put(iobuf, sizeof(*eth));
	memcpy(eth->h_dest, netdev->ll_addr, ETH_ALEN);
	memcpy(eth->h_source, server_mac, ETH_ALEN);
	eth->h_protocol = htons(ETH_P_IP);
	ip = iob_put(iobuf, sizeof(*ip));
	memset(ip, 0, sizeof(*ip));
	ip->verhdrlen = 0x45;
	ip->len = htons((uint16_t)(sizeof(*ip) + sizeof(*udp) + len));
	ip->ttl = 64;
	ip->protocol = IP_UDP;
	ip->src.s_addr = htonl(0x0a000002);
	ip->dest.s_addr = htonl(0x0a000001);
	ip->chksum = tcpip_chksum(ip, sizeof(*ip));
	udp = iob_put(iobuf, sizeof(*udp));
	udp->src = htons(sport);
	udp->dest = htons(dport);
	udp->len = htons((uint16_t)(sizeof(*udp) + len));
	udp->chksum = 0;
	memcpy(iob_put(iobuf, len), payload, len);
	netdev_rx(netdev, iobuf);
	step();
}

/** Answer the ARP request for 10.0.0.2 */
static void wire_arp_reply(struct net_device *netdev)
{
	uint8_t reply[28];
	struct arphdr *arp = (struct arphdr *)reply;
	struct io_buffer *iobuf;

	arp->ar_hrd = htons(ARPHRD_ETHER);
	arp->ar_pro = htons(ETH_P_IP);
	arp->ar_hln = 6;
	arp->ar_pln = 4;
	arp->ar_op = htons(ARPOP_REPLY);
	memcpy(reply + 8, server_mac, 6);
	memcpy(reply + 14, "\x0a\x00\x00\x02", 4);
	memcpy(reply + 18, netdev->ll_addr, 6);
	memcpy(reply + 24, "\x0a\x00\x00\x01", 4);
	if (!(iobuf = alloc_iob(ETH_HLEN + sizeof(reply))))
		return;
	memcpy(iob_put(iobuf, ETH_ALEN), netdev->ll_addr, ETH_ALEN);
	memcpy(iob_put(iobuf, ETH_ALEN), server_mac, ETH_ALEN);
	memcpy(iob_put(iobuf, 2), "\x08\x06", 2);
	memcpy(iob_put(iobuf, sizeof(reply)), reply, sizeof(reply));
	netdev_rx(netdev, iobuf);
	step();
}

/**
 * Take the next datagram the client sent to 10.0.0.2.
 *
 * @ret len	payload length (copied to @buf), or -1 if none
 */
static int wire_take(uint16_t *sport, uint16_t *dport, void *buf, size_t max)
{
	struct io_buffer *iobuf;
	struct iphdr *ip;
	struct udp_header *udp;
	size_t len;

	while (!list_empty(&capnic_captured)) {
		iobuf = list_first_entry(&capnic_captured, struct io_buffer,
					 list);
		list_del(&iobuf->list);
		ip = (struct iphdr *)((uint8_t *)iobuf->data + ETH_HLEN);
		udp = (struct udp_header *)(ip + 1);
		if (iob_len(iobuf) < ETH_HLEN + 28 ||
		    memcmp((uint8_t *)iobuf->data + 12, "\x08\x00", 2) != 0 ||
		    ip->protocol != IP_UDP) {
			free_iob(iobuf);
			continue;
		}
		len = ntohs(udp->len) - sizeof(*udp);
		*sport = ntohs(udp->src);
		*dport = ntohs(udp->dest);
		memcpy(buf, udp + 1, len < max ? len : max);
		free_iob(iobuf);
		return (int)len;
	}
	return -1;
}

/** Open tftp://10.0.0.2@path through the registered opener */
static int wire_open(struct tftp_sink *sink, struct uri *uri, const char *path)
{
	struct uri_opener *opener;

	memset(uri, 0, sizeof(*uri));
	ref_init(&uri->refcnt, ref_no_free);
	uri->scheme = "tftp";
	uri->host = "10.0.0.2";
	uri->path = path;
	for_each_table_entry(opener, URI_OPENERS) {
		if (strcmp(opener->scheme, "tftp") == 0)
			return opener->open(&sink->xfer, uri);
	}
	return -ENOTSUP;
}

/** Let the resolver and ARP run, answering ARP; the RRQ's source port */
static int wire_rrq(struct net_device *netdev, char *buf, size_t max, int *len)
{
	uint16_t sport = 0, dport = 0;
	unsigned int i;

	for (i = 0; i < 10 && list_empty(&capnic_captured); i++)
		step();
	wire_arp_reply(netdev); /* releases the queued RRQ */
	while ((*len = wire_take(&sport, &dport, buf, max)) >= 0) {
		if (dport == TFTP_PORT)
			return sport;
	}
	return -1;
}

static void tftp_wire_download(struct net_device *netdev)
{
	static const char expect_rrq[] = "\0\1dir/file.bin\0octet\0blksize\000"
					 "1468\0tsize\0000\0windowsize\00016\0";
	struct tftp_sink sink;
	struct uri uri;
	char buf[1600];
	uint16_t sport, dport;
	int client, len, bad = 0;
	unsigned int i;

	sink_init(&sink);
	ok(wire_open(&sink, &uri, "/dir/file.bin") == 0);
	client = wire_rrq(netdev, buf, sizeof(buf), &len);
	ok(client > 0 && len == (int)sizeof(expect_rrq) - 1 &&
	   memcmp(buf, expect_rrq, sizeof(expect_rrq) - 1) == 0);
	if (client <= 0)
		goto out;
	capnic_flush();
	/* OACK from the transfer ID 4000 */
	wire_inject(
		netdev, 4000, (uint16_t)client,
		PKT("\0\6blksize\0001000\0tsize\0003500\0windowsize\0002\0"));
	ok(sink.hint == 3500);
	ok(wire_take(&sport, &dport, buf, sizeof(buf)) == 4 && dport == 4000 &&
	   sport == client && memcmp(buf, "\0\4\0\0", 4) == 0);
	/* A second server process answering the repeated RRQ: ERROR 5 */
	wire_inject(netdev, 4001, (uint16_t)client,
		    PKT("\0\6blksize\0001000\0"));
	ok(wire_take(&sport, &dport, buf, sizeof(buf)) > 4 && dport == 4001 &&
	   memcmp(buf, "\0\5\0\5", 4) == 0);
	/* Four blocks, the last short; ACKs after 2 and 4 */
	for (i = 1; i <= 4; i++) {
		buf[0] = 0;
		buf[1] = TFTP_DATA;
		buf[2] = 0;
		buf[3] = (char)i;
		memset(buf + 4, 'a' + (int)i, 1000);
		wire_inject(netdev, 4000, (uint16_t)client, buf,
			    4 + (i < 4 ? 1000 : 500));
		len = wire_take(&sport, &dport, buf, sizeof(buf));
		if ((i % 2) ? len >= 0
			    : (len != 4 || dport != 4000 || buf[3] != (char)i))
			bad++;
	}
	ok(bad == 0);
	ok(sink.closed == 1 && sink.rc == 0 && sink.len == 3500);
	ok(sink.data && sink.data[0] == 'b' && sink.data[999] == 'b' &&
	   sink.data[1000] == 'c' && sink.data[3499] == 'e');
out:
	if (!sink.closed)
		intf_shutdown(&sink.xfer, -ECANCELED);
	free(sink.data);
	capnic_flush();
}

static void tftp_wire_errors(struct net_device *netdev)
{
	struct tftp_sink sink;
	struct uri uri;
	char buf[600];
	int client, len;
	uint16_t sport, dport;

	/* Not found, from a new port */
	sink_init(&sink);
	ok(wire_open(&sink, &uri, "/missing") == 0);
	client = wire_rrq(netdev, buf, sizeof(buf), &len);
	ok(client > 0);
	wire_inject(netdev, 4100, (uint16_t)client,
		    PKT("\0\5\0\1File not found\0"));
	ok(sink.closed == 1 && fails(sink.rc, ENOENT));
	ok(strcmp(strerror(sink.rc),
		  "Not found (TFTP server "
		  "10.0.0.2: File not found: /missing)") == 0);
	capnic_flush();

	/* Cancelled by the consumer mid-transfer: ERROR to the server */
	sink_init(&sink);
	ok(wire_open(&sink, &uri, "/big") == 0);
	client = wire_rrq(netdev, buf, sizeof(buf), &len);
	wire_inject(netdev, 4200, (uint16_t)client,
		    PKT("\0\6tsize\000999999\0"));
	capnic_flush();
	intf_shutdown(&sink.xfer, -ECANCELED);
	len = wire_take(&sport, &dport, buf, sizeof(buf));
	ok(len > 4 && dport == 4200 && memcmp(buf, "\0\5\0\0", 4) == 0);
	capnic_flush();

	/* Too big for the consumer: ERROR 3 to the server, and its error */
	sink_init(&sink);
	ok(wire_open(&sink, &uri, "/huge") == 0);
	client = wire_rrq(netdev, buf, sizeof(buf), &len);
	capnic_flush();
	wire_inject(netdev, 4300, (uint16_t)client,
		    PKT("\0\6tsize\0004000000000\0"));
	ok(sink.closed == 1 && fails(sink.rc, EFBIG) &&
	   sink.hint == 4000000000ULL);
	len = wire_take(&sport, &dport, buf, sizeof(buf));
	ok(len > 4 && dport == 4300 && memcmp(buf, "\0\5\0\3", 4) == 0);
	ok(wire_take(&sport, &dport, buf, sizeof(buf)) < 0); /* no ACK */
	capnic_flush();

	/* Cancelled before the name resolved: nothing is sent, or kept */
	sink_init(&sink);
	ok(wire_open(&sink, &uri, "/early") == 0);
	intf_shutdown(&sink.xfer, -ECANCELED);
	for (len = 0; len < 5; len++)
		step();
	ok(wire_take(&sport, &dport, buf, sizeof(buf)) < 0);

	/* Bad URIs */
	sink_init(&sink);
	ok(fails(wire_open(&sink, &uri, "/"), EINVAL));
	ok(!intf_plugged(&sink.xfer));
}

static void tftp_wire_test(void)
{
	struct net_device *netdev = capnic_create();
	struct heap_stats before, after;

	ok(netdev != NULL);
	if (!netdev)
		return;
	store_setting(&netdev->settings.settings, &ip_setting,
		      "\x0a\x00\x00\x01", 4);
	store_setting(&netdev->settings.settings, &netmask_setting,
		      "\xff\xff\xff\x00", 4);
	ok(netdev_open(netdev) == 0);
	heap_stats(&before);
	tftp_wire_download(netdev);
	arp_flush(netdev);
	tftp_wire_errors(netdev);
	arp_flush(netdev);
	capnic_flush();
	heap_stats(&after);
	/* Every download gave back what it took */
	ok(after.used == before.used && after.blocks == before.blocks);
	unregister_netdev(netdev);
	netdev_put(netdev);
}

static void tftp_test_exec(void)
{
	tftp_rrq_test();
	tftp_oack_test();
	tftp_error_test();
	tftp_retry_test();
	tftp_session_oack_test();
	tftp_session_window_test();
	tftp_session_wrap_test();
	tftp_session_fallback_test();
	tftp_wire_test();
}

struct self_test tftp_test __self_test = {
	.name = "tftp",
	.exec = tftp_test_exec,
};
