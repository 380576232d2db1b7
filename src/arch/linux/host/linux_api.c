/* Host half of the host build: main(), and thin wrappers over the C library. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../linux_api.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

static int stdin_eof;

unsigned long linux_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long)ts.tv_sec * 1000UL + ts.tv_nsec / 1000000;
}

void linux_usleep(unsigned long usecs)
{
	struct timespec ts = {.tv_sec = usecs / 1000000,
			      .tv_nsec = (long)(usecs % 1000000) * 1000};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

long long linux_unixtime(void)
{
	return (long long)time(NULL);
}

void linux_console_write(const char *data, unsigned long len)
{
	while (len) {
		ssize_t n = write(STDOUT_FILENO, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		data += n;
		len -= (unsigned long)n;
	}
}

int linux_console_read(void)
{
	struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
	unsigned char c;
	ssize_t n;

	if (stdin_eof)
		return -2;
	if (poll(&pfd, 1, 0) <= 0)
		return -1;
	n = read(STDIN_FILENO, &c, 1);
	if (n == 1)
		return c;
	if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		stdin_eof = 1;
		return -2;
	}
	return -1;
}

void *linux_arena(unsigned long len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return (p == MAP_FAILED) ? NULL : p;
}

long linux_read_file(const char *path, void *(*alloc)(unsigned long len),
		     void **data)
{
	struct stat st;
	long done = 0;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: %s\n", path,
			fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*data = alloc((unsigned long)st.st_size + 1);
	if (!*data) {
		close(fd);
		return -1;
	}
	while (done < st.st_size) {
		ssize_t n = read(fd, (char *)*data + done,
				 (size_t)(st.st_size - done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += n;
	}
	close(fd);
	return done;
}

void linux_log(const char *msg)
{
	fputs(msg, stderr);
}

void linux_exit(int status)
{
	exit(status); /* linux_main.c restores the terminal at exit */
}

void linux_poison(const void *addr, unsigned long len)
{
#if defined(__SANITIZE_ADDRESS__)
	ASAN_POISON_MEMORY_REGION(addr, len);
#else
	(void)addr;
	(void)len;
#endif
}

void linux_unpoison(const void *addr, unsigned long len)
{
#if defined(__SANITIZE_ADDRESS__)
	ASAN_UNPOISON_MEMORY_REGION(addr, len);
#else
	(void)addr;
	(void)len;
#endif
}
