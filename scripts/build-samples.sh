#!/usr/bin/env bash
# Build the synthetic ground-truth samples under samples/ from their sources.
#
#   scripts/build-samples.sh            build everything, then check expected.json
#   scripts/build-samples.sh NAME...    build only these (kidsdemo v1only split obfuscated
#                                       tampered malformed), then check
#   scripts/build-samples.sh --check    only check the committed APKs against expected.json
#
# Needs Debian's Android tools (found through `dpkg -L`, as in the recipe):
#   apt-get update && apt-get install -y aapt zipalign apksigner android-framework-res \
#       libsmali-java dexdump openjdk-17-jdk-headless python3
# Tests never run this script: the built APKs are committed, so tests work offline.
#
# Reproducibility: aapt writes 1980-01-01 timestamps, smali output is deterministic,
# apksigner's RSA PKCS#1 v1.5 signatures are deterministic, and the key is committed
# (samples/keys/test.keystore), so with the same tool versions a rebuild gives
# byte-identical files. With other tool versions the manifest/dex/arsc contents stay the
# same but compressed bytes and signatures may differ.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
S="$ROOT/samples"
TOOLS="$S/tools"
KS="$S/keys/test.keystore"
KS_PASS=android
KS_ALIAS=test

die() { echo "build-samples: $*" >&2; exit 1; }

INSTALL_HINT="apt-get update && apt-get install -y aapt zipalign apksigner android-framework-res libsmali-java dexdump openjdk-17-jdk-headless python3"

# A file shipped by a Debian package, found with dpkg -L (clear message if absent).
pkg_file() { # pkg regex
    local f
    f=$(dpkg -L "$1" 2>/dev/null | grep -E "$2" | head -n1 || true)
    [[ -n "$f" && -e "$f" ]] || die "missing Debian package '$1' (no file matching $2). Install with: $INSTALL_HINT"
    echo "$f"
}
need_cmd() { # cmd pkg
    command -v "$1" >/dev/null 2>&1 || die "missing command '$1' (Debian package '$2'). Install with: $INSTALL_HINT"
}

find_tools() {
    command -v dpkg >/dev/null 2>&1 || die "dpkg not found: this script expects Debian (bookworm) packages"
    AAPT=$(pkg_file aapt '/bin/aapt$')
    ZIPALIGN=$(pkg_file zipalign '/bin/zipalign$')
    APKSIGNER=$(pkg_file apksigner '/bin/apksigner$')
    FWRES=$(pkg_file android-framework-res 'framework-res\.apk$')
    SMALI_JAR=$(pkg_file libsmali-java '/smali\.jar$')
    DEXDUMP=$(pkg_file dexdump '/bin/dexdump$')
    need_cmd java openjdk-17-jdk-headless
    need_cmd keytool openjdk-17-jdk-headless
    need_cmd python3 python3
}

# ---------------------------------------------------------------------------
# building blocks

