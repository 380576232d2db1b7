/* Serial console: the 16550 UART at COM1 (0x3f8), 115200 8N1, by direct port I/O. */
#include <keel/console.h>
#include <keel/init.h>
#include <keel/io.h>

#define COM1 0x3f8
#define UART_THR 0	/* transmit holding (write) / receive buffer (read) */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_LCR_DLAB 0x80
#define UART_LCR_8N1 0x03

/** Spins while waiting for room to send: give up rather than hang */
#define UART_TX_SPINS 100000

static int serial_present;

static void serial_putbyte(int c)
{
	unsigned int spins = UART_TX_SPINS;

	while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE) && --spins)
		;
	outb((uint8_t)c, COM1 + UART_THR);
}

static void serial_putchar(int c)
{
	if (!serial_present)
		return;
	if (c == '\n')
		serial_putbyte('\r');
	serial_putbyte(c);
}

static int serial_getchar(void)
{
	if (!serial_present || !(inb(COM1 + UART_LSR) & UART_LSR_DR))
		return -1;
	return inb(COM1 + UART_THR);
}

struct console_driver serial_console __console_driver = {
	.name = "serial",
	.putchar = serial_putchar,
	.getchar = serial_getchar,
	.usage = CONSOLE_USAGE_ALL,
	.serial = 1,
};

static void serial_init(void)
{
	/* A UART keeps what is written to its scratch register */
	outb(0x5a, COM1 + UART_SCR);
	if (inb(COM1 + UART_SCR) != 0x5a) {
		serial_console.disabled = 1;
		return;
	}
	outb(0, COM1 + UART_IER);
	outb(UART_LCR_DLAB, COM1 + UART_LCR);
	outb(1, COM1 + 0); /* divisor 1: 115200 baud */
	outb(0, COM1 + 1);
	outb(UART_LCR_8N1, COM1 + UART_LCR);
	/* FIFOs on; only the transmit FIFO is cleared, not keys typed early */
	outb(0x05, COM1 + UART_FCR);
	outb(0x03, COM1 + UART_MCR); /* DTR, RTS */
	serial_present = 1;
}

struct init_fn serial_init_fn __init_fn(INIT_CONSOLE) = {
	.name = "serial",
	.init = serial_init,
};
