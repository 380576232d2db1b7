#!/usr/bin/env python3
"""Keel lab: an impaired wire between two interfaces of the lab namespace.

  labwire.py relay A B --loss PCT --delay MS [--seed N] [--lifetime S]
      Forward every Ethernet frame that arrives on A out of B and back, each
      direction dropping PCT percent of frames at random and holding the rest
      for MS milliseconds (order kept). On SIGTERM or at --lifetime it prints
      per-direction counts and exits. This stands in for `tc qdisc ... netem`,
      which not every kernel has (the CI kernel has none). With --pcap FILE
      it also records the first 128 bytes of every frame it passes on, as a
      pcap file (LAB_WIRE_PCAP in lib.sh: for a stalled transfer's story).

  labwire.py offload-off IFACE...
      Turn off checksum offload, scatter-gather, TSO and GSO on interfaces
      whose frames the relay must see whole: with offloads on, a veth hands
      raw sockets 64 KiB super-frames with unfinished checksums.

Both run inside the lab's network namespace only.
"""
import argparse
import collections
import ctypes
import fcntl
import random
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_IGNORE_OUTGOING = 23
SIOCETHTOOL = 0x8946
# ethtool_value set commands: GSO, TSO, scatter-gather, then tx checksum
ETHTOOL_SETTERS = (("gso", 0x24), ("tso", 0x1F), ("sg", 0x19), ("tx", 0x17))
MAX_QUEUE = 20000  # frames held per direction; more are dropped and counted


def offload_off(ifaces):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    status = 0
    for iface in ifaces:
        for name, cmd in ETHTOOL_SETTERS:
            value = ctypes.create_string_buffer(struct.pack("II", cmd, 0))
            ifr = struct.pack("16sP", iface.encode(), ctypes.addressof(value))
            try:
                fcntl.ioctl(sock, SIOCETHTOOL, ifr.ljust(40, b"\0"))
            except OSError as err:
                print("offload-off %s %s: %s" % (iface, name, err))
                status = 1
        # Read the four back (each getter is its setter's code minus one)
        now = []
        for name, cmd in ETHTOOL_SETTERS:
            value = ctypes.create_string_buffer(struct.pack("II", cmd - 1, 0))
            ifr = struct.pack("16sP", iface.encode(), ctypes.addressof(value))
            try:
                fcntl.ioctl(sock, SIOCETHTOOL, ifr.ljust(40, b"\0"))
                on = struct.unpack("II", value.raw[:8])[1]
            except OSError:
                on = "?"
            now.append("%s=%s" % (name, on))
            if on != 0:
                status = 1
        print("offload-off %s %s" % (iface, " ".join(now)))
    sock.close()
    return status


class Direction:
    def __init__(self, name, src, dst, seed):
        self.name = name
        self.rng = random.Random(seed)  # one per direction: steadier runs
        self.src = src
        self.dst = dst
        self.queue = collections.deque()
        self.frames = self.dropped = self.sent = self.errors = 0
        self.oversize = 0

    def stats(self):
        return ("wire %s frames=%d dropped=%d sent=%d errors=%d oversize=%d" %
                (self.name, self.frames, self.dropped, self.sent, self.errors,
                 self.oversize))


def open_raw(iface):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                         socket.htons(ETH_P_ALL))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    try:
        sock.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
    except OSError:
        pass  # old kernel: the pkttype check below still filters
    sock.bind((iface, ETH_P_ALL))
    sock.setblocking(False)
    return sock


def pcap_open(path):
    if not path:
        return None
    f = open(path, "wb")
    # pcap: magic, version 2.4, zone, accuracy, snap length, Ethernet
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 128, 1))
    return f


def pcap_write(f, frame):
    if f:
        t = time.time()
        part = frame[:128]
        f.write(struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(part),
                            len(frame)) + part)


def relay(args):
    stop = []
    pcap = pcap_open(args.pcap)
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    loss = args.loss / 100.0
    delay = args.delay / 1000.0
    a, b = open_raw(args.a), open_raw(args.b)
    dirs = {a.fileno(): Direction("%s->%s" % (args.a, args.b), a, b,
                                  args.seed),
            b.fileno(): Direction("%s->%s" % (args.b, args.a), b, a,
                                  args.seed + 1)}
    poller = select.poll()
    for fd in dirs:
        poller.register(fd, select.POLLIN)
    print("wire ready %s<->%s loss=%g%% delay=%gms seed=%d" %
          (args.a, args.b, args.loss, args.delay, args.seed), flush=True)
    end = time.monotonic() + args.lifetime
    while not stop:
        now = time.monotonic()
        if now >= end:
            break
        # Release every frame whose time has come
        due = end
        for d in dirs.values():
            while d.queue and d.queue[0][0] <= now:
                frame = d.queue.popleft()[1]
                try:
                    d.dst.send(frame)
                    d.sent += 1
                    pcap_write(pcap, frame)
                except OSError:
                    d.errors += 1
                    if len(frame) > 1514:
                        d.oversize += 1
            if d.queue:
                due = min(due, d.queue[0][0])
        timeout_ms = max(0, int((due - time.monotonic()) * 1000) + 1)
        try:
            events = poller.poll(min(timeout_ms, 200))
        except InterruptedError:
            continue
        for fd, _ in events:
            d = dirs[fd]
            for _ in range(256):  # drain a burst, bounded
                try:
                    frame, addr = d.src.recvfrom(65536)
                except BlockingIOError:
                    break
                if addr[2] == socket.PACKET_OUTGOING:
                    continue
                d.frames += 1
                if d.rng.random() < loss or len(d.queue) >= MAX_QUEUE:
                    d.dropped += 1
                    continue
                d.queue.append((time.monotonic() + delay, frame))
    for d in dirs.values():
        print(d.stats(), flush=True)
    if pcap:
        pcap.close()


def main():
    ap = argparse.ArgumentParser(description="Keel lab impaired wire")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("relay")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--loss", type=float, default=0.0, help="percent")
    p.add_argument("--delay", type=float, default=0.0, help="milliseconds")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--lifetime", type=int, default=600)
    p.add_argument("--pcap", help="record the frames passed on here")
    p = sub.add_parser("offload-off")
    p.add_argument("ifaces", nargs="+")
    args = ap.parse_args()
    if args.cmd == "relay":
        relay(args)
    else:
        sys.exit(offload_off(args.ifaces))


if __name__ == "__main__":
    main()
