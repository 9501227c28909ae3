#!/usr/bin/env bash
# Builds MyceliumKit's DocC archive from Sources/MyceliumKit/MyceliumKit.docc and the module's
# symbol graph, and fails on any DocC warning (a broken symbol link, a missing article) or on
# a public symbol without a doc comment.
#
#   Scripts/build-docs.sh [OUTPUT_DIR]     # default .build/docs/MyceliumKit.doccarchive
#
# Uses the toolchain's `docc` (no swift-docc-plugin dependency); set DOCC to use another.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
output=${1:-$root/.build/docs/MyceliumKit.doccarchive}
docc=${DOCC:-$(command -v docc || echo /opt/swift/usr/bin/docc)}
# Kept after the run, for `docc preview … --additional-symbol-graph-dir .build/docs/symbol-graphs`.
graphs=$root/.build/docs/symbol-graphs
rm -rf "$graphs"
mkdir -p "$graphs"

# The symbol graph comes from a build of MyceliumKit alone, in a scratch path of its own so
# that the extra compiler flags do not invalidate the package's normal build in .build.
swift build --package-path "$root" --scratch-path "$root/.build/docs-build" --target MyceliumKit \
    -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$graphs" \
    -Xswiftc -symbol-graph-skip-synthesized-members -Xswiftc -symbol-graph-minimum-access-level -Xswiftc public
# Only MyceliumKit's graphs: its dependencies' (Logging) are not this catalog's.
find "$graphs" -maxdepth 1 -name '*.symbols.json' \
    ! -name 'MyceliumKit.symbols.json' ! -name 'MyceliumKit@*.symbols.json' -delete
if [[ ! -f "$graphs/MyceliumKit.symbols.json" ]]; then
    echo "build-docs: the build wrote no MyceliumKit.symbols.json" >&2
    exit 1
fi

# DocC does not warn about a public symbol without a doc comment; this does. Symbols with no
# source location (a raw-value enum's init(rawValue:)) are the compiler's, documented by their
# protocol.
undocumented=$(
    python3 -c '
import json, sys
for symbol in json.load(open(sys.argv[1]))["symbols"]:
    location = symbol.get("location")
    if location and not symbol.get("docComment", {}).get("lines"):
        place = location["uri"].removeprefix("file://") + ":" + str(location["position"]["line"] + 1)
        print("  " + place + ": " + ".".join(symbol["pathComponents"]))
' "$graphs/MyceliumKit.symbols.json"
)
if [[ -n "$undocumented" ]]; then
    echo "build-docs: public symbols without a doc comment:" >&2
    echo "$undocumented" >&2
    exit 1
fi

rm -rf "$output"
mkdir -p "$(dirname "$output")"
"$docc" convert "$root/Sources/MyceliumKit/MyceliumKit.docc" \
    --additional-symbol-graph-dir "$graphs" \
    --fallback-display-name MyceliumKit \
    --fallback-bundle-identifier org.mycelium.MyceliumKit \
    --output-dir "$output" \
    --warnings-as-errors
echo "build-docs: $output"
