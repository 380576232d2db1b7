/* The prefixes' own i386 decoder (unkz32.S) against the C decoder's results, as a 32-bit Linux program with no C library. */
#include <stdint.h>
#include "../../src/arch/x86/prefix/unkz.h"
#include "kz_vectors.h"

/*
 * bin/kz_test --vectors FILE writes every stream it decodes, every split
 * code it puts back together and every fixup table it rebuilds with the C
 * decoder (unkz.c): whole, truncated and damaged ones, each with that
 * decoder's result and its whole output buffer. This program does each
 * again with unkz32.S, the code that runs in every BIOS prefix, and checks
 * that it returns the same result, leaves the same bytes in the output
 * buffer and writes nothing past it.
 *
 *   bin/kz_run32 FILE	prints "N passed, N failed"; exits 0 if none failed
 *
 * It is an i386 program so that it runs the very object the prefixes
 * link, and it is built with no C library (the host need not have a 32-bit
 * one): its own _start and Linux's int 0x80 system calls.
 */

static long sys3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b), "d"(c)
			 : "memory");
	return ret;
}

#define SYS_READ 3
#define SYS_WRITE 4
#define SYS_OPEN 5

static void out_str(const char *s)
{
	long n = 0;

	while (s[n])
		n++;
	sys3(SYS_WRITE, 1, (long)s, n);
}

static void out_num(uint32_t v)
{
	char buf[12], *p = buf + sizeof(buf) - 1;

	*p = 0;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out_str(p);
}

/** Exactly @n bytes from @fd, or -1 */
static int read_all(int fd, void *buf, uint32_t n)
{
	uint8_t *p = buf;
	long r;

	while (n) {
		r = sys3(SYS_READ, fd, (long)p, (long)n);
		if (r <= 0)
			return -1;
		p += r;
		n -= (uint32_t)r;
	}
	return 0;
}

#define GUARD 64

static uint8_t in[KZV_MAX_IN], want[KZV_MAX_OUT], out[KZV_MAX_OUT + GUARD];
static uint8_t work[KZ_WORK_SIZE];

static int run(const char *file)
{
	struct kzv_record r;
	uint32_t passed = 0, failed = 0, i;
	int fd = (int)sys3(SYS_OPEN, (long)file, 0, 0), rc, ok;

	if (fd < 0) {
		out_str("kz_run32: cannot open the vectors\n");
		return 1;
	}
	while (read_all(fd, &r, sizeof(r)) == 0) {
		if (r.magic != KZV_MAGIC || r.in_len > KZV_MAX_IN ||
		    r.out_len > KZV_MAX_OUT || read_all(fd, in, r.in_len) ||
		    read_all(fd, want, r.out_len)) {
			out_str("kz_run32: damaged vectors file\n");
			return 1;
		}
		for (i = 0; i < r.out_len + GUARD; i++)
			out[i] = i < r.out_len ? KZV_FILL : KZV_GUARD;
		if (r.what == KZV_FIXUPS && r.in_len >= r.out_len) {
			for (i = 0; i < r.out_len; i++)
				out[i] = in[i];
			rc = kz_fixups(out, r.code_len, r.slen[0],
				       in + r.out_len, r.slen[3], r.slen[1],
				       r.slen[2]);
		} else if (r.what == KZV_UNSPLIT)
			rc = kz_unsplit(out, r.out_len, in, r.slen);
		else
			rc = kz_decode(in, r.in_len, out, r.out_len,
				       r.code_len, r.slen, work);
		ok = rc == r.rc;
		for (i = 0; ok && i < r.out_len; i++)
			ok = out[i] == want[i];
		for (i = 0; ok && i < GUARD; i++)
			ok = out[r.out_len + i] == KZV_GUARD;
		if (ok) {
			passed++;
			continue;
		}
		failed++;
		out_str("FAIL record ");
		out_num(passed + failed);
		out_str(r.what == KZV_FIXUPS	  ? " (fixups)"
			: r.what == KZV_UNSPLIT ? " (unsplit)"
						: " (decode)");
		out_str(": C decoder ");
		out_str(r.rc ? "failed" : "succeeded");
		out_str(", unkz32.S ");
		out_str(rc ? "failed" : "succeeded");
		out_str(rc == r.rc ? ", different bytes\n" : "\n");
	}
	out_num(passed);
	out_str(" passed, ");
	out_num(failed);
	out_str(" failed\n");
	return failed != 0 || passed == 0;
}

/* The C compiler may call these on its own */
void *memset(void *s, int c, uint32_t n);
void *memset(void *s, int c, uint32_t n)
{
	uint8_t *p = s;

	while (n--)
		*p++ = (uint8_t)c;
	return s;
}

void *memcpy(void *d, const void *s, uint32_t n);
void *memcpy(void *d, const void *s, uint32_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

int kz_run32_main(uint32_t *sp) __attribute__((used));
int kz_run32_main(uint32_t *sp)
{
	char **argv = (char **)(sp + 1);

	if (sp[0] != 2) {
		out_str("usage: kz_run32 VECTORS\n");
		return 2;
	}
	return run(argv[1]);
}

__asm__(".globl _start\n"
	"_start:\n"
	"\tmovl %esp, %eax\n"
	"\tandl $-16, %esp\n"
	"\tsubl $12, %esp\n"
	"\tpushl %eax\n"
	"\tcall kz_run32_main\n"
	"\tmovl %eax, %ebx\n"
	"\tmovl $1, %eax\n"
	"\tint $0x80\n");
