"""A bench scale speaking MT-SICS on a pseudo-terminal, driven by commands on stdin, for
the serial scale tests: the daemon opens LINK exactly as it opens a USB-serial scale.

Commands (one per line): `weight VALUE UNIT stable|moving`, `overload`, `unplug`,
`replug`, `send TEXT` (as a serial scanner: TEXT and CR), `quit`. It prints `ready`, `tare` and `zero` on stdout as things happen.
Usage: python fake_scale.py LINK"""

import os
import select
import sys
import tty

link = sys.argv[1]
state = {"weight": "0.00", "unit": "g", "stable": True, "over": False}
master = slave = None


def plug():
    global master, slave
    master, slave = os.openpty()
    tty.setraw(slave)
    tty.setraw(master)
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(os.ttyname(slave), link)


def unplug():
    global master, slave
    if os.path.lexists(link):
        os.unlink(link)
    for fd in (master, slave):
        if fd is not None:
            os.close(fd)
    master = slave = None


def answer(command):
    if command in ("SI", "S"):
        if state["over"]:
            return "S +"
        return "S %s %10s %s" % ("S" if state["stable"] else "D", state["weight"], state["unit"])
    if command == "T":
        print("tare", flush=True)
        state["weight"] = "0.00"
        return "T S %10s %s" % ("0.00", state["unit"])
    if command == "Z":
        print("zero", flush=True)
        return "Z A"
    return "ES"


plug()
print("ready", flush=True)
pending = b""
while True:
    fds = [sys.stdin] + ([master] if master is not None else [])
    readable, _, _ = select.select(fds, [], [], 0.5)
    if sys.stdin in readable:
        line = sys.stdin.readline()
        if not line:
            break
        words = line.split()
        if not words:
            continue
        if words[0] == "weight":
            state.update(weight=words[1], unit=words[2], stable=words[3] == "stable", over=False)
        elif words[0] == "overload":
            state["over"] = True
        elif words[0] == "unplug":
            unplug()
        elif words[0] == "replug":
            plug()
        elif words[0] == "send" and master is not None:
            # a serial scanner: the rest of the line, then CR
            os.write(master, line.split(" ", 1)[1].rstrip("\n").encode("utf-8") + b"\r")
        elif words[0] == "quit":
            break
        print("ack", flush=True)
    if master is not None and master in readable:
        try:
            data = os.read(master, 256)
        except OSError:
            data = b""
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            reply = answer(line.strip().decode("ascii", "replace"))
            os.write(master, (reply + "\r\n").encode("ascii"))
unplug()
