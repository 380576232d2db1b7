/* The PXE 2.1 API's structures, opcodes and status codes: the facts that Keel's caller (undinet) and provider (pxe_api) share. */
#ifndef X86_PXE_H
#define X86_PXE_H
#include <stdint.h>

/*
 * Written from the Preboot Execution Environment Specification 2.1
 * (Intel, 1999). Every structure is packed and little-endian and lives in
 * base memory, where a real-mode PXE stack addresses it as segment:offset.
 * IP addresses and UDP ports are in network byte order, as on the wire.
 */

/** A real-mode far pointer as stored in PXE structures: offset, segment */
struct pxe_segoff {
	uint16_t offset;
	uint16_t segment;
} __attribute__((packed));

/* ------------------------------------------------------------------------
 * Installation structures
 */

/** PXENV+ (the 2.0 entry structure; 2.1 stacks keep it for old callers) */
struct pxe_pxenv {
	char signature[6]; /* "PXENV+" */
	uint16_t version;  /* 0x0201 for PXE 2.1 */
	uint8_t length;	   /* PXE_PXENV_STRUCT_LEN */
	uint8_t checksum;  /* the bytes of the structure sum to 0 */
	struct pxe_segoff rm_entry;
	uint32_t pm_offset;
	uint16_t pm_selector;
	uint16_t stack_seg, stack_size;
	uint16_t bc_code_seg, bc_code_size;
	uint16_t bc_data_seg, bc_data_size;
	uint16_t undi_data_seg, undi_data_size;
	uint16_t undi_code_seg, undi_code_size;
	/** The !PXE structure (version 0x0201 and later only) */
	struct pxe_segoff ppxe;
} __attribute__((packed));
#define PXE_PXENV_STRUCT_LEN 0x2c

/** One segment descriptor of !PXE: real-mode segment, base, size */
struct pxe_segdesc {
	uint16_t segment;
	uint32_t phys;
	uint16_t size;
} __attribute__((packed));

/** The !PXE structure's descriptors, in the specification's order */
enum pxe_seg_index {
	PXE_SEG_STACK = 0,
	PXE_SEG_UNDI_DATA,
	PXE_SEG_UNDI_CODE,
	PXE_SEG_UNDI_CODE_WRITE,
	PXE_SEG_BC_DATA,
	PXE_SEG_BC_CODE,
	PXE_SEG_BC_CODE_WRITE,
	PXE_SEG_COUNT
};

/** !PXE (PXE 2.1) */
struct pxe_ppxe {
	char signature[4]; /* "!PXE" */
	uint8_t length;	   /* PXE_PPXE_STRUCT_LEN */
	uint8_t checksum;  /* the bytes of the structure sum to 0 */
	uint8_t revision;  /* 0 */
	uint8_t reserved1;
	struct pxe_segoff undi_rom_id;
	struct pxe_segoff base_rom_id;
	/** Real-mode entry: opcode, parameter offset, segment on the stack */
	struct pxe_segoff entry_sp;
	/**
	 * 16-bit protected-mode entry, 0:0 if none: the caller calls it
	 * through a code descriptor of its own (Keel: one based at this
	 * real-mode segment), with selector:offset parameters
	 */
	struct pxe_segoff entry_esp;
	struct pxe_segoff status_callout;
	uint8_t reserved2;
	uint8_t seg_desc_count;
	/** First GDT selector of the seg_desc_count the caller provides */
	uint16_t first_selector;
	struct pxe_segdesc seg[PXE_SEG_COUNT];
} __attribute__((packed));
#define PXE_PPXE_STRUCT_LEN 0x58

_Static_assert(sizeof(struct pxe_pxenv) == PXE_PXENV_STRUCT_LEN, "PXENV+");
_Static_assert(sizeof(struct pxe_ppxe) == PXE_PPXE_STRUCT_LEN, "!PXE");

/* ------------------------------------------------------------------------
 * Opcodes
 */
