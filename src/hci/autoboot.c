/* Autoboot: DHCP on each network device, then chain the boot file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/autoboot.h>
#include <keel/command.h>
#include <keel/downloader.h>
#include <keel/image.h>
#include <keel/netdevice.h>
#include <keel/settings.h>
#include <keel/uri.h>

/**
 * A setting as text, from the device's own blocks (its DHCP lease) first,
 * then from anywhere (ProxyDHCP, boot servers, "set").
 *
 * @ret len	length, or negative error (-ENOENT if unset or empty)
 */
static int autoboot_fetch(struct net_device *netdev,
			  const struct setting *setting, char **value)
{
	int len = fetchf_setting_copy(&netdev->settings.settings, setting, NULL,
				      NULL, value);

	if (len <= 0) {
		free(*value);
		*value = NULL;
		len = fetchf_setting_copy(NULL, setting, NULL, NULL, value);
	}
	if (len == 0) {
		free(*value);
		*value = NULL;
		len = -ENOENT;
	}
	return len;
}

/** tftp://next-server/filename, for a file name that is not a URI */
static int autoboot_tftp_uri(struct net_device *netdev, const char *filename,
			     struct uri **uri)
{
	struct uri tmpl;
	char *server = NULL;
	int rc = 0;

	if (autoboot_fetch(netdev, &next_server_setting, &server) < 0 ||
	    strcmp(server, "0.0.0.0") == 0) {
		rc = errctx(-ENOENT,
			    "DHCP named no next-server to fetch %s "
			    "from",
			    filename);
		goto out;
	}
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.scheme = "tftp";
	tmpl.host = server;
	/* As iPXE: the name is the path, as given (TFTP drops one '/') */
	tmpl.path = filename;
	if (!(*uri = uri_dup(&tmpl)))
		rc = -ENOMEM;
out:
	free(server);
	return rc;
}

/**
 * The boot file's URI: ${filename} (settings expanded in it), as a URI if
 * it is one, else relative to tftp://${next-server}/.
 */
static int autoboot_uri(struct net_device *netdev, struct uri **uri)
{
	char *raw = NULL, *filename = NULL;
	int rc = 0;

	*uri = NULL;
	if (autoboot_fetch(netdev, &filename_setting, &raw) < 0) {
		rc = errctx(-ENOENT, "DHCP named no boot file (booting from "
				     "a root-path is not supported yet)");
		goto out;
	}
	if (!(filename = expand_settings(raw)) ||
	    !(*uri = parse_uri(filename))) {
		rc = -ENOMEM;
		goto out;
	}
	if (!uri_is_absolute(*uri)) {
		uri_put(*uri);
		*uri = NULL;
		rc = autoboot_tftp_uri(netdev, filename, uri);
	}
out:
	free(raw);
	free(filename);
	return rc;
}

/** Configure one device by DHCP and boot what it names */
static int autoboot_netdev(struct net_device *netdev)
{
	char *argv[] = {"dhcp", netdev->name, NULL};
	struct image *image;
	struct uri *uri;
	int rc;

	/* The dhcp command opens the device and waits for its link */
	if ((rc = execv_command(2, argv)) != 0)
		return rc;
	if ((rc = autoboot_uri(netdev, &uri)) != 0) {
		printf("%s: %s\n", netdev->name, strerror(rc));
		return rc;
	}
	rc = imgdownload(uri, NULL, 0, 0, &image);
	uri_put(uri);
	if (rc)
		return rc;
	image->flags |= IMAGE_AUTO_UNREGISTER;
	if ((rc = image_probe(image)) != 0) {
		/* Nothing can run it: it must not linger as a stray initrd */
		printf("Could not boot image: %s\n", strerror(rc));
		unregister_image(image);
	} else
		rc = image_exec(image);
	image_put(image);
	return rc;
}

/** Devices opened by autoboot_prepare(), held until autoboot() is done */
static struct net_device *autoboot_early[8];

/** True if @netdev was opened by autoboot_prepare() */
static int autoboot_opened_early(struct net_device *netdev)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(autoboot_early); i++) {
		if (autoboot_early[i] == netdev)
			return 1;
	}
	return 0;
}

/** Forget the devices opened early (they stay open) */
static void autoboot_forget_early(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(autoboot_early); i++) {
		if (autoboot_early[i])
			netdev_put(autoboot_early[i]);
		autoboot_early[i] = NULL;
	}
}

void autoboot_prepare(void)
{
	struct net_device *netdev;
	unsigned int n = 0;

	autoboot_forget_early();
	/* Last first: netX then names the first device, which is tried first */
	list_for_each_entry_reverse(netdev, &net_devices, list) {
		if (n == ARRAY_SIZE(autoboot_early))
			break;
		if (netdev_is_open(netdev) || netdev_open(netdev) != 0)
			continue; /* dhcp reports what is wrong, in its turn */
		autoboot_early[n++] = netdev_get(netdev);
	}
}

int autoboot(void)
{
	struct net_device *netdev;
	int rc = errctx(-ENODEV, "there is no network device to boot from");
	int was_open;

	list_for_each_entry(netdev, &net_devices, list) {
		was_open = netdev_is_open(netdev) &&
			   !autoboot_opened_early(netdev);
		netdev_get(netdev);
		rc = autoboot_netdev(netdev);
		/* Leave a device that failed as it was found */
		if (rc && !was_open && netdev_is_open(netdev))
			netdev_close(netdev);
		netdev_put(netdev);
		if (rc == 0 || rc_is(rc, ECANCELED))
			break;
	}
	autoboot_forget_early();
	return rc;
}
