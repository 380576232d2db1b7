#!/usr/bin/env bash
# t-http-resume: keel.linux resumes an HTTP download whose connection breaks
# off, with Range requests, and the result is checked by SHA-256:
#   1. tests/lab/http_server.py closing the connection (FIN, then RST) after
#      so many bytes, several times; a server that ignores Range (the same
#      file sent whole again: skipped to where it was); a file that changes
#      under the download (refused plainly);
#   2. http_server.py killed mid-download and started again;
#   3. nginx killed mid-download (limit_rate) and started again;
#   4. a server killed for good: the download fails plainly after a bounded
#      number of tries.
set -u
. "$(dirname "$0")/lib.sh"
lab_begin t-http-resume

big=$((8 * 1024 * 1024 + 4321))
lab_www_random big.bin "$big"
lab_www_random mid.bin $((1024 * 1024 + 17))
mkdir -p "$LAB_RUN/www/slow"
cp "$LAB_RUN/www/big.bin" "$LAB_RUN/www/slow/big.bin"
big_sha=$(lab_sha256 "$LAB_RUN/www/big.bin")
mid_sha=$(lab_sha256 "$LAB_RUN/www/mid.bin")
nginx_args=("location /slow/ { limit_rate 3m; }")
lab_start_dnsmasq || lab_fail "dnsmasq starts"
lab_start_nginx "${nginx_args[@]}" || lab_fail "nginx starts"
lab_start_http_server 8080 || lab_fail "http_server.py starts"
P=http://$LAB_SERVER:8080

# established PORT: is a client connected to srv0's PORT?
established() {
	[ -n "$(lab_srv ss -Htn state established "( sport = :$1 )" 2>/dev/null)" ]
}

