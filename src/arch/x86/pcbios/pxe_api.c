/* The PXE API for chained NBPs: Keel's base-memory block, PXENV+ and !PXE, INT 1Ah, the call dispatcher. */
#include <string.h>
#include <errno.h>
#include <keel/debug.h>
#include <keel/dhcp.h>
#include <keel/dhcpopts.h>
#include <keel/errors.h>
#include <keel/io.h>
#include <keel/netdevice.h>
#include <keel/process.h>
#include <keel/settings.h>
#include <keel/byteswap.h>
#include <keel/malloc.h>
#include <x86/bios.h>
#include <x86/realmode.h>
#include <x86/asmcall.h>
#include <x86/pxe_api.h>

REQUIRE_OBJECT(pxe_tftp);
REQUIRE_OBJECT(pxe_udp);
REQUIRE_OBJECT(pxe_undi);

extern char pxe_text_start[], pxe_text_end[];
extern char pxe_ppxe_entry[], pxe_pxenv_entry[], pxe_exit_real[];
extern char pxe_int1a[], pxe_int15[], pxe_nbp_return[], pxe_esp_entry[];
extern void pxe_pm_entry(void);
extern void pxe_pm_nbp_return(void);
__asmcall void pxe_api_dispatch(void);
__asmcall void pxe_nbp_jump(const struct rm_regs *regs, uint16_t ss, uint16_t sp)
	__attribute__((noreturn));

/* Our two GDT entries (after the transition layer's five) */
#define PXE_CODE16_SEL 0x28
#define PXE_DATA16_SEL 0x30
#define CODE32_SEL 0x10

/* Block layout after the code (offsets, each 16-byte aligned) */
#define PXE_PXENV_LEN 48
#define PXE_PPXE_LEN 96
#define PXE_PACKET_LEN DHCP_MAX_LEN
#define PXE_NUM_PACKETS 3
#define PXE_STACK_LEN 2048
/** Entries of the memory map the NBP sees */
#define PXE_E820_MAX 32
/** Heap Keel keeps for itself while an NBP runs; the rest goes to the NBP */
#define PXE_HEAP_RESERVE (16UL << 20)

/* The header's layout is shared with pxe_entry.S */
_Static_assert(offsetof(struct pxe_block_header, gdt_limit) == 34, "H_GDT_DESC");
_Static_assert(offsetof(struct pxe_block_header, old_int15_off) == 104,
	       "H_OLD_15");
_Static_assert(offsetof(struct pxe_block_header, busy) == 114, "H_BUSY");
_Static_assert(offsetof(struct pxe_block_header, caller_esp) == 120,
	       "H_CALLER_ESP");
_Static_assert(offsetof(struct pxe_block_header, pm_call) == 126,
	       "H_PM_CALL");
_Static_assert(offsetof(struct pxe_block_header, caller_gdt_limit) == 132,
	       "H_CALLER_GDT");
_Static_assert(offsetof(struct pxe_block_header, caller_idt_limit) == 138,
	       "H_CALLER_IDT");
_Static_assert(sizeof(struct pxe_block_header) == 144, "H_LEN");

/** BIOS data area: free base memory in KiB; the INT 1Ah vector */
#define BDA_BASEMEM ((volatile uint16_t *)0x413)
#define IVT_1A ((volatile uint16_t *)(0x1a * 4))
#define IVT_15 ((volatile uint16_t *)(0x15 * 4))

/** Linear address of the block (pxe_entry.S reads it), 0 if none */
uint32_t pxe_block_base;
struct net_device *pxe_netdev;

static uint16_t pxe_seg;
static unsigned int pxe_kib;
/** Base memory word as we left it, to give the block back */
static uint16_t pxe_basemem_set;
static int pxe_int1a_hooked;
static int pxe_int15_hooked;
/** Heap memory handed to the NBP: the only RAM above 1 MiB it sees */
static void *pxe_nbp_memory;

/** Offsets in the block */
static struct {
	size_t code_end, pxenv, ppxe, packets, e820, rx, stack_top;
} pxe_layout;

