/* DHCP option blocks and packets: build, parse, RFC 3396, store as settings. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/dhcp.h>
#include <keel/dhcpopts.h>
#include <keel/netdevice.h>
#include <keel/settings.h>
#include <keel/version.h>

/** Host build and BIOS: x86 BIOS (RFC 4578); platforms override this */
const uint16_t dhcp_client_architecture __weak = 0;

/** Longest value of one option instance */
#define DHCP_OPT_MAX 255

/* ------------------------------------------------------------------------
 * Building
 */

void dhcpopt_build_init(struct dhcp_option_builder *b, void *data, size_t max)
{
	b->data = data;
	b->max = max;
	b->len = 0;
	b->rc = 0;
}

/** Room for @len more bytes, keeping one for END */
static int builder_room(struct dhcp_option_builder *b, size_t len)
{
	if (b->rc)
		return b->rc;
	if (b->len + len + 1 > b->max)
		return -ENOSPC;
	return 0;
}

/** Append one top-level tag, split into instances of at most 255 bytes */
static int append_plain(struct dhcp_option_builder *b, uint8_t tag,
			const uint8_t *value, size_t len)
{
	size_t instances = len ? (len + DHCP_OPT_MAX - 1) / DHCP_OPT_MAX : 1;
	size_t chunk;
	int rc;

	if ((rc = builder_room(b, len + 2 * instances)) != 0)
		return rc;
	do {
		chunk = (len > DHCP_OPT_MAX) ? DHCP_OPT_MAX : len;
		b->data[b->len++] = tag;
		b->data[b->len++] = (uint8_t)chunk;
		if (chunk)
			memcpy(&b->data[b->len], value, chunk);
		b->len += chunk;
		value += chunk;
		len -= chunk;
	} while (len);
	return 0;
}

/** Offset of the last option appended (at b->len minus its size), or -1 */
static long last_option(struct dhcp_option_builder *b)
{
	size_t pos = 0, prev = (size_t)-1;

	while (pos < b->len) {
		prev = pos;
		pos += (b->data[pos] == DHCP_PAD) ? 1 : 2U + b->data[pos + 1];
	}
	return (prev == (size_t)-1 || b->data[prev] == DHCP_PAD) ? -1
								 : (long)prev;
}

/** Append an encapsulated option inside the trailing encapsulator, or anew */
static int append_encap(struct dhcp_option_builder *b, unsigned int tag,
			const uint8_t *value, size_t len)
{
	uint8_t outer = (uint8_t)DHCP_ENCAPSULATOR(tag);
	long last = last_option(b);
	uint8_t *opt;
	int rc;

	if (len > DHCP_OPT_MAX - 2)
		return -ERANGE;
	if (last >= 0 && b->data[last] == outer &&
	    b->data[last + 1] + 2 + len <= DHCP_OPT_MAX) {
		if ((rc = builder_room(b, 2 + len)) != 0)
			return rc;
		opt = &b->data[b->len];
		b->data[last + 1] = (uint8_t)(b->data[last + 1] + 2 + len);
	} else {
		if ((rc = builder_room(b, 4 + len)) != 0)
			return rc;
		b->data[b->len++] = outer;
		b->data[b->len++] = (uint8_t)(2 + len);
		opt = &b->data[b->len];
	}
	opt[0] = (uint8_t)DHCP_ENCAPSULATED(tag);
	opt[1] = (uint8_t)len;
	if (len)
		memcpy(opt + 2, value, len);
	b->len += 2 + len;
	return 0;
}

int dhcpopt_append(struct dhcp_option_builder *b, unsigned int tag,
		   const void *value, size_t len)
{
	int rc;

	if (tag > 0xffff || DHCP_ENCAPSULATED(tag) == DHCP_PAD ||
	    DHCP_ENCAPSULATED(tag) == DHCP_END)
		return -EINVAL;
	if (DHCP_ENCAPSULATOR(tag))
		rc = append_encap(b, tag, value, len);
	else
		rc = append_plain(b, (uint8_t)tag, value, len);
	if (rc && !b->rc)
		b->rc = rc;
	return rc;
}

