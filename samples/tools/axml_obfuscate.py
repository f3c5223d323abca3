#!/usr/bin/env python3
"""Rename or empty the attribute-name strings of a binary AndroidManifest.xml.

  axml_obfuscate.py IN.apk OUT.apk [--expect expected.json]

With --expect, fails unless the changes made equal expected.json's
"axml_obfuscation" -> "changes" list (the ground truth stays in one place).

The trick (as done by manifest "protectors" such as APKEditor's): in binary XML the
first N strings of the string pool are the attribute names that have a resource id, and
the XML_RESOURCE_MAP chunk gives their ids. Android resolves framework attributes by
that id, so the *names* can be changed without changing what Android sees, while tools
that go by name read garbage. Every string keeps its length (or becomes empty), so no
offset or chunk size changes: the pool stays byte-for-byte the same size.

Names that AOSP's package parser still looks up *by name* (ResXMLParser::indexOfAttribute
compares name strings) are kept, or Android would not see the same app: the lite parser
(ApkLiteParseUtils / PackageParser.parseApkLite) reads versionCode, minSdkVersion,
debuggable, ... by name, and intent-filter <action>/<category> android:name is read with
getAttributeValue(ANDROID_RESOURCES, "name"). The KEEP list is those names as found in
AOSP sources; it is not claimed to be exhaustive. The rest follow the fixed table below:
emptied, renamed to a misleading real attribute name of the same length, or renamed to
same-length junk.

The zip is rewritten with the same entry order and compression, fixed timestamps.
Standard library only.
"""
import argparse
import json
import struct
import sys
import zipfile

# Looked up by name by Android's package parser: never touch.
KEEP = {
    "name",
    "versionCode", "versionCodeMajor", "revisionCode", "installLocation", "coreApp",
    "isolatedSplits", "configForSplit", "isFeatureSplit", "isSplitRequired",
    "minSdkVersion", "targetSdkVersion", "debuggable", "multiArch", "use32bitAbi",
    "extractNativeLibs", "useEmbeddedDex",
}
EMPTY = {"label", "versionName"}
MISLEADING = {"value": "label", "exported": "required"}

RES_XML_TYPE = 0x0003
RES_STRING_POOL_TYPE = 0x0001
RES_XML_RESOURCE_MAP_TYPE = 0x0180
UTF8_FLAG = 0x100


def junk(name):
    """Deterministic same-length junk: 'compileSdkVersion' -> 'zzzzzzzzzzzzzzzzz'-like."""
    letters = "qzxjkvwy"
    return "".join(letters[(i + len(name)) % len(letters)] for i in range(len(name)))


def read_len16(buf, pos):
    n = struct.unpack_from("<H", buf, pos)[0]
    if n & 0x8000:
        n2 = struct.unpack_from("<H", buf, pos + 2)[0]
        return ((n & 0x7FFF) << 16) | n2, 4
    return n, 2


def read_len8(buf, pos):
    n = buf[pos]
    if n & 0x80:
        return ((n & 0x7F) << 8) | buf[pos + 1], 2
    return n, 1


def obfuscate(axml):
    buf = bytearray(axml)
    typ, hsize, size = struct.unpack_from("<HHI", buf, 0)
    if typ != RES_XML_TYPE:
        sys.exit(f"not binary XML (chunk type {typ:#x})")
    pool = hsize
    ptype, phsize, psize, count, _styles, flags, strings_start, _ = struct.unpack_from("<HHIIIIII", buf, pool)
    if ptype != RES_STRING_POOL_TYPE:
        sys.exit("first chunk is not a string pool")
    rmap = pool + psize
    mtype, mhsize, msize = struct.unpack_from("<HHI", buf, rmap)
    if mtype != RES_XML_RESOURCE_MAP_TYPE:
        sys.exit("no XML_RESOURCE_MAP after the string pool")
    ids = struct.unpack_from(f"<{(msize - mhsize) // 4}I", buf, rmap + mhsize)
    utf8 = bool(flags & UTF8_FLAG)
    changes = []
    for i, rid in enumerate(ids):
        off = struct.unpack_from("<I", buf, pool + phsize + 4 * i)[0]
        pos = pool + strings_start + off
        if utf8:
            nchars, a = read_len8(buf, pos)
            nbytes, b = read_len8(buf, pos + a)
            data = pos + a + b
            old = bytes(buf[data:data + nbytes]).decode("utf-8")
        else:
            nchars, a = read_len16(buf, pos)
            data = pos + a
            old = bytes(buf[data:data + 2 * nchars]).decode("utf-16-le")
        if old in KEEP:
            continue
        new = "" if old in EMPTY else MISLEADING.get(old, junk(old))
        assert len(new) in (0, len(old)) and new.isascii()
        if utf8:
            if a != 1 or b != 1:
                sys.exit("long UTF-8 names are not handled")
            if new:
                buf[data:data + len(new)] = new.encode()
            else:
                buf[pos] = 0
                buf[pos + 1] = 0
                buf[pos + 2] = 0  # terminator; the old bytes stay behind, unreferenced
        else:
            if new:
                buf[data:data + 2 * len(new)] = new.encode("utf-16-le")
            else:
                struct.pack_into("<HH", buf, pos, 0, 0)  # length 0 + terminator
        changes.append({"index": i, "resource_id": f"0x{rid:08x}", "old": old, "new": new})
    return bytes(buf), changes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("inp")
    ap.add_argument("out")
    ap.add_argument("--expect")
    a = ap.parse_args()
    with zipfile.ZipFile(a.inp) as zin, zipfile.ZipFile(a.out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "AndroidManifest.xml":
                data, changes = obfuscate(data)
            zi = zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0))
            zi.compress_type = info.compress_type
            zi.external_attr = info.external_attr
            zout.writestr(zi, data)
    for c in changes:
        print(f"  string #{c['index']} ({c['resource_id']}): {c['old']!r} -> {c['new']!r}")
    if a.expect:
        with open(a.expect, encoding="utf-8") as f:
            want = json.load(f)["axml_obfuscation"]["changes"]
        if want != changes:
            sys.exit("changes differ from expected.json axml_obfuscation.changes:\n"
                     + json.dumps(changes, indent=2))


if __name__ == "__main__":
    main()
