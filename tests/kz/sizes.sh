#!/usr/bin/env bash
# make check, stage sizes: the small BIOS images (undionly.kpxe and the
# option ROMs) must stay within 64 KiB (README.md, "Sizes").
set -u
cd "$(dirname "$0")/../.."
limit=65536
passed=0
failed=0
for f in bin/undionly.kpxe bin/8086100e.rom bin/1af41000.rom; do
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
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
