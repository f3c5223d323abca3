#!/usr/bin/env python3
"""Fill in and cross-check a sample's expected.json (the hand-written ground truth).

  expected.py fill  EXPECTED.json --cert-sha256 HEX
      writes the computed facts: SHA-256 of each listed file and of the signer
      certificate (from the committed keystore). Everything else stays hand-written.

  expected.py check EXPECTED.json FILE.apk --aapt AAPT --apksigner APKSIGNER --dexdump DEXDUMP
      compares the hand-written facts with what Android's own tools say
      (aapt dump badging / xmltree, apksigner verify, dexdump) and compares local
      headers with the central directory, so a typo in the ground truth or a build
      mistake fails the build instead of a test.

  expected.py check-malformed malformed/expected.json --aapt .. --apksigner .. --dexdump ..
      checks each broken input's SHA-256 and the exit codes of the three tools.

Standard library only.
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys

# Framework attribute resource ids used by the samples: a checker that goes by
# resource id keeps working when attribute *names* are obfuscated.
ATTR_IDS = {
    0x01010001: "label", 0x01010003: "name", 0x01010009: "protectionLevel",
    0x0101000f: "debuggable", 0x01010010: "exported", 0x01010018: "authorities",
    0x01010006: "permission", 0x0101001b: "grantUriPermissions",
    0x01010024: "value", 0x01010025: "resource", 0x01010027: "scheme",
    0x01010028: "host", 0x0101020c: "minSdkVersion", 0x01010202: "targetActivity",
    0x0101021b: "versionCode", 0x0101021c: "versionName", 0x01010270: "targetSdkVersion",
    0x01010271: "maxSdkVersion", 0x01010280: "allowBackup", 0x0101028e: "required",
    0x010104ec: "usesCleartextTraffic", 0x01010527: "networkSecurityConfig",
}

COMPONENT_TAGS = ("activity", "activity-alias", "service", "receiver", "provider")


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def save(path, data):
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def cmd_fill(args):
    data = load(args.expected)
    base = os.path.dirname(os.path.abspath(args.expected))
    for name in list(data.get("files", {})):
        data["files"][name] = sha256_file(os.path.join(base, name))
    for facts in [data] + data.get("splits", []):
        sig = facts.get("signing")
        if sig is not None and sig.get("signed"):
            sig["signer_cert_sha256"] = args.cert_sha256
    save(args.expected, data)


# --------------------------------------------------------------------------
# aapt output parsing

def run(argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def quoted(line, key):
    m = re.search(key + r"='([^']*)'", line)
    return m.group(1) if m else None


def parse_badging(text):
    b = {"uses_permission": [], "uses_permission_sdk_23": [], "labels": {}, "launchable": []}
    for line in text.splitlines():
        if line.startswith("package:"):
            b["package"] = quoted(line, "name")
            b["version_code"] = quoted(line, "versionCode")
            b["version_name"] = quoted(line, "versionName")
            b["split"] = quoted(line, "split")
        elif line.startswith("sdkVersion:"):
            b["min_sdk"] = line.split("'")[1]
        elif line.startswith("targetSdkVersion:"):
            b["target_sdk"] = line.split("'")[1]
        elif line.startswith("uses-permission:") or line.startswith("uses-permission-sdk-23:"):
            key = "uses_permission" if line.startswith("uses-permission:") else "uses_permission_sdk_23"
            entry = {"name": quoted(line, "name")}
            if quoted(line, "maxSdkVersion") is not None:
                entry["max_sdk"] = int(quoted(line, "maxSdkVersion"))
            b[key].append(entry)
        elif line.startswith("application-label"):
            m = re.match(r"application-label(?:-([^:]+))?:'(.*)'$", line)
            if m:
                b["labels"][m.group(1) or "default"] = m.group(2)
        elif line.startswith("launchable-activity:"):
            b["launchable"].append(quoted(line, "name"))
    return b


ATTR_RE = re.compile(r"^A: (?:([\w.-]+):)?([^(=]*)(?:\((0x[0-9a-f]+)\))?=(.*)$")


def parse_value(raw):
    m = re.match(r'^"(.*)" \(Raw: ', raw)
    if m:
        return m.group(1)
    m = re.match(r"^\(type 0x(\w+)\)0x(\w+)(?: \(Raw: .*\))?$", raw)
    if m:
        t, v = int(m.group(1), 16), int(m.group(2), 16)
        if t == 0x12:
            return v != 0
        return v
    m = re.match(r"^@0x(\w+)$", raw)
    if m:
        return "@0x" + m.group(1)
    return raw


def parse_xmltree(text):
    """aapt dump xmltree output -> nested dicts {tag, attrs, children, text}."""
    root = {"tag": None, "attrs": {}, "children": [], "text": []}
    stack = [(-1, root)]
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        depth = len(line) - len(stripped)
        if stripped.startswith("E: "):
            tag = stripped[3:].split(" ")[0]
            node = {"tag": tag, "attrs": {}, "children": [], "text": []}
            while stack[-1][0] >= depth:
                stack.pop()
            stack[-1][1]["children"].append(node)
            stack.append((depth, node))
        elif stripped.startswith("A: "):
            m = ATTR_RE.match(stripped)
            if not m:
                continue
            _ns, name, rid, raw = m.groups()
            key = ATTR_IDS.get(int(rid, 16), name) if rid else name
            stack[-1][1]["attrs"][key] = parse_value(raw)
        elif stripped.startswith("T: ") or stripped.startswith("C: "):
            m = re.match(r'^[TC]: "(.*)"$', stripped)
            if m:
                stack[-1][1]["text"].append(m.group(1))
    return root


def walk(node):
    yield node
    for c in node["children"]:
        yield from walk(c)


class Checker:
    def __init__(self, label):
        self.label = label
        self.errors = []

    def eq(self, what, got, want):
        if got != want:
            self.errors.append(f"{what}: tools say {got!r}, expected.json says {want!r}")


def full_name(package, name):
    if name.startswith("."):
        return package + name
    if "." not in name:
        return package + "." + name
    return name


def check_manifest(c, exp, tree):
    manifest = next(n for n in walk(tree) if n["tag"] == "manifest")
    pkg = manifest["attrs"].get("package")
    app = next((n for n in manifest["children"] if n["tag"] == "application"), None)
    if app is None:
        return
    a = exp.get("application", {})
    for key, attr in (("debuggable", "debuggable"), ("allow_backup", "allowBackup"),
                      ("uses_cleartext_traffic", "usesCleartextTraffic")):
        if key in a:
            c.eq(f"application {attr}", app["attrs"].get(attr), a[key])
    perms = exp.get("permissions", {})
    if "declared" in perms:
        got = [{"name": n["attrs"].get("name"), "protection_level_raw": n["attrs"].get("protectionLevel")}
               for n in manifest["children"] if n["tag"] == "permission"]
        want = [{"name": p["name"], "protection_level_raw": p.get("protection_level_raw")}
                for p in perms["declared"]]
        c.eq("declared permissions", got, want)
    if "uses_features" in exp:
        got = [{"name": n["attrs"].get("name"), "required": n["attrs"].get("required", True)}
               for n in manifest["children"] if n["tag"] == "uses-feature"]
        c.eq("uses-feature", got, exp["uses_features"])
    if "meta_data" in exp:
        got = []
        for parent in [app] + [n for n in app["children"] if n["tag"] in COMPONENT_TAGS]:
            where = "application" if parent is app else \
                f"{parent['tag']} {full_name(pkg, parent['attrs'].get('name', ''))}"
            for md in parent["children"]:
                if md["tag"] == "meta-data":
                    got.append((where, md["attrs"].get("name"),
                                md["attrs"].get("value"), md["attrs"].get("resource")))
        want = [(m["parent"], m["name"],
                 m.get("value", "@" + m["value_reference"] if "value_reference" in m else None),
                 "@" + m["resource"] if "resource" in m else None) for m in exp["meta_data"]]
        c.eq("meta-data", got, want)
    if "components" in exp:
        got = []
        for n in app["children"]:
            if n["tag"] not in COMPONENT_TAGS:
                continue
            filters = []
            for f in n["children"]:
                if f["tag"] != "intent-filter":
                    continue
                filters.append({
                    "actions": [x["attrs"].get("name") for x in f["children"] if x["tag"] == "action"],
                    "categories": [x["attrs"].get("name") for x in f["children"] if x["tag"] == "category"],
                    "data": [{k: v for k, v in x["attrs"].items()} for x in f["children"] if x["tag"] == "data"],
                })
            comp = {"kind": n["tag"], "name": full_name(pkg, n["attrs"].get("name", "")),
                    "exported_explicit": "exported" in n["attrs"], "intent_filters": filters}
            if "exported" in n["attrs"]:
                comp["exported"] = n["attrs"]["exported"]
            if "authorities" in n["attrs"]:
                comp["authorities"] = n["attrs"]["authorities"].split(";")
            if "targetActivity" in n["attrs"]:
                comp["target_activity"] = full_name(pkg, n["attrs"]["targetActivity"])
            got.append(comp)
        want = []
        for w in exp["components"]:
            comp = {"kind": w["kind"], "name": w["name"], "exported_explicit": w["exported_explicit"],
                    "intent_filters": w["intent_filters"]}
            if w["exported_explicit"]:
                comp["exported"] = w["exported"]
            for k in ("authorities", "target_activity"):
                if k in w:
                    comp[k] = w[k]
            want.append(comp)
        c.eq("components", got, want)


def check_nsc(c, exp, tree):
    nodes = list(walk(tree))
    base = next((n for n in nodes if n["tag"] == "base-config"), None)
    want = exp["network_security_config"]
    if want.get("base_config") is not None:
        c.eq("nsc base-config cleartext", base and base["attrs"].get("cleartextTrafficPermitted"),
             want["base_config"]["cleartext_traffic_permitted"])
        c.eq("nsc base-config trust anchors",
             [{"src": n["attrs"].get("src")} for n in walk(base) if n["tag"] == "certificates"],
             want["base_config"]["trust_anchors"])
    got = []
    for d in (n for n in nodes if n["tag"] == "domain-config"):
        got.append({
            "domains": [{"name": "".join(x["text"]), "include_subdomains": x["attrs"].get("includeSubdomains", False)}
                        for x in d["children"] if x["tag"] == "domain"],
            "cleartext_traffic_permitted": d["attrs"].get("cleartextTrafficPermitted"),
        })
    c.eq("nsc domain-configs", got,
         [{"domains": d["domains"], "cleartext_traffic_permitted": d["cleartext_traffic_permitted"]}
          for d in want.get("domain_configs", [])])


def dexdump_name(api):
    # Lpkg/C;->m(args)R  ->  Lpkg/C;.m:(args)R   (dexdump -d notation)
    cls, rest = api.split("->", 1)
    name, sig = rest.split("(", 1)
    return f"{cls}.{name}:({sig}"


def check_dex(c, exp, apk, dexdump):
    rc, out, _ = run([dexdump, "-d", apk])
    if rc != 0:
        c.errors.append(f"dexdump exit {rc}")
        return
    classes = sorted(set(re.findall(r"Class descriptor\s*: '([^']+)'", out)))
    c.eq("dex classes", classes, sorted(exp["classes"]))
    for call in exp.get("api_calls", []):
        if dexdump_name(call["api"]) not in out:
            c.errors.append(f"dexdump shows no call to {call['api']}")
    for u in exp.get("urls", []):
        if f'"{u["url"]}"' not in out:
            c.errors.append(f"dexdump shows no const-string {u['url']}")


def check_signing(c, exp, apk, apksigner):
    rc, out, err = run([apksigner, "verify", "-v", "--print-certs", apk])
    c.eq("apksigner verify exit", rc, exp.get("oracle", {}).get("apksigner_verify_exit", 0))
    sig = exp.get("signing", {})
    if rc != 0 or not sig.get("signed"):
        return
    schemes = {}
    for n, scheme in (("1", "JAR signing"), ("2", "APK Signature Scheme v2"),
                      ("3", "APK Signature Scheme v3"), ("4", "APK Signature Scheme v4")):
        m = re.search(rf"Verified using v{n} scheme \({re.escape(scheme)}\): (true|false)", out)
        schemes["v" + n] = bool(m and m.group(1) == "true")
    c.eq("signature schemes", schemes, sig["schemes"])
    m = re.search(r"Signer #1 certificate SHA-256 digest: ([0-9a-f]{64})", out)
    c.eq("signer certificate sha256", m and m.group(1), sig.get("signer_cert_sha256"))


def merged(base, over):
    out = dict(base)
    for k, v in over.items():
        out[k] = merged(base[k], v) if isinstance(v, dict) and isinstance(base.get(k), dict) else v
    return out


def load_facts(path, fname):
    """expected.json with "inherits" (a sibling sample's file) and per-file "variants"."""
    exp = load(path)
    if "inherits" in exp:
        base = load(os.path.join(os.path.dirname(os.path.abspath(path)), exp["inherits"]))
        exp = merged(base, {k: v for k, v in exp.items() if k != "inherits"})
    for v in exp.get("variants", []):
        if v["file"] == fname:
            exp = merged(exp, v.get("overrides", {}))
    return exp


def zip_records(apk):
    """{name: {"cd": {...}, "lfh": {...}}} straight from the bytes (CD and local headers)."""
    import struct
    d = open(apk, "rb").read()
    e = d.rfind(b"PK\x05\x06")
    n, cd_off = struct.unpack_from("<H", d, e + 10)[0], struct.unpack_from("<I", d, e + 16)[0]
    out, p = {}, cd_off
    for _ in range(n):
        flags, method, crc, cs, us, nl, xl, cl = struct.unpack_from("<8xHH4xIIIHHH", d, p)
        lho = struct.unpack_from("<I", d, p + 42)[0]
        name = d[p + 46:p + 46 + nl].decode("utf-8")
        p += 46 + nl + xl + cl
        lf, lm, lc, lcs, lus, lnl, lxl = struct.unpack_from("<6xHH4xIIIHH", d, lho)
        data_end = lho + 30 + lnl + lxl + cs
        out[name] = {
            "cd": {"flags": flags, "method": method, "crc32": crc, "compressed_size": cs,
                   "uncompressed_size": us},
            "lfh": {"offset": lho, "flags": lf, "method": lm, "crc32": lc, "compressed_size": lcs,
                    "uncompressed_size": lus},
            "after_data": d[data_end:data_end + 16], "data_end": data_end,
        }
    return out


def check_zip(c, anomalies, apk):
    import struct
    recs = zip_records(apk)
    for a in anomalies:
        r = recs.get(a["entry"])
        if r is None:
            c.errors.append(f"zip entry {a['entry']} missing")
            continue
        if "lfh_offset" in a:
            c.eq(f"{a['entry']} LFH offset", r["lfh"]["offset"], a["lfh_offset"])
        if "field" in a:
            c.eq(f"{a['entry']} LFH {a['field']}", r["lfh"][a["field"]], a["lfh"])
            c.eq(f"{a['entry']} CD {a['field']}", r["cd"][a["field"]], a["cd"])
        if a["code"] == "data-descriptor":
            sig, crc, cs, us = struct.unpack("<IIII", r["after_data"])
            c.eq(f"{a['entry']} data descriptor offset", r["data_end"], a["offset"])
            c.eq(f"{a['entry']} data descriptor", [sig == 0x08074B50, crc, cs, us],
                 [a["signature"], r["cd"]["crc32"], r["cd"]["compressed_size"], r["cd"]["uncompressed_size"]])
    listed = {(a["entry"], a.get("field")) for a in anomalies}
    for name, r in recs.items():
        for field in ("flags", "method", "crc32", "compressed_size", "uncompressed_size"):
            if r["lfh"][field] != r["cd"][field] and (name, field) not in listed:
                c.errors.append(f"unlisted LFH/CD difference: {name} {field}")


def cmd_check(args):
    apk = args.apk
    fname = os.path.basename(apk)
    exp = load_facts(args.expected, fname)
    c = Checker(f"{os.path.relpath(args.expected)} vs {fname}")
    oracle = exp.get("oracle", {})
    split = None
    for s in exp.get("splits", []):
        if s["file"] == fname:
            split = s
    # Facts for the base APK live at top level; a config split has its own entry.
    facts = split if split is not None else exp

    rc, out, err = run([args.aapt, "dump", "badging", apk])
    c.eq("aapt badging exit", rc, facts.get("oracle", oracle).get("aapt_badging_exit", 0))
    if rc == 0:
        b = parse_badging(out)
        c.eq("package", b.get("package"), exp["package"])
        c.eq("versionCode", b.get("version_code"), str(exp["version_code"]))
        if split is not None:
            c.eq("split", b.get("split"), split["split"])
        else:
            c.eq("versionName", b.get("version_name"), exp["version_name"])
            c.eq("minSdk", b.get("min_sdk"), str(exp["min_sdk"]))
            c.eq("targetSdk", b.get("target_sdk"), str(exp["target_sdk"]))
            perms = exp.get("permissions", {})
            implied = {p["name"] for p in perms.get("aapt_implied", [])}
            c.eq("uses-permission", [p for p in b["uses_permission"] if p["name"] not in implied],
                 perms.get("uses_permission", []))
            c.eq("uses-permission-sdk-23", b["uses_permission_sdk_23"],
                 perms.get("uses_permission_sdk_23", []))
            c.eq("labels", b["labels"], exp["application"]["labels"])
            c.eq("launchable activities", b["launchable"],
                 [x["name"] for x in exp.get("components", []) if x.get("launcher")])

    if split is None and oracle.get("aapt_xmltree_exit", 0) == 0:
        rc, out, err = run([args.aapt, "dump", "xmltree", apk, "AndroidManifest.xml"])
        if rc != 0:
            c.errors.append(f"aapt dump xmltree exit {rc}: {err.strip()}")
        else:
            check_manifest(c, exp, parse_xmltree(out))
        nsc = exp.get("application", {}).get("network_security_config_path")
        if nsc:
            rc, out, err = run([args.aapt, "dump", "xmltree", apk, nsc])
            if rc != 0:
                c.errors.append(f"aapt dump xmltree {nsc} exit {rc}")
            else:
                check_nsc(c, exp, parse_xmltree(out))

    if "dex" in facts and oracle.get("dexdump_exit", 0) == 0:
        check_dex(c, facts["dex"], apk, args.dexdump)

    check_signing(c, facts if split is not None else exp, apk, args.apksigner)
    check_zip(c, exp.get("zip_anomalies", []), apk)

    if c.errors:
        print(f"FAIL {c.label}", file=sys.stderr)
        for e in c.errors:
            print(f"  - {e}", file=sys.stderr)
        sys.exit(1)
    print(f"ok   {c.label}")


def cmd_check_malformed(args):
    exp = load(args.expected)
    base = os.path.dirname(os.path.abspath(args.expected))
    errors = []
    for case in exp["cases"]:
        path = os.path.join(base, case["file"])
        got = {
            "aapt_badging_exit": run([args.aapt, "dump", "badging", path])[0],
            "apksigner_verify_exit": run([args.apksigner, "verify", path])[0],
            "dexdump_exit": run([args.dexdump, path])[0],
        }
        if got != case["oracle"]:
            errors.append(f"{case['file']}: tools exit {got}, expected.json says {case['oracle']}")
        if sha256_file(path) != case["sha256"]:
            errors.append(f"{case['file']}: sha256 differs from expected.json")
    label = os.path.relpath(args.expected)
    if errors:
        print(f"FAIL {label}", file=sys.stderr)
        for e in errors:
            print(f"  - {e}", file=sys.stderr)
        sys.exit(1)
    print(f"ok   {label} ({len(exp['cases'])} files)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fill")
    f.add_argument("expected")
    f.add_argument("--cert-sha256", required=True)
    k = sub.add_parser("check")
    k.add_argument("expected")
    k.add_argument("apk")
    k.add_argument("--aapt", default="aapt")
    k.add_argument("--apksigner", default="apksigner")
    k.add_argument("--dexdump", default="dexdump")
    m = sub.add_parser("check-malformed")
    m.add_argument("expected")
    m.add_argument("--aapt", default="aapt")
    m.add_argument("--apksigner", default="apksigner")
    m.add_argument("--dexdump", default="dexdump")
    args = ap.parse_args()
    {"fill": cmd_fill, "check": cmd_check, "check-malformed": cmd_check_malformed}[args.cmd](args)


if __name__ == "__main__":
    main()
