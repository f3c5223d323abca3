#!/usr/bin/env bash
# Peak RSS and wall time of `humiao scan --format json` (issue 5, item 5):
# the largest APK of ../shared/corpus and every file in tests/hostile/.
# Flags any input over 2 s or 512 MiB and then exits 1.
#
#   scripts/rss.sh [BINARY]
#
# BINARY defaults to $HUMIAO, else target/release/humiao if it exists, else
# target/debug/humiao (times from a debug build are not representative:
# our own code is unoptimised there). Needs GNU time as /usr/bin/time
# (Debian: apt-get install time). Peak RSS is /usr/bin/time's "Maximum
# resident set size", which counts mapped file pages the scan touched.
set -euo pipefail
cd "$(dirname "$0")/.."

MAX_SECONDS=2
MAX_KIB=$((512 * 1024))

bin=${1:-${HUMIAO:-}}
if [ -z "$bin" ]; then
    if [ -x target/release/humiao ]; then bin=target/release/humiao; else bin=target/debug/humiao; fi
fi
[ -x "$bin" ] || { echo "no humiao binary at $bin (cargo build first)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }

inputs=()
corpus=../shared/corpus
if [ -d "$corpus" ]; then
    largest=$(ls -S "$corpus"/*.apk "$corpus"/*.apks "$corpus"/*.xapk 2>/dev/null | head -n 1 || true)
    [ -n "$largest" ] && inputs+=("$largest")
else
    echo "note: $corpus absent; hostile corpus only" >&2
fi
for f in tests/hostile/*; do
    case "$f" in *.md|*.json) continue ;; esac
    inputs+=("$f")
done

echo "binary: $bin ($("$bin" --version), built $(date -r "$bin" '+%F %T'))"
printf '| %s | %s | %s | %s | %s | %s |\n' input bytes exit "wall s" "peak RSS MiB" flag
printf '|---|---|---|---|---|---|\n'
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
over=0
for f in "${inputs[@]}"; do
    rc=0
    /usr/bin/time -f '%e %M' -o "$tmp" "$bin" scan --format json "$f" >/dev/null 2>&1 || rc=$?
    read -r secs kib < <(tail -n 1 "$tmp")
    flag=""
    if awk -v s="$secs" -v m="$MAX_SECONDS" 'BEGIN { exit !(s > m) }'; then flag="over ${MAX_SECONDS} s"; fi
    if [ "$kib" -gt "$MAX_KIB" ]; then flag="${flag:+$flag, }over 512 MiB"; fi
    [ -n "$flag" ] && over=$((over + 1))
    printf '| %s | %s | %s | %s | %s | %s |\n' "$(basename "$f")" "$(stat -c %s "$f")" "$rc" "$secs" \
        "$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')" "${flag:-ok}"
done
if [ "$over" -gt 0 ]; then
    echo "$over input(s) over budget" >&2
    exit 1
fi
