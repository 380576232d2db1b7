/* The PXE API that Keel provides to a chained NBP: wire structures (PXE 2.1) and the internal glue. */
#ifndef X86_PXE_API_H
#define X86_PXE_API_H
#include <stdint.h>
#include <x86/asmcall.h>
#include <stddef.h>
#include <keel/tables.h>

struct net_device;

/* ------------------------------------------------------------------------
 * Wire structures (PXE specification 2.1), all little-endian and packed.
 * IP addresses and UDP ports are in network byte order, as on the wire.
 */

/** A real-mode far pointer as stored: offset, then segment */
struct pxe_segoff {
	uint16_t offset;
	uint16_t segment;
} __attribute__((packed));

/** One segment descriptor of the !PXE structure */
struct pxe_segdesc {
	uint16_t segment;
	uint32_t phys;
	uint16_t size;
} __attribute__((packed));

/** PXENV+ (version 2.1 and later keep it for older callers) */
struct pxe_pxenv {
	char signature[6]; /* "PXENV+" */
	uint16_t version;  /* 0x0201 */
	uint8_t length;	   /* sizeof(struct pxe_pxenv) */
	uint8_t checksum;  /* bytes sum to 0 */
	struct pxe_segoff rm_entry;
	uint32_t pm_offset;
	uint16_t pm_selector;
	uint16_t stack_seg, stack_size;
	uint16_t bc_code_seg, bc_code_size;
	uint16_t bc_data_seg, bc_data_size;
	uint16_t undi_data_seg, undi_data_size;
	uint16_t undi_code_seg, undi_code_size;
	struct pxe_segoff ppxe; /* the !PXE structure */
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

/** !PXE */
struct pxe_ppxe {
	char signature[4]; /* "!PXE" */
	uint8_t length;	   /* sizeof(struct pxe_ppxe) */
	uint8_t checksum;
	uint8_t revision; /* 0 */
	uint8_t reserved1;
	struct pxe_segoff undi_rom_id;
	struct pxe_segoff base_rom_id;
	struct pxe_segoff entry_sp;  /* real-mode entry */
	struct pxe_segoff entry_esp; /* 16-bit protected-mode entry */
	struct pxe_segoff status_callout;
	uint8_t reserved2;
	uint8_t seg_desc_count;
	uint16_t first_selector;
	struct pxe_segdesc seg[PXE_SEG_COUNT];
} __attribute__((packed));

/* Exit codes (AX) and status codes (each parameter block's first word) */
#define PXENV_EXIT_SUCCESS 0x0000
#define PXENV_EXIT_FAILURE 0x0001
#define PXENV_STATUS_SUCCESS 0x00
#define PXENV_STATUS_FAILURE 0x01
#define PXENV_STATUS_BAD_FUNC 0x02
#define PXENV_STATUS_UNSUPPORTED 0x03
#define PXENV_STATUS_OUT_OF_RESOURCES 0x06
#define PXENV_STATUS_ARP_TIMEOUT 0x11
#define PXENV_STATUS_UDP_CLOSED 0x18
#define PXENV_STATUS_TFTP_CLOSED 0x1a
#define PXENV_STATUS_TFTP_OPEN 0x1b
#define PXENV_STATUS_TFTP_CANNOT_OPEN_CONNECTION 0x38
#define PXENV_STATUS_TFTP_FILE_NOT_FOUND 0x3b
#define PXENV_STATUS_TFTP_ACCESS_VIOLATION 0x3c
#define PXENV_STATUS_TFTP_NO_FILESIZE 0x3e
#define PXENV_STATUS_TFTP_INVALID_PACKET_SIZE 0x3f
#define PXENV_STATUS_UNDI_INVALID_STATE 0x6a
#define PXENV_STATUS_UNDI_TRANSMIT_ERROR 0x6b
#define PXENV_STATUS_UNDI_INVALID_PARAMETER 0x6c

/* Opcodes */
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
/* gPXE's file API: Keel answers "unsupported", so NBPs use TFTP/UDP */
#define PXENV_GET_FILE_SIZE 0x00e4
#define PXENV_FILE_API_CHECK 0x00e6

/** A parameter block that carries only its status */
struct pxe_status_only {
	uint16_t status;
} __attribute__((packed));

/** PXENV_GET_CACHED_INFO */
struct pxe_get_cached_info {
	uint16_t status;
	uint16_t packet_type;
	uint16_t buffer_size;
	struct pxe_segoff buffer;
	uint16_t buffer_limit;
} __attribute__((packed));
#define PXENV_PACKET_TYPE_DHCP_DISCOVER 1
#define PXENV_PACKET_TYPE_DHCP_ACK 2
#define PXENV_PACKET_TYPE_CACHED_REPLY 3

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

/** PXENV_START_UNDI */
struct pxe_start_undi {
	uint16_t status;
	uint16_t ax, bx, dx, di, es;
} __attribute__((packed));

/** PXENV_UNDI_OPEN */
struct pxe_undi_open {
	uint16_t status;
	uint16_t open_flag;
	uint16_t pkt_filter;
	uint16_t mcast_count;
	uint8_t mcast[8][6];
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
#define PXE_P_UNKNOWN 0
#define PXE_P_IP 1
#define PXE_P_ARP 2
#define PXE_P_RARP 3
#define PXE_XMT_DESTADDR 0
#define PXE_XMT_BROADCAST 1

/** One data block of a transmit buffer descriptor */
struct pxe_data_block {
	uint8_t ptr_type; /* 0: segment:offset, 1: 32-bit physical */
	uint8_t reserved;
	uint16_t len;
	uint32_t ptr;
} __attribute__((packed));
#define PXE_TBD_MAX_BLOCKS 8

/** The transmit buffer descriptor */
struct pxe_tbd {
	uint16_t immed_length;
	struct pxe_segoff xmit;
	uint16_t block_count;
	struct pxe_data_block block[PXE_TBD_MAX_BLOCKS];
} __attribute__((packed));

/** PXENV_UNDI_SET_PACKET_FILTER */
struct pxe_undi_set_packet_filter {
	uint16_t status;
	uint8_t filter;
} __attribute__((packed));

/** PXENV_UNDI_GET_INFORMATION */
struct pxe_undi_get_information {
	uint16_t status;
	uint16_t base_io;
	uint16_t int_number;
	uint16_t max_tran_unit;
	uint16_t hw_type;
	uint16_t hw_addr_len;
	uint8_t current_node_address[16];
	uint8_t perm_node_address[16];
	uint16_t rom_address;
	uint16_t rx_buf_ct;
	uint16_t tx_buf_ct;
} __attribute__((packed));
#define PXE_HWTYPE_ETHER 1

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
	uint8_t media_addr[16];
} __attribute__((packed));

/** PXENV_UNDI_GET_NIC_TYPE */
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
/* Service flags */
#define PXE_IFACE_BROADCAST 0x0001
#define PXE_IFACE_MULTICAST 0x0002
#define PXE_IFACE_SET_STATION_ADDRESS 0x0010
#define PXE_IFACE_OPEN_CLOSE 0x0040

/** PXENV_UNDI_ISR */
struct pxe_undi_isr {
	uint16_t status;
	uint16_t func_flag;
	uint16_t buffer_length;
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
/* pkt_type */
#define PXE_PKT_DIRECTED 0
#define PXE_PKT_BROADCAST 1
#define PXE_PKT_MULTICAST 2

/* ------------------------------------------------------------------------
 * The base-memory block (pxe_entry.S): its header, shared with asm
 */

/** Header at offset 0 of the block; offsets are fixed (see pxe_entry.S) */
struct pxe_block_header {
	/** 32-bit entry for API calls: offset, selector (ljmpl *) */
	uint32_t pm_entry_off;
	uint16_t pm_entry_sel;
	/** 32-bit entry when the NBP returns */
	uint32_t nbp_ret_off;
	uint16_t nbp_ret_sel;
	/** Real-mode re-entry after an API call: offset, segment */
	uint16_t real_ip, real_cs;
	/** Caller's stack at entry */
	uint16_t saved_sp, saved_ss;
	/** The call: opcode and parameter block */
	uint16_t opcode;
	uint16_t param_off, param_seg;
	/** Exit code returned in AX (or the NBP's AX when it returns) */
	uint16_t exit_code;
	/** The INT 1Ah vector we chain to (offset, segment) */
	uint16_t old_int1a_off, old_int1a_seg;
	/** Offset of PXENV+ in the block (INT 1Ah answers with it) */
	uint16_t pxenv_off;
	/** GDT descriptor (limit, linear base) and real-mode IDT descriptor */
	uint16_t gdt_limit;
	uint32_t gdt_base;
	uint16_t idt_limit;
	uint32_t idt_base;
	uint16_t pad2;
	/** GDT: the transition layer's five entries, then ours */
	uint64_t gdt[7];
	/** The INT 15h vector we chain to (offset, segment) */
	uint16_t old_int15_off, old_int15_seg;
	/** The memory map the NBP sees: offset in the block, entries */
	uint16_t e820_off;
	/** INT 15h E801h: KiB from 1 to 16 MiB, 64 KiB blocks above */
	uint16_t e801_low, e801_high;
	/** Non-zero while a call is in progress (no re-entry) */
	uint8_t busy;
	uint8_t pad3;
	uint32_t e820_count;
} __attribute__((packed));

/* ------------------------------------------------------------------------
 * Internal API between the PXE files
 */

/** One API call: its opcode, parameter block length, handler */
struct pxe_api_call {
	uint16_t opcode;
	/** Bytes of the parameter block (validated before the call) */
	uint16_t param_len;
	/**
	 * Handle the call; the parameter block is in base memory.
	 *
	 * @ret status	PXENV_STATUS_*, stored in the block's first word
	 */
	uint16_t (*handler)(void *params);
};
#define PXE_API_CALLS __table(struct pxe_api_call, "pxe_api_calls")
#define __pxe_api_call __table_entry(PXE_API_CALLS, 01)

/** The device the NBP uses (NULL if none) */
extern struct net_device *pxe_netdev;

/**
 * A caller's real-mode buffer as a pointer, or NULL if [seg:off, +len)
 * leaves the real-mode address space or the 64 KiB segment, or overlaps
 * Keel's own base-memory code.
 */
void *pxe_user_ptr(uint16_t seg, uint16_t off, size_t len);
/** As pxe_user_ptr() for a 32-bit physical address (UNDI data blocks) */
void *pxe_user_phys(uint32_t phys, size_t len);

/** The receive buffer in base memory, and its real-mode address */
void *pxe_rx_buffer(struct pxe_segoff *addr);
#define PXE_RX_BUFFER_LEN 1536

/**
 * Run the network stack once (between API calls the NBP runs, not Keel).
 */
void pxe_step(void);

/**
 * Install the PXE API for @netdev in base memory and hook INT 1Ah.
 *
 * @pxenv, @ppxe	filled in with the structures' real-mode addresses
 * @stack_top	filled in with the top of the NBP's stack (segment:offset)
 * @ret rc	0 or an error (out of base memory)
 */
int pxe_api_install(struct net_device *netdev, struct pxe_segoff *pxenv,
		    struct pxe_segoff *ppxe, struct pxe_segoff *stack_top);
/** Unhook INT 1Ah and end every open TFTP, UDP and UNDI use */
void pxe_api_uninstall(void);

/** The raw UNDI interface: set while the NBP has called UNDI_OPEN */
extern int pxe_undi_opened;
/** Close TFTP, UDP and UNDI state (UNLOAD_STACK, NBP return) */
void pxe_tftp_reset(void);
void pxe_udp_reset(void);
void pxe_undi_reset(void);

/**
 * Run an NBP already copied to 0000:7C00 with @regs on stack @ss:@sp; it
 * returns (if ever) with the NBP's AX (pxe_entry.S).
 */
__asmcall uint16_t pxe_run_nbp(const void *regs, uint16_t ss, uint16_t sp);

#endif
