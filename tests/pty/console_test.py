#!/usr/bin/env python3
"""Console test: drive keel.linux through a real pseudo-terminal and check what it shows.

Usage: tests/pty/console_test.py [path/to/keel.linux]

Types keys (characters one by one, ANSI arrow sequences, control keys) at the
interactive shell, keeps a small ANSI screen model of what Keel draws, and
checks line editing, history, completion, Ctrl-C, menus and login. Every wait
is bounded; the last line printed is "N passed, N failed".
"""
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

KEEL = sys.argv[1] if len(sys.argv) > 1 else "bin-x86_64-linux/keel.linux"
PROMPT = b"keel> "
ROWS, COLS = 24, 80
DEADLINE = time.monotonic() + 55  # the whole test stays under a minute

UP, DOWN, RIGHT, LEFT = "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D"
HOME, END = "\x1b[H", "\x1b[F"


def ctrl(c):
    return chr(ord(c.upper()) & 0x1F)


CSI = re.compile(rb"\x1b\[([?0-9;]*)([@-~])")
CSI_PARTIAL = re.compile(rb"\x1b(\[[?0-9;]*)?\Z")


class Screen:
    """Just enough of an ANSI terminal: text, CR/LF/BS, cursor moves, erases, reverse video."""

    def __init__(self):
        self.row = self.col = 0
        self.reverse = False
        self.pending = b""
        self.bells = 0
        self.clear()

    def clear(self):
        self.cells = [[" "] * COLS for _ in range(ROWS)]
        self.attrs = [[False] * COLS for _ in range(ROWS)]

    def linefeed(self):
        if self.row == ROWS - 1:
            self.cells = self.cells[1:] + [[" "] * COLS]
            self.attrs = self.attrs[1:] + [[False] * COLS]
        else:
            self.row += 1

    def put(self, ch):
        if self.col >= COLS:  # deferred wrap, as terminals do
            self.col = 0
            self.linefeed()
        self.cells[self.row][self.col] = ch
        self.attrs[self.row][self.col] = self.reverse
        self.col += 1

    def erase_line(self, start):
        for c in range(start, COLS):
            self.cells[self.row][c] = " "
            self.attrs[self.row][c] = False

    def csi(self, params, final):
        nums = [int(p) if p.isdigit() else 0 for p in params.lstrip("?").split(";")]
        n = nums[0] or 1
        if final == "D":
            self.col = max(0, min(self.col, COLS - 1) - n)
        elif final == "C":
            self.col = min(COLS - 1, self.col + n)
        elif final == "A":
            self.row = max(0, self.row - n)
        elif final == "B":
            self.row = min(ROWS - 1, self.row + n)
        elif final == "H":
            self.row = min(ROWS, max(1, nums[0])) - 1
            self.col = min(COLS, max(1, nums[1] if len(nums) > 1 else 1)) - 1
        elif final == "J" and nums[0] == 2:
            self.clear()
        elif final == "K":
            self.erase_line(min(self.col, COLS))
        elif final == "m":
            self.reverse = 7 in nums

    def feed(self, data):
        data = self.pending + data
        self.pending = b""
        i = 0
        while i < len(data):
            b = data[i]
            if b == 0x1B:
                m = CSI.match(data, i)
                if m:
                    self.csi(m.group(1).decode(), m.group(2).decode())
                    i = m.end()
                    continue
                if CSI_PARTIAL.match(data, i):
                    self.pending = data[i:]
                    return
            elif b == 0x0D:
                self.col = 0
            elif b == 0x0A:
                self.linefeed()
            elif b == 0x08:
                self.col = max(0, min(self.col, COLS) - 1)
            elif b == 0x07:
                self.bells += 1
            elif 0x20 <= b < 0x7F:
                self.put(chr(b))
            i += 1

    def line(self, row):
        return "".join(self.cells[row]).rstrip()

    def text(self):
        return "\n".join(self.line(r) for r in range(ROWS))

    def find_row(self, text):
        for r in range(ROWS):
            if text in self.line(r):
                return r
        return -1

    def row_of(self, text):
        """Row holding @text, or the last row (blank in a menu) if none does."""
        row = self.find_row(text)
        return row if row >= 0 else ROWS - 1

    def reversed_text(self, row):
        return "".join(c for c, a in zip(self.cells[row], self.attrs[row]) if a).strip()


