# The x86 BIOS platform (i386): bin/keel.lkrn, keel.iso, keel.pxe,
# undionly.kpxe and PCI option ROMs. Included by the top-level Makefile.
#
# Every image is a real-mode prefix followed by one 32-bit payload. The
# payload is linked at PCBIOS_LINK_BASE with its relocation records kept;
# util/mkbios turns them into a compact fixup table appended to the payload,
# so that the payload can move itself to the top of memory at start-up.

PLATFORM_VARIANTS += pcbios
# Size: arguments in registers (-mregparm=3: every function called from or
# calling into assembly is marked __asmcall, see x86/asmcall.h), no stack
# realignment (no SSE here), no frame pointer, no jump tables (each entry
# would need a fixup), and i386 tuning, whose code compresses better.
pcbios_CC := $(CC)
pcbios_BIN := bin
pcbios_CFLAGS := -m32 -march=i586 -fno-pie -fno-pic -mno-sse -mno-mmx \
	-mregparm=3 -mpreferred-stack-boundary=2 -fomit-frame-pointer -mtune=i386 \
	-fno-jump-tables \
	-mno-80387 -mno-red-zone -fno-asynchronous-unwind-tables \
	-fno-unwind-tables --param=min-pagesize=0 -DPLATFORM_PCBIOS -DKEEL_ARCH=\"i386\" \
	-DKEEL_PLATFORM=\"pcbios\" -Isrc/arch/x86/include
pcbios_DIRS := src/arch/x86/common src/arch/x86/core src/arch/x86/pcbios \
	src/arch/x86/image
ARCH_FW_DIRS += src/arch/x86/core src/arch/x86/pcbios src/arch/x86/image \
	src/arch/x86/prefix

PCBIOS_LDS := src/arch/x86/pcbios/keel.lds
MKBIOS := bin/mkbios

# The host tool: payload fixups, image assembly, ROM headers and checksums
$(MKBIOS): util/mkbios.c
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra -Werror -o $@ $<

# Payloads: what each image links beyond src/config
# Native NIC drivers: PCI (mechanism 1), e1000, virtio-net; undionly has
# none of them, it drives the NIC through the stock ROM's UNDI
PCBIOS_NATIVE_NICS := -u obj_pci -u obj_pci_mech1 -u obj_e1000 -u obj_virtio_net
PCBIOS_PAYLOAD_keel := $(PCBIOS_NATIVE_NICS)
PCBIOS_PAYLOAD_undionly :=

bin/%.elf: bin/blib.a $(PCBIOS_LDS)
	$(call say,LD,$@)
	$(Q)$(LD) -m elf_i386 -N --no-warn-rwx-segments --emit-relocs --gc-sections -T $(PCBIOS_LDS) \
		-o $@ -u _start -u obj_config $(PCBIOS_PAYLOAD_$*) bin/blib.a

bin/%.pay: bin/%.elf $(MKBIOS)
	$(call say,FIXUP,$@)
	$(Q)$(MKBIOS) payload $< $@

# Prefixes: flat real-mode binaries, each assembled and linked on its own
PCBIOS_PREFIX_CFLAGS := -m32 -nostdinc -Isrc/arch/x86/include -DASSEMBLY
bin/%prefix.o: src/arch/x86/prefix/%prefix.S $(wildcard src/arch/x86/prefix/*.h)
	$(call say,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(PCBIOS_PREFIX_CFLAGS) -c $< -o $@
bin/kpxeprefix.o: src/arch/x86/prefix/pxeprefix.S $(wildcard src/arch/x86/prefix/*.h)
	$(call say,AS,$@)
	$(Q)$(CC) $(PCBIOS_PREFIX_CFLAGS) -DKEEP_UNDI -c $< -o $@
bin/%prefix.bin: bin/%prefix.o
	$(call say,LD,$@)
	$(Q)$(LD) -m elf_i386 -N -Ttext 0 -e 0 --oformat binary -o $@ $<

bin/keel.lkrn: bin/lkrnprefix.bin bin/keel.pay $(MKBIOS)
	$(call say,MKBIOS,$@)
	$(Q)$(MKBIOS) lkrn bin/lkrnprefix.bin bin/keel.pay $@

bin/keel.pxe: bin/pxeprefix.bin bin/keel.pay $(MKBIOS)
	$(call say,MKBIOS,$@)
	$(Q)$(MKBIOS) pxe bin/pxeprefix.bin bin/keel.pay $@

bin/undionly.kpxe: bin/kpxeprefix.bin bin/undionly.pay $(MKBIOS)
	$(call say,MKBIOS,$@)
	$(Q)$(MKBIOS) pxe bin/kpxeprefix.bin bin/undionly.pay $@

DEFAULT_IMAGES += bin/keel.lkrn bin/keel.pxe bin/undionly.kpxe
