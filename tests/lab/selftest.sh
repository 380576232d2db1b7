#!/usr/bin/env bash
# Lab self-test: proves the lab itself, with Linux-side clients in place of
# keel.linux, so that a failing t-*.sh points at the firmware, not the lab.
#   - namespaces, bridge and TAP come up; nothing can route out
#   - a TAP client (what keel.linux is) gets ARP and DHCP answers
#   - dnsmasq: DHCP (classes logged), DNS (A, CNAME, NXDOMAIN); nginx: HTTP
#   - the TCP pattern server verifies data both ways and catches corruption
#   - the impaired wire delays and drops in both directions
#   - a test killed by a signal cleans up; teardown leaves nothing behind
set -u
. "$(dirname "$0")/lib.sh"

lab_host_snapshot() {
	{
		ip -o link show | awk '{print $2}'
		ip -4 route show
		ip -6 route show 2>/dev/null
	} | sort
}
host_before=$(lab_host_snapshot)

lab_begin selftest --no-keel
client() { lab_cli "$LAB_PYTHON" "$LAB_DIR/labclient.py" "$@"; }
out=$LAB_RUN/client.out

# --- Start-up ---------------------------------------------------------------
lab_start_dnsmasq && lab_pass "dnsmasq answers on udp 67 and 53" ||
	lab_fail "dnsmasq start" "" "$LAB_RUN/dnsmasq.stdout" "$LAB_RUN/dnsmasq.log"
lab_expect "dnsmasq serves TFTP on udp 69" lab_listening udp 69
lab_start_nginx && lab_pass "nginx listens on 10.99.0.1:80" ||
	lab_fail "nginx start" "" "$LAB_RUN/nginx.stdout" "$LAB_RUN/nginx-error.log"
lab_start_tcp_server $((4 << 20)) 7000 &&
	lab_start_tcp_server $((1 << 20)) 7001 &&
	lab_pass "TCP pattern servers listen on 7000 and 7001" ||
	lab_fail "TCP pattern servers start"
lab_add_client && lab_pass "client namespace on the bridge" ||
	lab_fail "client namespace"

# --- Containment ------------------------------------------------------------
lab_expect "the wire namespace has no IPv4 address" \
	test -z "$(lab_ns ip -4 -o addr show scope global)"
lab_expect "the wire namespace has no IPv6 address" \
	test -z "$(lab_ns ip -6 -o addr show)"
no_default_routes() {
	local ns
	for ns in "$LAB_NS" "$LAB_SRV_NS" "$LAB_CLI_NS"; do
		[ -z "$(ip -n "$ns" -4 route show default)" ] || return 1
		[ -z "$(ip -n "$ns" -6 route show default 2>/dev/null)" ] || return 1
	done
}
lab_expect "no default route in any lab namespace" no_default_routes
lab_expect "forwarding off in the lab namespaces" eval \
	'[ "$(lab_ns sysctl -n net.ipv4.ip_forward)$(lab_srv sysctl -n net.ipv4.ip_forward)" = 00 ]'

# --- Through the TAP device, as keel.linux sees the lab ---------------------
lab_ns "$LAB_PYTHON" "$LAB_DIR/labclient.py" tapprobe tap0 "$LAB_SERVER" \
	>"$LAB_RUN/tapprobe.out" 2>&1
LAB_OUT=$LAB_RUN/tapprobe.out
lab_expect "tap0: ARP reply from 10.99.0.1" \
	grep -q '^tapprobe arp 10.99.0.1 is-at' "$LAB_OUT"
lab_expect "tap0: DHCP offer with router, DNS, domain and search list" \
	grep -qE '^tapprobe offer ip=10\.99\.0\.1[0-5][0-9] .*router=10\.99\.0\.1 dns=10\.99\.0\.1 domain=keel\.test search=keel\.test ' \
	"$LAB_OUT"
LAB_SHOW=("$LAB_RUN/dnsmasq.log")
tap_mac=$(awk '/DHCPDISCOVER/ {print $NF; exit}' "$LAB_RUN/dnsmasq.log")
lab_dhcp_discovers "$tap_mac" >"$LAB_RUN/discovers.out"
LAB_OUT=$LAB_RUN/discovers.out
lab_expect "dnsmasq log: DISCOVER carried user class iPXE" \
	grep -q ' user=iPXE ' "$LAB_OUT"
lab_expect "dnsmasq log: DISCOVER carried vendor class PXEClient:Arch:" \
	grep -qE ' vendor=PXEClient:Arch:[0-9]{5}' "$LAB_OUT"

# --- DHCP from the client namespace ----------------------------------------
client dhcp cli0 >"$out" 2>&1
LAB_OUT=$out
lease_ip=$(lab_value ip "$out")
lab_expect "client: DHCP lease in 10.99.0.100-150" \
	grep -qE '^lease ip=10\.99\.0\.1[0-5][0-9] ' "$out"
