/* The PXE 2.1 API as seen by a client: structures, opcodes, status codes, and Keel's caller. */
#ifndef X86_PXE_H
#define X86_PXE_H
#include <stdint.h>
#include <stddef.h>

/*
 * Written from the Preboot Execution Environment Specification 2.1
 * (Intel, 1999). Every structure is packed, little-endian, and lives in
 * base memory: a real-mode PXE stack addresses it as segment:offset.
 */

/** A real-mode far pointer as stored in PXE structures */
struct pxe_segoff {
	uint16_t offset;
	uint16_t segment;
} __attribute__((packed));

/* ------------------------------------------------------------------------
 * Installation structures (spec 3.1 / 4.4)
 */

/** PXENV+ (the 2.0 and earlier entry; 2.1 stacks still provide it) */
struct pxenv_plus {
	char signature[6]; /* "PXENV+" */
	uint16_t version;  /* 0x0201 for PXE 2.1 */
	uint8_t length;	   /* 0x2c */
	uint8_t checksum;  /* the bytes of the structure sum to 0 */
	struct pxe_segoff rm_entry;
	uint32_t pm_offset;
	uint16_t pm_selector;
	uint16_t stack_seg, stack_size;
	uint16_t bc_code_seg, bc_code_size;
	uint16_t bc_data_seg, bc_data_size;
	uint16_t undi_data_seg, undi_data_size;
	uint16_t undi_code_seg, undi_code_size;
	/** The !PXE structure (version 0x0201 and later) */
	struct pxe_segoff pxe_ptr;
} __attribute__((packed));
#define PXENV_PLUS_LEN 0x2c

/** A segment descriptor in !PXE */
struct pxe_segdesc {
	uint16_t segment;
	uint32_t physical;
	uint16_t size;
} __attribute__((packed));

/** !PXE (PXE 2.1) */
struct pxe_bang {
	char signature[4]; /* "!PXE" */
	uint8_t length;	   /* 0x58 */
	uint8_t checksum;  /* the bytes of the structure sum to 0 */
	uint8_t revision;  /* 0 */
	uint8_t reserved1;
	struct pxe_segoff undi_rom_id;
	struct pxe_segoff base_rom_id;
	/** Real-mode entry: args on the stack (opcode, param off, param seg) */
	struct pxe_segoff entry_sp;
	/** 16-bit protected-mode entry */
	struct pxe_segoff entry_esp;
	struct pxe_segoff status_callout;
	uint8_t reserved2;
	uint8_t seg_desc_count;
	uint16_t first_selector;
	/* stack, UNDI data, UNDI code, UNDI code (write), BC data, BC code,
	 * BC code (write) */
	struct pxe_segdesc seg[7];
} __attribute__((packed));
#define PXE_BANG_LEN 0x58

/* ------------------------------------------------------------------------
 * Opcodes (spec appendix / chapter 3)
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
/* The spec gives STOP_UNDI and UNDI_GET_STATE the same number */
#define PXENV_STOP_UNDI 0x0015
#define PXENV_UNDI_GET_STATE 0x0015
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
#define PXENV_STATUS_TFTP_FILE_NOT_FOUND 0x3b
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
 * Parameter blocks
 */

/** A block with nothing but a status (CLOSE, SHUTDOWN, STOP_UNDI, ...) */
struct pxenv_status_only {
	uint16_t status;
} __attribute__((packed));

/** PXENV_UNLOAD_STACK */
struct pxenv_unload_stack {
	uint16_t status;
	uint8_t reserved[10];
} __attribute__((packed));

/** PXENV_GET_CACHED_INFO */
struct pxenv_get_cached_info {
	uint16_t status;
	uint16_t packet_type;
	/** In: our buffer's size, or 0 to get a pointer to the stack's own */
	uint16_t buffer_size;
	struct pxe_segoff buffer;
	uint16_t buffer_limit;
} __attribute__((packed));
#define PXENV_PACKET_TYPE_DHCP_DISCOVER 1
#define PXENV_PACKET_TYPE_DHCP_ACK 2
#define PXENV_PACKET_TYPE_CACHED_REPLY 3

/** Hardware address field: 16 bytes, whatever the link layer */
#define PXE_MAC_ADDR_LEN 16

/** PXENV_UNDI_GET_INFORMATION */
struct pxenv_undi_get_information {
	uint16_t status;
	uint16_t base_io;
	uint16_t int_number;
	uint16_t max_tran_unit;
	/** ARP hardware type (1: Ethernet) */
	uint16_t hw_type;
	uint16_t hw_addr_len;
	uint8_t current_node_address[PXE_MAC_ADDR_LEN];
	uint8_t perm_node_address[PXE_MAC_ADDR_LEN];
	uint16_t rom_address;
	uint16_t rx_buf_ct;
	uint16_t tx_buf_ct;
} __attribute__((packed));

/** PXENV_UNDI_GET_IFACE_INFO */
struct pxenv_undi_get_iface_info {
	uint16_t status;
	char iface_type[16];
	uint32_t link_speed;
	uint32_t service_flags;
	uint32_t reserved[4];
} __attribute__((packed));
/* Service flags */
#define SUPPORTED_BROADCAST 0x0001
#define SUPPORTED_MULTICAST 0x0002
#define SUPPORTED_SET_STATION_ADDRESS 0x0004
#define SUPPORTED_RESET 0x0008
#define SUPPORTED_OPEN_CLOSE 0x0010
#define SUPPORTED_IRQ 0x0020

