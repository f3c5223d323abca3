#!/usr/bin/env bash
# Rebuilds tests/data/arsc/fixture.arsc from src/ with Debian's aapt
# (packages `aapt` and `android-framework-res`). Only the resource table is
# kept; the APK is a temporary file.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
framework="${FRAMEWORK_RES:-/usr/share/android-framework-res/framework-res.apk}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
extract() {
    python3 -c "import zipfile,sys; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read('resources.arsc'))" "$1"
}
# UTF-8 string pools (aapt's default here).
aapt package -f -M "$here/src/AndroidManifest.xml" -S "$here/src/res" -I "$framework" -F "$tmp/out.apk"
extract "$tmp/out.apk" > "$here/fixture.arsc"
aapt dump --values resources "$tmp/out.apk" > "$here/fixture.aapt.txt"
aapt dump badging "$tmp/out.apk" | grep '^application-label' > "$here/fixture.badging.txt" || true
# Same sources with UTF-16 string pools.
aapt package -f --utf16 -M "$here/src/AndroidManifest.xml" -S "$here/src/res" -I "$framework" -F "$tmp/out16.apk"
extract "$tmp/out16.apk" > "$here/fixture-utf16.arsc"
ls -l "$here"/fixture*.arsc