#define PXENV_START_UNDI 0x0000
#define PXENV_UNDI_STARTUP 0x0001
#define PXENV_UNDI_CLEANUP 0x0002
#define PXENV_UNDI_INITIALIZE 0x0003
#define PXENV_UNDI_RESET_ADAPTER 0x0004
#define PXENV_UNDI_SHUTDOWN 0x0005
#define PXENV_UNDI_OPEN 0x0006
#define PXENV_UNDI_CLOSE 0x0007
#define PXENV_UNDI_TRANSMIT 0x0008
#define PXENV_UNDI_SET_MCAST_ADDRESS 0x0009
#define PXENV_UNDI_SET_STATION_ADDRESS 0x000a
#define PXENV_UNDI_SET_PACKET_FILTER 0x000b
#define PXENV_UNDI_GET_INFORMATION 0x000c
#define PXENV_UNDI_GET_STATISTICS 0x000d
#define PXENV_UNDI_CLEAR_STATISTICS 0x000e
#define PXENV_UNDI_INITIATE_DIAGS 0x000f
#define PXENV_UNDI_FORCE_INTERRUPT 0x0010
#define PXENV_UNDI_GET_MCAST_ADDRESS 0x0011
#define PXENV_UNDI_GET_NIC_TYPE 0x0012
#define PXENV_UNDI_GET_IFACE_INFO 0x0013
#define PXENV_UNDI_ISR 0x0014
#define PXENV_STOP_UNDI 0x0015
#define PXENV_TFTP_OPEN 0x0020
#define PXENV_TFTP_CLOSE 0x0021
#define PXENV_TFTP_READ 0x0022
#define PXENV_TFTP_READ_FILE 0x0023
#define PXENV_TFTP_GET_FSIZE 0x0025
#define PXENV_UDP_OPEN 0x0030
#define PXENV_UDP_CLOSE 0x0031
#define PXENV_UDP_READ 0x0032
#define PXENV_UDP_WRITE 0x0033
#define PXENV_UNLOAD_STACK 0x0070
#define PXENV_GET_CACHED_INFO 0x0071
#define PXENV_RESTART_TFTP 0x0073
#define PXENV_START_BASE 0x0075
#define PXENV_STOP_BASE 0x0076
/* gPXE's file API (an extension, not PXE 2.1): Keel answers
 * "unsupported", so that NBPs fall back to TFTP and UDP */
#define PXENV_GET_FILE_SIZE 0x00e4
#define PXENV_FILE_API_CHECK 0x00e6

/* Exit codes in AX */
#define PXENV_EXIT_SUCCESS 0x0000
#define PXENV_EXIT_FAILURE 0x0001

/* Status codes (the first word of every parameter block) */
#define PXENV_STATUS_SUCCESS 0x00
#define PXENV_STATUS_FAILURE 0x01
#define PXENV_STATUS_BAD_FUNC 0x02
#define PXENV_STATUS_UNSUPPORTED 0x03
#define PXENV_STATUS_KEEP_UNDI 0x04
#define PXENV_STATUS_KEEP_ALL 0x05
#define PXENV_STATUS_OUT_OF_RESOURCES 0x06
#define PXENV_STATUS_ARP_TIMEOUT 0x11
#define PXENV_STATUS_UDP_CLOSED 0x18
#define PXENV_STATUS_UDP_OPEN 0x19
#define PXENV_STATUS_TFTP_CLOSED 0x1a
#define PXENV_STATUS_TFTP_OPEN 0x1b
#define PXENV_STATUS_TFTP_CANNOT_OPEN_CONNECTION 0x38
#define PXENV_STATUS_TFTP_FILE_NOT_FOUND 0x3b
#define PXENV_STATUS_TFTP_ACCESS_VIOLATION 0x3c
#define PXENV_STATUS_TFTP_NO_FILESIZE 0x3e
#define PXENV_STATUS_TFTP_INVALID_PACKET_SIZE 0x3f
#define PXENV_STATUS_UNDI_INVALID_FUNCTION 0x60
#define PXENV_STATUS_UNDI_MEDIATEST_FAILED 0x61
#define PXENV_STATUS_UNDI_CANNOT_INIT_NIC_FOR_MCAST 0x62
#define PXENV_STATUS_UNDI_CANNOT_INITIALIZE_NIC 0x63
#define PXENV_STATUS_UNDI_CANNOT_INITIALIZE_PHY 0x64
#define PXENV_STATUS_UNDI_CANNOT_READ_CONFIG_DATA 0x65
#define PXENV_STATUS_UNDI_CANNOT_READ_INIT_DATA 0x66
#define PXENV_STATUS_UNDI_BAD_MAC_ADDRESS 0x67
#define PXENV_STATUS_UNDI_BAD_EEPROM_CHECKSUM 0x68
#define PXENV_STATUS_UNDI_ERROR_SETTING_ISR 0x69
#define PXENV_STATUS_UNDI_INVALID_STATE 0x6a
#define PXENV_STATUS_UNDI_TRANSMIT_ERROR 0x6b
#define PXENV_STATUS_UNDI_INVALID_PARAMETER 0x6c

/* ------------------------------------------------------------------------
 * Parameter blocks: calls about the stack as a whole
 */

/** A block that carries only its status (CLOSE, SHUTDOWN, STOP_UNDI, ...) */
struct pxe_status_only {
	uint16_t status;
} __attribute__((packed));

