#!/usr/bin/env bash
# Compares humiao's signing identity (examples/sig_dump.rs) with
# `apksigner verify -v --print-certs --verbose` over a corpus of APKs.
#
#   scripts/check-signing-vs-apksigner.sh [CORPUS_DIR]   (default ../shared/corpus)
#
# For every *.apk / *.jar: run apksigner; if it rejects the file, retry with
# --min-sdk-version 24 (v2-only APKs whose manifest says minSdk < 24 are
# "rejected" only because v1 is missing). Then compare, for the files
# apksigner accepts:
#   * signers: apksigner prints the signers of the newest scheme it verified;
#     we compare that set of certificate SHA-256 digests with the signers we
#     report for the newest scheme we find present;
#   * DN: apksigner's "certificate DN" against our `subject`;
#   * schemes: every scheme apksigner verified must be present in ours; ours
#     may list more (we report presence, apksigner only verifies what the
#     APK's SDK range needs: v1 is skipped when minSdk >= 24, v2 when the
#     APK's minSdk >= 28 and v3 is present).
# Files apksigner rejects are listed with what we found, for the record.
# Needs: apksigner, python3, cargo. Exit status 1 if a signer set differs.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$here/../shared/corpus}
[ -d "$corpus" ] || corpus=/work/shared/corpus
[ -d "$corpus" ] || { echo "corpus not found: $corpus" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cargo build -q --manifest-path "$here/Cargo.toml" --example sig_dump
dump="$here/target/debug/examples/sig_dump"

mapfile -t files < <(find "$corpus" -maxdepth 1 -type f \( -name '*.apk' -o -name '*.jar' \) | sort)
for f in "${files[@]}"; do
  b=$(basename "$f")
  if apksigner verify -v --print-certs --verbose "$f" >"$out/$b.aps" 2>&1; then
    echo default >"$out/$b.mode"
  elif apksigner verify -v --print-certs --verbose --min-sdk-version 24 "$f" >"$out/$b.aps24" 2>&1; then
    mv "$out/$b.aps24" "$out/$b.aps"
    echo min-sdk-24 >"$out/$b.mode"
  else
    echo rejected >"$out/$b.mode"
  fi
done
"$dump" "${files[@]}" >"$out/ours.jsonl"

python3 - "$out" <<'PY'
import json, os, re, sys
out = sys.argv[1]
ORDER = ["v1", "v2", "v3", "v3.1"]
ours = {}
for line in open(os.path.join(out, "ours.jsonl")):
    d = json.loads(line)
    ours[os.path.basename(d["file"])] = d

def apksigner(b):
    text = open(os.path.join(out, b + ".aps"), errors="replace").read()
    verified = [s for s in ORDER if re.search(rf"^Verified using {re.escape(s)} scheme .*: true$", text, re.M)]
    signers = re.findall(r"^Signer #\d+ certificate SHA-256 digest: ([0-9a-f]+)$", text, re.M)
    dns = re.findall(r"^Signer #\d+ certificate DN: (.*)$", text, re.M)
    first_error = next((l for l in text.splitlines() if l.startswith(("ERROR", "Exception"))), "")
    return verified, signers, dns, first_error

def present(sig):
    s = sig["schemes"]
    return [n for n, k in (("v1", "v1"), ("v2", "v2"), ("v3", "v3"), ("v3.1", "v31")) if s[k]]

tally = dict(files=0, accepted=0, accepted_min24=0, rejected=0, signers_equal=0, signers_differ=0,
             dn_equal=0, dn_differ=0, schemes_superset=0, schemes_missing=0, we_errored=0)
diffs, extra, rejected = [], [], []
for b in sorted(ours):
    tally["files"] += 1
    mode = open(os.path.join(out, b + ".mode")).read().strip()
    d = ours[b]
    if "error" in d:
        tally["we_errored"] += 1
        diffs.append(f"{b}: sig_dump error: {d['error']}")
        continue
    sig = d["signing"]
    have = present(sig)
    if mode == "rejected":
        tally["rejected"] += 1
        first = ""
        p = os.path.join(out, b + ".aps")
        if os.path.exists(p):
            first = next((l for l in open(p, errors="replace").read().splitlines()
                          if l.startswith(("ERROR", "Exception"))), "")
        codes = sorted({a["code"] for a in d["anomalies"]})
        rejected.append(f"{b}: apksigner: {first[:110]} | ours: schemes={have} signers={len(sig['signers'])}"
                        + (f" anomalies={codes}" if codes else "") + (f" zip={d['zip_notes']}" if d["zip_notes"] else ""))
        continue
    tally["accepted" if mode == "default" else "accepted_min24"] += 1
    for a in d["anomalies"]:
        extra.append(f"{b}: anomaly {a['code']}: {a['detail'][:120]}")
    verified, a_signers, a_dns, _ = apksigner(b)
    top = have[-1] if have else None
    our_top = [s["certificate"]["sha256"] for s in sig["signers"] if top in s["schemes"]]
    if sorted(our_top) == sorted(a_signers):
        tally["signers_equal"] += 1
    else:
        tally["signers_differ"] += 1
        diffs.append(f"{b}: signers apksigner={a_signers} ours[{top}]={our_top}")
    our_dns = {s["certificate"]["sha256"]: s["certificate"]["subject"] for s in sig["signers"]}
    for sha, dn in zip(a_signers, a_dns):
        if our_dns.get(sha) == dn:
            tally["dn_equal"] += 1
        else:
            tally["dn_differ"] += 1
            diffs.append(f"{b}: DN apksigner={dn!r} ours={our_dns.get(sha)!r}")
    if set(verified) <= set(have):
        tally["schemes_superset"] += 1
        if set(have) != set(verified):
            why = []
            for s in sorted(set(have) - set(verified), key=ORDER.index):
                why.append(f"{s} present, not verified by apksigner")
            extra.append(f"{b} ({mode}): apksigner verified {verified}, we find {have}: " + "; ".join(why))
    else:
        tally["schemes_missing"] += 1
        diffs.append(f"{b}: apksigner verified {verified}, we find only {have}")
    if sig["signers"] and len(sig["signers"]) > len(a_signers):
        others = [(s["certificate"]["subject"], s["schemes"]) for s in sig["signers"]
                  if s["certificate"]["sha256"] not in a_signers]
        extra.append(f"{b}: also signed (older schemes) by {others}")

print("== differences (must be explained)")
for l in diffs or ["none"]:
    print("  " + l)
print("== schemes, signers or anomalies we report beyond apksigner's verified set")
for l in extra or ["none"]:
    print("  " + l)
print("== files apksigner rejects (ours for the record)")
for l in rejected or ["none"]:
    print("  " + l)
print("== tally")
for k, v in tally.items():
    print(f"  {k}: {v}")
sys.exit(1 if tally["signers_differ"] or tally["we_errored"] else 0)
PY
