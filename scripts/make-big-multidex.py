"""Writes a large multidex APK for benchmarks (never committed): the
manifest and resources of samples/kidsdemo plus every DEX of the corpus,
cycled as classes.dex, classes2.dex, ... until the APK reaches TARGET_MB.

Usage: python3 scripts/make-big-multidex.py OUT.apk [TARGET_MB=100] [CORPUS=../shared/corpus]
"""
import glob, os, sys, zipfile

out = sys.argv[1]
target = int(sys.argv[2]) if len(sys.argv) > 2 else 100
corpus = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "corpus")
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
dexes = []
for apk in sorted(glob.glob(os.path.join(corpus, "*.apk"))):
    try:
        z = zipfile.ZipFile(apk)
        for n in z.namelist():
            if n.startswith("classes") and n.endswith(".dex") and "/" not in n:
                dexes.append(z.read(n))
    except Exception:
        pass
if not dexes:
    sys.exit("no DEX found in " + corpus)
base = zipfile.ZipFile(os.path.join(root, "samples", "kidsdemo", "kidsdemo.apk"))
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("AndroidManifest.xml", base.read("AndroidManifest.xml"))
    z.writestr(zipfile.ZipInfo("resources.arsc"), base.read("resources.arsc"))
    i = 0
    while True:
        name = "classes.dex" if i == 0 else f"classes{i + 1}.dex"
        z.writestr(name, dexes[i % len(dexes)])
        i += 1
        z.fp.flush()
        if os.path.getsize(out) >= target * 1_000_000:
            break
print(f"{out}: {os.path.getsize(out) / 1e6:.1f} MB, {i} DEX files", file=sys.stderr)
