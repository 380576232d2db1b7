/* Self-tests: DHCP options, RFC 3396, overload, requests, stored replies. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <keel/dhcp.h>
#include <keel/dhcpopts.h>
#include <keel/netdevice.h>
#include <keel/settings.h>
#include <keel/test.h>

/* The DNS feature flag is checked in the request */
REQUIRE_OBJECT(dns);

/** True if @rc is an error with @code's code */
static int fails(int rc, int code)
{
	return rc < 0 && err_code(rc) == (code & 0xff);
}

/* ------------------------------------------------------------------------
 * Building
 */

static void dhcp_build_test(void)
{
	struct dhcp_option_builder b;
	uint8_t buf[600], big[300], small[8];
	unsigned int i;
	int len;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	dhcpopt_build_init(&b, buf, sizeof(buf));
	ok(dhcpopt_append_u8(&b, DHCP_MESSAGE_TYPE, DHCPDISCOVER) == 0);
	ok(dhcpopt_append_u16(&b, DHCP_MAX_MESSAGE_SIZE, 1472) == 0);
	ok(memcmp(buf, "\x35\x01\x01\x39\x02\x05\xc0", 7) == 0);
	/* RFC 3396: 300 bytes become 255 + 45 under the same tag */
	ok(dhcpopt_append(&b, 120, big, sizeof(big)) == 0);
	ok(buf[7] == 120 && buf[8] == 255 && buf[9] == 0 && buf[263] == 254);
	ok(buf[264] == 120 && buf[265] == 45 && buf[266] == 255);
	/* Encapsulated options share one trailing encapsulator */
	ok(dhcpopt_append_u8(&b, DHCP_ENCAP_OPT(175, 19), 1) == 0);
	ok(dhcpopt_append_u8(&b, DHCP_ENCAP_OPT(175, 23), 1) == 0);
	ok(memcmp(&buf[311], "\xaf\x06\x13\x01\x01\x17\x01\x01", 8) == 0);
	/* A zero-length option */
	ok(dhcpopt_append(&b, 80, NULL, 0) == 0);
	ok(buf[319] == 80 && buf[320] == 0);
	len = dhcpopt_build_end(&b);
	ok(len == 322 && buf[321] == DHCP_END);
	ok(dhcpopt_validate(buf, (size_t)len) == 321);
	ok(dhcpopt_fetch(buf, (size_t)len, 120, NULL, 0) == 300);
	ok(dhcpopt_fetch(buf, (size_t)len, DHCP_ENCAP_OPT(175, 23), small,
			 sizeof(small)) == 1 &&
	   small[0] == 1);
	ok(dhcpopt_fetch(buf, (size_t)len, 80, NULL, 0) == 0);
	ok(fails(dhcpopt_fetch(buf, (size_t)len, 81, NULL, 0), ENOENT));
	/* PAD and END are not options; tags above 16 bits are refused */
	ok(fails(dhcpopt_append(&b, DHCP_PAD, "x", 1), EINVAL));
	ok(fails(dhcpopt_append(&b, DHCP_END, "x", 1), EINVAL));
	ok(fails(dhcpopt_append(&b, 0x10000 | 1, "x", 1), EINVAL));

	/* Out of room: the block is left as it was, and stays failed */
	dhcpopt_build_init(&b, small, sizeof(small));
	ok(dhcpopt_append(&b, 12, "abcd", 4) == 0);
	ok(fails(dhcpopt_append(&b, 12, "abcd", 4), ENOSPC));
	ok(b.len == 6);
	ok(fails(dhcpopt_build_end(&b), ENOSPC));
	dhcpopt_build_init(&b, small, sizeof(small));
	ok(dhcpopt_append(&b, 12, "abcde", 5) == 0);
	ok(dhcpopt_build_end(&b) == 8);
}

/* ------------------------------------------------------------------------
 * Validating option blocks
 */

