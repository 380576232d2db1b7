#!/usr/bin/env python3
"""Keel QEMU tests: a loopback HTTP/1.1 file server (standard library only).

Serves the files of --root on 127.0.0.1 (or --bind) (GET and HEAD, single byte ranges
with 206 and 416, keep-alive). The guest reaches it through QEMU's
guestfwd. Every request is logged to --log, one line:

  T_MS METHOD PATH status=S range=R sent=N ms=D

where T_MS is the time the request arrived (ms since the epoch) and D the
time the answer took. The chosen port is written to --port-file once the
server listens. It exits after --lifetime seconds.
"""
import argparse
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

BLOCK = 256 * 1024


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "keel-qemu-test"

    def log_message(self, fmt, *args):
        pass

    def note(self, status, rng, sent, t0):
        line = "%d %s %s status=%d range=%s sent=%d ms=%d\n" % (
            int(t0 * 1000), self.command, self.path, status, rng or "-",
            sent, int((time.time() - t0) * 1000))
        with self.server.log_lock:
            with open(self.server.log_path, "a") as f:
                f.write(line)

    def resolve(self):
        path = unquote(urlsplit(self.path).path)
        parts = [p for p in path.split("/") if p not in ("", ".", "..")]
        full = os.path.join(self.server.root, *parts)
        return full if os.path.isfile(full) else None

    def fail(self, status, t0, rng=None):
        body = ("%d\n" % status).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.note(status, rng, 0, t0)

    def answer(self):
        t0 = time.time()
        full = self.resolve()
        rng = self.headers.get("Range")
        if full is None:
            return self.fail(404, t0, rng)
        size = os.path.getsize(full)
        start, end, status = 0, size - 1, 200
        if rng:
            m = re.fullmatch(r"bytes=(\d*)-(\d*)", rng.strip())
            if not m or (m.group(1) == "" and m.group(2) == ""):
                return self.fail(416, t0, rng)
            if m.group(1) == "":
                start = max(0, size - int(m.group(2)))
            else:
                start = int(m.group(1))
                if m.group(2) != "":
                    end = min(end, int(m.group(2)))
            if start >= size or start > end:
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % size)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return self.note(416, rng, 0, t0)
            status = 206
        length = end - start + 1
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range",
                             "bytes %d-%d/%d" % (start, end, size))
        self.end_headers()
        sent = 0
        if self.command != "HEAD":
            with open(full, "rb") as f:
                f.seek(start)
                while sent < length:
                    chunk = f.read(min(BLOCK, length - sent))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    sent += len(chunk)
        self.note(status, rng, sent, t0)

    do_GET = answer
    do_HEAD = answer


class QuietServer(ThreadingHTTPServer):
    """A guest that resets its connection (a VM powering off) is normal."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--lifetime", type=int, default=1800)
    a = ap.parse_args()
    srv = QuietServer((a.bind, a.port), Handler)
    srv.daemon_threads = True
    srv.root = a.root
    srv.log_path = a.log
    srv.log_lock = threading.Lock()
    open(a.log, "a").close()
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    threading.Timer(a.lifetime, lambda: os._exit(0)).start()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
