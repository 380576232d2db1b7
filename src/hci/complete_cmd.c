/* Tab completion of command names, from the table of commands. */
#include <string.h>
#include <keel/command.h>
#include <keel/readline.h>

/** Offer every command whose name starts with @word, for the first word */
static void complete_commands(const char *word, int first,
			      void (*add)(void *ctx, const char *candidate),
			      void *ctx)
{
	struct command *command;
	size_t len = strlen(word);

	if (!first)
		return;
	for_each_table_entry(command, COMMANDS) {
		if (strncmp(command->name, word, len) == 0)
			add(ctx, command->name);
	}
}

struct completer command_completer __completer = {
	.name = "commands",
	.complete = complete_commands,
};
