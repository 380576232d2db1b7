#!/bin/bash
# undionly.kpxe chainloaded from QEMU's stock PXE ROM (e1000 and virtio-net): DHCP, HTTP and a Linux boot over UNDI.
#
# Usage: tests/qemu/undionly.sh [e1000|virtio-net-pci ...]
# Builds bin/undionly.kpxe twice with an embedded script (a fetch test and
# a kernel boot), serves files over HTTP on 127.0.0.1 (guestfwd), runs
# QEMU (-accel tcg, user-net with restrict=on) and checks the serial log:
# the SHA-256 of a 16 MiB file fetched over UNDI, then the marker that the
# initramfs prints. Prints DHCP time and HTTP throughput. Bounded in time.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
KERNEL=${KERNEL:-/boot/vmlinuz-6.1.0-56-amd64}
NICS=("$@")
[ ${#NICS[@]} -gt 0 ] || NICS=(e1000 virtio-net-pci)
WORK=$(mktemp -d /tmp/keel-undi.XXXXXX)
HTTP_PID=
cleanup() {
	[ -n "$HTTP_PID" ] && kill "$HTTP_PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
fail=0

mkdir -p "$WORK/www" "$WORK/tftp" "$WORK/initrd/bin" "$WORK/initrd/dev" \
	"$WORK/initrd/proc"
head -c 16777216 /dev/urandom >"$WORK/www/big.bin"
want=$(sha256sum "$WORK/www/big.bin" | cut -d' ' -f1)

# The initramfs: print a marker with the command line, then power off
cp /bin/busybox "$WORK/initrd/bin/busybox"
cat >"$WORK/initrd/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev
echo "KEEL-UNDI-KERNEL-MARKER $(/bin/busybox cat /proc/cmdline)" >/dev/ttyS0
/bin/busybox poweroff -f
EOF
chmod +x "$WORK/initrd/init"
(cd "$WORK/initrd" && find . | cpio -o -H newc --quiet | gzip) \
	>"$WORK/www/initrd.gz"
cp "$KERNEL" "$WORK/www/vmlinuz"

# guestfwd carries every guest connection over one stream to the server,
# so the server keeps the connection open (HTTP/1.1) between requests
cat >"$WORK/srv.py" <<'EOF'
import http.server, os, socket, sys
os.chdir(sys.argv[1])
class H(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
EOF
timeout 900 python3 "$WORK/srv.py" "$WORK/www" >"$WORK/port" 2>/dev/null &
HTTP_PID=$!
for _ in $(seq 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
PORT=$(head -1 "$WORK/port")

cat >"$WORK/fetch.ipxe" <<'EOF'
#!ipxe
echo UNDI-DHCP-START
dhcp || poweroff
echo UNDI-DHCP-DONE
imgfetch http://10.0.2.100/big.bin || poweroff
echo UNDI-FETCH-DONE
sha256sum big.bin
ifstat
poweroff
EOF
cat >"$WORK/boot.ipxe" <<'EOF'
#!ipxe
dhcp || poweroff
kernel http://10.0.2.100/vmlinuz console=ttyS0 quiet panic=1 keel=undi || poweroff
initrd http://10.0.2.100/initrd.gz || poweroff
boot || poweroff
EOF

# Timestamp each console line (seconds since QEMU started)
stamp() {
	python3 -c '
import sys, time
t0 = time.time()
for line in sys.stdin.buffer:
    sys.stdout.write("%8.3f %s\n" % (time.time() - t0, line.decode("latin1").rstrip()))
    sys.stdout.flush()'
}

run() { # NIC SCRIPT LOG
	make -s -j2 EMBED="$2" bin/undionly.kpxe >/dev/null || return 1
	cp bin/undionly.kpxe "$WORK/tftp/undionly.kpxe"
	timeout 240 qemu-system-x86_64 -accel tcg -nographic -m 512 -no-reboot \
		-netdev "user,id=n0,restrict=on,tftp=$WORK/tftp,bootfile=undionly.kpxe,guestfwd=tcp:10.0.2.100:80-tcp:127.0.0.1:$PORT" \
		-device "$1,netdev=n0" -boot n </dev/null 2>&1 | stamp >"$3"
}

# t_of LOG PATTERN: time of the first line matching
t_of() { grep -a -m1 -E "$2" "$1" | awk '{print $1}'; }

for nic in "${NICS[@]}"; do
	log=$WORK/fetch-$nic.log
	run "$nic" "$WORK/fetch.ipxe" "$log"
	if grep -aq "$want  big.bin" "$log"; then
		t0=$(t_of "$log" 'UNDI-DHCP-START')
		t1=$(t_of "$log" 'UNDI-DHCP-DONE')
		t2=$(t_of "$log" 'UNDI-FETCH-DONE')
		awk -v n="$nic" -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
			printf "PASS undionly %s fetch: DHCP %.0f ms (console), 16 MiB in %.1f s = %.2f MiB/s\n",
			n, (b - a) * 1000, c - b, 16 / (c - b) }'
	else
		echo "FAIL undionly $nic fetch (log: $log)"
		tail -20 "$log"
		fail=1
	fi
	log=$WORK/boot-$nic.log
	run "$nic" "$WORK/boot.ipxe" "$log"
	if grep -aq "KEEL-UNDI-KERNEL-MARKER .*keel=undi" "$log"; then
		echo "PASS undionly $nic boot: kernel marker at $(t_of "$log" KEEL-UNDI-KERNEL-MARKER) s"
	else
		echo "FAIL undionly $nic boot (log: $log)"
		tail -20 "$log"
		fail=1
	fi
done
[ $fail = 0 ] || trap - EXIT
exit $fail