class Keel:
    """keel.linux on a pseudo-terminal."""

    def __init__(self, path):
        self.out = b""
        self.screen = Screen()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.execv(path, [path])
            finally:
                os._exit(127)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))

    def pump(self, timeout):
        """Read what Keel wrote within @timeout seconds; False once it has gone."""
        timeout = max(0.0, min(timeout, DEADLINE - time.monotonic()))
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.fd, 4096)
        except OSError:
            return False
        if not data:
            return False
        self.out += data
        self.screen.feed(data)
        return True

    def wait(self, predicate, timeout=5.0):
        end = min(time.monotonic() + timeout, DEADLINE)
        while not predicate():
            left = end - time.monotonic()
            if left <= 0 or not self.pump(min(left, 0.05)):
                return predicate()
        return True

    def settle(self, seconds=0.15):
        """Take in output for a little while (nothing more is expected)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end and self.pump(end - time.monotonic()):
            pass

    def send(self, *keys, delay=0.01):
        """Type keys: plain strings one character at a time, escapes whole."""
        for key in keys:
            chunks = [key] if key.startswith("\x1b") else list(key)
            for chunk in chunks:
                try:
                    os.write(self.fd, chunk.encode())
                except OSError:
                    raise Failure("keel.linux has gone")
                self.pump(delay)

    def prompts(self):
        return self.out.count(PROMPT)

    def run(self, line, timeout=5.0):
        """Type a line and Enter; wait for the next prompt; return the output lines."""
        mark, count = len(self.out), self.prompts()
        self.send(line, "\r")
        self.wait(lambda: self.prompts() > count, timeout)
        return output_lines(self.out[mark:])

    def close(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def output_lines(data):
    """Lines of output, without escapes; cursor jumps and clears also end a line."""
    text = CSI.sub(lambda m: b"\n" if m.group(2) in b"HJ" else b"", data)
    text = text.replace(b"\x07", b"").decode(errors="replace")
    return [l.rstrip() for l in text.replace("\r\n", "\n").split("\n")]


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def cursor_line(keel):
    """Text of the screen line the cursor is on."""
    return keel.screen.line(min(keel.screen.row, ROWS - 1))


def command_row(keel):
    """Text of the last screen line that holds an entered command."""
    rows = [keel.screen.line(r) for r in range(ROWS)]
    prompts = [r for r in rows if r.startswith("keel>")]
    return prompts[-2] if len(prompts) >= 2 else ""


# ---------------------------------------------------------------------------
# The checks, in order; each starts and ends at a fresh prompt


def t_prompt(keel):
    check(keel.wait(lambda: keel.prompts() > 0, 15), "no prompt")


def t_edit_fix_typo(keel):
    mark, count = len(keel.out), keel.prompts()
    keel.send("ecxho hello", ctrl("a"), RIGHT, RIGHT, RIGHT, "\x7f", END, "!", LEFT, "\x1b[3~")
    keel.send("\r")
    keel.wait(lambda: keel.prompts() > count)
    lines = output_lines(keel.out[mark:])
    check("hello" in lines, "no 'hello' line")
    check(command_row(keel) == "keel> echo hello", "screen shows %r" % command_row(keel))


def t_edit_kills(keel):
    keel.send("echo AAA BBB CCC", ctrl("w"))
    keel.send(ctrl("a"), RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, ctrl("k"))
    keel.send("X Y", ctrl("e"), " Z", ctrl("b"), ctrl("b"), ctrl("f"), ctrl("f"))
    lines = keel.run("")
    check("X Y Z" in lines, "expected 'X Y Z', got %r" % lines[-4:])
    check(command_row(keel) == "keel> echo X Y Z", "screen shows %r" % command_row(keel))
    keel.send("garbage here", ctrl("u"), "echo U")
    lines = keel.run("")
    check("U" in lines, "Ctrl-U left %r" % lines[-4:])


def t_history(keel):
    keel.run("echo first")
    keel.run("echo second")
    lines = keel.run(UP + UP)
    check("first" in lines, "Up Up did not recall 'echo first': %r" % lines[-4:])
    # Edit a recalled line, move away, come back, abandon: history stays intact
    keel.send(UP, ctrl("u"), "echo modified", UP, DOWN)
    check(keel.wait(lambda: cursor_line(keel) == "keel> echo modified"),
          "scratch copy lost: %r" % cursor_line(keel))
    count = keel.prompts()
    keel.send(ctrl("c"))
    keel.wait(lambda: keel.prompts() > count)
    lines = keel.run(UP)
    check("first" in lines and "modified" not in lines, "history entry was changed: %r" % lines[-4:])


def t_complete(keel):
    lines = keel.run("ech\t hi")
    check("hi" in lines, "Tab did not complete 'ech': %r" % lines[-4:])
    # the completed name gets its own space, so " hi" makes two
    check(command_row(keel) == "keel> echo  hi", "screen shows %r" % command_row(keel))
    # Two Tabs list the candidates, then the prompt and line come back
    mark = len(keel.out)
    keel.send("e\t\t")

    def listed():
        words = " ".join(output_lines(keel.out[mark:])).split()
        return "echo" in words and "exit" in words and cursor_line(keel) == "keel> e"

    check(keel.wait(listed), "no listing, or line not redrawn: %r"
          % output_lines(keel.out[mark:]))
    keel.send(ctrl("u"))
    keel.run("")


def t_ctrl_c_line(keel):
    mark, count = len(keel.out), keel.prompts()
    keel.send("echo nope", ctrl("c"))
    check(keel.wait(lambda: keel.prompts() > count), "no prompt after Ctrl-C")
    keel.settle()
    lines = output_lines(keel.out[mark:])
    check("nope" not in lines, "the line ran")
    check(any(l.endswith("^C") for l in lines), "no ^C shown: %r" % lines)
    check("yes" in keel.run("echo yes"), "shell unusable after Ctrl-C")


def t_ctrl_c_sleep(keel):
    count = keel.prompts()
    keel.send("sleep 30\r")
    keel.settle(0.5)
    start = time.monotonic()
    keel.send(ctrl("c"))
    check(keel.wait(lambda: keel.prompts() > count, 4), "sleep 30 not interrupted")
    check(time.monotonic() - start < 3, "Ctrl-C took too long")


def t_crlf(keel):
    count = keel.prompts()
    keel.send("echo crlf\r\n")
    keel.wait(lambda: keel.prompts() > count)
    keel.settle(0.4)
    check(keel.prompts() == count + 1, "CR LF gave %d prompts" % (keel.prompts() - count))


def t_menu(keel):
    for line in ("menu T", "item a Alpha", "item b Beta"):
        keel.run(line)
    count = keel.prompts()
    keel.send("choose x && echo got ${x}\r")
    scr = keel.screen
    check(keel.wait(lambda: scr.find_row("Beta") >= 0), "no menu drawn")
    check(keel.wait(lambda: scr.reversed_text(scr.row_of("Alpha")) == "Alpha"),
          "Alpha not highlighted")
    check(scr.line(0).strip() == "T", "title row is %r" % scr.line(0))
    keel.send(DOWN)
    check(keel.wait(lambda: scr.reversed_text(scr.row_of("Beta")) == "Beta"),
          "Beta not highlighted")
    check(scr.reversed_text(scr.row_of("Alpha")) == "", "Alpha still highlighted")
    mark = len(keel.out)
    keel.send("\r")
    keel.wait(lambda: keel.prompts() > count)
    check("got b" in output_lines(keel.out[mark:]), "no 'got b'")


def t_menu_cancel(keel):
    for line in ("menu --name m Pick", "item --menu m --key z z Zed", "item --menu m --gap",
                 "item --menu m q Que"):
        keel.run(line)
    count = keel.prompts()
    keel.send("choose --menu m y || echo cancelled\r")
    check(keel.wait(lambda: keel.screen.find_row("Que") >= 0), "no menu drawn")
    keel.send(DOWN)  # over the gap
    check(keel.wait(lambda: keel.screen.reversed_text(keel.screen.row_of("Que")) == "Que"),
          "gap not skipped")
    mark = len(keel.out)
    keel.send("\x1b")
    keel.wait(lambda: keel.prompts() > count)
    check("cancelled" in output_lines(keel.out[mark:]), "Esc did not cancel")
    # The menu was not kept
    check("gone" in keel.run("choose --menu m y || echo gone"), "menu m still there")


def t_menu_shortcut(keel):
    for line in ("menu S", "item a Apple", "item --key k k Kiwi"):
        keel.run(line)
    count = keel.prompts()
    keel.send("choose --keep f && echo fruit ${f}\r")
    check(keel.wait(lambda: keel.screen.find_row("Kiwi") >= 0), "no menu drawn")
    mark = len(keel.out)
    keel.send("k")
    keel.wait(lambda: keel.prompts() > count)
    check("fruit k" in output_lines(keel.out[mark:]), "shortcut did not choose")
    count = keel.prompts()
    keel.send("choose --default k f2 && echo again ${f2}\r")  # --keep kept it
    check(keel.wait(lambda: keel.screen.find_row("Kiwi") >= 0), "kept menu not drawn")
    check(keel.wait(lambda: keel.screen.reversed_text(keel.screen.row_of("Kiwi")) == "Kiwi"),
          "--default ignored")
    mark = len(keel.out)
    keel.send("\r")
    keel.wait(lambda: keel.prompts() > count)
    check("again k" in output_lines(keel.out[mark:]), "kept menu did not work")


def t_menu_timeout(keel):
    for line in ("menu W", "item a A", "item --default b B"):
        keel.run(line)
    start = time.monotonic()
    lines = keel.run("choose --timeout 1200 z && echo timed ${z}", timeout=6)
    check("timed b" in lines, "timeout did not choose the default: %r" % lines[-4:])
    check(time.monotonic() - start < 4, "timeout too slow")


def t_login(keel):
    count = keel.prompts()
    keel.send("login\r")
    check(keel.wait(lambda: b"Username:" in keel.out[-200:]), "no Username prompt")
    keel.send(ctrl("u"), "alice\r")
    check(keel.wait(lambda: b"Password:" in keel.out[-200:]), "no Password prompt")
    keel.send("s3cret")
    check(keel.wait(lambda: cursor_line(keel) == "Password: ******"),
          "password shown as %r" % cursor_line(keel))
    keel.send("\r")
    keel.wait(lambda: keel.prompts() > count)
    lines = keel.run("echo ${username}:${password}")
    check("alice:s3cret" in lines, "settings not stored: %r" % lines[-4:])
    count = keel.prompts()
    keel.send("login\r")
    check(keel.wait(lambda: b"Username:" in keel.out[-200:]), "no Username prompt")
    keel.send(ctrl("c"))
    check(keel.wait(lambda: keel.prompts() > count), "Ctrl-C did not cancel login")


def t_config(keel):
    # choose creates the setting t/colour, in a block of its own
    for line in ("menu C", "item blue Blue"):
        keel.run(line)
    scr = keel.screen
    count = keel.prompts()
    keel.send("choose t/colour\r")
    check(keel.wait(lambda: scr.find_row("Blue") >= 0), "no menu drawn")
    keel.send("\r")
    check(keel.wait(lambda: keel.prompts() > count), "choose did not finish")
    count = keel.prompts()
    keel.send("config t\r")
    check(keel.wait(lambda: scr.find_row("Settings: t") == 0), "no settings screen")
    keel.send(END)  # values that are not defined settings come last
    check(keel.wait(lambda: re.search(r"colour +blue", scr.reversed_text(scr.row_of("colour")))),
          "colour = blue not listed and selected")
    keel.send("\r")
    check(keel.wait(lambda: scr.line(scr.row) == "colour = blue"), "no edit line")
    keel.send(ctrl("u"), "red", "\x1b")  # Esc leaves the value alone
    check(keel.wait(lambda: re.search(r"colour +blue", scr.line(scr.row_of("colour")))),
          "Esc did not go back to the list")
    keel.send("\r")
    check(keel.wait(lambda: scr.line(scr.row) == "colour = blue"), "no edit line")
    keel.send(ctrl("u"), "green\r")
    check(keel.wait(lambda: re.search(r"colour +green", scr.line(scr.row_of("colour")))),
          "new value not listed")
    keel.send(ctrl("x"))
    check(keel.wait(lambda: keel.prompts() > count), "Ctrl-X did not leave config")
    check("green" in keel.run("echo ${t/colour}"), "value not stored")


TESTS = [t_prompt, t_edit_fix_typo, t_edit_kills, t_history, t_complete, t_ctrl_c_line,
         t_ctrl_c_sleep, t_crlf, t_menu, t_menu_cancel, t_menu_shortcut, t_menu_timeout,
         t_login, t_config]


def main():
    if not os.access(KEEL, os.X_OK):
        print("FAIL: %s is not built" % KEEL)
        print("0 passed, 1 failed")
        return 1
    keel = Keel(KEEL)
    passed = failed = 0
    try:
        for test in TESTS:
            name = test.__name__[2:]
            mark = len(keel.out)
            try:
                if time.monotonic() >= DEADLINE:
                    raise Failure("out of time")
                test(keel)
                passed += 1
                print("[ ok ] %s" % name)
            except Failure as exc:
                failed += 1
                print("[FAIL] %s: %s" % (name, exc))
                print("  output: %r" % keel.out[mark:][-600:])
                print("  screen:\n    " + keel.screen.text().strip("\n").replace("\n", "\n    "))
                try:
                    keel.send(ctrl("c"))  # back to a prompt for the next test
                    keel.settle(0.3)
                except Failure:
                    pass
    finally:
        keel.close()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
