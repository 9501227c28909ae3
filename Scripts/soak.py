#!/usr/bin/env python3
"""Soak test of `mycelium serve`: mixed traffic for a while, sampled every 10 s.

Runs the broker on loopback TCP and a Unix socket in a temporary directory, then for the given
duration: 8 publishers (half TCP, half Unix) of six message types with payloads of random
length from 8 bytes to each type's maximum (29 to 4,108 bytes), 16 subscribers checking that
every message of their types arrives once and in order, one subscriber that never reads (the
broker, run with a 2 MiB pending limit, must disconnect it as a slow consumer), a connect/subscribe/ping/close churn, and
garbage connections sending random bytes. Every 10 s it samples the broker's RSS, open
descriptors and pool `in_use` (STATS).

Fails (exit 1) when RSS grows more than 10 % after the warm-up, descriptors leak, a healthy
subscriber misses or reorders a message, a publisher is disconnected, the stalled subscriber is
not disconnected, `in_use` is not back to its baseline once every client has closed, or the
broker does not stop cleanly on SIGTERM.

    Scripts/soak.py --binary .build/release/mycelium --seconds 600
"""

import argparse
import json
import os
import random
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HEADER = struct.Struct("<HI")
STAMP = struct.Struct("<II")  # publisher index, sequence number: the first 8 payload bytes
SUBSCRIBE, PING, PONG, ERROR, STATS_REQUEST, STATS = 2, 4, 5, 6, 7, 8
# Bundled contract types and their maximum payloads, small to large.
TYPES = [(1101, 29), (3001, 100), (1103, 224), (1104, 260), (1001, 1024), (2002, 4108)]
PUBLISHERS = 8
SUBSCRIBERS = 16
SAMPLE_INTERVAL = 10.0


def frame(type_id, payload=b""):
    return HEADER.pack(type_id, len(payload)) + payload


