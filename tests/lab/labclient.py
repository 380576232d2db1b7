#!/usr/bin/env python3
"""Keel lab: a Linux-side reference client for the lab's servers.

The self-test (selftest.sh) uses it to prove that the lab works before any
firmware is involved, and the benchmark uses it for reference figures.
Every exchange is bounded by a timeout and a retry count.

  labclient.py dhcp IFACE                 DHCP DISCOVER/REQUEST over a UDP socket
  labclient.py tapprobe TAP SERVER-IP     ARP + DHCP DISCOVER through a TAP
                                          device, as keel.linux would see it
  labclient.py ping HOST [--count N]      ICMP echo requests
  labclient.py dns SERVER NAME            one A query; prints CNAMEs and A records
  labclient.py http URL [--sha256 HEX]    GET, with the proxy settings ignored
  labclient.py tcpcheck HOST:PORT --send N --expect M
                                          the Linux twin of keel's tcpcheck

The DHCP packets carry what iPXE sends: user class (77) "iPXE" and vendor
class (60) "PXEClient:Arch:00000:UNDI:002001", so the server logs look alike.
"""
import argparse
import hashlib
import os
import random
import select
import socket
import struct
import sys
import time
import urllib.request

USER_CLASS = b"iPXE"
VENDOR_CLASS = b"PXEClient:Arch:00000:UNDI:002001"
PARAM_REQUEST = bytes([1, 3, 6, 12, 15, 17, 26, 43, 60, 66, 67, 119, 128,
                      129, 130, 131, 132, 133, 134, 135, 175, 203])
DHCP_COOKIE = 0x63825363
MSG_NAMES = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 5: "ACK", 6: "NAK"}


def die(text):
    print(text, flush=True)
    sys.exit(1)


def ip_str(raw):
    return socket.inet_ntoa(raw)


# ---------------------------------------------------------------------------
# DNS names (used by option 119 and by the DNS client)

def dns_encode(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns_decode(msg, off):
    """Decode a possibly compressed name at off; returns (name, next offset)."""
    labels = []
    end = None
    for _ in range(128):  # bounded: a pointer loop cannot hang us
        if off >= len(msg):
            raise ValueError("name runs past the message")
        n = msg[off]
        if n == 0:
            off += 1
            break
        if n & 0xC0 == 0xC0:
            if end is None:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            continue
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    else:
        raise ValueError("name too long or looping")
    return ".".join(labels), (end if end is not None else off)


def dns_decode_list(data):
    names = []
    off = 0
    while off < len(data):
        name, off = dns_decode(data, off)
        names.append(name)
    return names


# ---------------------------------------------------------------------------
# DHCP

def dhcp_build(msgtype, xid, mac, extra=b""):
    hdr = struct.pack("!BBBBIHH4s4s4s4s16s64s128sI", 1, 1, 6, 0, xid, 0,
                      0x8000,  # broadcast flag: we have no address yet
                      b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4,
                      mac.ljust(16, b"\0"), b"", b"", DHCP_COOKIE)
    opts = bytes([53, 1, msgtype])
    opts += bytes([77, len(USER_CLASS)]) + USER_CLASS
    opts += bytes([60, len(VENDOR_CLASS)]) + VENDOR_CLASS
    opts += bytes([55, len(PARAM_REQUEST)]) + PARAM_REQUEST
    return hdr + opts + extra + b"\xff"


def dhcp_parse(pkt):
    """Returns (xid, yiaddr, options dict) or None if not a DHCP reply."""
    if len(pkt) < 240 or pkt[0] != 2:
        return None
    xid = struct.unpack("!I", pkt[4:8])[0]
    yiaddr = ip_str(pkt[16:20])
    if struct.unpack("!I", pkt[236:240])[0] != DHCP_COOKIE:
        return None
    opts = {}
    off = 240
    while off < len(pkt):
        code = pkt[off]
        if code == 0:
            off += 1
            continue
        if code == 255 or off + 1 >= len(pkt):
            break
        n = pkt[off + 1]
        opts[code] = opts.get(code, b"") + pkt[off + 2:off + 2 + n]
        off += 2 + n
    return xid, yiaddr, opts


def dhcp_describe(yiaddr, opts):
    def ips(code):
        data = opts.get(code, b"")
        return ",".join(ip_str(data[i:i + 4]) for i in range(0, len(data), 4))
    search = ""
    if 119 in opts:
        try:
            search = ",".join(dns_decode_list(opts[119]))
        except (ValueError, IndexError):
            search = "(undecodable)"
    return ("ip=%s mask=%s router=%s dns=%s domain=%s search=%s server=%s" %
            (yiaddr, ips(1), ips(3), ips(6),
             opts.get(15, b"").decode("ascii", "replace"), search, ips(54)))


def read_mac(iface):
    with open("/sys/class/net/%s/address" % iface) as f:
        return bytes(int(x, 16) for x in f.read().strip().split(":"))


def cmd_dhcp(args):
    mac = read_mac(args.iface)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE,
                    args.iface.encode())
    sock.bind(("0.0.0.0", 68))
    xid = random.getrandbits(32)
    t0 = time.monotonic()

    def exchange(packet, want):
        for attempt in range(args.tries):
            sock.sendto(packet, ("255.255.255.255", 67))
            deadline = time.monotonic() + args.wait
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                if not select.select([sock], [], [], left)[0]:
                    break
                got = dhcp_parse(sock.recv(4096))
                if got and got[0] == xid and got[2].get(53) in (
                        bytes([want]), bytes([6])):
                    return got
        die("dhcp: no %s after %d tries" % (MSG_NAMES[want], args.tries))

    _, offered, opts = exchange(dhcp_build(1, xid, mac), 2)
    server = opts.get(54, b"")
    extra = bytes([50, 4]) + socket.inet_aton(offered)
    extra += bytes([54, len(server)]) + server
    _, acked, opts = exchange(dhcp_build(3, xid, mac, extra), 5)
    if opts.get(53) != bytes([5]):
        die("dhcp: NAK for %s" % offered)
    print("lease %s time_ms=%.1f" % (dhcp_describe(acked, opts),
                                     (time.monotonic() - t0) * 1000.0))


