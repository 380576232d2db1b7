/* Tab completion in the line editor: candidates from every completer, the common prefix. */
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <keel/editstring.h>
#include <keel/readline.h>

/*
 * An optional part of the line editor (src/config/config_full.c): it binds
 * Tab through EDIT_KEYS. Without it, Tab is ignored like any other
 * unbound key and the editor never lists candidates.
 */

/** Most completion candidates kept for one Tab */
#define EDIT_CANDS_MAX 1024

/** Context while collecting candidates */
struct edit_collect {
	struct edit_candidates *cands;
	const char *word;
	size_t len;
};

/** Add a candidate in sorted place, unless it is a repeat or off-prefix */
static void edit_cands_add(void *ctx, const char *name)
{
	struct edit_collect *collect = ctx;
	struct edit_candidates *cands = collect->cands;
	unsigned int i = 0;
	char **names;
	int cmp = 1;

	if (strncmp(name, collect->word, collect->len) != 0 ||
	    cands->count >= EDIT_CANDS_MAX)
		return;
	while (i < cands->count && (cmp = strcmp(cands->names[i], name)) < 0)
		i++;
	if (i < cands->count && cmp == 0)
		return;
	if (cands->count == cands->alloc) {
		names = realloc(cands->names, (cands->alloc + 16) *
					      sizeof(names[0]));
		if (!names)
			return;
		cands->names = names;
		cands->alloc += 16;
	}
	name = strdup(name);
	if (!name)
		return;
	memmove(&cands->names[i + 1], &cands->names[i],
		(cands->count - i) * sizeof(cands->names[0]));
	cands->names[i] = (char *)name;
	cands->count++;
}

/** True if the word starting at @start is in command position */
static int edit_command_position(const struct edit_state *state, size_t start)
{
	static const char *const separators[] = { ";", "&&", "||" };
	size_t end = start, begin;
	unsigned int i;

	while (end && isspace(state->buf[end - 1]))
		end--;
	if (!end)
		return 1;
	begin = end;
	while (begin && !isspace(state->buf[begin - 1]))
		begin--;
	for (i = 0; i < ARRAY_SIZE(separators); i++) {
		if (end - begin == strlen(separators[i]) &&
		    memcmp(&state->buf[begin], separators[i], end - begin) == 0)
			return 1;
	}
	return 0;
}

/** Ask every candidate source about @word */
static void edit_collect(struct edit_state *state, const char *word,
			 int first)
{
	struct edit_collect collect = { &state->cands, word, strlen(word) };
	struct completer *completer;

	edit_cands_clear(&state->cands);
	if (state->complete) {
		state->complete(word, first, edit_cands_add, &collect);
		return;
	}
	for_each_table_entry(completer, COMPLETERS)
		completer->complete(word, first, edit_cands_add, &collect);
}

/** Length of the prefix that every candidate shares */
static size_t edit_cands_common(const struct edit_candidates *cands)
{
	size_t len = strlen(cands->names[0]);
	unsigned int i;

	for (i = 1; i < cands->count; i++) {
		size_t n = 0;

		while (n < len && cands->names[i][n] == cands->names[0][n])
			n++;
		len = n;
	}
	return len;
}

/** Insert what the candidates add to the word typed so far */
static int edit_complete_apply(struct edit_state *state, size_t wlen,
			       int first, int again)
{
	const char *name = state->cands.names[0];
	size_t common = edit_cands_common(&state->cands);
	int rc;

	if (state->cands.count == 1) {
		rc = edit_insert(state, name + wlen, strlen(name) - wlen);
		if (rc == EDIT_OK && first &&
		    state->buf[state->cursor] != ' ')
			rc = edit_insert(state, " ", 1);
		return rc;
	}
	if (common > wlen)
		return edit_insert(state, name + wlen, common - wlen);
	return again ? EDIT_LIST : EDIT_BELL;
}

static int edit_complete(struct edit_state *state)
{
	size_t start = state->cursor, wlen;
	int first, rc;
	char *word;

	if (state->no_complete)
		return EDIT_BELL;
	while (start && !isspace(state->buf[start - 1]))
		start--;
	wlen = state->cursor - start;
	first = edit_command_position(state, start);
	word = strndup(&state->buf[start], wlen);
	if (!word)
		return EDIT_BELL;
	edit_collect(state, word, first);
	free(word);
	if (!state->cands.count)
		return EDIT_BELL;
	rc = edit_complete_apply(state, wlen, first, state->last_key == '\t');
	if (rc != EDIT_LIST)
		edit_cands_clear(&state->cands);
	return rc;
}

const struct edit_key_binding edit_complete_key __edit_key = {
	.key = '\t',
	.action = edit_complete,
};
