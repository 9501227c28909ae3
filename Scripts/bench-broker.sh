#!/usr/bin/env bash
# bench-broker.sh - end-to-end figures for `mycelium serve` against the C reference broker
# and NATS, in one run of an external load harness (release build; not part of CI). BENCH
# names the harness's directory: Benchmarks/README.md says what it must hold.
#
#   Scripts/bench-broker.sh            # every figure issues 4 and 13 ask for
#   POOLS="arena" SIZES=128 REPS=1 Scripts/bench-broker.sh   # a quick look
#   BASELINE=../main-before/.build/release/mycelium Scripts/bench-broker.sh   # before/after
#   SERVE_ARGS="--copy-threshold 512" Scripts/bench-broker.sh   # another broker setting
#
# BASELINE names a mycelium binary built from another tree (main before a change, say): the
# PEERS phase then also runs it, per pool, labelled baseline-POOL, so that a change is
# compared with what it replaces in one run, beside the same C reference.
#
# SIZES (payload bytes, default 16 to 64 KiB) and SUBS (subscribers) span the PEERS phase;
# nats-server takes every default size (its max_payload is 1 MiB). A run publishes N messages
# (8,000,000), fewer from 128 B on: at most MAX_BYTES (512 MiB) of payload per subscriber, so
# that a 64 KiB run lasts a second, not minutes. Runs much shorter than that measure start-up:
# at N=500,000 a 16 B run lasts 10 ms, and 128 B 1 -> 4 over Unix read 1.37x the C reference's
# CPU per message where 4,000,000 messages read 1.01x (seven alternations each).
#
# Phases (each can be skipped with SKIP_<PHASE>=1); Scripts/cpu-per-message.py turns the
# PEERS results into CPU per delivered message with ratios:
#   PEERS     run_peers.sh throughput: mycelium (one broker per pool, TCP and Unix) beside
#             tlv-ref-broker and nats-server; median of REPS; CPU per delivered message
#   LATENCY   run_peers.sh latency (pubsub-load --mode latency, 1 subscriber, TCP and Unix)
#             at LAT_SIZES, the same brokers beside tlv-ref-broker and nats-server
#   MALLOC    heap allocations per forwarded message at MALLOC_SIZES (malloc_count shim on
#             one broker process: a short and a long run, the difference of their counts
#             over the difference of their messages, so per-run setup is left out)
#   CALLGRIND instructions per forwarded message, mycelium vs tlv-ref-broker, counted after
#             a warm-up with callgrind_control (only with CALLGRIND=1; see the phase)
#             ... and the pool hit rate from STATS after those runs
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${BENCH:?set BENCH to the load harness directory (pubsub-load.c, tlv-ref-broker.c, malloc_count.c, run_peers.sh): see Benchmarks/README.md}
WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/mycelium-bench}
POOLS=${POOLS:-"arena mutex lockfree"}
SIZES=${SIZES:-"16 128 512 1024 4096 16384 65536"}
LAT_SIZES=${LAT_SIZES:-"128 4096"}
MALLOC_SIZES=${MALLOC_SIZES:-"128 1024 4096 16384 65536"}
# SERVE_ARGS is split into words on purpose: extra `mycelium serve` options.
read -r -a SERVE_ARGS <<<"${SERVE_ARGS:-}"
SUBS=${SUBS:-"1 4"}
REPS=${REPS:-3}
N=${N:-8000000}
MAX_BYTES=${MAX_BYTES:-$((512 << 20))}
CG_N=${CG_N:-200000}
mkdir -p "$WORK"
TMP=$(mktemp -d /tmp/mycelium-bench.XXXXXX)
PIDS=()
log() { echo "[bench-broker $(date +%H:%M:%S)] $*" >&2; }
cleanup() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
# messages SIZE -> N, or fewer so that one run carries at most MAX_BYTES of payload per subscriber
messages() { local cap=$((MAX_BYTES / $1)); echo $((N < cap ? N : cap)); }

log "building mycelium (release) and the harness"
(cd "$ROOT" && swift build -c release --product mycelium >/dev/null)
MYCELIUM=$ROOT/.build/release/mycelium
cc -O2 -pthread -o "$WORK/pubsub-load" "$BENCH/pubsub-load.c"
cc -O2 -pthread -o "$WORK/tlv-ref-broker" "$BENCH/tlv-ref-broker.c"
cc -O2 -shared -fPIC -o "$WORK/malloc_count.so" "$BENCH/malloc_count.c"
LOAD=$WORK/pubsub-load

