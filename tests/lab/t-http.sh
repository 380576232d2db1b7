#!/usr/bin/env bash
# t-http: keel.linux's HTTP client against nginx and tests/lab/http_server.py:
#   1. downloads checked by SHA-256 (imgfetch, sha256sum --set), several
#      from one server over one kept-alive connection (nginx logs
#      $connection), a missing file failing plainly, redirects 301, 302,
#      307 and 308 (nginx) and a relative one (../), a form POSTed from
#      "params" (echoed back), a chunked body, Basic and Digest
#      authentication (right and wrong credentials), and a server that
#      never answers (the http-timeout setting);
#   2. `chain` of a script that chains a sub-script by a relative name, and
#      a download from a server named through DNS.
set -u
. "$(dirname "$0")/lib.sh"
lab_begin t-http

lab_www_random file.bin $((3 * 1024 * 1024 + 123))
lab_www_random small.txt 777
mkdir -p "$LAB_RUN/www/boot"
cat >"$LAB_RUN/www/boot/main.ipxe" <<'IPXE'
#!ipxe
echo MAIN-RAN
chain sub.ipxe || echo SUB-FAILED
echo MAIN-BACK
IPXE
cat >"$LAB_RUN/www/boot/sub.ipxe" <<'IPXE'
#!ipxe
echo SUB-RAN
IPXE
lab_start_dnsmasq || lab_fail "dnsmasq starts"
lab_start_nginx "absolute_redirect off;" \
	"location = /r301 { return 301 /file.bin; }" \
	"location = /r302 { return 302 http://$LAB_SERVER/file.bin; }" \
	"location = /r307 { return 307 /r308; }" \
	"location = /r308 { return 308 /file.bin; }" ||
	lab_fail "nginx starts"
lab_start_http_server 8080 || lab_fail "http_server.py starts"
LAB_SHOW=("$LAB_RUN/nginx-access.log" "$LAB_RUN/http-8080.log")
file_sha=$(lab_sha256 "$LAB_RUN/www/file.bin")
small_sha=$(lab_sha256 "$LAB_RUN/www/small.txt")

# --- 1. Downloads ----------------------------------------------------------------
S=http://$LAB_SERVER
P=http://$LAB_SERVER:8080
script=$(lab_script http <<IPXE
#!ipxe
dhcp net0 || echo DHCP-FAILED
echo MAC=\${net0/mac}
imgfetch --name f1 $S/file.bin && sha256sum --set h f1 && echo SHA1=\${h} || echo F1-FAILED
imgfetch --name f2 $S/small.txt && sha256sum --set h f2 && echo SHA2=\${h} || echo F2-FAILED
imgfetch --name f3 $S/file.bin && sha256sum --set h f3 && echo SHA3=\${h} || echo F3-FAILED
imgfetch --name m1 $S/missing && echo MISSING-FETCHED || echo MISSING-FAILED
imgfetch --name r1 $S/r301 && sha256sum --set h r1 && echo R301=\${h} || echo R301-FAILED
imgfetch --name r2 $S/r302 && sha256sum --set h r2 && echo R302=\${h} || echo R302-FAILED
imgfetch --name r3 $S/r307 && sha256sum --set h r3 && echo R307=\${h} || echo R307-FAILED
imgfetch --name r4 $P/redirect/302?to=../plain/small.txt && sha256sum --set h r4 && echo RREL=\${h} || echo RREL-FAILED
params
param mac \${net0/mac}
param name keel-lab:1/2
param --header X-Keel-Test yes
imgfetch --name echo $P/echo##params && sha256sum --set h echo && echo ECHO=\${h} || echo ECHO-FAILED
imgfetch --name ch $P/chunked/file.bin && sha256sum --set h ch && echo CHUNKED=\${h} || echo CHUNKED-FAILED
imgfetch --name b1 http://keel:sesame@$LAB_SERVER:8080/basic/small.txt && sha256sum --set h b1 && echo BASIC=\${h} || echo BASIC-FAILED
imgfetch --name b2 $P/basic/small.txt && echo NOBASIC-FETCHED || echo NOBASIC-FAILED
imgfetch --name b3 http://keel:wrong@$LAB_SERVER:8080/basic/small.txt && echo BADBASIC-FETCHED || echo BADBASIC-FAILED
imgfetch --name d1 http://keel:sesame@$LAB_SERVER:8080/digest/file.bin && sha256sum --set h d1 && echo DIGEST=\${h} || echo DIGEST-FAILED
imgfetch --name d2 http://keel:wrong@$LAB_SERVER:8080/digest/small.txt && echo BADDIGEST-FETCHED || echo BADDIGEST-FAILED
set http-timeout 2
imgfetch --name s1 $P/stall && echo STALL-FETCHED || echo STALL-FAILED
echo DONE
IPXE
)
lab_run_keel "$script" 120
lab_info "downloads: keel.linux ran for $LAB_MS ms (exit status $LAB_RC)"
out=$LAB_OUT
lab_expect "keel.linux runs the whole script" \
	eval 'test "$LAB_RC" -eq 0 && grep -qx DONE "$out" && ! grep -q DHCP-FAILED "$out"'
