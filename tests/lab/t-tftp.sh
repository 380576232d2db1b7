#!/usr/bin/env bash
# t-tftp: keel.linux's TFTP client against dnsmasq's TFTP server.
#   imgfetch of a small file, of one that ends on a block boundary, and of a
#   multi-MiB file, checked with sha256sum/md5sum/sha1sum against the host's
#   digests; a missing file fails with the server's "File not found"; a
#   download through a lossy wire (retransmissions); then, with dnsmasq
#   refusing blksize (512-byte blocks), a 33 MiB file whose block numbers
#   wrap past 65535. dnsmasq has no windowsize (RFC 7440), so a small
#   windowed server (below, on port 6969) checks windows, recovery from a
#   lost block, and the answer to a stray transfer ID.
set -u
. "$(dirname "$0")/lib.sh"
lab_begin t-tftp
mkdir -p "$LAB_RUN/tftp"
LAB_SHOW=("$LAB_RUN/dnsmasq.log")

# Files: the TCP pattern, of chosen sizes. 2936 = 2 x 1468, the block size
# keel asks for on a 1500-byte MTU, so its last block is empty.
lab_pattern_file "$LAB_RUN/tftp/small.bin" 1000
lab_pattern_file "$LAB_RUN/tftp/exact.bin" 2936
lab_pattern_file "$LAB_RUN/tftp/big.bin" $((5 * 1024 * 1024 + 123))
lab_pattern_file "$LAB_RUN/tftp/wrap.bin" $((33 * 1024 * 1024 + 77))
sum() { sha256sum "$LAB_RUN/tftp/$1" | cut -d' ' -f1; }

lab_start_dnsmasq || lab_fail "dnsmasq starts"
dnsmasq_pid=$LAB_LAST_PID
script=$(lab_script tftp <<'IPXE'
#!ipxe
dhcp net0 || echo DHCP-FAILED
imgfetch tftp://10.99.0.1/small.bin && sha256sum small.bin || echo SMALL-FAILED
md5sum small.bin
sha1sum small.bin
imgfetch tftp://10.99.0.1/exact.bin && sha256sum exact.bin || echo EXACT-FAILED
imgfetch tftp://10.99.0.1/big.bin && sha256sum big.bin || echo BIG-FAILED
sha256sum --set bigsum big.bin && echo BIGSUM=${bigsum}
imgfetch tftp://10.99.0.1/nosuch.bin && echo NOSUCH-OK || echo NOSUCH-FAILED
echo DONE
IPXE
)
lab_run_keel "$script" 90
lab_info "keel.linux ran for $LAB_MS ms (exit status $LAB_RC)"
lab_expect "keel.linux exits 0 after running the whole script" \
	eval 'test "$LAB_RC" -eq 0 && grep -qx DONE "$LAB_OUT"'
lab_expect "DHCP" eval '! grep -q DHCP-FAILED "$LAB_OUT"'
lab_expect "small.bin (1000 bytes): sha256sum matches" \
	grep -qx "$(sum small.bin)  small.bin" "$LAB_OUT"
lab_expect "small.bin: md5sum matches" grep -qx \
	"$(md5sum "$LAB_RUN/tftp/small.bin" | cut -d' ' -f1)  small.bin" "$LAB_OUT"
lab_expect "small.bin: sha1sum matches" grep -qx \
	"$(sha1sum "$LAB_RUN/tftp/small.bin" | cut -d' ' -f1)  small.bin" "$LAB_OUT"
lab_expect "exact.bin (2 full blocks, then an empty one): sha256sum matches" \
	grep -qx "$(sum exact.bin)  exact.bin" "$LAB_OUT"
lab_expect "big.bin (5 MiB): sha256sum matches" \
	grep -qx "$(sum big.bin)  big.bin" "$LAB_OUT"
lab_expect "sha256sum --set stores the digest" \
	grep -qx "BIGSUM=$(sum big.bin)" "$LAB_OUT"
lab_expect "a missing file fails, naming the server and the error" \
	eval 'grep -qx NOSUCH-FAILED "$LAB_OUT" &&
		grep -q "TFTP server 10.99.0.1: File not found: /nosuch.bin" "$LAB_OUT"'
lab_expect "dnsmasq logged sending big.bin" \
	grep -qE 'sent .*big\.bin to 10\.99\.0\.' "$LAB_RUN/dnsmasq.log"

# Lossy wire: 3% of frames dropped each way, 2 ms delay
lab_pattern_file "$LAB_RUN/tftp/lossy.bin" $((100 * 1024 + 5))
lab_impair 3 2 || lab_fail "the impaired wire starts"
script=$(lab_script lossy <<'IPXE'
#!ipxe
dhcp net0 || echo DHCP-FAILED
imgfetch tftp://10.99.0.1/lossy.bin && sha256sum lossy.bin || echo LOSSY-FAILED
echo DONE
IPXE
)
lab_run_keel "$script" 120
lab_unimpair
lab_info "keel.linux ran for $LAB_MS ms (exit status $LAB_RC) through 3% loss"
lab_expect "lossy.bin (100 KiB, 3% loss): sha256sum matches" \
	grep -qx "$(sum lossy.bin)  lossy.bin" "$LAB_OUT"