# The bundled contracts with BenchFrame (type 1001, what pubsub-load sends) raised to the
# largest payload measured: the bundled 1 KiB maximum would refuse the larger sizes.
largest=$(printf '%s\n' $SIZES $LAT_SIZES $MALLOC_SIZES 1024 | sort -n | tail -1)
sed "s/FixedVec<uint8, 1024>/FixedVec<uint8, $largest>/" "$ROOT/Sources/ContractStore/BundledContracts/contracts.yaml" \
    >"$TMP/bench-contracts.yaml"

# start_broker LABEL PRELOAD ARGS... -> prints "pid tcp-port unix-path" once listening;
# SERVE_ARGS go to this tree's binary only (BASELINE may predate them).
start_broker() {
    local label=$1 preload=$2
    shift 2
    local out=$TMP/$label.out
    local extra=()
    [ -n "${BINARY:-}" ] || extra=("${SERVE_ARGS[@]}")
    "${BINARY:-$MYCELIUM}" import --catalog "$TMP/$label.db" "$TMP/bench-contracts.yaml" >/dev/null
    env ${preload:+LD_PRELOAD=$preload} "${BINARY:-$MYCELIUM}" serve --catalog "$TMP/$label.db" \
        --tcp 127.0.0.1:0 --unix "$TMP/$label.sock" "${extra[@]}" "$@" >"$out" 2>"$TMP/$label.err" &
    local pid=$!
    # This runs in the caller's process substitution: the caller adds the pid to PIDS.
    for _ in $(seq 1 100); do
        if grep -q '^listening' "$out" 2>/dev/null; then break; fi
        sleep 0.1
    done
    local port
    port=$(sed -n 's/.*tcp=[^ ]*:\([0-9]*\).*/\1/p' "$out" | head -1)
    [ -n "$port" ] || { log "$label did not start: $(cat "$TMP/$label.err")"; exit 1; }
    echo "$pid $port $TMP/$label.sock"
}

if [ "${SKIP_PEERS:-0}" != 1 ]; then
    extra=""
    for pool in $POOLS; do
        read -r pid port sock < <(start_broker "peers-$pool" "" --pool "$pool")
        PIDS+=("$pid")
        extra+="mycelium-$pool-tcp|tlv|--tcp 127.0.0.1:$port|$pid;mycelium-$pool-unix|tlv|--unix $sock|$pid;"
        if [ -n "${BASELINE:-}" ]; then
            read -r pid port sock < <(BINARY=$BASELINE start_broker "baseline-$pool" "" --pool "$pool")
            PIDS+=("$pid")
            extra+="baseline-$pool-tcp|tlv|--tcp 127.0.0.1:$port|$pid;baseline-$pool-unix|tlv|--unix $sock|$pid;"
        fi
    done
    # One run_peers per size (each with its own N), every target interleaved within it; the
    # results go into one file for Scripts/cpu-per-message.py.
    stamp=$(date +%Y%m%d-%H%M%S)
    all=$WORK/results/bench-broker-$stamp.txt
    mkdir -p "$WORK/results"
    : >"$all"
    for size in $SIZES; do
        log "run_peers: $POOLS beside tlvref and nats, size $size (REPS=$REPS, N=$(messages "$size"))"
        BENCH_WORK=$WORK TARGETS="nats-tcp tlvref-tcp tlvref-unix" EXTRA_TARGETS=${extra%;} \
            SIZES=$size SUBS=$SUBS REPS=$REPS N=$(messages "$size") SKIP_LAT=1 \
            RESULTS=$WORK/results/bench-broker-$stamp-$size.txt "$BENCH/run_peers.sh" >/dev/null
        cat "$WORK/results/bench-broker-$stamp-$size.txt" >>"$all"
    done
    log "raw results: $all"
    python3 "$ROOT/Scripts/cpu-per-message.py" "$all"
    if [ "${SKIP_LATENCY:-0}" != 1 ]; then
        log "latency: $POOLS beside tlvref and nats, sizes $LAT_SIZES (REPS=$REPS)"
        BENCH_WORK=$WORK TARGETS="nats-tcp tlvref-tcp tlvref-unix" EXTRA_TARGETS=${extra%;} \
            SIZES=$LAT_SIZES LAT_SUBS=1 REPS=$REPS SKIP_TPUT=1 \
            RESULTS=$WORK/results/bench-broker-$stamp-latency.txt "$BENCH/run_peers.sh" >/dev/null
        python3 "$ROOT/Scripts/latency-ratios.py" "$WORK/results/bench-broker-$stamp-latency.txt"
    fi
