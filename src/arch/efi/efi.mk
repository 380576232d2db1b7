# The UEFI platform (x86_64): bin-x86_64-efi/keel.efi, snponly.efi and the .efirom option ROMs.
# Included by the top-level Makefile.
#
# Objects are position-independent and linked into an ELF shared object at
# base 0 with gnu-efi's start-up code (crt0); efi_entry.c applies the ELF
# relocations at run time, and objcopy converts the result to PE/COFF.

EFI_INC := /usr/include/efi
EFI_CRT0 := /usr/lib/crt0-efi-x86_64.o
OBJDUMP := objdump

PLATFORM_VARIANTS += efi
ARCH_FW_DIRS += src/arch/efi
efi_CC := $(CC)
efi_BIN := bin-x86_64-efi
efi_CFLAGS := -m64 -fpic -fvisibility=hidden -mno-red-zone -fshort-wchar \
	-fno-asynchronous-unwind-tables -fno-unwind-tables \
	-DGNU_EFI_USE_MS_ABI -DPLATFORM_EFI \
	-DKEEL_ARCH=\"x86_64\" -DKEEL_PLATFORM=\"efi\" \
	-isystem $(EFI_INC) -isystem $(EFI_INC)/x86_64
efi_DIRS := src/arch/efi src/arch/x86/common
efi_IMAGES := keel.efi snponly.efi

DEFAULT_IMAGES += $(addprefix $(efi_BIN)/,$(efi_IMAGES))

# What each image links beyond config.c: which network devices it drives
EFI_LINK_keel := -u obj_e1000 -u obj_virtio_net -u obj_efi_snp_all
EFI_LINK_snponly := -u obj_efi_snp_only

$(efi_BIN)/%.so: $(efi_BIN)/blib.a src/arch/efi/efi.lds $(EFI_CRT0)
	$(call say,LD,$@)
	$(Q)$(LD) -nostdlib -shared -Bsymbolic -znocombreloc --no-undefined \
		--gc-sections -T src/arch/efi/efi.lds -o $@ $(EFI_CRT0) \
		-u efi_main -u obj_config $(EFI_LINK_$*) $(efi_BIN)/blib.a
	$(Q)if $(OBJDUMP) -R $@ | grep -v 'R_X86_64_RELATIVE' | \
		grep -q 'R_X86_64_'; then \
		echo "$@: relocations other than R_X86_64_RELATIVE" >&2; \
		rm -f $@; exit 1; fi

# -j keeps only the loaded sections; .reloc is crt0's empty PE block, as
# every relocation is applied by efi_entry.c
EFI_SECTIONS := -j .text -j .reloc -j .data -j .dynamic -j .dynsym -j .rela

$(efi_BIN)/%.efi: $(efi_BIN)/%.so
	$(call say,OBJCOPY,$@)
	$(Q)$(OBJCOPY) $(EFI_SECTIONS) --target efi-app-x86_64 \
		--subsystem efi-app $< $@

# ---------------------------------------------------------------------------
# EFI option ROMs: bin-x86_64-efi/VVVVDDDD.efirom for PCI vendor VVVV, device
# DDDD. Keel built as a boot-service driver (efi_driver.c: a driver binding
# with SNP and LoadFile on each NIC it drives), with the native driver for
# that device only, wrapped by util/mkefirom in a PCI expansion ROM image.

EFI_ROMS := 8086100e 1af41000
EFI_LINK_8086100e := -u obj_efi_driver -u obj_e1000
EFI_LINK_1af41000 := -u obj_efi_driver -u obj_virtio_net
efi_IMAGES += $(addsuffix .efirom,$(EFI_ROMS))
DEFAULT_IMAGES += $(addprefix $(efi_BIN)/,$(addsuffix .efirom,$(EFI_ROMS)))

MKEFIROM := $(efi_BIN)/mkefirom

$(MKEFIROM): util/mkefirom.c
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra -Werror -o $@ $<

$(efi_BIN)/%.efidrv: $(efi_BIN)/%.so
	$(call say,OBJCOPY,$@)
	$(Q)$(OBJCOPY) $(EFI_SECTIONS) --target efi-bsdrv-x86_64 \
		--subsystem efi-bsd $< $@

$(efi_BIN)/%.efirom: $(efi_BIN)/%.efidrv $(MKEFIROM)
	$(call say,MKROM,$@)
	$(Q)n=$*; $(MKEFIROM) --vendor $${n:0:4} --device $${n:4:4} $< $@
