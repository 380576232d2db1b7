/* md5sum, sha1sum and sha256sum: image digests, printed or stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/command.h>
#include <keel/crypto.h>
#include <keel/image.h>
#include <keel/parseopt.h>
#include <keel/settings.h>

struct digest_options {
	/** Setting to store the digest in, or NULL to print it */
	char *set;
};

static const struct option_descriptor digest_opts[] = {
	OPTION_DESC("set", 's', required_argument, struct digest_options, set,
		    parse_string),
};

static const struct command_descriptor digest_cmd =
	COMMAND_DESC(struct digest_options, digest_opts, 1, MAX_ARGUMENTS,
		     "[--set <setting>] <image>...");

/** Digest an image into lower-case hex (@hex: 2 * DIGEST_OUT_MAX + 1) */
static void digest_image_hex(struct digest_algorithm *digest,
			     struct image *image, char *hex)
{
	uint8_t out[DIGEST_OUT_MAX];
	size_t i;

	digest_once(digest, image->data, image->len, out);
	for (i = 0; i < digest->digestsize; i++)
		snprintf(&hex[2 * i], 3, "%02x", out[i]);
}

static int digest_exec(int argc, char **argv, struct digest_algorithm *digest)
{
	struct digest_options opts;
	char hex[2 * DIGEST_OUT_MAX + 1];
	struct image *image;
	int first, i, rc;

	if ((first = parse_options(argc, argv, &digest_cmd, &opts)) <= 0)
		return first;
	if (opts.set && argc - first != 1) {
		printf("%s: --set takes exactly one image\n", argv[0]);
		return -EINVAL;
	}
	for (i = first; i < argc; i++) {
		if (!(image = find_image(argv[i]))) {
			printf("%s: no image called \"%s\"\n", argv[0],
			       argv[i]);
			return -ENOENT;
		}
		digest_image_hex(digest, image, hex);
		if (!opts.set) {
			printf("%s  %s\n", hex, image->name);
			continue;
		}
		if ((rc = storef_named_setting(opts.set, hex)) != 0) {
			printf("%s: Could not store \"%s\": %s\n", argv[0],
			       opts.set, strerror(rc));
			return rc;
		}
	}
	return 0;
}

static int md5sum_exec(int argc, char **argv)
{
	return digest_exec(argc, argv, &md5_algorithm);
}

static int sha1sum_exec(int argc, char **argv)
{
	return digest_exec(argc, argv, &sha1_algorithm);
}

static int sha256sum_exec(int argc, char **argv)
{
	return digest_exec(argc, argv, &sha256_algorithm);
}

struct command md5sum_command __command = {
	.name = "md5sum",
	.exec = md5sum_exec,
	.summary = "Print or store the MD5 digest of images",
};

struct command sha1sum_command __command = {
	.name = "sha1sum",
	.exec = sha1sum_exec,
	.summary = "Print or store the SHA-1 digest of images",
};

struct command sha256sum_command __command = {
	.name = "sha256sum",
	.exec = sha256sum_exec,
	.summary = "Print or store the SHA-256 digest of images",
};