static void dhcp_validate_test(void)
{
	static const uint8_t good[] = {0,   0, 1, 4,   255, 255,
				       255, 0, 0, 255, 7,   7};
	static const uint8_t no_end[] = {3, 4, 10, 0, 0, 1, 0, 0};
	static const uint8_t overrun[] = {3, 4, 10, 0, 0};
	static const uint8_t lone_tag[] = {0, 0, 3};
	static const uint8_t zero_len[] = {80, 0, 12, 1, 'h', 255};
	uint8_t value[4];

	ok(dhcpopt_validate(good, sizeof(good)) == 9);
	/* Bytes after END are ignored, whatever they are */
	ok(fails(dhcpopt_fetch(good, sizeof(good), 7, NULL, 0), ENOENT));
	ok(dhcpopt_fetch(good, sizeof(good), 1, value, sizeof(value)) == 4 &&
	   memcmp(value, "\xff\xff\xff\x00", 4) == 0);
	/* A missing END is accepted: the area's end ends the block */
	ok(dhcpopt_validate(no_end, sizeof(no_end)) == (int)sizeof(no_end));
	ok(dhcpopt_fetch(no_end, sizeof(no_end), 3, NULL, 0) == 4);
	/* An option running past the end is rejected */
	ok(fails(dhcpopt_validate(overrun, sizeof(overrun)), EINVAL));
	ok(fails(dhcpopt_fetch(overrun, sizeof(overrun), 3, NULL, 0), EINVAL));
	ok(fails(dhcpopt_validate(lone_tag, sizeof(lone_tag)), EINVAL));
	ok(dhcpopt_validate(zero_len, sizeof(zero_len)) == 5);
	ok(dhcpopt_fetch(zero_len, sizeof(zero_len), 80, NULL, 0) == 0);
	ok(dhcpopt_validate(NULL, 0) == 0);
}

/* ------------------------------------------------------------------------
 * Packets: overload and concatenation across fields
 */

/** A reply being made up for a test */
struct test_reply {
	struct dhcphdr hdr;
	uint8_t options[200];
} __attribute__((packed));

/** A reply with yiaddr 10.0.0.5 from 10.0.0.1; options as given */
static size_t make_reply(struct test_reply *reply, const void *options,
			 size_t len)
{
	memset(reply, 0, sizeof(*reply));
	reply->hdr.op = BOOTP_REPLY;
	reply->hdr.htype = 1;
	reply->hdr.hlen = 6;
	reply->hdr.xid = htonl(0x12345678);
	reply->hdr.yiaddr.s_addr = htonl(0x0a000005);
	reply->hdr.siaddr.s_addr = htonl(0x0a000002);
	reply->hdr.magic = htonl(DHCP_MAGIC);
	memcpy(reply->options, options, len);
	return sizeof(reply->hdr) + len;
}

static const uint8_t reply_opts[] = {
	53,  1, DHCPACK, 54,  4,   10,	0,  0, 1, 52,
	1,   3,				/* file and sname overloaded */
	15,  4, 'e',	 'x', 'a', 'm', /* continued in file, sname */
	6,   8, 10,	 0,   0,   1,	10, 0, 0, 9, /* two DNS servers */
	175, 6, 19,	 1,   1,   2,	1,  7,	     /* 175.19 = 1, 175.2 */
	43,  3, 6,	 1,   8,		     /* 43.6 = 8 */
	80,  0,					     /* zero-length */
	255,
};

/** The file and sname fields of the overloaded reply */
static void fill_overload(struct test_reply *reply)
{
	static const uint8_t file[] = {15,  3,	 'p', 'l', 'e', 0,   0,
				       67,  9,	 'b', 'o', 'o', 't', '.',
				       'i', 'p', 'x', 'e', 255};
	static const uint8_t sname[] = {15, 4, '.', 'c', 'o', 'm', 255};

	memcpy(reply->hdr.file, file, sizeof(file));
	memcpy(reply->hdr.sname, sname, sizeof(sname));
}

