/* The host build's boundary: calls from the firmware into the host C library. */
#ifndef LINUX_API_H
#define LINUX_API_H

/*
 * This header is included by both halves of the host build: the freestanding
 * firmware and src/arch/linux/host/, the only code that sees libc. It uses
 * only built-in C types so that it needs no headers from either side.
 */

/** Firmware entry point, called by the host's main() */
int keel_linux_main(int argc, char **argv);

/** Monotonic time in milliseconds */
unsigned long linux_now_ms(void);
/** Sleep for a number of microseconds */
void linux_usleep(unsigned long usecs);
/** Wall-clock time, seconds since the Unix epoch */
long long linux_unixtime(void);

/** Write bytes to standard output */
void linux_console_write(const char *data, unsigned long len);
/**
 * Read one byte from standard input without blocking.
 *
 * @ret c	byte, or -1 if none is waiting, or -2 at end of input
 */
int linux_console_read(void);
/** True if standard input is a terminal (raw mode is in force) */
int linux_console_is_tty(void);

/** Reserve an arena of memory; returns NULL on failure */
void *linux_arena(unsigned long len);

/**
 * Read a whole file into a buffer allocated with @alloc.
 *
 * @path	file name
 * @alloc	allocator for the buffer
 * @data	buffer, filled in
 * @ret len	length, or -1 if the file cannot be read (errno message logged)
 */
long linux_read_file(const char *path, void *(*alloc)(unsigned long len),
		     void **data);

/** Print a message on standard error (for diagnostics only) */
void linux_log(const char *msg);

/** Leave the process with an exit status */
void linux_exit(int status) __attribute__((noreturn));

/** Tell AddressSanitizer that memory is unusable (no-op without ASan) */
void linux_poison(const void *addr, unsigned long len);
/** Tell AddressSanitizer that memory is usable again */
void linux_unpoison(const void *addr, unsigned long len);

/**
 * Attach to a TAP device (which must exist or be creatable by us).
 *
 * @ifname	interface name
 * @ret fd	file descriptor, or a negative errno (message logged)
 */
int linux_tap_open(const char *ifname);
/**
 * Read one frame without blocking.
 *
 * @ret len	frame length, 0 if none is waiting, or -1 on error
 */
long linux_tap_read(int fd, void *buf, unsigned long len);
/** Write one frame; returns 0 or -1 */
int linux_tap_write(int fd, const void *buf, unsigned long len);
/**
 * Whether a TAP device can pass traffic yet: its operational state is up
 * and, if it is a bridge port, the port is forwarding.
 *
 * @ret up	1 if up, 0 if not yet
 */
int linux_tap_link_up(const char *ifname);
/** Detach from a TAP device */
void linux_tap_close(int fd);

#endif
