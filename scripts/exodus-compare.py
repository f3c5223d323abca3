#!/usr/bin/env python3
"""Compare humiao's SDK inventory with what εxodus would report for the same apps.

εxodus (Exodus Privacy, https://exodus-privacy.eu.org/) detects a tracker when
one of the tracker's `code_signature` regular expressions is found (re.search)
in the list of class names of the app. exodus-core
(exodus_core/analysis/static_analysis.py) builds that list by running
`dexdump` on every entry named like `classes*.dex` (recursing into nested
`*.apk` entries, e.g. splits inside an XAPK/APKS) and collecting every
`[A-Z]+((?:\\w+/)+\\w+)` match of the output: slash-separated names of the
defined classes but also of every type dexdump prints (superclasses,
interfaces, field and method types, catch and local-variable types).
Signatures of 3 characters or fewer (empty ones) are skipped. This script
reimplements that method (it does not use exodus-core's code) and compares
the result, per app, with `humiao sdks --format json`.

εxodus's tracker database is © Exodus Privacy, licensed under the ODbL. It is
NOT part of humiao and must not be committed: pass a copy you obtained
yourself (the API at https://reports.exodus-privacy.eu.org/api/trackers, or
the snapshot MobSF ships as mobsf/signatures/exodus_trackers).

Usage:
  scripts/exodus-compare.py TRACKERS.json [INPUT_OR_DIR ...]
      [--humiao BIN] [--rules DIR] [--cache DIR] [--format md|tsv]
      [--details]
  INPUT_OR_DIR defaults to ../shared/corpus and samples/ (relative to the
  checkout). Directories are searched recursively for *.apk, *.xapk, *.apks.
  --cache DIR keeps each app's class list (keyed by SHA-256) between runs.
  --details adds, for every difference, the classes εxodus matched (whether
  defined in the app's DEX or only referenced) and humiao's evidence.

Pairing: an εxodus tracker and a humiao SDK are a pair when a class matched by
the tracker's signature lies under a package that humiao attributed to the
SDK, or when the hand-written table ALIASES below says they are the same
product (for hits humiao made from non-code evidence). Only humiao hits of
confidence high or medium count as "found"; low hits are shown apart.
Needs python3 (stdlib) and dexdump (Debian package `dexdump`; env DEXDUMP).
"""
import argparse, hashlib, json, os, re, shutil, subprocess, sys, tempfile, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# εxodus tracker name -> humiao SDK ids that are the same product, used when
# the pairing by classes cannot see it (humiao found the SDK from manifest or
# native-library evidence, or the catalogue splits one εxodus tracker into
# several entries). Tracker names are εxodus's (a name is a fact, not data
# copied from the database).
ALIASES = {
    "Google AdMob": {"google-admob"},
    "Google Firebase Analytics": {"firebase-analytics"},
    "Google CrashLytics": {"firebase-crashlytics", "google-fabric", "firebase-crash-reporting"},
    "Google Analytics": {"google-analytics-legacy"},
    "Google Tag Manager": {"google-tag-manager"},
    "Flurry": {"flurry-analytics", "flurry-ads"},
    "Unity3d Ads": {"unity-ads"},
    "Amazon Advertisement": {"amazon-aps"},
    "Umeng Analytics": {"umeng-analytics"},
    "Umeng Feedback": {"umeng-feedback"},
    "JiGuang Aurora Mobile JPush": {"jiguang-jpush"},
    "Sensors Analytics": {"sensorsdata-analytics"},
    "Bugly": {"tencent-bugly-crash", "tencent-bugly-upgrade", "tencent-bugly-hotfix"},
    "Tencent Stats": {"tencent-mta"},
    "Tencent MTA": {"tencent-mta"},
    "Baidu Mobile Ads": {"baidu-mobads"},
    "Baidu Mobile Stat": {"baidu-mobstat"},
    "Baidu Location": {"baidu-location"},
    "Baidu Map": {"baidu-map"},
    "Huawei Mobile Services (HMS) Core": {"huawei-hms-core", "huawei-hms-push", "huawei-hms-analytics"},
    "AutoNavi / Amap": {"amap-map", "amap-location", "amap-search", "amap-navi"},
}

