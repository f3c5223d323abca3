#!/usr/bin/env python3
"""Build the hostile corpus in tests/hostile/ (issue 5, item 3).

  scripts/make-hostile.py            write tests/hostile/*.apk|.apks and the
                                     sizes and SHA-256 in expected.json
  scripts/make-hostile.py --check    rebuild in memory and fail (exit 1) if a
                                     file or expected.json is out of date

Every case is derived from samples/kidsdemo/kidsdemo.apk (its manifest,
resources.arsc and classes.dex) and tests/data/elf/libkidsdemo-arm64.so by a
small, named patch, so each file breaks exactly one thing. Outcomes (what the
scanner must say) live in tests/hostile/expected.json and are asserted by
tests/hostile.rs; tests/hostile/README.md is the same table for people.

The zip writer is our own (not zipfile) so that local headers, central
directory records and sizes can lie independently. Output is deterministic:
fixed dates, fixed order, no timestamps; deflate comes from zlib at level 9,
whose output is fixed for a given zlib version, so --check compares bytes
only when the zlib version equals the one recorded in expected.json.
Standard library only (Python 3.11).
"""
import argparse
import hashlib
import io
import json
import os
import struct
import sys
import zipfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KIDS = os.path.join(ROOT, "samples", "kidsdemo", "kidsdemo.apk")
ELF = os.path.join(ROOT, "tests", "data", "elf", "libkidsdemo-arm64.so")
OUT = os.path.join(ROOT, "tests", "hostile")

STORED, DEFLATED = 0, 8
LFH_SIG, CDH_SIG, EOCD_SIG = 0x04034B50, 0x02014B50, 0x06054B50
MiB = 1 << 20


# -- deflate and a zip writer whose headers can lie ---------------------------
def deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    return c.compress(data) + c.flush()