static inline struct pxe_block_header *pxe_header(void)
{
	return phys_to_virt(pxe_block_base);
}

static inline uint16_t pxe_code_off(const char *sym)
{
	return (uint16_t)(sym - pxe_text_start);
}

static size_t pxe_align16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

static void pxe_compute_layout(void)
{
	size_t code = pxe_align16((size_t)(pxe_text_end - pxe_text_start));

	pxe_layout.code_end = code;
	pxe_layout.pxenv = code;
	pxe_layout.ppxe = pxe_layout.pxenv + PXE_PXENV_LEN;
	pxe_layout.packets = pxe_layout.ppxe + PXE_PPXE_LEN;
	pxe_layout.e820 = pxe_layout.packets +
			  pxe_align16(PXE_PACKET_LEN) * PXE_NUM_PACKETS;
	pxe_layout.rx = pxe_layout.e820 +
			pxe_align16(PXE_E820_MAX * sizeof(struct e820_entry));
	pxe_layout.stack_top = pxe_layout.rx + PXE_RX_BUFFER_LEN + PXE_STACK_LEN;
}

/** Take the block from the top of free base memory (once) */
static int pxe_alloc_block(void)
{
	uint16_t basemem = *BDA_BASEMEM;

	if (pxe_seg)
		return 0;
	pxe_compute_layout();
	pxe_kib = (unsigned int)((pxe_layout.stack_top + 1023) / 1024);
	if (basemem < 64 + pxe_kib)
		return errctx(-ENOMEM,
			      "no base memory for the PXE API (%u KiB free)",
			      basemem);
	pxe_basemem_set = (uint16_t)(basemem - pxe_kib);
	*BDA_BASEMEM = pxe_basemem_set;
	pxe_seg = (uint16_t)(pxe_basemem_set * 64);
	pxe_block_base = (uint32_t)pxe_seg << 4;
	return 0;
}

/** Give the block back if nothing took base memory after us */
static void pxe_free_block(void)
{
	if (pxe_seg && *BDA_BASEMEM == pxe_basemem_set)
		*BDA_BASEMEM = (uint16_t)(pxe_basemem_set + pxe_kib);
	pxe_seg = 0;
	pxe_block_base = 0;
}

static int pxe_overlap(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
	return a < b + blen && b < a + alen;
}

/** A caller's buffer at linear @lin, below 1 MiB where Keel's heap starts */
static void *pxe_user_low(uint32_t lin, size_t len)
{
	if (lin + len > 0x100000)
		return NULL;
	/* Never over our own code or the transition layer's block */
	if (pxe_overlap(lin, (uint32_t)len, pxe_block_base,
			(uint32_t)pxe_layout.code_end) ||
	    (rm_seg && pxe_overlap(lin, (uint32_t)len, (uint32_t)rm_seg << 4,
				   rm_basemem_kib() * 1024)))
		return NULL;
	return phys_to_virt(lin);
}

/**
 * The base of a protected-mode caller's selector @sel, from its GDT, if
 * the descriptor is present, a code or data segment (not expand-down),
 * and reaches @end bytes; -EINVAL otherwise (LDT selectors included)
 */
static int pxe_pm_base(uint16_t sel, uint32_t end, uint32_t *base)
{
	const struct pxe_block_header *h = pxe_header();
	uint32_t limit;
	uint64_t d;

	if ((sel & 4) || sel < 8 ||
	    (uint32_t)(sel & ~7) + 7 > h->caller_gdt_limit)
		return -EINVAL;
	memcpy(&d, phys_to_virt(h->caller_gdt_base + (sel & ~7)), sizeof(d));
	/* Present (bit 47), code or data (bit 44), not expand-down data */
	if (!(d & (1ULL << 47)) || !(d & (1ULL << 44)) ||
	    (d & (3ULL << 42)) == (1ULL << 42))
		return -EINVAL;
	limit = (uint32_t)(d & 0xffff) | (uint32_t)((d >> 32) & 0xf0000);
	if (d & (1ULL << 55))
		limit = (limit << 12) | 0xfff;
	if (end == 0 || end - 1 > limit)
		return -EINVAL;
	*base = (uint32_t)((d >> 16) & 0xffffff) |
		(uint32_t)((d >> 32) & 0xff000000);
	return 0;
}