def connect(endpoint, blocking=True, timeout=10.0):
    kind, address = endpoint
    sock = socket.socket(socket.AF_INET if kind == "tcp" else socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect(address)
    if kind == "tcp":
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setblocking(blocking)
    if blocking:
        sock.settimeout(timeout)
    return sock


def read_frame(sock):
    """Reads one whole frame from a blocking socket: (type, payload)."""
    header = read_exactly(sock, HEADER.size)
    type_id, length = HEADER.unpack(header)
    return type_id, read_exactly(sock, length)


def read_exactly(sock, count):
    data = bytearray()
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("closed by the broker")
        data += chunk
    return bytes(data)


def round_trip(sock, frames, token):
    """Sends `frames` and a PING, and reads until its PONG: the broker has applied them."""
    sock.sendall(b"".join(frames) + frame(PING, token))
    while True:
        type_id, payload = read_frame(sock)
        if type_id == PONG and payload == token:
            return
        if type_id == ERROR:
            code = struct.unpack_from("<H", payload)[0]
            raise RuntimeError(f"ERROR {code}: {payload[2:].decode(errors='replace')}")


class Stats:
    """A connection that asks the broker for STATS."""

    def __init__(self, endpoint):
        self.sock = connect(endpoint)

    def read(self):
        self.sock.sendall(frame(STATS_REQUEST))
        while True:
            type_id, payload = read_frame(self.sock)
            if type_id == STATS:
                return json.loads(payload)

    def close(self):
        self.sock.close()


class Publisher:
    def __init__(self, index, endpoint, rate):
        self.index = index
        self.type_id, self.maximum = TYPES[index % len(TYPES)]
        self.sock = connect(endpoint, blocking=False)
        self.interval = 1.0 / rate
        self.next_send = time.monotonic()
        self.sequence = 0
        self.pending = bytearray()
        self.failed = None

    def due(self, now):
        while now >= self.next_send and len(self.pending) < (1 << 20):
            length = random.randint(STAMP.size, self.maximum)
            payload = STAMP.pack(self.index, self.sequence) + os.urandom(length - STAMP.size)
            self.pending += frame(self.type_id, payload)
            self.sequence += 1
            self.next_send += self.interval
        self.flush()

    def flush(self):
        if not self.pending or self.failed:
            return
        try:
            sent = self.sock.send(self.pending)
            del self.pending[:sent]
        except BlockingIOError:
            pass
        except OSError as error:
            self.failed = f"publisher {self.index}: {error}"


class Subscriber:
    def __init__(self, index, endpoint, type_ids, reads=True):
        self.index = index
        self.type_ids = set(type_ids)
        self.reads = reads
        self.sock = connect(endpoint)
        ids = b"".join(struct.pack("<H", t) for t in sorted(self.type_ids))
        round_trip(self.sock, [frame(SUBSCRIBE, ids)], b"ready%d" % index)
        self.sock.setblocking(False)
        self.buffer = bytearray()
        self.next_sequence = {}  # publisher index -> the sequence number expected next
        self.received = 0
        self.problems = []
        self.closed_with = None

    def readable(self):
        try:
            data = self.sock.recv(1 << 20)
        except BlockingIOError:
            return
        except OSError as error:
            data, self.closed_with = b"", str(error)
        if not data:
            self.closed_with = self.closed_with or "closed by the broker"
            return
        self.buffer += data
        offset = 0
        while len(self.buffer) - offset >= HEADER.size:
            type_id, length = HEADER.unpack_from(self.buffer, offset)
            if len(self.buffer) - offset - HEADER.size < length:
                break
            start = offset + HEADER.size
            if type_id == ERROR:
                code = struct.unpack_from("<H", self.buffer, start)[0]
                self.closed_with = f"ERROR {code}"
            elif type_id in self.type_ids:
                publisher, sequence = STAMP.unpack_from(self.buffer, start)
                expected = self.next_sequence.get(publisher, 0)
                if sequence != expected and len(self.problems) < 5:
                    self.problems.append(f"from publisher {publisher}: sequence {sequence}, expected {expected}")
                self.next_sequence[publisher] = sequence + 1
                self.received += 1
            offset = start + length
        del self.buffer[:offset]


def churn(endpoint_list, stop, counts):
    """Connects, subscribes, pings and closes, over and over (bounded by `stop`)."""
    while not stop.is_set():
        endpoint = random.choice(endpoint_list)
        try:
            sock = connect(endpoint, timeout=5.0)
            type_id = random.choice(TYPES)[0]
            round_trip(sock, [frame(SUBSCRIBE, struct.pack("<H", type_id))], b"churn")
            sock.close()
            counts["churn"] += 1
        except (OSError, RuntimeError, ConnectionError) as error:
            counts["churn_failures"] += 1
            counts["churn_last_error"] = str(error)
        stop.wait(0.05)


def garbage(endpoint_list, stop, counts):
    """Sends random bytes, sometimes after a plausible header, then closes."""
    while not stop.is_set():
        endpoint = random.choice(endpoint_list)
        try:
            sock = connect(endpoint, timeout=5.0)
            noise = os.urandom(random.randint(1, 4096))
            if random.random() < 0.5:
                noise = HEADER.pack(random.randint(0, 65535), random.randint(0, (1 << 32) - 1)) + noise
            sock.sendall(noise)
            sock.settimeout(0.2)
            try:
                sock.recv(65536)
            except OSError:
                pass
            sock.close()
            counts["garbage"] += 1
        except OSError:
            counts["garbage_refused"] += 1
        stop.wait(0.1)


def process_sample(pid):
    with open(f"/proc/{pid}/status") as status:
        rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True, help="the mycelium executable")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long traffic runs (default 60)")
    parser.add_argument("--rate", type=float, default=200.0, help="messages per second per publisher (default 200)")
    parser.add_argument("--pool", default="arena", help="the broker's pool (default arena)")
    arguments = parser.parse_args()
    warm_up = max(20.0, arguments.seconds * 0.2)

    directory = tempfile.mkdtemp(prefix="mycelium-soak.")
    unix_path = os.path.join(directory, "soak.sock")
    broker = subprocess.Popen(
        [arguments.binary, "serve", "--catalog", os.path.join(directory, "soak.db"), "--tcp", "127.0.0.1:0",
         "--unix", unix_path, "--pool", arguments.pool, "--max-pending", "2MiB"],
        stdout=subprocess.PIPE, stderr=open(os.path.join(directory, "serve.err"), "w"), text=True)
    failures = []
    try:
        line = broker.stdout.readline()
        if not line.startswith("listening "):
            raise SystemExit(f"soak: serve did not start: {line!r}; see {directory}/serve.err")
        fields = dict(part.split("=", 1) for part in line.split()[1:])
        host, port = fields["tcp"].rsplit(":", 1)
        endpoints = [("tcp", (host, int(port))), ("unix", unix_path)]

        stats = Stats(endpoints[1])
        # The second answer is the baseline: by then the STATS connection holds what an idle
        # connection that has been answered holds (its receive buffer and an output chunk).
        stats.read()
        baseline_stats = stats.read()
        baseline_rss, baseline_fds = process_sample(broker.pid)

        subscribers = []
        for index in range(SUBSCRIBERS):
            # Each subscriber takes two of the publishers' types; together they cover all six.
            type_ids = {TYPES[index % len(TYPES)][0], TYPES[(index + 2) % len(TYPES)][0]}
            subscribers.append(Subscriber(index, endpoints[index % 2], type_ids))
        # On the Unix socket, whose small buffers let the broker see the stall soon.
        stalled = Subscriber(SUBSCRIBERS, endpoints[1], [t for t, _ in TYPES], reads=False)
        publishers = [Publisher(index, endpoints[index % 2], arguments.rate) for index in range(PUBLISHERS)]

        stop = threading.Event()
        counts = {"churn": 0, "churn_failures": 0, "garbage": 0, "garbage_refused": 0, "churn_last_error": ""}
        helpers = [threading.Thread(target=work, args=(endpoints, stop, counts), daemon=True) for work in (churn, garbage)]
        for helper in helpers:
            helper.start()

        selector = selectors.DefaultSelector()
        for subscriber in subscribers:
            selector.register(subscriber.sock, selectors.EVENT_READ, subscriber)
        started = time.monotonic()
        samples = []
        next_sample = started

        def sample(phase):
            rss, fds = process_sample(broker.pid)
            document = stats.read()
            samples.append((time.monotonic() - started, phase, rss, fds, document))
            print(f"{samples[-1][0]:7.1f} s  {phase:8} rss {rss:7d} KiB  fds {fds:4d}  in_use {document['pool']['in_use']:4d}  "
                  f"connections {document['connections']:3d}  in {document['messages_in']:9d}  "
                  f"out {document['messages_out']:10d}  slow {document['slow_consumers']}", flush=True)

        # Traffic.
        while True:
            now = time.monotonic()
            if now - started >= arguments.seconds:
                break
            for publisher in publishers:
                publisher.due(now)
            for key, _ in selector.select(timeout=0.002):
                key.data.readable()
                if key.data.closed_with:
                    selector.unregister(key.fileobj)
            if now >= next_sample:
                sample("warm-up" if now - started < warm_up else "traffic")
                next_sample += SAMPLE_INTERVAL
        stop.set()
        for helper in helpers:
            helper.join(timeout=10)

        # Drain: publishers flush, subscribers catch up.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for publisher in publishers:
                publisher.flush()
            for key, _ in selector.select(timeout=0.01):
                key.data.readable()
                if key.data.closed_with:
                    selector.unregister(key.fileobj)
            done = all(not p.pending for p in publishers) and all(
                s.next_sequence.get(p.index, 0) == p.sequence
                for s in subscribers for p in publishers if p.type_id in s.type_ids)
            if done:
                break
        sample("drained")

        # Checks on traffic.
        for publisher in publishers:
            if publisher.failed:
                failures.append(publisher.failed)
        for subscriber in subscribers:
            if subscriber.closed_with:
                failures.append(f"healthy subscriber {subscriber.index} was disconnected: {subscriber.closed_with}")
            failures += [f"subscriber {subscriber.index} {problem}" for problem in subscriber.problems]
            for publisher in publishers:
                if publisher.type_id in subscriber.type_ids:
                    got = subscriber.next_sequence.get(publisher.index, 0)
                    if got != publisher.sequence:
                        failures.append(f"subscriber {subscriber.index} has {got} of publisher {publisher.index}'s "
                                        f"{publisher.sequence} messages")
        if samples[-1][4]["slow_consumers"] < 1:
            failures.append("the stalled subscriber was not disconnected as a slow consumer")
        if counts["churn"] == 0 or counts["garbage"] == 0:
            failures.append(f"churn or garbage connections did not run: {counts}")
        if counts["churn_failures"]:
            failures.append(f"{counts['churn_failures']} churn connections failed, last: {counts['churn_last_error']}")

        after_warm_up = [s for s in samples if s[1] != "warm-up"]
        if after_warm_up:
            reference = after_warm_up[0][2]
            peak = max(s[2] for s in after_warm_up)
            if peak > reference * 1.10:
                failures.append(f"RSS grew from {reference} KiB after warm-up to {peak} KiB (> 10 %)")

        # Every client closes; the broker must be back where it started.
        for client in publishers + subscribers + [stalled]:
            client.sock.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            document = stats.read()
            if document["connections"] == baseline_stats["connections"] and \
                    document["pool"]["in_use"] == baseline_stats["pool"]["in_use"]:
                break
            time.sleep(0.1)
        sample("closed")
        _, _, _, fds, document = samples[-1]
        if document["pool"]["in_use"] != baseline_stats["pool"]["in_use"]:
            failures.append(f"pool in_use is {document['pool']['in_use']} after every client closed, "
                            f"baseline {baseline_stats['pool']['in_use']}")
        if fds != baseline_fds:
            failures.append(f"{fds} open descriptors after every client closed, baseline {baseline_fds}")
        print(f"baseline: rss {baseline_rss} KiB, fds {baseline_fds}, in_use {baseline_stats['pool']['in_use']}; "
              f"published {sum(p.sequence for p in publishers)}, received by healthy subscribers "
              f"{sum(s.received for s in subscribers)}; churn {counts['churn']}, garbage {counts['garbage']}")
        stats.close()
    finally:
        if broker.poll() is None:
            broker.send_signal(signal.SIGTERM)
        try:
            status = broker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            broker.kill()
            status = "killed after 30 s"
        if status != 0:
            failures.append(f"serve exited {status} on SIGTERM; see {directory}/serve.err")

    if failures:
        print("soak: FAILED", file=sys.stderr)
        for failure in failures:
            print("  " + failure, file=sys.stderr)
        sys.exit(1)
    print(f"soak: passed ({arguments.seconds:.0f} s, pool {arguments.pool})")


if __name__ == "__main__":
    main()
