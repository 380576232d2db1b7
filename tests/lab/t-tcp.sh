#!/usr/bin/env bash
# t-tcp: keel.linux's TCP moves data both ways with the data verified, using
# the `tcpcheck HOST:PORT --send N --expect M` command against
# tcp_pattern_server.py (byte i of each stream is (i * 7 + 3) & 0xff):
#   1. a clean wire: 4 MiB each way; and a corrupted stream must be refused;
#   2. an impaired wire, 10% loss and 50 ms delay in each direction:
#      1 MiB each way.
# Sizes: LAB_TCP_BYTES (default 4 MiB), LAB_TCP_IMPAIRED_BYTES (1 MiB).
set -u
. "$(dirname "$0")/lib.sh"
lab_begin t-tcp
clean=${LAB_TCP_BYTES:-$((4 << 20))}
lossy=${LAB_TCP_IMPAIRED_BYTES:-$((1 << 20))}

lab_start_dnsmasq || lab_fail "dnsmasq starts"
lab_start_tcp_server "$clean" 7000 || lab_fail "pattern server on 7000"
lab_start_tcp_server 65536 7002 --corrupt-at 40000 || lab_fail "pattern server on 7002"
lab_start_tcp_server "$lossy" 7001 || lab_fail "pattern server on 7001"

# mibs BYTES MS: throughput in MiB/s
mibs() { awk -v b="$1" -v t="$2" 'BEGIN { if (t > 0) printf "%.1f", b / 1048576 / (t / 1000); else print "?" }'; }
# server_ms PORT WHAT: the time the pattern server logged for "received"/"sent"
server_ms() { grep -oE "^conn 1 $2 [0-9]+ (ok|acked) in [0-9.]+" "$LAB_RUN/tcp-$1.log" | awk '{print $NF}'; }

# --- 1. Clean wire -------------------------------------------------------------
LAB_SHOW=("$LAB_RUN/tcp-7000.log" "$LAB_RUN/tcp-7002.log")
script=$(lab_script tcp <<IPXE
#!ipxe
dhcp net0 || echo DHCP-FAILED
tcpcheck --send $clean --expect $clean 10.99.0.1:7000 && echo TCP-OK || echo TCP-FAILED
tcpcheck --send 1000 --expect 65536 10.99.0.1:7002 && echo BAD-ACCEPTED || echo BAD-REFUSED
echo DONE
IPXE
)
lab_run_keel "$script" 60
lab_info "clean: keel.linux ran for $LAB_MS ms (exit status $LAB_RC)"
lab_expect "clean: keel.linux exits 0 after running the whole script" \
	eval 'test "$LAB_RC" -eq 0 && grep -qx DONE "$LAB_OUT"'
lab_expect "clean: tcpcheck reports $clean bytes each way ok" \
	grep -qx "tcpcheck: sent $clean, received $clean, ok" "$LAB_OUT"
lab_expect "clean: tcpcheck succeeds" grep -qx TCP-OK "$LAB_OUT"
lab_expect "clean: the server received $clean pattern bytes intact" \
	grep -q "^conn 1 received $clean ok " "$LAB_RUN/tcp-7000.log"
lab_expect "clean: the server's $clean bytes were all acknowledged" \
	grep -q "^conn 1 sent $clean acked " "$LAB_RUN/tcp-7000.log"
# Refused for its data, not for want of a connection: the server got keel's
# 1000 bytes and sent its 65536 (one of them flipped)
lab_expect "clean: a stream with one corrupted byte is refused" \
	eval 'grep -qx BAD-REFUSED "$LAB_OUT" && ! grep -q BAD-ACCEPTED "$LAB_OUT" &&
		grep -q "^conn 1 received 1000 ok " "$LAB_RUN/tcp-7002.log" &&
		grep -q "^conn 1 sent 65536 " "$LAB_RUN/tcp-7002.log" &&
		! grep -q "^tcpcheck: sent 1000, received 65536, ok" "$LAB_OUT"'
up=$(server_ms 7000 received)
down=$(server_ms 7000 sent)
[ -n "$up" ] && [ -n "$down" ] &&
	lab_info "clean: keel -> server $(mibs "$clean" "$up") MiB/s, server -> keel $(mibs "$clean" "$down") MiB/s"

# --- 2. Impaired wire ------------------------------------------------------------
LAB_SHOW=("$LAB_RUN/tcp-7001.log" "$LAB_RUN/wire.log")
lab_impair 10 50 || lab_fail "impaired wire in place" "" "$LAB_RUN/wire.stdout"
script=$(lab_script tcp-impaired <<IPXE
#!ipxe
dhcp net0 || echo DHCP-FAILED
tcpcheck --send $lossy --expect $lossy 10.99.0.1:7001 && echo TCP-OK || echo TCP-FAILED
# Stay up through TIME_WAIT: a lost last ACK is answered when the FIN repeats
sleep 3
echo DONE
IPXE
)
lab_run_keel "$script" 200
lab_unimpair
lab_info "impaired: keel.linux ran for $LAB_MS ms (exit status $LAB_RC); wire $(grep '^wire .* frames=' "$LAB_RUN/wire.log" | cut -d' ' -f2-4 | paste -sd ',' - | sed 's/,/, /')"
lab_expect "impaired: keel.linux exits 0 after running the whole script" \
	eval 'test "$LAB_RC" -eq 0 && grep -qx DONE "$LAB_OUT"'
lab_expect "impaired: DHCP despite the loss" eval '! grep -q DHCP-FAILED "$LAB_OUT"'
lab_expect "impaired: tcpcheck reports $lossy bytes each way ok" \
	grep -qx "tcpcheck: sent $lossy, received $lossy, ok" "$LAB_OUT"
lab_expect "impaired: the server received $lossy pattern bytes intact" \
	grep -q "^conn 1 received $lossy ok " "$LAB_RUN/tcp-7001.log"
lab_expect "impaired: the server's $lossy bytes were all acknowledged" \
	grep -q "^conn 1 sent $lossy acked " "$LAB_RUN/tcp-7001.log"
up=$(server_ms 7001 received)
down=$(server_ms 7001 sent)
[ -n "$up" ] && [ -n "$down" ] &&
	lab_info "impaired: keel -> server in $up ms, server -> keel in $down ms"
lab_finish