# interrupt PORT PID [RESTART...]: in the background, once a client is
# connected to PORT, let it run 1 s, kill PID, wait 1.5 s and run RESTART
# (its server's PID file is read back by adopt)
interrupt() {
	local port=$1 pid=$2
	shift 2
	(
		lab_wait 60 established "$port" || exit 0
		sleep 1
		echo "interrupt: killing the server on :$port" >>"$LAB_RUN/interrupt.log"
		lab_kill_pid "$pid"
		[ $# -gt 0 ] || exit 0
		sleep 1.5
		echo "interrupt: starting it again" >>"$LAB_RUN/interrupt.log"
		"$@" >>"$LAB_RUN/interrupt.log" 2>&1
	) &
	INTERRUPT_PID=$!
}

# adopt NAME: a server the background started is torn down with the rest
adopt() {
	wait "$INTERRUPT_PID" 2>/dev/null
	[ -s "$LAB_RUN/$1.pid" ] && LAB_PIDS+=("$(cat "$LAB_RUN/$1.pid")")
}

# --- 1. Connections broken off by the server --------------------------------------
LAB_SHOW=("$LAB_RUN/http-8080.log")
script=$(lab_script cut <<IPXE
#!ipxe
dhcp net0 || echo DHCP-FAILED
imgfetch --name c1 $P/cut/big.bin?at=1000000&times=3 && sha256sum --set h c1 && echo CUT=\${h} || echo CUT-FAILED
imgfetch --name c2 $P/cut/big.bin?at=700000&times=2&how=rst && sha256sum --set h c2 && echo RST=\${h} || echo RST-FAILED
imgfetch --name c3 $P/norange/mid.bin?at=300000 && sha256sum --set h c3 && echo NORANGE=\${h} || echo NORANGE-FAILED
imgfetch --name c4 $P/changing/mid.bin?at=300000 && echo CHANGING-FETCHED || echo CHANGING-FAILED
echo DONE
IPXE
)
lab_run_keel "$script" 120
lab_info "cuts: keel.linux ran for $LAB_MS ms (exit status $LAB_RC)"
log=$LAB_RUN/http-8080.log
lab_expect "keel.linux runs the whole script" \
	eval 'test "$LAB_RC" -eq 0 && grep -qx DONE "$LAB_OUT"'
lab_expect "cut three times (FIN after 1000000 bytes): resumed, SHA-256 right" \
	eval 'grep -qx "CUT=$big_sha" "$LAB_OUT" &&
		grep -q "GET /cut/big.bin?at=1000000&times=3 status=206 range=bytes=1000000- .* cut=fin" "$log" &&
		grep -q "GET /cut/big.bin?at=1000000&times=3 status=206 range=bytes=3000000- auth=- sent=$((big - 3000000))\$" "$log"'
lab_expect "cut twice by RST: resumed, SHA-256 right" \
	eval 'grep -qx "RST=$big_sha" "$LAB_OUT" &&
		test "$(grep -c "GET /cut/big.bin?at=700000&times=2&how=rst status=206" "$log")" -ge 2'
lab_expect "a server ignoring Range sends all again: skipped, SHA-256 right" \
	eval 'grep -qx "NORANGE=$mid_sha" "$LAB_OUT" &&
		test "$(grep -c "GET /norange/mid.bin?at=300000 status=200" "$log")" -eq 2'
lab_expect "a file that changed is not resumed, and says why" \
	eval 'grep -qx CHANGING-FAILED "$LAB_OUT" &&
		grep -qF "Could not fetch $P/changing/mid.bin?at=300000: Out of date ($P/changing/mid.bin?at=300000 changed on the server: cannot resume)" "$LAB_OUT"'

# --- 2. http_server.py killed and started again -----------------------------------
lab_start_http_server 8081 || lab_fail "http_server.py on 8081 starts"
LAB_SHOW=("$LAB_RUN/http-8081.log" "$LAB_RUN/interrupt.log")
script=$(lab_script restart <<IPXE
#!ipxe
dhcp net0 || echo DHCP-FAILED
imgfetch --name k1 http://$LAB_SERVER:8081/slow/big.bin?rate=2500000 && sha256sum --set h k1 && echo KILLED=\${h} || echo KILLED-FAILED
echo DONE
IPXE
)
interrupt 8081 "$LAB_HTTP_PID" lab_start_http_server 8081
lab_run_keel "$script" 120
adopt http-8081
lab_info "server restart: keel.linux ran for $LAB_MS ms (exit status $LAB_RC)"
lab_expect "http_server.py killed mid-download and restarted: resumed, SHA-256 right" \
	eval 'grep -qx "KILLED=$big_sha" "$LAB_OUT" &&
		grep -q "GET /slow/big.bin?rate=2500000 status=206 range=bytes=[1-9][0-9]*- .* sent=" "$LAB_RUN/http-8081.log" &&
		grep -q "killing" "$LAB_RUN/interrupt.log"'

# --- 3. nginx killed and started again ----------------------------------------------
LAB_SHOW=("$LAB_RUN/nginx-access.log" "$LAB_RUN/nginx-error.log" "$LAB_RUN/interrupt.log")
: >"$LAB_RUN/interrupt.log"
script=$(lab_script nginx <<IPXE
#!ipxe
dhcp net0 || echo DHCP-FAILED
imgfetch --name n1 http://$LAB_SERVER/slow/big.bin && sha256sum --set h n1 && echo NGINX=\${h} || echo NGINX-FAILED
echo DONE
IPXE
)
interrupt 80 "$LAB_NGINX_PID" lab_start_nginx "${nginx_args[@]}"
lab_run_keel "$script" 120
adopt nginx
lab_info "nginx restart: keel.linux ran for $LAB_MS ms (exit status $LAB_RC)"
lab_expect "nginx killed mid-download and restarted: resumed, SHA-256 right" \
	eval 'grep -qx "NGINX=$big_sha" "$LAB_OUT" &&
		grep -q "\"GET /slow/big.bin HTTP/1.1\" 206 " "$LAB_RUN/nginx-access.log" &&
		grep -q "killing" "$LAB_RUN/interrupt.log"'

# --- 4. A server gone for good --------------------------------------------------------
lab_start_http_server 8082 || lab_fail "http_server.py on 8082 starts"
LAB_SHOW=("$LAB_RUN/http-8082.log")
script=$(lab_script gone <<IPXE
#!ipxe
dhcp net0 || echo DHCP-FAILED
imgfetch --name g1 http://$LAB_SERVER:8082/slow/big.bin?rate=2000000 && echo GONE-FETCHED || echo GONE-FAILED
echo DONE
IPXE
)
interrupt 8082 "$LAB_HTTP_PID"
lab_run_keel "$script" 120
wait "$INTERRUPT_PID" 2>/dev/null
lab_info "server gone: keel.linux ran for $LAB_MS ms (exit status $LAB_RC)"
lab_expect "a server gone for good: fails plainly after 5 tries to resume" \
	eval 'grep -qx GONE-FAILED "$LAB_OUT" &&
		grep -q "Could not fetch .*: Connection refused (lost .* at byte [0-9]*; 5 tries to resume failed)" "$LAB_OUT"'
lab_expect "... and within 60 s" test "$LAB_MS" -lt 60000
lab_finish