fi

if [ "${SKIP_MALLOC:-0}" != 1 ]; then
    for pool in $POOLS; do
        read -r pid port sock < <(start_broker "malloc-$pool" "$WORK/malloc_count.so" --pool "$pool")
        PIDS+=("$pid")
        for size in $MALLOC_SIZES; do
            # Three snapshots around a short and a long run: their difference divided by the
            # extra messages leaves out what a run costs once (connections, subscriptions).
            # At least 50,000 messages: with MAX_BYTES's 8,192 at 64 KiB, one-off growth of a
            # queue's storage read as 0.001 allocations per message (0.000000 at 65,536).
            n=$(messages "$size")
            [ "$n" -lt 50000 ] && n=50000
            short=$((n / 10))
            snapshot() { kill -USR1 "$pid"; sleep 0.3; grep sigusr1 "$TMP/malloc-$pool.err" | tail -1 | sed 's/.*total=\([0-9]*\).*/\1/'; }
            "$LOAD" --proto tlv --tcp "127.0.0.1:$port" --size "$size" --count "$short" --subs 4 >/dev/null
            s0=$(snapshot)
            "$LOAD" --proto tlv --tcp "127.0.0.1:$port" --size "$size" --count "$short" --subs 4 >/dev/null
            s1=$(snapshot)
            "$LOAD" --proto tlv --tcp "127.0.0.1:$port" --size "$size" --count "$n" --subs 4 >/dev/null
            s2=$(snapshot)
            python3 -c "short=$s1-$s0; long=$s2-$s1; extra=($n-$short)*4; print(f'malloc pool=$pool size=$size run_mallocs={short}/{long} (short/long run) extra_forwarded={extra} per_message={(long-short)/extra:.6f}')"
        done
        "$MYCELIUM" stats --unix "$sock" --json | python3 "$ROOT/Scripts/stats-line.py" "$pool"
        kill -TERM "$pid"
    done
fi

# Off by default: valgrind 3.19 (Debian 12) cannot read Swift's DWARF 5 debug info, and on a
# binary stripped of it (strip --strip-debug) it crashes inside valgrind when serve starts its
# threads. The C reference counts fine. Set CALLGRIND=1 with a newer valgrind.
if [ "${CALLGRIND:-0}" = 1 ] && command -v valgrind >/dev/null; then
    # instructions per forwarded message, 128 B, 1 -> 1, TCP: after a warm-up, zero the
    # counters, run CG_N messages, dump, and divide the dump's total by CG_N.
    count_ir() { # label command...
        local label=$1
        shift
        valgrind --tool=callgrind --callgrind-out-file="$TMP/cg-$label.%p" "$@" >"$TMP/cg-$label.out" 2>"$TMP/cg-$label.err" &
        local pid=$!
        PIDS+=("$pid")
        local port=""
        for _ in $(seq 1 300); do
            port=$(sed -n 's/.*tcp=[^ ]*:\([0-9]*\).*/\1/p' "$TMP/cg-$label.out" | head -1)
            [ -n "$port" ] && break
            sleep 0.1
        done
        [ -n "$port" ] || port=$CG_PORT
        sleep 1
        "$LOAD" --proto tlv --tcp "127.0.0.1:$port" --size 128 --count 20000 --subs 1 --timeout 300 >/dev/null
        callgrind_control -z "$pid" >/dev/null
        "$LOAD" --proto tlv --tcp "127.0.0.1:$port" --size 128 --count "$CG_N" --subs 1 --timeout 600 >/dev/null
        callgrind_control -d "$pid" >/dev/null
        sleep 1
        local ir
        ir=$(cat "$TMP"/cg-"$label".*.[0-9]* 2>/dev/null | sed -n 's/^summary: \([0-9]*\).*/\1/p;s/^totals: \([0-9]*\).*/\1/p' | tail -1)
        kill -TERM "$pid" 2>/dev/null || true
        python3 -c "print(f'callgrind $label instructions={$ir} per_message={$ir/$CG_N:.1f}')"
    }
    CG_PORT=17999
    count_ir tlvref "$WORK/tlv-ref-broker" --tcp "127.0.0.1:$CG_PORT" --max-seconds 3600
    for pool in $POOLS; do
        count_ir "mycelium-$pool" "$MYCELIUM" serve --catalog "$TMP/cg-$pool.db" --tcp 127.0.0.1:0 --unix "$TMP/cg-$pool.sock" --pool "$pool"
    done
fi
