/* Fuzz target: a DNS response, its names, and DHCP option 119 search lists. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <keel/dns.h>
#include <keel/settings.h>
#include "fuzz.h"
#include "fuzzlib.h"

REQUIRE_OBJECT(linux_memory);

extern const struct setting_type setting_type_dnssl;

/** The response as an answer to its own question, so parsing goes deep */
static void fuzz_dns_response(const unsigned char *data, unsigned long len)
{
	struct dns_answer *answer = malloc(sizeof(*answer));
	char qname[DNS_MAX_TEXT];
	uint16_t id;

	if (!answer || len < 12)
		goto out;
	id = (uint16_t)((data[0] << 8) | data[1]);
	if (dns_decode_name(data, len, 12, qname, sizeof(qname), NULL) >= 0)
		dns_parse_response(data, len, id, qname, answer);
	dns_parse_response(data, len, id, "www.example.com", answer);
out:
	free(answer);
}

__export int keel_fuzz_one(const unsigned char *data, unsigned long len)
{
	struct heap_stats before;
	char text[DNS_MAX_TEXT], list[512];
	unsigned long offset;

	fuzz_begin(&before);
	fuzz_dns_response(data, len);
	for (offset = 0; offset < len && offset < 64; offset++)
		dns_decode_name(data, len, offset, text, sizeof(text), NULL);
	dns_decode_search_list(data, len, list, sizeof(list));
	setting_format(&setting_type_dnssl, data, len, list, sizeof(list));
	fuzz_end(&before);
	return 0;
}
