/* URIs (RFC 3986): parse, format, resolve, percent-encode, open by scheme. */
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <keel/interface.h>
#include <keel/params.h>
#include <keel/settings.h>
#include <keel/strout.h>
#include <keel/uri.h>

struct uri *cwuri;

/* ------------------------------------------------------------------------
 * Output with snprintf semantics
 */

/* ------------------------------------------------------------------------
 * Percent-encoding
 */

/** Delimiters each field keeps as they are, beyond the unreserved set */
static const char *const uri_field_keep[] = {
	[URI_USER] = "!$&'()*+,;=",	    [URI_PASSWORD] = "!$&'()*+,;=:",
	[URI_HOST] = "!$&'()*+,;=",	    [URI_HOST_LITERAL] = "!$&'()*+,;=:",
	[URI_PATH] = "!$&'()*+,;=:@/",	    [URI_QUERY] = "!$&'()*+,;=:@/?",
	[URI_FRAGMENT] = "!$&'()*+,;=:@/?", [URI_FORM] = "",
};

/** True if @c may appear unencoded in @field */
static int uri_keeps(enum uri_field field, unsigned char c)
{
	if (c < 0x80 && (isalnum(c) || (c && strchr("-._~", c))))
		return 1;
	if ((unsigned int)field >= ARRAY_SIZE(uri_field_keep))
		return 0;
	return c && strchr(uri_field_keep[field], c) != NULL;
}

static void out_encoded(struct strout *out, enum uri_field field,
			const char *raw)
{
	static const char digits[] = "0123456789ABCDEF";
	unsigned char c;

	for (; *raw; raw++) {
		c = (unsigned char)*raw;
		if (uri_keeps(field, c)) {
			strout_char(out, (char)c);
			continue;
		}
		strout_char(out, '%');
		strout_char(out, digits[c >> 4]);
		strout_char(out, digits[c & 0xf]);
	}
}

size_t uri_encode(enum uri_field field, const char *raw, char *buf, size_t len)
{
	struct strout out = {buf, len, 0};

	out_encoded(&out, field, raw);
	return strout_end(&out);
}

/** The byte an escape at @p stands for, or -1 (not an escape, or %00) */
static int uri_escape_value(const char *p)
{
	int hi, lo;

	if (p[0] != '%' || (hi = xdigit_value((unsigned char)p[1])) < 0 ||
	    (lo = xdigit_value((unsigned char)p[2])) < 0)
		return -1;
	return (hi || lo) ? (hi << 4) | lo : -1;
}

size_t uri_decode(const char *encoded, char *buf, size_t len)
{
	struct strout out = {buf, len, 0};
	int value;

	while (*encoded) {
		value = uri_escape_value(encoded);
		if (value < 0) {
			strout_char(&out, *encoded++);
			continue;
		}
		strout_char(&out, (char)value);
		encoded += 3;
	}
	return strout_end(&out);
}

/** Decode a string in place; returns it */
static char *uri_decode_inplace(char *text)
{
	uri_decode(text, text, strlen(text) + 1);
	return text;
}

/** Encode into a malloc'd string, or NULL */
static char *uri_encode_alloc(enum uri_field field, const char *raw)
{
	size_t len = uri_encode(field, raw, NULL, 0);
	char *text = malloc(len + 1);

	if (text)
		uri_encode(field, raw, text, len + 1);
	return text;
}

/* ------------------------------------------------------------------------
 * Construction
 */

/** The string fields of a URI, in the order they are stored */
static const size_t uri_fields[] = {
	__builtin_offsetof(struct uri, scheme),
	__builtin_offsetof(struct uri, opaque),
	__builtin_offsetof(struct uri, user),
	__builtin_offsetof(struct uri, password),
	__builtin_offsetof(struct uri, host),
	__builtin_offsetof(struct uri, port),
	__builtin_offsetof(struct uri, path),
	__builtin_offsetof(struct uri, epath),
	__builtin_offsetof(struct uri, equery),
	__builtin_offsetof(struct uri, efragment),
};

