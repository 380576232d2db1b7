/* DHCP option blocks: build and parse, RFC 3396 long options, overload. */
#ifndef KEEL_DHCPOPTS_H
#define KEEL_DHCPOPTS_H
#include <stddef.h>
#include <stdint.h>

struct net_device;
struct settings;

/*
 * Wire format: a sequence of options, each tag (1 byte), length (1 byte),
 * value; tag 0 (PAD) stands alone, tag 255 (END) ends the block.
 *
 * A value longer than 255 bytes is sent as several options with the same
 * tag, which the receiver concatenates in order (RFC 3396), across the
 * options field and then, if option 52 says so, the file and sname fields.
 *
 * Tags as settings know them: an option inside an encapsulating option
 * (43 or 175) is (outer << 8) | inner, e.g. 175.19 is 0xaf13.
 */

/* ------------------------------------------------------------------------
 * Building
 */

/** An option block being built in a caller's buffer */
struct dhcp_option_builder {
	uint8_t *data;
	/** Capacity */
	size_t max;
	/** Bytes used, END not included */
	size_t len;
	/** 0, or the first error (-ENOSPC): later appends do nothing */
	int rc;
};

/** Start an empty block in @data of @max bytes */
void dhcpopt_build_init(struct dhcp_option_builder *b, void *data, size_t max);
/**
 * Append an option; a value over 255 bytes becomes several options with
 * the same tag (RFC 3396). An encapsulated tag is appended inside a
 * trailing option of its encapsulator, or a new one.
 *
 * @ret rc	0, or -ENOSPC (the block is left as before the call)
 */
int dhcpopt_append(struct dhcp_option_builder *b, unsigned int tag,
		   const void *value, size_t len);
/** Append a one-byte option */
int dhcpopt_append_u8(struct dhcp_option_builder *b, unsigned int tag,
		      uint8_t value);
/** Append a two-byte option, network order */
int dhcpopt_append_u16(struct dhcp_option_builder *b, unsigned int tag,
		       uint16_t value);
/**
 * Terminate the block with END.
 *
 * @ret len	bytes used including END, or the first error
 */
int dhcpopt_build_end(struct dhcp_option_builder *b);

/* ------------------------------------------------------------------------
 * Parsing
 */

/**
 * Check an option area: every option must fit inside it. PAD bytes are
 * skipped; a missing END is accepted (the area's end ends it).
 *
 * @ret len	bytes up to (not including) END, or -EINVAL
 */
int dhcpopt_validate(const void *data, size_t len);

/** Where one area's options live */
struct dhcp_option_area {
	const uint8_t *data;
	size_t len;
};

/**
 * A received packet's options, in RFC 3396 concatenation order: the
 * options field, then file, then sname (when option 52 overloads them).
 */
struct dhcp_packet_view {
	/** The fixed header */
	const struct dhcphdr *hdr;
	/** Whole packet length */
	size_t len;
	/** Option areas, each validated */
	struct dhcp_option_area area[3];
	unsigned int num_areas;
	/** Option 52's value (0: not overloaded) */
	unsigned int overload;
};

/**
 * Parse and validate a BOOTP/DHCP packet (either direction).
 *
 * @ret rc	0, or -EINVAL (too short, bad magic, an option overruns
 *		its area, bad overload)
 */
int dhcppkt_parse(struct dhcp_packet_view *view, const void *data, size_t len);

/**
 * Fetch an option's value, concatenated over every instance (RFC 3396).
 * For an encapsulated tag, the encapsulator is concatenated first and the
 * inner option looked up (and concatenated) inside it.
 *
 * @buf		buffer (may be NULL if @len is 0)
 * @ret len	full value length, -ENOENT, or -EINVAL (a malformed
 *		encapsulated block)
 */
int dhcppkt_fetch(const struct dhcp_packet_view *view, unsigned int tag,
		  void *buf, size_t len);

/**
 * As dhcppkt_fetch(), on one raw option block (no overload), e.g. the
 * value of option 43 or 175 kept in a setting.
 */
int dhcpopt_fetch(const void *data, size_t data_len, unsigned int tag,
		  void *buf, size_t len);

/**
 * Call @fn once per distinct option tag found in a block, in order of
 * first appearance.
 *
 * @ret rc	0, or the first non-zero value of @fn
 */
int dhcpopt_for_each_tag(const void *data, size_t len,
			 int (*fn)(void *ctx, unsigned int tag), void *ctx);

/** The message type (option 53) of a packet, or DHCPNONE */
unsigned int dhcppkt_msgtype(const struct dhcp_packet_view *view);

/* ------------------------------------------------------------------------
 * Packets and settings
 */

/**
 * Build a DHCP request as the client sends it: fixed fields (broadcast
 * flag set when @ciaddr is 0), then options 53, 57, 61, 55, 60, 93, 94,
 * 97 (if ${uuid} is known), 77 (${user-class}, default "iPXE"), 12 (if
 * ${hostname} is set), 175 (features, bus ID, version, "Keel"), then
 * @extra (already-encoded options, may be NULL), then END, padded to
 * DHCP_MIN_LEN.
 *
 * @data	buffer of at least DHCP_MAX_LEN bytes
 * @ret len	packet length, or negative error
 */
int dhcp_create_request(struct net_device *netdev, unsigned int msgtype,
			uint32_t xid, uint16_t secs, uint32_t ciaddr,
			const void *extra, size_t extra_len, void *data,
			size_t max_len);

/**
 * Store a received packet in a generic settings block: every option
 * (RFC 3396 concatenated, overloaded fields included) under its tag,
 * named as its definition if one exists, else by number ("125",
 * "175.19"); each sub-option of 43 and 175 as an encapsulated tag (when
 * the option parses as an option block); yiaddr as ${ip}, siaddr as
 * ${next-server}, the file field as ${filename} and sname as option 66
 * unless overloaded (option 67/66 are used if the field is empty).
 * Zero-length options are not stored (an empty value means "unset").
 * The block should not be registered yet: each store then costs nothing.
 *
 * @ret rc	0, -EINVAL for a malformed packet (nothing stored), -ENOMEM
 */
int dhcp_store_packet(struct settings *settings, const void *data, size_t len);

#endif /* KEEL_DHCPOPTS_H */