ensure_key() {
    if [[ ! -f "$KS" ]]; then
        echo "== generating throw-away test key $KS"
        mkdir -p "$(dirname "$KS")"
        keytool -genkeypair -keystore "$KS" -storetype PKCS12 -storepass "$KS_PASS" \
            -keypass "$KS_PASS" -alias "$KS_ALIAS" -keyalg RSA -keysize 2048 -validity 36500 \
            -dname "CN=humiao synthetic test key, O=humiao, C=CN" >/dev/null 2>&1
    fi
    # SHA-256 of the DER certificate: what apksigner prints as "certificate SHA-256 digest".
    CERT_SHA256=$(keytool -exportcert -keystore "$KS" -storepass "$KS_PASS" -alias "$KS_ALIAS" \
        2>/dev/null | sha256sum | cut -d' ' -f1)
    [[ ${#CERT_SHA256} -eq 64 ]] || die "could not export the certificate from $KS"
}

# smali dirs -> classes.dex, classes2.dex in $2
compile_dex() { # srcdir outdir api
    local src=$1 out=$2 api=$3
    java -jar "$SMALI_JAR" a --api "$api" -o "$out/classes.dex" "$src/smali"
    if [[ -d "$src/smali2" ]]; then
        java -jar "$SMALI_JAR" a --api "$api" -o "$out/classes2.dex" "$src/smali2"
    fi
}

# AndroidManifest.xml + res/ -> unsigned zip with the dex files added at the root
package_unsigned() { # srcdir workdir out.apk [extra aapt args...]
    local src=$1 work=$2 out=$3; shift 3
    "$AAPT" package -f -M "$src/AndroidManifest.xml" -S "$src/res" -I "$FWRES" -F "$out" "$@"
}
add_dex() { # workdir apk
    local work=$1 apk=$2 dexes
    dexes=$(cd "$work" && ls classes*.dex)
    # shellcheck disable=SC2086
    (cd "$work" && "$AAPT" add "$apk" $dexes >/dev/null)
}

# zipalign + apksigner; extra args go to `apksigner sign`
align_sign() { # in.apk out.apk [apksigner args...]
    local in=$1 out=$2; shift 2
    "$ZIPALIGN" -f -p 4 "$in" "$in.aligned"
    "$APKSIGNER" sign --ks "$KS" --ks-pass "pass:$KS_PASS" --ks-key-alias "$KS_ALIAS" \
        --v4-signing-enabled false "$@" --out "$out" "$in.aligned"
    rm -f "$in.aligned" "$out.idsig"
}

fill_expected() { # expected.json
    python3 "$TOOLS/expected.py" fill "$1" --cert-sha256 "$CERT_SHA256"
}

# ---------------------------------------------------------------------------
# samples

kidsdemo_unsigned() { # -> $WORK/kidsdemo/unsigned.apk
    local src="$S/kidsdemo/src" w="$WORK/kidsdemo"
    [[ -f "$w/unsigned.apk" ]] && return 0
    mkdir -p "$w"
    compile_dex "$src" "$w" 21
    package_unsigned "$src" "$w" "$w/unsigned.apk"
    add_dex "$w" unsigned.apk
}

build_kidsdemo() {
    echo "== kidsdemo"
    local w="$WORK/kidsdemo"
    kidsdemo_unsigned
    align_sign "$w/unsigned.apk" "$S/kidsdemo/kidsdemo.apk"   # v1+v2+v3 (apksigner default)
    fill_expected "$S/kidsdemo/expected.json"
}

build_v1only() {
    echo "== v1only"
    local src="$S/v1only/src" w="$WORK/v1only"
    mkdir -p "$w"
    compile_dex "$src" "$w" 16
    package_unsigned "$src" "$w" "$w/unsigned.apk"
    add_dex "$w" unsigned.apk
    align_sign "$w/unsigned.apk" "$S/v1only/v1only.apk" \
        --v2-signing-enabled false --v3-signing-enabled false --min-sdk-version 16
    fill_expected "$S/v1only/expected.json"
}

build_split() {
    echo "== split"
    local src="$S/split/src" w="$WORK/split" out="$S/split/apks"
    mkdir -p "$w" "$out"
    rm -f "$out"/*.apk
    compile_dex "$src" "$w" 21
    # aapt writes base.apk, base_zh.apk and base_hdpi-v4.apk next to -F
    package_unsigned "$src" "$w" "$w/base.apk" --split zh --split hdpi
    add_dex "$w" base.apk
    align_sign "$w/base.apk" "$out/base.apk"
    align_sign "$w/base_zh.apk" "$out/split_config.zh.apk"
    align_sign "$w/base_hdpi-v4.apk" "$out/split_config.hdpi_v4.apk"
    python3 "$TOOLS/make_bundles.py" --apks-dir "$out" --expected "$S/split/expected.json" \
        --out-apks "$S/split/split.apks" --out-xapk "$S/split/split.xapk"
    fill_expected "$S/split/expected.json"
}

build_obfuscated() {
    echo "== obfuscated"
    local src="$S/obfuscated/src" w="$WORK/obfuscated"
    mkdir -p "$w"
    compile_dex "$src" "$w" 19
    package_unsigned "$src" "$w" "$w/plain.apk"
    add_dex "$w" plain.apk
    python3 "$TOOLS/axml_obfuscate.py" "$w/plain.apk" "$w/unsigned.apk" \
        --expect "$S/obfuscated/expected.json"
    align_sign "$w/unsigned.apk" "$S/obfuscated/obfuscated.apk"
    fill_expected "$S/obfuscated/expected.json"
}

build_tampered() {
    echo "== tampered (from kidsdemo's sources)"
    local w="$WORK/kidsdemo"
    kidsdemo_unsigned
    # align first, then tamper, then sign without re-aligning: apksigner keeps the
    # lying local headers as they are, so the signature is valid over them.
    "$ZIPALIGN" -f -p 4 "$w/unsigned.apk" "$w/tamper-in.apk"
    python3 "$TOOLS/zip_tamper.py" "$w/tamper-in.apk" "$w/tampered-unsigned.apk"
    "$APKSIGNER" sign --ks "$KS" --ks-pass "pass:$KS_PASS" --ks-key-alias "$KS_ALIAS" \
        --v4-signing-enabled false --out "$S/tampered/tampered.apk" "$w/tampered-unsigned.apk"
    # a second file: kidsdemo.apk with one LFH field patched after signing
    python3 "$TOOLS/zip_tamper.py" --after-signing "$S/kidsdemo/kidsdemo.apk" \
        "$S/tampered/patched-after-signing.apk"
    fill_expected "$S/tampered/expected.json"
}

build_malformed() {
    echo "== malformed/"
    python3 "$TOOLS/make_malformed.py" --good "$S/kidsdemo/kidsdemo.apk" --out "$S/malformed"
}

check_all() {
    echo "== checking expected.json against aapt / apksigner"
    local name
    for name in kidsdemo v1only obfuscated tampered; do
        [[ -f "$S/$name/$name.apk" ]] || { echo "skip $name (not built)"; continue; }
        python3 "$TOOLS/expected.py" check "$S/$name/expected.json" "$S/$name/$name.apk" \
            --aapt "$AAPT" --apksigner "$APKSIGNER" --dexdump "$DEXDUMP"
    done
    local apk
    for apk in "$S"/tampered/patched-after-signing.apk "$S"/split/apks/*.apk; do
        [[ -f "$apk" ]] || continue
        python3 "$TOOLS/expected.py" check "$(dirname "$apk" | sed 's|/apks$||')/expected.json" "$apk" \
            --aapt "$AAPT" --apksigner "$APKSIGNER" --dexdump "$DEXDUMP"
    done
    if [[ -f "$S/malformed/empty.apk" ]]; then
        python3 "$TOOLS/expected.py" check-malformed "$S/malformed/expected.json" \
            --aapt "$AAPT" --apksigner "$APKSIGNER" --dexdump "$DEXDUMP"
    fi
}

main() {
    find_tools
    if [[ "${1:-}" == "--check" ]]; then
        ensure_key
        check_all
        exit 0
    fi
    ensure_key
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT
    local names=("$@")
    [[ ${#names[@]} -gt 0 ]] || names=(kidsdemo v1only split obfuscated tampered malformed)
    local n
    for n in "${names[@]}"; do
        case "$n" in
            kidsdemo|v1only|split|obfuscated|tampered|malformed) "build_$n" ;;
            *) die "unknown sample '$n'" ;;
        esac
    done
    check_all
    echo "== done; samples/ is $(du -sh "$S" | cut -f1)"
}

main "$@"
