#!/usr/bin/env bash
# Compares our binary XML decoder with aapt over a corpus of APKs.
#
# usage: scripts/check-axml-vs-aapt.sh [--all|--badging] [CORPUS_DIR]
#   default:   `aapt dump xmltree APK AndroidManifest.xml` for every
#              *.apk/*.jar in CORPUS_DIR (default /work/shared/corpus) and
#              every split APK inside its *.xapk/*.apks bundles
#   --all:     the same for every res/**/*.xml entry too
#   --badging: the lines of `aapt dump badging` the manifest model covers
#              (package name/versionCode/versionName, sdkVersion,
#              targetSdkVersion, maxSdkVersion, uses-permission*)
#
# Entries are extracted with python3's zipfile (not our zip reader) and fed
# to examples/axml_dump.rs. When the APK has a resources.arsc, its package
# ID is passed along, because aapt maps shared-library IDs through it.
# Per entry it prints  match | MISMATCH | aapt-fail (ours: ...) | PANIC |
# unreadable | no-entry,  then a tally. Exit status 1 on any MISMATCH or
# PANIC.
set -u
mode=xmltree
case "${1:-}" in
  --all) mode=all; shift ;;
  --badging) mode=badging; shift ;;
esac
corpus=${1:-/work/shared/corpus}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v aapt >/dev/null || { echo "aapt not found" >&2; exit 2; }
[ -d "$corpus" ] || { echo "corpus $corpus not found" >&2; exit 2; }

