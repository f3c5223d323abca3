#!/usr/bin/env bash
# Builds samples/packed/packed.apk: a stub-packed app (360 Jiagu style) whose
# only code is the packer stub. Needs Debian's aapt, android-framework-res,
# libsmali-java, zipalign, apksigner (see ../../scripts/build-samples.sh).
set -euo pipefail
cd "$(dirname "$0")"
FWRES=$(dpkg -L android-framework-res | grep 'framework-res\.apk$')
SMALI=$(dpkg -L libsmali-java | grep '/smali\.jar$')
rm -rf build && mkdir -p build/stage/lib/arm64-v8a build/stage/assets
java -jar "$SMALI" a --api 21 -o build/stage/classes.dex src/smali
# The packer's native loader: our own tiny ELF stands in for libjiagu.so.
cp ../../tests/data/elf/libkidsdemo-arm64.so build/stage/lib/arm64-v8a/libjiagu.so
# The "encrypted payload": fixed pseudo-random bytes (reproducible).
python3 -c "import random,sys; r=random.Random(360); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(2048)))" \
    > build/stage/assets/classes.jar.enc
aapt package -f -M src/AndroidManifest.xml -S src/res -I "$FWRES" -F build/unsigned.apk
(cd build/stage && aapt add ../unsigned.apk classes.dex lib/arm64-v8a/libjiagu.so assets/classes.jar.enc >/dev/null)
zipalign -f -p 4 build/unsigned.apk build/aligned.apk
apksigner sign --ks ../keys/test.keystore --ks-pass pass:android --ks-key-alias test \
    --out packed.apk build/aligned.apk
rm -f packed.apk.idsig
rm -rf build
echo "built samples/packed/packed.apk"
