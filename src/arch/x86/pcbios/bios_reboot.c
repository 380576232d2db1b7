/* Leaving Keel on a BIOS: back to the loader or the BIOS, reboot, ACPI power-off. */
#include <string.h>
#include <errno.h>
#include <keel/init.h>
#include <keel/io.h>
#include <keel/reboot.h>
#include <keel/timer.h>
#include <x86/bios.h>
#include <x86/realmode.h>

void platform_exit(int status)
{
	struct rm_regs regs;
	uint16_t *ret;

	shutdown_exit();
	rm_uninstall();
	memset(&regs, 0, sizeof(regs));
	switch (x86_prefix.type) {
	case PREFIX_TYPE_PXE:
	case PREFIX_TYPE_KPXE:
		/* RETF on the caller's stack: the PXE ROM then tries the next
		 * boot device. AX=0: success. (Not for an option ROM's BEV:
		 * SeaBIOS keeps the context it would return to in high RAM,
		 * which Keel has used; INT 18h starts its next try afresh.) */
		ret = real_to_virt(x86_prefix.ret_ss, x86_prefix.ret_sp);
		regs.eax = status ? 1 : 0;
		rm_jump(ret[1], ret[0], x86_prefix.ret_ss,
			(uint16_t)(x86_prefix.ret_sp + 4), &regs);
	default:
		/* An option ROM started by its INT 19h hook (whose handler it
		 * has put back): the BIOS's own bootstrap, as if Keel had not
		 * been there. Otherwise INT 18h: boot failed, try the next
		 * device */
		if (x86_prefix.type == PREFIX_TYPE_ROM &&
		    (x86_prefix.rom_flags & PI_ROM_VIA_INT19))
			rm_int(0x19, &regs);
		rm_int(0x18, &regs);
		for (;;)
			__asm__ volatile("hlt");
	}
}

void reboot(int warm)
{
	unsigned int i;

	shutdown_exit();
	/* The BIOS reads 40:72 to tell a warm reboot from a cold one */
	*(volatile uint16_t *)phys_to_virt(0x472) = warm ? 0x1234 : 0;
	outb(warm ? 0x04 : 0x02, 0xcf9);
	outb(warm ? 0x06 : 0x0e, 0xcf9);
	mdelay(50);
	for (i = 0; i < 0x10000 && (inb(0x64) & 0x02); i++)
		;
	outb(0xfe, 0x64); /* keyboard controller: pulse reset */
	mdelay(50);
	/* A triple fault: an empty IDT, then an interrupt */
	{
		static const struct {
			uint16_t limit;
			uint32_t base;
		} __attribute__((packed)) null_idt = {0, 0};

		__asm__ volatile("lidt %0\n\tint3" : : "m"(null_idt));
	}
	for (;;)
		;
}

/** An ACPI table header */
struct acpi_header {
	char sig[4];
	uint32_t len;
	uint8_t rev, sum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

static int acpi_sum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum == 0;
}

/** The RSDT's address from the RSDP, searched where ACPI says it lies */
static const struct acpi_header *acpi_rsdt(void)
{
	uintptr_t ebda = (uintptr_t)*(volatile uint16_t *)phys_to_virt(0x40e)
			 << 4;
	uintptr_t areas[2][2] = {{ebda, ebda + 1024}, {0xe0000, 0x100000}};
	uintptr_t p;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		for (p = areas[i][0]; p && p < areas[i][1]; p += 16) {
			const char *rsdp = phys_to_virt(p);

			if (memcmp(rsdp, "RSD PTR ", 8) == 0 &&
			    acpi_sum_ok(rsdp, 20))
				return phys_to_virt(*(uint32_t *)(rsdp + 16));
		}
	}
	return NULL;
}

static const struct acpi_header *acpi_find(const char *sig)
{
	const struct acpi_header *rsdt = acpi_rsdt(), *t;
	const uint32_t *entry;
	unsigned int i, n;

	if (!rsdt || memcmp(rsdt->sig, "RSDT", 4) != 0 || rsdt->len > 4096)
		return NULL;
	entry = (const uint32_t *)(rsdt + 1);
	n = (rsdt->len - sizeof(*rsdt)) / 4;
	for (i = 0; i < n; i++) {
		t = phys_to_virt(entry[i]);
		if (t && memcmp(t->sig, sig, 4) == 0)
			return t;
	}
	return NULL;
}

/** SLP_TYPa of \_S5 from the DSDT's AML: "_S5_" Package { a, b, ... } */
static int acpi_s5_type(const struct acpi_header *dsdt)
{
	const uint8_t *p = (const uint8_t *)dsdt, *end;

	if (!dsdt || dsdt->len > 0x100000)
		return 0;
	end = p + dsdt->len - 8;
	for (p += sizeof(*dsdt); p < end; p++) {
		if (memcmp(p, "_S5_", 4) != 0 || p[4] != 0x12)
			continue;
		p += 5;
		p += ((*p >> 6) & 3) + 1; /* PkgLength */
		p++;			  /* NumElements */
		if (*p == 0x0a)		  /* BytePrefix */
			return p[1];
		return (*p == 0x01) ? 1 : 0; /* OneOp or ZeroOp */
	}
	return 0;
}

int poweroff(void)
{
	const struct acpi_header *fadt = acpi_find("FACP");
	uint16_t pm1a = 0, pm1b = 0, sci_cnt;
	int s5 = 0;

	shutdown_exit();
	if (fadt && fadt->len >= 72) {
		const uint8_t *f = (const uint8_t *)fadt;
		uint32_t smi_cmd = *(const uint32_t *)(f + 48);

		pm1a = (uint16_t)*(const uint32_t *)(f + 64);
		pm1b = (uint16_t)*(const uint32_t *)(f + 68);
		s5 = acpi_s5_type(phys_to_virt(*(const uint32_t *)(f + 40)));
		/* ACPI mode first, if the firmware left it in legacy mode */
		sci_cnt = pm1a ? inw(pm1a) : 1;
		if (!(sci_cnt & 1) && smi_cmd && f[52]) {
			outb(f[52], (uint16_t)smi_cmd);
			mdelay(100);
		}
	}
	if (pm1a) {
		outw((uint16_t)((s5 << 10) | 0x2000), pm1a);
		if (pm1b)
			outw((uint16_t)((s5 << 10) | 0x2000), pm1b);
		mdelay(100);
	}
	/* QEMU's PIIX4 and ICH9 power management, where SeaBIOS puts it */
	outw(0x2000, 0x604);
	mdelay(100);
	return errctx(-EIO, "the machine did not power off (no ACPI "
				   "power management found)");
}