static void dhcp_packet_test(void)
{
	struct test_reply reply;
	struct dhcp_packet_view view;
	struct in_addr addr;
	char text[32];
	size_t len = make_reply(&reply, reply_opts, sizeof(reply_opts));

	fill_overload(&reply);
	ok(dhcppkt_parse(&view, &reply, len) == 0);
	ok(view.num_areas == 3 && view.overload == 3);
	ok(dhcppkt_msgtype(&view) == DHCPACK);
	/* RFC 3396: options field, then file, then sname */
	memset(text, 0, sizeof(text));
	ok(dhcppkt_fetch(&view, DHCP_DOMAIN_NAME, text, sizeof(text)) == 11);
	ok(strcmp(text, "example.com") == 0);
	memset(text, 0, sizeof(text));
	ok(dhcppkt_fetch(&view, DHCP_BOOTFILE_NAME, text, sizeof(text)) == 9 &&
	   strcmp(text, "boot.ipxe") == 0);
	/* A short buffer gets the start; the full length is returned */
	memset(text, 0, sizeof(text));
	ok(dhcppkt_fetch(&view, DHCP_DOMAIN_NAME, text, 3) == 11 &&
	   strcmp(text, "exa") == 0);
	ok(dhcppkt_fetch(&view, DHCP_SERVER_IDENTIFIER, &addr, 4) == 4 &&
	   addr.s_addr == htonl(0x0a000001));
	ok(dhcppkt_fetch(&view, DHCP_ENCAP_OPT(175, 19), text, 1) == 1 &&
	   text[0] == 1);
	ok(fails(dhcppkt_fetch(&view, DHCP_ENCAP_OPT(175, 20), NULL, 0),
		 ENOENT));
	ok(fails(dhcppkt_fetch(&view, DHCP_ENCAP_OPT(44, 1), NULL, 0), ENOENT));

	/* Without overload, file and sname are plain fields */
	len = make_reply(&reply, "\x35\x01\x05\xff", 4);
	strcpy(reply.hdr.file, "\x0f\x03"
			       "abc");
	ok(dhcppkt_parse(&view, &reply, len) == 0 && view.num_areas == 1);
	ok(fails(dhcppkt_fetch(&view, DHCP_DOMAIN_NAME, NULL, 0), ENOENT));
}

static void dhcp_malformed_test(void)
{
	static const uint8_t overrun[] = {53, 1, 5, 12, 40, 'x'};
	static const uint8_t bad_overload[] = {52, 1, 4, 255};
	static const uint8_t long_overload[] = {52, 2, 1, 1, 255};
	static const uint8_t bad_encap[] = {175, 3, 19, 5, 1, 255};
	struct test_reply reply;
	struct dhcp_packet_view view;
	size_t len;

	len = make_reply(&reply, "\xff", 1);
	ok(fails(dhcppkt_parse(&view, &reply, sizeof(reply.hdr) - 1), EINVAL));
	ok(fails(dhcppkt_parse(&view, &reply, 10), EINVAL));
	/* A header and magic alone are a valid packet, with no options */
	ok(dhcppkt_parse(&view, &reply, sizeof(reply.hdr)) == 0);
	ok(dhcppkt_msgtype(&view) == DHCPNONE);
	reply.hdr.magic = 0;
	ok(fails(dhcppkt_parse(&view, &reply, len), EINVAL));

	len = make_reply(&reply, overrun, sizeof(overrun));
	ok(fails(dhcppkt_parse(&view, &reply, len), EINVAL));
	len = make_reply(&reply, bad_overload, sizeof(bad_overload));
	ok(fails(dhcppkt_parse(&view, &reply, len), EINVAL));
	len = make_reply(&reply, long_overload, sizeof(long_overload));
	ok(fails(dhcppkt_parse(&view, &reply, len), EINVAL));
	/* Overloaded fields must hold valid options too */
	len = make_reply(&reply, "\x34\x01\x01\xff", 4);
	memset(reply.hdr.file, 'x', sizeof(reply.hdr.file));
	ok(fails(dhcppkt_parse(&view, &reply, len), EINVAL));
	memset(reply.hdr.file, 0, sizeof(reply.hdr.file));
	ok(dhcppkt_parse(&view, &reply, len) == 0 && view.num_areas == 2);
	/* A malformed encapsulated block: the packet stands, the inner
	 * options cannot be read */
	len = make_reply(&reply, bad_encap, sizeof(bad_encap));
	ok(dhcppkt_parse(&view, &reply, len) == 0);
	ok(dhcppkt_fetch(&view, DHCP_EB_ENCAP, NULL, 0) == 3);
	ok(fails(dhcppkt_fetch(&view, DHCP_ENCAP_OPT(175, 19), NULL, 0),
		 EINVAL));
}

