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
# would need a fixup), i386 tuning, whose code compresses better, -Oz
# without inlining of small functions that are not marked inline (hot
# helpers are: the HTTP rate through e1000 and virtio-net under QEMU stays
# within its noise), and link-time optimisation (below).
# PCBIOS_SIZE_FLAGS turns off optimisations that copy or move code for
# speed (jump threading, tail merging, dominator and loop optimisations,
# saving registers around calls, shrink-wrapping): each was measured on the
# compressed payloads; together they save 1.5 KB of every image. Those
# that would add branches or calls to the hot paths (if-conversion,
# sibling calls) stay on: the checksum loop, for one, lost its
# add-with-carry chain without them.
pcbios_CC := $(CC)
pcbios_BIN := bin
PCBIOS_SIZE_FLAGS := -fno-thread-jumps -fno-caller-saves -fno-shrink-wrap \
	-fno-tree-loop-im -fno-tree-dominator-opts -fno-tree-tail-merge \
	-fno-tree-loop-optimize -fno-move-loop-invariants
pcbios_CFLAGS := -m32 -march=i586 -fno-pie -fno-pic -mno-sse -mno-mmx \
	-mregparm=3 -mpreferred-stack-boundary=2 -fomit-frame-pointer -mtune=i386 \
	-fno-jump-tables -Oz -fno-inline-small-functions $(PCBIOS_SIZE_FLAGS) \
	-mno-80387 -mno-red-zone -fno-asynchronous-unwind-tables \
	-fno-unwind-tables --param=min-pagesize=0 -flto -DPLATFORM_PCBIOS -DKEEL_ARCH=\"i386\" \
	-DKEEL_PLATFORM=\"pcbios\" -Isrc/arch/x86/include
