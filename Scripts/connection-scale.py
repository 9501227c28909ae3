#!/usr/bin/env python3
"""connection-scale.py - the driver of Scripts/bench-connections.sh (not part of CI).

Opens N connections to a broker that each subscribe (Mycelium's TLV framing, or the NATS
text protocol), then publishes a burst on one more connection that every subscriber
receives, and prints one JSON line per phase with the broker's resident memory (and, for
Mycelium, its pool figures from `mycelium stats --json`):

  start  before any connection        idle   every connection subscribed
  burst  every subscriber got BURST bytes   trimmed  after one trim interval more

  connection-scale.py --protocol tlv --port P --pid PID --connections N --burst 65536 \
      --settle 12 --stats "mycelium stats --json --tcp 127.0.0.1:P"
"""
import argparse
import json
import selectors
import shlex
import socket
import struct
import subprocess
import sys
import time

TYPE_ID = 1001  # BenchFrame, in the bundled catalog
SUBJECT = b"bench"
FRAME_BYTES = 128  # each burst message on the wire, TLV header included
PAYLOAD = FRAME_BYTES - 6
DEADLINE = 300  # seconds any phase may take


def tlv(type_id, payload):
    return struct.pack("<HI", type_id, len(payload)) + payload


def memory_kib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise SystemExit(f"no {field} for pid {pid}")


def report(phase, args, extra=None):
    line = {
        "phase": phase,
        "rss_kib": memory_kib(args.pid, "VmRSS"),
        "peak_rss_kib": memory_kib(args.pid, "VmHWM"),
        "connections": args.connections,
    }
    if args.stats:
        out = subprocess.run(shlex.split(args.stats), capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise SystemExit(f"stats failed: {out.stderr.strip()}")
        pool = json.loads(out.stdout)["pool"]
        line.update({k: pool[k] for k in ("in_use", "bytes_reserved", "misses", "acquires")})
    line.update(extra or {})
    print(json.dumps(line), flush=True)


def wait_for(selector, sockets, done, what):
    """Reads every socket until done(total bytes, last bytes) says it has what it waits for."""
    pending = {s.fileno(): s for s in sockets}
    totals = {fd: 0 for fd in pending}
    tails = {fd: b"" for fd in pending}
    for s in sockets:
        selector.register(s, selectors.EVENT_READ)
    deadline = time.monotonic() + DEADLINE
    try:
        while pending:
            if time.monotonic() > deadline:
                raise SystemExit(f"{len(pending)} connections never {what}")
            for key, _ in selector.select(timeout=1):
                s = key.fileobj
                fd = s.fileno()
                chunk = s.recv(1 << 20)
                if not chunk:
                    raise SystemExit(f"a connection closed while waiting until it {what}")
                totals[fd] += len(chunk)
                tails[fd] = (tails[fd] + chunk)[-64:]
                if done(totals[fd], tails[fd]):
                    selector.unregister(s)
                    del pending[fd]
    finally:
        for s in pending.values():
            selector.unregister(s)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--protocol", choices=["tlv", "nats"], required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--connections", type=int, required=True)
    parser.add_argument("--burst", type=int, default=65536)
    parser.add_argument("--settle", type=float, default=12)
    parser.add_argument("--stats", default="")
    args = parser.parse_args()

    report("start", args)
    selector = selectors.DefaultSelector()
    subscribers = []
    for _ in range(args.connections):
        s = socket.create_connection(("127.0.0.1", args.port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if args.protocol == "tlv":
            s.sendall(tlv(2, struct.pack("<H", TYPE_ID)) + tlv(4, b"idlepong"))
        else:
            s.sendall(b'CONNECT {"verbose":false,"pedantic":false}\r\nSUB ' + SUBJECT + b" 1\r\nPING\r\n")
        s.setblocking(False)
        subscribers.append(s)
    pong = tlv(5, b"idlepong") if args.protocol == "tlv" else b"PONG\r\n"
    wait_for(selector, subscribers, lambda total, tail: pong in tail, "answered PING")
    time.sleep(1)  # a bench, not a test: let the broker settle after the last PONG
    report("idle", args)

    frames = max(1, args.burst // FRAME_BYTES)
    body = bytes(range(256))[:PAYLOAD]
    if args.protocol == "tlv":
        message = tlv(TYPE_ID, body)
        expected = frames * len(message)
    else:
        message = b"PUB " + SUBJECT + b" %d\r\n" % PAYLOAD + body + b"\r\n"
        expected = frames * len(b"MSG %s 1 %d\r\n" % (SUBJECT, PAYLOAD) + body + b"\r\n")
    publisher = socket.create_connection(("127.0.0.1", args.port))
    if args.protocol == "nats":
        publisher.sendall(b'CONNECT {"verbose":false,"pedantic":false}\r\n')
    started = time.monotonic()
    publisher.sendall(message * frames)
    wait_for(selector, subscribers, lambda total, tail: total >= expected, f"received {expected} burst bytes")
    report("burst", args, {"burst_bytes_each": expected, "seconds": round(time.monotonic() - started, 2)})
    time.sleep(args.settle)
    report("trimmed", args, {"after_seconds": args.settle})
    publisher.close()
    for s in subscribers:
        s.close()


if __name__ == "__main__":
    sys.exit(main())
