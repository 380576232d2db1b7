#!/usr/bin/env bash
# t-dhcp: keel.linux's DHCP client against dnsmasq.
#   the lease (address in 10.99.0.100-150, netmask, router, DNS server,
#   domain) lands in keel's settings, and the DISCOVER carried what iPXE's
#   does: user class (77) "iPXE" and vendor class (60) "PXEClient:Arch:NNNNN"
#   (dnsmasq's log-dhcp records both).
set -u
. "$(dirname "$0")/lib.sh"
lab_begin t-dhcp
lab_start_dnsmasq || lab_fail "dnsmasq starts"
LAB_SHOW=("$LAB_RUN/dnsmasq.log")

script=$(lab_script dhcp <<'IPXE'
#!ipxe
dhcp net0 && echo IP=${net0/ip} GW=${net0.dhcp/gateway} DNS=${dns} DOMAIN=${domain}
echo MAC=${net0/mac} MASK=${net0/netmask}
IPXE
)
lab_run_keel "$script" 45
lab_info "keel.linux ran for $LAB_MS ms (exit status $LAB_RC)"
lab_expect "keel.linux exits 0" test "$LAB_RC" -eq 0
ip=$(lab_value IP "$LAB_OUT")
mac=$(lab_value MAC "$LAB_OUT")
lab_expect "address in 10.99.0.$LAB_RANGE_FIRST-$LAB_RANGE_LAST (IP=$ip)" \
	eval '[[ $ip =~ ^10\.99\.0\.([0-9]+)$ ]] &&
		((BASH_REMATCH[1] >= LAB_RANGE_FIRST && BASH_REMATCH[1] <= LAB_RANGE_LAST))'
lab_expect "gateway 10.99.0.1" test "$(lab_value GW "$LAB_OUT")" = "$LAB_SERVER"
lab_expect "DNS server 10.99.0.1" test "$(lab_value DNS "$LAB_OUT")" = "$LAB_SERVER"
lab_expect "domain keel.test" test "$(lab_value DOMAIN "$LAB_OUT")" = "$LAB_DOMAIN"
lab_expect "netmask 255.255.255.0" test "$(lab_value MASK "$LAB_OUT")" = 255.255.255.0

# What the server saw (from keel's MAC, if keel could tell us)
lab_dhcp_discovers "$mac" >"$LAB_RUN/discovers"
lab_expect "dnsmasq saw a DISCOVER${mac:+ from $mac}" test -s "$LAB_RUN/discovers"
lab_expect "the DISCOVER carried user class iPXE (option 77)" \
	grep -q ' user=iPXE ' "$LAB_RUN/discovers"
lab_expect "the DISCOVER carried vendor class PXEClient:Arch:NNNNN (option 60)" \
	grep -qE ' vendor=PXEClient:Arch:[0-9]{5}(:|$)' "$LAB_RUN/discovers"
lab_expect "dnsmasq acknowledged the lease (DHCPACK for $ip)" \
	grep -q "DHCPACK(srv0) $ip " "$LAB_RUN/dnsmasq.log"
lab_finish
