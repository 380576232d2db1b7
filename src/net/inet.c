/* IPv4 address text: dotted quads both ways, and socket address formatting. */
#include <stdio.h>
#include <string.h>
#include <keel/in.h>

const char *inet_ntoa(struct in_addr in)
{
	static char buf[16];
	const uint8_t *b = (const uint8_t *)&in.s_addr;

	snprintf(buf, sizeof(buf), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	return buf;
}

int inet_aton(const char *text, struct in_addr *in)
{
	uint8_t bytes[4];
	unsigned int part, value, digits;

	for (part = 0; part < 4; part++) {
		value = digits = 0;
		while (*text >= '0' && *text <= '9' && digits < 4) {
			value = value * 10 + (unsigned int)(*text++ - '0');
			digits++;
		}
		if (!digits || digits > 3 || value > 255)
			return 0;
		bytes[part] = (uint8_t)value;
		if (part < 3 && *text++ != '.')
			return 0;
	}
	if (*text)
		return 0;
	memcpy(&in->s_addr, bytes, sizeof(bytes));
	return 1;
}

const char *sock_ntoa(const struct sockaddr *sa)
{
	static char buf[32];
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

	if (sa->sa_family != AF_INET)
		return "(unknown address)";
	snprintf(buf, sizeof(buf), "%s:%u", inet_ntoa(sin->sin_addr),
		 ntohs(sin->sin_port));
	return buf;
}