/** PXENV_UNLOAD_STACK */
struct pxe_unload_stack {
	uint16_t status;
	uint8_t reserved[10];
} __attribute__((packed));

/** PXENV_START_UNDI: the registers the BIOS gave the option ROM */
struct pxe_start_undi {
	uint16_t status;
	uint16_t ax, bx, dx, di, es;
} __attribute__((packed));

/** PXENV_GET_CACHED_INFO */
struct pxe_get_cached_info {
	uint16_t status;
	uint16_t packet_type;
	/** In: the caller's buffer size, or 0 to get the stack's own copy */
	uint16_t buffer_size;
	struct pxe_segoff buffer;
	uint16_t buffer_limit;
} __attribute__((packed));
#define PXENV_PACKET_TYPE_DHCP_DISCOVER 1
#define PXENV_PACKET_TYPE_DHCP_ACK 2
#define PXENV_PACKET_TYPE_CACHED_REPLY 3

/* ------------------------------------------------------------------------
 * Parameter blocks: TFTP and UDP
 */

/** PXENV_TFTP_OPEN */
struct pxe_tftp_open {
	uint16_t status;
	uint32_t server_ip;
	uint32_t gateway_ip;
	char filename[128];
	uint16_t tftp_port;
	uint16_t packet_size;
} __attribute__((packed));

/** PXENV_TFTP_READ */
struct pxe_tftp_read {
	uint16_t status;
	uint16_t packet_number;
	uint16_t buffer_size;
	struct pxe_segoff buffer;
} __attribute__((packed));

/** PXENV_TFTP_GET_FSIZE */
struct pxe_tftp_get_fsize {
	uint16_t status;
	uint32_t server_ip;
	uint32_t gateway_ip;
	char filename[128];
	uint32_t file_size;
} __attribute__((packed));

/** PXENV_UDP_OPEN */
struct pxe_udp_open {
	uint16_t status;
	uint32_t src_ip;
} __attribute__((packed));

/** PXENV_UDP_WRITE */
struct pxe_udp_write {
	uint16_t status;
	uint32_t ip;
	uint32_t gateway;
	uint16_t src_port;
	uint16_t dst_port;
	uint16_t buffer_size;
	struct pxe_segoff buffer;
} __attribute__((packed));

/** PXENV_UDP_READ */
struct pxe_udp_read {
	uint16_t status;
	uint32_t src_ip;
	uint32_t dest_ip;
	uint16_t s_port;
	uint16_t d_port;
	uint16_t buffer_size;
	struct pxe_segoff buffer;
} __attribute__((packed));

/* ------------------------------------------------------------------------
 * Parameter blocks: UNDI
 */

/** Hardware address fields: 16 bytes, whatever the link layer */
#define PXE_MAC_ADDR_LEN 16
/** ARP hardware type of Ethernet (GET_INFORMATION's hw_type) */
#define PXE_HWTYPE_ETHER 1

/** PXENV_UNDI_INITIALIZE */
struct pxe_undi_initialize {
	uint16_t status;
	uint32_t protocol_ini;
	uint8_t reserved[8];
} __attribute__((packed));

/** A multicast list (UNDI_OPEN, SET_MCAST_ADDRESS) */
#define PXE_MAXNUM_MCADDR 8
struct pxe_undi_mcast_address {
	uint16_t count;
	uint8_t addr[PXE_MAXNUM_MCADDR][PXE_MAC_ADDR_LEN];
} __attribute__((packed));

/** PXENV_UNDI_OPEN */
struct pxe_undi_open {
	uint16_t status;
	uint16_t open_flag;
	uint16_t pkt_filter;
	struct pxe_undi_mcast_address mcast;
} __attribute__((packed));
/* Packet filter bits */
#define PXE_FLTR_DIRECTED 0x0001
#define PXE_FLTR_BRDCST 0x0002
#define PXE_FLTR_PRMSCS 0x0004
#define PXE_FLTR_SRC_RTG 0x0008

/** PXENV_UNDI_SET_PACKET_FILTER */
struct pxe_undi_set_packet_filter {
	uint16_t status;
	uint8_t filter;
} __attribute__((packed));

/** PXENV_UNDI_TRANSMIT */
struct pxe_undi_transmit {
	uint16_t status;
	uint8_t protocol;
	uint8_t xmit_flag;
	struct pxe_segoff dest_addr;
	struct pxe_segoff tbd;
	uint32_t reserved[2];
} __attribute__((packed));
/* Protocol: PXE_P_UNKNOWN means the frame already has its link header */
#define PXE_P_UNKNOWN 0
#define PXE_P_IP 1
#define PXE_P_ARP 2
#define PXE_P_RARP 3
/* XmitFlag */
#define PXE_XMT_DESTADDR 0
#define PXE_XMT_BROADCAST 1