void *pxe_user_ptr(uint16_t seg, uint16_t off, size_t len)
{
	uint32_t base;

	if (len > 0x10000 || (uint32_t)off + len > 0x10000)
		return NULL;
	if (!pxe_header()->pm_call)
		return pxe_user_low(((uint32_t)seg << 4) + off, len);
	if (pxe_pm_base(seg, (uint32_t)off + (uint32_t)len, &base) != 0)
		return NULL;
	return pxe_user_phys(base + off, len);
}

/**
 * True if [start, end) is RAM in the memory map the NBP sees (INT 15h):
 * never Keel's own code or heap
 */
static int pxe_nbp_ram(uint64_t start, uint64_t end)
{
	const struct pxe_block_header *h = pxe_header();
	const struct e820_entry *map =
		phys_to_virt(pxe_block_base + pxe_layout.e820);
	uint32_t i;

	for (i = 0; i < h->e820_count && i < PXE_E820_MAX; i++) {
		if (map[i].type == E820_RAM && start >= map[i].start &&
		    end <= map[i].start + map[i].len)
			return 1;
	}
	return 0;
}

void *pxe_user_phys(uint32_t phys, size_t len)
{
	if (len > 0x10000 || phys + len < phys)
		return NULL;
	if (phys + len <= 0xa0000)
		return pxe_user_low(phys, len);
	return pxe_nbp_ram(phys, (uint64_t)phys + len) ? phys_to_virt(phys)
						       : NULL;
}

/**
 * How the caller addresses Keel's block as its segment @idx: the real-mode
 * segment, or during a protected-mode call the selector it gave that
 * segment (PXE 2.1: consecutive from !PXE's FirstSelector, in SegDesc
 * order)
 */
static uint16_t pxe_block_seg(enum pxe_seg_index idx)
{
	const struct pxe_ppxe *ppxe =
		phys_to_virt(pxe_block_base + pxe_layout.ppxe);

	if (!pxe_header()->pm_call)
		return pxe_seg;
	return (uint16_t)(ppxe->first_selector + 8 * idx);
}

void *pxe_rx_buffer(struct pxe_segoff *addr)
{
	addr->segment = pxe_block_seg(PXE_SEG_UNDI_DATA);
	addr->offset = (uint16_t)pxe_layout.rx;
	return phys_to_virt(pxe_block_base + pxe_layout.rx);
}

void pxe_step(void)
{
	if (!pxe_undi_opened)
		step();
}

/* ------------------------------------------------------------------------
 * The structures
 */

static uint8_t pxe_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *p++);
	return (uint8_t)-sum;
}

static void pxe_fill_segdesc(struct pxe_segdesc *d, uint16_t seg, size_t size)
{
	d->segment = seg;
	d->phys = (uint32_t)seg << 4;
	d->size = (uint16_t)size;
}

