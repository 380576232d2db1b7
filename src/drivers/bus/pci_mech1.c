/* PCI configuration access through mechanism 1 (ports 0xcf8/0xcfc). */
#include <stdint.h>
#include <keel/io.h>
#include <keel/pci.h>

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA	   0xcfc
#define PCI_CONFIG_ENABLE  0x80000000UL

/** The address word for a register: enable bit, bus:dev.fn, dword offset */
static uint32_t pci_mech1_address(uint32_t busdevfn, unsigned int where)
{
	return PCI_CONFIG_ENABLE | ((busdevfn & 0xffff) << 8) | (where & 0xfc);
}

uint32_t pci_config_read(uint32_t busdevfn, unsigned int where,
			 unsigned int len)
{
	uint16_t port = PCI_CONFIG_DATA + (where & 3);

	/* Segments other than 0 are out of mechanism 1's reach */
	if ((busdevfn >> 16) || where > 0xff)
		return 0xffffffffUL;
	outl(pci_mech1_address(busdevfn, where), PCI_CONFIG_ADDRESS);
	switch (len) {
	case 1:
		return inb(port);
	case 2:
		return inw(port);
	default:
		return inl(PCI_CONFIG_DATA);
	}
}

void pci_config_write(uint32_t busdevfn, unsigned int where, unsigned int len,
		      uint32_t value)
{
	uint16_t port = PCI_CONFIG_DATA + (where & 3);

	if ((busdevfn >> 16) || where > 0xff)
		return;
	outl(pci_mech1_address(busdevfn, where), PCI_CONFIG_ADDRESS);
	switch (len) {
	case 1:
		outb((uint8_t)value, port);
		break;
	case 2:
		outw((uint16_t)value, port);
		break;
	default:
		outl(value, PCI_CONFIG_DATA);
		break;
	}
}

int pci_config_present(void)
{
	uint32_t saved, probe;

	/* A mechanism 1 host bridge latches the enable bit it is written */
	saved = inl(PCI_CONFIG_ADDRESS);
	outl(PCI_CONFIG_ENABLE, PCI_CONFIG_ADDRESS);
	probe = inl(PCI_CONFIG_ADDRESS);
	outl(saved, PCI_CONFIG_ADDRESS);
	return probe == PCI_CONFIG_ENABLE;
}
