#!/usr/bin/env bash
# Regenerate tests/golden/: what Android's own tools say about every input we test on.
#
#   scripts/gen-golden.sh                 corpus (../shared/corpus) + samples/
#   HUMIAO_CORPUS=/path scripts/gen-golden.sh
#
# For each APK-like input X (and each APK inside an .apks/.xapk container) it writes
#   X.badging.txt       `aapt dump badging X`                      (stdout + exit status line)
#   X.permissions.txt   `aapt dump permissions X`                  (stdout + exit status line)
#   X.xmltree.txt       `aapt dump xmltree X AndroidManifest.xml`  (stdout + exit status line)
#   X.<cmd>.err         stderr of that aapt command, when it failed or printed anything
#                       (log prefixes "tag L MM-DD HH:MM:SS PID TID" reduced to "tag L")
#   X.certs.txt         `apksigner verify --verbose --print-certs X` (stdout, stderr, status)
#   X.certs-minsdk24.txt the same with --min-sdk-version 24, only when the plain call failed
#                       for want of a v1 signature (v2/v3-only APK with minSdk < 24)
# plus tests/golden/corpus.tsv (one row per input) and tests/golden/TOOLS.txt.
# Tools are found through dpkg -L, as in scripts/build-samples.sh. Needs:
#   apt-get update && apt-get install -y aapt apksigner dexdump unzip
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$ROOT/tests/golden"
CORPUS=${HUMIAO_CORPUS:-$ROOT/../shared/corpus}
MAX_XMLTREE=$((1024 * 1024))   # xmltree dumps above 1 MiB are dropped (noted in corpus.tsv)

die() { echo "gen-golden: $*" >&2; exit 1; }
INSTALL_HINT="apt-get update && apt-get install -y aapt apksigner dexdump unzip"
pkg_file() { # pkg regex
    local f
    f=$(dpkg -L "$1" 2>/dev/null | grep -E "$2" | head -n1 || true)
    [[ -n "$f" && -e "$f" ]] || die "missing Debian package '$1' (no file matching $2). Install with: $INSTALL_HINT"
    echo "$f"
}
command -v dpkg >/dev/null 2>&1 || die "dpkg not found: this script expects Debian (bookworm) packages"
AAPT=$(pkg_file aapt '/bin/aapt$')
APKSIGNER=$(pkg_file apksigner '/bin/apksigner$')
command -v unzip >/dev/null 2>&1 || die "missing command 'unzip'. Install with: $INSTALL_HINT"
command -v sha256sum >/dev/null 2>&1 || die "missing sha256sum (coreutils)"

# Strip the liblog prefix that makes aapt's stderr differ from run to run.
normalize_log() { sed -E 's/^([A-Za-z_][A-Za-z0-9_.-]*) ([VDIWEF]) [0-9]{2}-[0-9]{2} [0-9:.]+ +[0-9]+ +[0-9]+ /\1 \2 /'; }

# run_aapt NAME KIND args... (cwd = directory of the input; NAME is the golden stem)
run_aapt() {
    local stem=$1 kind=$2; shift 2
    local rc=0
    "$AAPT" "$@" >"$TMP/aapt.out" 2>"$TMP/aapt.err" || rc=$?
    { cat "$TMP/aapt.out"; echo "# aapt exit status: $rc"; } >"$DEST/$stem.$kind.txt"
    if [[ $rc -ne 0 || -s "$TMP/aapt.err" ]]; then
        { normalize_log <"$TMP/aapt.err"; echo "# aapt exit status: $rc"; } >"$DEST/$stem.$kind.err"
    fi
    LAST_RC=$rc
}