# ---------------------------------------------------------------------------
# Raw frames through a TAP device

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000


def ip_checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def open_tap(name):
    import fcntl
    fd = os.open("/dev/net/tun", os.O_RDWR)
    ifr = struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI)
    fcntl.ioctl(fd, TUNSETIFF, ifr.ljust(40, b"\0"))
    return fd


def tap_exchange(fd, frame, match, tries, wait):
    """Send frame up to tries times; return (reply, seconds) for the first
    frame that match() accepts."""
    for attempt in range(tries):
        t_send = time.monotonic()
        os.write(fd, frame)
        deadline = t_send + wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                break
            reply = os.read(fd, 65536)
            if match(reply):
                return reply, time.monotonic() - t_send
    return None, None


def cmd_tapprobe(args):
    fd = open_tap(args.tap)
    mac = bytes([0x02, 0x6B, 0x65, 0x65, 0x6C, random.getrandbits(8)])
    bcast = b"\xff" * 6
    server = socket.inet_aton(args.server)
    ok = True

    # ARP probe (sender address 0.0.0.0) for the server's address
    arp = bcast + mac + b"\x08\x06" + struct.pack(
        "!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac, b"\0" * 4, b"\0" * 6, server)

    def arp_reply(f):
        return (len(f) >= 42 and f[12:14] == b"\x08\x06" and
                f[20:22] == b"\x00\x02" and f[28:32] == server)
    reply, took = tap_exchange(fd, arp, arp_reply, args.tries, args.wait)
    if reply:
        print("tapprobe arp %s is-at %s rtt_ms=%.1f" %
              (args.server, reply[22:28].hex(":"), took * 1000.0))
    else:
        print("tapprobe arp %s: no reply" % args.server)
        ok = False

    # DHCPDISCOVER in a hand-made Ethernet/IPv4/UDP frame
    xid = random.getrandbits(32)
    dhcp = dhcp_build(1, xid, mac)
    udp = struct.pack("!HHHH", 68, 67, 8 + len(dhcp), 0) + dhcp
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17,
                      0, b"\0" * 4, b"\xff" * 4)
    iph = iph[:10] + struct.pack("!H", ip_checksum(iph)) + iph[12:]
    frame = bcast + mac + b"\x08\x00" + iph + udp

    def offer(f):
        if len(f) < 42 + 240 or f[12:14] != b"\x08\x00" or f[23] != 17:
            return False
        ihl = (f[14] & 0x0F) * 4
        if struct.unpack("!H", f[14 + ihl + 2:14 + ihl + 4])[0] != 68:
            return False
        got = dhcp_parse(f[14 + ihl + 8:])
        return bool(got and got[0] == xid and got[2].get(53) == b"\x02")
    reply, took = tap_exchange(fd, frame, offer, args.tries, args.wait)
    if reply:
        ihl = (reply[14] & 0x0F) * 4
        _, yiaddr, opts = dhcp_parse(reply[14 + ihl + 8:])
        print("tapprobe offer %s rtt_ms=%.1f" %
              (dhcp_describe(yiaddr, opts), took * 1000.0))
    else:
        print("tapprobe dhcp: no offer")
        ok = False
    os.close(fd)
    sys.exit(0 if ok else 1)


