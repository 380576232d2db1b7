/* HTTP authentication: challenges parsed, and Basic (RFC 7617) and Digest (RFC
 * 7616) answers computed. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <keel/base64.h>
#include <keel/crypto.h>
#include <keel/http.h>

/** Longest auth-param value read (longer ones spoil their challenge) */
#define HTTP_AUTH_VALUE_MAX 256

/** A challenge while it is read */
struct http_auth_parse {
	struct http_challenge chal;
	/** Something in it cannot be answered */
	int bad;
};

/* ------------------------------------------------------------------------
 * Lexing (RFC 9110 section 11.2)
 */

static int http_auth_tchar(unsigned char c)
{
	return c < 0x80 && (isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c)));
}

static const char *http_auth_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/** Length of the token at @p */
static size_t http_auth_token_len(const char *p)
{
	size_t n = 0;

	while (http_auth_tchar((unsigned char)p[n]))
		n++;
	return n;
}

/**
 * Read a token or a quoted string (unescaped) into @buf.
 *
 * @p		cursor, moved past the value
 * @ret rc	0, -EPROTO if malformed, -ENOSPC if longer than @size - 1
 */
static int http_auth_value(const char **p, char *buf, size_t size)
{
	const char *s = *p;
	size_t n = 0;

	if (*s != '"') {
		n = http_auth_token_len(s);
		if (!n)
			return -EPROTO;
		*p = s + n;
		if (n >= size)
			return -ENOSPC;
		memcpy(buf, s, n);
		buf[n] = '\0';
		return 0;
	}
	for (s++; *s != '"'; s++) {
		if (*s == '\\' && s[1])
			s++;
		if (!*s || (*s != '\t' && (unsigned char)*s < 0x20))
			return -EPROTO;
		if (n + 1 < size)
			buf[n] = *s;
		n++;
	}
	*p = s + 1;
	buf[(n < size) ? n : size - 1] = '\0';
	return (n < size) ? 0 : -ENOSPC;
}

/** Skip to the next comma (or the end) after something unreadable */
static const char *http_auth_skip(const char *p)
{
	while (*p && *p != ',') {
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
			}
			if (!*p)
				break;
		}
		p++;
	}
	return p;
}

/* ------------------------------------------------------------------------
 * Parameters of a challenge
 */

/**
 * Digest algorithms (RFC 7616 section 3.3), by the name of the digest
 * that computes them. MD5 is in every build; SHA-256 only where the
 * build links it (the full set: src/config/config_full.c), so that the
 * small BIOS images do not carry it for this alone. A challenge whose
 * algorithm is not linked is passed over, as one we do not know.
 */
struct http_auth_algorithm {
	const char *name;
	const char *digest;
};

static const struct http_auth_algorithm http_auth_algorithms[] = {
	{"MD5", "md5"},
	{"SHA-256", "sha256"},
};

/** The RFC 7616 name of @digest (NULL: MD5) */
static const char *http_auth_algorithm_name(struct digest_algorithm *digest)
{
	unsigned int i;

	for (i = 0; digest && i < ARRAY_SIZE(http_auth_algorithms); i++) {
		if (strcmp(http_auth_algorithms[i].digest, digest->name) == 0)
			return http_auth_algorithms[i].name;
	}
	return "MD5";
}

/** Copy a value into a field of the challenge, or spoil it */
static void http_auth_copy(struct http_auth_parse *ap, char *field, size_t size,
			   const char *value)
{
	if (strlen(value) >= size)
		ap->bad = 1;
	else
		strcpy(field, value);
}

static void http_auth_realm(struct http_auth_parse *ap, const char *value)
{
	http_auth_copy(ap, ap->chal.realm, sizeof(ap->chal.realm), value);
}

static void http_auth_nonce(struct http_auth_parse *ap, const char *value)
{
	http_auth_copy(ap, ap->chal.nonce, sizeof(ap->chal.nonce), value);
}