/* ------------------------------------------------------------------------
 * Storing a reply as settings
 */

/** A generic block for the tests */
struct test_dhcp_block {
	struct refcnt refcnt;
	struct generic_settings generic;
};

static void test_dhcp_block_free(struct refcnt *refcnt)
{
	struct test_dhcp_block *block =
		container_of(refcnt, struct test_dhcp_block, refcnt);

	generic_settings_clear(&block->generic.settings);
}

static void test_dhcp_block_init(struct test_dhcp_block *block)
{
	memset(block, 0, sizeof(*block));
	ref_init(&block->refcnt, test_dhcp_block_free);
	generic_settings_init(&block->generic, &block->refcnt);
}

/** True if @name fetches and formats exactly as @value */
static int shows(const char *name, const char *value)
{
	char buf[64];
	int len = fetchf_named_setting(name, buf, sizeof(buf));

	return len == (int)strlen(value) && strcmp(buf, value) == 0;
}

static void dhcp_store_test(void)
{
	static struct test_dhcp_block block;
	struct settings *settings = &block.generic.settings;
	struct test_reply reply;
	uint8_t dns[8];
	size_t len = make_reply(&reply, reply_opts, sizeof(reply_opts));
	struct setting dns_def = dns_setting;

	fill_overload(&reply);
	test_dhcp_block_init(&block);
	ok(dhcp_store_packet(settings, &reply, len) == 0);
	ok(register_settings(settings, NULL, "dhcptest") == 0);
	ok(shows("dhcptest/ip", "10.0.0.5"));
	ok(shows("dhcptest/next-server", "10.0.0.2"));
	ok(shows("dhcptest/domain", "example.com"));
	ok(shows("dhcptest/filename", "boot.ipxe"));
	ok(shows("dhcptest/dhcp-server", "10.0.0.1"));
	ok(shows("dhcptest/53:uint8", "0x5"));
	ok(shows("dhcptest/175.19:uint8", "0x1"));
	ok(shows("dhcptest/175:hex", "13:01:01:02:01:07"));
	ok(shows("dhcptest/43.6:int8", "8"));
	/* 175.2 (ip) came from the option, then yiaddr replaced it */
	ok(shows("dhcptest/175.2:ipv4", "10.0.0.5"));
	/* Both DNS servers are kept, in order */
	ok(fetch_setting(settings, &dns_def, NULL, NULL, dns, sizeof(dns)) ==
		   8 &&
	   memcmp(dns, "\x0a\x00\x00\x01\x0a\x00\x00\x09", 8) == 0);
	/* Zero-length options and overload's fields are not stored */
	ok(fetchf_named_setting("dhcptest/80", NULL, 0) < 0);
	ok(fetchf_named_setting("dhcptest/66", NULL, 0) < 0);
	unregister_settings(settings);

	/* Without overload: file and sname become filename and option 66 */
	test_dhcp_block_init(&block);
	len = make_reply(&reply, "\x35\x01\x05\x2b\x02\x09\x00\xff", 8);
	reply.hdr.yiaddr.s_addr = 0;
	strcpy(reply.hdr.file, "pxelinux.0");
	strcpy(reply.hdr.sname, "tftp.example");
	ok(dhcp_store_packet(settings, &reply, len) == 0);
	ok(register_settings(settings, NULL, "dhcptest") == 0);
	ok(shows("dhcptest/filename", "pxelinux.0"));
	ok(shows("dhcptest/66", "tftp.example"));
	ok(fetchf_named_setting("dhcptest/ip", NULL, 0) < 0);
	/* 43.9 was empty: 43 is stored, the empty sub-option is not */
	ok(shows("dhcptest/43:hex", "09:00"));
	ok(fetchf_named_setting("dhcptest/43.9", NULL, 0) < 0);
	unregister_settings(settings);

	/* A malformed packet stores nothing */
	test_dhcp_block_init(&block);
	len = make_reply(&reply, "\x35\x01\x05\x0c\x09xy", 7);
	ok(fails(dhcp_store_packet(settings, &reply, len), EINVAL));
	ok(fetch_setting(settings, &ip_setting, NULL, NULL, NULL, 0) < 0);
	ok(block.refcnt.count == 0);
}

