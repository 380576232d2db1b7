# Keel QEMU boot tests: shared functions, sourced by tests/qemu/run, bench
# shellcheck shell=bash
# and demo. Every QEMU runs with -accel tcg under `timeout`; its network is
# either user-net with restrict=on (TFTP from a directory, HTTP through
# guestfwd to a server on 127.0.0.1) or a TAP device inside a network
# namespace that qt_ns_setup creates and qt_ns_teardown removes.

QT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
QT_ROOT=$(cd "$QT_DIR/../.." && pwd)
QT_BUILD=${QT_BUILD:-$QT_ROOT/bin-qemu-tests}
# The newest Debian kernel that linux-image-amd64 installed
QT_KERNEL=${QT_KERNEL:-$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)}
QT_TIMEOUT=${QT_TIMEOUT:-240}
QT_PYTHON=${QT_PYTHON:-python3}
QT_QEMU=${QT_QEMU:-qemu-system-x86_64}
QT_OVMF_CODE=${QT_OVMF_CODE:-/usr/share/OVMF/OVMF_CODE.fd}
QT_OVMF_VARS=${QT_OVMF_VARS:-/usr/share/OVMF/OVMF_VARS.fd}
# The address that guestfwd gives the HTTP server inside user-net
QT_HTTP_ADDR=10.0.2.100
# The kernel's command line before the test's own words: quiet is faster
# under TCG; panic=1 with -no-reboot turns a panic into a quick exit.
QT_CMDLINE_BASE=${QT_CMDLINE_BASE:-console=ttyS0 quiet panic=1}

# Console output after which nothing useful comes: QEMU is stopped at once
# rather than at the time limit (SeaBIOS found nothing to boot; OVMF fell
# back to its built-in shell; Keel or iPXE gave up and opened its shell)
QT_GIVE_UP=${QT_GIVE_UP:-No bootable device|Shell> |keel> |iPXE> }

QT_PIDS=()

qt_say() { printf '%s\n' "$*"; }
qt_now_ms() { echo $(($(date +%s%N) / 1000000)); }

# qt_kill_pid PID: TERM, up to 2 s of grace, then KILL
qt_kill_pid() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 40; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# qt_stop_all: stop every server this shell started
qt_stop_all() {
	local pid
	for pid in "${QT_PIDS[@]}"; do
		qt_kill_pid "$pid"
	done
	QT_PIDS=()
}

# qt_initrds: build (or reuse) the initramfs images; sets QT_INITRDS (their
# directory) and QT_PAYLOAD_SHA
qt_initrds() {
	QT_INITRDS=$QT_BUILD/initrd
	"$QT_DIR/mkinitrd" "$QT_INITRDS" || return 1
	QT_PAYLOAD_SHA=$(cat "$QT_INITRDS/payload.sha256")
}

# qt_mbr_disk OUT: a 1 MiB raw disk whose boot sector (tests/qemu/mbr.S)
# prints KEEL-QEMU-SANBOOT-MARKER on COM1 and leaves through isa-debug-exit
qt_mbr_disk() {
	local out=$1 o=$QT_BUILD/mbr
	mkdir -p "$o"
	if [ ! -s "$o/mbr.bin" ] || [ "$QT_DIR/mbr.S" -nt "$o/mbr.bin" ]; then
		as --32 -o "$o/mbr.o" "$QT_DIR/mbr.S" &&
			ld -m elf_i386 -Ttext 0x7c00 -e _start -o "$o/mbr.elf" "$o/mbr.o" &&
			objcopy -O binary -j .text "$o/mbr.elf" "$o/mbr.bin" || return 1
	fi
	[ "$(stat -c %s "$o/mbr.bin")" -eq 512 ] || return 1
	rm -f "$out"
	truncate -s 1M "$out" && dd if="$o/mbr.bin" of="$out" conv=notrunc status=none
}

