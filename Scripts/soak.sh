#!/usr/bin/env bash
# Soak test: `mycelium serve` under mixed traffic for MINUTES (default 10), sampled every 10 s;
# Scripts/soak.py says what runs and what fails it. Builds the debug binary unless
# CONFIG=release.
#
#   Scripts/soak.sh 10                 # the hardening issue's 10-minute run
#   CONFIG=release Scripts/soak.sh 1
set -euo pipefail
minutes=${1:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
config=${CONFIG:-debug}
swift build --package-path "$root" -c "$config" --product mycelium >&2
binary=$(swift build --package-path "$root" -c "$config" --show-bin-path)/mycelium
exec python3 "$root/Scripts/soak.py" --binary "$binary" --seconds "$(python3 -c "print($minutes * 60)")" "${@:2}"
