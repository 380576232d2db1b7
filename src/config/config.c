/* Feature selection: which objects every image pulls out of the library. */
#include <config/general.h>
#include <keel/autoboot.h>

/*
 * An image links against its build's library of every object; only what is
 * required from here (and what that needs in turn) is linked in. Features
 * named in config/general.h are turned into REQUIRE_OBJECT lines below; the
 * features' own files never test configuration macros.
 */

/* The core */
REQUIRE_OBJECT(main);
REQUIRE_OBJECT(init);
REQUIRE_OBJECT(console);
REQUIRE_OBJECT(process);
REQUIRE_OBJECT(errors);

/* The shell and script language */
REQUIRE_OBJECT(exec);
REQUIRE_OBJECT(script);
REQUIRE_OBJECT(shell);
REQUIRE_OBJECT(script_cmd);
REQUIRE_OBJECT(reboot_cmd);
REQUIRE_OBJECT(settings_cmd);
REQUIRE_OBJECT(builtin_settings);
REQUIRE_OBJECT(menu_cmd);
REQUIRE_OBJECT(login_cmd);

/* The network stack */
REQUIRE_OBJECT(netdevice);
REQUIRE_OBJECT(arp);
REQUIRE_OBJECT(ipv4);
REQUIRE_OBJECT(icmp);
REQUIRE_OBJECT(udp);
REQUIRE_OBJECT(tcp);
REQUIRE_OBJECT(resolv);
REQUIRE_OBJECT(ifmgmt_cmd);
REQUIRE_OBJECT(route_cmd);
REQUIRE_OBJECT(dhcp);
REQUIRE_OBJECT(dns);
REQUIRE_OBJECT(dhcp_cmd);
REQUIRE_OBJECT(tftp);
REQUIRE_OBJECT(http);

/* Downloads and images */
REQUIRE_OBJECT(image_cmd);
REQUIRE_OBJECT(autoboot);

/* The host build: its platform services (linked through tables) */
#ifdef PLATFORM_LINUX
REQUIRE_OBJECT(linux_entry);
REQUIRE_OBJECT(linux_timer);
REQUIRE_OBJECT(linux_console);
REQUIRE_OBJECT(linux_memory);
REQUIRE_OBJECT(linux_reboot);
REQUIRE_OBJECT(linux_tap);
REQUIRE_OBJECT(tcpcheck_cmd);
REQUIRE_OBJECT(config_full);
/* The host build is the test build: never wait for Ctrl-B */
#undef BANNER_TIMEOUT
#define BANNER_TIMEOUT 0
#endif

/*
 * The x86 BIOS platform (bin/): its platform services and drivers. The
 * full set's extras (config_full.c) are chosen per image in
 * src/arch/x86/pcbios.mk: keel.lkrn and keel.pxe have them, undionly.kpxe
 * and the option ROMs do not.
 */
#ifdef PLATFORM_PCBIOS
REQUIRE_OBJECT(x86_start);
REQUIRE_OBJECT(bios_console);
REQUIRE_OBJECT(serial16550);
REQUIRE_OBJECT(bios_timer);
REQUIRE_OBJECT(bios_memory);
REQUIRE_OBJECT(bios_reboot);
REQUIRE_OBJECT(rtc);
REQUIRE_OBJECT(bzimage);
REQUIRE_OBJECT(pxe_image);
REQUIRE_OBJECT(pxe_loader);
REQUIRE_OBJECT(sanboot_cmd);
REQUIRE_OBJECT(bios_smbios);
#endif

/* The UEFI platform (bin-x86_64-efi/): its platform services and drivers */
#ifdef PLATFORM_EFI
REQUIRE_OBJECT(efi_entry);
REQUIRE_OBJECT(efi_console);
REQUIRE_OBJECT(efi_timer);
REQUIRE_OBJECT(efi_memory);
REQUIRE_OBJECT(efi_reboot);
REQUIRE_OBJECT(efi_smbios);
REQUIRE_OBJECT(efi_image);
REQUIRE_OBJECT(sanboot_cmd);
/* Takes a PCI function from the firmware's driver for a native driver */
REQUIRE_OBJECT(efi_pci);
REQUIRE_OBJECT(config_full);
/*
 * Network devices are chosen per image in src/arch/efi/efi.mk: keel.efi
 * links the native drivers (e1000, virtio-net) and efi_snp_all (every
 * other SNP NIC), snponly.efi efi_snp_only (the NIC it was loaded from).
 */
#endif

#if BANNER_TIMEOUT < 0 || BANNER_TIMEOUT > 5
#error "BANNER_TIMEOUT must be 0 to 5 seconds"
#endif
const unsigned long banner_timeout_ms = BANNER_TIMEOUT * 1000UL;
const int shell_wanted_after_failure = SHELL_AFTER_FAILURE;