/* ------------------------------------------------------------------------
 * The DISCOVER packet, field by field
 */

static const uint8_t test_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t test_uuid[16] = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00,
};

static const struct ll_protocol test_ll = {
	.name = "test",
	.ll_proto = htons(1),
	.hw_addr_len = 6,
	.ll_addr_len = 6,
};

/** A machine-identity block that knows only the UUID */
static int test_smbios_applies(struct settings *settings,
			       const struct setting *setting)
{
	return setting->scope == &smbios_scope;
}

static int test_smbios_fetch(struct settings *settings, struct setting *setting,
			     void *data, size_t len)
{
	if (setting_cmp(setting, &uuid_setting) != 0)
		return -ENOENT;
	memcpy(data, test_uuid, len < 16 ? len : 16);
	return 16;
}

static const struct settings_operations test_smbios_ops = {
	.applies = test_smbios_applies,
	.fetch = test_smbios_fetch,
};

/** True if option @tag of the request is exactly @value */
static int has_opt(const struct dhcp_packet_view *view, unsigned int tag,
		   const void *value, size_t len)
{
	uint8_t buf[64];

	return dhcppkt_fetch(view, tag, buf, sizeof(buf)) == (int)len &&
	       memcmp(buf, value, len) == 0;
}

/** True if option 55 lists every tag of @want */
static int requests_all(const struct dhcp_packet_view *view,
			const uint8_t *want, size_t n)
{
	uint8_t list[64];
	int len = dhcppkt_fetch(view, DHCP_PARAMETER_REQUEST_LIST, list,
				sizeof(list));

	while (len > 0 && n--) {
		if (!memchr(list, want[n], (size_t)len))
			return 0;
	}
	return len > 0;
}

