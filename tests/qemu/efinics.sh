#!/bin/bash
# Native NIC drivers on UEFI and the EFI option ROMs, under OVMF (QEMU TCG).
#
#   tests/qemu/efinics.sh [CASE...]
#
# Cases (all by default):
#   app-e1000, app-virtio  keel.efi (OVMF -kernel) drives the NIC with its own
#                          driver (ifstat names the chip), DHCP, fetches a
#                          Debian kernel and a busybox initramfs over HTTP and
#                          boots them: the initramfs prints a marker on ttyS0
#   app-exit               keel.efi on virtio-net, then "exit 1" at its shell:
#                          the firmware's own PXE then gets a DHCP address
#                          through OVMF's virtio driver, which Keel gave back
#   rom-e1000, rom-virtio  -device MODEL,romfile=bin-x86_64-efi/VVVVDDDD.efirom
#                          -boot n: the boot manager's network boot option
#                          runs Keel through its LoadFile, which boots Linux
#   rom-snp                the same ROM with a script that gives up: the boot
#                          manager's next options (OVMF's PXE) then run over
#                          the SNP that Keel's driver offers
# Prints PASS/FAIL per case, and "N passed, N failed" last.
set -u
cd "$(dirname "$0")/../.." || exit 2

CASES=("$@")
[ ${#CASES[@]} -gt 0 ] || CASES=(app-e1000 app-virtio app-exit rom-e1000
	rom-virtio rom-snp)
TIMEOUT=${TIMEOUT:-300}
OVMF_CODE=/usr/share/OVMF/OVMF_CODE.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS.fd
KERNEL=${KERNEL:-$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)}
BUSYBOX=${BUSYBOX:-/bin/busybox}

work=$(mktemp -d /tmp/keel-efinics.XXXXXX)
httpd=
cleanup() {
	[ -n "$httpd" ] && kill "$httpd" 2>/dev/null
	[ -n "${KEEP:-}" ] && echo "logs kept in $work" || rm -rf "$work"
}
trap cleanup EXIT