# golden_one DIR FILE STEM: dump FILE (which lives in DIR) into $DEST/STEM.*
golden_one() {
    local dir=$1 file=$2 stem=$3 label=$4
    local rc_b rc_x rc_s=0 rc_s24 note=""
    (
        cd "$dir"
        run_aapt "$stem" badging dump badging "$file"; echo $LAST_RC >"$TMP/rc_b"
        run_aapt "$stem" permissions dump permissions "$file"
        run_aapt "$stem" xmltree dump xmltree "$file" AndroidManifest.xml; echo $LAST_RC >"$TMP/rc_x"
        local rc=0
        "$APKSIGNER" verify --verbose --print-certs "$file" >"$TMP/so" 2>"$TMP/se" || rc=$?
        {
            cat "$TMP/so"
            if [[ -s "$TMP/se" ]]; then echo "# --- stderr ---"; cat "$TMP/se"; fi
            echo "# apksigner exit status: $rc"
        } >"$DEST/$stem.certs.txt"
        echo $rc >"$TMP/rc_s"
        # The plain call checks v1 down to the manifest's minSdkVersion, so a v2/v3-only
        # APK with minSdk < 24 "does not verify". Record what it says from API 24 on too.
        echo "" >"$TMP/rc_s24"
        if [[ $rc -ne 0 ]] && grep -qE 'Missing META-INF/MANIFEST.MF|No JAR signatures' "$TMP/so" "$TMP/se"; then
            rc=0
            "$APKSIGNER" verify --verbose --print-certs --min-sdk-version 24 "$file" \
                >"$TMP/so" 2>"$TMP/se" || rc=$?
            {
                cat "$TMP/so"
                if [[ -s "$TMP/se" ]]; then echo "# --- stderr ---"; cat "$TMP/se"; fi
                echo "# apksigner exit status: $rc"
            } >"$DEST/$stem.certs-minsdk24.txt"
            echo $rc >"$TMP/rc_s24"
        fi
    )
    rc_b=$(cat "$TMP/rc_b"); rc_x=$(cat "$TMP/rc_x"); rc_s=$(cat "$TMP/rc_s"); rc_s24=$(cat "$TMP/rc_s24")
    local size
    size=$(stat -c %s "$DEST/$stem.xmltree.txt")
    if [[ $size -gt $MAX_XMLTREE ]]; then
        rm -f "$DEST/$stem.xmltree.txt"
        note="xmltree dump ($size bytes) over 1 MiB, not kept"
    fi
    local sha
    sha=$(sha256sum "$dir/$file" | cut -d' ' -f1)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$sha" "$(stat -c %s "$dir/$file")" \
        "$rc_b" "$rc_x" "$rc_s" "$rc_s24" "${DEST#"$OUT"/}/$stem" "$note" >>"$TSV"
    echo "  $label: aapt $rc_b, xmltree $rc_x, apksigner $rc_s${rc_s24:+ (minSdk 24: $rc_s24)}"
}

# The APKs inside an .apks/.xapk container, each dumped as CONTAINER__entry_path.
golden_container() {
    local dir=$1 file=$2 labelprefix=$3
    local entry stem
    while IFS= read -r entry; do
        [[ "$entry" == *.apk ]] || continue
        stem="${file}__${entry//\//_}"
        mkdir -p "$TMP/x"
        unzip -p "$dir/$file" "$entry" >"$TMP/x/$stem"
        golden_one "$TMP/x" "$stem" "$stem" "$labelprefix!$entry"
        rm -f "$TMP/x/$stem"
    done < <(unzip -Z1 "$dir/$file")
}

is_input() { # which files are dumped
    case "$1" in
        *.apk|*.apks|*.xapk|*.aab|*.jar) return 0 ;;
        *) return 1 ;;
    esac
}

[[ -d "$CORPUS" ]] || die "corpus not found at $CORPUS (set HUMIAO_CORPUS); refusing to drop tests/golden/corpus"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
rm -rf "$OUT/corpus" "$OUT/samples"
mkdir -p "$OUT"
TSV="$OUT/corpus.tsv.tmp"
printf 'file\tsha256\tsize\taapt_badging_exit\taapt_xmltree_exit\tapksigner_exit\tapksigner_minsdk24_exit\tgolden\tnote\n' >"$TSV"

# --- corpus -----------------------------------------------------------------
if true; then
    CORPUS=$(cd "$CORPUS" && pwd)
    echo "== corpus: $CORPUS"
    DEST="$OUT/corpus"; mkdir -p "$DEST"
    for path in "$CORPUS"/*; do
        f=$(basename "$path")
        is_input "$f" || { echo "  skip $f (not an APK-like file)"; continue; }
        if [[ "$f" == *.jar ]]; then
            # only if aapt can read it as an APK
            if ! "$AAPT" dump badging "$path" >/dev/null 2>&1; then
                echo "  skip $f (aapt cannot read it as an APK)"
                printf '%s\t%s\t%s\t\t\t\t\t\t%s\n' "corpus/$f" "$(sha256sum "$path" | cut -d' ' -f1)" \
                    "$(stat -c %s "$path")" "skipped: aapt dump badging fails on this .jar" >>"$TSV"
                continue
            fi
        fi
        golden_one "$CORPUS" "$f" "$f" "corpus/$f"
        case "$f" in *.apks|*.xapk) golden_container "$CORPUS" "$f" "corpus/$f" ;; esac
    done
fi

# --- samples ----------------------------------------------------------------
echo "== samples"
while IFS= read -r path; do
    rel=${path#"$ROOT"/samples/}
    DEST="$OUT/samples/$(dirname "$rel")"; DEST=${DEST%/.}
    mkdir -p "$DEST"
    f=$(basename "$path")
    golden_one "$(dirname "$path")" "$f" "$f" "samples/$rel"
    case "$f" in *.apks|*.xapk) golden_container "$(dirname "$path")" "$f" "samples/$rel" ;; esac
done < <(find "$ROOT/samples" -type f \( -name '*.apk' -o -name '*.apks' -o -name '*.xapk' -o -name '*.aab' \) \
    -not -path '*/build/*' | LC_ALL=C sort)

mv "$TSV" "$OUT/corpus.tsv"

{
    echo "# tool versions used for tests/golden (generated by scripts/gen-golden.sh)"
    echo "aapt version: $("$AAPT" version 2>&1)"
    echo "apksigner --version: $("$APKSIGNER" --version 2>&1)"
    for p in aapt apksigner dexdump android-framework-res zipalign libsmali-java; do
        echo "dpkg $p: $(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo 'not installed')"
    done
    echo "java: $(java -version 2>&1 | head -n1)"
} >"$OUT/TOOLS.txt"

echo "== done: $(($(wc -l <"$OUT/corpus.tsv") - 1)) inputs, tests/golden is $(du -sh "$OUT" | cut -f1)"
