#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 60), seeding the
# corpora from samples/ and ../shared/corpus first. Needs the nightly
# toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
# Crashes land in fuzz/artifacts/<target>/; turn each into a regression test
# under tests/data/crashers/ before fixing it.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(zip axml nsc arsc signing dex elf catalog scan)
command -v cargo-fuzz >/dev/null || { echo "fuzz: cargo-fuzz not installed (cargo install cargo-fuzz)" >&2; exit 2; }
python3 scripts/fuzz-seed.py
cd fuzz
cargo +nightly fuzz build -O
failed=()
for t in "${TARGETS[@]}"; do
  echo "== $t: ${SECS}s"
  # -rss_limit_mb: a parser must stay far below this on any input;
  # -malloc_limit_mb: no single allocation may exceed 256 MB for a 1 MB input.
  # The whole-pipeline target keeps hundreds of whole-APK inputs in memory.
  rss=1024
  [ "$t" = scan ] && rss=2560
  log=$(mktemp)
  if ! cargo +nightly fuzz run -O "$t" "corpus/$t" -- -max_total_time="$SECS" -rss_limit_mb="$rss" -malloc_limit_mb=256 -max_len=1048576 \
    -print_final_stats=1 >"$log" 2>&1; then
    failed+=("$t")
  fi
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|==|SUMMARY|Done)" "$log" || true
  rm -f "$log"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crash or failure in: ${failed[*]} (see fuzz/artifacts/)" >&2
  exit 1
fi
