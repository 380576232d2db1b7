#!/usr/bin/env python3
"""Keel lab: TCP pattern server, the far end of keel's `tcpcheck` command.

For each connection, one at a time:
  1. receive until EOF, checking that byte i of the stream is (i * 7 + 3) & 0xff;
  2. log "conn K received N ok in T ms" (or "... N bad at OFFSET", "... error: WHY");
  3. unless the receive failed, send --send M bytes of the same pattern, then
     half-close and wait until the peer has acknowledged everything;
  4. log "conn K sent M acked in T ms" and close.

T is measured from the first byte received to EOF (receive), and from the
first byte sent to the peer's acknowledgement of the last byte and of our FIN
(send), so the log doubles as a benchmark of both directions.

The server is bounded: it exits after --max-conns connections (0: no limit) or
--lifetime seconds, and every connection has an --idle timeout.
"""
import argparse
import fcntl
import socket
import struct
import sys
import termios
import time

CHUNK = 65536  # a multiple of 256, so every full chunk starts the pattern anew


def pattern(n):
    """The first n bytes of the lab's deterministic TCP pattern."""
    return bytes((i * 7 + 3) & 0xFF for i in range(n))


# PAT[k:k + L] (k < 256, L <= CHUNK) is the pattern starting at any offset
# congruent to k mod 256: the pattern repeats every 256 bytes.
PAT = pattern(CHUNK + 256)


def first_mismatch(data, offset):
    for i, byte in enumerate(data):
        if byte != ((offset + i) * 7 + 3) & 0xFF:
            return offset + i
    return None


def unacked(sock):
    """Bytes (and FIN) we have sent that the peer has not acknowledged."""
    buf = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
    return struct.unpack("i", buf)[0]


def ms(seconds):
    return "%.1f" % (seconds * 1000.0)


class Server:
    def __init__(self, args, log):
        self.args = args
        self.log = log

    def say(self, text):
        self.log.write(text + "\n")
        self.log.flush()

    def receive(self, conn, k):
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        total = 0
        bad_at = None
        t_first = None
        while True:
            n = conn.recv_into(buf)
            if n == 0:
                break
            if t_first is None:
                t_first = time.monotonic()
            if bad_at is None:
                start = total % 256
                if view[:n] != PAT[start:start + n]:
                    bad_at = first_mismatch(view[:n], total)
            total += n
        took = time.monotonic() - t_first if t_first is not None else 0.0
        if bad_at is None:
            self.say("conn %d received %d ok in %s ms" % (k, total, ms(took)))
            return True
        self.say("conn %d received %d bad at %d in %s ms" %
                 (k, total, bad_at, ms(took)))
        return False

    def send(self, conn, k):
        total = self.args.send
        view = memoryview(PAT)
        t0 = time.monotonic()
        sent = 0
        bad = self.args.corrupt_at
        while sent < total:
            n = min(CHUNK, total - sent)
            block = view[:n]
            if bad is not None and sent <= bad < sent + n:
                block = bytearray(block)
                block[bad - sent] ^= 0xFF
            conn.sendall(block)
            sent += n
        conn.shutdown(socket.SHUT_WR)
        # Wait (bounded by the idle timeout) for the peer to acknowledge all
        deadline = time.monotonic() + self.args.idle
        while unacked(conn) > 0:
            if time.monotonic() > deadline:
                self.say("conn %d sent %d error: not acknowledged within %ds" %
                         (k, total, self.args.idle))
                return
            time.sleep(0.0005)
        took = time.monotonic() - t0
        self.say("conn %d sent %d acked in %s ms" % (k, total, ms(took)))

    def handle(self, conn, peer, k):
        self.say("conn %d from %s:%d" % (k, peer[0], peer[1]))
        conn.settimeout(self.args.idle)
        try:
            if self.receive(conn, k):
                self.send(conn, k)
        except (OSError, socket.timeout) as err:
            self.say("conn %d error: %s" % (k, err))
        finally:
            conn.close()
        self.say("conn %d closed" % k)

    def run(self):
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((self.args.bind, self.args.port))
        srv.listen(8)
        srv.settimeout(0.5)
        self.say("listening %s:%d send=%d" %
                 (self.args.bind, self.args.port, self.args.send))
        deadline = time.monotonic() + self.args.lifetime
        k = 0
        while time.monotonic() < deadline:
            if self.args.max_conns and k >= self.args.max_conns:
                break
            try:
                conn, peer = srv.accept()
            except socket.timeout:
                continue
            k += 1
            self.handle(conn, peer, k)
        srv.close()
        self.say("exiting after %d connections" % k)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bind", default="10.99.0.1")
    ap.add_argument("--port", type=int, default=7000)
    ap.add_argument("--send", type=int, default=0,
                    help="pattern bytes to send back on each connection")
    ap.add_argument("--corrupt-at", type=int, metavar="OFFSET",
                    help="flip the byte at OFFSET of what is sent (to test "
                    "that the client checks)")
    ap.add_argument("--max-conns", type=int, default=0)
    ap.add_argument("--lifetime", type=int, default=600)
    ap.add_argument("--idle", type=int, default=60)
    ap.add_argument("--log", help="log file (default: standard output)")
    args = ap.parse_args()
    log = open(args.log, "a", buffering=1) if args.log else sys.stdout
    Server(args, log).run()


if __name__ == "__main__":
    main()
