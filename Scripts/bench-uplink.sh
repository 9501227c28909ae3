#!/usr/bin/env bash
# bench-uplink.sh - what a NATS uplink costs local delivery when nobody in NATS subscribes:
# one run of the external load harness against three brokers side by side (release build;
# not part of CI), all on one nats-server: no uplink, an uplink that probes for interest
# (the default), and one that sends every frame (--uplink-probe-interval 0). BENCH names the
# harness's directory (Benchmarks/README.md says what it must hold).
#
#   BENCH=../bench Scripts/bench-uplink.sh                 # 128 B, 1 -> 1 over Unix, 5 reps
#   BENCH=../bench SIZE=1024 REPS=3 Scripts/bench-uplink.sh
#
# Prints one line per run (msgs/s and the broker's CPU from pubsub-load), the median msgs/s
# per broker with its ratio to the broker without an uplink, and each uplink's STATS line.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${BENCH:?set BENCH to the load harness directory (pubsub-load.c): see Benchmarks/README.md}
SIZE=${SIZE:-128}
N=${N:-2000000}
REPS=${REPS:-5}
NATS_PORT=${NATS_PORT:-14222}
command -v nats-server >/dev/null || { echo "bench-uplink: needs nats-server (apt-get install nats-server)" >&2; exit 1; }
TMP=$(mktemp -d /tmp/mycelium-uplink.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

(cd "$ROOT" && swift build -c release --product mycelium >/dev/null)
MYCELIUM=$ROOT/.build/release/mycelium
cc -O2 -pthread -o "$TMP/pubsub-load" "$BENCH/pubsub-load.c"

nats-server -a 127.0.0.1 -p "$NATS_PORT" >"$TMP/nats.log" 2>&1 &
PIDS+=($!)
LABELS="off probing always"
declare -A PID
start() {
    local label=$1
    shift
    "$MYCELIUM" serve --catalog "$TMP/$label.db" --unix "$TMP/$label.sock" --pool arena "$@" >"$TMP/$label.log" 2>&1 &
    PID[$label]=$!
    PIDS+=($!)
}
start off
start probing --uplink "nats://127.0.0.1:$NATS_PORT"
start always --uplink "nats://127.0.0.1:$NATS_PORT" --uplink-probe-interval 0
for label in $LABELS; do
    for _ in $(seq 1 100); do
        if grep -q '^listening' "$TMP/$label.log" 2>/dev/null; then break; fi
        sleep 0.1
    done
done

for rep in $(seq 1 "$REPS"); do
    for label in $LABELS; do
        line=$("$TMP/pubsub-load" --proto tlv --unix "$TMP/$label.sock" --size "$SIZE" --count "$N" --subs 1 \
            --server-pid "${PID[$label]}" 2>&1 | grep 'msgs_per_s=' | tail -1)
        rate=$(sed 's/.*msgs_per_s=\([0-9]*\).*/\1/' <<<"$line")
        cpu=$(sed 's/.*server_cpu=\([0-9.]*\).*/\1/' <<<"$line")
        echo "$label rep $rep: $rate msgs/s, broker CPU $cpu"
        echo "$label $rate" >>"$TMP/results"
    done
done

median() { grep "^$1 " "$TMP/results" | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
base=$(median off)
for label in $LABELS; do
    value=$(median "$label")
    awk -v l="$label" -v v="$value" -v b="$base" 'BEGIN {printf "%-8s median %10.0f msgs/s  %.2fx the broker without an uplink\n", l, v, v / b}'
done
for label in probing always; do
    echo "$label: $("$MYCELIUM" stats --unix "$TMP/$label.sock" | grep '^uplink')"
done
