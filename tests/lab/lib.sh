# Keel integration lab: shared functions, sourced by tests/lab/t-*.sh,
# selftest.sh and bench. Needs root (network namespaces, TAP devices).
#
# Everything lives in network namespaces this file creates and deletes:
#
#   keel-lab-ID (the wire: no IP address at all)      keel-lab-ID-c (clients;
#                                                      lab_add_client only)
#   keel.linux --net tap,if=tap0
#        |
#      tap0 =tc= tk0 ~ tkb --+                         cli0  Linux clients
#                            |                          |
#                           br0 (bridge) --- clip ------+
#              +-------------+
#      srvp ---+   (while impaired: br0 -- wbr ~ wrl <labwire.py relay> srvp)
#        |
#   ...  |  ...........................................................
#        |    keel-lab-ID-s (the servers)
#      srv0  10.99.0.1/24: dnsmasq (DHCP, DNS, TFTP), nginx :80,
#                          tcp_pattern_server.py :7000
#
# The servers have a namespace of their own so that they are reached only
# through srv0, never through a bridge-side interface answering for them.
# ~ is a veth pair; =tc= is lab_patch (see there for why tap0 is no bridge
# port).
# Nothing is routed anywhere: no default route, forwarding off, and the
# bridge has no uplink. The namespaces, processes and the run directory are
# removed by lab_teardown, run from an EXIT/INT/TERM trap; a run that was
# killed outright is cleaned up by the next one (lab_reap_stale).
#
# Writing a test:
#   . "$(dirname "$0")/lib.sh"
#   lab_begin t-name            # skip if impossible, set up, install the trap
#   lab_start_dnsmasq
#   script=$(lab_script name <<'EOF' ... EOF)
#   lab_run_keel "$script" 60   # sets LAB_OUT, LAB_RC, LAB_MS
#   lab_expect "what" grep -q PATTERN "$LAB_OUT"
#   lab_finish                  # prints "N passed, N failed", exits

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_ROOT=$(cd "$LAB_DIR/../.." && pwd)
LAB_KEEL=${LAB_KEEL:-$LAB_ROOT/bin-x86_64-linux/keel.linux}
LAB_ID=${LAB_ID:-$$}
LAB_NS=keel-lab-$LAB_ID       # the wire; keel.linux runs here
LAB_SRV_NS=keel-lab-$LAB_ID-s # the servers
LAB_CLI_NS=keel-lab-$LAB_ID-c # Linux clients
LAB_RUN=${TMPDIR:-/tmp}/keel-lab-$LAB_ID
LAB_SERVER=10.99.0.1
LAB_RANGE_FIRST=100 # DHCP hands out 10.99.0.100 ..
LAB_RANGE_LAST=150  #                  .. 10.99.0.150
LAB_DOMAIN=keel.test
LAB_TCP_PORT=7000
LAB_PYTHON=${LAB_PYTHON:-python3}

LAB_NAME=lab
LAB_PASS=0
LAB_FAIL=0
LAB_PIDS=()
LAB_STARTED=0
LAB_IMPAIRED=0

lab_say() { printf '%s\n' "$*"; }
lab_err() { printf '%s: %s\n' "$LAB_NAME" "$*" >&2; }

# lab_now_ms: monotonic-enough wall clock in milliseconds
lab_now_ms() { echo $(($(date +%s%N) / 1000000)); }