CLASS_RE = re.compile(r"[A-Z]+((?:\w+/)+\w+)")        # exodus-core's class-name pattern
DEFINED_RE = re.compile(r"Class descriptor\s*:\s*'L([^;']+);'")
APK_RE = re.compile(r".*\.apk")
DEX_RE = re.compile(r"classes.*\.dex")


def find_inputs(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            found = []
            for d, dirs, files in os.walk(p):
                dirs.sort()
                found += [os.path.join(d, f) for f in files
                          if f.lower().endswith((".apk", ".xapk", ".apks"))]
            base = os.path.basename(os.path.normpath(p))
            prefix = base + "/" if base == "samples" else ""
            out += [(prefix + os.path.relpath(f, p), f) for f in sorted(found)]
        elif os.path.isfile(p):
            out.append((os.path.basename(p), p))
        else:
            print("exodus-compare: %s: not found" % p, file=sys.stderr)
    return out


def default_corpus():
    return os.path.join(HERE, "..", "..", "shared", "corpus")


def load_trackers(path):
    data = json.load(open(path, encoding="utf-8"))
    if isinstance(data, dict) and "trackers" in data:
        data = data["trackers"]
    items = data.values() if isinstance(data, dict) else data
    trackers = []
    for t in items:
        sig = t.get("code_signature") or ""
        if len(sig) <= 3:      # exodus-core skips empty and trivial signatures
            continue
        trackers.append({"name": t["name"], "sig": sig, "re": re.compile(sig),
                         "net": t.get("network_signature") or ""})
    return trackers


def dexdump_classes(dex_path, dexdump, names, defined):
    """Add exodus-style names (all) and defined class names of one DEX."""
    proc = subprocess.Popen([dexdump, "-i", dex_path], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    for raw in proc.stdout:
        if b"/" not in raw:
            continue
        line = raw.decode("utf-8", "ignore")
        names.update(CLASS_RE.findall(line))
        m = DEFINED_RE.search(line)
        if m:
            defined.add(m.group(1))
    return proc.wait()


def app_classes(path, dexdump, tmp, depth=0):
    names, defined, notes = set(), set(), []
    if depth > 10:
        return names, defined, ["nesting too deep"]
    try:
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if APK_RE.search(info.filename):
                    inner = os.path.join(tmp, "d%d-%s" % (depth, hashlib.sha1(info.filename.encode()).hexdigest()))
                    with z.open(info) as src, open(inner, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                    n, d, nt = app_classes(inner, dexdump, tmp, depth + 1)
                    names |= n; defined |= d; notes += nt
                    os.unlink(inner)
                elif DEX_RE.search(info.filename):
                    out = os.path.join(tmp, "x%d.dex" % depth)
                    with z.open(info) as src, open(out, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                    rc = dexdump_classes(out, dexdump, names, defined)
                    if rc != 0:
                        notes.append("dexdump exit %d on %s" % (rc, info.filename))
                    os.unlink(out)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as e:
        notes.append("unreadable: %s" % e)
    return names, defined, notes


def cached_classes(path, dexdump, cache):
    key = None
    if cache:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        key = os.path.join(cache, h.hexdigest() + ".json")
        if os.path.exists(key):
            d = json.load(open(key))
            return set(d["names"]), set(d["defined"]), d["notes"]
    with tempfile.TemporaryDirectory() as tmp:
        names, defined, notes = app_classes(path, dexdump, tmp)
    if key:
        json.dump({"names": sorted(names), "defined": sorted(defined), "notes": notes}, open(key, "w"))
    return names, defined, notes


def humiao_sdks(path, binary, rules):
    cmd = [binary, "sdks", "--format", "json", "--color", "never"]
    if rules:
        cmd += ["--rules", rules]
    p = subprocess.run(cmd + [path], capture_output=True, text=True)
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        return None, (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1]
    if isinstance(doc, dict):
        return None, doc.get("error", {}).get("message", "error")
    return doc, None


def under(cls_dotted, pkg):
    return cls_dotted == pkg or cls_dotted.startswith(pkg + ".") or cls_dotted.startswith(pkg + "$")


def compare(label, path, trackers, args):
    names, defined, notes = cached_classes(path, args.dexdump, args.cache)
    ex = []
    for t in trackers:
        hits = sorted(c for c in names if t["re"].search(c))
        if hits:
            ex.append({"name": t["name"], "classes": hits,
                       "defined": [c for c in hits if c in defined]})
    sdks, err = humiao_sdks(path, args.humiao, args.rules)
    row = {"apk": label, "classes": len(names), "defined": len(defined), "notes": notes,
           "exodus": ex, "humiao": sdks or [], "error": err, "pairs": [], "ex_only": [],
           "ex_low": [], "hu_only": []}
    hm = [s for s in (sdks or []) if s["confidence"] in ("high", "medium")]
    paired_sdks = set()
    for t in ex:
        dotted = [c.replace("/", ".") for c in t["classes"]]
        mates = []
        for s in (sdks or []):
            pkgs = [e["package"] for e in s.get("evidence", {}).get("classes", [])]
            by_class = any(under(c, p) for c in dotted for p in pkgs)
            if by_class or s["id"] in ALIASES.get(t["name"], ()):
                mates.append(s)
        strong = [s for s in mates if s["confidence"] in ("high", "medium")]
        if strong:
            for s in strong:
                row["pairs"].append((t["name"], s["id"]))
                paired_sdks.add(s["id"])
        elif mates:
            row["ex_low"].append((t["name"], [s["id"] for s in mates]))
            paired_sdks.update(s["id"] for s in mates)
        else:
            row["ex_only"].append(t["name"])
    row["hu_only"] = [s["id"] for s in hm if s["id"] not in paired_sdks]
    return row


def fmt_list(xs):
    return ", ".join(xs) if xs else "–"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("trackers", help="εxodus trackers JSON (not part of humiao; not committed)")
    ap.add_argument("inputs", nargs="*")
    ap.add_argument("--humiao", default=os.environ.get("HUMIAO", os.path.join(ROOT, "target/release/humiao")))
    ap.add_argument("--rules", help="pass --rules DIR to humiao")
    ap.add_argument("--cache", help="directory to cache class lists in")
    ap.add_argument("--format", choices=["md", "tsv"], default="md")
    ap.add_argument("--details", action="store_true")
    ap.add_argument("--all", action="store_true", help="list apps without any detection too")
    ap.add_argument("--dexdump", default=os.environ.get("DEXDUMP") or shutil.which("dexdump"))
    args = ap.parse_args()
    if not args.dexdump:
        sys.exit("exodus-compare: dexdump not found (apt-get install dexdump, or set DEXDUMP)")
    if not (os.path.isfile(args.humiao) and os.access(args.humiao, os.X_OK)):
        sys.exit("exodus-compare: no humiao binary at %s (use --humiao or HUMIAO)" % args.humiao)
    if args.cache:
        os.makedirs(args.cache, exist_ok=True)
    inputs = args.inputs or [default_corpus(), os.path.join(ROOT, "samples")]
    trackers = load_trackers(args.trackers)
    rows = [compare(label, path, trackers, args) for label, path in find_inputs(inputs)]

    def figures(rs):
        n_ex = sum(len(r["exodus"]) for r in rs)
        n_found = sum(len({p[0] for p in r["pairs"]}) for r in rs)
        n_low = sum(len(r["ex_low"]) for r in rs)
        n_hu = sum(sum(1 for s in r["humiao"] if s["confidence"] in ("high", "medium")) for r in rs)
        n_hu_only = sum(len(r["hu_only"]) for r in rs)
        quiet = sum(1 for r in rs if not (r["exodus"] or r["error"] or any(
            s["confidence"] in ("high", "medium") for s in r["humiao"])))
        errors = sum(1 for r in rs if r["error"])
        return ("%d apps (%d with no detection by either tool, %d that humiao refuses). "
                "εxodus tracker detections: %d; found by humiao (high/medium): %d; "
                "humiao low only: %d; missed: %d. humiao SDK hits (high/medium): %d, "
                "of which without an εxodus counterpart: %d." % (
                    len(rs), quiet, errors, n_ex, n_found, n_low, n_ex - n_found - n_low,
                    n_hu, n_hu_only))

    out = sys.stdout
    if args.format == "tsv":
        out.write("apk\texodus\thumiao_high_medium\tpairs\texodus_only\texodus_low_only\thumiao_only\terror\n")
        for r in rows:
            hm = [s["id"] for s in r["humiao"] if s["confidence"] in ("high", "medium")]
            out.write("\t".join([r["apk"], ",".join(t["name"] for t in r["exodus"]) or "-",
                                 ",".join(hm) or "-",
                                 ",".join("%s=%s" % p for p in r["pairs"]) or "-",
                                 ",".join(r["ex_only"]) or "-",
                                 ",".join("%s=%s" % (n, "/".join(i)) for n, i in r["ex_low"]) or "-",
                                 ",".join(r["hu_only"]) or "-", r["error"] or "-"]) + "\n")
    else:
        out.write("| APK | εxodus trackers | humiao SDKs (high/medium) | matched pairs | εxodus-only | humiao-only |\n")
        out.write("|---|---|---|---|---|---|\n")
        for r in rows:
            hm = [s["id"] for s in r["humiao"] if s["confidence"] in ("high", "medium")]
            if not (args.all or r["exodus"] or hm or r["error"]):
                continue
            exonly = r["ex_only"] + ["%s (humiao low: %s)" % (n, "/".join(i)) for n, i in r["ex_low"]]
            out.write("| %s | %s | %s | %s | %s | %s |\n" % (
                r["apk"] + (" (humiao error: %s)" % r["error"] if r["error"] else ""),
                fmt_list([t["name"] for t in r["exodus"]]), fmt_list(hm),
                fmt_list(["%s = %s" % p for p in r["pairs"]]), fmt_list(exonly),
                fmt_list(r["hu_only"])))
    out.write("\n")
    groups = [("samples", [r for r in rows if r["apk"].startswith("samples/")]),
              ("corpus", [r for r in rows if not r["apk"].startswith("samples/")])]
    for name, rs in groups:
        if rs:
            out.write("- %s: %s\n" % (name, figures(rs)))
    out.write("- εxodus trackers with a code signature in the list used: %d.\n" % len(trackers))
    if args.format == "md" and not args.all:
        quiet = [r["apk"] for r in rows if not (r["exodus"] or r["error"] or any(
            s["confidence"] in ("high", "medium") for s in r["humiao"]))]
        out.write("\nApps with no detection by either tool (humiao low hits aside): %s.\n"
                  % ", ".join(quiet))
    if args.details:
        out.write("\n## Details of the differences\n")
        for r in rows:
            if not (r["ex_only"] or r["ex_low"] or r["hu_only"] or r["notes"]):
                continue
            out.write("\n### %s (%d class names, %d defined classes)\n" % (r["apk"], r["classes"], r["defined"]))
            for n in r["notes"]:
                out.write("- note: %s\n" % n)
            ex = {t["name"]: t for t in r["exodus"]}
            for name in r["ex_only"] + [n for n, _ in r["ex_low"]]:
                t = ex[name]
                d = set(t["defined"])
                show = [c.replace("/", ".") + ("" if c in d else " (referenced only)") for c in t["classes"][:6]]
                out.write("- εxodus-only **%s**: %d matching names, %d defined; e.g. %s\n" % (
                    name, len(t["classes"]), len(d), "; ".join(show)))
            for sid in r["hu_only"]:
                s = next(x for x in r["humiao"] if x["id"] == sid)
                ev = s.get("evidence", {})
                parts = ["%s (%d classes)" % (e["package"], e["classes"]) for e in ev.get("classes", [])]
                parts += [os.path.basename(l.split("!")[-1]) for l in ev.get("native_libs", [])[:1]]
                for k in ("components", "authorities", "meta_data", "hosts"):
                    parts += ev.get(k, [])[:3]
                out.write("- humiao-only **%s** (%s; %s): %s\n" % (
                    sid, s["confidence"], ",".join(s.get("kinds", [])), "; ".join(parts)))


if __name__ == "__main__":
    main()
