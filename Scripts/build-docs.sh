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
# The symbol graph comes from a build of MyceliumKit alone, in a scratch path of its own so
# that the extra compiler flags do not invalidate the package's normal build in .build. The
# compiler writes a graph only when it compiles the module, so the graphs it wrote stay in
# the scratch path; an up-to-date build leaves them as they are.
emitted=$root/.build/docs-build/symbol-graphs
mkdir -p "$emitted"
swift build --package-path "$root" --scratch-path "$root/.build/docs-build" --target MyceliumKit \
    -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$emitted" \
    -Xswiftc -symbol-graph-skip-synthesized-members -Xswiftc -symbol-graph-minimum-access-level -Xswiftc public

# DocC gets MyceliumKit's graphs alone (not Logging's); this directory is also the one for
# `docc preview … --additional-symbol-graph-dir .build/docs/symbol-graphs`.
graphs=$root/.build/docs/symbol-graphs
rm -rf "$graphs"
mkdir -p "$graphs"
if [[ ! -f "$emitted/MyceliumKit.symbols.json" ]]; then
    echo "build-docs: the build wrote no MyceliumKit.symbols.json; remove .build/docs-build and run again" >&2
    exit 1
fi
cp "$emitted"/MyceliumKit.symbols.json "$graphs"/
cp "$emitted"/MyceliumKit@*.symbols.json "$graphs"/ 2>/dev/null || true

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