static void http_auth_opaque(struct http_auth_parse *ap, const char *value)
{
	http_auth_copy(ap, ap->chal.opaque, sizeof(ap->chal.opaque), value);
	ap->chal.has_opaque = 1;
}

static void http_auth_algorithm(struct http_auth_parse *ap, const char *value)
{
	const struct http_auth_algorithm *a;
	size_t len;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(http_auth_algorithms); i++) {
		a = &http_auth_algorithms[i];
		len = strlen(a->name);
		if (strncasecmp(a->name, value, len) != 0 ||
		    (value[len] && strcasecmp(value + len, "-sess") != 0))
			continue;
		ap->chal.algorithm = find_digest(a->digest);
		ap->chal.sess = value[len] != 0;
		if (ap->chal.algorithm)
			return;
		break;
	}
	ap->bad = 1;
}

static void http_auth_qop(struct http_auth_parse *ap, const char *value)
{
	char list[HTTP_AUTH_VALUE_MAX], *cursor = list, *item;

	strcpy(list, value);
	while ((item = strsep(&cursor, ",")) != NULL) {
		item = (char *)http_auth_ows(item);
		item[http_auth_token_len(item)] = '\0';
		if (strcasecmp(item, "auth") == 0)
			ap->chal.qop_auth = 1;
	}
	/* Only auth-int offered: that needs the body's hash, not done */
	if (!ap->chal.qop_auth)
		ap->bad = 1;
}

static void http_auth_stale(struct http_auth_parse *ap, const char *value)
{
	ap->chal.stale = (strcasecmp(value, "true") == 0);
}

static void http_auth_userhash(struct http_auth_parse *ap, const char *value)
{
	ap->chal.userhash = (strcasecmp(value, "true") == 0);
}

/** Parameters understood, and what they do */
struct http_auth_param {
	const char *name;
	void (*apply)(struct http_auth_parse *ap, const char *value);
};

static const struct http_auth_param http_auth_params[] = {
	{"realm", http_auth_realm},	  {"nonce", http_auth_nonce},
	{"opaque", http_auth_opaque},	  {"algorithm", http_auth_algorithm},
	{"qop", http_auth_qop},		  {"stale", http_auth_stale},
	{"userhash", http_auth_userhash},
};

static void http_auth_param(struct http_auth_parse *ap, const char *name,
			    size_t name_len, const char *value)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(http_auth_params); i++) {
		if (strlen(http_auth_params[i].name) == name_len &&
		    strncasecmp(http_auth_params[i].name, name, name_len) ==
			    0) {
			http_auth_params[i].apply(ap, value);
			return;
		}
	}
}

/* ------------------------------------------------------------------------
 * Choosing a challenge
 */

/** Results of the challenges read so far */
struct http_auth_choice {
	struct http_challenge digest;
	struct http_challenge basic;
	int have_digest;
	int have_basic;
};

/** A challenge is complete: keep it if it is the first usable one */
static void http_auth_consider(struct http_auth_parse *ap,
			       struct http_auth_choice *choice)
{
	struct http_challenge *chal = &ap->chal;

	if (ap->bad)
		return;
	if (chal->scheme == HTTP_AUTH_DIGEST && !choice->have_digest &&
	    chal->nonce[0]) {
		if (!chal->algorithm)
			chal->algorithm = &md5_algorithm;
		choice->digest = *chal;
		choice->have_digest = 1;
	} else if (chal->scheme == HTTP_AUTH_BASIC && !choice->have_basic) {
		choice->basic = *chal;
		choice->have_basic = 1;
	}
}

/** A new challenge begins with its scheme */
static void http_auth_begin(struct http_auth_parse *ap, const char *scheme,
			    size_t len)
{
	memset(ap, 0, sizeof(*ap));
	if (len == 6 && strncasecmp(scheme, "Digest", 6) == 0)
		ap->chal.scheme = HTTP_AUTH_DIGEST;
	else if (len == 5 && strncasecmp(scheme, "Basic", 5) == 0)
		ap->chal.scheme = HTTP_AUTH_BASIC;
	else
		ap->bad = 1;
}

