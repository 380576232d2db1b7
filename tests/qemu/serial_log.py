#!/usr/bin/env python3
"""Keel QEMU tests: record a serial console with timestamps, and query them.

  serial_log.py record LOG [--start-ms MS] [--echo] [--stop REGEX --pid-file F]
      copies standard input to LOG as it arrives, and writes LOG.ts: one
      line "BYTE_OFFSET MS" per chunk read, MS counted from --start-ms (the
      time QEMU was started, in ms since the epoch; default: now).
      --echo also copies it to standard output. Once REGEX matches (bytes,
      the firmware gave up: nothing more will come), the process whose pid
      is in F (QEMU's -pidfile) gets SIGTERM, a second later.
  serial_log.py when LOG REGEX [--nth N]
      prints the MS at which the N-th (default 1st) match of REGEX (bytes)
      was complete on the console; exits 1 if there is none.
"""
import os
import re
import signal
import threading
import sys
import time


def record(args):
    log = args[0]
    start = time.time() * 1000
    echo = "--echo" in args
    if "--start-ms" in args:
        start = float(args[args.index("--start-ms") + 1])
    stop = re.compile(args[args.index("--stop") + 1].encode()) \
        if "--stop" in args else None
    pid_file = args[args.index("--pid-file") + 1] if "--pid-file" in args else None
    stopping = False
    seen = b""
    off = 0
    fd = sys.stdin.buffer.raw if hasattr(sys.stdin.buffer, "raw") else sys.stdin.buffer
    with open(log, "wb", buffering=0) as out, open(log + ".ts", "w") as ts:
        while True:
            try:
                chunk = os.read(fd.fileno(), 65536)
            except OSError:
                break
            if not chunk:
                break
            now = time.time() * 1000
            off += len(chunk)
            out.write(chunk)
            ts.write("%d %d\n" % (off, int(now - start)))
            ts.flush()
            if stop and not stopping:
                seen = (seen + chunk)[-4096:]
                if stop.search(seen):
                    stopping = True
                    threading.Timer(1.0, kill, [pid_file]).start()
            if echo:
                sys.stdout.buffer.write(chunk)
                sys.stdout.buffer.flush()
    return 0


def kill(pid_file):
    try:
        os.kill(int(open(pid_file).read().strip()), signal.SIGTERM)
    except (OSError, ValueError, TypeError):
        pass


def when(args):
    log, pattern = args[0], args[1].encode()
    nth = int(args[args.index("--nth") + 1]) if "--nth" in args else 1
    data = open(log, "rb").read()
    matches = list(re.finditer(pattern, data))
    if len(matches) < nth:
        return 1
    end = matches[nth - 1].end()
    with open(log + ".ts") as ts:
        for line in ts:
            o, ms = line.split()
            if int(o) >= end:
                print(ms)
                return 0
    return 1


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("record", "when"):
        sys.stderr.write(__doc__)
        return 2
    return (record if sys.argv[1] == "record" else when)(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
