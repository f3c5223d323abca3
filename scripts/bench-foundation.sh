#!/usr/bin/env bash
# Benchmark for the foundation: decoding identity, manifest, resources and
# signers, against `aapt dump badging`, on the three largest corpus APKs.
# Each round runs every command once, in turn (alternating, so machine noise
# hits all alike); medians are reported with ratios against aapt measured
# in the same run.
#
#   humiao scan --no-code --format json APK
#                                 : the product without code analysis: decoding
#                                   + SHA-256 of the file (hashed beside decoding)
#   decode_only APK               : the same pipeline without SHA-256 (the work aapt does)
#   aapt dump badging APK         : the reference (reads only the entries it needs, no hash)
#   sha256sum APK                 : the floor of any tool that pins the binary
#   true                          : starting any process at all (the harness's floor)
#
# Usage: scripts/bench-foundation.sh [ROUNDS]   (default 15)
# Needs: aapt (apt-get install -y aapt), python3, coreutils.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-15}
CORPUS=${HUMIAO_CORPUS:-../shared/corpus}
command -v aapt >/dev/null || { echo "bench: aapt not found (apt-get install -y aapt)" >&2; exit 2; }
cargo build --release --locked -q --bin humiao --example decode_only
mapfile -t APKS < <(ls -S "$CORPUS"/*.apk | head -3)
APKS+=(samples/kidsdemo/kidsdemo.apk)   # a small APK: fixed costs dominate
python3 - "$ROUNDS" "${APKS[@]}" <<'PY'
import sys, time, os, statistics
rounds = int(sys.argv[1]); apks = sys.argv[2:]
def cmds(apk):
    return {
        "humiao scan": ["target/release/humiao", "scan", "--no-code", "--format", "json", apk],
        "decode only": ["target/release/examples/decode_only", apk],
        "aapt badging": ["aapt", "dump", "badging", apk],
        "sha256sum": ["sha256sum", apk],
        "true": ["true"],
    }
# posix_spawn (vfork) + waitpid: the cheapest way to start a process from
# Python, so the harness adds as little as possible to either tool.
devnull = os.open(os.devnull, os.O_WRONLY)
actions = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
def run(cmd):
    t = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=actions)
    os.waitpid(pid, 0)
    return time.perf_counter() - t
print("| APK | MB | humiao scan ms | decode only ms | aapt badging ms | sha256sum ms | `true` ms | aapt / decode | aapt / scan |")
print("|---|---|---|---|---|---|---|---|---|")
for apk in apks:
    c = cmds(apk); times = {k: [] for k in c}
    for k in c: run(c[k])  # warm the page cache
    for _ in range(rounds):
        for k in c: times[k].append(run(c[k]))
    m = {k: statistics.median(v) * 1000 for k, v in times.items()}
    print(f"| {os.path.basename(apk)} | {os.path.getsize(apk)/1e6:.1f} | {m['humiao scan']:.1f} | {m['decode only']:.1f} | "
          f"{m['aapt badging']:.1f} | {m['sha256sum']:.1f} | {m['true']:.1f} | {m['aapt badging']/m['decode only']:.1f}x | {m['aapt badging']/m['humiao scan']:.2f}x |")
PY
