#!/bin/sh
# Chain pxelinux.0 (and lpxelinux.0) from Keel with the PXE API: they must boot a kernel that prints a marker.
#
# Usage: tests/qemu/pxechain.sh [KEEL_LKRN]   (default bin/keel.lkrn, which
# needs a NIC driver for e1000 linked in). Needs Debian's pxelinux,
# syslinux-common, busybox-static and linux-image-amd64. Each boot is
# bounded by a timeout; QEMU uses -accel tcg and restricted user networking.
set -eu

LKRN=${1:-bin/keel.lkrn}
KERNEL=${KERNEL:-$(ls /boot/vmlinuz-* | sort -V | tail -n 1)}
MARKER=KEEL-PXE-CHAIN-MARKER
TIMEOUT=${TIMEOUT:-300}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/tftp/pxelinux.cfg" "$work/initrd/bin"

cp /usr/lib/PXELINUX/pxelinux.0 /usr/lib/PXELINUX/lpxelinux.0 "$work/tftp/"
cp /usr/lib/syslinux/modules/bios/ldlinux.c32 "$work/tftp/"
cp "$KERNEL" "$work/tftp/vmlinuz"
cp /bin/busybox "$work/initrd/bin/"
cat > "$work/initrd/init" <<EOF
#!/bin/busybox sh
/bin/busybox echo "$MARKER"
/bin/busybox poweroff -f
EOF
chmod +x "$work/initrd/init"
(cd "$work/initrd" && find . | cpio -o -H newc 2>/dev/null | gzip) \
	> "$work/tftp/initrd.gz"
cat > "$work/tftp/pxelinux.cfg/default" <<EOF
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL vmlinuz
  INITRD initrd.gz
  APPEND console=ttyS0 quiet panic=-1
EOF

fail=0
for nbp in pxelinux.0 lpxelinux.0; do
	log="$work/$nbp.log"
	timeout "$TIMEOUT" qemu-system-x86_64 -accel tcg -nographic -m 512 \
		-kernel "$LKRN" \
		-append "dhcp && chain tftp://10.0.2.2/$nbp" \
		-netdev "user,id=n0,restrict=on,tftp=$work/tftp" \
		-device e1000,netdev=n0 > "$log" 2>&1 || true
	if grep -aq "$MARKER" "$log"; then
		echo "ok: $nbp booted the kernel through Keel's PXE API"
	else
		echo "FAIL: $nbp (last lines of the console follow)"
		tail -n 20 "$log"
		fail=1
	fi
done
exit $fail
