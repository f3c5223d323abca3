#!/usr/bin/env bash
# Compares humiao's DEX reader (examples/dex_dump.rs) with Debian's `dexdump`.
#
# 1. Headers: for every .apk, .jar and .dex in the corpus and samples/, per
#    DEX file: class_defs_size, method_ids_size, string_ids_size,
#    type_ids_size, proto_ids_size, field_ids_size against `dexdump -f`.
# 2. References: for the smaller inputs (samples/kidsdemo, samples/v1only,
#    tests/data/dex/tiny.dex and every corpus input up to MAX_D_BYTES), the
#    SET of (dex, caller class, callee method) pairs from every invoke-*,
#    (dex, caller class, string@N) from const-string(/jumbo) and
#    (dex, caller class, call_site@N) from invoke-custom against
#    `dexdump -d`.
#
# dexdump runs with -i (ignore checksum failures) so that a DEX with a bad
# checksum is still compared; our reader reports it as an anomaly.
#
# Usage: scripts/check-dex-vs-dexdump.sh [--write-golden] [CORPUS_DIR]
#        (CORPUS_DIR defaults to ../shared/corpus). --write-golden also writes
#        dexdump's figures to tests/data/dex/corpus-dexdump.tsv, which
#        tests/dex.rs checks without needing dexdump.
# Env:   MAX_D_BYTES (default 2500000): size limit for the reference check.
# Exit:  0 when everything matches, 1 on a difference, 2 on a missing tool.
set -euo pipefail
cd "$(dirname "$0")/.."
GOLDEN=
if [ "${1:-}" = "--write-golden" ]; then
  GOLDEN=tests/data/dex/corpus-dexdump.tsv
  shift
fi
CORPUS=${1:-../shared/corpus}
MAX_D_BYTES=${MAX_D_BYTES:-2500000}
command -v dexdump >/dev/null || { echo "check-dex: dexdump not installed (apt-get install dexdump)" >&2; exit 2; }
[ -d "$CORPUS" ] || { echo "check-dex: corpus $CORPUS missing" >&2; exit 2; }
cargo build --release --quiet --example dex_dump
DUMP=target/release/examples/dex_dump
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

