#!/usr/bin/env bash
# Reports, for every APK / XAPK / APKS of the corpus and of samples/, the SDKs
# that `humiao sdks` finds (issue 4, item 5: evaluation of the SDK catalogue).
#
# Output (stdout), two TSV blocks:
#   1. one line per SDK hit:  apk  sdk  confidence  kinds  version
#      (kinds comma-separated; version "-" when unknown). An app with no hit
#      gets one line with sdk "-"; an app humiao cannot read gets one line
#      with sdk "ERROR", confidence "-", kinds = the error kind and version =
#      the error message. The script never stops on an app that fails.
#   2. after a blank line and "# summary": one line per app:
#      apk  status  sdks  high  medium  low  ids(high+medium)  ids(low)
#      and a last "# total" line.
#
# Usage: scripts/eval-sdks.sh [CORPUS_DIR]
#   CORPUS_DIR  default $(dirname $0)/../../shared/corpus
# Env:
#   HUMIAO       humiao binary (default target/release/humiao of this checkout)
#   HUMIAO_ARGS  extra arguments for `humiao sdks`, e.g. "--rules /tmp/rules"
#   SAMPLES      samples directory (default samples/ of this checkout; "" = none)
#   TIMEOUT      seconds allowed per app (default 300)
# Needs: bash, find, sort, python3 (stdlib only); `timeout` when present.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CORPUS=${1:-$HERE/../../shared/corpus}
HUMIAO=${HUMIAO:-$ROOT/target/release/humiao}
HUMIAO_ARGS=${HUMIAO_ARGS:-}
SAMPLES=${SAMPLES-$ROOT/samples}
TIMEOUT=${TIMEOUT:-300}

if [ ! -x "$HUMIAO" ]; then
  echo "eval-sdks: no humiao binary at $HUMIAO (set HUMIAO or build with cargo build --release)" >&2
  exit 2
fi
command -v python3 >/dev/null || { echo "eval-sdks: python3 is needed" >&2; exit 2; }
TO=()
command -v timeout >/dev/null && TO=(timeout "$TIMEOUT")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/eval-sdks.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# List the inputs: label <TAB> path. Corpus files are labelled by their file
# name, samples by their path under the checkout (samples/...).
{
  if [ -d "$CORPUS" ]; then
    find "$CORPUS" -maxdepth 1 -type f \( -iname '*.apk' -o -iname '*.xapk' -o -iname '*.apks' \) |
      LC_ALL=C sort | while IFS= read -r f; do printf '%s\t%s\n' "$(basename "$f")" "$f"; done
  else
    echo "eval-sdks: corpus directory $CORPUS not found; only samples/ is evaluated" >&2
  fi
  if [ -n "$SAMPLES" ] && [ -d "$SAMPLES" ]; then
    find "$SAMPLES" -type f \( -iname '*.apk' -o -iname '*.xapk' -o -iname '*.apks' \) |
      LC_ALL=C sort | while IFS= read -r f; do printf 'samples/%s\t%s\n' "${f#"$SAMPLES"/}" "$f"; done
  fi
} > "$WORK/inputs.tsv"

n=0
while IFS=$'\t' read -r label path; do
  n=$((n + 1))
  # shellcheck disable=SC2086  # HUMIAO_ARGS is split on purpose
  "${TO[@]}" "$HUMIAO" sdks $HUMIAO_ARGS --format json --color never "$path" \
    > "$WORK/$n.json" 2> "$WORK/$n.err" < /dev/null
  rc=$?
  printf '%s\t%s\t%s\n' "$n" "$rc" "$label" >> "$WORK/runs.tsv"
done < "$WORK/inputs.tsv"

[ -s "$WORK/runs.tsv" ] || { echo "eval-sdks: no APK/XAPK/APKS found" >&2; exit 1; }

python3 - "$WORK" <<'PY'
import json, os, sys
work = sys.argv[1]

def clean(s):
    return " ".join(str(s).split())

hits, summary = [], []
for line in open(os.path.join(work, "runs.tsv"), encoding="utf-8"):
    n, rc, label = line.rstrip("\n").split("\t", 2)
    raw = open(os.path.join(work, n + ".json"), encoding="utf-8", errors="replace").read()
    err = open(os.path.join(work, n + ".err"), encoding="utf-8", errors="replace").read()
    try:
        doc = json.loads(raw) if raw.strip() else None
    except ValueError:
        doc = None
    if isinstance(doc, list):
        sdks = doc
    else:
        if isinstance(doc, dict) and "error" in doc:
            kind = doc["error"].get("kind", "error")
            msg = doc["error"].get("message", "")
        elif rc == "124":
            kind, msg = "timeout", "humiao did not finish in time"
        else:
            kind = "exit-%s" % rc
            msg = (err.strip().splitlines() or ["no output"])[-1]
        hits.append((label, "ERROR", "-", clean(kind), clean(msg)))
        summary.append((label, "error", "-", "-", "-", "-", "-", "-"))
        continue
    by = {"high": [], "medium": [], "low": []}
    for s in sdks:
        conf = s.get("confidence", "?")
        by.setdefault(conf, []).append(s["id"])
        hits.append((label, s["id"], conf, ",".join(s.get("kinds", [])) or "-",
                     clean(s.get("version") or "-")))
    if not sdks:
        hits.append((label, "-", "-", "-", "-"))
    summary.append((label, "ok", str(len(sdks)), str(len(by["high"])), str(len(by["medium"])),
                    str(len(by["low"])), ",".join(by["high"] + by["medium"]) or "-",
                    ",".join(by["low"]) or "-"))

out = sys.stdout
out.write("apk\tsdk\tconfidence\tkinds\tversion\n")
for h in hits:
    out.write("\t".join(h) + "\n")
out.write("\n# summary\napk\tstatus\tsdks\thigh\tmedium\tlow\tids_high_medium\tids_low\n")
for s in summary:
    out.write("\t".join(s) + "\n")
ok = [s for s in summary if s[1] == "ok"]
tot = lambda i: sum(int(s[i]) for s in ok)
out.write("# total\tapps=%d\tok=%d\terrors=%d\twith_sdks=%d\thits=%d\thigh=%d\tmedium=%d\tlow=%d\n" % (
    len(summary), len(ok), len(summary) - len(ok), sum(1 for s in ok if s[2] != "0"),
    tot(2), tot(3), tot(4), tot(5)))
PY