# ---------------------------------------------------------------------------
# ICMP echo (raw socket: the lab runs as root)

def cmd_ping(args):
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    ident = random.getrandbits(16)
    replies = 0
    for seq in range(1, args.count + 1):
        body = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + b"keel-lab" * 4
        body = body[:2] + struct.pack("!H", ip_checksum(body)) + body[4:]
        t0 = time.monotonic()
        sock.sendto(body, (args.host, 0))
        deadline = t0 + args.wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([sock], [], [], left)[0]:
                print("ping %s seq=%d: timeout" % (args.host, seq))
                break
            pkt = sock.recv(4096)
            icmp = pkt[(pkt[0] & 0x0F) * 4:]
            if (len(icmp) >= 8 and icmp[0] == 0 and
                    struct.unpack("!HH", icmp[4:8]) == (ident, seq)):
                replies += 1
                print("ping %s seq=%d: reply in %.1f ms" %
                      (args.host, seq, (time.monotonic() - t0) * 1000.0))
                break
    print("ping %s: %d sent, %d received" % (args.host, args.count, replies))
    sys.exit(0 if replies == args.count else 1)


# ---------------------------------------------------------------------------
# DNS

RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN",
          4: "NOTIMP", 5: "REFUSED"}


def cmd_dns(args):
    qid = random.getrandbits(16)
    query = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    query += dns_encode(args.name) + struct.pack("!HH", 1, 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    resp = None
    for attempt in range(args.tries):
        sock.sendto(query, (args.server, 53))
        if select.select([sock], [], [], args.wait)[0]:
            data = sock.recv(4096)
            if len(data) >= 12 and struct.unpack("!H", data[:2])[0] == qid:
                resp = data
                break
    if resp is None:
        die("dns %s: no answer" % args.name)
    _, flags, qd, an, _, _ = struct.unpack("!HHHHHH", resp[:12])
    off = 12
    for _ in range(qd):
        _, off = dns_decode(resp, off)
        off += 4
    found = False
    for _ in range(an):
        name, off = dns_decode(resp, off)
        rtype, _, _, rdlen = struct.unpack("!HHIH", resp[off:off + 10])
        off += 10
        rdata = resp[off:off + rdlen]
        if rtype == 1 and rdlen == 4:
            print("%s A %s" % (name, ip_str(rdata)))
            found = True
        elif rtype == 5:
            print("%s CNAME %s" % (name, dns_decode(resp, off)[0]))
        off += rdlen
    print("dns %s rcode=%s" % (args.name, RCODES.get(flags & 0xF, flags & 0xF)))
    sys.exit(0 if found else 1)


# ---------------------------------------------------------------------------
# HTTP

def cmd_http(args):
    # An empty ProxyHandler: never follow http_proxy out of the namespace
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    t0 = time.monotonic()
    digest = hashlib.sha256()
    size = 0
    with opener.open(args.url, timeout=args.timeout) as resp:
        status = resp.status
        while True:
            block = resp.read(65536)
            if not block:
                break
            digest.update(block)
            size += len(block)
    took = time.monotonic() - t0
    print("http status=%d bytes=%d sha256=%s time_ms=%.1f" %
          (status, size, digest.hexdigest(), took * 1000.0))
    if args.sha256 and args.sha256 != digest.hexdigest():
        die("http: sha256 mismatch")
    sys.exit(0 if status == 200 else 1)


# ---------------------------------------------------------------------------
# tcpcheck: the contract keel's command follows, done by Linux

def cmd_tcpcheck(args):
    host, port = args.target.rsplit(":", 1)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from tcp_pattern_server import CHUNK, PAT, first_mismatch
    for attempt in range(3):  # the kernel's ARP may give up on a lossy wire
        t0 = time.monotonic()
        try:
            sock = socket.create_connection((host, int(port)),
                                            timeout=args.timeout)
            break
        except OSError:
            if attempt == 2:
                raise
    t_conn = time.monotonic() - t0
    view = memoryview(PAT)
    sent = 0
    while sent < args.send:
        n = min(CHUNK, args.send - sent)
        block = view[:n]
        if args.corrupt_at is not None and sent <= args.corrupt_at < sent + n:
            block = bytearray(block)
            block[args.corrupt_at - sent] ^= 0xFF
        sock.sendall(block)
        sent += n
    sock.shutdown(socket.SHUT_WR)
    buf = bytearray(CHUNK)
    received = 0
    bad_at = None
    while True:
        n = sock.recv_into(buf)
        if n == 0:
            break
        if bad_at is None and memoryview(buf)[:n] != PAT[received % 256:
                                                          received % 256 + n]:
            bad_at = first_mismatch(buf[:n], received)
        received += n
    sock.close()
    took = time.monotonic() - t0
    good = bad_at is None and received == args.expect
    print("tcpcheck: sent %d, received %d, %s" %
          (sent, received, "ok" if good else "FAILED"))
    print("tcpcheck: connect_ms=%.1f total_ms=%.1f" % (t_conn * 1000.0,
                                                        took * 1000.0))
    sys.exit(0 if good else 1)


def main():
    ap = argparse.ArgumentParser(description="Keel lab reference client")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("dhcp")
    p.add_argument("iface")
    p.add_argument("--tries", type=int, default=4)
    p.add_argument("--wait", type=float, default=2.0)
    p.set_defaults(func=cmd_dhcp)
    p = sub.add_parser("tapprobe")
    p.add_argument("tap")
    p.add_argument("server")
    p.add_argument("--tries", type=int, default=10)
    p.add_argument("--wait", type=float, default=0.5)
    p.set_defaults(func=cmd_tapprobe)
    p = sub.add_parser("ping")
    p.add_argument("host")
    p.add_argument("--count", type=int, default=3)
    p.add_argument("--wait", type=float, default=1.0)
    p.set_defaults(func=cmd_ping)
    p = sub.add_parser("dns")
    p.add_argument("server")
    p.add_argument("name")
    p.add_argument("--tries", type=int, default=3)
    p.add_argument("--wait", type=float, default=1.0)
    p.set_defaults(func=cmd_dns)
    p = sub.add_parser("http")
    p.add_argument("url")
    p.add_argument("--sha256")
    p.add_argument("--timeout", type=float, default=30.0)
    p.set_defaults(func=cmd_http)
    p = sub.add_parser("tcpcheck")
    p.add_argument("target", metavar="HOST:PORT")
    p.add_argument("--send", type=int, default=0)
    p.add_argument("--expect", type=int, default=0)
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--corrupt-at", type=int, metavar="OFFSET",
                   help="flip one byte sent (to test the server's check)")
    p.set_defaults(func=cmd_tcpcheck)
    args = ap.parse_args()
    try:
        args.func(args)
    except (OSError, ValueError) as err:
        die("%s: %s" % (args.cmd, err))


if __name__ == "__main__":
    main()