static void pxe_fill_structures(void)
{
	struct pxe_pxenv *pxenv =
		phys_to_virt(pxe_block_base + pxe_layout.pxenv);
	struct pxe_ppxe *ppxe = phys_to_virt(pxe_block_base + pxe_layout.ppxe);
	size_t block_len = pxe_layout.stack_top;
	unsigned int i;

	/* Describe the whole block as the stack's code and data, so that an
	 * NBP that frees the PXE stack's memory frees exactly this block */
	memset(ppxe, 0, sizeof(*ppxe));
	memcpy(ppxe->signature, "!PXE", 4);
	ppxe->length = sizeof(*ppxe);
	ppxe->entry_sp.segment = pxe_seg;
	ppxe->entry_sp.offset = pxe_code_off(pxe_ppxe_entry);
	/* The same block for 16-bit protected mode: the caller makes a
	 * descriptor with this segment's base and calls it */
	ppxe->entry_esp.segment = pxe_seg;
	ppxe->entry_esp.offset = pxe_code_off(pxe_esp_entry);
	ppxe->seg_desc_count = PXE_SEG_COUNT;
	for (i = 0; i < PXE_SEG_COUNT; i++)
		pxe_fill_segdesc(&ppxe->seg[i], pxe_seg, block_len);
	ppxe->checksum = pxe_checksum(ppxe, sizeof(*ppxe));

	memset(pxenv, 0, sizeof(*pxenv));
	memcpy(pxenv->signature, "PXENV+", 6);
	pxenv->version = 0x0201;
	pxenv->length = sizeof(*pxenv);
	pxenv->rm_entry.segment = pxe_seg;
	pxenv->rm_entry.offset = pxe_code_off(pxe_pxenv_entry);
	pxenv->stack_seg = pxe_seg;
	pxenv->stack_size = (uint16_t)block_len;
	pxenv->undi_code_seg = pxenv->undi_data_seg = pxe_seg;
	pxenv->undi_code_size = pxenv->undi_data_size = (uint16_t)block_len;
	pxenv->bc_code_seg = pxenv->bc_data_seg = pxe_seg;
	pxenv->bc_code_size = pxenv->bc_data_size = (uint16_t)block_len;
	pxenv->ppxe.segment = pxe_seg;
	pxenv->ppxe.offset = (uint16_t)pxe_layout.ppxe;
	pxenv->checksum = pxe_checksum(pxenv, sizeof(*pxenv));
}

/** A GDT descriptor with a byte-granular limit */
static uint64_t pxe_gdt_entry(uint32_t base, uint32_t limit, uint8_t access)
{
	return (uint64_t)(limit & 0xffff) |
	       ((uint64_t)(base & 0xffffff) << 16) | ((uint64_t)access << 40) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) |
	       ((uint64_t)(base >> 24) << 56);
}

static void pxe_fill_header(void)
{
	struct pxe_block_header *h = pxe_header();
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) gdtr;

	memcpy(h, pxe_text_start, (size_t)(pxe_text_end - pxe_text_start));
	h->pm_entry_off = (uint32_t)(uintptr_t)pxe_pm_entry;
	h->pm_entry_sel = CODE32_SEL;
	h->nbp_ret_off = (uint32_t)(uintptr_t)pxe_pm_nbp_return;
	h->nbp_ret_sel = CODE32_SEL;
	h->real_ip = pxe_code_off(pxe_exit_real);
	h->real_cs = pxe_seg;
	h->pxenv_off = (uint16_t)pxe_layout.pxenv;
	/* The transition layer's GDT, as loaded now, then our segments */
	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	memcpy(h->gdt, phys_to_virt(gdtr.base), 5 * sizeof(h->gdt[0]));
	h->gdt[5] = pxe_gdt_entry(pxe_block_base, 0xffff, 0x9a);
	h->gdt[6] = pxe_gdt_entry(pxe_block_base, 0xffff, 0x92);
	h->gdt_limit = sizeof(h->gdt) - 1;
	h->gdt_base = pxe_block_base + offsetof(struct pxe_block_header, gdt);
	h->idt_limit = 0x3ff;
	h->idt_base = 0;
}

/* ------------------------------------------------------------------------
 * Cached DHCP packets (GET_CACHED_INFO), built from Keel's settings
 */

static void *pxe_packet(unsigned int type)
{
	return phys_to_virt(pxe_block_base + pxe_layout.packets +
			    (type - 1) * pxe_align16(PXE_PACKET_LEN));
}
static uint16_t pxe_packet_len[PXE_NUM_PACKETS];

static void pxe_fetch_addr(const struct setting *setting, struct in_addr *addr)
{
	fetch_setting(NULL, setting, NULL, NULL, addr, sizeof(*addr));
}

