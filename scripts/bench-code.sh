#!/usr/bin/env bash
# Benchmark for code evidence: the full scan against the floor of merely
# extracting the entries it must read, on the largest corpus APK, the corpus
# APK with most DEX files, and a generated ~100 MB multidex APK. Rounds
# alternate the two commands; medians and the ratio are reported, with peak
# RSS against the largest inflated DEX.
#
#   floor: unzip -p APK 'classes*.dex' 'lib/arm64-v8a/*' AndroidManifest.xml resources.arsc > /dev/null
#   scan:  humiao scan --format json APK > /dev/null
#
# Usage: scripts/bench-code.sh [ROUNDS]   (default 7). Needs unzip, python3, GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-7}
CORPUS=${HUMIAO_CORPUS:-../shared/corpus}
cargo build --release --locked -q --bin humiao
BIG=${TMPDIR:-/tmp}/humiao-bench-multidex.apk
[ -f "$BIG" ] || python3 scripts/make-big-multidex.py "$BIG" 100 "$CORPUS"
APKS=("$(ls -S "$CORPUS"/*.apk | head -1)" "$CORPUS/npm-appium-uiautomator2-server-v10.6.6.apk" "$BIG")
python3 - "$ROUNDS" "${APKS[@]}" <<'PY'
import subprocess, sys, time, os, statistics, zipfile
rounds = int(sys.argv[1]); apks = sys.argv[2:]
def run(cmd):
    t = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - t, int(r.stderr.strip().splitlines()[-1])
print("| APK | MB | DEX files | largest DEX MB | floor ms | scan ms | scan / floor | scan peak RSS MB | RSS / largest DEX |")
print("|---|---|---|---|---|---|---|---|---|")
for apk in apks:
    z = zipfile.ZipFile(apk)
    dex = [i for i in z.infolist() if i.filename.startswith("classes") and i.filename.endswith(".dex")]
    largest = max(i.file_size for i in dex) / 1e6
    floor = ["unzip", "-p", apk, "classes*.dex", "lib/arm64-v8a/*", "AndroidManifest.xml", "resources.arsc"]
    scan = ["target/release/humiao", "scan", "--format", "json", apk]
    run(floor); run(scan)
    f, s, rss = [], [], []
    for _ in range(rounds):
        f.append(run(floor)[0])
        t, m = run(scan); s.append(t); rss.append(m)
    mf, ms = statistics.median(f) * 1000, statistics.median(s) * 1000
    peak = max(rss) / 1024
    print(f"| {os.path.basename(apk)} | {os.path.getsize(apk)/1e6:.1f} | {len(dex)} | {largest:.1f} | {mf:.0f} | {ms:.0f} | {ms/mf:.2f} | {peak:.0f} | {peak/largest:.1f} |")
PY