# lab_wait SECONDS CMD...: poll CMD every 50 ms until it succeeds or time is up
lab_wait() {
	local limit=$1 i n
	shift
	n=$((limit * 20))
	for ((i = 0; i < n; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

# lab_ns CMD...: run CMD inside the wire namespace (where keel runs)
lab_ns() { ip netns exec "$LAB_NS" "$@"; }
# lab_srv CMD...: run CMD inside the servers' namespace
lab_srv() { ip netns exec "$LAB_SRV_NS" "$@"; }
# lab_cli CMD...: run CMD inside the client namespace (see lab_add_client)
lab_cli() { ip netns exec "$LAB_CLI_NS" "$@"; }

# ---------------------------------------------------------------------------
# Can this machine run the lab at all?

# lab_missing_tools: prints the commands the lab needs that are not installed
lab_missing_tools() {
	local t
	for t in ip tc ss sysctl timeout dnsmasq nginx "$LAB_PYTHON"; do
		command -v "$t" >/dev/null 2>&1 || printf '%s ' "$t"
	done
}

# lab_can_run: succeeds if we are root and can create a namespace with a
# TAP device in it; otherwise prints why and fails. (Skipping is right only
# here: a root machine that can make namespaces must run the lab.)
lab_can_run() {
	local probe=keel-lab-$$-probe
	if [ "$(id -u)" -ne 0 ]; then
		echo "not root"
		return 1
	fi
	if ! command -v ip >/dev/null 2>&1; then
		# iproute2 is one of util/deps' packages: not a reason to skip
		return 0
	fi
	if ! ip netns add "$probe" 2>/dev/null; then
		echo "cannot create network namespaces"
		return 1
	fi
	if ! ip -n "$probe" tuntap add dev tap0 mode tap 2>/dev/null; then
		ip netns del "$probe" 2>/dev/null
		echo "cannot create TAP devices"
		return 1
	fi
	ip netns del "$probe" 2>/dev/null
	return 0
}

# ---------------------------------------------------------------------------
# Clean-up

# lab_kill_pid PID: TERM, up to 2 s of grace, then KILL
lab_kill_pid() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 40; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# lab_ns_exists NS
lab_ns_exists() {
	ip netns list 2>/dev/null | awk '{print $1}' | grep -qxF -- "$1"
}

# lab_ns_destroy NS: kill whatever still runs in NS (ours by construction),
# then delete it
lab_ns_destroy() {
	local ns=$1 pids pid i
	lab_ns_exists "$ns" || return 0
	for ((i = 0; i < 20; i++)); do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -z "$pids" ] && break
		for pid in $pids; do
			kill -KILL "$pid" 2>/dev/null
		done
		sleep 0.05
	done
	ip netns del "$ns" 2>/dev/null
}

# lab_teardown: idempotent; from the trap, and callable directly
lab_teardown() {
	local pid
	[ "$LAB_STARTED" -eq 1 ] || return 0
	LAB_STARTED=0
	for pid in "${LAB_PIDS[@]}"; do
		lab_kill_pid "$pid"
	done
	LAB_PIDS=()
	lab_ns_destroy "$LAB_CLI_NS"
	lab_ns_destroy "$LAB_SRV_NS"
	lab_ns_destroy "$LAB_NS"
	if [ "${LAB_KEEP:-0}" = 1 ]; then
		# Renamed out of lab_reap_stale's way
		local kept
		kept=${TMPDIR:-/tmp}/keel-lab-kept-$LAB_ID-$(date +%H%M%S)
		mv "$LAB_RUN" "$kept" && lab_say "$LAB_NAME: files kept in $kept"
	else
		rm -rf "$LAB_RUN"
	fi
}

# lab_reap_stale: remove namespaces and run directories of lab runs whose
# owning process (the first number in keel-lab-PID[-...]) is gone
lab_reap_stale() {
	local ns owner dir
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case $ns in keel-lab-[0-9]*) ;; *) continue ;; esac
		owner=${ns#keel-lab-}
		owner=${owner%%-*}
		kill -0 "$owner" 2>/dev/null && continue
		lab_ns_destroy "$ns"
	done
	for dir in "${TMPDIR:-/tmp}"/keel-lab-[0-9]*; do
		[ -d "$dir" ] || continue
		owner=${dir##*/keel-lab-}
		owner=${owner%%-*}
		kill -0 "$owner" 2>/dev/null || rm -rf "$dir"
	done
}

# lab_on_signal: teardown, then leave with the conventional status
lab_on_signal() {
	trap - EXIT INT TERM
	lab_teardown
	exit 130
}

# ---------------------------------------------------------------------------
# Set-up

# lab_setup: the namespace, its devices and the run directory
lab_setup() {
	local dev
	trap lab_teardown EXIT
	trap lab_on_signal INT TERM
	lab_reap_stale
	lab_ns_destroy "$LAB_CLI_NS"
	lab_ns_destroy "$LAB_SRV_NS"
	lab_ns_destroy "$LAB_NS"
	rm -rf "$LAB_RUN"
	mkdir -p "$LAB_RUN/www" "$LAB_RUN/tftp" || return 1
	chmod 755 "$LAB_RUN" "$LAB_RUN/www" "$LAB_RUN/tftp"
	LAB_STARTED=1
	ip netns add "$LAB_NS" && ip netns add "$LAB_SRV_NS" || return 1
	# No routing anywhere; no IPv6 chatter from the plumbing (the wire
	# namespace has no address of any kind: nothing there answers for
	# the servers). Set before the devices exist, so that they inherit it.
	lab_ns sysctl -q -w net.ipv4.ip_forward=0 &&
		lab_srv sysctl -q -w net.ipv4.ip_forward=0 || return 1
	lab_ns sysctl -q -e -w net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 # (if the kernel has IPv6)
	{
		ip -n "$LAB_NS" link set lo up &&
			ip -n "$LAB_SRV_NS" link set lo up &&
			ip -n "$LAB_NS" link add br0 type bridge stp_state 0 \
				forward_delay 0 mcast_snooping 0 &&
			ip -n "$LAB_NS" link add srvp type veth peer name srv0 \
				netns "$LAB_SRV_NS" &&
			ip -n "$LAB_NS" link add wbr type veth peer name wrl &&
			ip -n "$LAB_NS" link add tk0 type veth peer name tkb &&
			ip -n "$LAB_NS" tuntap add dev tap0 mode tap &&
			ip -n "$LAB_NS" link set srvp master br0 &&
			ip -n "$LAB_NS" link set tkb master br0 &&
			ip -n "$LAB_SRV_NS" addr add "$LAB_SERVER/24" dev srv0 &&
			ip -n "$LAB_SRV_NS" link set srv0 up &&
			for dev in br0 srvp wbr wrl tk0 tkb tap0; do
				ip -n "$LAB_NS" link set "$dev" up || return 1
			done &&
			lab_patch tap0 tk0
	} || {
		lab_err "cannot create the lab's devices"
		return 1
	}
}

# lab_patch A B: join two interfaces of the wire namespace with tc, each
# one's ingress redirected out of the other. Unlike a bridge port, this
# passes frames the moment keel.linux attaches to tap0: a bridge port waits
# for the kernel's link-watch work, and would drop keel's first frame.
lab_patch() {
	local a=$1 b=$2
	tc -n "$LAB_NS" qdisc add dev "$a" ingress &&
		tc -n "$LAB_NS" filter add dev "$a" parent ffff: protocol all \
			u32 match u32 0 0 action mirred egress redirect dev "$b" &&
		tc -n "$LAB_NS" qdisc add dev "$b" ingress &&
		tc -n "$LAB_NS" filter add dev "$b" parent ffff: protocol all \
			u32 match u32 0 0 action mirred egress redirect dev "$a"
}

# lab_spawn NS NAME CMD...: start CMD in namespace NS in the background;
# its output goes to $LAB_RUN/NAME.stdout; sets LAB_LAST_PID
lab_spawn() {
	local ns=$1 name=$2
	shift 2
	ip netns exec "$ns" "$@" </dev/null >"$LAB_RUN/$name.stdout" 2>&1 &
	LAB_LAST_PID=$!
	LAB_PIDS+=("$LAB_LAST_PID")
	echo "$LAB_LAST_PID" >"$LAB_RUN/$name.pid"
}

# lab_listening PROTO PORT: is something listening on srv0's PORT?
lab_listening() {
	local flag=-Hlnt
	[ "$1" = udp ] && flag=-Hlnu
	[ -n "$(lab_srv ss $flag "sport = :$2" 2>/dev/null)" ]
}

# lab_wait_started NAME PID SECONDS CMD...: wait for CMD to succeed while
# the process lives; on failure show its output
lab_wait_started() {
	local name=$1 pid=$2 limit=$3 i n
	shift 3
	n=$((limit * 20))
	for ((i = 0; i < n; i++)); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			lab_err "$name exited during start-up:"
			lab_dump "$LAB_RUN/$name.stdout"
			return 1
		fi
		sleep 0.05
	done
	lab_err "$name did not start within ${limit}s:"
	lab_dump "$LAB_RUN/$name.stdout"
	return 1
}

# lab_start_dnsmasq [EXTRA-CONF-LINE]...: DHCP, DNS and TFTP on srv0.
# Log: $LAB_RUN/dnsmasq.log (log-dhcp, log-queries); leases in dnsmasq.leases
lab_start_dnsmasq() {
	local conf=$LAB_RUN/dnsmasq.conf line
	cat >"$conf" <<-EOF
		# Generated by tests/lab/lib.sh: replaces /etc/dnsmasq.conf entirely
		interface=srv0
		except-interface=lo
		bind-interfaces
		no-resolv
		no-hosts
		no-poll
		domain-needed
		user=root
		group=root
		pid-file=$LAB_RUN/dnsmasq.pid
		log-facility=$LAB_RUN/dnsmasq.log
		log-queries
		log-dhcp
		domain=$LAB_DOMAIN
		local=/$LAB_DOMAIN/
		host-record=server.$LAB_DOMAIN,$LAB_SERVER
		cname=www.$LAB_DOMAIN,server.$LAB_DOMAIN
		dhcp-range=10.99.0.$LAB_RANGE_FIRST,10.99.0.$LAB_RANGE_LAST,255.255.255.0,1h
		dhcp-option=option:router,$LAB_SERVER
		dhcp-option=option:dns-server,$LAB_SERVER
		dhcp-option=option:domain-search,$LAB_DOMAIN
		dhcp-leasefile=$LAB_RUN/dnsmasq.leases
		dhcp-authoritative
		# No ICMP probe of an address before offering it: it would add 3 s
		# to every first DISCOVER and swamp the DHCP timing of the benchmark
		no-ping
		enable-tftp
		tftp-root=$LAB_RUN/tftp
	EOF
	for line in "$@"; do
		echo "$line" >>"$conf"
	done
	: >"$LAB_RUN/dnsmasq.log"
	lab_spawn "$LAB_SRV_NS" dnsmasq dnsmasq --conf-file="$conf" --keep-in-foreground
	lab_wait_started dnsmasq "$LAB_LAST_PID" 10 \
		eval 'lab_listening udp 67 && lab_listening udp 53'
}

# lab_start_nginx [LINE...]: HTTP on 10.99.0.1:80 serving $LAB_RUN/www, with
# LINEs added to the server block. Each request is logged with its
# connection ("$connection $connection_requests "$request" $status
# $body_bytes_sent $request_time"). Self-contained configuration: nothing
# under /etc/nginx is read. Sets LAB_NGINX_PID.
lab_start_nginx() {
	local conf=$LAB_RUN/nginx.conf line extra=""
	mkdir -p "$LAB_RUN/nginx"
	for line in "$@"; do
		extra+="        $line"$'\n'
	done
	cat >"$conf" <<-EOF
		# Generated by tests/lab/lib.sh (lab_start_nginx)
		worker_processes 1;
		user root root;
		pid $LAB_RUN/nginx.pid;
		error_log $LAB_RUN/nginx-error.log info;
		events { worker_connections 64; }
		http {
		    log_format keel '\$connection \$connection_requests "\$request" \$status \$body_bytes_sent \$request_time';
		    access_log $LAB_RUN/nginx-access.log keel;
		    client_body_temp_path $LAB_RUN/nginx/body;
		    proxy_temp_path $LAB_RUN/nginx/proxy;
		    fastcgi_temp_path $LAB_RUN/nginx/fastcgi;
		    uwsgi_temp_path $LAB_RUN/nginx/uwsgi;
		    scgi_temp_path $LAB_RUN/nginx/scgi;
		    types {
		        text/html html;
		        text/plain txt ipxe;
		        application/octet-stream bin;
		    }
		    default_type application/octet-stream;
		    sendfile on;
		    server {
		        listen $LAB_SERVER:80;
		        server_name _;
		        root $LAB_RUN/www;
		$extra    }
		}
	EOF
	[ -e "$LAB_RUN/www/index.html" ] ||
		echo "keel lab nginx" >"$LAB_RUN/www/index.html"
	lab_spawn "$LAB_SRV_NS" nginx nginx -p "$LAB_RUN/nginx" -c "$conf" \
		-e "$LAB_RUN/nginx-error.log" -g 'daemon off;'
	LAB_NGINX_PID=$LAB_LAST_PID
	lab_wait_started nginx "$LAB_LAST_PID" 10 lab_listening tcp 80
}

# lab_pattern_file PATH BYTES: a file holding the TCP pattern (byte i is
# (i * 7 + 3) & 0xff), e.g. under $LAB_RUN/www or $LAB_RUN/tftp
lab_pattern_file() {
	"$LAB_PYTHON" -c 'import sys
sys.path.insert(0, sys.argv[1])
from tcp_pattern_server import PAT, CHUNK
n = int(sys.argv[3])
with open(sys.argv[2], "wb") as f:
    while n > 0:
        f.write(PAT[:min(n, CHUNK)])
        n -= CHUNK' "$LAB_DIR" "$1" "$2"
}

# lab_www_pattern NAME BYTES: a pattern file in nginx's web root
lab_www_pattern() { lab_pattern_file "$LAB_RUN/www/$1" "$2"; }

# lab_start_tcp_server SEND-BYTES [PORT [OPTION...]]: the pattern server
# (see tcp_pattern_server.py); its log is $LAB_RUN/tcp-PORT.log
lab_start_tcp_server() {
	local send=$1 port=${2:-$LAB_TCP_PORT}
	shift
	[ $# -gt 0 ] && shift
	: >"$LAB_RUN/tcp-$port.log"
	lab_spawn "$LAB_SRV_NS" "tcp-$port" "$LAB_PYTHON" "$LAB_DIR/tcp_pattern_server.py" \
		--bind "$LAB_SERVER" --port "$port" --send "$send" \
		--log "$LAB_RUN/tcp-$port.log" --lifetime 900 "$@"
	lab_wait_started "tcp-$port" "$LAB_LAST_PID" 10 \
		grep -q '^listening' "$LAB_RUN/tcp-$port.log"
}

# lab_add_client: a second namespace with cli0 on the bridge, for Linux
# clients (the self-test and reference figures); no address until given one
lab_add_client() {
	ip netns add "$LAB_CLI_NS" || return 1
	ip -n "$LAB_NS" link add clip type veth peer name cli0 netns "$LAB_CLI_NS" &&
		lab_cli sysctl -q -w net.ipv4.ip_forward=0 &&
		{ lab_cli sysctl -q -e -w net.ipv6.conf.cli0.disable_ipv6=1 || :; } &&
		ip -n "$LAB_NS" link set clip master br0 &&
		ip -n "$LAB_NS" link set clip up &&
		ip -n "$LAB_CLI_NS" link set lo up &&
		ip -n "$LAB_CLI_NS" link set cli0 up
}

# lab_impair LOSS-PERCENT DELAY-MS: put the impaired wire (labwire.py)
# between the bridge and the servers, so that every frame in each direction
# is dropped with LOSS-PERCENT probability and delayed by DELAY-MS.
# (tc netem would do, but the CI kernel has no sch_netem.) LAB_WIRE_PCAP=1
# records what the wire passes on in $LAB_RUN/wire.pcap (keep it: LAB_KEEP=1).
lab_impair() {
	local loss=$1 delay=$2
	[ "$LAB_IMPAIRED" -eq 0 ] || lab_unimpair
	# The relay must see whole frames with finished checksums
	lab_srv "$LAB_PYTHON" "$LAB_DIR/labwire.py" offload-off srv0 \
		>>"$LAB_RUN/wire-setup.log" 2>&1 || {
		lab_err "cannot turn offloads off:"
		lab_dump "$LAB_RUN/wire-setup.log"
		return 1
	}
	if lab_ns_exists "$LAB_CLI_NS"; then
		lab_cli "$LAB_PYTHON" "$LAB_DIR/labwire.py" offload-off cli0 \
			>>"$LAB_RUN/wire-setup.log" 2>&1 || return 1
	fi
	lab_spawn "$LAB_NS" wire "$LAB_PYTHON" "$LAB_DIR/labwire.py" relay wrl srvp \
		--loss "$loss" --delay "$delay" --seed "${LAB_SEED:-1}" --lifetime 900 \
		${LAB_WIRE_PCAP:+--pcap "$LAB_RUN/wire.pcap"}
	LAB_WIRE_PID=$LAB_LAST_PID
	lab_wait_started wire "$LAB_WIRE_PID" 10 \
		grep -q '^wire ready' "$LAB_RUN/wire.stdout" || return 1
	ip -n "$LAB_NS" link set srvp nomaster &&
		ip -n "$LAB_NS" link set wbr master br0 || return 1
	LAB_IMPAIRED=1
}

# lab_unimpair: back to the plain bridge; the wire's counts are appended to
# $LAB_RUN/wire.log
lab_unimpair() {
	[ "$LAB_IMPAIRED" -eq 1 ] || return 0
	ip -n "$LAB_NS" link set wbr nomaster
	ip -n "$LAB_NS" link set srvp master br0
	lab_kill_pid "$LAB_WIRE_PID"
	cat "$LAB_RUN/wire.stdout" >>"$LAB_RUN/wire.log"
	LAB_IMPAIRED=0
}

# ---------------------------------------------------------------------------
# Reading the servers' side

# lab_dhcp_discovers [MAC]: one line per DHCPDISCOVER in dnsmasq's log (from
# MAC only, if given): "XID MAC user=USER-CLASS vendor=VENDOR-CLASS".
# dnsmasq's log-dhcp prints a transaction's classes before its DISCOVER line,
# all prefixed with the transaction ID, which ties them together.
lab_dhcp_discovers() {
	awk -v want="$(echo "${1:-}" | tr 'A-F' 'a-f')" '
		match($0, /dnsmasq-dhcp\[[0-9]+\]: [0-9]+ /) {
			rest = substr($0, RSTART + RLENGTH)
			split(substr($0, RSTART, RLENGTH), w, " ")
			xid = w[2]
			if (rest ~ /^user class: /) {
				user[xid] = substr(rest, 13)
			} else if (rest ~ /^vendor class: /) {
				vendor[xid] = substr(rest, 15)
			} else if (rest ~ /^DHCPDISCOVER\(/) {
				split(rest, d, " ")
				mac = tolower(d[2])
				if (want == "" || mac == want)
					printf "%s %s user=%s vendor=%s\n", xid, mac,
						user[xid], vendor[xid]
			}
		}' "$LAB_RUN/dnsmasq.log"
}

# lab_snmp PROTO FIELD: a counter of the servers' kernel, from /proc/net/snmp
# (e.g. lab_snmp Icmp InEchos)
lab_snmp() {
	lab_srv awk -v p="$1:" -v f="$2" '
		$1 == p && !c { for (i = 2; i <= NF; i++) if ($i == f) c = i; next }
		$1 == p && c { print $c; exit }' /proc/net/snmp
}

# ---------------------------------------------------------------------------
# Running keel.linux

# lab_script NAME: writes standard input to $LAB_RUN/NAME.ipxe, prints the path
lab_script() {
	cat >"$LAB_RUN/$1.ipxe"
	echo "$LAB_RUN/$1.ipxe"
}

# LAB_KEEL_ARGS: extra keel.linux arguments (e.g. a second --net)
# lab_run_keel SCRIPT [TIMEOUT-SECONDS]: run keel.linux on tap0 inside the
# namespace, bounded in time. Sets LAB_OUT (output file, SCRIPT with .out),
# LAB_RC (exit status; 124 on timeout) and LAB_MS (wall time).
lab_run_keel() {
	local script=$1 limit=${2:-60} t0
	LAB_OUT=${script%.ipxe}.out
	t0=$(lab_now_ms)
	# In the background with a wait, so that a signal reaches our trap at
	# once (the trap's teardown then ends keel with its namespace)
	timeout --kill-after=5 "$limit" \
		ip netns exec "$LAB_NS" "$LAB_KEEL" --net tap,if=tap0 \
		${LAB_KEEL_ARGS:-} "$script" </dev/null >"$LAB_OUT" 2>&1 &
	wait $!
	LAB_RC=$?
	LAB_MS=$(($(lab_now_ms) - t0))
	sed -i 's/\r$//' "$LAB_OUT" # a console may end lines with CR LF
	if [ "$LAB_RC" -eq 124 ] || [ "$LAB_RC" -eq 137 ]; then
		echo "[lab: keel.linux killed after ${limit}s]" >>"$LAB_OUT"
	fi
	return 0
}

# ---------------------------------------------------------------------------
# Results

# lab_dump FILE [LINES]: show the end of FILE, indented
lab_dump() {
	local file=$1 lines=${2:-30}
	if [ -s "$file" ]; then
		echo "    --- ${file#"$LAB_RUN"/} (last $lines lines)"
		tail -n "$lines" "$file" | sed 's/^/    | /'
	else
		echo "    --- ${file#"$LAB_RUN"/}: empty or missing"
	fi
}

declare -A LAB_SHOWN

# lab_pass NAME / lab_fail NAME [WHY] [FILE...]: record a result. On failure
# each FILE is shown (once per test file), keel's output first by convention.
lab_pass() {
	LAB_PASS=$((LAB_PASS + 1))
	echo "  ok    $LAB_NAME: $1"
}

lab_fail() {
	local name=$1 why=${2:-} f
	LAB_FAIL=$((LAB_FAIL + 1))
	echo "  FAIL  $LAB_NAME: $name${why:+: $why}"
	shift
	[ $# -gt 0 ] && shift
	for f in "$@"; do
		[ -n "${LAB_SHOWN[$f]:-}" ] && continue
		LAB_SHOWN[$f]=1
		lab_dump "$f" 40
	done
}

# lab_info TEXT: a figure worth seeing, not a check
lab_info() {
	echo "  info  $LAB_NAME: $*"
}

# lab_expect NAME CMD...: pass if CMD succeeds; on failure show keel's
# latest output and the logs named in LAB_SHOW (an array)
lab_expect() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then
		lab_pass "$name"
	else
		lab_fail "$name" "" "${LAB_OUT:-/dev/null}" "${LAB_SHOW[@]}"
	fi
}

# lab_value KEY FILE: the value of the last KEY=VALUE word in FILE
lab_value() {
	grep -oE "(^|[[:space:]])$1=[^[:space:]]*" "$2" 2>/dev/null |
		tail -n 1 | sed -E "s/^[[:space:]]*$1=//"
}

# lab_begin NAME [--no-keel]: the prologue of every test file
lab_begin() {
	local why missing
	LAB_NAME=$1
	LAB_SHOW=()
	if ! why=$(lab_can_run); then
		echo "$LAB_NAME: skipped: needs root and network namespaces ($why)"
		echo "0 passed, 0 failed"
		exit 0
	fi
	missing=$(lab_missing_tools)
	if [ -n "$missing" ]; then
		echo "$LAB_NAME: missing tools: $missing(run util/deps)"
		echo "0 passed, 1 failed"
		exit 1
	fi
	if [ "${2:-}" != --no-keel ] && [ ! -x "$LAB_KEEL" ]; then
		echo "$LAB_NAME: $LAB_KEEL is not built (run make)"
		echo "0 passed, 1 failed"
		exit 1
	fi
	if ! lab_setup; then
		echo "$LAB_NAME: lab set-up failed"
		echo "0 passed, 1 failed"
		exit 1
	fi
}

# lab_finish: tear down, print the tally, exit non-zero on any failure
lab_finish() {
	lab_unimpair
	lab_teardown
	trap - EXIT INT TERM
	echo "$LAB_PASS passed, $LAB_FAIL failed"
	[ "$LAB_FAIL" -eq 0 ]
	exit
}

# ---------------------------------------------------------------------------
# HTTP (added for the HTTP tests: t-http.sh, t-http-resume.sh, bench)

# lab_www_random NAME BYTES: a file of random bytes in the web root (random,
# so that data delivered at a wrong offset cannot go unnoticed)
lab_www_random() {
	mkdir -p "$(dirname "$LAB_RUN/www/$1")"
	head -c "$2" /dev/urandom >"$LAB_RUN/www/$1"
}

# lab_sha256 FILE: the SHA-256 of a file, in hex
lab_sha256() { sha256sum "$1" | cut -d' ' -f1; }


# lab_start_http_server [PORT]: tests/lab/http_server.py serving
# $LAB_RUN/www on PORT (default 8080); log $LAB_RUN/http-PORT.log. Sets
# LAB_HTTP_PID. Starting it again after a kill appends to the same log.
lab_start_http_server() {
	local port=${1:-8080}
	touch "$LAB_RUN/http-$port.log"
	lab_spawn "$LAB_SRV_NS" "http-$port" "$LAB_PYTHON" "$LAB_DIR/http_server.py" \
		--bind "$LAB_SERVER" --port "$port" --root "$LAB_RUN/www" \
		--log "$LAB_RUN/http-$port.log" --lifetime 900
	LAB_HTTP_PID=$LAB_LAST_PID
	lab_wait_started "http-$port" "$LAB_LAST_PID" 10 lab_listening tcp "$port"
}