static const char **uri_field(const struct uri *uri, unsigned int i)
{
	return (const char **)((char *)uri + uri_fields[i]);
}

static void uri_free(struct refcnt *refcnt)
{
	struct uri *uri = container_of(refcnt, struct uri, refcnt);

	params_put(uri->params);
	free(uri);
}

struct uri *uri_dup(const struct uri *tmpl)
{
	struct uri copy = *tmpl, *uri = NULL;
	size_t need = sizeof(*uri), len;
	char *extra = NULL, *p;
	unsigned int i;

	/* Whichever of path and epath is missing is derived from the other */
	if (copy.path && !copy.epath)
		copy.epath = extra = uri_encode_alloc(URI_PATH, copy.path);
	else if (copy.epath && !copy.path && (extra = strdup(copy.epath)))
		copy.path = uri_decode_inplace(extra);
	if ((copy.path || copy.epath) && !extra && !(copy.path && copy.epath))
		return NULL;
	for (i = 0; i < ARRAY_SIZE(uri_fields); i++) {
		if (*uri_field(&copy, i))
			need += strlen(*uri_field(&copy, i)) + 1;
	}
	uri = zalloc(need);
	if (!uri)
		goto out;
	ref_init(&uri->refcnt, uri_free);
	p = (char *)(uri + 1);
	for (i = 0; i < ARRAY_SIZE(uri_fields); i++) {
		if (!*uri_field(&copy, i))
			continue;
		len = strlen(*uri_field(&copy, i)) + 1;
		memcpy(p, *uri_field(&copy, i), len);
		*uri_field(uri, i) = p;
		p += len;
	}
	uri->params = params_get(copy.params);
out:
	free(extra);
	return uri;
}

/* ------------------------------------------------------------------------
 * Parsing
 */

/** Length of a scheme starting @text and followed by ':', or 0 */
static size_t uri_scheme_len(const char *text)
{
	size_t i;

	if (!isalpha((unsigned char)text[0]))
		return 0;
	for (i = 1; isalnum((unsigned char)text[i]) || text[i] == '+' ||
		    text[i] == '-' || text[i] == '.';
	     i++)
		;
	return (text[i] == ':') ? i : 0;
}

/** Cut a "##params" or "##params=NAME" suffix off @raw; find its list */
static struct parameters *uri_cut_params(char *raw)
{
	static const char marker[] = "##params";
	const size_t mlen = sizeof(marker) - 1;
	char *p;

	for (p = strstr(raw, marker); p; p = strstr(p + 1, marker)) {
		if (p[mlen] == '\0' || p[mlen] == '=') {
			*p = '\0';
			return find_parameters(p[mlen] ? &p[mlen + 1] : NULL);
		}
	}
	return NULL;
}

/** Split "user:password@host:port" (cut up and decoded in place) */
static void uri_parse_authority(char *auth, struct uri *tmpl)
{
	char *at = strrchr(auth, '@'), *hostport = auth, *colon, *close;

	if (at) {
		*at = '\0';
		hostport = at + 1;
		if ((colon = strchr(auth, ':'))) {
			*colon = '\0';
			tmpl->password = uri_decode_inplace(colon + 1);
		}
		tmpl->user = uri_decode_inplace(auth);
	}
	/* An IP literal in brackets, or else the port follows the last ':' */
	close = (hostport[0] == '[') ? strchr(hostport, ']') : NULL;
	if (close && (close[1] == '\0' || close[1] == ':')) {
		*close = '\0';
		if (close[1] == ':')
			tmpl->port = close + 2;
		hostport++;
	} else if ((colon = strrchr(hostport, ':'))) {
		*colon = '\0';
		tmpl->port = colon + 1;
	}
	tmpl->host = uri_decode_inplace(hostport);
}