lab_expect "client: router, DNS, domain and search list" \
	grep -qE 'router=10\.99\.0\.1 dns=10\.99\.0\.1 domain=keel\.test search=keel\.test ' \
	"$out"
lab_expect "dnsmasq log: DHCPACK for the lease" \
	grep -q "DHCPACK(srv0) $lease_ip " "$LAB_RUN/dnsmasq.log"
ip -n "$LAB_CLI_NS" addr add "${lease_ip:-10.99.0.150}/24" dev cli0

# --- DNS ---------------------------------------------------------------------
client dns "$LAB_SERVER" server.keel.test >"$out" 2>&1
lab_expect "DNS: server.keel.test is 10.99.0.1" \
	grep -qx 'server.keel.test A 10.99.0.1' "$out"
client dns "$LAB_SERVER" www.keel.test >"$out" 2>&1
lab_expect "DNS: www.keel.test is a CNAME for server.keel.test" \
	grep -qx 'www.keel.test CNAME server.keel.test' "$out"
lab_expect "DNS: www.keel.test resolves to 10.99.0.1" \
	grep -qx 'server.keel.test A 10.99.0.1' "$out"
client dns "$LAB_SERVER" server >"$out" 2>&1
lab_expect "DNS: bare 'server' is NXDOMAIN (only the search list finds it)" \
	grep -qx 'dns server rcode=NXDOMAIN' "$out"
client dns "$LAB_SERVER" nosuch.keel.test >"$out" 2>&1
lab_expect "DNS: nosuch.keel.test is NXDOMAIN" \
	grep -qx 'dns nosuch.keel.test rcode=NXDOMAIN' "$out"
lab_expect "dnsmasq log: queries logged with the client's address" \
	grep -q "query\[A\] server.keel.test from $lease_ip" "$LAB_RUN/dnsmasq.log"

# --- HTTP --------------------------------------------------------------------
LAB_SHOW=("$LAB_RUN/nginx-error.log")
client http "http://$LAB_SERVER/index.html" >"$out" 2>&1
lab_expect "HTTP: index.html from nginx" grep -q '^http status=200 bytes=15 ' "$out"
lab_www_pattern pattern-4m.bin $((4 << 20))
sum=$(sha256sum "$LAB_RUN/www/pattern-4m.bin" | cut -d' ' -f1)
client http "http://$LAB_SERVER/pattern-4m.bin" --sha256 "$sum" >"$out" 2>&1
lab_expect "HTTP: 4 MiB file, sha256 verified" \
	grep -q "^http status=200 bytes=4194304 sha256=$sum " "$out"
lab_expect "nginx access log records the GETs" \
	grep -q '"GET /pattern-4m.bin HTTP/1.1" 200 4194304' "$LAB_RUN/nginx-access.log"

# --- ICMP counters (t-ping reads them) ----------------------------------------
echos0=$(lab_snmp Icmp InEchos)
client ping "$LAB_SERVER" --count 3 >"$out" 2>&1
lab_expect "ping: 3 replies" grep -q '3 sent, 3 received' "$out"
lab_expect "server counted 3 echo requests" \
	test "$(($(lab_snmp Icmp InEchos) - ${echos0:-0}))" -eq 3
client ping 10.99.0.222 --count 1 --wait 0.5 >"$out" 2>&1
lab_expect "ping: no reply from 10.99.0.222" grep -q '1 sent, 0 received' "$out"

# --- TCP pattern -------------------------------------------------------------
LAB_SHOW=("$LAB_RUN/tcp-7000.log")
client tcpcheck "$LAB_SERVER:7000" --send $((4 << 20)) --expect $((4 << 20)) \
	>"$out" 2>&1
lab_expect "tcpcheck (Linux): 4 MiB each way" \
	grep -qx 'tcpcheck: sent 4194304, received 4194304, ok' "$out"
lab_expect "pattern server: received 4194304 ok" \
	grep -q '^conn 1 received 4194304 ok' "$LAB_RUN/tcp-7000.log"
lab_expect "pattern server: sent 4194304, acknowledged" \
	grep -q '^conn 1 sent 4194304 acked' "$LAB_RUN/tcp-7000.log"
client tcpcheck "$LAB_SERVER:7000" --send 5000 --expect 0 --corrupt-at 1000 \
	>"$out" 2>&1
lab_expect "pattern server: catches a corrupted byte" \
	grep -q '^conn 2 received 5000 bad at 1000 ' "$LAB_RUN/tcp-7000.log"

# --- The impaired wire (10% loss, 50 ms each way) -----------------------------
LAB_SHOW=("$LAB_RUN/wire-setup.log" "$LAB_RUN/wire.stdout" "$LAB_RUN/tcp-7001.log")
if lab_impair 10 50; then
	lab_pass "impaired wire in place"