/** Every DHCP option Keel holds, as a server would send them */
static void pxe_append_options(struct dhcp_option_builder *b)
{
	struct setting setting;
	uint8_t value[256];
	unsigned int tag;
	int len;

	for (tag = 1; tag < DHCP_END; tag++) {
		if (tag == DHCP_MESSAGE_TYPE || tag == DHCP_OVERLOAD ||
		    tag == DHCP_PARAMETER_REQUEST_LIST)
			continue;
		memset(&setting, 0, sizeof(setting));
		setting.tag = tag;
		len = fetch_setting(NULL, &setting, NULL, NULL, value,
				    sizeof(value));
		if (len <= 0)
			continue;
		if ((size_t)len > sizeof(value))
			len = sizeof(value);
		/* Skip what does not fit rather than truncate it */
		dhcpopt_append(b, tag, value, (size_t)len);
		b->rc = 0;
	}
}

static void pxe_build_packet(unsigned int type, struct net_device *netdev)
{
	uint8_t *buf = pxe_packet(type);
	struct dhcphdr *hdr = (struct dhcphdr *)buf;
	struct dhcp_option_builder b;
	static const char vendor_class[] = "PXEClient:Arch:00000:UNDI:002001";
	int len;

	memset(buf, 0, PXE_PACKET_LEN);
	hdr->op = (type == PXENV_PACKET_TYPE_DHCP_DISCOVER) ? BOOTP_REQUEST
							    : BOOTP_REPLY;
	hdr->htype = (uint8_t)ntohs(netdev->ll_protocol->ll_proto);
	hdr->hlen = netdev->ll_protocol->ll_addr_len;
	memcpy(hdr->chaddr, netdev->ll_addr, hdr->hlen);
	hdr->magic = htonl(DHCP_MAGIC);
	dhcpopt_build_init(&b, hdr + 1, PXE_PACKET_LEN - sizeof(*hdr));
	if (type == PXENV_PACKET_TYPE_DHCP_DISCOVER) {
		dhcpopt_append_u8(&b, DHCP_MESSAGE_TYPE, DHCPDISCOVER);
		dhcpopt_append(&b, DHCP_VENDOR_CLASS_ID, vendor_class,
			       sizeof(vendor_class) - 1);
	} else {
		pxe_fetch_addr(&ip_setting, &hdr->yiaddr);
		pxe_fetch_addr(&next_server_setting, &hdr->siaddr);
		fetch_setting(NULL, &filename_setting, NULL, NULL, hdr->file,
			      sizeof(hdr->file) - 1);
		dhcpopt_append_u8(&b, DHCP_MESSAGE_TYPE, DHCPACK);
		pxe_append_options(&b);
	}
	len = dhcpopt_build_end(&b);
	if (len < 0)
		len = 0;
	len += (int)sizeof(*hdr);
	if (len < DHCP_MIN_LEN)
		len = DHCP_MIN_LEN;
	pxe_packet_len[type - 1] = (uint16_t)len;
}

