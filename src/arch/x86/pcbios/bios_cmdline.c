/* What the loader gave keel.lkrn: its command line runs as a script; an initrd becomes an image. */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <keel/image.h>
#include <keel/init.h>
#include <keel/io.h>
#include <keel/main.h>
#include <x86/bios.h>

/** Longest command line kept */
#define CMDLINE_MAX 2048

static char bios_cmdline[CMDLINE_MAX];
static size_t bios_cmdline_len;

/** Loaders add words of their own: BOOT_IMAGE=... and initrd=... */
static int bios_cmdline_skip(const char *word, size_t len)
{
	return (len > 11 && memcmp(word, "BOOT_IMAGE=", 11) == 0) ||
	       (len > 7 && memcmp(word, "initrd=", 7) == 0);
}

/** The script header the command line gets */
#define CMDLINE_HEADER "#!ipxe\n"
#define CMDLINE_HEADER_LEN (sizeof(CMDLINE_HEADER) - 1)

/** Copy the command line, less the loaders' own words, as a script */
static void bios_cmdline_init(void)
{
	const char *p, *word;
	size_t len;

	if (!x86_prefix.cmdline)
		return;
	memcpy(bios_cmdline, CMDLINE_HEADER, CMDLINE_HEADER_LEN);
	bios_cmdline_len = CMDLINE_HEADER_LEN;
	p = phys_to_virt(x86_prefix.cmdline);
	while (*p) {
		while (*p == ' ')
			p++;
		word = p;
		while (*p && *p != ' ')
			p++;
		len = (size_t)(p - word);
		if (!len || bios_cmdline_skip(word, len) ||
		    bios_cmdline_len + len + 2 > sizeof(bios_cmdline))
			continue;
		if (bios_cmdline_len > CMDLINE_HEADER_LEN)
			bios_cmdline[bios_cmdline_len++] = ' ';
		memcpy(bios_cmdline + bios_cmdline_len, word, len);
		bios_cmdline_len += len;
	}
	if (bios_cmdline_len == CMDLINE_HEADER_LEN)
		bios_cmdline_len = 0;
	bios_cmdline[bios_cmdline_len] = '\0';
}

struct init_fn bios_cmdline_init_fn __init_fn(INIT_NORMAL) = {
	.name = "cmdline",
	.init = bios_cmdline_init,
};

static int bios_initrd_is_script(void)
{
	const char *data = phys_to_virt(x86_prefix.initrd);

	return x86_prefix.initrd && x86_prefix.initrd_len >= 6 &&
	       (memcmp(data, "#!ipxe", 6) == 0 || memcmp(data, "#!keel", 6) == 0);
}

/** An initrd that is not a script is registered as the image "initrd" */
static void bios_initrd_startup(void)
{
	struct image *image;

	if (!x86_prefix.initrd || !x86_prefix.initrd_len ||
	    bios_initrd_is_script())
		return;
	if (!(image = alloc_image(NULL)))
		return;
	if (image_set_name(image, "initrd") == 0 &&
	    image_set_data(image, phys_to_virt(x86_prefix.initrd),
			   x86_prefix.initrd_len) == 0)
		register_image(image);
	image_put(image);
}

struct startup_fn bios_initrd_startup_fn __startup_fn(STARTUP_NORMAL) = {
	.name = "initrd",
	.startup = bios_initrd_startup,
};

/** The loader's initrd if it is a script, else the command line */
int platform_script(const char **script, size_t *len, const char **name)
{
	if (bios_initrd_is_script()) {
		*script = phys_to_virt(x86_prefix.initrd);
		*len = x86_prefix.initrd_len;
		*name = "initrd";
		return 0;
	}
	if (!bios_cmdline_len)
		return -ENOENT;
	*script = bios_cmdline;
	*len = bios_cmdline_len;
	*name = "command line";
	return 0;
}
