#!/bin/bash
# Native NIC drivers under QEMU: DHCP, TFTP and HTTP through each NIC model.
#
#   tests/qemu/nics.sh [IMAGE] [MODEL...]
#
# Builds IMAGE (default bin/keel.lkrn) with an embedded test script, then
# boots it under QEMU (TCG, -netdev user,restrict=on) once per NIC model.
# Keel gets an address by DHCP, fetches a file over TFTP from QEMU's own
# server and BIG_MB MiB (default 64) over HTTP from a loopback server through
# guestfwd (a "cmd:" forwarder: a "tcp:" one carries a single connection),
# and prints their SHA-256, which must match. Prints one line per
# model with the HTTP throughput, and "N passed, N failed" last.
# QEMU_EXTRA adds options to every QEMU run.
set -u
cd "$(dirname "$0")/../.." || exit 2

IMAGE=${1:-bin/keel.lkrn}
shift 2>/dev/null
MODELS=("$@")
# shellcheck disable=SC2054 # the commas belong to QEMU device options
[ ${#MODELS[@]} -gt 0 ] || MODELS=(e1000 e1000e virtio-net-pci
	virtio-net-pci,disable-legacy=on virtio-net-pci,disable-modern=on
	rtl8139)
BIG_MB=${BIG_MB:-64}
TIMEOUT=${TIMEOUT:-240}

work=$(mktemp -d /tmp/keel-nics.XXXXXX)
httpd=
cleanup() {
	[ -n "$httpd" ] && kill "$httpd" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/www" "$work/tftp"
head -c 300000 /dev/urandom >"$work/tftp/small.bin"
head -c $((BIG_MB * 1048576)) /dev/urandom >"$work/www/big.bin"
small_sum=$(sha256sum "$work/tftp/small.bin" | cut -d' ' -f1)
big_sum=$(sha256sum "$work/www/big.bin" | cut -d' ' -f1)

cat >"$work/test.ipxe" <<'SCRIPT'
#!ipxe
echo NICTEST begin
dhcp net0 || goto fail
echo NICTEST chip=${net0/chip} busloc=${net0/busloc:busdevfn} busid=${net0/busid}
imgfetch --name small tftp://10.0.2.2/small.bin || goto fail
sha256sum small
echo NICTEST http-start
imgfetch --name big http://10.0.2.100/big.bin || goto fail
echo NICTEST http-done
sha256sum big
ifstat net0
echo NICTEST pass
poweroff
:fail
ifstat
echo NICTEST fail
poweroff
SCRIPT

# BUILD="command" replaces make: it is run as "command SCRIPT OUTPUT"
if [ -n "${BUILD:-}" ]; then
	$BUILD "$work/test.ipxe" "$work/image" >"$work/build.log" 2>&1
else
	make -j2 EMBED="$work/test.ipxe" "$IMAGE" >"$work/build.log" 2>&1 &&
		cp "$IMAGE" "$work/image"
fi || {
	cat "$work/build.log"
	exit 2
}

# A loopback HTTP server on a free port
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$work/www" && exec python3 -m http.server --bind 127.0.0.1 "$port") \
	>"$work/httpd.log" 2>&1 &
httpd=$!
for _ in $(seq 50); do
	python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null && break
	sleep 0.1
done

read -ra extra <<<"${QEMU_EXTRA:-}"
pass=0
fail=0
for model in "${MODELS[@]}"; do
	log="$work/$(echo "$model" | tr ',=' '__').log"
	timeout "$TIMEOUT" qemu-system-x86_64 -accel tcg -nographic -m 512 \
		-no-reboot -kernel "$work/image" \
		-netdev "user,id=n0,restrict=on,tftp=$work/tftp,guestfwd=tcp:10.0.2.100:80-cmd:busybox nc 127.0.0.1 $port" \
		-device "$model,netdev=n0" "${extra[@]}" </dev/null 2>&1 |
		while IFS= read -r line; do
			printf '%s %s\n' "$(date +%s.%N)" "${line%$'\r'}"
		done >"$log"
	t0=$(awk '/NICTEST http-start/ {print $1; exit}' "$log")
	t1=$(awk '/NICTEST http-done/ {print $1; exit}' "$log")
	rate=-
	[ -n "$t0" ] && [ -n "$t1" ] &&
		rate=$(awk -v a="$t0" -v b="$t1" -v m="$BIG_MB" \
			'BEGIN { printf "%.1f MiB/s (%.1f s)", m / (b - a), b - a }')
	if grep -q "NICTEST pass" "$log" && grep -q "$small_sum" "$log" &&
		grep -q "$big_sum" "$log"; then
		pass=$((pass + 1))
		printf 'PASS %-40s HTTP %s\n' "$model" "$rate"
	else
		fail=$((fail + 1))
		printf 'FAIL %-40s\n' "$model"
		sed 's/^[0-9.]* //' "$log" | tail -25 | sed 's/^/    /'
	fi
	grep -m1 "NICTEST chip" "$log" | sed 's/^[0-9.]* /    /'
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