static uint16_t pxe_get_cached_info(void *params)
{
	struct pxe_get_cached_info *gci = params;
	unsigned int type = gci->packet_type;
	void *dest;
	size_t len;

	if (type < PXENV_PACKET_TYPE_DHCP_DISCOVER ||
	    type > PXENV_PACKET_TYPE_CACHED_REPLY)
		return PXENV_STATUS_UNSUPPORTED;
	len = pxe_packet_len[type - 1];
	if (!gci->buffer_size || (!gci->buffer.segment && !gci->buffer.offset)) {
		/* Point at our copy */
		gci->buffer.segment = pxe_block_seg(PXE_SEG_BC_DATA);
		gci->buffer.offset = (uint16_t)((uint8_t *)pxe_packet(type) -
						(uint8_t *)pxe_header());
		gci->buffer_size = (uint16_t)len;
		gci->buffer_limit = PXE_PACKET_LEN;
		return PXENV_STATUS_SUCCESS;
	}
	if (len > gci->buffer_size)
		len = gci->buffer_size;
	dest = pxe_user_ptr(gci->buffer.segment, gci->buffer.offset, len);
	if (!dest)
		return PXENV_STATUS_BAD_FUNC;
	memcpy(dest, pxe_packet(type), len);
	gci->buffer_size = (uint16_t)len;
	return PXENV_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------------
 * The memory map the NBP sees (INT 15h)
 *
 * Keel's code and heap stay in use while the NBP runs, and Keel's small
 * allocations sit just above 1 MiB. So Keel allocates one large block for
 * the NBP, keeping PXE_HEAP_RESERVE for itself, and the NBP's memory map
 * shows only that block as RAM above 1 MiB; everything else Keel holds
 * reads as reserved.
 */

/** Append [start, end) of @type to the table, if not empty */
static void pxe_e820_add(struct e820_entry *map, uint32_t *count,
			 uint64_t start, uint64_t end, uint32_t type)
{
	if (end <= start || *count >= PXE_E820_MAX)
		return;
	map[*count].start = start;
	map[*count].len = end - start;
	map[*count].type = type;
	(*count)++;
}

static uint64_t pxe_max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t pxe_min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/** RAM windows above 1 MiB that the NBP may use, in address order */
struct pxe_window {
	uint64_t start, end;
};

/** Add [s, e) split by the windows: inside RAM, outside reserved */
static void pxe_e820_split(struct e820_entry *map, uint32_t *count,
			   uint64_t s, uint64_t e, const struct pxe_window *win,
			   unsigned int nwin)
{
	uint64_t ws, we;
	unsigned int i;

	for (i = 0; i < nwin; i++) {
		ws = pxe_max64(win[i].start, s);
		we = pxe_min64(win[i].end, e);
		if (ws >= we)
			continue;
		pxe_e820_add(map, count, s, ws, 2);
		pxe_e820_add(map, count, ws, we, E820_RAM);
		s = we;
	}
	pxe_e820_add(map, count, s, e, 2);
}

/** True if Keel's heap left [1 MiB, BIOS_HEAP_FLOOR) alone (bios_memory.c) */
static int pxe_floor_free(void)
{
	uint64_t s, e;
	unsigned int i;

	for (i = 0; i < e820_count; i++) {
		s = e820_map[i].start;
		e = s + e820_map[i].len;
		if (e820_map[i].type == E820_RAM && s < BIOS_HEAP_FLOOR &&
		    e > 0x100000 && e < BIOS_HEAP_FLOOR + (16 << 20))
			return 0;
	}
	return 1;
}

/** Build the NBP's memory map from the BIOS's, with heap RAM [lo, hi) */
static void pxe_build_e820(uint64_t lo, uint64_t hi)
{
	struct pxe_block_header *h = pxe_header();
	struct e820_entry *map =
		phys_to_virt(pxe_block_base + pxe_layout.e820);
	const uint64_t low = 0x100000, high = 0x100000000ULL;
	struct pxe_window win[2];
	unsigned int nwin = 0;
	uint64_t s, e, contig = low;
	uint32_t count = 0;
	unsigned int i;

	if (pxe_floor_free()) {
		win[nwin].start = low;
		win[nwin++].end = BIOS_HEAP_FLOOR;
	}
	if (hi > lo) {
		win[nwin].start = lo;
		win[nwin++].end = hi;
	}
	for (i = 0; i < e820_count; i++) {
		s = e820_map[i].start;
		e = s + e820_map[i].len;
		if (e820_map[i].type != E820_RAM || e <= low || s >= high) {
			pxe_e820_add(map, &count, s, e, e820_map[i].type);
			continue;
		}
		pxe_e820_add(map, &count, s, pxe_min64(e, low), E820_RAM);
		pxe_e820_split(map, &count, pxe_max64(s, low),
			       pxe_min64(e, high), win, nwin);
		pxe_e820_add(map, &count, high, e, E820_RAM);
	}
	/* E801h/88h describe RAM contiguous from 1 MiB only */
	for (i = 0; i < nwin && win[i].start == contig; i++)
		contig = win[i].end;
	h->e820_off = (uint16_t)pxe_layout.e820;
	h->e820_count = count;
	h->e801_low = (uint16_t)((pxe_min64(contig, 16 << 20) - low) >> 10);
	h->e801_high = (uint16_t)pxe_min64(
		contig > (16 << 20) ? (contig - (16 << 20)) >> 16 : 0, 0xffff);
}

/** Give the NBP all free heap but a reserve, and hook INT 15h */
static void pxe_hide_memory(void)
{
	struct pxe_block_header *h = pxe_header();
	struct heap_stats stats;
	size_t len;
	uint64_t lo = 0, hi = 0;

	if (!pxe_nbp_memory) {
		heap_stats(&stats);
		len = stats.largest_free > 2 * PXE_HEAP_RESERVE
			      ? stats.largest_free - PXE_HEAP_RESERVE
			      : stats.largest_free / 2;
		pxe_nbp_memory = malloc(len);
		if (pxe_nbp_memory) {
			lo = (virt_to_phys(pxe_nbp_memory) + 0xfff) & ~0xfffULL;
			hi = (virt_to_phys(pxe_nbp_memory) + len) & ~0xfffULL;
		}
	}
	DBG("PXE: NBP memory above 1 MiB: %#llx-%#llx\n",
	    (unsigned long long)lo, (unsigned long long)hi);
	pxe_build_e820(lo, hi);
	if (!pxe_int15_hooked) {
		h->old_int15_off = IVT_15[0];
		h->old_int15_seg = IVT_15[1];
		IVT_15[0] = pxe_code_off(pxe_int15);
		IVT_15[1] = pxe_seg;
		pxe_int15_hooked = 1;
	}
}

/** Unhook a vector if it still points at us */
static int pxe_unhook(volatile uint16_t *vec, char *handler, uint16_t off,
		      uint16_t seg)
{
	if (vec[1] != pxe_seg || vec[0] != pxe_code_off(handler))
		return -EBUSY;
	vec[0] = off;
	vec[1] = seg;
	return 0;
}

static void pxe_unhook_int15(void)
{
	struct pxe_block_header *h = pxe_header();

	if (pxe_int15_hooked &&
	    pxe_unhook(IVT_15, pxe_int15, h->old_int15_off,
		       h->old_int15_seg) == 0)
		pxe_int15_hooked = 0;
}

/* ------------------------------------------------------------------------
 * Calls about the stack as a whole
 */

static uint16_t pxe_success(void *params)
{
	(void)params;
	return PXENV_STATUS_SUCCESS;
}

static uint16_t pxe_unsupported(void *params)
{
	(void)params;
	return PXENV_STATUS_UNSUPPORTED;
}

static void pxe_unhook_int1a(void)
{
	struct pxe_block_header *h = pxe_header();

	/* Only if nobody hooked it after us */
	if (pxe_int1a_hooked &&
	    pxe_unhook(IVT_1A, pxe_int1a, h->old_int1a_off,
		       h->old_int1a_seg) == 0)
		pxe_int1a_hooked = 0;
}

static uint16_t pxe_stop_undi(void *params)
{
	(void)params;
	pxe_unhook_int1a();
	return pxe_int1a_hooked ? PXENV_STATUS_FAILURE : PXENV_STATUS_SUCCESS;
}

/**
 * UNLOAD_STACK: end every use and let the NIC go quiet. The full memory
 * map comes back, for the operating system the NBP starts next.
 */
static uint16_t pxe_unload_stack(void *params)
{
	(void)params;
	pxe_unhook_int1a();
	pxe_unhook_int15();
	pxe_tftp_reset();
	pxe_udp_reset();
	pxe_undi_reset();
	if (pxe_netdev)
		netdev_close(pxe_netdev);
	return PXENV_STATUS_SUCCESS;
}

struct pxe_api_call pxe_api_calls[] __pxe_api_call = {
	{PXENV_GET_CACHED_INFO, sizeof(struct pxe_get_cached_info),
	 pxe_get_cached_info},
	{PXENV_START_UNDI, sizeof(struct pxe_start_undi), pxe_success},
	{PXENV_STOP_UNDI, sizeof(struct pxe_status_only), pxe_stop_undi},
	{PXENV_UNLOAD_STACK, sizeof(struct pxe_unload_stack),
	 pxe_unload_stack},
	{PXENV_START_BASE, sizeof(struct pxe_status_only), pxe_success},
	{PXENV_STOP_BASE, sizeof(struct pxe_status_only), pxe_success},
	{PXENV_RESTART_TFTP, sizeof(struct pxe_status_only), pxe_unsupported},
	{PXENV_TFTP_READ_FILE, sizeof(struct pxe_status_only), pxe_unsupported},
	{PXENV_FILE_API_CHECK, sizeof(struct pxe_status_only),
	 pxe_unsupported},
	{PXENV_GET_FILE_SIZE, sizeof(struct pxe_status_only), pxe_unsupported},
};

/** Called by pxe_entry.S for each API call, in 32-bit protected mode */
__asmcall void pxe_api_dispatch(void)
{
	struct pxe_block_header *h = pxe_header();
	struct pxe_api_call *call;
	uint16_t status = PXENV_STATUS_UNSUPPORTED;
	size_t len = sizeof(uint16_t);
	void *params;

	for_each_table_entry(call, PXE_API_CALLS) {
		if (call->opcode == h->opcode) {
			len = call->param_len;
			break;
		}
	}
	if (call == table_end(PXE_API_CALLS))
		call = NULL;
	params = pxe_user_ptr(h->param_seg, h->param_off, len);
	if (!params) {
		DBG("PXE %04x: bad parameter block %04x:%04x\n", h->opcode,
		    h->param_seg, h->param_off);
		h->exit_code = PXENV_EXIT_FAILURE;
		return;
	}
	if (call)
		status = call->handler(params);
	memcpy(params, &status, sizeof(status));
	h->exit_code = (status == PXENV_STATUS_SUCCESS) ? PXENV_EXIT_SUCCESS
							: PXENV_EXIT_FAILURE;
	DBG("PXE %04x -> %02x\n", h->opcode, status);
}

/* ------------------------------------------------------------------------
 * Installing and starting an NBP
 */

int pxe_api_install(struct net_device *netdev, struct pxe_segoff *pxenv,
		    struct pxe_segoff *ppxe, struct pxe_segoff *stack_top)
{
	struct pxe_block_header *h;
	unsigned int type;
	int rc;

	if ((rc = pxe_alloc_block()) != 0)
		return rc;
	pxe_netdev = netdev;
	pxe_fill_header();
	pxe_fill_structures();
	for (type = 1; type <= PXE_NUM_PACKETS; type++)
		pxe_build_packet(type, netdev);
	pxe_hide_memory();
	h = pxe_header();
	if (!pxe_int1a_hooked) {
		h->old_int1a_off = IVT_1A[0];
		h->old_int1a_seg = IVT_1A[1];
		IVT_1A[0] = pxe_code_off(pxe_int1a);
		IVT_1A[1] = pxe_seg;
		pxe_int1a_hooked = 1;
	}
	pxenv->segment = ppxe->segment = stack_top->segment = pxe_seg;
	pxenv->offset = (uint16_t)pxe_layout.pxenv;
	ppxe->offset = (uint16_t)pxe_layout.ppxe;
	stack_top->offset = (uint16_t)pxe_layout.stack_top;
	return 0;
}

void pxe_api_uninstall(void)
{
	pxe_tftp_reset();
	pxe_udp_reset();
	pxe_undi_reset();
	pxe_unhook_int1a();
	pxe_unhook_int15();
	if (!pxe_int1a_hooked && !pxe_int15_hooked)
		pxe_free_block();
	free(pxe_nbp_memory);
	pxe_nbp_memory = NULL;
	pxe_netdev = NULL;
}

/** Called by pxe_run_nbp() with its frame saved: leave for the NBP */
__asmcall void pxe_nbp_jump(const struct rm_regs *regs, uint16_t ss, uint16_t sp)
{
	uint16_t *stack = real_to_virt(ss, sp);

	/* Return address (our stub), then the !PXE far pointer at SS:SP+4 */
	stack[0] = pxe_code_off(pxe_nbp_return);
	stack[1] = pxe_seg;
	rm_jump(0, 0x7c00, ss, sp, regs);
}
