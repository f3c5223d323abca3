#!/usr/bin/env python3
"""Derive small broken inputs from a good APK (kidsdemo.apk).

  make_malformed.py --good kidsdemo.apk --out samples/malformed

Writes the files listed in CASES below plus expected.json (machine-readable: what each
file is, what Android does with it, what the scanner should report). README.md beside
them is hand-written from the same facts. Deterministic: same input, same bytes.
Standard library only.
"""
import argparse
import json
import os
import struct
import zipfile

DATE = (1980, 1, 1, 0, 0, 0)


def entries(apk_bytes, drop_signature=True):
    """[(ZipInfo-like, data)] of the good APK, minus META-INF/ signature files."""
    import io
    out = []
    with zipfile.ZipFile(io.BytesIO(apk_bytes)) as z:
        for info in z.infolist():
            if drop_signature and info.filename.startswith("META-INF/"):
                continue
            out.append((info.filename, info.compress_type, z.read(info)))
    return out


def rezip(items):
    """Plain zip (no alignment, no signature), fixed dates, original compression."""
    import io
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, method, data in items:
            zi = zipfile.ZipInfo(name, DATE)
            zi.compress_type = method
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data)
    return buf.getvalue()


def replace(items, name, data):
    return [(n, m, data if n == name else d) for n, m, d in items]


def flip(data, start, end):
    b = bytearray(data)
    for i in range(start, end):
        b[i] ^= 0xFF
    return bytes(b)


# -- minimal protobuf for the .aab look-alike ---------------------------------
def varint(n):
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def pb(field, value):
    if isinstance(value, int):
        return varint(field << 3) + varint(value)
    if isinstance(value, str):
        value = value.encode()
    return varint(field << 3 | 2) + varint(len(value)) + value


ANDROID_NS = "http://schemas.android.com/apk/res/android"


def aab_manifest():
    """aapt2 proto XmlNode for <manifest package=... android:versionCode=...>."""
    def attr(ns, name, value, rid=None):
        body = (pb(1, ns) if ns else b"") + pb(2, name) + pb(3, value)
        if rid:
            body += pb(5, rid)
        return pb(4, body)
    ns_decl = pb(1, pb(1, "android") + pb(2, ANDROID_NS))
    element = (ns_decl + pb(3, "manifest")
               + attr(None, "package", "com.example.aablike")
               + attr(ANDROID_NS, "versionCode", "1", 0x0101021B))
    return pb(1, element)


def bundle_config():
    # BundleConfig { bundletool: Bundletool { version(2): "0.0.0" } }
    return pb(1, pb(2, "0.0.0"))


def build(good, items):
    """name -> bytes for every case."""
    n = len(good)
    eocd = good.rfind(b"PK\x05\x06")
    cases = {}
    cases["truncated-10.apk"] = good[: n * 10 // 100]
    cases["truncated-50.apk"] = good[: n * 50 // 100]
    cases["truncated-90.apk"] = good[: n * 90 // 100]
    cases["no-eocd.apk"] = good[:eocd]
    cases["empty.apk"] = b""
    cases["not-a-zip.apk"] = (b"This is not an APK. It is a plain text file named .apk, used to check that\n"
                              b"the scanner reports 'not a zip archive' instead of crashing.\n")
    cases["trailing-junk.apk"] = good + b"JUNK-AFTER-EOCD\n" * 4
    bad_cd = bytearray(good)
    struct.pack_into("<I", bad_cd, eocd + 16, n + 0x1000)
    cases["cd-offset-out-of-range.apk"] = bytes(bad_cd)

    names = [x[0] for x in items]
    assert "AndroidManifest.xml" in names and "resources.arsc" in names and "classes.dex" in names
    manifest = dict((x[0], x[2]) for x in items)["AndroidManifest.xml"]
    arsc = dict((x[0], x[2]) for x in items)["resources.arsc"]
    dex = dict((x[0], x[2]) for x in items)["classes.dex"]

    cases["no-manifest.apk"] = rezip([x for x in items if x[0] != "AndroidManifest.xml"])
    text_manifest = (b'<?xml version="1.0" encoding="utf-8"?>\n'
                     b'<manifest xmlns:android="http://schemas.android.com/apk/res/android"\n'
                     b'    package="com.example.kidsdemo" android:versionCode="3" android:versionName="1.2.0">\n'
                     b'    <uses-permission android:name="android.permission.INTERNET" />\n'
                     b'    <application android:label="KidsDemo" />\n'
                     b'</manifest>\n')
    cases["text-manifest.apk"] = rezip(replace(items, "AndroidManifest.xml", text_manifest))
    # RES_XML_TYPE chunk header: type(2) headerSize(2) size(4) -> all bits flipped
    cases["corrupt-axml.apk"] = rezip(replace(items, "AndroidManifest.xml", flip(manifest, 0, 8)))
    # RES_TABLE_TYPE header: type(2) headerSize(2) size(4) packageCount(4) -> flipped
    cases["corrupt-arsc.apk"] = rezip(replace(items, "resources.arsc", flip(arsc, 0, 12)))
    # header checksum field (adler32 at 0x08) inverted; all structures stay intact
    cases["corrupt-dex-checksum.apk"] = rezip(replace(items, "classes.dex", flip(dex, 8, 12)))
    dup = list(items) + [("AndroidManifest.xml", zipfile.ZIP_DEFLATED, text_manifest)]
    cases["duplicate-manifest.apk"] = rezip_dup(dup)
    cases["aab-like.aab"] = rezip([
        ("BundleConfig.pb", zipfile.ZIP_DEFLATED, bundle_config()),
        ("base/manifest/AndroidManifest.xml", zipfile.ZIP_DEFLATED, aab_manifest()),
        ("base/dex/classes.dex", zipfile.ZIP_DEFLATED, dex),
    ])
    return cases


def rezip_dup(items):
    import io
    import warnings
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name" is the point
        with zipfile.ZipFile(buf, "w") as z:
            for name, method, data in items:
                zi = zipfile.ZipInfo(name, DATE)
                zi.compress_type = method
                zi.external_attr = 0o644 << 16
                z.writestr(zi, data)
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--good", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    good = open(a.good, "rb").read()
    cases = build(good, entries(good))
    os.makedirs(a.out, exist_ok=True)
    for name, data in cases.items():
        with open(os.path.join(a.out, name), "wb") as f:
            f.write(data)
    # keep expected.json's file list and sizes in step with what was written
    exp_path = os.path.join(a.out, "expected.json")
    with open(exp_path, encoding="utf-8") as f:
        exp = json.load(f)
    import hashlib
    listed = {c["file"] for c in exp["cases"]}
    missing = set(cases) - listed
    extra = listed - set(cases)
    if missing or extra:
        raise SystemExit(f"expected.json cases out of step: missing {sorted(missing)}, extra {sorted(extra)}")
    for c in exp["cases"]:
        c["size"] = len(cases[c["file"]])
        c["sha256"] = hashlib.sha256(cases[c["file"]]).hexdigest()
    with open(exp_path, "w", encoding="utf-8") as f:
        f.write(json.dumps(exp, ensure_ascii=False, indent=2) + "\n")
    print(f"  wrote {len(cases)} files to {a.out}")


if __name__ == "__main__":
    main()