def deflate_zeros(prefix, zeros):
    """Deflate `prefix` + `zeros` NUL bytes without holding them in memory.
    Returns (compressed, crc32, uncompressed size)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    out = [c.compress(prefix)]
    crc = zlib.crc32(prefix)
    block = bytes(MiB)
    left = zeros
    while left:
        n = min(left, MiB)
        chunk = block if n == MiB else bytes(n)
        out.append(c.compress(chunk))
        crc = zlib.crc32(chunk, crc)
        left -= n
    out.append(c.flush())
    return b"".join(out), crc, len(prefix) + zeros


class Entry:
    """One zip entry. `lfh` and `cd` override header fields (method, flags,
    crc, csize, usize, name) in the local header or the central directory
    only; `raw` = (compressed, crc, usize) skips compression."""

    def __init__(self, name, data=b"", method=DEFLATED, raw=None, lfh=None, cd=None):
        self.name = name
        if raw is not None:
            self.body, self.crc, self.usize = raw
            self.method = method
        else:
            self.body = deflate(data) if method == DEFLATED else data
            self.crc = zlib.crc32(data)
            self.usize = len(data)
            self.method = method
        self.lfh = lfh or {}
        self.cd = cd or {}


def fields(e, over):
    f = {"method": e.method, "flags": 0, "crc": e.crc, "csize": len(e.body),
         "usize": e.usize, "name": e.name}
    f.update(over)
    return f


def build_zip(entries, extra_cd=(), cd_count=None, cd_cut=0):
    """Local records, central directory, end record.

    extra_cd: (name, index) pairs: more central records pointing at the
    local header of entries[index] (overlapping entries).
    cd_count: entry count written in the end record (default: true count).
    cd_cut: bytes removed from the end of the central directory (the end
    record's size field follows the cut).
    """
    out = bytearray()
    offsets = []
    for e in entries:
        f = fields(e, e.lfh)
        name = f["name"].encode()
        offsets.append(len(out))
        out += struct.pack("<IHHHHHIIIHH", LFH_SIG, 20, f["flags"], f["method"], 0, 0x21,
                           f["crc"], f["csize"], f["usize"], len(name), 0)
        out += name + e.body
    cd = bytearray()
    records = [(e, offsets[i]) for i, e in enumerate(entries)]
    records += [(Entry(n, b"", raw=(entries[i].body, entries[i].crc, entries[i].usize),
                       method=entries[i].method), offsets[i]) for n, i in extra_cd]
    for e, off in records:
        f = fields(e, e.cd)
        name = f["name"].encode()
        cd += struct.pack("<IHHHHHHIIIHHHHHII", CDH_SIG, 20, 20, f["flags"], f["method"], 0,
                          0x21, f["crc"], f["csize"], f["usize"], len(name), 0, 0, 0, 0,
                          0o100644 << 16, off)
        cd += name
    if cd_cut:
        cd = cd[:-cd_cut]
    cd_off = len(out)
    out += cd
    n = len(records) if cd_count is None else cd_count
    out += struct.pack("<IHHHHIIH", EOCD_SIG, 0, 0, n, n, len(cd), cd_off, 0)
    return bytes(out)


# -- the good APK's parts ------------------------------------------------------
def kidsdemo():
    """[(name, method, data)] of kidsdemo.apk without its v1 signature files
    (the hostile files are unsigned: their zip layer is rebuilt anyway)."""
    with zipfile.ZipFile(KIDS) as z:
        return [(i.filename, i.compress_type, z.read(i)) for i in z.infolist()
                if not i.filename.startswith("META-INF/")]


def entries_of(items, **patch):
    """Entry objects for items, with data replaced per name: patch maps an
    entry name (with '.' and '/' as '_') to new bytes or an Entry."""
    out = []
    for name, method, data in items:
        key = name.replace(".", "_").replace("/", "_")
        p = patch.get(key)
        if isinstance(p, Entry):
            out.append(p)
        else:
            out.append(Entry(name, data if p is None else p, method))
    return out


def part(items, name):
    return next(d for n, _m, d in items if n == name)


# -- binary XML ----------------------------------------------------------------
def axml_pool(axml):
    """(offset of the string pool chunk, stringCount, flags, stringsStart)."""
    pool = struct.unpack_from("<H", axml, 2)[0]
    ptype, _h, _s, count, _styles, flags, start, _ = struct.unpack_from("<HHIIIIII", axml, pool)
    assert ptype == 0x0001
    return pool, count, flags, start


def axml_string_offset(axml, text):
    """Byte offset (in the file) of the characters of UTF-16 pool string `text`."""
    pool, count, flags, start = axml_pool(axml)
    assert flags & 0x100 == 0, "kidsdemo's manifest pool is UTF-16"
    for i in range(count):
        off = struct.unpack_from("<I", axml, pool + 28 + 4 * i)[0]
        p = pool + start + off
        n = struct.unpack_from("<H", axml, p)[0]
        if axml[p + 2:p + 2 + 2 * n].decode("utf-16-le") == text:
            return p + 2, i
    raise SystemExit(f"string {text!r} not in the manifest pool")


def axml_attributes(axml):
    """Yield (offset of the attribute, element name index, attr name index)
    for every attribute of every start-element node."""
    size = struct.unpack_from("<I", axml, 4)[0]
    pos = struct.unpack_from("<H", axml, 2)[0]
    while pos < size:
        typ, hsize, csize = struct.unpack_from("<HHI", axml, pos)
        if typ == 0x0102:  # RES_XML_START_ELEMENT_TYPE
            ext = pos + hsize
            _ns, name, astart, asize, acount = struct.unpack_from("<iIHHH", axml, ext)
            for k in range(acount):
                a = ext + astart + k * asize
                yield a, name, struct.unpack_from("<I", axml, a + 4)[0]
        pos += csize


def axml_string_index(axml, text):
    return axml_string_offset(axml, text)[1]


# -- resources.arsc ------------------------------------------------------------
def arsc_type_chunks(arsc, type_id):
    """Offsets of the RES_TABLE_TYPE_TYPE chunks of `type_id` (first package)."""
    pos = struct.unpack_from("<H", arsc, 2)[0]
    out = []
    while pos < len(arsc):
        t, h, s = struct.unpack_from("<HHI", arsc, pos)
        if t == 0x0200:
            p = pos + h
            while p < pos + s:
                t2, _h2, s2 = struct.unpack_from("<HHI", arsc, p)
                if t2 == 0x0201 and arsc[p + 8] == type_id:
                    out.append(p)
                p += s2
        pos += s
    return out


def arsc_entry_value(arsc, chunk, index):
    """Offset of the Res_value of entry `index` in a (dense) type chunk."""
    hsize = struct.unpack_from("<H", arsc, chunk + 2)[0]
    entries_start = struct.unpack_from("<I", arsc, chunk + 16)[0]
    off = struct.unpack_from("<I", arsc, chunk + hsize + 4 * index)[0]
    assert off != 0xFFFFFFFF
    entry = chunk + entries_start + off
    esize, eflags = struct.unpack_from("<HH", arsc, entry)
    assert eflags & 1 == 0, "simple entry expected"
    return entry + esize


# -- DEX -------------------------------------------------------------------------
def dex_fix(dex):
    """Recompute the SHA-1 signature and the adler32 checksum."""
    d = bytearray(dex)
    d[12:32] = hashlib.sha1(bytes(d[32:])).digest()
    struct.pack_into("<I", d, 8, zlib.adler32(bytes(d[12:])))
    return bytes(d)


def find_once(data, needle):
    i = data.find(needle)
    assert i >= 0 and data.find(needle, i + 1) < 0, f"{needle.hex()} must occur once"
    return i


# -- the cases -------------------------------------------------------------------
def build():
    items = kidsdemo()
    manifest = part(items, "AndroidManifest.xml")
    arsc = part(items, "resources.arsc")
    dex = part(items, "classes.dex")
    elf = open(ELF, "rb").read()
    good = build_zip(entries_of(items))
    cases = {}

    # 1. Ratio bomb beyond our cap: the manifest followed by 64 MiB of zeros
    # (MAX_XML is 64 MiB). Android would read it; we refuse with the limit.
    cases["bomb-ratio-manifest.apk"] = build_zip(entries_of(
        items, AndroidManifest_xml=Entry("AndroidManifest.xml",
                                         raw=deflate_zeros(manifest, 64 * MiB))))

    # 2. A size that lies: classes.dex declares 4 GiB but inflates to its
    # 2 KiB plus 8 MiB of zeros. Read with the cap, never allocated.
    raw = deflate_zeros(dex, 8 * MiB)
    lie = {"usize": 0xFFFFFFFE}
    cases["bomb-declared-size.apk"] = build_zip(entries_of(
        items, classes_dex=Entry("classes.dex", raw=raw, lfh=lie, cd=lie)))

    # 3. Nested bomb: assets/payload.zip holds classes.dex of 600 MiB zeros
    # (beyond MAX_DEX, 512 MiB); the inner zip is itself deflated again.
    inner = build_zip([Entry("classes.dex", raw=deflate_zeros(b"", 600 * MiB))])
    cases["bomb-nested.apk"] = build_zip(entries_of(items) + [
        Entry("assets/payload.zip", inner)])

    # 4. Overlapping entries: a second central record, classes2.dex, points at
    # classes.dex's local header (same data read twice).
    ents = entries_of(items)
    dex_i = next(i for i, e in enumerate(ents) if e.name == "classes.dex")
    cases["overlapping-entries.apk"] = build_zip(ents, extra_cd=[("classes2.dex", dex_i)])

    # 5. Fake encryption: general-purpose bit 0 on every entry, in both headers.
    enc = {"flags": 1}
    cases["fake-encryption.apk"] = build_zip([
        Entry(n, d, m, lfh=enc, cd=enc) for n, m, d in items])

    # 6. Local header lies about the manifest (method, sizes, CRC): the
    # central directory is right, and it is what Android reads.
    badpack = {"method": 0x1337, "crc": 0xDEADBEEF, "csize": 0x10, "usize": 0x10}
    cases["local-header-mismatch.apk"] = build_zip(entries_of(
        items, AndroidManifest_xml=Entry("AndroidManifest.xml", manifest, lfh=badpack)))

    # 7. Two binary manifests: the second names another package (same length).
    evil = bytearray(manifest)
    p, _ = axml_string_offset(manifest, "com.example.kidsdemo")
    evil[p:p + 40] = "com.example.evilfake".encode("utf-16-le")
    cases["duplicate-manifest.apk"] = build_zip(entries_of(items) + [
        Entry("AndroidManifest.xml", bytes(evil))])

    # 8. Truncated central directory: its last record loses the end of its name.
    cases["truncated-central-directory.apk"] = build_zip(entries_of(items), cd_cut=5)

    # 9. Huge declared counts in tiny files.
    m = bytearray(manifest)
    pool, _count, _f, _s = axml_pool(manifest)
    struct.pack_into("<I", m, pool + 8, 0x80000000)  # stringCount = 2^31
    cases["huge-count-axml.apk"] = build_zip(entries_of(items, AndroidManifest_xml=bytes(m)))
    a = bytearray(arsc)
    first = arsc_type_chunks(arsc, 3)[0]  # the `string` type, default config
    struct.pack_into("<I", a, first + 12, 0x7FFFFFFF)  # entryCount
    cases["huge-count-arsc.apk"] = build_zip(entries_of(items, resources_arsc=bytes(a)))
    d = bytearray(dex)
    struct.pack_into("<I", d, 0x38, 0xFFFFFFF0)  # string_ids_size
    struct.pack_into("<I", d, 0x58, 0xFFFFFFF0)  # method_ids_size
    cases["huge-count-dex.apk"] = build_zip(entries_of(items, classes_dex=dex_fix(d)))

    # 10. Unpaired UTF-16 surrogates in the manifest pool: versionName "1.2.0"
    # becomes "1" D800 "2" DC00 "0" (a lone high and a lone low surrogate).
    m = bytearray(manifest)
    p, _ = axml_string_offset(manifest, "1.2.0")
    struct.pack_into("<5H", m, p, 0x31, 0xD800, 0x32, 0xDC00, 0x30)
    cases["unpaired-surrogates.apk"] = build_zip(entries_of(items, AndroidManifest_xml=bytes(m)))

    # 11. Out-of-range indices in attributes: <uses-permission> READ_PHONE_STATE
    # gets a value string index of 0x7FFFFFF0 (raw and typed), <uses-feature>
    # camera an attribute name index of 0x7FFFFF00, and <application>
    # android:label a reference to a resource that does not exist.
    m = bytearray(manifest)
    perm = axml_string_index(manifest, "android.permission.READ_PHONE_STATE")
    cam = axml_string_index(manifest, "android.hardware.camera")
    label_ref = None
    for at, _el, _name in axml_attributes(manifest):
        raw_value = struct.unpack_from("<I", manifest, at + 8)[0]
        dtype = manifest[at + 15]
        data = struct.unpack_from("<I", manifest, at + 16)[0]
        if raw_value == perm:
            struct.pack_into("<I", m, at + 8, 0x7FFFFFF0)
            struct.pack_into("<I", m, at + 16, 0x7FFFFFF0)
        elif raw_value == cam:
            struct.pack_into("<I", m, at + 4, 0x7FFFFF00)
        elif dtype == 0x01 and data == 0x7F030000:
            label_ref = at
            struct.pack_into("<I", m, at + 16, 0x7F0E0FFF)
    assert label_ref is not None
    cases["out-of-range-indices.apk"] = build_zip(entries_of(items, AndroidManifest_xml=bytes(m)))

    # 12. Self-referencing resource: the label @string/0x7f030000 is, in every
    # configuration, a reference to itself.
    a = bytearray(arsc)
    for chunk in arsc_type_chunks(arsc, 3):
        v = arsc_entry_value(arsc, chunk, 0)
        struct.pack_into("<HBBI", a, v, 8, 0, 0x01, 0x7F030000)
    cases["self-reference.apk"] = build_zip(entries_of(items, resources_arsc=bytes(a)))

    # 13. DEX: MainActivity.onCreate's invoke-virtual of getDeviceId gets
    # method index 0xFFFF, and MobclickAgent.onResume's code item declares
    # 2^20 code units, running far past the end of the file.
    d = bytearray(dex)
    i = find_once(dex, bytes.fromhex("6e100a000000"))  # invoke-virtual {v0}, method@000a
    struct.pack_into("<H", d, i + 2, 0xFFFF)
    j = find_once(dex, bytes.fromhex("6e1005000200"))  # first insn of onResume
    struct.pack_into("<I", d, j - 4, 0x100000)  # insns_size
    cases["dex-bad-code.apk"] = build_zip(entries_of(items, classes_dex=dex_fix(d)))

    # 14. ELF with bogus section headers: e_shoff past the end, e_shnum 0xFFFF.
    e = bytearray(elf)
    assert e[:4] == b"\x7fELF" and e[4] == 2  # ELF64
    struct.pack_into("<Q", e, 0x28, 0x7FFF_FFFF_0000)
    struct.pack_into("<H", e, 0x3C, 0xFFFF)
    cases["elf-bogus-sections.apk"] = build_zip(entries_of(items) + [
        Entry("lib/arm64-v8a/libx.so", bytes(e))])

    # 15. Nesting: an APK whose assets hold an APK whose assets hold an APK ...
    # (five levels), and a bundle holding a copy of a bundle holding itself.
    apk = good
    for _ in range(4):
        apk = build_zip(entries_of(items) + [Entry("assets/inner.apk", apk, STORED)])
    cases["nested-self.apk"] = apk
    b0 = build_zip([Entry("base.apk", good, STORED)])
    b1 = build_zip([Entry("base.apk", good, STORED), Entry("copy.apk", b0, STORED)])
    cases["nested-self.apks"] = build_zip([Entry("base.apk", good, STORED),
                                           Entry("copy.apk", b1, STORED)])
    return cases


def sha256(b):
    return hashlib.sha256(b).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare instead of writing")
    a = ap.parse_args()
    cases = build()
    exp_path = os.path.join(OUT, "expected.json")
    with open(exp_path, encoding="utf-8") as f:
        exp = json.load(f)
    listed = [c["file"] for c in exp["cases"]]
    if sorted(listed) != sorted(cases):
        sys.exit(f"expected.json lists {sorted(listed)}, the script builds {sorted(cases)}")
    total = sum(len(b) for b in cases.values())
    if a.check:
        if exp.get("zlib") != zlib.ZLIB_VERSION:
            print(f"skipped: zlib {zlib.ZLIB_VERSION} is not the {exp.get('zlib')} "
                  "the corpus was built with (deflate output may differ)")
            return
        stale = [c["file"] for c in exp["cases"]
                 if c.get("sha256") != sha256(cases[c["file"]])
                 or not os.path.exists(os.path.join(OUT, c["file"]))
                 or sha256(open(os.path.join(OUT, c["file"]), "rb").read()) != c["sha256"]]
        if stale:
            sys.exit(f"out of date, run scripts/make-hostile.py: {stale}")
        print(f"  {len(cases)} files, {total} bytes: up to date")
        return
    os.makedirs(OUT, exist_ok=True)
    for name, data in cases.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    exp["zlib"] = zlib.ZLIB_VERSION
    for c in exp["cases"]:
        c["size"] = len(cases[c["file"]])
        c["sha256"] = sha256(cases[c["file"]])
    with open(exp_path, "w", encoding="utf-8") as f:
        f.write(json.dumps(exp, ensure_ascii=False, indent=2) + "\n")
    print(f"  wrote {len(cases)} files, {total} bytes, to {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
