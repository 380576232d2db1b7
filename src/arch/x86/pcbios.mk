# The x86 BIOS platform (i386): bin/keel.lkrn, keel.iso, keel.pxe,
# undionly.kpxe and PCI option ROMs. Included by the top-level Makefile.