static void dhcp_discover_test(void)
{
	static const uint8_t want[] = {1,   3,	 6,   12,  15,	17,  43,
				       60,  66,	 67,  119, 128, 129, 130,
				       131, 132, 133, 134, 135, 175, 203};
	static const char vci[] = "PXEClient:Arch:00000:UNDI:002001";
	static struct net_device netdev;
	static struct settings smbios;
	static uint8_t pkt[DHCP_MAX_LEN];
	struct dhcp_packet_view view;
	const struct dhcphdr *hdr = (const void *)pkt;
	uint8_t uuid[17] = {0}, client_id[7] = {1};
	uint8_t busid[5] = {1, 0x80, 0x86, 0x10, 0x0e};
	int len;

	memset(&netdev, 0, sizeof(netdev));
	netdev.ll_protocol = &test_ll;
	memcpy(netdev.ll_addr, test_mac, 6);
	netdev.mtu = 1500;
	generic_settings_init(&netdev.settings, NULL);
	/* A name of its own, ahead of any real machine-identity block */
	settings_init(&smbios, &test_smbios_ops, NULL, &smbios_scope);
	smbios.priority = 127;
	ok(register_settings(&smbios, NULL, "dhcp-test-smbios") == 0);
	ok(store_setting(&netdev.settings.settings, &busid_setting, busid,
			 sizeof(busid)) == 0);

	len = dhcp_create_request(&netdev, DHCPDISCOVER, htonl(0xdeadbeef), 3,
				  0, NULL, 0, pkt, sizeof(pkt));
	ok(len >= DHCP_MIN_LEN && len <= DHCP_MAX_LEN);
	ok(dhcppkt_parse(&view, pkt, (size_t)len) == 0);
	ok(hdr->op == BOOTP_REQUEST && hdr->htype == 1 && hdr->hlen == 6);
	ok(hdr->hops == 0 && hdr->xid == htonl(0xdeadbeef));
	ok(hdr->secs == htons(3) && hdr->flags == htons(BOOTP_FL_BROADCAST));
	ok(hdr->ciaddr.s_addr == 0 && hdr->yiaddr.s_addr == 0 &&
	   hdr->siaddr.s_addr == 0 && hdr->giaddr.s_addr == 0);
	ok(memcmp(hdr->chaddr, test_mac, 6) == 0 && hdr->chaddr[6] == 0);
	ok(hdr->sname[0] == 0 && hdr->file[0] == 0);
	ok(hdr->magic == htonl(DHCP_MAGIC));
	/* 53, 57, 60, 61, 77, 93, 94, 97 */
	ok(dhcppkt_msgtype(&view) == DHCPDISCOVER);
	ok(has_opt(&view, DHCP_MAX_MESSAGE_SIZE, "\x05\xc0", 2));
	ok(has_opt(&view, DHCP_VENDOR_CLASS_ID, vci, strlen(vci)));
	memcpy(client_id + 1, test_mac, 6);
	ok(has_opt(&view, DHCP_CLIENT_ID, client_id, sizeof(client_id)));
	ok(has_opt(&view, DHCP_USER_CLASS_ID, "iPXE", 4));
	ok(has_opt(&view, DHCP_CLIENT_ARCHITECTURE, "\x00\x00", 2));
	ok(has_opt(&view, DHCP_CLIENT_NDI, "\x01\x02\x01", 3));
	memcpy(uuid + 1, test_uuid, 16);
	ok(has_opt(&view, DHCP_CLIENT_UUID, uuid, sizeof(uuid)));
	ok(requests_all(&view, want, sizeof(want)));
	/* 175: version, Keel's marker, bus ID, and the DNS feature */
	ok(has_opt(&view, DHCP_EB_VERSION, "\x00\x01\x00", 3));
	ok(has_opt(&view, DHCP_EB_KEEL, "Keel", 4));
	ok(has_opt(&view, DHCP_EB_BUS_ID, busid, sizeof(busid)));
	ok(has_opt(&view, DHCP_ENCAP_OPT(175, DHCP_EB_FEATURE_DNS), "\x01", 1));
	/* Nothing a DISCOVER should not carry */
	ok(dhcppkt_fetch(&view, DHCP_SERVER_IDENTIFIER, NULL, 0) < 0);
	ok(dhcppkt_fetch(&view, DHCP_REQUESTED_ADDRESS, NULL, 0) < 0);
	ok(dhcppkt_fetch(&view, DHCP_HOST_NAME, NULL, 0) < 0);

	/* ${user-class} and ${hostname} change what is sent; extras follow */
	ok(storef_named_setting("user-class", "lab") == 0);
	ok(storef_named_setting("hostname", "box1") == 0);
	len = dhcp_create_request(&netdev, DHCPREQUEST, 1, 0, htonl(0x0a000005),
				  "\x32\x04\x0a\x00\x00\x05", 6, pkt,
				  sizeof(pkt));
	ok(dhcppkt_parse(&view, pkt, (size_t)len) == 0);
	ok(dhcppkt_msgtype(&view) == DHCPREQUEST);
	ok(hdr->flags == 0 && hdr->ciaddr.s_addr == htonl(0x0a000005));
	ok(has_opt(&view, DHCP_USER_CLASS_ID, "lab", 3));
	ok(has_opt(&view, DHCP_HOST_NAME, "box1", 4));
	ok(has_opt(&view, DHCP_REQUESTED_ADDRESS, "\x0a\x00\x00\x05", 4));
	ok(delete_named_setting("user-class") == 0);
	ok(delete_named_setting("hostname") == 0);
	ok(fails(dhcp_create_request(&netdev, DHCPREQUEST, 1, 0, 0, NULL, 0,
				     pkt, 100),
		 ENOSPC));

	unregister_settings(&smbios);
	generic_settings_clear(&netdev.settings.settings);
}

struct self_test dhcp_test __self_test = {
	.name = "dhcp",
	.exec = dhcp_build_test,
};
struct self_test dhcp_validate_test_entry __self_test = {
	.name = "dhcp-validate",
	.exec = dhcp_validate_test,
};
struct self_test dhcp_packet_test_entry __self_test = {
	.name = "dhcp-packet",
	.exec = dhcp_packet_test,
};
struct self_test dhcp_malformed_test_entry __self_test = {
	.name = "dhcp-malformed",
	.exec = dhcp_malformed_test,
};
struct self_test dhcp_store_test_entry __self_test = {
	.name = "dhcp-store",
	.exec = dhcp_store_test,
};
struct self_test dhcp_discover_test_entry __self_test = {
	.name = "dhcp-discover",
	.exec = dhcp_discover_test,
};
