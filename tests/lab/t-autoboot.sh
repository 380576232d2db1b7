#!/usr/bin/env bash
# t-autoboot: keel.linux with no script boots what DHCP names.
#   A relative boot file name is fetched from tftp://next-server/; the
#   script it names chains a second one by a relative name (resolved
#   against the first script's URI, ${cwuri}); then a boot file name that
#   is a URI with ${...} in it, naming a file that does not exist: the
#   failure is reported plainly and keel falls back to the shell.
set -u
. "$(dirname "$0")/lib.sh"
lab_begin t-autoboot
mkdir -p "$LAB_RUN/tftp"
LAB_SHOW=("$LAB_RUN/dnsmasq.log")

cat >"$LAB_RUN/tftp/boot.ipxe" <<'IPXE'
#!ipxe
echo BOOT-CWURI=${cwuri}
chain sub.ipxe one two || echo SUB-FAILED
imgstat
echo BOOT-DONE
IPXE
cat >"$LAB_RUN/tftp/sub.ipxe" <<'IPXE'
#!ipxe
echo SUB-CWURI=${cwuri}
IPXE

# run_autoboot NAME TIMEOUT: keel.linux without a script (so it autoboots)
run_autoboot() {
	LAB_OUT=$LAB_RUN/$1.out
	timeout --kill-after=5 "$2" \
		ip netns exec "$LAB_NS" "$LAB_KEEL" --net tap,if=tap0 \
		</dev/null >"$LAB_OUT" 2>&1 &
	wait $!
	LAB_RC=$?
	sed -i 's/\r$//' "$LAB_OUT"
}

lab_start_dnsmasq "dhcp-boot=boot.ipxe,server,$LAB_SERVER" ||
	lab_fail "dnsmasq starts"
run_autoboot relative 60
lab_expect "DHCP, then the boot file from tftp://next-server/" \
	grep -q "^tftp://$LAB_SERVER/boot.ipxe\.\.\..*ok" "$LAB_OUT"
lab_expect "the boot script runs with its own URI as \${cwuri}" \
	grep -qx "BOOT-CWURI=tftp://$LAB_SERVER/boot.ipxe" "$LAB_OUT"
lab_expect "a relative chain resolves against it" \
	grep -qx "SUB-CWURI=tftp://$LAB_SERVER/sub.ipxe" "$LAB_OUT"
lab_expect "imgstat lists the chained image with its arguments" \
	grep -q '^sub.ipxe : [0-9]* bytes \[script\] "one two"' "$LAB_OUT"
lab_expect "the boot script runs to its end" grep -qx BOOT-DONE "$LAB_OUT"
lab_expect "nothing failed" eval '! grep -q -e SUB-FAILED -e "Boot failed" "$LAB_OUT"'
lab_kill_pid "$LAB_LAST_PID"

lab_start_dnsmasq 'dhcp-boot=tftp://${next-server}/nosuch.ipxe,server,'"$LAB_SERVER" ||
	lab_fail "dnsmasq starts again"
run_autoboot absolute 60
lab_expect "a URI boot file name has \${...} expanded" \
	grep -q "^tftp://$LAB_SERVER/nosuch.ipxe\.\.\." "$LAB_OUT"
lab_expect "a missing boot file is reported plainly" \
	grep -q "^Could not fetch tftp://$LAB_SERVER/nosuch.ipxe: .*File not found" "$LAB_OUT"
lab_expect "then autoboot gives up and says why" grep -q "^Boot failed: " "$LAB_OUT"
lab_finish
