#!/usr/bin/env bash
# make check, stage sizes: the small BIOS images that fit in 64 KiB must
# go on fitting (README.md, "Sizes"). Images not there yet are reported,
# not failed: 1af41000.rom (virtio-net) is still over.
set -u
cd "$(dirname "$0")/../.."
limit=65536
passed=0
failed=0
for f in bin/undionly.kpxe bin/8086100e.rom; do
	if [ ! -f "$f" ]; then
		echo "FAIL $f: not built"
		failed=$((failed + 1))
		continue
	fi
	n=$(stat -c %s "$f")
	if [ "$n" -le "$limit" ]; then
		echo "ok   $f: $n bytes, fits in 64 KiB"
		passed=$((passed + 1))
	else
		echo "FAIL $f: $n bytes, $((n - limit)) over 64 KiB"
		failed=$((failed + 1))
	fi
done
for f in bin/1af41000.rom; do
	[ -f "$f" ] && echo "note $f: $(stat -c %s "$f") bytes (not yet in 64 KiB)"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
