#!/usr/bin/env python3
"""Keel lab: an HTTP/1.1 server (Python standard library only) for what nginx
cannot show: posted forms, chunked bodies, Basic and Digest authentication,
and connections that break off mid-body.

It serves the files of --root under a path that names a behaviour:

  /plain/NAME        the file, with Range support (206, If-Range), ETag
  /echo              POST: the body comes back as the response (200)
  /chunked/NAME      the file in the chunked coding: chunks of many sizes,
                     chunk extensions, and trailer fields
  /basic/NAME        the file, behind Basic authentication (keel:sesame)
  /digest/NAME       the file, behind Digest authentication (RFC 7616, MD5,
                     qop=auth; keel:sesame); the answer is checked in full
  /cut/NAME?at=K&times=T[&how=rst]
                     the first T requests for this URL get the headers and K
                     bytes of what they asked for, then the connection closes
                     (FIN, or RST with how=rst); later ones are served whole
  /norange/NAME?at=K as /cut with times=1, but Range is ignored (always 200)
  /changing/NAME?at=K as /cut with times=1, but the ETag and Last-Modified
                     change with every request (the file "changed")
  /slow/NAME?rate=R  the file at R bytes per second (Range supported)
  /redirect/CODE?to=LOC      a redirection (Location sent as given)
  /stall             accepts the request and never answers

Every request is logged to --log, one line:
  conn=PORT METHOD TARGET status=S range=R auth=A sent=N [body=...]
and the server prints "listening" once it accepts connections. It exits after
--lifetime seconds.
"""
import argparse
import base64
import hashlib
import os
import re
import secrets
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

USER, PASSWORD, REALM = "keel", "sesame", "keel-lab"
LAST_MODIFIED = "Sun, 06 Nov 1994 08:49:37 GMT"
CHUNK_SIZES = [1, 10, 100, 1000, 4096, 30000, 65536, 3, 77777]


class Cut(Exception):
    """The connection was broken off on purpose."""


class State:
    """What the server remembers across requests."""

    def __init__(self, root, log):
        self.root = root
        self.log = log
        self.lock = threading.Lock()
        self.counts = {}
        self.nonces = set()
        self.changes = 0

    def count(self, key):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            return self.counts[key]

    def write(self, line):
        with self.lock:
            self.log.write(line + "\n")
            self.log.flush()


def etag_of(path):
    st = os.stat(path)
    return '"%x-%x"' % (int(st.st_mtime), st.st_size)


