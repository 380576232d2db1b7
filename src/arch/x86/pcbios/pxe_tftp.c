/* The PXE TFTP API (TFTP_OPEN/READ/CLOSE/GET_FSIZE) over Keel's own TFTP download. */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <keel/debug.h>
#include <keel/downloader.h>
#include <keel/errors.h>
#include <keel/image.h>
#include <keel/in.h>
#include <keel/settings.h>
#include <keel/tftp.h>
#include <x86/pxe_api.h>

/*
 * Keel fetches the whole file when the NBP opens it, then hands it out in
 * packet-sized pieces: reads never wait on the network, and GET_FSIZE
 * followed by OPEN of the same file downloads it once.
 */

/** Largest packet size we agree to (fits an Ethernet frame) */
#define PXE_TFTP_MAX_PACKET 1432

/** The last file fetched */
static struct {
	struct image *image;
	uint32_t server;
	uint16_t port;
	char name[128];
} pxe_tftp_cache;

/** The open file */
static struct {
	int open;
	size_t pos;
	uint16_t packet_size;
	uint16_t packet_number;
	/** The short (or empty) last packet has been read */
	int done;
} pxe_tftp;

void pxe_tftp_reset(void)
{
	memset(&pxe_tftp, 0, sizeof(pxe_tftp));
	if (pxe_tftp_cache.image)
		image_put(pxe_tftp_cache.image);
	memset(&pxe_tftp_cache, 0, sizeof(pxe_tftp_cache));
}

/** Append @name to @uri, escaping what a URI path cannot hold as is */
static void pxe_tftp_escape(char *uri, size_t max, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(uri);
	unsigned char c;

	for (; *name && len + 4 < max; name++) {
		c = (unsigned char)*name;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("/-._~", c)) {
			uri[len++] = (char)c;
		} else {
			uri[len++] = '%';
			uri[len++] = hex[c >> 4];
			uri[len++] = hex[c & 15];
		}
	}
	uri[len] = '\0';
}

static uint16_t pxe_tftp_status(int rc)
{
	if (rc_is(rc, ENOENT))
		return PXENV_STATUS_TFTP_FILE_NOT_FOUND;
	if (rc_is(rc, EACCES) || rc_is(rc, EPERM))
		return PXENV_STATUS_TFTP_ACCESS_VIOLATION;
	if (rc_is(rc, ENOMEM))
		return PXENV_STATUS_OUT_OF_RESOURCES;
	return PXENV_STATUS_TFTP_CANNOT_OPEN_CONNECTION;
}

/**
 * Fetch a file into the cache (unless it is there already).
 *
 * @server	server address (network order), 0 for ${next-server}
 * @port	port (network order), 0 for 69
 * @raw_name	the caller's 128-byte field, not necessarily terminated
 */
