#!/usr/bin/env bash
# Rebuilds the binary XML fixtures from src/ with Debian's aapt (1:10.0.0+r36)
# and android-framework-res (API 29). Run from this directory.
set -euo pipefail
FWRES=${FWRES:-/usr/share/android-framework-res/framework-res.apk}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
aapt package -f -M src/AndroidManifest.xml -S src/res -I "$FWRES" -F "$out/fixture.apk"
python3 - "$out/fixture.apk" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
open("manifest.axml", "wb").write(z.read("AndroidManifest.xml"))
open("network_security_config.axml", "wb").write(z.read("res/xml/network_security_config.xml"))
PY
aapt dump xmltree "$out/fixture.apk" AndroidManifest.xml > manifest.xmltree.txt
aapt dump xmltree "$out/fixture.apk" res/xml/network_security_config.xml > network_security_config.xmltree.txt
aapt dump badging "$out/fixture.apk" > manifest.badging.txt 2>&1 || true
aapt dump resources "$out/fixture.apk" | grep -E 'spec resource' > resources.txt