def parse_auth_params(text):
    """Digest's auth-params: name=token or name="quoted" (escapes undone)."""
    params = {}
    for m in re.finditer(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))', text):
        value = m.group(2) if m.group(2) is not None else m.group(3)
        params[m.group(1).lower()] = re.sub(r"\\(.)", r"\1", value)
    return params


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "KeelLab/1"

    # ------------------------------------------------------------------
    # Plumbing

    def log_message(self, fmt, *args):
        pass

    def note(self, status, sent, extra=""):
        st = self.server.state
        st.write("conn=%d %s %s status=%d range=%s auth=%s sent=%d%s" % (
            self.client_address[1], self.command, self.path, status,
            self.headers.get("Range", "-"),
            (self.headers.get("Authorization", "-").split(" ") or ["-"])[0],
            sent, extra))

    def simple(self, status, text, headers=()):
        body = text.encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.note(status, len(body))

    def file_path(self, name):
        path = os.path.join(self.server.state.root, os.path.basename(name))
        return path if os.path.isfile(path) else None

    def cut(self, how):
        """Break the connection off now."""
        self.close_connection = True
        try:
            self.wfile.flush()
            if how == "rst":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.connection.close()
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        raise Cut()

    # ------------------------------------------------------------------
    # Serving a file, whole or a range, maybe cut short or slowly

    def wanted_range(self, size, etag, ranges):
        """(first, last) asked for and honoured, or None for all of it."""
        spec = self.headers.get("Range")
        if not ranges or not spec:
            return None
        if_range = self.headers.get("If-Range")
        if if_range is not None and if_range != etag:
            return None
        m = re.fullmatch(r"bytes=(\d+)-(\d*)", spec.strip())
        if not m:
            return None
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else size - 1
        return (first, min(last, size - 1))

    def send_file(self, path, etag, lastmod, ranges=True, at=None, how="fin",
                  rate=None):
        size = os.path.getsize(path)
        rng = self.wanted_range(size, etag, ranges)
        if rng and rng[0] >= size:
            self.send_response(416)
            self.send_header("Content-Range", "bytes */%d" % size)
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.note(416, 0)
            return
        first, last = rng if rng else (0, size - 1)
        self.send_response(206 if rng else 200)
        if rng:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (first, last, size))
        self.send_header("Content-Length", str(last - first + 1))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", lastmod)
        self.send_header("Accept-Ranges", "bytes" if ranges else "none")
        self.end_headers()
        if self.command == "HEAD":
            self.note(206 if rng else 200, 0)
            return
        sent = 0
        with open(path, "rb") as f:
            f.seek(first)
            left = last - first + 1
            start = time.monotonic()
            while left > 0:
                n = min(left, 16384)
                if at is not None and sent + n > at:
                    n = at - sent
                data = f.read(n)
                try:
                    self.wfile.write(data)
                except OSError:
                    break
                sent += len(data)
                left -= len(data)
                if at is not None and sent >= at:
                    self.note(206 if rng else 200, sent, " cut=%s" % how)
                    self.cut(how)
                if rate:
                    ahead = sent / rate - (time.monotonic() - start)
                    if ahead > 0:
                        time.sleep(ahead)
        self.note(206 if rng else 200, sent)

    # ------------------------------------------------------------------
    # Behaviours

    def do_plain(self, name, query):
        path = self.file_path(name)
        if not path:
            return self.simple(404, "no such file\n")
        self.send_file(path, etag_of(path), LAST_MODIFIED)

    def do_cut(self, name, query, ranges=True, changing=False):
        path = self.file_path(name)
        if not path:
            return self.simple(404, "no such file\n")
        at = int(query.get("at", ["1000"])[0])
        times = int(query.get("times", ["1"])[0])
        how = query.get("how", ["fin"])[0]
        n = self.server.state.count(self.path)
        etag, lastmod = etag_of(path), LAST_MODIFIED
        if changing:
            etag = '"v%d"' % n
            lastmod = "Mon, %02d Nov 1994 08:49:37 GMT" % (n % 28 + 1)
        self.send_file(path, etag, lastmod, ranges=ranges,
                       at=at if n <= times else None, how=how)

    def do_norange(self, name, query):
        query.setdefault("times", ["1"])
        self.do_cut(name, query, ranges=False)

    def do_changing(self, name, query):
        query["times"] = ["1"]
        self.do_cut(name, query, changing=True)

    def do_slow(self, name, query):
        path = self.file_path(name)
        if not path:
            return self.simple(404, "no such file\n")
        rate = int(query.get("rate", ["1048576"])[0])
        self.send_file(path, etag_of(path), LAST_MODIFIED, rate=rate)

    def do_chunked(self, name, query):
        path = self.file_path(name)
        if not path:
            return self.simple(404, "no such file\n")
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Trailer", "X-Checked")
        self.end_headers()
        sent, i = 0, 0
        with open(path, "rb") as f:
            while True:
                data = f.read(CHUNK_SIZES[i % len(CHUNK_SIZES)])
                if not data:
                    break
                ext = ";n=%d;q=\"a;b\"" % i if i % 2 else ""
                self.wfile.write(b"%x%s\r\n" % (len(data), ext.encode()) +
                                 data + b"\r\n")
                sent += len(data)
                i += 1
        self.wfile.write(b"0\r\nX-Checked: yes\r\n\r\n")
        self.note(200, sent, " chunks=%d" % i)

    def do_echo(self, name, query):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b""
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.note(200, len(body), " type=%s body=%s" % (
            self.headers.get("Content-Type", "-").replace(" ", ""),
            body.decode("latin-1")))

    def do_redirect(self, name, query):
        code = int(name) if name.isdigit() else 302
        self.simple(code, "moved\n", [("Location", query.get("to", ["/"])[0])])

    def do_basic(self, name, query):
        want = "Basic " + base64.b64encode(
            ("%s:%s" % (USER, PASSWORD)).encode()).decode()
        if self.headers.get("Authorization") != want:
            return self.simple(401, "who are you?\n", [
                ("WWW-Authenticate", 'Basic realm="%s"' % REALM)])
        self.do_plain(name, query)

    def digest_ok(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("Digest "):
            return False
        p = parse_auth_params(header[7:])
        if (p.get("username") != USER or p.get("realm") != REALM or
                p.get("nonce") not in self.server.state.nonces or
                p.get("uri") != self.path or p.get("qop") != "auth" or
                p.get("opaque") != "keel-opaque" or
                p.get("algorithm", "MD5").upper() != "MD5" or
                not re.fullmatch(r"[0-9a-f]{8}", p.get("nc", "")) or
                not p.get("cnonce")):
            return False

        def h(text):
            return hashlib.md5(text.encode()).hexdigest()
        ha1 = h("%s:%s:%s" % (USER, REALM, PASSWORD))
        ha2 = h("%s:%s" % (self.command, p["uri"]))
        want = h(":".join([ha1, p["nonce"], p["nc"], p["cnonce"], "auth", ha2]))
        return p.get("response") == want

    def do_digest(self, name, query):
        if not self.digest_ok():
            nonce = secrets.token_hex(16)
            self.server.state.nonces.add(nonce)
            return self.simple(401, "who are you?\n", [(
                "WWW-Authenticate",
                'Digest realm="%s", qop="auth, auth-int", algorithm=MD5, '
                'nonce="%s", opaque="keel-opaque"' % (REALM, nonce))])
        self.do_plain(name, query)

    def do_stall(self, name, query):
        self.note(0, 0, " stalled")
        time.sleep(600)
        self.close_connection = True

    ROUTES = {
        "plain": do_plain, "cut": do_cut, "norange": do_norange,
        "changing": do_changing, "slow": do_slow, "chunked": do_chunked,
        "echo": do_echo, "redirect": do_redirect, "basic": do_basic,
        "digest": do_digest, "stall": do_stall,
    }

    def dispatch(self):
        parts = urlsplit(self.path)
        segs = parts.path.lstrip("/").split("/", 1)
        route = self.ROUTES.get(segs[0])
        if not route:
            return self.simple(404, "no such route\n")
        try:
            route(self, segs[1] if len(segs) > 1 else "", parse_qs(parts.query))
        except Cut:
            pass

    do_GET = do_HEAD = do_POST = dispatch


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bind", default="0.0.0.0")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--root", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--lifetime", type=float, default=900)
    args = ap.parse_args()
    with open(args.log, "a") as log:
        server = ThreadingHTTPServer((args.bind, args.port), Handler)
        server.daemon_threads = True
        server.state = State(args.root, log)
        threading.Timer(args.lifetime, server.shutdown).start()
        log.write("listening on %s:%d\n" % (args.bind, args.port))
        log.flush()
        print("listening", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