int dhcpopt_append_u8(struct dhcp_option_builder *b, unsigned int tag,
		      uint8_t value)
{
	return dhcpopt_append(b, tag, &value, sizeof(value));
}

int dhcpopt_append_u16(struct dhcp_option_builder *b, unsigned int tag,
		       uint16_t value)
{
	uint8_t raw[2] = {(uint8_t)(value >> 8), (uint8_t)value};

	return dhcpopt_append(b, tag, raw, sizeof(raw));
}

int dhcpopt_build_end(struct dhcp_option_builder *b)
{
	if (b->rc)
		return b->rc;
	if (b->len + 1 > b->max)
		return -ENOSPC;
	b->data[b->len] = DHCP_END;
	return (int)(b->len + 1);
}

/* ------------------------------------------------------------------------
 * Parsing
 */

int dhcpopt_validate(const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t pos = 0;

	while (pos < len) {
		if (p[pos] == DHCP_END)
			return (int)pos;
		if (p[pos] == DHCP_PAD) {
			pos++;
			continue;
		}
		if (pos + 2 > len || pos + 2 + p[pos + 1] > len)
			return -EINVAL;
		pos += 2U + p[pos + 1];
	}
	return (int)len;
}

/** Walk a validated area: the option at @pos, or 0 at its end */
static const uint8_t *area_next(const struct dhcp_option_area *area,
				size_t *pos)
{
	const uint8_t *opt;

	while (*pos < area->len && area->data[*pos] == DHCP_PAD)
		(*pos)++;
	if (*pos >= area->len)
		return NULL;
	opt = &area->data[*pos];
	*pos += 2U + opt[1];
	return opt;
}

/**
 * Concatenate every instance of a top-level @tag across validated areas.
 *
 * @ret len	total length, or -ENOENT if absent
 */
static int areas_fetch(const struct dhcp_option_area *areas,
		       unsigned int num_areas, uint8_t tag, uint8_t *buf,
		       size_t len)
{
	const uint8_t *opt;
	size_t total = 0, pos, copy;
	unsigned int i;
	int found = 0;

	for (i = 0; i < num_areas; i++) {
		for (pos = 0; (opt = area_next(&areas[i], &pos));) {
			if (opt[0] != tag)
				continue;
			found = 1;
			if (total < len) {
				copy = len - total;
				if (copy > opt[1])
					copy = opt[1];
				memcpy(buf + total, opt + 2, copy);
			}
			total += opt[1];
		}
	}
	return found ? (int)total : -ENOENT;
}

/** Fetch a possibly encapsulated tag from validated areas */
static int areas_fetch_tag(const struct dhcp_option_area *areas,
			   unsigned int num_areas, unsigned int tag, void *buf,
			   size_t len)
{
	struct dhcp_option_area inner;
	uint8_t *outer;
	int outer_len, valid, rc;

	if (tag == 0 || tag > 0xffff || DHCP_ENCAPSULATED(tag) == DHCP_PAD ||
	    DHCP_ENCAPSULATED(tag) == DHCP_END)
		return -ENOENT;
	if (!DHCP_ENCAPSULATOR(tag))
		return areas_fetch(areas, num_areas, (uint8_t)tag, buf, len);
	outer_len = areas_fetch(areas, num_areas,
				(uint8_t)DHCP_ENCAPSULATOR(tag), NULL, 0);
	if (outer_len <= 0)
		return outer_len ? outer_len : -ENOENT;
	outer = malloc((size_t)outer_len);
	if (!outer)
		return -ENOMEM;
	areas_fetch(areas, num_areas, (uint8_t)DHCP_ENCAPSULATOR(tag), outer,
		    (size_t)outer_len);
	valid = dhcpopt_validate(outer, (size_t)outer_len);
	if (valid < 0) {
		rc = valid;
		goto out;
	}
	inner.data = outer;
	inner.len = (size_t)valid;
	rc = areas_fetch(&inner, 1, (uint8_t)DHCP_ENCAPSULATED(tag), buf, len);
out:
	free(outer);
	return rc;
}

