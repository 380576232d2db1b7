/* Internet addresses and socket addresses. */
#ifndef KEEL_IN_H
#define KEEL_IN_H
#include <stdint.h>
#include <keel/byteswap.h>

/* IP protocol numbers */
#define IP_ICMP 1
#define IP_TCP 6
#define IP_UDP 17

/** An IPv4 address, network order */
struct in_addr {
	uint32_t s_addr;
};
#define INADDR_ANY 0x00000000UL
#define INADDR_BROADCAST 0xffffffffUL
#define INADDR_NONE 0xffffffffUL
#define IN_IS_MULTICAST(addr) (((addr) & htonl(0xf0000000)) == htonl(0xe0000000))
#define IN_IS_SMALL(mask) ((mask) & htonl(0x000000ff))

/** An IPv6 address */
struct in6_addr {
	uint8_t s6_addr[16];
};

/* Address families */
#define AF_INET 2
#define AF_INET6 10
typedef uint16_t sa_family_t;

/** Enough room for any socket address */
#define SA_LEN 32

/** A generic socket address */
struct sockaddr {
	sa_family_t sa_family;
	char sa_data[SA_LEN - sizeof(sa_family_t)];
};

/** A TCP/IP socket address, common to IPv4 and IPv6 */
struct sockaddr_tcpip {
	sa_family_t st_family;
	/** Flags (TCPIP_BIND_*) */
	uint16_t st_flags;
	/** Port, network order */
	uint16_t st_port;
	/**
	 * Scope: the network device's index + 1 (so 0 means "no scope"), for
	 * broadcasts and unconfigured devices (DHCP on net0: scope id 1)
	 */
	uint16_t st_scope_id;
	char pad[SA_LEN - 4 * sizeof(uint16_t)];
};
/** Ask for a privileged (< 1024) local port */
#define TCPIP_BIND_PRIVILEGED 0x0001

/** An IPv4 socket address */
struct sockaddr_in {
	sa_family_t sin_family;
	uint16_t sin_flags;
	uint16_t sin_port;
	uint16_t sin_scope_id;
	struct in_addr sin_addr;
	char pad[SA_LEN - 4 * sizeof(uint16_t) - sizeof(struct in_addr)];
};

/** Format an IPv4 address as a dotted quad (static buffer) */
const char *inet_ntoa(struct in_addr in);
/**
 * Parse a dotted quad (exactly four decimal parts, each 0..255).
 *
 * @ret ok	1 on success, 0 if @text is not an IPv4 address
 */
int inet_aton(const char *text, struct in_addr *in);
/** Format a socket address ("10.0.0.1:80"), static buffer */
const char *sock_ntoa(const struct sockaddr *sa);

#endif
