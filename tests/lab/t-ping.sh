#!/usr/bin/env bash
# t-ping: keel.linux's ping command (ICMP echo) after DHCP.
#   ping --count 3 10.99.0.1 succeeds, one line per reply, and the server's
#   kernel counts the echo requests; ping of an absent host (10.99.0.222)
#   fails within its timeout.
set -u
. "$(dirname "$0")/lib.sh"
lab_begin t-ping
lab_start_dnsmasq || lab_fail "dnsmasq starts"
LAB_SHOW=("$LAB_RUN/dnsmasq.log")

script=$(lab_script ping <<'IPXE'
#!ipxe
dhcp net0 || echo DHCP-FAILED
ping --count 3 10.99.0.1 && echo PING-OK || echo PING-FAILED
ping --count 2 --timeout 500 10.99.0.222 && echo PING2-OK || echo PING2-FAILED
echo DONE
IPXE
)
echos0=$(lab_snmp Icmp InEchos)
reps0=$(lab_snmp Icmp OutEchoReps)
lab_run_keel "$script" 45
echos=$(($(lab_snmp Icmp InEchos) - echos0))
reps=$(($(lab_snmp Icmp OutEchoReps) - reps0))
lab_info "keel.linux ran for $LAB_MS ms (exit status $LAB_RC); server got $echos echo requests, sent $reps replies"
lab_expect "keel.linux exits 0 after running the whole script" \
	eval 'test "$LAB_RC" -eq 0 && grep -qx DONE "$LAB_OUT"'
lab_expect "DHCP" eval '! grep -q DHCP-FAILED "$LAB_OUT"'
lab_expect "ping --count 3 10.99.0.1 succeeds" grep -qx PING-OK "$LAB_OUT"
lab_expect "one line per reply: 3 x 'bytes from 10.99.0.1'" \
	test "$(grep -c 'bytes from 10\.99\.0\.1\b' "$LAB_OUT")" -ge 3
lab_expect "the server received 3 echo requests and replied" \
	test "$echos" -ge 3 -a "$reps" -ge 3
# (meaningful only if ping works at all)
lab_expect "ping of absent 10.99.0.222 fails" \
	eval 'grep -qx PING2-FAILED "$LAB_OUT" && ! grep -q PING2-OK "$LAB_OUT" &&
		grep -qx PING-OK "$LAB_OUT"'
lab_expect "... and its 2 x 500 ms timeout keeps the run short (${LAB_MS} ms)" \
	test "$LAB_MS" -lt 30000
lab_finish