int dhcpopt_fetch(const void *data, size_t data_len, unsigned int tag,
		  void *buf, size_t len)
{
	struct dhcp_option_area area;
	int valid = dhcpopt_validate(data, data_len);

	if (valid < 0)
		return valid;
	area.data = data;
	area.len = (size_t)valid;
	return areas_fetch_tag(&area, 1, tag, buf, len);
}

int dhcppkt_fetch(const struct dhcp_packet_view *view, unsigned int tag,
		  void *buf, size_t len)
{
	return areas_fetch_tag(view->area, view->num_areas, tag, buf, len);
}

int dhcpopt_for_each_tag(const void *data, size_t len,
			 int (*fn)(void *ctx, unsigned int tag), void *ctx)
{
	struct dhcp_option_area area;
	uint8_t seen[256 / 8];
	const uint8_t *opt;
	size_t pos = 0;
	int valid = dhcpopt_validate(data, len), rc;

	if (valid < 0)
		return valid;
	area.data = data;
	area.len = (size_t)valid;
	memset(seen, 0, sizeof(seen));
	while ((opt = area_next(&area, &pos))) {
		if (seen[opt[0] / 8] & (1U << (opt[0] % 8)))
			continue;
		seen[opt[0] / 8] |= (uint8_t)(1U << (opt[0] % 8));
		if ((rc = fn(ctx, opt[0])) != 0)
			return rc;
	}
	return 0;
}

/** Add a fixed field of the packet as an option area */
static int view_add_area(struct dhcp_packet_view *view, const void *data,
			 size_t len)
{
	int valid = dhcpopt_validate(data, len);

	if (valid < 0)
		return valid;
	view->area[view->num_areas].data = data;
	view->area[view->num_areas].len = (size_t)valid;
	view->num_areas++;
	return 0;
}

int dhcppkt_parse(struct dhcp_packet_view *view, const void *data, size_t len)
{
	const struct dhcphdr *hdr = data;
	uint8_t overload;
	int rc;

	memset(view, 0, sizeof(*view));
	if (len < sizeof(*hdr))
		return errctx(-EINVAL, "DHCP packet of %zu bytes is too short",
			      len);
	if (hdr->magic != htonl(DHCP_MAGIC))
		return errctx(-EINVAL, "DHCP packet has no magic cookie");
	view->hdr = hdr;
	view->len = len;
	if ((rc = view_add_area(view, hdr + 1, len - sizeof(*hdr))) != 0)
		return errctx(rc, "DHCP options overrun the packet");
	/* Option 52 lives in the options field only (RFC 2131 4.1) */
	if (areas_fetch(view->area, 1, DHCP_OVERLOAD, &overload, 1) == 1)
		view->overload = overload;
	else if (areas_fetch(view->area, 1, DHCP_OVERLOAD, NULL, 0) >= 0)
		return errctx(-EINVAL, "DHCP overload option is malformed");
	if (view->overload &
	    ~(unsigned int)(DHCP_OVERLOAD_FILE | DHCP_OVERLOAD_SNAME))
		return errctx(-EINVAL, "DHCP overload %u is invalid",
			      view->overload);
	if ((view->overload & DHCP_OVERLOAD_FILE) &&
	    view_add_area(view, hdr->file, sizeof(hdr->file)) != 0)
		return errctx(-EINVAL, "DHCP options overrun the file field");
	if ((view->overload & DHCP_OVERLOAD_SNAME) &&
	    view_add_area(view, hdr->sname, sizeof(hdr->sname)) != 0)
		return errctx(-EINVAL, "DHCP options overrun the sname field");
	return 0;
}

unsigned int dhcppkt_msgtype(const struct dhcp_packet_view *view)
{
	uint8_t type;

	if (dhcppkt_fetch(view, DHCP_MESSAGE_TYPE, &type, 1) != 1)
		return DHCPNONE;
	return type;
}

/* ------------------------------------------------------------------------
 * Requests
 */

