#!/usr/bin/env bash
# bench-connections.sh - memory at connection scale: `mycelium serve` (release) beside
# nats-server, each with N connections that subscribe and idle, then a burst every
# subscriber receives, then one trim interval (not part of CI).
#
#   Scripts/bench-connections.sh            # 10,000 connections
#   Scripts/bench-connections.sh 2000       # fewer
#   POOL=mutex LOOPS=2 BURST=65536 TRIM=10s Scripts/bench-connections.sh
#   MYCELIUM=path/to/mycelium Scripts/bench-connections.sh   # that binary, no build
#
# For each broker it prints the resident memory (VmRSS) before any connection, idle with
# N subscribers (and the growth per connection), just after the burst (and the peak,
# VmHWM) and one trim interval later; for mycelium also the pool's in_use, bytes_reserved
# and misses from `mycelium stats --json`. The burst: one more connection publishes BURST
# bytes of 128-byte BenchFrame messages (type 1001; NATS subject `bench`) and every
# subscriber reads all of them. Needs python3 and a descriptor limit above N (it raises
# the soft limit to the hard one); NATS needs /usr/sbin/nats-server (or NATS_SERVER).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONNECTIONS=${1:-10000}
POOL=${POOL:-arena}
LOOPS=${LOOPS:-1}
BURST=${BURST:-65536}
TRIM=${TRIM:-10s}
NATS_SERVER=${NATS_SERVER:-/usr/sbin/nats-server}
TMP=$(mktemp -d /tmp/mycelium-connections.XXXXXX)
PIDS=()
log() { echo "[bench-connections $(date +%H:%M:%S)] $*" >&2; }
cleanup() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -le $((CONNECTIONS + 100)) ]; then
    log "the descriptor limit $(ulimit -n) is too low for $CONNECTIONS connections; raise the hard limit (ulimit -Hn)"
    exit 1
fi
trim_seconds=$(python3 -c "import sys; t=sys.argv[1]; print(float(t[:-2])/1000 if t.endswith('ms') else float(t.rstrip('s')))" "$TRIM")
settle=$(python3 -c "print($trim_seconds + 2)")

if [ -z "${MYCELIUM:-}" ]; then
    log "building mycelium (release)"
    (cd "$ROOT" && swift build -c release --product mycelium >/dev/null)
    MYCELIUM=$ROOT/.build/release/mycelium
fi

log "mycelium serve --pool $POOL --loops $LOOPS --trim-interval $TRIM, $CONNECTIONS connections"
"$MYCELIUM" serve --catalog "$TMP/catalog.db" --tcp 127.0.0.1:0 --pool "$POOL" --loops "$LOOPS" \
    --trim-interval "$TRIM" --max-connections $((CONNECTIONS + 10)) >"$TMP/serve.out" 2>"$TMP/serve.err" &
pid=$!
PIDS+=("$pid")
for _ in $(seq 1 100); do
    grep -q '^listening' "$TMP/serve.out" 2>/dev/null && break
    sleep 0.1
done
port=$(sed -n 's/.*tcp=[^ ]*:\([0-9]*\).*/\1/p' "$TMP/serve.out" | head -1)
[ -n "$port" ] || { log "mycelium did not start: $(cat "$TMP/serve.err")"; exit 1; }
python3 "$ROOT/Scripts/connection-scale.py" --protocol tlv --port "$port" --pid "$pid" \
    --connections "$CONNECTIONS" --burst "$BURST" --settle "$settle" \
    --stats "$MYCELIUM stats --json --tcp 127.0.0.1:$port" | tee "$TMP/mycelium.jsonl"

if [ -x "$NATS_SERVER" ]; then
    log "nats-server, $CONNECTIONS connections"
    "$NATS_SERVER" -a 127.0.0.1 -p 0 --ports_file_dir "$TMP" >"$TMP/nats.log" 2>&1 &
    nats=$!
    PIDS+=("$nats")
    for _ in $(seq 1 100); do
        ls "$TMP"/*.ports >/dev/null 2>&1 && break
        sleep 0.1
    done
    nats_port=$(python3 -c "import json,glob; print(json.load(open(glob.glob('$TMP/*.ports')[0]))['nats'][0].rsplit(':',1)[1])")
    python3 "$ROOT/Scripts/connection-scale.py" --protocol nats --port "$nats_port" --pid "$nats" \
        --connections "$CONNECTIONS" --burst "$BURST" --settle "$settle" | tee "$TMP/nats.jsonl"
else
    log "no $NATS_SERVER: skipping the NATS comparison"
    : >"$TMP/nats.jsonl"
fi

python3 - "$TMP/mycelium.jsonl" "$TMP/nats.jsonl" "$CONNECTIONS" "$LOOPS" <<'EOF'
import json, sys
n, loops = int(sys.argv[3]), int(sys.argv[4])
print(f"\n{n} connections, each subscribed; burst: every subscriber receives the same messages")
print(f"{'broker':<9} {'phase':<8} {'RSS KiB':>9} {'peak KiB':>9} {'B/conn':>7} {'in_use':>7} {'reserved':>11} {'misses':>7}")
for name, path in (("mycelium", sys.argv[1]), ("nats", sys.argv[2])):
    phases = {}
    for line in open(path):
        entry = json.loads(line)
        phases[entry["phase"]] = entry
    if not phases:
        continue
    start = phases["start"]["rss_kib"]
    for phase in ("start", "idle", "burst", "trimmed"):
        e = phases[phase]
        per = f"{(e['rss_kib'] - start) * 1024 / n:.0f}" if phase != "start" else ""
        print(f"{name:<9} {phase:<8} {e['rss_kib']:>9} {e['peak_rss_kib']:>9} {per:>7} "
              f"{e.get('in_use', ''):>7} {e.get('bytes_reserved', ''):>11} {e.get('misses', ''):>7}")
    if name == "mycelium":
        idle, trimmed = phases["idle"], phases["trimmed"]
        growth = (idle["rss_kib"] - start) * 1024 / n
        print(f"targets: in_use {idle['in_use']} <= {loops + 1}: {idle['in_use'] <= loops + 1}; "
              f"misses {trimmed['misses']} == 0: {trimmed['misses'] == 0}; "
              f"growth {growth:.0f} B/conn <= 10240: {growth <= 10240}; "
              f"after trim {trimmed['rss_kib']} KiB <= 2x idle {2 * idle['rss_kib']}: {trimmed['rss_kib'] <= 2 * idle['rss_kib']}")
EOF
