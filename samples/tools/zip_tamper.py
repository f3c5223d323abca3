#!/usr/bin/env python3
"""Apply zip-level tricks that Android tolerates to an (unsigned, aligned) APK.

  zip_tamper.py IN.apk OUT.apk                  rebuild with the tricks below (sign afterwards)
  zip_tamper.py --after-signing IN.apk OUT.apk  only overwrite AndroidManifest.xml's LFH
                                                compression method in place (no size change),
                                                which breaks the v2/v3 digests of a signed APK

The central directory (CD) keeps the true values; only local file headers (LFH) lie,
because Android's libziparchive takes the compression method, sizes and CRC from the CD
(FindEntry in system/libziparchive/zip_archive.cc):

1. AndroidManifest.xml, "BadPack" style: LFH compression method 0x1337 (CD: 8, deflate),
   LFH general-purpose bit 3 ("data descriptor follows") set, LFH CRC-32 and sizes set to
   bogus values, and a real data descriptor (PK\\x07\\x08 + CRC + sizes, equal to the CD)
   inserted after the entry data. libziparchive ignores the LFH method, skips the LFH
   size/CRC check when the LFH has bit 3, and checks the data descriptor against the CD
   instead.
   Tools that trust the LFH (or fail on an unknown method) break. The CD also gets bit 3
   (it is true: a descriptor follows); with the CD bit clear apksig refuses the APK
   ("Data Descriptor presence mismatch") while libziparchive only warns.
2. classes.dex: LFH general-purpose bit 0 ("encrypted") set; the CD says not encrypted.
   libziparchive never looks at that bit; tools that honour it refuse the entry.

Everything else (entry data, order, CD fields other than LFH offsets, EOCD comment)
is unchanged; later entries move by the 16-byte descriptor, which keeps 4-byte alignment.
Run it before signing: apksigner copies local records verbatim, so the lies survive and
the signature covers them. Standard library only.
"""
import struct
import sys

LFH_SIG = 0x04034B50
CDH_SIG = 0x02014B50
EOCD_SIG = 0x06054B50
DD_SIG = 0x08074B50

BOGUS_METHOD = 0x1337
BOGUS_CRC = 0xDEADBEEF
BOGUS_COMPRESSED = 0x00C0FFEE
BOGUS_UNCOMPRESSED = 0x0BADF00D


def parse(d):
    eocd = d.rfind(struct.pack("<I", EOCD_SIG), max(0, len(d) - 65557))
    if eocd < 0:
        sys.exit("no EOCD")
    (_, _disk, _cddisk, _n_disk, n, cd_size, cd_off, clen) = struct.unpack_from("<IHHHHIIH", d, eocd)
    entries = []
    p = cd_off
    for _ in range(n):
        if struct.unpack_from("<I", d, p)[0] != CDH_SIG:
            sys.exit(f"bad CD header at {p}")
        (flags, method, crc, csize, usize, nlen, xlen, comlen, lho) = struct.unpack_from(
            "<8xHH4xIIIHHH8xI", d, p)
        name = d[p + 46:p + 46 + nlen].decode("utf-8")
        entries.append({"cd": bytearray(d[p:p + 46 + nlen + xlen + comlen]), "name": name,
                        "flags": flags, "method": method, "crc": crc, "csize": csize,
                        "usize": usize, "lho": lho})
        p += 46 + nlen + xlen + comlen
    return entries, cd_off, eocd, d[eocd:]


def patch_after_signing(src, dst):
    d = bytearray(open(src, "rb").read())
    entries, _cd_off, _eocd, _ = parse(bytes(d))
    e = next(e for e in entries if e["name"] == "AndroidManifest.xml")
    if struct.unpack_from("<I", d, e["lho"])[0] != LFH_SIG:
        sys.exit("no LFH for AndroidManifest.xml")
    struct.pack_into("<H", d, e["lho"] + 8, BOGUS_METHOD)
    with open(dst, "wb") as f:
        f.write(d)


def main():
    if sys.argv[1] == "--after-signing":
        patch_after_signing(sys.argv[2], sys.argv[3])
        return
    src, dst = sys.argv[1], sys.argv[2]
    d = open(src, "rb").read()
    entries, cd_off, eocd, eocd_bytes = parse(d)
    order = sorted(entries, key=lambda e: e["lho"])
    out = bytearray()
    names = {e["name"] for e in entries}
    for need in ("AndroidManifest.xml", "classes.dex"):
        if need not in names:
            sys.exit(f"{need} missing from {src}")
    for i, e in enumerate(order):
        start = e["lho"]
        end = order[i + 1]["lho"] if i + 1 < len(order) else cd_off
        nlen, xlen = struct.unpack_from("<HH", d, start + 26)
        data_start = start + 30 + nlen + xlen
        data_end = data_start + e["csize"]
        if e["flags"] & 0x08:
            sys.exit(f"{e['name']} already uses a data descriptor")
        lfh = bytearray(d[start:data_start])
        payload = d[data_start:data_end]
        gap = d[data_end:end]  # bytes before the next record (APK Signing Block, if any)
        dd = b""
        if e["name"] == "AndroidManifest.xml":
            struct.pack_into("<H", lfh, 6, struct.unpack_from("<H", lfh, 6)[0] | 0x08)
            struct.pack_into("<H", lfh, 8, BOGUS_METHOD)
            struct.pack_into("<III", lfh, 14, BOGUS_CRC, BOGUS_COMPRESSED, BOGUS_UNCOMPRESSED)
            dd = struct.pack("<IIII", DD_SIG, e["crc"], e["csize"], e["usize"])
            # The CD announces the descriptor too: apksig rejects a bit-3 mismatch
            # ("Data Descriptor presence mismatch"), libziparchive only warns.
            struct.pack_into("<H", e["cd"], 8, e["flags"] | 0x08)
        elif e["name"] == "classes.dex":
            struct.pack_into("<H", lfh, 6, struct.unpack_from("<H", lfh, 6)[0] | 0x01)
        struct.pack_into("<I", e["cd"], 42, len(out))  # new LFH offset in the CD
        out += lfh + payload + dd + gap
    new_cd_off = len(out)
    for e in entries:  # CD order unchanged
        out += e["cd"]
    eocd_new = bytearray(eocd_bytes)
    struct.pack_into("<I", eocd_new, 16, new_cd_off)
    out += eocd_new
    with open(dst, "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