/** What the client asks servers for (option 55), in iPXE's spirit */
static const uint8_t dhcp_request_list[] = {
	DHCP_SUBNET_MASK,
	DHCP_ROUTERS,
	DHCP_DNS_SERVERS,
	DHCP_LOG_SERVERS,
	DHCP_HOST_NAME,
	DHCP_DOMAIN_NAME,
	DHCP_ROOT_PATH,
	DHCP_MTU,
	DHCP_NTP_SERVERS,
	DHCP_VENDOR_ENCAP,
	DHCP_VENDOR_CLASS_ID,
	DHCP_TFTP_SERVER_NAME,
	DHCP_BOOTFILE_NAME,
	DHCP_DOMAIN_SEARCH,
	128,
	129,
	130,
	131,
	132,
	133,
	134,
	135, /* PXE vendor options */
	DHCP_EB_ENCAP,
	DHCP_ISCSI_INITIATOR_IQN,
};

/** The fixed options 60, 93, 94 that say "a PXE client of this kind" */
static void append_pxe_identity(struct dhcp_option_builder *b)
{
	static const uint8_t ndi[] = {DHCP_NDI_TYPE, DHCP_NDI_MAJOR,
				      DHCP_NDI_MINOR};
	char vci[40];
	int len;

	len = snprintf(vci, sizeof(vci), "PXEClient:Arch:%05u:UNDI:%03u%03u",
		       (unsigned int)dhcp_client_architecture, DHCP_NDI_MAJOR,
		       DHCP_NDI_MINOR);
	dhcpopt_append(b, DHCP_VENDOR_CLASS_ID, vci, (size_t)len);
	dhcpopt_append_u16(b, DHCP_CLIENT_ARCHITECTURE,
			   dhcp_client_architecture);
	dhcpopt_append(b, DHCP_CLIENT_NDI, ndi, sizeof(ndi));
}

/** Append a setting's raw value as an option, if it is set */
static void append_setting(struct dhcp_option_builder *b, unsigned int tag,
			   struct settings *settings,
			   const struct setting *setting, const void *dflt,
			   size_t dflt_len)
{
	void *value = NULL;
	int len = fetch_setting_copy(settings, setting, NULL, NULL, &value);

	if (len > 0)
		dhcpopt_append(b, tag, value, (size_t)len);
	else if (dflt)
		dhcpopt_append(b, tag, dflt, dflt_len);
	free(value);
}

/** Option 97: type 0 and the 16-byte machine UUID, if the platform knows it */
static void append_uuid(struct dhcp_option_builder *b)
{
	uint8_t uuid[17];

	uuid[0] = DHCP_CLIENT_UUID_TYPE;
	if (fetch_setting(NULL, &uuid_setting, NULL, NULL, uuid + 1, 16) == 16)
		dhcpopt_append(b, DHCP_CLIENT_UUID, uuid, sizeof(uuid));
}

/** "0.1.0" as three bytes */
static void version_bytes(uint8_t version[3])
{
	const char *p = PRODUCT_VERSION;
	char *end;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		version[i] = (uint8_t)strtoul(p, &end, 10);
		p = (*end == '.') ? end + 1 : end;
	}
}

/** Option 175: feature flags, bus ID, version, and Keel's own marker */
static void append_features(struct dhcp_option_builder *b,
			    struct net_device *netdev)
{
	struct dhcp_feature *feature;
	uint8_t version[3], busid[5];

	for_each_table_entry(feature, DHCP_FEATURES)
		dhcpopt_append_u8(
			b, DHCP_ENCAP_OPT(DHCP_EB_ENCAP, feature->tag), 1);
	if (fetch_setting(&netdev->settings.settings, &busid_setting, NULL,
			  NULL, busid, sizeof(busid)) == (int)sizeof(busid))
		dhcpopt_append(b, DHCP_EB_BUS_ID, busid, sizeof(busid));
	version_bytes(version);
	dhcpopt_append(b, DHCP_EB_VERSION, version, sizeof(version));
	dhcpopt_append(b, DHCP_EB_KEEL, PRODUCT_NAME, strlen(PRODUCT_NAME));
}

