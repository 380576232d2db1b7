/* Self-tests: SMBIOS entry points and the structure table behind the "smbios" settings. */
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <keel/io.h>
#include <keel/settings.h>
#include <keel/smbios.h>
#include <keel/test.h>

/* A system (type 1), a board (type 2) and the end (type 127) */
static uint8_t smbios_test_table[] = {
	/* Type 1, 0x1b bytes: manufacturer 1, product 2, version 0, serial 3 */
	1, 0x1b, 0x01, 0x00, 1, 2, 0, 3,
	0x78, 0x56, 0x34, 0x12, 0xbc, 0x9a, 0xf0, 0xde,
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x06, 0, 0,
	'M', 'a', 'k', 'e', 'r', 0, 'B', 'o', 'a', 'r', 'd', 0,
	'S', 'N', '1', 0, 0,
	/* Type 2, 8 bytes: serial 1 */
	2, 0x08, 0x02, 0x00, 0, 0, 0, 1,
	'B', 'S', 0, 0,
	/* End of table */
	127, 4, 0x03, 0x00, 0, 0,
};

/** Fill in an entry point's checksum byte so that its @len bytes add up to 0 */
static void smbios_test_sum(uint8_t *ep, size_t len, size_t at)
{
	uint8_t sum = 0;
	size_t i;

	ep[at] = 0;
	for (i = 0; i < len; i++)
		sum += ep[i];
	ep[at] = (uint8_t)-sum;
}

/** A 3.x entry point for @len bytes of the test table, version @major.@minor */
static void smbios_test_ep3(uint8_t *ep, uint32_t len, uint8_t major,
			    uint8_t minor)
{
	uint64_t addr = virt_to_phys(smbios_test_table);

	memset(ep, 0, 0x20);
	memcpy(ep, "_SM3_", 5);
	ep[6] = 0x18;
	ep[7] = major;
	ep[8] = minor;
	ep[0x0a] = 1;
	memcpy(ep + 0x0c, &len, sizeof(len));
	memcpy(ep + 0x10, &addr, sizeof(addr));
	smbios_test_sum(ep, 0x18, 5);
}

/** True if ${smbios/NAME} reads as @want */
static int smbios_is(const char *name, const char *want)
{
	char buf[64];

	return fetchf_named_setting(name, buf, sizeof(buf)) >= 0 &&
	       strcmp(buf, want) == 0;
}

/** True if ${NAME} is absent */
static int smbios_absent(const char *name)
{
	char buf[64];
	int rc = fetchf_named_setting(name, buf, sizeof(buf));

	return rc < 0 && rc_is(rc, ENOENT);
}

static void smbios_test_unregister(void)
{
	struct settings *s = find_settings("smbios");

	if (s)
		unregister_settings(s);
}

static void smbios_test_exec(void)
{
	uint8_t ep[0x20];
	uint32_t len32;
	int rc;

	/* Not entry points: no anchor, a bad checksum, too short */
	memset(ep, 0, sizeof(ep));
	ok(rc_is(smbios_register_entry(ep), ENOENT));
	smbios_test_ep3(ep, sizeof(smbios_test_table), 3, 0);
	ep[0x0c] ^= 1;
	ok(rc_is(smbios_register_entry(ep), ENOENT));
	smbios_test_ep3(ep, sizeof(smbios_test_table), 3, 0);
	ep[6] = 0x10;
	smbios_test_sum(ep, 0x10, 5);
	ok(rc_is(smbios_register_entry(ep), ENOENT));
	ok(find_settings("smbios") == NULL);

	/* 3.x: every setting; the UUID's first fields are little-endian */
	smbios_test_ep3(ep, sizeof(smbios_test_table), 3, 0);
	ok(smbios_register_entry(ep) == 0);
	ok(smbios_is("smbios/uuid", "12345678-9abc-def0-1122-334455667788"));
	ok(smbios_is("smbios/manufacturer", "Maker"));
	ok(smbios_is("smbios/product", "Board"));
	ok(smbios_is("smbios/serial", "SN1"));
	ok(smbios_is("smbios/board-serial", "BS"));
	ok(smbios_absent("smbios/asset"));
	smbios_test_unregister();

	/* Before 2.6 the UUID is stored as it reads */
	smbios_test_ep3(ep, sizeof(smbios_test_table), 2, 5);
	ok(smbios_register_entry(ep) == 0);
	ok(smbios_is("smbios/uuid", "78563412-bc9a-f0de-1122-334455667788"));
	smbios_test_unregister();

	/* 2.x, where the table is below 4 GiB (a 32-bit address) */
	if (virt_to_phys(smbios_test_table) <= 0xffffffffUL -
						      sizeof(smbios_test_table)) {
		uint32_t addr = virt_to_phys(smbios_test_table);
		uint16_t len16 = sizeof(smbios_test_table);

		memset(ep, 0, sizeof(ep));
		memcpy(ep, "_SM_", 4);
		ep[5] = 0x1f;
		ep[6] = 2;
		ep[7] = 8;
		memcpy(ep + 0x10, "_DMI_", 5);
		memcpy(ep + 0x16, &len16, sizeof(len16));
		memcpy(ep + 0x18, &addr, sizeof(addr));
		smbios_test_sum(ep, 0x1f, 4);
		ok(smbios_register_entry(ep) == 0);
		ok(smbios_is("smbios/serial", "SN1"));
		smbios_test_unregister();
	}

	/* Every truncation of the table: no read beyond it, no crash */
	for (len32 = 4; len32 < sizeof(smbios_test_table); len32++) {
		smbios_test_ep3(ep, len32, 3, 0);
		rc = smbios_register_entry(ep);
		ok(rc == 0);
		/* Type 1 ends at 0x2c, type 2 at 0x38 */
		ok(smbios_is("smbios/serial", "SN1") == (len32 >= 0x2c));
		ok(smbios_is("smbios/board-serial", "BS") == (len32 >= 0x38));
		smbios_test_unregister();
	}

	/* An all-zero UUID means "not present" */
	memset(smbios_test_table + 8, 0, 16);
	smbios_test_ep3(ep, sizeof(smbios_test_table), 3, 0);
	ok(smbios_register_entry(ep) == 0);
	ok(smbios_absent("smbios/uuid"));
	ok(smbios_is("smbios/product", "Board"));
	smbios_test_unregister();
	ok(find_settings("smbios") == NULL);
}

struct self_test smbios_test __self_test = {
	.name = "smbios",
	.exec = smbios_test_exec,
};
