#!/bin/bash
# After Keel has used a NIC and booted Linux, Linux's own driver must find the NIC sane.
#
#   tests/qemu/nic_handoff.sh [MODEL...]
#
# Builds bin/keel.lkrn with an embedded script that takes DHCP and fetches a
# file on each NIC model, then boots the installed Debian kernel with a
# busybox initramfs holding that kernel's NIC modules. The initramfs loads
# them, takes DHCP itself and fetches a file over HTTP: that only works if
# Keel left the device quiet and resettable. Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2

MODELS=("$@")
# shellcheck disable=SC2054 # the commas belong to QEMU device options
[ ${#MODELS[@]} -gt 0 ] || MODELS=(e1000 e1000e virtio-net-pci
	virtio-net-pci,disable-legacy=on virtio-net-pci,disable-modern=on
	rtl8139)
TIMEOUT=${TIMEOUT:-200}
KERNEL=$(find /boot -maxdepth 1 -name "vmlinuz-*" 2>/dev/null | sort -V | tail -1)
KVER=${KERNEL#/boot/vmlinuz-}
MODDIR=/lib/modules/$KVER/kernel
if [ -z "$KERNEL" ] || [ ! -d "$MODDIR" ] || [ ! -x /bin/busybox ]; then
	echo "needs a Debian kernel with its modules, and busybox-static"
	exit 2
fi

work=$(mktemp -d /tmp/keel-handoff.XXXXXX)
httpd=
cleanup() {
	[ -n "$httpd" ] && kill "$httpd" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# The initramfs: busybox, the NIC modules in dependency order, an init
root=$work/root
mkdir -p "$root/bin" "$root/m" "$root/proc" "$root/sys" "$root/dev" "$work/www"
cp /bin/busybox "$root/bin/busybox"
for m in net/core/failover drivers/net/net_failover drivers/virtio/virtio_ring \
	drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev \
	drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci \
	drivers/net/virtio_net drivers/net/ethernet/intel/e1000/e1000 \
	drivers/net/ethernet/intel/e1000e/e1000e drivers/net/mii \
	drivers/net/ethernet/realtek/8139too drivers/net/ethernet/realtek/8139cp; do
	# Built in, or absent: nothing to load
	[ -e "$MODDIR/$m.ko" ] || continue
	cp "$MODDIR/$m.ko" "$root/m/"
	echo "${m##*/}.ko" >>"$root/modlist"
done
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
for m in $(cat /modlist); do insmod /m/$m 2>/dev/null; done
sleep 1
ip link set eth0 up
if udhcpc -i eth0 -n -q -t 5 -s /dhcp.sh >/dev/null 2>&1; then
	echo "LINUX-HTTP $(wget -q -O - http://10.0.2.100/hello.txt)"
else
	echo LINUX-DHCP-FAIL
	dmesg | tail -20
fi
poweroff -f
INIT
cat >"$root/dhcp.sh" <<'DHCP'
#!/bin/sh
[ "$1" = bound ] && ip addr add $ip/${mask:-24} dev $interface
exit 0
DHCP
chmod +x "$root/init" "$root/dhcp.sh"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$work/www/initrd.gz"
cp "$KERNEL" "$work/www/vmlinuz"
echo "handoff-$$" >"$work/www/hello.txt"

cat >"$work/boot.ipxe" <<'SCRIPT'
#!ipxe
dhcp net0 || goto fail
imgfetch --name hello http://10.0.2.100/hello.txt || goto fail
imgfree hello
kernel http://10.0.2.100/vmlinuz console=ttyS0 quiet loglevel=3 || goto fail
initrd http://10.0.2.100/initrd.gz || goto fail
echo HANDOFF booting
boot
:fail
echo HANDOFF fail
poweroff
SCRIPT
make -j2 EMBED="$work/boot.ipxe" bin/keel.lkrn >"$work/build.log" 2>&1 || {
	cat "$work/build.log"
	exit 2
}
cp bin/keel.lkrn "$work/keel.lkrn"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$work/www" && exec python3 -m http.server --bind 127.0.0.1 "$port") \
	>"$work/httpd.log" 2>&1 &
httpd=$!
sleep 1

pass=0
fail=0
for model in "${MODELS[@]}"; do
	log="$work/$(echo "$model" | tr ',=' '__').log"
	timeout "$TIMEOUT" qemu-system-x86_64 -accel tcg -nographic -m 512 \
		-no-reboot -kernel "$work/keel.lkrn" \
		-netdev "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:80-cmd:busybox nc 127.0.0.1 $port" \
		-device "$model,netdev=n0" </dev/null >"$log" 2>&1
	if grep -aq "LINUX-HTTP handoff-$$" "$log"; then
		pass=$((pass + 1))
		echo "PASS $model"
	else
		fail=$((fail + 1))
		echo "FAIL $model"
		tr -d '\r' <"$log" | tail -25 | sed 's/^/    /'
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
