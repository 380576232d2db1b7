# Keel top-level Makefile: builds every image, runs the tests, the demo and benchmarks.
#
#   make                 build every default image
#   make check           build and run all tests
#   make bin-x86_64-linux/keel.linux    build one image
#   make V=1             show full commands
#   make DEBUG=tcp:3,dhcp  per-object debug output (level bits: 1, 2, 4)
#   make EMBED=boot.ipxe embed a script that runs instead of autoboot
#
# Each build variant (architecture + platform) compiles every source once into
# its own bin directory and archives the objects into blib.a. An image links
# its entry objects against blib.a, so the linker pulls in exactly the objects
# that src/config requires: features are chosen at link time.

.SUFFIXES:
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules
.DEFAULT_GOAL := all

SHELL := /bin/bash
CC ?= gcc
ifeq ($(origin CC),default)
CC := gcc
endif
LD := ld
AR := ar
OBJCOPY := objcopy
HOSTCC := gcc

V ?= 0
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-7s %s\n' $(1) $(2)
endif

comma := ,
empty :=
space := $(empty) $(empty)

# ---------------------------------------------------------------------------
# Sources

# Directories shared by every platform
COMMON_DIRS := src/core src/net src/net/tcp src/net/udp src/crypto \
	src/drivers/net src/drivers/bus src/hci src/hci/commands src/config

# Firmware platforms beyond the host build. Each fragment adds its variant
# to PLATFORM_VARIANTS, its source directories to ARCH_FW_DIRS, its images
# and their link rules.
PLATFORM_VARIANTS :=
DEFAULT_IMAGES :=
ARCH_FW_DIRS :=
include src/arch/x86/pcbios.mk
include src/arch/efi/efi.mk