# A windowed server: OACK windowsize 8, drops the first sending of blocks
# 5 and 23, and sends one DATA from a stray port once block 10 is acknowledged
cat >"$LAB_RUN/tftp_window_server.py" <<'PY'
import os, socket, struct, sys
root, port = sys.argv[1], int(sys.argv[2])
DROP = {5, 23}
ls = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ls.bind(("10.99.0.1", port))
print("listening", flush=True)
while True:
    pkt, peer = ls.recvfrom(2048)
    if pkt[:2] != b"\0\1":
        continue
    parts = pkt[2:].split(b"\0")
    name = parts[0].decode()
    opts = {parts[i].decode().lower(): int(parts[i + 1])
            for i in range(2, len(parts) - 1, 2)}
    data = open(os.path.join(root, name), "rb").read()
    bs, ws = min(opts.get("blksize", 512), 1468), min(opts.get("windowsize", 1), 8)
    oack = b"blksize\0%d\0tsize\0%d\0windowsize\0%d\0" % (bs, len(data), ws)
    print("rrq %s blksize %d windowsize %d" % (name, bs, ws), flush=True)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("10.99.0.1", 0))
    s.settimeout(1.0)
    last, acked, sent, stray, timeouts = len(data) // bs + 1, -1, set(), None, 0
    while acked < last:
        if acked < 0:
            s.sendto(b"\0\6" + oack, peer)
        for b in range(acked + 1, min(acked + ws, last) + 1) if acked >= 0 else ():
            if b in DROP and b not in sent:
                sent.add(b)
                continue
            sent.add(b)
            s.sendto(struct.pack("!HH", 3, b) + data[(b - 1) * bs:b * bs], peer)
        if acked >= 10 and stray is None:
            stray = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            stray.bind(("10.99.0.1", 0))
            stray.settimeout(2.0)
            stray.sendto(struct.pack("!HH", 3, acked + 1) + b"x" * bs, peer)
        try:
            while True:
                pkt, src = s.recvfrom(2048)
                op, n = struct.unpack("!HH", pkt[:4])
                if src == peer and op == 4 and n >= acked:
                    acked = n
                    break
        except socket.timeout:
            timeouts += 1
    try:
        pkt, src = stray.recvfrom(2048)
        print("stray answered with error %d" % struct.unpack("!HH", pkt[:4])[1])
    except (socket.timeout, AttributeError):
        print("stray not answered")
    print("done %s timeouts %d" % (name, timeouts), flush=True)
PY
lab_pattern_file "$LAB_RUN/tftp/window.bin" $((150 * 1468 + 99))
lab_spawn "$LAB_SRV_NS" window "$LAB_PYTHON" "$LAB_RUN/tftp_window_server.py" \
	"$LAB_RUN/tftp" 6969
lab_wait_started window "$LAB_LAST_PID" 10 \
	grep -q '^listening' "$LAB_RUN/window.stdout" || lab_fail "window server starts"
LAB_SHOW=("$LAB_RUN/window.stdout")
script=$(lab_script window <<'IPXE'
#!ipxe
dhcp net0 || echo DHCP-FAILED
imgfetch tftp://10.99.0.1:6969/window.bin && sha256sum window.bin || echo WINDOW-FAILED
echo DONE
IPXE
)
lab_run_keel "$script" 60
lab_info "keel.linux ran for $LAB_MS ms (exit status $LAB_RC) with windows"
lab_expect "window.bin (windowsize 8, two lost blocks): sha256sum matches" \
	grep -qx "$(sum window.bin)  window.bin" "$LAB_OUT"
lab_expect "keel asked for blksize 1468 and windowsize 16, got 8" \
	grep -qx "rrq window.bin blksize 1468 windowsize 8" "$LAB_RUN/window.stdout"
lab_expect "the lost blocks were recovered by ACKs, without server timeouts" \
	grep -qx "done window.bin timeouts 0" "$LAB_RUN/window.stdout"
lab_expect "a DATA from a stray port was answered with ERROR 5" \
	grep -qx "stray answered with error 5" "$LAB_RUN/window.stdout"
LAB_SHOW=("$LAB_RUN/dnsmasq.log")

# dnsmasq without blksize: 512-byte blocks, and 33 MiB wraps block numbers
lab_kill_pid "$dnsmasq_pid"
lab_start_dnsmasq tftp-no-blocksize || lab_fail "dnsmasq restarts"
script=$(lab_script wrap <<'IPXE'
#!ipxe
dhcp net0 || echo DHCP-FAILED
imgfetch tftp://10.99.0.1/small.bin && sha256sum small.bin || echo SMALL-FAILED
imgfetch tftp://10.99.0.1/wrap.bin && sha256sum wrap.bin || echo WRAP-FAILED
echo DONE
IPXE
)
lab_run_keel "$script" 200
lab_info "keel.linux ran for $LAB_MS ms (exit status $LAB_RC) for 33 MiB in 512-byte blocks"
lab_expect "keel.linux exits 0 after running the whole script" \
	eval 'test "$LAB_RC" -eq 0 && grep -qx DONE "$LAB_OUT"'
lab_expect "small.bin without blksize: sha256sum matches" \
	grep -qx "$(sum small.bin)  small.bin" "$LAB_OUT"
lab_expect "wrap.bin (33 MiB, block numbers wrap): sha256sum matches" \
	grep -qx "$(sum wrap.bin)  wrap.bin" "$LAB_OUT"
lab_finish
