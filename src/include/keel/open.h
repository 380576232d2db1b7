/* Opening data-transfer endpoints: sockets by address or by name. */
#ifndef KEEL_OPEN_H
#define KEEL_OPEN_H
#include <keel/in.h>
#include <keel/tables.h>

struct interface;

/* Socket semantics */
#define SOCK_STREAM 1
#define SOCK_DGRAM 2

/** Something that opens sockets of one kind (TCP over IPv4...) */
struct socket_opener {
	/** SOCK_STREAM or SOCK_DGRAM */
	int semantics;
	/** Address family */
	sa_family_t family;
	/**
	 * Open a socket and plug it into @xfer.
	 *
	 * @peer	remote address
	 * @local	local address, or NULL
	 */
	int (*open)(struct interface *xfer, struct sockaddr *peer,
		    struct sockaddr *local);
};
#define SOCKET_OPENERS __table(struct socket_opener, "socket_openers")
#define __socket_opener __table_entry(SOCKET_OPENERS, 01)

/** Open a socket to an address; data then flows over @xfer */
int xfer_open_socket(struct interface *xfer, int semantics,
		     struct sockaddr *peer, struct sockaddr *local);
/**
 * Open a socket to a host name: resolve it (DNS or a literal address),
 * then connect. Data delivered before the connection is ready is refused
 * through the window, as for any socket.
 *
 * @peer	remote address with only the port set (family may be 0)
 * @name	host name or literal address
 */
int xfer_open_named_socket(struct interface *xfer, int semantics,
			   struct sockaddr *peer, const char *name,
			   struct sockaddr *local);

#endif