/** Multicast list (UNDI_OPEN, SET_MCAST_ADDRESS) */
#define PXE_MAXNUM_MCADDR 8
struct pxenv_undi_mcast_address {
	uint16_t count;
	uint8_t addr[PXE_MAXNUM_MCADDR][PXE_MAC_ADDR_LEN];
} __attribute__((packed));

/** PXENV_UNDI_OPEN */
struct pxenv_undi_open {
	uint16_t status;
	uint16_t open_flag;
	uint16_t pkt_filter;
	struct pxenv_undi_mcast_address mcast;
} __attribute__((packed));
/* Packet filter bits */
#define FLTR_DIRECTED 0x0001
#define FLTR_BRDCST 0x0002
#define FLTR_PRMSCS 0x0004
#define FLTR_SRC_RTG 0x0008

/** PXENV_UNDI_SET_PACKET_FILTER */
struct pxenv_undi_set_packet_filter {
	uint16_t status;
	uint8_t filter;
} __attribute__((packed));

/** PXENV_UNDI_TRANSMIT */
struct pxenv_undi_transmit {
	uint16_t status;
	uint8_t protocol;
	uint8_t xmit_flag;
	struct pxe_segoff dest_addr;
	struct pxe_segoff tbd;
	uint32_t reserved[2];
} __attribute__((packed));
/* Protocol: P_UNKNOWN means the buffer already holds the link header */
#define P_UNKNOWN 0
#define P_IP 1
#define P_ARP 2
#define P_RARP 3
/* XmitFlag */
#define XMT_DESTADDR 0
#define XMT_BROADCAST 1

/** Transmit buffer descriptor */
#define PXE_MAX_DATA_BLKS 8
struct pxenv_undi_tbd_block {
	/** 0: 32-bit physical pointer, 1: segment:offset */
	uint8_t ptr_type;
	uint8_t reserved;
	uint16_t len;
	struct pxe_segoff ptr;
} __attribute__((packed));
struct pxenv_undi_tbd {
	uint16_t immed_length;
	struct pxe_segoff xmit;
	uint16_t data_blk_count;
	struct pxenv_undi_tbd_block block[PXE_MAX_DATA_BLKS];
} __attribute__((packed));

/** PXENV_UNDI_ISR */
struct pxenv_undi_isr {
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
/* FuncFlag in */
#define PXENV_UNDI_ISR_IN_START 1
#define PXENV_UNDI_ISR_IN_PROCESS 2
#define PXENV_UNDI_ISR_IN_GET_NEXT 3
/* FuncFlag out */
#define PXENV_UNDI_ISR_OUT_OURS 0
#define PXENV_UNDI_ISR_OUT_NOT_OURS 1
#define PXENV_UNDI_ISR_OUT_DONE 0
#define PXENV_UNDI_ISR_OUT_TRANSMIT 2
#define PXENV_UNDI_ISR_OUT_RECEIVE 3
#define PXENV_UNDI_ISR_OUT_BUSY 4
/* PktType */
#define P_DIRECTED 0
#define P_BROADCAST 1
#define P_MULTICAST 2

/* ------------------------------------------------------------------------
 * Keel's caller (src/arch/x86/pcbios/pxe_call.c)
 */

/** Base memory for PXE parameter blocks and frames, reachable by seg:off */
struct pxe_basemem {
	/** Linear address (virt == phys) */
	void *ptr;
	/** Segment, with offset 0 at @ptr */
	uint16_t seg;
	/** Size in bytes */
	size_t len;
	/** Free-memory word (KiB) before, to give it back */
	uint16_t prev_kib;
	unsigned int kib;
};

/**
 * Find the PXE API the loading ROM left: the pointers the prefix saved,
 * else INT 1Ah AX=5650h. Checks signatures, lengths and checksums; uses
 * !PXE if valid, else PXENV+.
 *
 * @ret rc	0 if an API entry was found, -ENODEV if none
 */
int pxe_api_find(void);

/** True once pxe_api_find() has succeeded and the stack is loaded */
int pxe_api_present(void);

/**
 * Call the PXE API. @params (inside a pxe_basemem block, or the
 * transition layer's scratch buffer) is passed as segment:offset.
 *
 * @opcode	PXENV_* opcode
 * @params	parameter block in base memory; its first word is the status
 * @ret rc	0 if AX said success, else an error naming the PXE status
 */
int pxe_call(unsigned int opcode, void *params);

/**
 * Unload the PXE stack for an operating system boot: UNDI shutdown,
 * UNLOAD_STACK, STOP_UNDI. No PXE call is made afterwards.
 */
void pxe_unload(void);

/**
 * Ask that the PXE stack be kept loaded at the next boot, because the
 * image booted (a chained NBP) will use it.
 */
void pxe_keep_stack(void);
/** True if pxe_keep_stack() was asked */
int pxe_keeping_stack(void);

/**
 * Take @len bytes of base memory (rounded up to KiB) from the top, by
 * lowering the BIOS free-memory word at 40:13.
 *
 * @ret rc	0 or -ENOMEM
 */
int pxe_basemem_alloc(struct pxe_basemem *mem, size_t len);
/** Give a block back if nobody allocated below it since */
void pxe_basemem_free(struct pxe_basemem *mem);

/** Segment:offset of a pointer inside a base-memory block */
static inline struct pxe_segoff pxe_segoff_of(const struct pxe_basemem *mem,
					       const void *p)
{
	struct pxe_segoff so;

	so.segment = mem->seg;
	so.offset = (uint16_t)((const char *)p - (const char *)mem->ptr);
	return so;
}

#endif
