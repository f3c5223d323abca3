#!/usr/bin/env python3
"""Pack signed split APKs into the two container formats scanners meet in the wild.

  make_bundles.py --apks-dir DIR --expected expected.json --out-apks X.apks --out-xapk X.xapk

DIR holds base.apk and split_<id>.apk files (as Android names installed splits).
expected.json's "containers" section says which file goes where:

* .apks (bundletool `build-apks` output): splits/base-master.apk, splits/base-<cfg>.apk,
  stored (not deflated), plus toc.pb, a BuildApksResult protobuf. bundletool is not
  available on Debian, so toc.pb is hand-encoded here with the same field layout as a
  real one (see the corpus file apkset-com.core.sample.apks); the bundletool version
  field says "0.0.0" so nobody mistakes it for real bundletool output.
* .xapk (APKPure style): manifest.json first (deflated), then the APKs stored under
  their own names: <package>.apk for the base, <split id>.apk for config splits.

Entries get the fixed 1980-01-01 timestamp, so output is reproducible. Standard library only.
"""
import argparse
import json
import os
import zipfile

DATE = (1980, 1, 1, 0, 0, 0)

# bundletool targeting.proto ScreenDensity.DensityAlias
DENSITY_ALIAS = {"nodpi": 1, "ldpi": 2, "mdpi": 3, "tvdpi": 4, "hdpi": 5, "xhdpi": 6,
                 "xxhdpi": 7, "xxxhdpi": 8}


# -- minimal protobuf encoder ------------------------------------------------
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def f_varint(field, n):
    return varint(field << 3 | 0) + varint(n)


def f_bytes(field, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return varint(field << 3 | 2) + varint(len(data)) + data


def sdk_targeting(min_sdk):
    # SdkVersionTargeting{ value: SdkVersion{ min: Int32Value{ value } } }
    return f_bytes(1, f_bytes(1, f_varint(1, min_sdk)))


def apk_targeting(kind, value, min_sdk):
    t = b""
    if kind == "language":
        t += f_bytes(3, f_bytes(1, value))                    # language_targeting
    elif kind == "density":
        alias = DENSITY_ALIAS[value]
        alts = [a for n, a in DENSITY_ALIAS.items() if n not in (value, "nodpi")]
        dens = f_bytes(1, f_varint(1, alias))
        dens += b"".join(f_bytes(2, f_varint(1, a)) for a in alts)
        t += f_bytes(4, dens)                                 # screen_density_targeting
    t += f_bytes(5, sdk_targeting(min_sdk))                   # sdk_version_targeting
    return t


def toc_pb(entries, min_sdk):
    descs = b""
    for e in entries:
        meta = f_varint(2, 1) if e["split_id"] is None else f_bytes(1, e["split_id"])
        descs += f_bytes(2, f_bytes(1, apk_targeting(e["targeting"], e.get("value"), min_sdk))
                         + f_bytes(2, e["path"]) + f_bytes(3, meta))
    module = f_bytes(1, "base") + f_bytes(5, b"") + f_varint(6, 1)  # INSTALL_TIME
    apk_set = f_bytes(1, module) + descs
    variant = f_bytes(1, f_bytes(1, sdk_targeting(min_sdk))) + f_bytes(2, apk_set)
    return f_bytes(1, variant) + f_bytes(2, f_bytes(2, "0.0.0"))


def add(zf, name, data, stored):
    zi = zipfile.ZipInfo(name, DATE)
    zi.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    zi.external_attr = 0o600 << 16
    zf.writestr(zi, data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--apks-dir", required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--out-apks", required=True)
    ap.add_argument("--out-xapk", required=True)
    a = ap.parse_args()
    with open(a.expected, encoding="utf-8") as f:
        exp = json.load(f)
    cont = exp["containers"]

    def read(name):
        with open(os.path.join(a.apks_dir, name), "rb") as f:
            return f.read()

    # .apks
    entries = cont["apks"]["entries"]
    with zipfile.ZipFile(a.out_apks, "w") as zf:
        for e in entries:
            add(zf, e["path"], read(e["source"]), stored=True)
        add(zf, "toc.pb", toc_pb(entries, exp["min_sdk"]), stored=False)

    # .xapk
    files = cont["xapk"]["entries"]
    blobs = {e["file"]: read(e["source"]) for e in files}
    manifest = {
        "xapk_version": 2,
        "package_name": exp["package"],
        "name": exp["application"]["labels"]["default"],
        "version_code": str(exp["version_code"]),
        "version_name": exp["version_name"],
        "min_sdk_version": str(exp["min_sdk"]),
        "target_sdk_version": str(exp["target_sdk"]),
        "permissions": [p["name"] for p in exp["permissions"]["uses_permission"]],
        "split_configs": [e["id"] for e in files if e["id"] != "base"],
        "total_size": sum(len(b) for b in blobs.values()),
        "split_apks": [{"file": e["file"], "id": e["id"]} for e in files],
    }
    with zipfile.ZipFile(a.out_xapk, "w") as zf:
        add(zf, "manifest.json", json.dumps(manifest, indent=2) + "\n", stored=False)
        for e in files:
            add(zf, e["file"], blobs[e["file"]], stored=True)


if __name__ == "__main__":
    main()