/** Split "//authority/path?query" (cut up in place) */
static void uri_parse_hier(char *rest, struct uri *tmpl)
{
	char *query, *slash;

	if ((query = strchr(rest, '?'))) {
		*query = '\0';
		tmpl->equery = query + 1;
	}
	if (rest[0] == '/' && rest[1] == '/') {
		/* Shift the authority left over the second '/' to end it */
		rest += 2;
		slash = rest + strcspn(rest, "/");
		memmove(rest - 1, rest, (size_t)(slash - rest));
		slash[-1] = '\0';
		uri_parse_authority(rest - 1, tmpl);
		rest = slash;
	}
	if (rest[0])
		tmpl->epath = rest;
}

struct uri *parse_uri(const char *text)
{
	struct uri tmpl;
	struct uri *uri;
	char *raw = strdup(text), *rest, *hash;
	size_t scheme_len;

	if (!raw)
		return NULL;
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.params = uri_cut_params(raw);
	if ((hash = strchr(raw, '#'))) {
		*hash = '\0';
		tmpl.efragment = hash + 1;
	}
	rest = raw;
	if ((scheme_len = uri_scheme_len(raw))) {
		raw[scheme_len] = '\0';
		tmpl.scheme = raw;
		rest = raw + scheme_len + 1;
		if (rest[0] != '/')
			tmpl.opaque = rest;
	}
	if (!tmpl.opaque)
		uri_parse_hier(rest, &tmpl);
	uri = uri_dup(&tmpl);
	free(raw);
	return uri;
}

/* ------------------------------------------------------------------------
 * Formatting
 */

static void format_authority(struct strout *out, const struct uri *uri)
{
	strout_str(out, "//");
	if (uri->user) {
		out_encoded(out, URI_USER, uri->user);
		if (uri->password) {
			strout_char(out, ':');
			out_encoded(out, URI_PASSWORD, uri->password);
		}
		strout_char(out, '@');
	}
	/* Brackets keep any ':' in the host (or port) from ending the host */
	if (strchr(uri->host, ':') || (uri->port && strchr(uri->port, ':'))) {
		strout_char(out, '[');
		out_encoded(out, URI_HOST_LITERAL, uri->host);
		strout_char(out, ']');
	} else {
		out_encoded(out, URI_HOST, uri->host);
	}
	if (uri->port) {
		strout_char(out, ':');
		strout_str(out, uri->port);
	}
}

/** Write the path so that it reads back as a path (RFC 3986 4.2, 5.3) */
static void format_path(struct strout *out, const struct uri *uri)
{
	const char *epath = uri->epath;

	if (!epath && uri->path) {
		out_encoded(out, URI_PATH, uri->path);
		return;
	}
	if (!epath || !epath[0])
		return;
	if (uri->host && epath[0] != '/')
		strout_char(out, '/');
	else if (!uri->host && epath[0] == '/' && epath[1] == '/')
		strout_str(out, "/.");
	else if (!uri->host && !uri->scheme && uri_scheme_len(epath))
		strout_str(out, "./");
	strout_str(out, epath);
}

/** A fragment never holds '#': one there would read back as "##params" */
static void format_fragment(struct strout *out, const char *efragment)
{
	for (; *efragment; efragment++) {
		if (*efragment == '#')
			strout_str(out, "%23");
		else
			strout_char(out, *efragment);
	}
}

size_t format_uri(const struct uri *uri, char *buf, size_t len)
{
	struct strout out = {buf, len, 0};

	if (uri->scheme) {
		strout_str(&out, uri->scheme);
		strout_char(&out, ':');
	}
	if (uri->opaque) {
		strout_str(&out, uri->opaque);
	} else {
		if (uri->host)
			format_authority(&out, uri);
		format_path(&out, uri);
		if (uri->equery) {
			strout_char(&out, '?');
			strout_str(&out, uri->equery);
		}
	}
	if (uri->efragment) {
		strout_char(&out, '#');
		format_fragment(&out, uri->efragment);
	}
	return strout_end(&out);
}

char *format_uri_alloc(const struct uri *uri)
{
	size_t len = format_uri(uri, NULL, 0);
	char *text = malloc(len + 1);

	if (text)
		format_uri(uri, text, len + 1);
	return text;
}