else
	lab_fail "impaired wire in place" "" "${LAB_SHOW[@]}"
fi
lab_ns "$LAB_PYTHON" "$LAB_DIR/labclient.py" tapprobe tap0 "$LAB_SERVER" \
	>"$LAB_RUN/tapprobe2.out" 2>&1
LAB_OUT=$LAB_RUN/tapprobe2.out
rtt=$(grep -oE 'arp .* rtt_ms=[0-9]+' "$LAB_OUT" | grep -oE '[0-9]+$')
lab_expect "impaired: ARP round trip over tap0 >= 100 ms (both ways delayed)" \
	test "${rtt:-0}" -ge 100 -a "${rtt:-0}" -lt 1000
t0=$(lab_now_ms)
client tcpcheck "$LAB_SERVER:7001" --send $((1 << 20)) --expect $((1 << 20)) \
	>"$out" 2>&1
took=$(($(lab_now_ms) - t0))
LAB_OUT=$out
lab_expect "impaired: tcpcheck (Linux) 1 MiB each way in ${took} ms" \
	grep -qx 'tcpcheck: sent 1048576, received 1048576, ok' "$out"
lab_unimpair
LAB_OUT=$LAB_RUN/wire.log
wire_ok() {
	# Both directions lost some frames, at a plausible rate, and none were
	# too big or failed to go out (offloads off)
	awk '/^wire .* frames=/ {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		n++
		if (v["frames"] < 100 || v["errors"] || v["oversize"]) bad = 1
		rate = v["dropped"] / v["frames"]
		if (rate < 0.03 || rate > 0.2) bad = 1
	} END { exit (n == 2 && !bad) ? 0 : 1 }' "$LAB_RUN/wire.log"
}
lab_expect "impaired: drops in both directions near 10%, no errors" wire_ok
lab_ns "$LAB_PYTHON" "$LAB_DIR/labclient.py" tapprobe tap0 "$LAB_SERVER" \
	>"$LAB_RUN/tapprobe3.out" 2>&1
rtt=$(grep -oE 'arp .* rtt_ms=[0-9]+' "$LAB_RUN/tapprobe3.out" | grep -oE '[0-9]+$')
LAB_OUT=$LAB_RUN/tapprobe3.out
lab_expect "unimpaired again: ARP round trip < 50 ms" test "${rtt:-999}" -lt 50

# --- A test killed by a signal cleans up after itself --------------------------
sub_id=$LAB_ID-sub
sub_ready=$LAB_RUN/sub.ready
LAB_ID=$sub_id bash -c '
	. "$1/lib.sh"
	lab_begin sub --no-keel >/dev/null
	lab_start_dnsmasq || exit 1
	echo "$LAB_LAST_PID" >"$2"
	sleep 60 &
	LAB_PIDS+=($!)
	wait $!' sub "$LAB_DIR" "$sub_ready" >"$LAB_RUN/sub.out" 2>&1 &
sub_pid=$!
lab_wait 15 test -s "$sub_ready"
sub_dnsmasq=$(cat "$sub_ready" 2>/dev/null)
kill -TERM "$sub_pid" 2>/dev/null
lab_wait 10 eval '! kill -0 '"$sub_pid"
sub_clean() {
	[ -n "$sub_dnsmasq" ] || return 1
	! kill -0 "$sub_pid" 2>/dev/null &&
		! kill -0 "$sub_dnsmasq" 2>/dev/null &&
		! lab_ns_exists "keel-lab-$sub_id" &&
		! lab_ns_exists "keel-lab-$sub_id-s" &&
		[ ! -e "${TMPDIR:-/tmp}/keel-lab-$sub_id" ]
}
LAB_OUT=$LAB_RUN/sub.out
lab_expect "SIGTERM mid-test: processes, namespaces and files removed" sub_clean
wait "$sub_pid" 2>/dev/null

# --- Teardown leaves nothing behind ------------------------------------------
pids=("${LAB_PIDS[@]}")
run_dir=$LAB_RUN
lab_teardown
LAB_OUT=/dev/null
all_gone() {
	local pid
	for pid in "${pids[@]}"; do
		kill -0 "$pid" 2>/dev/null && return 1
	done
	! ip netns list | grep -q "^keel-lab-$LAB_ID" &&
		{ [ "${LAB_KEEP:-0}" = 1 ] || [ ! -e "$run_dir" ]; }
}
lab_expect "teardown: no lab process, namespace or file left" all_gone
host_after=$(lab_host_snapshot)
if [ "$host_before" = "$host_after" ]; then
	lab_pass "host links and routes unchanged"
else
	lab_fail "host links and routes unchanged" \
		"$(diff <(echo "$host_before") <(echo "$host_after") | tr '\n' ' ')"
fi
lab_finish
