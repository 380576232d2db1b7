#!/usr/bin/env bash
# t-multi: two network devices (net0 on the lab wire, net1 on an empty TAP).
#   both are registered with their own MACs; netX follows the last opened
#   device; DHCP on the empty segment fails plainly and quickly when told to;
#   `dhcp` with no device tries each in turn until one is configured; only
#   the configured device gets a route.
set -u
. "$(dirname "$0")/lib.sh"
lab_begin t-multi
lab_start_dnsmasq || lab_fail "dnsmasq starts"
ip -n "$LAB_NS" tuntap add dev tap1 mode tap && ip -n "$LAB_NS" link set tap1 up ||
	lab_fail "a second TAP device"

script=$(lab_script multi <<'IPXE'
#!ipxe
ifopen net1
echo NETX1=${netX/ifname}
ifopen net0
echo NETX0=${netX/ifname}
echo MAC1=${net1/mac}
dhcp --timeout 1500 net1 && echo NET1-CONFIGURED || echo NET1-FAILED
dhcp && echo ANY-CONFIGURED IP=${net0/ip}
route
ifstat
IPXE
)
LAB_KEEL_ARGS="--net tap,if=tap1,mac=52:54:00:aa:bb:cc"
lab_run_keel "$script" 60
unset LAB_KEEL_ARGS
lab_expect "keel.linux exits 0" test "$LAB_RC" -eq 0
lab_expect "netX is the last opened device (net1, then net0)" \
	eval 'grep -qx NETX1=net1 "$LAB_OUT" && grep -qx NETX0=net0 "$LAB_OUT"'
lab_expect "net1 has the MAC given on the command line" \
	grep -qx MAC1=52:54:00:aa:bb:cc "$LAB_OUT"
lab_expect "DHCP on the empty segment fails" grep -qx NET1-FAILED "$LAB_OUT"
lab_expect "and says why, plainly" \
	grep -qE '^net1: .*(timed out|no DHCP offer)' "$LAB_OUT"
lab_expect "dhcp with no device configures one" \
	grep -qE '^ANY-CONFIGURED IP=10\.99\.0\.[0-9]+$' "$LAB_OUT"
lab_expect "only net0 has a route" \
	eval 'grep -qE "^net0: 10\.99\.0\.[0-9]+/255\.255\.255\.0" "$LAB_OUT" &&
		! grep -qE "^net1: [0-9.]+/" "$LAB_OUT"'
lab_expect "ifstat lists both devices" \
	eval 'grep -q "^net0: .* using tap on tap0" "$LAB_OUT" &&
		grep -q "^net1: 52:54:00:aa:bb:cc using tap on tap1" "$LAB_OUT"'
lab_finish