unsigned int uri_port(const struct uri *uri, unsigned int default_port)
{
	unsigned long port;
	char *end;

	if (!uri->port || !isdigit((unsigned char)uri->port[0]))
		return default_port;
	port = strtoul(uri->port, &end, 10);
	return (*end || port > 65535) ? default_port : (unsigned int)port;
}

/* ------------------------------------------------------------------------
 * Relative resolution (RFC 3986 section 5.2)
 */

/** Drop the last segment (and its '/') from the output path */
static void dots_pop(char *out, size_t *used)
{
	char *slash = memrchr(out, '/', *used);

	*used = slash ? (size_t)(slash - out) : 0;
}

/**
 * Remove "." and ".." segments (section 5.2.4), consuming @in.
 *
 * @in		path (modified)
 * @out		output, at least as long as @in
 */
static void remove_dot_segments(char *in, char *out)
{
	size_t used = 0, n;

	while (*in) {
		if (strncmp(in, "../", 3) == 0) {
			in += 3;
		} else if (strncmp(in, "./", 2) == 0 ||
			   strncmp(in, "/./", 3) == 0) {
			in += 2;
		} else if (strcmp(in, "/.") == 0) {
			in[1] = '/';
			in += 1;
		} else if (strncmp(in, "/../", 4) == 0) {
			in += 3;
			dots_pop(out, &used);
		} else if (strcmp(in, "/..") == 0) {
			in[2] = '/';
			in += 2;
			dots_pop(out, &used);
		} else if (strcmp(in, ".") == 0 || strcmp(in, "..") == 0) {
			in += strlen(in);
		} else {
			n = (in[0] == '/') ? 1 : 0;
			n += strcspn(in + n, "/");
			memcpy(out + used, in, n);
			used += n;
			in += n;
		}
	}
	out[used] = '\0';
}

/**
 * The merged (section 5.2.3) path of a reference, dot segments removed.
 *
 * @bpath	base path, or NULL
 * @with_authority	true if the base has an authority
 * @rpath	reference path, or NULL
 * @ret path	malloc'd path, or NULL if out of memory
 */
static char *resolve_path(const char *bpath, int with_authority,
			  const char *rpath)
{
	const char *slash;
	size_t keep = 0, len;
	char *merged, *path;

	if (!bpath)
		bpath = "";
	if (!rpath)
		rpath = "";
	if (rpath[0] != '/' && with_authority && !bpath[0]) {
		bpath = "/";
		keep = 1;
	} else if (rpath[0] != '/') {
		slash = strrchr(bpath, '/');
		keep = slash ? (size_t)(slash + 1 - bpath) : 0;
	}
	len = keep + strlen(rpath);
	merged = malloc(len + 1);
	path = malloc(len + 1);
	if (merged && path) {
		memcpy(merged, bpath, keep);
		strcpy(merged + keep, rpath);
		remove_dot_segments(merged, path);
	} else {
		free(path);
		path = NULL;
	}
	free(merged);
	return path;
}

/** Take the authority of @from into @to */
static void uri_copy_authority(struct uri *to, const struct uri *from)
{
	to->user = from->user;
	to->password = from->password;
	to->host = from->host;
	to->port = from->port;
}

/**
 * Fill in the target's path and query (section 5.2.2).
 *
 * @ret epath	malloc'd path for the template, or NULL (set @*failed)
 */
static char *resolve_target(const struct uri *base, const struct uri *rel,
			    struct uri *tmpl, int *failed)
{
	const char *bpath = base->opaque ? base->opaque : base->epath;
	char *epath;

	if (rel->scheme || rel->host) {
		if (rel->scheme)
			tmpl->scheme = rel->scheme;
		uri_copy_authority(tmpl, rel);
		tmpl->equery = rel->equery;
		if (!rel->epath)
			return NULL;
		epath = resolve_path(NULL, 0, rel->epath);
	} else if (!rel->epath) {
		uri_copy_authority(tmpl, base);
		tmpl->equery = rel->equery
				       ? rel->equery
				       : (base->opaque ? NULL : base->equery);
		if (!bpath)
			return NULL;
		epath = strdup(bpath);
	} else {
		uri_copy_authority(tmpl, base);
		tmpl->equery = rel->equery;
		epath = resolve_path(bpath, base->host != NULL, rel->epath);
	}
	*failed = (epath == NULL);
	return epath;
}