cargo build --quiet --manifest-path "$root/Cargo.toml" --example axml_dump 2>/dev/null || exit 2
bin="$root/target/debug/examples/axml_dump"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Prints "pkgid<TAB>HEX" (aapt's assigned ID for the resource package) and
# one "PATH<TAB>ENTRY" line per extracted entry.
extract='
import sys, zipfile, os, struct
apk, out, all_ = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
try:
    z = zipfile.ZipFile(apk)
    names = z.namelist()
except Exception:
    sys.exit(3)
try:
    arsc = z.read("resources.arsc")
    off = struct.unpack_from("<H", arsc, 2)[0]
    while off + 12 <= len(arsc):
        t, hs, size = struct.unpack_from("<HHI", arsc, off)
        if t == 0x0200:
            pid = struct.unpack_from("<I", arsc, off + 8)[0]
            # aapt loads the framework as 0x01; a shared library (ID 0)
            # gets the next free ID.
            print("pkgid\t%02x" % (pid if pid else 2))
            break
        if size == 0:
            break
        off += size
except Exception:
    pass
for i, n in enumerate(names):
    if n == "AndroidManifest.xml" or (all_ and n.startswith("res/") and n.endswith(".xml")):
        try:
            data = z.read(n)
        except Exception:
            print("?\t" + n); continue
        p = os.path.join(out, str(i))
        with open(p, "wb") as f:
            f.write(data)
        print(p + "\t" + n)
'

# Keeps the badging lines the model covers, dropping implied permissions
# (a uses-permission line followed by uses-implied-permission for it) and
# the package-line fields it does not model.
# Keeps the badging lines the model covers, dropping implied permissions
# (a uses-permission line followed by uses-implied-permission for it) and
# the package-line fields it does not model; prints the package line, then
# the uses-sdk lines, then the permission lines (aapt interleaves them in
# document order).
filter_badging='
import re, sys
lines = sys.stdin.read().splitlines()
pkg, sdk, perms = [], [], []
for i, l in enumerate(lines):
    if l.startswith("package:"):
        m = re.match(r"package: name=(\x27[^\x27]*\x27) versionCode=(\x27[^\x27]*\x27) versionName=(\x27[^\x27]*\x27)", l)
        pkg.append("package: name=%s versionCode=%s versionName=%s" % m.groups() if m else l)
    elif l.startswith(("sdkVersion:", "targetSdkVersion:", "maxSdkVersion:")):
        sdk.append(l)
    elif l.startswith(("uses-permission-sdk-23:", "optional-permission:")):
        perms.append(l)
    elif l.startswith("uses-permission:"):
        name = re.search(r"name=\x27([^\x27]*)\x27", l)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if name and nxt.startswith("uses-implied-permission: name=\x27%s\x27" % name.group(1)):
            continue
        perms.append(l)
print("\n".join(pkg + sdk + perms))
'

declare -A tally=()
count() { tally[$1]=$(( ${tally[$1]:-0} + 1 )); }
failed=0
all=0; [ $mode = all ] && all=1
# check_apk APK LABEL: compares every selected entry of one APK.
check_apk() {
  local apk=$1 name=$2 list pid raw entry arc orc ours
  local -a pkgopt=()
  rm -rf "$tmp/e" && mkdir -p "$tmp/e"
  list=$(python3 -c "$extract" "$apk" "$tmp/e" "$all" 2>/dev/null)
  if [ $? -ne 0 ]; then echo "unreadable  $name (python zipfile)"; count unreadable; return; fi
  pid=$(grep '^pkgid' <<<"$list" | cut -f2)
  [ -n "$pid" ] && pkgopt=(--package-id "$pid")
  list=$(grep -v '^pkgid' <<<"$list")
  if [ -z "$list" ]; then echo "no-entry    $name"; count no-entry; return; fi
  while IFS=$'\t' read -r raw entry; do
    if [ "$raw" = "?" ]; then echo "unreadable  $name:$entry"; count unreadable; continue; fi
    if [ $mode = badging ]; then
      aapt dump badging "$apk" >"$tmp/want.raw" 2>/dev/null; arc=$?
      python3 -c "$filter_badging" <"$tmp/want.raw" >"$tmp/want"
      "$bin" "$raw" --badging >"$tmp/got" 2>"$tmp/err"; orc=$?
    else
      aapt dump xmltree "$apk" "$entry" >"$tmp/want" 2>/dev/null; arc=$?
      "$bin" "$raw" "${pkgopt[@]}" >"$tmp/got" 2>"$tmp/err"; orc=$?
    fi
    if [ $orc -gt 2 ]; then
      echo "PANIC       $name:$entry ($(head -c 200 "$tmp/err"))"; count panic; failed=1; continue
    fi
    if [ $arc -ne 0 ]; then
      if [ $orc -eq 0 ]; then ours=ok; else ours="error: $(head -c 160 "$tmp/err")"; fi
      echo "aapt-fail   $name:$entry (ours: $ours)"; count aapt-fail; continue
    fi
    if [ $orc -ne 0 ]; then
      echo "MISMATCH    $name:$entry (ours failed: $(head -c 160 "$tmp/err"))"; count mismatch; failed=1; continue
    fi
    if cmp -s "$tmp/want" "$tmp/got"; then
      [ $all -eq 1 ] || echo "match       $name:$entry"
      count match
    else
      echo "MISMATCH    $name:$entry"
      diff "$tmp/want" "$tmp/got" | head -8 | sed 's/^/    /'
      count mismatch; failed=1
    fi
  done <<<"$list"
}

# Split APKs inside .xapk/.apks bundles are checked too.
unbundle='
import sys, zipfile, os
try:
    z = zipfile.ZipFile(sys.argv[1])
    for i, n in enumerate(z.namelist()):
        if n.endswith(".apk"):
            p = os.path.join(sys.argv[2], "%d.apk" % i)
            with open(p, "wb") as f:
                f.write(z.read(n))
            print(p + "\t" + n)
except Exception:
    sys.exit(3)
'

for apk in "$corpus"/*.apk "$corpus"/*.jar "$corpus"/*.xapk "$corpus"/*.apks; do
  [ -f "$apk" ] || continue
  case "$apk" in
    *.xapk|*.apks)
      rm -rf "$tmp/b" && mkdir -p "$tmp/b"
      inner=$(python3 -c "$unbundle" "$apk" "$tmp/b" 2>/dev/null) || { echo "unreadable  $(basename "$apk")"; count unreadable; continue; }
      while IFS=$'\t' read -r path entry; do
        [ -n "$path" ] && check_apk "$path" "$(basename "$apk")!$entry"
      done <<<"$inner"
      ;;
    *) check_apk "$apk" "$(basename "$apk")" ;;
  esac
done
echo "---"
for k in match mismatch aapt-fail panic unreadable no-entry; do
  printf '%-11s %s\n' "$k" "${tally[$k]:-0}"
done
exit $failed
