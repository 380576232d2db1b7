/* Fuzz target: URI parse, format, resolve, percent-encoding, cwuri. */
#include <stdlib.h>
#include <string.h>
#include <keel/params.h>
#include <keel/uri.h>
#include "fuzz.h"
#include "fuzzlib.h"

REQUIRE_OBJECT(linux_memory);

/** The base when the input holds no line of its own for one */
static const char default_base[] = "http://a/b/c/d;p?q";

/** Format, parse that again and format again: the text must not change */
static char *fuzz_format_stable(const struct uri *uri)
{
	char *first = format_uri_alloc(uri), *second = NULL;
	struct uri *again;

	if (!first)
		return NULL;
	if ((again = parse_uri(first))) {
		second = format_uri_alloc(again);
		if (second && strcmp(first, second) != 0)
			__builtin_trap();
		uri_put(again);
	}
	free(second);
	return first;
}

/** Decoding what was encoded gives the text back, for every field */
static void fuzz_encoding(const char *text)
{
	size_t len = strlen(text), enc_len;
	char *enc, *dec;
	unsigned int field;

	for (field = URI_USER; field <= URI_FORM; field++) {
		enc_len = uri_encode(field, text, NULL, 0);
		enc = malloc(enc_len + 1);
		dec = malloc(len + 1);
		if (enc && dec) {
			uri_encode(field, text, enc, enc_len + 1);
			if (uri_decode(enc, dec, len + 1) != len ||
			    strcmp(dec, text) != 0)
				__builtin_trap();
			/* Decoding never lengthens */
			if (uri_decode(text, NULL, 0) > len)
				__builtin_trap();
		}
		free(enc);
		free(dec);
	}
}

/** Parse both, resolve, check the formats, and move cwuri about */
static void fuzz_resolve(const char *base_text, const char *ref_text)
{
	struct uri *base = parse_uri(base_text), *ref = parse_uri(ref_text);
	struct uri *res = (base && ref) ? resolve_uri(base, ref) : NULL;

	free(base ? fuzz_format_stable(base) : NULL);
	free(ref ? fuzz_format_stable(ref) : NULL);
	free(res ? fuzz_format_stable(res) : NULL);
	if (base && ref) {
		churi(base);
		churi(ref);
		uri_port(ref, 80);
		churi(NULL);
	}
	uri_put(res);
	uri_put(ref);
	uri_put(base);
}

__export int keel_fuzz_one(const unsigned char *data, unsigned long len)
{
	struct heap_stats before;
	struct parameters *params;
	char *text, *ref, *newline;

	fuzz_begin(&before);
	text = malloc(len + 1);
	if (!text)
		return 0;
	memcpy(text, data, len);
	text[len] = '\0';
	/* "base\nreference", or a reference against the RFC 3986 base */
	newline = strchr(text, '\n');
	ref = newline ? newline + 1 : text;
	if (newline)
		*newline = '\0';
	params = create_parameters("p");
	if (params)
		add_parameter(params, "k", ref, PARAMETER_FORM);
	fuzz_resolve(newline ? text : default_base, ref);
	fuzz_encoding(ref);
	free(params ? params_format_form_alloc(params) : NULL);
	destroy_parameters(find_parameters("p"));
	free(text);
	fuzz_end(&before);
	return 0;
}