inputs=(samples/kidsdemo/kidsdemo.apk samples/v1only/v1only.apk samples/malformed/corrupt-dex-checksum.apk tests/data/dex/tiny.dex)
for f in "$CORPUS"/*.apk "$CORPUS"/*.jar "$CORPUS"/*.dex; do
  [ -f "$f" ] && inputs+=("$f")
done

python3 - "$DUMP" "$TMP" "$MAX_D_BYTES" "$CORPUS" "$GOLDEN" "${inputs[@]}" <<'PY'
import hashlib, os, re, subprocess, sys

dump, tmp, max_d, corpus, golden = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
inputs = sys.argv[6:]
rows = []
FIELDS = ["class_defs_size", "method_ids_size", "string_ids_size", "type_ids_size", "proto_ids_size", "field_ids_size"]
opened = re.compile(r"^Opened '(.*)', DEX version")

def dex_name(path_in_output, input_path):
    # dexdump prints "x.apk" for the first DEX of a zip, "x.apk:classes2.dex"
    # for the next ones, and "x.dex" for a raw DEX.
    if path_in_output != input_path and ":" in os.path.basename(path_in_output):
        return path_in_output.rsplit(":", 1)[1]
    with open(input_path, "rb") as f:
        raw = f.read(4) == b"dex\n"
    return os.path.basename(input_path) if raw else "classes.dex"

def dexdump_headers(path):
    p = subprocess.run(["dexdump", "-i", "-f", path], capture_output=True, text=True, errors="replace")
    out, cur = {}, None
    for line in p.stdout.splitlines():
        m = opened.match(line)
        if m:
            cur = dex_name(m.group(1), path)
            out[cur] = {}
            continue
        if cur is not None:
            k, _, v = line.partition(":")
            k = k.strip()
            if k in FIELDS:
                out[cur][k] = int(v.split()[0])
    return out, p.returncode, p.stderr.strip().splitlines()[-1:] if p.returncode else []

def our_headers(path):
    p = subprocess.run([dump, path, "--header"], capture_output=True, text=True)
    out = {}
    for line in p.stdout.splitlines():
        name, *kv = line.split()
        out[name] = {k: int(v) for k, v in (x.split("=") for x in kv) if k in FIELDS}
    return out, p.returncode, p.stderr.strip().splitlines()

instr = re.compile(r"\|[0-9a-f]{4}: (\S+) (.*)$")

def dexdump_pairs(path):
    p = subprocess.run(["dexdump", "-i", "-d", path], capture_output=True, text=True, errors="surrogateescape")
    pairs, dex, cls, pending = set(), None, None, False
    # Split on "\n" only: string constants may hold other line breaks, and
    # a "\n" inside one continues the instruction on the next lines.
    for line in p.stdout.split("\n"):
        if pending:
            n = re.search(r"// string@([0-9a-f]+)$", line)
            if n:
                pairs.add((dex, "S", cls, "string@%d" % int(n.group(1), 16)))
                pending = False
            continue
        m = opened.match(line)
        if m:
            dex = dex_name(m.group(1), path)
            continue
        if line.startswith("  Class descriptor  : '"):
            cls = line.split("'")[1]
            continue
        m = instr.search(line)
        if not m:
            continue
        op, rest = m.groups()
        if op.startswith("invoke-custom"):
            n = re.search(r"call_site@([0-9a-f]+)", rest)
            pairs.add((dex, "C", cls, "call_site@%d" % int(n.group(1), 16)))
        elif op.startswith("invoke-"):
            body = rest.rsplit(" // ", 1)[0]
            target = body.split("}, ", 1)[1]
            if op.startswith("invoke-polymorphic"):
                target = target.rsplit(", ", 1)[0]  # drop the call-site proto
            pairs.add((dex, "M", cls, target))
        elif op.startswith("const-string"):
            n = re.search(r"// string@([0-9a-f]+)$", rest)
            if n:
                pairs.add((dex, "S", cls, "string@%d" % int(n.group(1), 16)))
            else:
                pending = True
    return pairs, p.returncode

def our_pairs(path):
    p = subprocess.run([dump, path, "--pairs"], capture_output=True, text=True, errors="surrogateescape")
    pairs = set(tuple(l.split("\t")) for l in p.stdout.split("\n") if l)
    return pairs, p.returncode, [l for l in p.stderr.splitlines() if l.startswith("anomaly")]

tally = dict(files=0, dex=0, header_ok=0, header_diff=0, dexdump_failed=0, ours_failed=0,
             ref_files=0, ref_dex=0, ref_ok=0, ref_diff=0, pairs=0)
problems = []
for path in inputs:
    tally["files"] += 1
    theirs, rc_t, err_t = dexdump_headers(path)
    ours, rc_o, err_o = our_headers(path)
    name = os.path.relpath(path)
    if not theirs:
        tally["dexdump_failed"] += 1
        print(f"note: {name}: dexdump read no DEX (exit {rc_t}: {' '.join(err_t)}); ours: {len(ours)} DEX (exit {rc_o}) {' '.join(err_o)}")
        continue
    rel = ("corpus/" + os.path.relpath(path, corpus)) if os.path.abspath(path).startswith(os.path.abspath(corpus) + os.sep) else path
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    file_rows = {}
    for dex, want in theirs.items():
        file_rows[dex] = [rel, digest, dex] + [str(want.get(k, "")) for k in FIELDS] + ["-"]
        tally["dex"] += 1
        got = ours.get(dex)
        if got is None:
            tally["ours_failed"] += 1
            problems.append(f"{name}: {dex}: dexdump reads it, we do not: {' '.join(err_o)}")
        elif got != want:
            tally["header_diff"] += 1
            diff = {k: (got.get(k), want.get(k)) for k in FIELDS if got.get(k) != want.get(k)}
            problems.append(f"{name}: {dex}: header differs (ours, dexdump): {diff}")
        else:
            tally["header_ok"] += 1
    for dex in set(ours) - set(theirs):
        problems.append(f"{name}: {dex}: we read it, dexdump does not")
    rows.extend(file_rows.values())
    if os.path.getsize(path) > max_d and not path.startswith(("samples/", "tests/")):
        continue
    tally["ref_files"] += 1
    tp, rc = dexdump_pairs(path)
    op, _, anomalies = our_pairs(path)
    for a in anomalies:
        print(f"note: {name}: {a}")
    for dex in sorted({p[0] for p in tp} | {p[0] for p in op}):
        t = {p for p in tp if p[0] == dex}
        o = {p for p in op if p[0] == dex}
        tally["ref_dex"] += 1
        tally["pairs"] += len(t)
        if dex in file_rows:
            file_rows[dex][-1] = str(len(t))
        if t == o:
            tally["ref_ok"] += 1
        else:
            tally["ref_diff"] += 1
            only_t, only_o = sorted(t - o), sorted(o - t)
            problems.append(f"{name}: {dex}: reference sets differ: {len(only_t)} only in dexdump, {len(only_o)} only in ours")
            for p in only_t[:5]:
                problems.append(f"    dexdump only: {p}")
            for p in only_o[:5]:
                problems.append(f"    ours only:    {p}")

if golden:
    with open(golden, "w") as f:
        f.write("# dexdump's figures per DEX, written by scripts/check-dex-vs-dexdump.sh --write-golden;\n")
        f.write("# pairs = distinct (caller class, callee method | string@N | call_site@N) from dexdump -d, - if not computed\n")
        f.write("\t".join(["file", "sha256", "dex"] + FIELDS + ["pairs"]) + "\n")
        for r in sorted(rows):
            f.write("\t".join(r) + "\n")
    print(f"wrote {golden} ({len(rows)} rows)")
for p in problems:
    print(p)
print("tally: {files} inputs, {dex} DEX files read by dexdump; headers equal {header_ok}, differ {header_diff}, "
      "missed by us {ours_failed}; inputs dexdump could not read {dexdump_failed}".format(**tally))
print("tally: references compared for {ref_files} inputs / {ref_dex} DEX files ({pairs} distinct pairs): "
      "equal {ref_ok}, differ {ref_diff}".format(**tally))
sys.exit(1 if problems else 0)
PY