# Objects built with other flags must not be linked with these (calling
# conventions differ): a change of flags empties bin/ of objects
_pcbios_flagstamp := $(shell mkdir -p bin && \
	echo '$(pcbios_CFLAGS)' | cmp -s - bin/.cflags || \
	{ rm -f bin/*.o bin/blib.a; echo '$(pcbios_CFLAGS)' > bin/.cflags; })
bin/blib.a: bin/.cflags
pcbios_DIRS := src/arch/x86/common src/arch/x86/core src/arch/x86/pcbios \
	src/arch/x86/image
ARCH_FW_DIRS += src/arch/x86/core src/arch/x86/pcbios src/arch/x86/image \
	src/arch/x86/prefix

PCBIOS_LDS := src/arch/x86/pcbios/keel.lds
MKBIOS := bin/mkbios

# The host tool: payload fixups, compression, image assembly, ROM headers
# and checksums. It links the prefixes' decoder, to check each compression.
KZ_SRCS := util/kz.c src/arch/x86/prefix/unkz.c
KZ_HDRS := util/kz.h src/arch/x86/prefix/unkz.h
$(MKBIOS): util/mkbios.c $(KZ_SRCS) $(KZ_HDRS)
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra -Werror -o $@ util/mkbios.c \
		$(KZ_SRCS) -lm

# The compressor against the decoder, on the host (run by make check)
bin/kz_test: tests/kz/kz_test.c tests/kz/kz_vectors.h $(KZ_SRCS) $(KZ_HDRS)
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) -std=gnu11 -g -O1 -Wall -Wextra -Werror \
		-fsanitize=address,undefined -fno-sanitize-recover=all \
		-o $@ tests/kz/kz_test.c $(KZ_SRCS) -lm
check: bin/kz_test bin/kz_run32

# The prefixes' i386 decoder (unkz32.S) run on the host as a 32-bit program
# with no C library, against the vectors bin/kz_test --vectors writes
bin/kz_run32: tests/kz/kz_run32.c tests/kz/kz_vectors.h bin/unkz32.o
	$(call say,CC,$@)
	$(Q)$(CC) -m32 -std=gnu11 -O1 -Wall -Wextra -Werror -ffreestanding \
		-fno-pic -fno-pie -no-pie -fno-stack-protector -nostdlib -static \
		-Wl,--build-id=none -Wl,-z,noexecstack -o $@ tests/kz/kz_run32.c \
		bin/unkz32.o

# Payloads: what each image links beyond src/config
# Native NIC drivers: PCI (mechanism 1), e1000, virtio-net, rtl8139; undionly has
# none of them, it drives the NIC through the stock ROM's UNDI. Only the
# keel payload (keel.lkrn) is given a command line and initrd by a loader.
# The keel payload has the full feature set (src/config/config_full.c:
# config, params, ping, nslookup, the digest commands, cpuid); undionly.kpxe
# and the option ROMs leave those out to stay small (see README.md).
PCBIOS_NATIVE_NICS := -u obj_pci -u obj_pci_mech1 -u obj_e1000 -u obj_virtio_net \
	-u obj_rtl8139
PCBIOS_PAYLOAD_keel := $(PCBIOS_NATIVE_NICS) -u obj_bios_cmdline -u obj_config_full
PCBIOS_PAYLOAD_undionly := -u obj_undinet

# Link-time optimisation: objects hold GCC's intermediate code and the
# payload is compiled as one unit when it is linked (through GCC, which
# runs the linker with its LTO plugin), with the flags of every object.
# The 64-bit division helpers are the exception: GCC calls them only while
# generating code, after the linker has chosen the objects, so they are
# plain code and their object is always linked (unused ones are dropped).
bin/x86_libgcc.o: pcbios_CFLAGS += -fno-lto
PCBIOS_LTO_CFLAGS = $(filter-out -W% -include %compiler.h,$(FW_CFLAGS)) \
	$(GCC_ONLY_CFLAGS) $(pcbios_CFLAGS) -flto-partition=one
bin/%.elf: bin/blib.a $(PCBIOS_LDS)
	$(call say,LD,$@)
	$(Q)$(CC) $(PCBIOS_LTO_CFLAGS) -nostdlib -no-pie -Wl,-m,elf_i386 -Wl,-N \
		-Wl,--no-warn-rwx-segments -Wl,--emit-relocs -Wl,--gc-sections \
		-Wl,--build-id=none -T $(PCBIOS_LDS) -o $@ -Wl,-u,_start \
		-Wl,-u,obj_config -Wl,-u,obj_x86_libgcc \
		$(subst -u ,-Wl$(comma)-u$(comma),$(PCBIOS_PAYLOAD_$*)) bin/blib.a

bin/%.pay: bin/%.elf $(MKBIOS)
	$(call say,FIXUP,$@)
	$(Q)$(MKBIOS) payload $< $@

bin/%.kz: bin/%.pay $(MKBIOS)
	$(call say,KZ,$@)
	$(Q)$(MKBIOS) kz $< $@

# The decoder every prefix carries: unkz32.S, written by hand for size (its
# C twin, unkz.c, which the host tools use, compiles to about 40% more at
# -Oz). Flat 32-bit code that must need no relocation, called with the
# stack convention.
bin/unkz32.o: src/arch/x86/prefix/unkz32.S src/arch/x86/prefix/unkz.h
	$(call say,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -m32 -DASSEMBLY -Isrc/arch/x86/prefix -c $< -o $@
	$(Q)if readelf -r $@ | grep -q 'R_386_32 '; then \
		echo "$@: the prefix decoder must not need relocation"; \
		rm -f $@; exit 1; fi

# Prefixes: flat real-mode binaries, each assembled on its own and linked
# with the decoder
PCBIOS_PREFIX_CFLAGS := -m32 -nostdinc -Isrc/arch/x86/include -DASSEMBLY
PCBIOS_PREFIX_LDS := src/arch/x86/prefix/prefix.lds
bin/%prefix.o: src/arch/x86/prefix/%prefix.S $(wildcard src/arch/x86/prefix/*.h)
	$(call say,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(PCBIOS_PREFIX_CFLAGS) -c $< -o $@
bin/kpxeprefix.o: src/arch/x86/prefix/pxeprefix.S $(wildcard src/arch/x86/prefix/*.h)
	$(call say,AS,$@)
	$(Q)$(CC) $(PCBIOS_PREFIX_CFLAGS) -DKEEP_UNDI -c $< -o $@
bin/%prefix.bin: bin/%prefix.o bin/unkz32.o $(PCBIOS_PREFIX_LDS)
	$(call say,LD,$@)
	$(Q)$(LD) -m elf_i386 -N -T $(PCBIOS_PREFIX_LDS) -o $@ $< bin/unkz32.o

# keel.lkrn: the real-mode setup sectors need no decoder; the protected-mode
# part (the 32-bit boot protocol's entry) carries it for both entries
bin/lkrnprefix.bin: bin/lkrnprefix.o $(PCBIOS_PREFIX_LDS)
	$(call say,LD,$@)
	$(Q)$(LD) -m elf_i386 -N -T $(PCBIOS_PREFIX_LDS) -o $@ $<

bin/keel.lkrn: bin/lkrnprefix.bin bin/lkrn32prefix.bin bin/keel.kz $(MKBIOS)
	$(call say,MKBIOS,$@)
	$(Q)$(MKBIOS) lkrn bin/lkrnprefix.bin bin/lkrn32prefix.bin bin/keel.kz $@

bin/keel.pxe: bin/pxeprefix.bin bin/keel.kz $(MKBIOS)
	$(call say,MKBIOS,$@)
	$(Q)$(MKBIOS) pxe bin/pxeprefix.bin bin/keel.kz $@

bin/undionly.kpxe: bin/kpxeprefix.bin bin/undionly.kz $(MKBIOS)
	$(call say,MKBIOS,$@)
	$(Q)$(MKBIOS) pxe bin/kpxeprefix.bin bin/undionly.kz $@

# PCI option ROMs, bin/VVVVDDDD.rom: one for every PCI ID that a NIC driver
# in src/drivers/net declares, carrying that driver alone (bin/rom-DRIVER.kz)
# and driving only the NIC it was loaded from (romnic)
PCBIOS_LP := (
PCBIOS_ROM_IDS := $(shell grep -Ho 'PCI_ID$(PCBIOS_LP)0x[0-9a-fA-F]\{4\}, *0x[0-9a-fA-F]\{4\}' \
	src/drivers/net/*.c 2>/dev/null | \
	sed 's|^src/drivers/net/\(.*\)\.c:PCI_ID.0x\(....\), *0x\(....\)|\2\3:\1|' | \
	tr 'A-F' 'a-f')
PCBIOS_ROM_DRIVERS := $(sort $(foreach r,$(PCBIOS_ROM_IDS),$(word 2,$(subst :, ,$(r)))))
$(foreach d,$(PCBIOS_ROM_DRIVERS),$(eval PCBIOS_PAYLOAD_rom-$(d) := \
	-u obj_pci -u obj_pci_mech1 -u obj_romnic -u obj_$(d)))

define pcbios_rom_rule
bin/$(1).rom: bin/romprefix.bin bin/rom-$(2).kz $$(MKBIOS)
	$$(call say,MKBIOS,$$@)
	$$(Q)$$(MKBIOS) rom bin/romprefix.bin bin/rom-$(2).kz $(1) $$@
endef
$(foreach r,$(PCBIOS_ROM_IDS),$(eval $(call pcbios_rom_rule,$(word 1,$(subst :, ,$(r))),$(word 2,$(subst :, ,$(r))))))

# bin/keel.iso's rule is in the top-level Makefile (it takes the EFI image
# too, when that platform is built)
DEFAULT_IMAGES += bin/keel.lkrn bin/keel.iso bin/keel.pxe bin/undionly.kpxe \
	bin/8086100e.rom bin/1af41000.rom