/** The fixed fields of a request */
static void fill_header(struct dhcphdr *hdr, struct net_device *netdev,
			uint32_t xid, uint16_t secs, uint32_t ciaddr)
{
	const struct ll_protocol *ll = netdev->ll_protocol;

	memset(hdr, 0, sizeof(*hdr));
	hdr->op = BOOTP_REQUEST;
	hdr->htype = (uint8_t)ntohs(ll->ll_proto);
	hdr->hlen = ll->ll_addr_len;
	hdr->xid = xid;
	hdr->secs = htons(secs);
	hdr->ciaddr.s_addr = ciaddr;
	if (!ciaddr)
		hdr->flags = htons(BOOTP_FL_BROADCAST);
	memcpy(hdr->chaddr, netdev->ll_addr, ll->ll_addr_len);
	hdr->magic = htonl(DHCP_MAGIC);
}

int dhcp_create_request(struct net_device *netdev, unsigned int msgtype,
			uint32_t xid, uint16_t secs, uint32_t ciaddr,
			const void *extra, size_t extra_len, void *data,
			size_t max_len)
{
	const struct ll_protocol *ll = netdev->ll_protocol;
	struct dhcphdr *hdr = data;
	struct dhcp_option_builder b;
	uint8_t client_id[1 + MAX_LL_ADDR_LEN];
	size_t mtu = netdev->mtu ? netdev->mtu : 1500;
	int len;

	if (max_len < DHCP_MAX_LEN || ll->ll_addr_len > MAX_LL_ADDR_LEN)
		return -ENOSPC;
	fill_header(hdr, netdev, xid, secs, ciaddr);
	dhcpopt_build_init(&b, hdr + 1, max_len - sizeof(*hdr));
	dhcpopt_append_u8(&b, DHCP_MESSAGE_TYPE, (uint8_t)msgtype);
	dhcpopt_append_u16(&b, DHCP_MAX_MESSAGE_SIZE,
			   (uint16_t)(mtu > 1500 ? 1472 : mtu - 28));
	client_id[0] = hdr->htype;
	memcpy(client_id + 1, netdev->ll_addr, ll->ll_addr_len);
	dhcpopt_append(&b, DHCP_CLIENT_ID, client_id, 1U + ll->ll_addr_len);
	dhcpopt_append(&b, DHCP_PARAMETER_REQUEST_LIST, dhcp_request_list,
		       sizeof(dhcp_request_list));
	append_pxe_identity(&b);
	append_uuid(&b);
	/* Raw "iPXE", not RFC 3004 framing: what existing configs match */
	append_setting(&b, DHCP_USER_CLASS_ID, NULL, &user_class_setting,
		       "iPXE", 4);
	append_setting(&b, DHCP_HOST_NAME, NULL, &hostname_setting, NULL, 0);
	append_features(&b, netdev);
	if (extra_len && b.len + extra_len + 1 <= b.max) {
		memcpy(b.data + b.len, extra, extra_len);
		b.len += extra_len;
	} else if (extra_len) {
		return -ENOSPC;
	}
	if ((len = dhcpopt_build_end(&b)) < 0)
		return len;
	len += (int)sizeof(*hdr);
	if (len < DHCP_MIN_LEN) {
		memset((uint8_t *)data + len, DHCP_PAD, DHCP_MIN_LEN - len);
		len = DHCP_MIN_LEN;
	}
	return len;
}

/* ------------------------------------------------------------------------
 * Storing a packet as settings
 */

/** Store one value under @tag, named by its definition or by its number */
static int store_tag(struct settings *settings, unsigned int tag,
		     const void *value, size_t len)
{
	const struct setting *def;
	struct setting setting;
	char name[12];

	if (!len)
		return 0;
	memset(&setting, 0, sizeof(setting));
	for_each_table_entry(def, SETTINGS) {
		if (def->tag == tag && !def->scope) {
			setting = *def;
			break;
		}
	}
	if (!setting.name) {
		if (DHCP_ENCAPSULATOR(tag))
			snprintf(name, sizeof(name), "%u.%u",
				 DHCP_ENCAPSULATOR(tag),
				 DHCP_ENCAPSULATED(tag));
		else
			snprintf(name, sizeof(name), "%u", tag);
		setting.name = name;
		setting.tag = tag;
	}
	return store_setting(settings, &setting, value, len);
}

