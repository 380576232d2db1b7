/* Host half of the TAP driver: /dev/net/tun, non-blocking frame I/O. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../linux_api.h"

int linux_tap_open(const char *ifname)
{
	struct ifreq ifr;
	int fd, err;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		fprintf(stderr, "keel.linux: /dev/net/tun: %s\n",
			strerror(err));
		return -err;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = errno;
		fprintf(stderr, "keel.linux: TAP device %s: %s\n", ifname,
			strerror(err));
		close(fd);
		return -err;
	}
	return fd;
}

long linux_tap_read(int fd, void *buf, unsigned long len)
{
	ssize_t n = read(fd, buf, len);

	if (n >= 0)
		return n;
	return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
}

int linux_tap_write(int fd, const void *buf, unsigned long len)
{
	ssize_t n;

	do {
		n = write(fd, buf, len);
	} while (n < 0 && errno == EINTR);
	return (n == (ssize_t)len) ? 0 : -1;
}

/** Read the first word of a sysfs attribute of an interface, or "" */
static void tap_sysfs(const char *ifname, const char *attr, char *buf,
		      size_t len)
{
	char path[128];
	FILE *file;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	file = fopen(path, "r");
	if (!file)
		return;
	if (!fgets(buf, (int)len, file))
		buf[0] = '\0';
	fclose(file);
	buf[strcspn(buf, "\n")] = '\0';
}

int linux_tap_link_up(const char *ifname)
{
	char state[32];

	tap_sysfs(ifname, "operstate", state, sizeof(state));
	/* No sysfs at all: nothing to wait for */
	if (state[0] && strcmp(state, "up") != 0 && strcmp(state, "unknown") != 0)
		return 0;
	/* Bridge port states: 3 is forwarding */
	tap_sysfs(ifname, "brport/state", state, sizeof(state));
	return !state[0] || strcmp(state, "3") == 0;
}

void linux_tap_close(int fd)
{
	close(fd);
}
