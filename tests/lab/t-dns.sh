#!/usr/bin/env bash
# t-dns: keel.linux's DNS resolver against dnsmasq, configured by DHCP.
#   an A record, a CNAME (www.keel.test -> server.keel.test), a bare name
#   found through the search list (DHCP option 119 / domain), and a name
#   that does not exist (the lookup must fail, promptly).
set -u
. "$(dirname "$0")/lib.sh"
lab_begin t-dns
lab_start_dnsmasq || lab_fail "dnsmasq starts"
LAB_SHOW=("$LAB_RUN/dnsmasq.log")

script=$(lab_script dns <<'IPXE'
#!ipxe
dhcp net0 || echo DHCP-FAILED
nslookup addr server.keel.test && echo ADDR=${addr} || echo ADDR-FAILED
nslookup cname www.keel.test && echo CNAME=${cname} || echo CNAME-FAILED
nslookup short server && echo SHORT=${short} || echo SHORT-FAILED
nslookup none nosuch.keel.test && echo NONE=${none} || echo NONE-FAILED
echo DONE
IPXE
)
lab_run_keel "$script" 45
lab_info "keel.linux ran for $LAB_MS ms (exit status $LAB_RC)"
lab_expect "keel.linux exits 0 after running the whole script" \
	eval 'test "$LAB_RC" -eq 0 && grep -qx DONE "$LAB_OUT"'
lab_expect "DHCP configured the resolver" eval '! grep -q DHCP-FAILED "$LAB_OUT"'
lab_expect "nslookup server.keel.test = 10.99.0.1" grep -qx "ADDR=$LAB_SERVER" "$LAB_OUT"
lab_expect "nslookup www.keel.test (CNAME) = 10.99.0.1" grep -qx "CNAME=$LAB_SERVER" "$LAB_OUT"
lab_expect "nslookup server (search list keel.test) = 10.99.0.1" \
	grep -qx "SHORT=$LAB_SERVER" "$LAB_OUT"
# (meaningful only if lookups work at all)
lab_expect "nslookup nosuch.keel.test fails" \
	eval 'grep -qx NONE-FAILED "$LAB_OUT" && ! grep -q "^NONE=" "$LAB_OUT" &&
		grep -qx "ADDR=$LAB_SERVER" "$LAB_OUT"'
lab_expect "dnsmasq answered keel's query for server.keel.test" \
	grep -qE 'query\[A\] server\.keel\.test from 10\.99\.0\.1[0-5][0-9]$' \
	"$LAB_RUN/dnsmasq.log"
lab_expect "dnsmasq answered keel's query for www.keel.test" \
	grep -qE 'query\[A\] www\.keel\.test from 10\.99\.0\.' "$LAB_RUN/dnsmasq.log"
lab_expect "the bare name was sent with the search domain appended" \
	test "$(grep -cE 'query\[A\] server\.keel\.test from' "$LAB_RUN/dnsmasq.log")" -ge 2
lab_finish
