#!/usr/bin/env bash
# Benchmark for issue 2: decoding identity, manifest, resources and signers
# versus `aapt dump badging` on the three largest corpus APKs, timed
# alternately in one run (hyperfine interleaves nothing, so we alternate
# ourselves: each round runs both commands once, in turn).
#
# Usage: scripts/bench-foundation.sh [ROUNDS]   (default 15)
# Needs: aapt (apt-get install -y aapt), python3.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-15}
CORPUS=${HUMIAO_CORPUS:-../shared/corpus}
command -v aapt >/dev/null || { echo "bench: aapt not found (apt-get install -y aapt)" >&2; exit 2; }
cargo build --release --locked -q
BIN=target/release/humiao
mapfile -t APKS < <(ls -S "$CORPUS"/*.apk | head -3)
python3 - "$ROUNDS" "$BIN" "${APKS[@]}" <<'PY'
import subprocess, sys, time, os, statistics
rounds = int(sys.argv[1]); binary = sys.argv[2]; apks = sys.argv[3:]
def run(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t
print(f"| APK | size MB | humiao scan --format json (median ms) | aapt dump badging (median ms) | ratio aapt/humiao |")
print(f"|---|---|---|---|---|")
for apk in apks:
    ours, theirs = [], []
    run([binary, "scan", "--format", "json", apk]); run(["aapt", "dump", "badging", apk])  # warm cache
    for _ in range(rounds):
        ours.append(run([binary, "scan", "--format", "json", apk]))
        theirs.append(run(["aapt", "dump", "badging", apk]))
    mo, mt = statistics.median(ours) * 1000, statistics.median(theirs) * 1000
    print(f"| {os.path.basename(apk)} | {os.path.getsize(apk)/1e6:.1f} | {mo:.1f} | {mt:.1f} | {mt/mo:.1f}x |")
PY