# A busybox initramfs whose /init prints the marker and powers off
mkdir -p "$work/www" "$work/tftp" "$work/root/bin" "$work/root/proc"
cp "$BUSYBOX" "$work/root/bin/busybox"
cat >"$work/root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
for w in $(/bin/busybox cat /proc/cmdline); do
	case $w in keel.marker=*) m=${w#keel.marker=} ;; esac
done
echo "EFINICS-MARKER $m" >/dev/console
/bin/busybox poweroff -f
INIT
chmod 755 "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -n) \
	>"$work/www/initrd.gz"
cp "$KERNEL" "$work/www/vmlinuz"

cat >"$work/boot.ipxe" <<'SCRIPT'
#!ipxe
dhcp || goto fail
ifstat
echo EFINICS chip=${net0/chip}
kernel http://10.0.2.100/vmlinuz console=ttyS0 keel.marker=booted-${net0/chip} || goto fail
initrd http://10.0.2.100/initrd.gz || goto fail
boot
:fail
echo EFINICS fail
SCRIPT
cat >"$work/shell.ipxe" <<'SCRIPT'
#!ipxe
dhcp || goto fail
echo EFINICS chip=${net0/chip}
echo EFINICS now-exit
exit 1
:fail
echo EFINICS fail
SCRIPT

# build SCRIPT IMAGE: IMAGE built with SCRIPT embedded, copied to $work/img
build() {
	make -j2 EMBED="$work/$1" "$2" >"$work/build.log" 2>&1 || {
		cat "$work/build.log"
		return 1
	}
	cp "$2" "$work/img"
}

# A loopback HTTP server on a free port; guestfwd runs socat per connection
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$work/www" && exec python3 -m http.server --bind 127.0.0.1 "$port") \
	>"$work/httpd.log" 2>&1 &
httpd=$!

# qemu LOG EXPECT [REPLY_AT REPLY] -- ARGS...: run QEMU until EXPECT (a
# regular expression) shows on the console or the time runs out; REPLY is
# typed once REPLY_AT shows. Returns 0 if EXPECT was seen.
qemu() {
	local log=$1 expect=$2 at=$3 reply=$4
	shift 5
	cp "$OVMF_VARS" "$work/vars.fd"
	python3 - "$TIMEOUT" "$expect" "$at" "$reply" "$log" \
		qemu-system-x86_64 -accel tcg -nographic -m 512 -no-reboot \
		-drive if=pflash,format=raw,readonly=on,file="$OVMF_CODE" \
		-drive if=pflash,format=raw,file="$work/vars.fd" \
		-netdev "user,id=n0,restrict=on,tftp=$work/tftp,bootfile=none.efi,guestfwd=tcp:10.0.2.100:80-cmd:socat - TCP:127.0.0.1:$port" \
		"$@" <<'PY'
import os, re, select, subprocess, sys, time
limit, expect, at, reply, log = sys.argv[1:6]
p = subprocess.Popen(sys.argv[6:], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
text, sent, ok = b"", not at, False
end = time.time() + float(limit)
with open(log, "wb") as f:
    while time.time() < end and not ok:
        if not select.select([p.stdout], [], [], 0.5)[0]:
            continue
        data = os.read(p.stdout.fileno(), 65536)
        if not data:
            break
        f.write(data)
        text += data
        clean = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", text)
        if not sent and at.encode() in clean:
            time.sleep(0.5)
            p.stdin.write(reply.encode() + b"\r")
            p.stdin.flush()
            sent = True
        ok = re.search(expect.encode(), clean) is not None
p.kill()
p.wait()
sys.exit(0 if ok else 1)
PY
}

run_case() {
	local name=$1 log="$work/$1.log"
	case $name in
	app-e1000 | app-virtio)
		local model=e1000 chip=82540EM
		[ "$name" = app-virtio ] && model=virtio-net-pci chip=virtio-net
		build boot.ipxe bin-x86_64-efi/keel.efi || return 1
		qemu "$log" "EFINICS-MARKER booted-$chip" "" "" -- \
			-kernel "$work/img" -device "$model,netdev=n0,romfile=" &&
			grep -aq "using $chip on PCI" "$log"
		;;
	app-exit)
		build shell.ipxe bin-x86_64-efi/keel.efi || return 1
		qemu "$log" "Station IP address is 10\.0\.2\.15" "keel>" "exit 1" \
			-- -kernel "$work/img" \
			-device virtio-net-pci,netdev=n0,romfile=,bootindex=1 &&
			grep -aq "EFINICS chip=virtio-net" "$log"
		;;
	rom-e1000 | rom-virtio)
		local model=e1000 chip=82540EM rom=8086100e
		[ "$name" = rom-virtio ] &&
			model=virtio-net-pci chip=virtio-net rom=1af41000
		build boot.ipxe "bin-x86_64-efi/$rom.efirom" || return 1
		qemu "$log" "EFINICS-MARKER booted-$chip" "" "" -- \
			-device "$model,netdev=n0,romfile=$work/img" -boot n &&
			grep -aq "^Keel " "$log"
		;;
	rom-snp)
		build shell.ipxe bin-x86_64-efi/8086100e.efirom || return 1
		# Keel's LoadFile is the MAC(...) option; OVMF's PXE follows
		qemu "$log" "Station IP address is 10\.0\.2\.15" "keel>" "exit 1" \
			-- -device "e1000,netdev=n0,romfile=$work/img" -boot n &&
			grep -aq 'failed to load Boot[0-9A-F]* "[^"]*" from PciRoot(0x0)/Pci([^)]*)/MAC(525400123456,0x1):' "$log"
		;;
	*)
		echo "unknown case $name"
		return 1
		;;
	esac
}

pass=0
fail=0
for c in "${CASES[@]}"; do
	start=$(date +%s)
	if run_case "$c"; then
		pass=$((pass + 1))
		printf 'PASS %-12s (%ss)\n' "$c" $(($(date +%s) - start))
	else
		fail=$((fail + 1))
		printf 'FAIL %-12s\n' "$c"
		[ -f "$work/$c.log" ] && tr -d '\r' <"$work/$c.log" |
			sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' | tail -20 | cut -c1-160 |
			sed 's/^/    /'
	fi
done
# Leave the default images as a plain build makes them
make -j2 bin-x86_64-efi/keel.efi bin-x86_64-efi/8086100e.efirom \
	bin-x86_64-efi/1af41000.efirom >/dev/null 2>&1
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
