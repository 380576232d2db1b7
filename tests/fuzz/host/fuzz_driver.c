/* Host half of every fuzz target: libFuzzer's entry points. */
#include <stddef.h>
#include <stdint.h>

#include "../fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	keel_fuzz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	keel_fuzz_one(data, size);
	return 0;
}