/** One data block of a transmit buffer descriptor */
struct pxe_data_block {
	/** How ptr is read: PXE_TBD_PHYS or PXE_TBD_SEGOFF */
	uint8_t ptr_type;
	uint8_t reserved;
	uint16_t len;
	/** A 32-bit physical address, or segment:offset (segment high) */
	uint32_t ptr;
} __attribute__((packed));
#define PXE_TBD_PHYS 0
#define PXE_TBD_SEGOFF 1
#define PXE_TBD_MAX_BLOCKS 8

/** The transmit buffer descriptor: the immediate part, then blocks */
struct pxe_tbd {
	uint16_t immed_length;
	struct pxe_segoff xmit;
	uint16_t block_count;
	struct pxe_data_block block[PXE_TBD_MAX_BLOCKS];
} __attribute__((packed));

/** PXENV_UNDI_GET_INFORMATION */
struct pxe_undi_get_information {
	uint16_t status;
	uint16_t base_io;
	uint16_t int_number;
	uint16_t max_tran_unit;
	/** ARP hardware type (PXE_HWTYPE_ETHER) */
	uint16_t hw_type;
	uint16_t hw_addr_len;
	uint8_t current_node_address[PXE_MAC_ADDR_LEN];
	uint8_t perm_node_address[PXE_MAC_ADDR_LEN];
	uint16_t rom_address;
	uint16_t rx_buf_ct;
	uint16_t tx_buf_ct;
} __attribute__((packed));

/** PXENV_UNDI_GET_STATISTICS */
struct pxe_undi_get_statistics {
	uint16_t status;
	uint32_t xmt_good_frames;
	uint32_t rcv_good_frames;
	uint32_t rcv_crc_errors;
	uint32_t rcv_resource_errors;
} __attribute__((packed));

/** PXENV_UNDI_GET_MCAST_ADDRESS */
struct pxe_undi_get_mcast_address {
	uint16_t status;
	uint32_t inet_addr;
	uint8_t media_addr[PXE_MAC_ADDR_LEN];
} __attribute__((packed));

/** PXENV_UNDI_GET_NIC_TYPE (the PCI form) */
struct pxe_undi_get_nic_type {
	uint16_t status;
	uint8_t nic_type;
	uint16_t vendor_id;
	uint16_t device_id;
	uint8_t base_class;
	uint8_t sub_class;
	uint8_t prog_intf;
	uint8_t revision;
	uint16_t busdevfn;
	uint16_t subvendor_id;
	uint16_t subdevice_id;
} __attribute__((packed));
#define PXE_NIC_TYPE_PCI 2

/** PXENV_UNDI_GET_IFACE_INFO */
struct pxe_undi_get_iface_info {
	uint16_t status;
	char iface_type[16];
	uint32_t link_speed;
	uint32_t service_flags;
	uint32_t reserved[4];
} __attribute__((packed));
/* Service flags (NDIS 2.0 MAC service flags: bit 4 settable station
 * address, bit 11 open/close adapter) */
#define PXE_IFACE_BROADCAST 0x0001
#define PXE_IFACE_MULTICAST 0x0002
#define PXE_IFACE_SET_STATION_ADDRESS 0x0010
#define PXE_IFACE_OPEN_CLOSE 0x0800

/** PXENV_UNDI_ISR */
struct pxe_undi_isr {
	uint16_t status;
	uint16_t func_flag;
	/** Bytes of the frame in this buffer */
	uint16_t buffer_length;
	/** Bytes of the whole frame */
	uint16_t frame_length;
	uint16_t frame_header_length;
	struct pxe_segoff frame;
	uint8_t prot_type;
	uint8_t pkt_type;
} __attribute__((packed));
/* func_flag in */
#define PXE_ISR_IN_START 1
#define PXE_ISR_IN_PROCESS 2
#define PXE_ISR_IN_GET_NEXT 3
/* func_flag out */
#define PXE_ISR_OUT_OURS 0
#define PXE_ISR_OUT_NOT_OURS 1
#define PXE_ISR_OUT_DONE 0
#define PXE_ISR_OUT_TRANSMIT 2
#define PXE_ISR_OUT_RECEIVE 3
#define PXE_ISR_OUT_BUSY 4
/* pkt_type */
#define PXE_PKT_DIRECTED 0
#define PXE_PKT_BROADCAST 1
#define PXE_PKT_MULTICAST 2

#endif
