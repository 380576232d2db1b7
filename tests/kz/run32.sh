#!/usr/bin/env bash
# make check, stage kz32: the prefixes' own i386 decoder (unkz32.S, in
# bin/kz_run32) against the C decoder's results that stage kz wrote
# (bin/kz_test --vectors bin/kz_vectors.bin): same result, same bytes, on
# whole, truncated and damaged streams and split code.
set -u
cd "$(dirname "$0")/../.."
vectors=bin/kz_vectors.bin
if [ ! -s "$vectors" ]; then
	echo "FAIL $vectors: not written (stage kz writes it)"
	echo "0 passed, 1 failed"
	exit 1
fi
# A kernel without 32-bit support cannot run it at all (exit 126); the
# QEMU stages still run the decoder in every BIOS image they boot
bin/kz_run32 >/dev/null 2>&1
if [ $? -eq 126 ]; then
	echo "note: this kernel does not run i386 programs; unkz32.S is" \
		"checked by the QEMU boot stages only"
	echo "0 passed, 0 failed"
	exit 0
fi
bin/kz_run32 "$vectors"
