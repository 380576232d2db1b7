# The UEFI platform (x86_64): bin-x86_64-efi/keel.efi, snponly.efi and EFI
# option ROMs. Included by the top-level Makefile.
