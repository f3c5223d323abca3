#!/usr/bin/env bash
# Regenerates the signing test data in this folder. Needs: keytool and
# jarsigner (any JDK), apksigner (Debian package `apksigner`), openssl,
# python3, zip. Keys are throwaway test keys made here; every run gives new
# keys, so the expected values (apksigner.txt) are regenerated too and the
# Rust tests read them from that file rather than hard-coding fingerprints.
#
# Outputs:
#   signed.apk        tiny APK signed v1+v2+v3 by `new` with a rotation
#                     lineage old -> new (apksigner rotate + sign --lineage)
#   apksigner.txt     `apksigner verify -v --print-certs --verbose signed.apk`
#   v1-rsa.RSA        META-INF signature block of signed.apk (PKCS#7, DER)
#   v1-dsa.DSA        jarsigner DSA-2048 signature block
#   v1-ec.EC          jarsigner EC P-256 signature block
#   ber-indefinite.p7 openssl cms -stream output (BER indefinite lengths)
#   *.cert.der        the certificates, for fingerprint checks
#   *.keytool.txt     `keytool -printcert` of each (DN, serial, algorithms)
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pw=humiao-test

gen() { # alias keyalg keysize dname
  keytool -genkeypair -keystore "$tmp/ks.p12" -storetype PKCS12 -storepass $pw -keypass $pw \
    -alias "$1" -keyalg "$2" -keysize "$3" -dname "$4" -validity 10000 \
    -startdate 2020/01/01 -sigalg "$5" >/dev/null 2>&1
  keytool -exportcert -keystore "$tmp/ks.p12" -storepass $pw -alias "$1" -file "$1.cert.der" >/dev/null 2>&1
}
gen old RSA 2048 'CN=Humiao Old, OU=Test, O=Example\, Inc., L=Mountain View, ST=California, C=CN' SHA256withRSA
gen new RSA 2048 'EMAILADDRESS=test@example.com, CN=Humiao New, O=Example, C=CN' SHA256withRSA
gen dsa DSA 2048 'CN=Humiao DSA' SHA256withDSA
gen ec EC 256 'CN=Humiao EC, O=测试' SHA256withECDSA

# A minimal APK: just a compiled manifest (apksigner verify needs one), built
# with Debian's aapt against Debian's framework-res.apk.
cat > "$tmp/AndroidManifest.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android"
    package="org.humiao.signingtest" android:versionCode="1" android:versionName="1.0">
  <uses-sdk android:minSdkVersion="24" android:targetSdkVersion="33"/>
  <application/>
</manifest>
XML
aapt package -f -M "$tmp/AndroidManifest.xml" -I /usr/share/android-framework-res/framework-res.apk \
  -F "$tmp/unsigned.apk"

ks() { echo "--ks $tmp/ks.p12 --ks-pass pass:$pw --ks-key-alias $1 --key-pass pass:$pw"; }
# shellcheck disable=SC2046
apksigner rotate --out "$tmp/lineage" --old-signer $(ks old) --new-signer $(ks new) >/dev/null
# v1 and v2 are signed by the oldest lineage entry, v3 by the newest.
# shellcheck disable=SC2046
apksigner sign --in "$tmp/unsigned.apk" --out signed.apk --min-sdk-version 24 \
  --v1-signing-enabled true --v2-signing-enabled true --v3-signing-enabled true \
  --v4-signing-enabled false --lineage "$tmp/lineage" $(ks old) --next-signer $(ks new)
rm -f signed.apk.idsig
apksigner verify -v --print-certs --verbose --min-sdk-version 24 signed.apk > apksigner.txt 2>&1 || true
python3 - <<'PY'
import zipfile
z = zipfile.ZipFile("signed.apk")
for n in z.namelist():
    if n.startswith("META-INF/") and n.endswith((".RSA", ".DSA", ".EC")):
        open("v1-rsa.RSA", "wb").write(z.read(n))
PY

# jarsigner for DSA and EC blocks.
for k in dsa ec; do
  cp "$tmp/unsigned.apk" "$tmp/$k.jar"
  jarsigner -keystore "$tmp/ks.p12" -storepass $pw -keypass $pw "$tmp/$k.jar" $k >/dev/null 2>&1
  python3 - "$tmp/$k.jar" "$k" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for n in z.namelist():
    if n.startswith("META-INF/") and n.endswith((".RSA", ".DSA", ".EC")):
        ext = n.rsplit(".", 1)[1]
        open(f"v1-{sys.argv[2]}.{ext}", "wb").write(z.read(n))
PY
done

# BER: openssl streams with indefinite lengths.
openssl pkcs12 -in "$tmp/ks.p12" -passin pass:$pw -nodes -nocerts 2>/dev/null \
  | awk '/friendlyName: ec/{f=1} f' | openssl pkey -out "$tmp/ec.key" 2>/dev/null
openssl x509 -inform DER -in ec.cert.der -out "$tmp/ec.pem"
printf 'content' | openssl cms -sign -stream -binary -outform DER -signer "$tmp/ec.pem" \
  -inkey "$tmp/ec.key" -nosmimecap -noattr -md sha256 -out ber-indefinite.p7
# keytool's view of each certificate (same DN rendering as apksigner).
for c in *.cert.der; do
  TZ=UTC LC_ALL=C.UTF-8 keytool -J-Dstdout.encoding=UTF-8 -J-Dfile.encoding=UTF-8 -printcert -file "$c" > "${c%.cert.der}.keytool.txt" 2>&1
done
ls -l
