#!/usr/bin/env bash
# Compares humiao's native-library reader (src/formats/elf.rs, through
# examples/elf_dump) with binutils' readelf on every lib/**.so entry of every
# APK in a corpus.
#
# For each .so (extracted with python3's zipfile to a temporary directory):
#   * SONAME            `readelf -d -W`     vs `soname`
#   * NEEDED (as a set) `readelf -d -W`     vs `needed`
#   * exported Java_*   `readelf --dyn-syms -W` (defined, GLOBAL/WEAK,
#                       DEFAULT/PROTECTED)  vs `jni_exports[].symbol`
#   * JNI_OnLoad        same symbol table   vs `has_jni_onload`
#   * imports of interest: undefined GLOBAL/WEAK symbols that appear in
#                       IMPORTS_OF_INTEREST  vs `imports_of_interest`
# A file readelf cannot read and humiao refuses counts as agreement.
#
# Usage: scripts/check-elf-vs-readelf.sh [CORPUS_DIR] [-v]
# Needs: readelf (binutils), python3, cargo. Exit status 0 even when
# differences are found (they are listed); 2 when the corpus is missing.
set -euo pipefail

corpus="${1:-/work/shared/corpus}"
verbose="${2:-}"
here="$(cd "$(dirname "$0")/.." && pwd)"

if [[ ! -d "$corpus" ]]; then
    echo "corpus not found: $corpus" >&2
    exit 2
fi
command -v readelf >/dev/null || { echo "readelf not installed (apt-get install binutils)" >&2; exit 2; }

(cd "$here" && cargo build --quiet --example elf_dump)
dump="$here/target/debug/examples/elf_dump"

export DUMP="$dump" CORPUS="$corpus" VERBOSE="$verbose" SRC="$here/src/formats/elf.rs"
python3 - <<'PY'
import json, os, re, subprocess, sys, tempfile, zipfile

dump = os.environ["DUMP"]
corpus = os.environ["CORPUS"]
verbose = os.environ.get("VERBOSE") == "-v"

src = open(os.environ["SRC"], encoding="utf-8").read()
block = src[src.index("pub const IMPORTS_OF_INTEREST"):]
block = block[:block.index("];")]
interesting = set(re.findall(r'\("([A-Za-z0-9_]+)",', block))

def run(cmd):
    p = subprocess.run(cmd, capture_output=True)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

def readelf(path):
    rc, d, err = run(["readelf", "-d", "-W", path])
    if rc != 0 or "Not an ELF file" in err or "not an ELF" in err.lower() and not d:
        return None
    soname, needed = None, []
    for l in d.splitlines():
        m = re.search(r"\(SONAME\)\s+Library soname: \[(.*)\]", l)
        if m:
            soname = m.group(1)
        m = re.search(r"\(NEEDED\)\s+Shared library: \[(.*)\]", l)
        if m:
            needed.append(m.group(1))
    rc, s, _ = run(["readelf", "--dyn-syms", "-W", path])
    java, onload, imports = set(), False, set()
    for l in s.splitlines():
        f = l.split()
        if len(f) < 8 or not f[0].rstrip(":").isdigit():
            continue
        bind, vis, ndx, name = f[4], f[5], f[6], f[7]
        name = name.split("@")[0]
        if bind not in ("GLOBAL", "WEAK", "UNIQUE"):
            continue
        if ndx == "UND":
            if name in interesting:
                imports.add(name)
            continue
        if vis not in ("DEFAULT", "PROTECTED"):
            continue
        if name.startswith("Java_"):
            java.add(name)
        elif name == "JNI_OnLoad":
            onload = True
    return dict(soname=soname, needed=set(needed), java=java, onload=onload, imports=imports)

tally = dict(apks=0, libs=0, both_refuse=0, ours_only_refuse=0, readelf_only_refuse=0,
             soname=0, needed=0, java=0, onload=0, imports=0, java_total=0, all_equal=0)
problems, anomalies = [], {}

with tempfile.TemporaryDirectory() as tmp:
    for name in sorted(os.listdir(corpus)):
        if not name.endswith(".apk"):
            continue
        apk = os.path.join(corpus, name)
        try:
            z = zipfile.ZipFile(apk)
            libs = [i for i in z.infolist() if i.filename.startswith("lib/") and i.filename.endswith(".so")]
        except Exception:
            continue
        if not libs:
            continue
        tally["apks"] += 1
        for i, info in enumerate(libs):
            tally["libs"] += 1
            path = os.path.join(tmp, f"{i}.so")
            with open(path, "wb") as f:
                f.write(z.read(info))
            label = f"{name}!{info.filename}"
            rc, out, err = run([dump, path, "--no-strings"])
            ours = json.loads(out.splitlines()[0]) if out.strip() else {"error": err}
            theirs = readelf(path)
            if "error" in ours or theirs is None:
                if "error" in ours and theirs is None:
                    tally["both_refuse"] += 1
                    if verbose:
                        problems.append(f"{label}: both refuse ({ours['error']})")
                elif "error" in ours:
                    tally["ours_only_refuse"] += 1
                    problems.append(f"{label}: humiao refuses, readelf reads: {ours['error']}")
                else:
                    tally["readelf_only_refuse"] += 1
                    problems.append(f"{label}: readelf refuses, humiao reads")
                continue
            lib = ours["lib"]
            for a in ours["anomalies"]:
                anomalies[a["code"]] = anomalies.get(a["code"], 0) + 1
            got = dict(soname=lib["soname"], needed=set(lib["needed"]),
                       java={e["symbol"] for e in lib["jni_exports"]},
                       onload=lib["has_jni_onload"], imports=set(lib["imports_of_interest"]))
            tally["java_total"] += len(theirs["java"])
            same_all = True
            for k in ("soname", "needed", "java", "onload", "imports"):
                if got[k] == theirs[k]:
                    tally[k] += 1
                else:
                    same_all = False
                    problems.append(f"{label}: {k}: readelf={sorted(theirs[k]) if isinstance(theirs[k], set) else theirs[k]!r} "
                                    f"ours={sorted(got[k]) if isinstance(got[k], set) else got[k]!r}")
            tally["all_equal"] += same_all

print("== differences")
for p in problems:
    print(p)
print("== anomalies (libraries that had each)")
for k, v in sorted(anomalies.items()):
    print(f"{k}: {v}")
print("== tally")
read = tally["libs"] - tally["both_refuse"] - tally["ours_only_refuse"] - tally["readelf_only_refuse"]
print(f"APKs with lib/**.so: {tally['apks']}; .so entries: {tally['libs']}")
print(f"not ELF for both: {tally['both_refuse']}; refused by humiao only: {tally['ours_only_refuse']}; by readelf only: {tally['readelf_only_refuse']}")
print(f"read by both: {read}; SONAME equal {tally['soname']}/{read}; NEEDED equal {tally['needed']}/{read}; "
      f"Java_* exports equal {tally['java']}/{read} ({tally['java_total']} symbols); JNI_OnLoad equal {tally['onload']}/{read}; "
      f"imports of interest equal {tally['imports']}/{read}")
print(f"all five equal: {tally['all_equal']}/{read}")
PY