/** An auth-param "name=value"; the cursor is at the '=' */
static const char *http_auth_read_param(struct http_auth_parse *ap,
					const char *name, size_t len,
					const char *p)
{
	char value[HTTP_AUTH_VALUE_MAX];
	int rc;

	p = http_auth_ows(p + 1);
	rc = http_auth_value(&p, value, sizeof(value));
	if (rc == -EPROTO) {
		/* A token68 ("abc==") or garbage: skip it */
		return http_auth_skip(p);
	}
	if (rc == 0)
		http_auth_param(ap, name, len, value);
	else
		ap->bad = 1;
	return p;
}

int http_parse_challenges(const char *text, struct http_challenge *chal)
{
	struct http_auth_choice choice;
	struct http_auth_parse ap;
	const char *p = text, *name;
	int started = 0;
	size_t len;

	memset(&choice, 0, sizeof(choice));
	memset(chal, 0, sizeof(*chal));
	while (1) {
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		name = p;
		if (!(len = http_auth_token_len(p))) {
			p = http_auth_skip(p);
			continue;
		}
		p = http_auth_ows(p + len);
		if (*p == '=' && started) {
			p = http_auth_read_param(&ap, name, len, p);
		} else if (*p == '=') {
			p = http_auth_skip(p);
		} else {
			if (started)
				http_auth_consider(&ap, &choice);
			http_auth_begin(&ap, name, len);
			started = 1;
		}
	}
	if (started)
		http_auth_consider(&ap, &choice);
	if (choice.have_digest)
		*chal = choice.digest;
	else if (choice.have_basic)
		*chal = choice.basic;
	else
		return -ENOTSUP;
	return 0;
}

/* ------------------------------------------------------------------------
 * Answers
 */

/** Lower-case hex of the digest of @parts joined by ':' */
static void http_hash_hex(struct digest_algorithm *digest,
			  const char *const *parts, unsigned int count,
			  char *hex)
{
	uint64_t ctx[(DIGEST_CTX_MAX + 7) / 8];
	uint8_t out[DIGEST_OUT_MAX];
	unsigned int i;

	digest->init(ctx);
	for (i = 0; i < count; i++) {
		if (i)
			digest->update(ctx, ":", 1);
		digest->update(ctx, parts[i], strlen(parts[i]));
	}
	digest->final(ctx, out);
	for (i = 0; i < digest->digestsize; i++)
		snprintf(&hex[2 * i], 3, "%02x", out[i]);
}

void http_digest_response(const struct http_challenge *chal,
			  const struct http_digest_input *in, char *hex)
{
	struct digest_algorithm *digest =
		chal->algorithm ? chal->algorithm : &md5_algorithm;
	char ha1[2 * DIGEST_OUT_MAX + 1], ha2[2 * DIGEST_OUT_MAX + 1];
	char nc[9];
	const char *a1[] = {in->user, chal->realm, in->password};
	const char *sess[] = {ha1, chal->nonce, in->cnonce};
	const char *a2[] = {in->method, in->uri};
	const char *with_qop[] = {ha1,	      chal->nonce, nc,
				  in->cnonce, "auth",	   ha2};
	const char *without_qop[] = {ha1, chal->nonce, ha2};

	http_hash_hex(digest, a1, ARRAY_SIZE(a1), ha1);
	if (chal->sess)
		http_hash_hex(digest, sess, ARRAY_SIZE(sess), ha1);
	http_hash_hex(digest, a2, ARRAY_SIZE(a2), ha2);
	snprintf(nc, sizeof(nc), "%08x", in->nc);
	if (chal->qop_auth)
		http_hash_hex(digest, with_qop, ARRAY_SIZE(with_qop), hex);
	else
		http_hash_hex(digest, without_qop, ARRAY_SIZE(without_qop),
			      hex);
}

