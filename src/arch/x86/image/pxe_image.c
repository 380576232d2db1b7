/* PXE NBP images (pxelinux.0, *.pxe, *.kpxe, *.com): copied to 0000:7C00 and run with Keel's PXE API. */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <keel/errors.h>
#include <keel/image.h>
#include <keel/io.h>
#include <keel/netdevice.h>
#include <x86/realmode.h>
#include <x86/pxe_api.h>

REQUIRE_OBJECT(pxe_api);

/** Probed after every other type: an NBP has no signature to look for */
#define PROBE_PXE 03

/** Where an NBP runs */
#define NBP_SEG 0x0000
#define NBP_OFF 0x7c00
#define NBP_ADDR 0x7c00
/** Largest NBP that could fit below the top of base memory (640 KiB) */
#define NBP_MAX_LEN (0xa0000 - NBP_ADDR)

#define BDA_BASEMEM ((volatile uint16_t *)0x413)

/** True if the name ends like an NBP's */
static int pxe_image_has_ext(const char *name)
{
	static const char *const exts[] = {".0", ".pxe", ".kpxe", ".com"};
	size_t len = name ? strlen(name) : 0, elen;
	unsigned int i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		elen = strlen(exts[i]);
		if (len > elen && strcasecmp(name + len - elen, exts[i]) == 0)
			return 1;
	}
	return 0;
}

/** Magic numbers of things that are certainly not NBPs */
static const struct {
	size_t offset;
	size_t len;
	const char *magic;
} pxe_image_not_nbp[] = {
	{0, 2, "#!"},		    /* scripts of any kind */
	{0, 4, "\x7f" "ELF"},	    /* ELF */
	{0, 2, "MZ"},		    /* EFI / PE */
	{0, 2, "\x1f\x8b"},	    /* gzip */
	{0, 6, "070701"},	    /* cpio (newc) */
	{0, 6, "070702"},	    /* cpio (crc) */
	{0, 6, "\xfd" "7zXZ\0"},    /* xz */
	{0, 4, "\x28\xb5\x2f\xfd"}, /* zstd */
	{0, 3, "BZh"},		    /* bzip2 */
	{0, 4, "\x02\x21\x4c\x18"}, /* lz4 (legacy) */
	{0, 3, "\x5d\x00\x00"},	    /* lzma */
	{0x202, 4, "HdrS"},	    /* a Linux kernel */
};

/** True if the start of the image is printable text */
static int pxe_image_is_text(const struct image *image)
{
	size_t i, n = image->len < 64 ? image->len : 64;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)image->data[i];
		if ((c < 0x20 || c > 0x7e) && c != '\t' && c != '\n' &&
		    c != '\r')
			return 0;
	}
	return 1;
}

static int pxe_image_probe(struct image *image)
{
	unsigned int i;

	if (!image->len || image->len > NBP_MAX_LEN)
		return -ENOEXEC;
	for (i = 0; i < sizeof(pxe_image_not_nbp) / sizeof(pxe_image_not_nbp[0]);
	     i++) {
		if (image->len >= pxe_image_not_nbp[i].offset +
					  pxe_image_not_nbp[i].len &&
		    memcmp(image->data + pxe_image_not_nbp[i].offset,
			   pxe_image_not_nbp[i].magic,
			   pxe_image_not_nbp[i].len) == 0)
			return -ENOEXEC;
	}
	/* Binary anything, or text only if it is named like an NBP */
	if (pxe_image_is_text(image) && !pxe_image_has_ext(image->name))
		return -ENOEXEC;
	return 0;
}

/** The device the NBP gets: the last one opened, else the first one */
static struct net_device *pxe_image_netdev(void)
{
	struct net_device *netdev = last_opened_netdev();

	if (!netdev && !list_empty(&net_devices)) {
		netdev = list_first_entry(&net_devices, struct net_device,
					  list);
		if (netdev_open(netdev) != 0)
			netdev = NULL;
	}
	return netdev;
}

static int pxe_image_exec(struct image *image)
{
	struct net_device *netdev = pxe_image_netdev();
	struct pxe_segoff pxenv, ppxe, stack;
	struct rm_regs regs;
	uint16_t *frame, sp, status;
	size_t room;
	int rc;

	if (!netdev)
		return errctx(-ENODEV, "%s needs a network device for its PXE "
				       "API, and this machine has none",
			      image->name);
	if ((rc = pxe_api_install(netdev, &pxenv, &ppxe, &stack)) != 0)
		return rc;
	room = (size_t)*BDA_BASEMEM * 1024;
	room = room > NBP_ADDR ? room - NBP_ADDR : 0;
	if (image->len > room) {
		pxe_api_uninstall();
		return errctx(-ENOSPC,
			      "%s is %zu bytes, but only %zu fit in base memory "
			      "at 0000:7C00",
			      image->name, image->len, room);
	}
	printf("Booting %s (PXE NBP, %zu bytes, PXE API on %s)\n", image->name,
	       image->len, netdev->name);
	memcpy(phys_to_virt(NBP_ADDR), image->data, image->len);

	/* SS:SP -> return address (set by pxe_run_nbp), SS:SP+4 -> !PXE */
	sp = (uint16_t)(stack.offset - 8);
	frame = real_to_virt(stack.segment, sp);
	frame[2] = ppxe.offset;
	frame[3] = ppxe.segment;
	memset(&regs, 0, sizeof(regs));
	regs.es = pxenv.segment;
	regs.ebx = pxenv.offset;
	status = pxe_run_nbp(&regs, stack.segment, sp);

	pxe_api_uninstall();
	if (status != PXENV_EXIT_SUCCESS)
		return errctx(-EIO, "%s returned to Keel with status %#x",
			      image->name, status);
	return 0;
}

struct image_type pxe_image_type __image_type(PROBE_PXE) = {
	.name = "PXE",
	.probe = pxe_image_probe,
	.exec = pxe_image_exec,
};