/** What storing a packet walks with */
struct store_ctx {
	struct settings *settings;
	const struct dhcp_packet_view *view;
	/** Encapsulator's value while walking its sub-options, else NULL */
	const uint8_t *outer;
	size_t outer_len;
	unsigned int outer_tag;
};

/** Store one sub-option of the encapsulator being walked */
static int store_inner(void *ctx_ptr, unsigned int inner)
{
	struct store_ctx *ctx = ctx_ptr;
	unsigned int tag = DHCP_ENCAP_OPT(ctx->outer_tag, inner);
	int len = dhcpopt_fetch(ctx->outer, ctx->outer_len, inner, NULL, 0);
	uint8_t *value;
	int rc;

	if (len <= 0)
		return 0;
	if (!(value = malloc((size_t)len)))
		return -ENOMEM;
	dhcpopt_fetch(ctx->outer, ctx->outer_len, inner, value, (size_t)len);
	rc = store_tag(ctx->settings, tag, value, (size_t)len);
	free(value);
	return rc;
}

/** Store one top-level option, and its sub-options if it encapsulates */
static int store_outer(void *ctx_ptr, unsigned int tag)
{
	struct store_ctx *ctx = ctx_ptr;
	int len = dhcppkt_fetch(ctx->view, tag, NULL, 0), rc;
	uint8_t *value;

	if (len <= 0)
		return 0;
	if (!(value = malloc((size_t)len)))
		return -ENOMEM;
	dhcppkt_fetch(ctx->view, tag, value, (size_t)len);
	rc = store_tag(ctx->settings, tag, value, (size_t)len);
	if (rc == 0 && (tag == DHCP_VENDOR_ENCAP || tag == DHCP_EB_ENCAP) &&
	    dhcpopt_validate(value, (size_t)len) >= 0) {
		ctx->outer = value;
		ctx->outer_len = (size_t)len;
		ctx->outer_tag = tag;
		rc = dhcpopt_for_each_tag(value, (size_t)len, store_inner, ctx);
		ctx->outer = NULL;
	}
	free(value);
	return rc;
}

/** Store a NUL-padded fixed field as a string setting, if not empty */
static int store_field(struct settings *settings, unsigned int tag,
		       const char *field, size_t max)
{
	size_t len = strnlen(field, max);

	return len ? store_tag(settings, tag, field, len) : 0;
}

/** Store an address field, if not 0.0.0.0 */
static int store_addr(struct settings *settings, const struct setting *def,
		      struct in_addr addr)
{
	if (!addr.s_addr)
		return 0;
	return store_setting(settings, def, &addr, sizeof(addr));
}

int dhcp_store_packet(struct settings *settings, const void *data, size_t len)
{
	struct dhcp_packet_view view;
	struct store_ctx ctx = {.settings = settings, .view = &view};
	const struct dhcphdr *hdr = data;
	unsigned int i;
	int rc;

	if ((rc = dhcppkt_parse(&view, data, len)) != 0)
		return rc;
	for (i = 0; i < view.num_areas; i++) {
		rc = dhcpopt_for_each_tag(view.area[i].data, view.area[i].len,
					  store_outer, &ctx);
		if (rc)
			return rc;
	}
	if ((rc = store_addr(settings, &ip_setting, hdr->yiaddr)) ||
	    (rc = store_addr(settings, &next_server_setting, hdr->siaddr)))
		return rc;
	if (!(view.overload & DHCP_OVERLOAD_FILE) &&
	    (rc = store_field(settings, DHCP_BOOTFILE_NAME, hdr->file,
			      sizeof(hdr->file))))
		return rc;
	if (!(view.overload & DHCP_OVERLOAD_SNAME) &&
	    (rc = store_field(settings, DHCP_TFTP_SERVER_NAME, hdr->sname,
			      sizeof(hdr->sname))))
		return rc;
	return 0;
}