/** A bounded text being written */
struct http_auth_out {
	char *p;
	char *end;
};

/** Append formatted text (cut at the end of the buffer) */
static void __printf(2, 3)
	http_put(struct http_auth_out *out, const char *fmt, ...)
{
	size_t room = (size_t)(out->end - out->p);
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(out->p, room, fmt, args);
	va_end(args);
	out->p += ((size_t)n < room) ? (size_t)n : room - 1;
}

/** Append a quoted string, escaping '"' and '\' (controls become '?') */
static void http_put_quoted(struct http_auth_out *out, const char *in)
{
	http_put(out, "\"");
	for (; *in; in++) {
		if (*in == '"' || *in == '\\')
			http_put(out, "\\");
		http_put(out, "%c",
			 ((unsigned char)*in < 0x20 || *in == 0x7f) ? '?'
								    : *in);
	}
	http_put(out, "\"");
}

/** Append ", name=" and a quoted value */
static void http_put_param(struct http_auth_out *out, const char *name,
			   const char *value)
{
	http_put(out, ", %s=", name);
	http_put_quoted(out, value);
}

/** "Basic " and base64 of "user:password" */
static char *http_basic_authorization(const struct http_digest_input *in)
{
	size_t user = strlen(in->user), pass = strlen(in->password);
	size_t raw_len = user + 1 + pass, len = base64_encoded_len(raw_len);
	char *raw = malloc(raw_len + 1), *value = malloc(len + 7);

	if (raw && value) {
		snprintf(raw, raw_len + 1, "%s:%s", in->user, in->password);
		strcpy(value, "Basic ");
		base64_encode(raw, raw_len, value + 6, len + 1);
	} else {
		free(value);
		value = NULL;
	}
	free(raw);
	return value;
}

/** The user name hashed with the realm (userhash, RFC 7616 3.4.4) */
static void http_digest_username(const struct http_challenge *chal,
				 const struct http_digest_input *in,
				 char *hashed)
{
	const char *parts[] = {in->user, chal->realm};

	http_hash_hex(chal->algorithm ? chal->algorithm : &md5_algorithm, parts,
		      ARRAY_SIZE(parts), hashed);
}

static char *http_digest_authorization(const struct http_challenge *chal,
				       const struct http_digest_input *in)
{
	char response[2 * DIGEST_OUT_MAX + 1], hashed[2 * DIGEST_OUT_MAX + 1];
	size_t size = 2 * (strlen(in->user) + strlen(chal->realm) +
			   strlen(chal->nonce) + strlen(in->uri) +
			   strlen(chal->opaque) + strlen(in->cnonce)) +
		      512;
	const char *algorithm = http_auth_algorithm_name(chal->algorithm);
	struct http_auth_out out;
	char *value = malloc(size);

	if (!value)
		return NULL;
	out.p = value;
	out.end = value + size;
	http_digest_response(chal, in, response);
	if (chal->userhash)
		http_digest_username(chal, in, hashed);
	http_put(&out, "Digest username=");
	http_put_quoted(&out, chal->userhash ? hashed : in->user);
	http_put_param(&out, "realm", chal->realm);
	http_put_param(&out, "nonce", chal->nonce);
	http_put_param(&out, "uri", in->uri);
	http_put(&out, ", algorithm=%s%s", algorithm,
		 chal->sess ? "-sess" : "");
	http_put_param(&out, "response", response);
	if (chal->has_opaque)
		http_put_param(&out, "opaque", chal->opaque);
	if (chal->qop_auth) {
		http_put(&out, ", qop=auth, nc=%08x", in->nc);
		http_put_param(&out, "cnonce", in->cnonce);
	}
	if (chal->userhash)
		http_put(&out, ", userhash=true");
	return value;
}

char *http_authorization(const struct http_challenge *chal,
			 const struct http_digest_input *in)
{
	if (chal->scheme == HTTP_AUTH_DIGEST)
		return http_digest_authorization(chal, in);
	return http_basic_authorization(in);
}