/** A result with a scheme, no authority and a rootless path is opaque */
static char *resolve_opaque(struct uri *tmpl, char *epath, int *failed)
{
	size_t plen = epath ? strlen(epath) : 0;
	size_t qlen = tmpl->equery ? strlen(tmpl->equery) + 1 : 0;
	char *opaque;

	if (!tmpl->scheme || tmpl->host || (epath && epath[0] == '/'))
		return epath;
	opaque = malloc(plen + qlen + 1);
	if (!opaque) {
		*failed = 1;
		return epath;
	}
	memcpy(opaque, epath ? epath : "", plen);
	if (qlen) {
		opaque[plen] = '?';
		memcpy(opaque + plen + 1, tmpl->equery, qlen - 1);
	}
	opaque[plen + qlen] = '\0';
	free(epath);
	tmpl->opaque = opaque;
	tmpl->equery = NULL;
	return opaque;
}

struct uri *resolve_uri(const struct uri *base, struct uri *relative)
{
	struct uri tmpl, *uri = NULL;
	char *text;
	int failed = 0;

	if (!base)
		return uri_get(relative);
	if (relative->opaque)
		return uri_dup(relative);
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.scheme = base->scheme;
	tmpl.efragment = relative->efragment;
	tmpl.params = relative->params;
	text = resolve_target(base, relative, &tmpl, &failed);
	if (text && !text[0]) {
		free(text);
		text = NULL;
	}
	text = resolve_opaque(&tmpl, text, &failed);
	if (!tmpl.opaque)
		tmpl.epath = text;
	if (!failed)
		uri = uri_dup(&tmpl);
	free(text);
	return uri;
}

/* ------------------------------------------------------------------------
 * The current working URI, and opening by scheme
 */

void churi(struct uri *uri)
{
	struct uri *resolved = NULL;
	char *text = NULL;

	if (uri && !(resolved = resolve_uri(cwuri, uri)))
		resolved = uri_get(uri);
	uri_put(cwuri);
	cwuri = resolved;
	if (resolved)
		text = format_uri_alloc(resolved);
	settings_set_cwuri(text);
	free(text);
}

static const struct uri_opener *find_uri_opener(const char *scheme)
{
	const struct uri_opener *opener;

	for_each_table_entry(opener, URI_OPENERS) {
		if (strcasecmp(opener->scheme, scheme) == 0)
			return opener;
	}
	return NULL;
}

int xfer_open_uri(struct interface *xfer, struct uri *uri)
{
	const struct uri_opener *opener;
	struct uri *resolved = resolve_uri(cwuri, uri);
	char text[64];
	int rc;

	if (!resolved)
		return -ENOMEM;
	if (!resolved->scheme) {
		format_uri(resolved, text, sizeof(text));
		rc = errctx(-ENOTSUP,
			    "\"%s\" is relative, and no script "
			    "URI is there to resolve it against",
			    text);
	} else if (!(opener = find_uri_opener(resolved->scheme))) {
		rc = errctx(-ENOTSUP,
			    "no way to open %.20s%s URIs in this build",
			    resolved->scheme, resolved->opaque ? ":" : "://");
	} else {
		DBGC(resolved, "opening with the %s opener\n", opener->scheme);
		rc = opener->open(xfer, resolved);
	}
	uri_put(resolved);
	return rc;
}

int xfer_open_uri_string(struct interface *xfer, const char *uri_string)
{
	struct uri *uri = parse_uri(uri_string);
	int rc;

	if (!uri)
		return -ENOMEM;
	rc = xfer_open_uri(xfer, uri);
	uri_put(uri);
	return rc;
}