lab_expect "plain download, checked by SHA-256" grep -qx "SHA1=$file_sha" "$out"
lab_expect "a second and third download" \
	eval 'grep -qx "SHA2=$small_sha" "$out" && grep -qx "SHA3=$file_sha" "$out"'
# nginx's requests from this run: every one on the first connection
nginx_conns=$(awk '{print $1}' "$LAB_RUN/nginx-access.log" | sort -u | wc -l)
nginx_reqs=$(wc -l <"$LAB_RUN/nginx-access.log")
lab_info "nginx saw $nginx_reqs requests on $nginx_conns connection(s)"
lab_expect "keep-alive: nginx served all $nginx_reqs requests on one connection" \
	eval 'test "$nginx_conns" -eq 1 && test "$nginx_reqs" -ge 9'
lab_expect "a missing file fails with the status line and the URL" \
	eval 'grep -qx MISSING-FAILED "$out" &&
		grep -qF "Could not fetch $S/missing: Not found (HTTP 404 Not Found: $S/missing)" "$out"'
lab_expect "redirect 301 (relative Location) is followed" grep -qx "R301=$file_sha" "$out"
lab_expect "redirect 302 (absolute Location) is followed" grep -qx "R302=$file_sha" "$out"
lab_expect "redirects 307 then 308 are followed" grep -qx "R307=$file_sha" "$out"
lab_expect "a relative Location (../plain/small.txt) is resolved" \
	eval 'grep -qx "RREL=$small_sha" "$out" && grep -q " GET /plain/small.txt status=200" "$LAB_RUN/http-8080.log"'
mac=$(lab_value MAC "$out")
form="mac=${mac//:/%3A}&name=keel-lab%3A1%2F2"
form_sha=$(printf '%s' "$form" | sha256sum | cut -d' ' -f1)
lab_expect "params are POSTed as a form (the server saw \"$form\")" \
	grep -qF "POST /echo status=200 range=- auth=- sent=${#form} type=application/x-www-form-urlencoded body=$form" \
	"$LAB_RUN/http-8080.log"
lab_expect "the POST's answer is the image" grep -qx "ECHO=$form_sha" "$out"
lab_expect "a chunked body (many chunk sizes, extensions, trailers)" \
	grep -qx "CHUNKED=$file_sha" "$out"
lab_expect "Basic authentication after a 401" grep -qx "BASIC=$small_sha" "$out"
lab_expect "no credentials: HTTP 401 fails plainly" \
	eval 'grep -qx NOBASIC-FAILED "$out" &&
		grep -qF "Permission denied (HTTP 401 Unauthorized: $P/basic/small.txt)" "$out"'
lab_expect "wrong Basic credentials fail (and the password is not shown)" \
	eval 'grep -qx BADBASIC-FAILED "$out" && ! grep -q wrong "$out"'
lab_expect "Digest authentication (MD5, qop=auth) after a 401" \
	eval 'grep -qx "DIGEST=$file_sha" "$out" &&
		grep -q "GET /digest/file.bin status=200 range=- auth=Digest" "$LAB_RUN/http-8080.log"'
lab_expect "wrong Digest credentials fail after one answer" \
	eval 'grep -qx BADDIGEST-FAILED "$out" &&
		test "$(grep -c "GET /digest/small.txt status=401" "$LAB_RUN/http-8080.log")" -eq 2'
lab_expect "a server that never answers: http-timeout (2 s) ends it plainly" \
	eval 'grep -qx STALL-FAILED "$out" &&
		grep -qF "Could not fetch $P/stall: Connection timed out (no data from $LAB_SERVER for 2 s)" "$out"'
py_conns=$(grep -oE '^conn=[0-9]+' "$LAB_RUN/http-8080.log" | sort -u | wc -l)
lab_info "http_server.py saw $(grep -c '^conn=' "$LAB_RUN/http-8080.log") requests on $py_conns connection(s)"

# --- 2. chain, relative -------------------------------------------------------
script=$(lab_script chain <<IPXE
#!ipxe
dhcp net0 || echo DHCP-FAILED
chain $S/boot/main.ipxe || echo CHAIN-FAILED
imgfetch --name dn http://www.$LAB_DOMAIN/small.txt && sha256sum --set h dn && echo DNS=\${h} || echo DNS-FAILED
echo DONE
IPXE
)
lab_run_keel "$script" 60
lab_expect "chain runs a script that chains sub.ipxe by a relative name" \
	eval 'grep -qx MAIN-RAN "$LAB_OUT" && grep -qx SUB-RAN "$LAB_OUT" &&
		! grep -q -e SUB-FAILED -e CHAIN-FAILED "$LAB_OUT" &&
		grep -q "\"GET /boot/sub.ipxe HTTP/1.1\" 200" "$LAB_RUN/nginx-access.log"'
lab_expect "a server by name (www.$LAB_DOMAIN, a CNAME)" grep -qx "DNS=$small_sha" "$LAB_OUT"
lab_finish