# qt_pm_nbp OUT: the test NBP that calls the PXE API from 16-bit protected
# mode (tests/qemu/pmcall.S) and prints KEEL-QEMU-PM-MARKER on COM1
qt_pm_nbp() {
	local o=$QT_BUILD/pmcall
	mkdir -p "$o"
	if [ ! -s "$o/pmcall.bin" ] || [ "$QT_DIR/pmcall.S" -nt "$o/pmcall.bin" ]; then
		${QT_CC:-gcc} -m32 -c -o "$o/pmcall.o" "$QT_DIR/pmcall.S" &&
			ld -m elf_i386 -Ttext 0x7c00 -e _start -o "$o/pmcall.elf" "$o/pmcall.o" &&
			objcopy -O binary -j .text "$o/pmcall.elf" "$o/pmcall.bin" || return 1
	fi
	cp "$o/pmcall.bin" "$1"
}

# qt_www DIR: a web root with the kernel and the initrds under fixed names
#   vmlinuz, initrd.gz (full), base.gz, payload.gz, demo.gz
qt_www() {
	local d=$1
	mkdir -p "$d"
	ln -sf "$QT_KERNEL" "$d/vmlinuz"
	ln -sf "$QT_INITRDS/full.cpio.gz" "$d/initrd.gz"
	ln -sf "$QT_INITRDS/base.cpio.gz" "$d/base.gz"
	ln -sf "$QT_INITRDS/payload.cpio.gz" "$d/payload.gz"
	ln -sf "$QT_INITRDS/demo.cpio.gz" "$d/demo.gz"
}

# qt_http_start ROOT LOG [BIND]: the HTTP server on BIND (default
# 127.0.0.1), any free port; sets QT_HTTP_PORT and QT_HTTP_PID. Prefix with
# a command (ip netns exec NS) through QT_HTTP_WRAP.
qt_http_start() {
	local root=$1 log=$2 bind=${3:-127.0.0.1} pf i
	pf=$log.port
	rm -f "$pf"
	${QT_HTTP_WRAP:-} "$QT_PYTHON" "$QT_DIR/http_server.py" --root "$root" \
		--log "$log" --port-file "$pf" --bind "$bind" \
		${QT_HTTP_FIXED_PORT:+--port $QT_HTTP_FIXED_PORT} \
		--lifetime $((QT_TIMEOUT * 4)) &
	QT_HTTP_PID=$!
	QT_PIDS+=("$QT_HTTP_PID")
	for ((i = 0; i < 100; i++)); do
		[ -s "$pf" ] && break
		kill -0 "$QT_HTTP_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	QT_HTTP_PORT=$(cat "$pf" 2>/dev/null)
	[ -n "$QT_HTTP_PORT" ]
}

# qt_usernet TFTPDIR BOOTFILE: the -netdev argument for user-net, with the
# HTTP server at http://10.0.2.100/ (needs QT_HTTP_PORT)
qt_usernet() {
	local s="user,id=n0,restrict=on"
	[ -n "$1" ] && s+=",tftp=$1"
	[ -n "$2" ] && s+=",bootfile=$2"
	s+=",guestfwd=tcp:$QT_HTTP_ADDR:80-tcp:127.0.0.1:$QT_HTTP_PORT"
	printf '%s' "$s"
}

# qt_ovmf_args DIR: pflash arguments for OVMF, with a fresh copy of the
# variable store in DIR; prints them one per line
qt_ovmf_args() {
	cp "$QT_OVMF_VARS" "$1/OVMF_VARS.fd" || return 1
	printf '%s\n' -drive "if=pflash,format=raw,unit=0,readonly=on,file=$QT_OVMF_CODE" \
		-drive "if=pflash,format=raw,unit=1,file=$1/OVMF_VARS.fd"
}

# qt_qemu LOG LIMIT ARGS...: run QEMU (TCG, no display, no reboot) for at
# most LIMIT seconds with the serial console recorded in LOG (and LOG.ts,
# see serial_log.py); sets QT_RC and QT_MS (wall time). QT_QEMU_WRAP
# prefixes the command (ip netns exec NS).
qt_qemu() {
	local log=$1 limit=$2 t0
	shift 2
	t0=$(qt_now_ms)
	rm -f "$log.pid"
	echo "$QT_QEMU -accel tcg -nographic -m 512 -no-reboot $*" >"$log.cmd"
	${QT_QEMU_WRAP:-} timeout --kill-after=5 "$limit" \
		"$QT_QEMU" -accel tcg -nographic -m 512 -no-reboot \
		-pidfile "$log.pid" "$@" </dev/null 2>"$log.err" |
		"$QT_PYTHON" "$QT_DIR/serial_log.py" record "$log" --start-ms "$t0" \
			${QT_ECHO:+--echo} --pid-file "$log.pid" --stop "$QT_GIVE_UP"
	QT_RC=${PIPESTATUS[0]}
	QT_MS=$(($(qt_now_ms) - t0))
}