static uint16_t pxe_tftp_fetch(uint32_t server, uint16_t port,
			       const char *raw_name)
{
	char name[128], uri[3 * sizeof(name) + 40];
	struct in_addr addr = {.s_addr = server};
	struct image *image;
	int rc;

	memcpy(name, raw_name, sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	if (!name[0])
		return PXENV_STATUS_TFTP_FILE_NOT_FOUND;
	if (!addr.s_addr)
		fetch_setting(NULL, &next_server_setting, NULL, NULL, &addr,
			      sizeof(addr));
	if (!addr.s_addr)
		return PXENV_STATUS_TFTP_CANNOT_OPEN_CONNECTION;
	if (!port)
		port = htons(TFTP_PORT);
	if (pxe_tftp_cache.image && pxe_tftp_cache.server == addr.s_addr &&
	    pxe_tftp_cache.port == port &&
	    strcmp(pxe_tftp_cache.name, name) == 0)
		return PXENV_STATUS_SUCCESS;
	pxe_tftp_reset();
	snprintf(uri, sizeof(uri), "tftp://%s:%u%s", inet_ntoa(addr),
		 ntohs(port), "/");
	pxe_tftp_escape(uri, sizeof(uri), name);
	DBG("PXE TFTP %s\n", uri);
	rc = imgdownload_string(uri, "pxe-tftp", 0, DOWNLOAD_QUIET, &image);
	if (rc)
		return pxe_tftp_status(rc);
	unregister_image(image);
	pxe_tftp_cache.image = image;
	pxe_tftp_cache.server = addr.s_addr;
	pxe_tftp_cache.port = port;
	memcpy(pxe_tftp_cache.name, name, sizeof(name));
	return PXENV_STATUS_SUCCESS;
}

static uint16_t pxe_tftp_open(void *params)
{
	struct pxe_tftp_open *op = params;
	uint16_t status, size = op->packet_size;

	if (pxe_tftp.open)
		return PXENV_STATUS_TFTP_OPEN;
	status = pxe_tftp_fetch(op->server_ip, op->tftp_port, op->filename);
	if (status != PXENV_STATUS_SUCCESS)
		return status;
	if (size < TFTP_DEFAULT_BLKSIZE)
		size = TFTP_DEFAULT_BLKSIZE;
	if (size > PXE_TFTP_MAX_PACKET)
		size = PXE_TFTP_MAX_PACKET;
	memset(&pxe_tftp, 0, sizeof(pxe_tftp));
	pxe_tftp.open = 1;
	pxe_tftp.packet_size = size;
	op->packet_size = size;
	return PXENV_STATUS_SUCCESS;
}

static uint16_t pxe_tftp_read(void *params)
{
	struct pxe_tftp_read *rd = params;
	size_t len, left;
	void *dest;

	if (!pxe_tftp.open || !pxe_tftp_cache.image)
		return PXENV_STATUS_TFTP_CLOSED;
	if (pxe_tftp.done)
		return PXENV_STATUS_FAILURE;
	left = pxe_tftp_cache.image->len - pxe_tftp.pos;
	len = left < pxe_tftp.packet_size ? left : pxe_tftp.packet_size;
	dest = pxe_user_ptr(rd->buffer.segment, rd->buffer.offset, len);
	if (!dest)
		return PXENV_STATUS_BAD_FUNC;
	memcpy(dest, pxe_tftp_cache.image->data + pxe_tftp.pos, len);
	pxe_tftp.pos += len;
	if (len < pxe_tftp.packet_size)
		pxe_tftp.done = 1;
	rd->packet_number = ++pxe_tftp.packet_number;
	rd->buffer_size = (uint16_t)len;
	return PXENV_STATUS_SUCCESS;
}

static uint16_t pxe_tftp_close(void *params)
{
	(void)params;
	memset(&pxe_tftp, 0, sizeof(pxe_tftp));
	return PXENV_STATUS_SUCCESS;
}

static uint16_t pxe_tftp_get_fsize(void *params)
{
	struct pxe_tftp_get_fsize *gf = params;
	uint16_t status;

	if (pxe_tftp.open)
		return PXENV_STATUS_TFTP_OPEN;
	status = pxe_tftp_fetch(gf->server_ip, 0, gf->filename);
	if (status != PXENV_STATUS_SUCCESS)
		return status;
	gf->file_size = (uint32_t)pxe_tftp_cache.image->len;
	return PXENV_STATUS_SUCCESS;
}

struct pxe_api_call pxe_tftp_calls[] __pxe_api_call = {
	{PXENV_TFTP_OPEN, sizeof(struct pxe_tftp_open), pxe_tftp_open},
	{PXENV_TFTP_READ, sizeof(struct pxe_tftp_read), pxe_tftp_read},
	{PXENV_TFTP_CLOSE, sizeof(struct pxe_status_only), pxe_tftp_close},
	{PXENV_TFTP_GET_FSIZE, sizeof(struct pxe_tftp_get_fsize),
	 pxe_tftp_get_fsize},
};
