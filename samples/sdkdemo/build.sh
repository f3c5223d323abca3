#!/usr/bin/env bash
# Builds samples/sdkdemo/sdkdemo.apk: app code reading the clipboard and a
# fake JPush class (cn.jpush.*) reading location and IMEI. Needs Debian's aapt, android-framework-res,
# libsmali-java, zipalign, apksigner (see ../../scripts/build-samples.sh).
set -euo pipefail
cd "$(dirname "$0")"
FWRES=$(dpkg -L android-framework-res | grep 'framework-res\.apk$')
SMALI=$(dpkg -L libsmali-java | grep '/smali\.jar$')
rm -rf build && mkdir -p build/stage
java -jar "$SMALI" a --api 21 -o build/stage/classes.dex src/smali
aapt package -f -M src/AndroidManifest.xml -S src/res -I "$FWRES" -F build/unsigned.apk
(cd build/stage && aapt add ../unsigned.apk classes.dex >/dev/null)
zipalign -f -p 4 build/unsigned.apk build/aligned.apk
apksigner sign --ks ../keys/test.keystore --ks-pass pass:android --ks-key-alias test \
    --out sdkdemo.apk build/aligned.apk
rm -f sdkdemo.apk.idsig
rm -rf build
echo "built samples/sdkdemo/sdkdemo.apk"