# qt_when LOG REGEX: ms from QEMU's start until REGEX was on the console
qt_when() { "$QT_PYTHON" "$QT_DIR/serial_log.py" when "$@"; }

# qt_script FILE LINES...: a script, "#!ipxe" and one line per argument
qt_script() {
	local f=$1
	shift
	printf '#!ipxe\n' >"$f"
	printf '%s\n' "$@" >>"$f"
}

# qt_marker_line LOG: the test initramfs's line, if it is there
qt_marker_line() {
	tr -d '\r' <"$1" | grep -a -m 1 -oE 'KEEL-QEMU-MARKER token=[^ ]* sha256=[0-9a-f]+|KEEL-QEMU-MARKER token=[^ ]* sha256=missing'
}

# qt_marker_ok LOG TOKEN: the line shows TOKEN and the payload's digest
qt_marker_ok() {
	[ "$(qt_marker_line "$1")" = "KEEL-QEMU-MARKER token=$2 sha256=$QT_PAYLOAD_SHA" ]
}

# ---------------------------------------------------------------------------
# A network namespace with a TAP device for QEMU and dnsmasq on it

QT_NS_ADDR=10.98.0.1

# qt_ns_setup NAME: creates namespace NAME with tap0 (10.98.0.1/24) and
# loopback up; sets QT_NS and QT_QEMU_WRAP/QT_HTTP_WRAP to run inside it
qt_ns_setup() {
	QT_NS=$1
	qt_ns_teardown
	ip netns add "$QT_NS" || return 1
	ip -n "$QT_NS" link set lo up &&
		ip -n "$QT_NS" tuntap add dev tap0 mode tap &&
		ip -n "$QT_NS" addr add "$QT_NS_ADDR/24" dev tap0 &&
		ip -n "$QT_NS" link set tap0 up || return 1
	QT_QEMU_WRAP="ip netns exec $QT_NS"
	QT_HTTP_WRAP="ip netns exec $QT_NS"
}

# qt_ns_teardown: kill what still runs in the namespace, then delete it
qt_ns_teardown() {
	local pid pids i
	[ -n "${QT_NS:-}" ] || return 0
	if ip netns list 2>/dev/null | awk '{print $1}' | grep -qxF -- "$QT_NS"; then
		for ((i = 0; i < 20; i++)); do
			pids=$(ip netns pids "$QT_NS" 2>/dev/null)
			[ -z "$pids" ] && break
			for pid in $pids; do kill -KILL "$pid" 2>/dev/null; done
			sleep 0.1
		done
		ip netns del "$QT_NS" 2>/dev/null
	fi
	QT_QEMU_WRAP='' QT_HTTP_WRAP=''
}

# qt_dnsmasq DIR TFTPROOT CONF...: dnsmasq on tap0 inside QT_NS (DHCP and
# TFTP only, no DNS), with extra configuration lines CONF; its log is
# DIR/dnsmasq.log
qt_dnsmasq() {
	local dir=$1 root=$2 i
	shift 2
	{
		echo "port=0"
		echo "interface=tap0"
		echo "bind-interfaces"
		echo "dhcp-range=10.98.0.100,10.98.0.150,255.255.255.0,1h"
		echo "dhcp-leasefile=$dir/dnsmasq.leases"
		echo "enable-tftp"
		echo "tftp-root=$root"
		echo "log-dhcp"
		echo "log-facility=$dir/dnsmasq.log"
		echo "pid-file=$dir/dnsmasq.pid"
		echo "user=root"
		printf '%s\n' "$@"
	} >"$dir/dnsmasq.conf"
	: >"$dir/dnsmasq.log"
	ip netns exec "$QT_NS" dnsmasq --keep-in-foreground --conf-file="$dir/dnsmasq.conf" &
	QT_PIDS+=("$!")
	for ((i = 0; i < 100; i++)); do
		grep -q 'DHCP, IP range' "$dir/dnsmasq.log" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
