#!/usr/bin/env bash
# Compares humiao's resources.arsc decoder with aapt on every APK of a corpus.
#
# For each APK holding resources.arsc:
#   * `aapt dump resources` vs `arsc_dump` (same line format): number of
#     `spec resource` lines, number of `resource 0x` lines (one per entry per
#     configuration), the set of spec lines (id + name + flags) and the set of
#     config names;
#   * the application label in every locale `aapt dump badging` prints
#     (`application-label:` and `application-label-XX:`), against
#     `arsc_dump --label ID XX`, where ID is android:label(0x01010001) of
#     <application> from `aapt dump xmltree … AndroidManifest.xml`.
#
# Usage: scripts/check-arsc-vs-aapt.sh [CORPUS_DIR] [-v]
# Needs: aapt, python3, cargo. Exit status 0 even when differences are found
# (they are explained in the report); 2 when the corpus is missing.
set -euo pipefail

corpus="${1:-/work/shared/corpus}"
verbose="${2:-}"
here="$(cd "$(dirname "$0")/.." && pwd)"

if [[ ! -d "$corpus" ]]; then
    echo "corpus not found: $corpus" >&2
    exit 2
fi
command -v aapt >/dev/null || { echo "aapt not installed" >&2; exit 2; }

(cd "$here" && cargo build --quiet --example arsc_dump)
dump="$here/target/debug/examples/arsc_dump"

export DUMP="$dump" CORPUS="$corpus" VERBOSE="$verbose"
python3 - <<'PY'
import os, re, subprocess, sys, tempfile, zipfile

dump = os.environ["DUMP"]
corpus = os.environ["CORPUS"]
verbose = os.environ.get("VERBOSE") == "-v"

LINE = re.compile(r"^\s+(type \d+ |spec resource |INVALID TYPE CONFIG|config |resource 0x)")

def run(cmd):
    p = subprocess.run(cmd, capture_output=True)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

def norm(out):
    lines = []
    for l in out.splitlines():
        if LINE.match(l):
            l = re.sub(r" \(s=0x[0-9a-f]+ r=0x[0-9a-f]+\)", "", l.strip())
            lines.append(l)
    return lines

def normalize_for_output(s):
    # ResTable::normalizeForOutput
    return s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")

def app_label_id(apk):
    rc, out, _ = run(["aapt", "dump", "xmltree", apk, "AndroidManifest.xml"])
    if rc != 0:
        return None
    in_app, depth = False, None
    for l in out.splitlines():
        m = re.match(r"^(\s*)E: (\S+)", l)
        if m:
            if m.group(2) == "application":
                in_app, depth = True, len(m.group(1))
            elif in_app:
                return None
            continue
        if in_app:
            m = re.match(r"^\s*A: (?:android:)?label\(0x01010001\)=@0x([0-9a-f]+)", l)
            if m:
                return int(m.group(1), 16)
    return None

tally = dict(apks=0, parse_ok=0, parse_err=0, aapt_err=0, spec_equal=0, res_equal=0,
             labels=0, labels_ok=0, label_apks=0)
problems = []

for name in sorted(os.listdir(corpus)):
    apk = os.path.join(corpus, name)
    if not name.endswith(".apk"):
        continue
    try:
        with zipfile.ZipFile(apk) as z:
            data = z.read("resources.arsc")
    except Exception:
        continue
    tally["apks"] += 1
    with tempfile.NamedTemporaryFile(suffix=".arsc", delete=False) as f:
        f.write(data)
        arsc = f.name
    try:
        rc, ours, err = run([dump, arsc])
        if rc != 0:
            tally["parse_err"] += 1
            problems.append(f"{name}: humiao error: {err.strip().splitlines()[-1] if err.strip() else rc}")
            continue
        tally["parse_ok"] += 1
        anomalies = sorted({l.split()[1] for l in err.splitlines() if l.startswith("anomaly:")})
        arc, theirs, aerr = run(["aapt", "dump", "resources", apk])
        if arc != 0 or "Package Groups" not in theirs:
            tally["aapt_err"] += 1
            problems.append(f"{name}: aapt could not dump resources ({aerr.strip().splitlines()[-1] if aerr.strip() else arc})")
        else:
            a, o = norm(theirs), norm(ours)
            aspec = [l for l in a if l.startswith("spec resource")]
            ospec = [l for l in o if l.startswith("spec resource")]
            ares = [l for l in a if l.startswith("resource 0x")]
            ores = [l for l in o if l.startswith("resource 0x")]
            spec_same = set(aspec) == set(ospec) and len(aspec) == len(ospec)
            res_same = sorted(ares) == sorted(ores)
            tally["spec_equal"] += spec_same
            tally["res_equal"] += res_same
            if not (spec_same and res_same):
                only_a = sorted(set(aspec) - set(ospec))
                only_o = sorted(set(ospec) - set(aspec))
                ra, ro = set(ares), set(ores)
                msg = (f"{name}: spec aapt={len(aspec)} ours={len(ospec)} "
                       f"(only aapt {len(only_a)}, only ours {len(only_o)}); "
                       f"resource lines aapt={len(ares)} ours={len(ores)} "
                       f"(only aapt {len(ra - ro)}, only ours {len(ro - ra)}); anomalies={anomalies}")
                problems.append(msg)
                if verbose:
                    for l in only_a[:5]: problems.append("    aapt: " + l)
                    for l in only_o[:5]: problems.append("    ours: " + l)
                    for l in sorted(ra - ro)[:5]: problems.append("    aapt: " + l)
                    for l in sorted(ro - ra)[:5]: problems.append("    ours: " + l)
        # Labels.
        lid = app_label_id(apk)
        rc, badging, _ = run(["aapt", "dump", "badging", apk])
        want = {}
        for l in badging.splitlines():
            m = re.match(r"^application-label(?:-([^:]+))?:'(.*)'$", l)
            if m:
                want[m.group(1) or ""] = m.group(2)
        if lid is None or not want:
            continue
        locs = sorted(want)
        tally["label_apks"] += 1
        rc, got_out, _ = run([dump, arsc, "--label", hex(lid)] + locs)
        got = {}
        for l in got_out.splitlines():
            loc, _, val = l.partition("\t")
            got[loc] = val
        for loc in locs:
            tally["labels"] += 1
            g = got.get(loc)
            if g is not None and normalize_for_output(g) == want[loc]:
                tally["labels_ok"] += 1
            else:
                problems.append(f"{name}: label {hex(lid)} locale '{loc}': aapt={want[loc]!r} ours={g!r}")
    finally:
        os.unlink(arsc)

print("== differences")
for p in problems:
    print(p)
print("== tally")
print(f"APKs with resources.arsc: {tally['apks']}")
print(f"parsed by humiao: {tally['parse_ok']}, humiao errors: {tally['parse_err']}, aapt dump failures: {tally['aapt_err']}")
print(f"same spec lines as aapt: {tally['spec_equal']}; same resource lines: {tally['res_equal']}")
print(f"application labels equal: {tally['labels_ok']}/{tally['labels']} (locale lines) in {tally['label_apks']} APKs with a label resource")
PY
