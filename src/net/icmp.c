/* ICMP: answer echo requests, send our own, and hand replies to listeners. */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/icmp.h>
#include <keel/iobuf.h>
#include <keel/tcpip.h>

struct tcpip_protocol icmp_protocol;
static LIST_HEAD(icmp_listeners);

void icmp_listen(struct icmp_echo_listener *listener)
{
	list_add(&listener->list, &icmp_listeners);
}

void icmp_unlisten(struct icmp_echo_listener *listener)
{
	list_del(&listener->list);
}

/** Finish and send an ICMP message */
static int icmp_tx(struct io_buffer *iobuf, struct sockaddr_tcpip *dest)
{
	struct icmp_header *icmp = iobuf->data;

	icmp->chksum = 0;
	icmp->chksum = tcpip_chksum(iobuf->data, iob_len(iobuf));
	return tcpip_tx(iobuf, &icmp_protocol, NULL, dest, NULL, NULL);
}

int icmp_echo_request(struct sockaddr_in *dest, uint16_t ident,
		      uint16_t sequence, size_t len)
{
	struct io_buffer *iobuf;
	struct icmp_echo *echo;
	uint8_t *data;
	size_t i;

	iobuf = alloc_iob_headroom(TCPIP_MAX_HEADER_LEN, sizeof(*echo) + len);
	if (!iobuf)
		return -ENOMEM;
	echo = iob_put(iobuf, sizeof(*echo));
	echo->icmp.type = ICMP_ECHO_REQUEST;
	echo->icmp.code = 0;
	echo->ident = htons(ident);
	echo->sequence = htons(sequence);
	data = iob_put(iobuf, len);
	for (i = 0; i < len; i++)
		data[i] = icmp_pattern(i);
	return icmp_tx(iobuf, (struct sockaddr_tcpip *)dest);
}

/** Deliver an echo reply to whoever waits for its identifier */
static void icmp_echo_reply(struct icmp_echo *echo, size_t len,
			    struct sockaddr_tcpip *st_src)
{
	struct icmp_echo_listener *listener, *tmp;

	list_for_each_entry_safe(listener, tmp, &icmp_listeners, list) {
		if (listener->ident == ntohs(echo->ident))
			listener->reply(listener, ntohs(echo->sequence),
					echo + 1, len - sizeof(*echo),
					(struct sockaddr_in *)st_src);
	}
}

static int icmp_rx(struct io_buffer *iobuf, struct net_device *netdev,
		   struct sockaddr_tcpip *st_src,
		   struct sockaddr_tcpip *st_dest, uint16_t pshdr_csum)
{
	struct icmp_echo *echo = iobuf->data;
	size_t len = iob_len(iobuf);

	(void)netdev;
	(void)st_dest;
	(void)pshdr_csum; /* ICMP's checksum covers no pseudo-header */
	if (len < sizeof(*echo) || tcpip_chksum(iobuf->data, len) != 0) {
		free_iob(iobuf);
		return -EINVAL;
	}
	if (echo->icmp.type == ICMP_ECHO_REQUEST && echo->icmp.code == 0) {
		/* Answer in place: same buffer, same data */
		echo->icmp.type = ICMP_ECHO_REPLY;
		return icmp_tx(iobuf, st_src);
	}
	if (echo->icmp.type == ICMP_ECHO_REPLY)
		icmp_echo_reply(echo, len, st_src);
	free_iob(iobuf);
	return 0;
}

struct tcpip_protocol icmp_protocol __tcpip_protocol = {
	.name = "ICMP",
	.rx = icmp_rx,
	.tcpip_proto = IP_ICMP,
};