# Every firmware source, across all platforms, in a fixed order: a file's
# position is its FILE_ID, which error codes carry to name their origin.
ALL_FW_SRCS := $(sort $(foreach d,$(COMMON_DIRS) src/arch/linux \
	src/arch/x86/common $(ARCH_FW_DIRS) tests/unit tests/fuzz, \
	$(wildcard $(d)/*.c $(d)/*.S)))
_n :=
$(foreach s,$(ALL_FW_SRCS),$(eval _n += x)$(eval \
	FILEID_$(basename $(notdir $(s))) := $(words $(_n))))

# Object names must be unique: they name the obj_ symbols and the FILE_IDs
_dups := $(filter-out $(firstword $(ALL_FW_SRCS)),$(foreach s,$(ALL_FW_SRCS),\
	$(if $(filter-out 1,$(words $(filter %/$(notdir $(basename $(s))).c \
	%/$(notdir $(basename $(s))).S,$(ALL_FW_SRCS)))),$(s))))
ifneq ($(_dups),)
$(error Source file names must be unique: $(_dups))
endif

# ---------------------------------------------------------------------------
# Options

# DEBUG=obj[:level],... sets DBGLVL for the named objects
DEBUG ?=
$(foreach d,$(subst $(comma),$(space),$(DEBUG)),$(eval \
	DBG_$(word 1,$(subst :, ,$(d))) := $(or $(word 2,$(subst :, ,$(d))),1)))

# EMBED=script embeds a script into every image built
EMBED ?=
EMBED_PATH := $(abspath $(or $(EMBED),src/config/no-embed))
ifneq ($(EMBED),)
ifeq ($(wildcard $(EMBED)),)
$(error EMBED file $(EMBED) does not exist)
endif
endif

# Flags for every firmware object: freestanding, no host headers. Only the
# compiler's own freestanding headers (stdint.h, stdarg.h...) are used.
FW_CFLAGS := -std=gnu11 -g -Os -Wall -Wextra -Wno-unused-parameter \
	-Wno-missing-field-initializers -Wmissing-prototypes -Werror \
	-Wno-address-of-packed-member \
	-ffreestanding -nostdinc \
	-Isrc/include -Isrc -include src/include/compiler.h \
	-fno-stack-protector -fno-common -fno-strict-aliasing \
	-fno-delete-null-pointer-checks -ffunction-sections -fdata-sections
# GCC would turn memset-like loops into calls to memset, even inside memset
GCC_ONLY_CFLAGS := -fno-tree-loop-distribute-patterns

# ---------------------------------------------------------------------------
# Build variants
#
# For variant V:  V_BIN, V_CFLAGS (added to FW_CFLAGS), V_DIRS (platform
# source directories), V_HOST (sources built against the host libc, host
# builds only), V_LDFLAGS (final host link), V_IMAGES.

# Host build: the firmware as a Linux process
linux_CC := $(CC)
linux_BIN := bin-x86_64-linux
linux_CFLAGS := -m64 -O2 -fno-pie -fvisibility=hidden -DPLATFORM_LINUX \
	-DKEEL_ARCH=\"x86_64\" -DKEEL_PLATFORM=\"linux\"
linux_DIRS := src/arch/linux src/arch/x86/common
linux_HOST := $(wildcard src/arch/linux/host/*.c)
linux_LDFLAGS := -no-pie
linux_IMAGES := keel.linux tests.linux

# The same, under AddressSanitizer and UndefinedBehaviorSanitizer
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
linux-san_CC := $(CC)
linux-san_BIN := bin-x86_64-linux-san
linux-san_CFLAGS := $(linux_CFLAGS) -O1 $(SANFLAGS)
linux-san_DIRS := $(linux_DIRS)
linux-san_HOST := $(linux_HOST)
linux-san_LDFLAGS := -no-pie $(SANFLAGS)
linux-san_IMAGES := keel.linux tests.linux

# Fuzzing: clang with libFuzzer; each tests/fuzz/fuzz_NAME.c is one target,
# built as bin-x86_64-linux-fuzz/fuzz_NAME.linux (libFuzzer brings main())
FUZZFLAGS := -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
linux-fuzz_CC := clang
linux-fuzz_BIN := bin-x86_64-linux-fuzz
linux-fuzz_CFLAGS := $(filter-out -O2,$(linux_CFLAGS)) -O1 $(FUZZFLAGS) \
	-Wno-unused-command-line-argument
linux-fuzz_DIRS := $(linux_DIRS) tests/fuzz
linux-fuzz_HOST := $(filter-out %/linux_main.c,$(linux_HOST)) \
	$(wildcard tests/fuzz/host/*.c)
linux-fuzz_HOSTCC := clang
linux-fuzz_LDFLAGS := -no-pie -fsanitize=fuzzer,address,undefined
FUZZ_TARGETS := $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c)))
linux-fuzz_IMAGES := $(addsuffix .linux,$(FUZZ_TARGETS))

VARIANTS := linux linux-san linux-fuzz $(PLATFORM_VARIANTS)
DEFAULT_IMAGES += $(linux_BIN)/keel.linux

# Self-test objects, linked only into tests.linux
TEST_SRCS := $(wildcard tests/unit/*.c)

# variant_rules(V): every rule for one variant
define variant_rules
$(1)_HOSTCC ?= $$(HOSTCC)
$(1)_INCLUDE := $$(shell $$($(1)_CC) -print-file-name=include 2>/dev/null)
$(1)_SRCS := $$(foreach d,$$(COMMON_DIRS) $$($(1)_DIRS),$$(wildcard $$(d)/*.c $$(d)/*.S))
$(1)_OBJS := $$(foreach s,$$($(1)_SRCS),$$($(1)_BIN)/$$(basename $$(notdir $$(s))).o)
$(1)_TOBJS := $$(foreach s,$$(TEST_SRCS),$$($(1)_BIN)/$$(basename $$(notdir $$(s))).o)
$(1)_HOBJS := $$(foreach s,$$($(1)_HOST),$$($(1)_BIN)/host/$$(basename $$(notdir $$(s))).o)

# Debug stamps: an object rebuilds when its DEBUG level changes
_dbgstamps := $$(shell mkdir -p $$($(1)_BIN)/.dbg && cd $$($(1)_BIN)/.dbg && \
	for f in *.lvl; do [ -e "$$$$f" ] && echo 0 > "$$$$f.new"; done; \
	for d in $(foreach d,$(subst $(comma),$(space),$(DEBUG)),$(word 1,$(subst :, ,$(d)))=$(DBG_$(word 1,$(subst :, ,$(d))))); do \
	  echo "$$$${d#*=}" > "$$$${d%%=*}.lvl.new"; done; \
	for f in *.new; do [ -e "$$$$f" ] || continue; \
	  cmp -s "$$$$f" "$$$${f%.new}" && rm -f "$$$$f" || mv -f "$$$$f" "$$$${f%.new}"; done)
$$(foreach o,$$($(1)_OBJS) $$($(1)_TOBJS),$$(eval $$(o): $$(wildcard \
	$$($(1)_BIN)/.dbg/$$(basename $$(notdir $$(o))).lvl)))

# A renamed or removed source leaves a dependency file that names it, and
# make would stop with "No rule to make target": forget such objects
_stale := $$(shell for d in $$$$(awk 'FNR == 1 && $$$$2 != "\\" && \
	(getline l < $$$$2) < 0 { print FILENAME } FNR == 1 { close($$$$2) }' \
	$$($(1)_BIN)/*.d 2>/dev/null); do rm -f "$$$$d" "$$$${d%.d}.o"; done)

# Embedded script stamp: rebuild when EMBED names another file
_embstamp := $$(shell mkdir -p $$($(1)_BIN) && \
	echo '$(EMBED_PATH)' | cmp -s - $$($(1)_BIN)/.embed || \
	echo '$(EMBED_PATH)' > $$($(1)_BIN)/.embed)

fw_cflags_$(1) = $$(FW_CFLAGS) -isystem $$($(1)_INCLUDE) \
	$$(if $$(filter gcc,$$(notdir $$($(1)_CC))),$$(GCC_ONLY_CFLAGS)) \
	$$($(1)_CFLAGS) -DOBJECT=$$(basename $$(notdir $$@)) \
	-DFILE_ID=$$(or $$(FILEID_$$(basename $$(notdir $$@))),0) \
	-DDBGLVL=$$(or $$(DBG_$$(basename $$(notdir $$@))),0) -MMD -MP

$$($(1)_BIN)/%.o: src/core/%.c ; $$(call compile,$(1))
$$($(1)_BIN)/%.o: src/net/%.c ; $$(call compile,$(1))
$$($(1)_BIN)/%.o: src/net/tcp/%.c ; $$(call compile,$(1))
$$($(1)_BIN)/%.o: src/net/udp/%.c ; $$(call compile,$(1))
$$($(1)_BIN)/%.o: src/crypto/%.c ; $$(call compile,$(1))
$$($(1)_BIN)/%.o: src/drivers/net/%.c ; $$(call compile,$(1))
$$($(1)_BIN)/%.o: src/drivers/bus/%.c ; $$(call compile,$(1))
$$($(1)_BIN)/%.o: src/hci/%.c ; $$(call compile,$(1))
$$($(1)_BIN)/%.o: src/hci/commands/%.c ; $$(call compile,$(1))
$$($(1)_BIN)/%.o: src/config/%.c ; $$(call compile,$(1))
$$($(1)_BIN)/%.o: tests/unit/%.c ; $$(call compile,$(1))
$(foreach d,$($(1)_DIRS),
$$($(1)_BIN)/%.o: $(d)/%.c ; $$(call compile,$(1))
$$($(1)_BIN)/%.o: $(d)/%.S ; $$(call compile,$(1)))

$(foreach d,src/arch/linux/host tests/fuzz/host,
$$($(1)_BIN)/host/%.o: $(d)/%.c
	$$(call say,HOSTCC,$$@)
	$$(Q)mkdir -p $$(@D)
	$$(Q)$$($(1)_HOSTCC) -std=gnu11 -g -O2 -Wall -Wextra -Werror -fno-pie \
		$$(filter -fsanitize% -fno-sanitize%,$$($(1)_CFLAGS)) \
		-MMD -MP -c $$< -o $$@)

# The embedded script, as a blob with start and end symbols
$$($(1)_BIN)/embedded_blob.o: src/core/embedded_blob.S $$($(1)_BIN)/.embed \
		$(EMBED_PATH)
	$$(call say,EMBED,$$(or $(EMBED),none))
	$$(Q)$$($(1)_CC) $$(fw_cflags_$(1)) -DASSEMBLY -DEMBED_PATH='"$(EMBED_PATH)"' \
		-c $$< -o $$@

$$($(1)_BIN)/blib.a: $$(filter-out %/embedded_blob.o,$$($(1)_OBJS)) \
		$$($(1)_BIN)/embedded_blob.o
	$$(call say,AR,$$@)
	$$(Q)rm -f $$@ && $$(AR) rcD $$@ $$^

# Firmware half of a host image: partial link, then hide every firmware
# symbol so that malloc, printf etc. never clash with the host C library.
$$($(1)_BIN)/%.fw.o: $$($(1)_BIN)/blib.a src/arch/linux/reloc.lds
	$$(call say,LD,$$@)
	$$(Q)$$(LD) -r -T src/arch/linux/reloc.lds -o $$@.tmp \
		$$(or $$(LINK_$$*_$(1)),-u keel_linux_main -u obj_config) \
		$$($(1)_BIN)/blib.a
	$$(Q)$$(OBJCOPY) --localize-hidden $$@.tmp $$@ && rm -f $$@.tmp

LINK_keel_$(1) :=
LINK_tests_$(1) = -u keel_linux_main -u obj_config $$($(1)_TOBJS)
$$($(1)_BIN)/tests.fw.o: $$($(1)_TOBJS)
# A fuzz target pulls in only what it fuzzes, not the whole configuration
$(foreach t,$(FUZZ_TARGETS),
LINK_$(t)_$(1) := -u keel_fuzz_one $$($(1)_BIN)/fuzzlib.o $$($(1)_BIN)/$(t).o)

$$($(1)_BIN)/%.linux: $$($(1)_BIN)/%.fw.o $$($(1)_HOBJS)
	$$(call say,LINK,$$@)
	$$(Q)$$($(1)_HOSTCC) $$($(1)_LDFLAGS) -o $$@ $$^

-include $$(wildcard $$($(1)_BIN)/*.d $$($(1)_BIN)/host/*.d)
endef

define compile
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$($(1)_CC) $(fw_cflags_$(1)) $(if $(filter %.S,$<),-DASSEMBLY) -c $< -o $@
endef

$(foreach v,$(VARIANTS),$(eval $(call variant_rules,$(v))))

# ---------------------------------------------------------------------------
# Top-level targets

.PHONY: all check check-unit bench demo demo-shell iso deps clean format \
	fuzz fuzz-build

# Intermediate link products are kept, so images do not relink needlessly
.SECONDARY:

all: $(DEFAULT_IMAGES)

deps:
	util/deps

FUZZ_IMAGES := $(addprefix $(linux-fuzz_BIN)/,$(linux-fuzz_IMAGES))

# The QEMU boot tests (tests/qemu/run) need every firmware image; one that
# is missing there is a failed test (defined before check: a rule's
# prerequisites are expanded where the rule stands)
QEMU_TEST_IMAGES := $(if $(filter pcbios,$(PLATFORM_VARIANTS)),bin/keel.iso) \
	$(filter-out $(linux_BIN)/%,$(DEFAULT_IMAGES))

# make check: every test stage; tests/check prints the overall tally last
check: $(linux_BIN)/tests.linux $(linux-san_BIN)/tests.linux \
		$(linux_BIN)/keel.linux $(FUZZ_IMAGES) $(QEMU_TEST_IMAGES)
	tests/check

fuzz-build: $(FUZZ_IMAGES)

# make fuzz: every fuzz target for FUZZ_TIME seconds each (default 60)
FUZZ_TIME ?= 60
fuzz: fuzz-build
	tests/fuzz/run $(FUZZ_TIME)

# bin/keel.iso: hybrid BIOS + UEFI ISO (util/mkiso); the EFI boot image is
# added when the EFI platform is part of the build
ISO_EFI := $(if $(filter efi,$(PLATFORM_VARIANTS)),bin-x86_64-efi/keel.efi)
bin/keel.iso: bin/keel.lkrn $(ISO_EFI) util/mkiso
	$(call say,MKISO,$@)
	$(Q)util/mkiso -o $@ --lkrn bin/keel.lkrn \
		$(if $(ISO_EFI),--efi $(ISO_EFI),--no-efi) >/dev/null
iso: bin/keel.iso

# make demo: boots bin/keel.iso in QEMU against a loopback web server, then
# Linux greets you (UEFI=1: under OVMF); make demo-shell stops at Keel's shell
UEFI ?=
demo: bin/keel.iso
	tests/qemu/demo $(if $(UEFI),--uefi)
demo-shell: bin/keel.iso
	tests/qemu/demo --shell $(if $(UEFI),--uefi)

# make bench: figures printed side by side, never asserted (needs root);
# the lab (keel.linux), then the QEMU images against Debian's iPXE
bench: $(linux_BIN)/keel.linux
	tests/lab/bench
	tests/qemu/bench

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf bin bin-*
