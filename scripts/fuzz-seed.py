"""Seeds fuzz/corpus/<target>/ from samples/ and ../shared/corpus (small files only)."""
import hashlib, os, sys, zipfile, glob

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "fuzz", "corpus")
apks = sorted(glob.glob(os.path.join(root, "samples", "**", "*.apk"), recursive=True))
apks += sorted(glob.glob(os.path.join(root, "samples", "**", "*.xapk"), recursive=True))
apks += sorted(glob.glob(os.path.join(root, "..", "shared", "corpus", "*.ap*")))
apks += sorted(glob.glob(os.path.join(root, "..", "shared", "corpus", "*.xapk")))
LIMIT = 1 << 20

def put(target, data):
    if not data or len(data) > LIMIT:
        return
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)

for path in apks:
    try:
        raw = open(path, "rb").read()
    except OSError:
        continue
    put("zip", raw)
    put("scan", raw)
    put("signing", raw)
    try:
        z = zipfile.ZipFile(path)
    except Exception:
        continue
    for info in z.infolist():
        n = info.filename
        try:
            if n == "AndroidManifest.xml" or (n.startswith("res/xml/") and n.endswith(".xml")):
                put("axml", z.read(info))
                if n.startswith("res/xml/"):
                    put("nsc", z.read(info))
            elif n == "resources.arsc":
                put("arsc", z.read(info))
            elif n.startswith("META-INF/") and n.upper().endswith((".RSA", ".DSA", ".EC")):
                put("signing", z.read(info))
            elif n.endswith(".dex"):
                put("dex", z.read(info))
            elif n.endswith(".so"):
                put("elf", z.read(info))
        except Exception:
            pass
# The ruleset loaders: every shipped catalogue file.
for path in sorted(glob.glob(os.path.join(root, "rulesets", "**", "*.toml"), recursive=True)):
    put("catalog", open(path, "rb").read())
for t in sorted(os.listdir(out)):
    print(f"seeded {t}: {len(os.listdir(os.path.join(out, t)))} files", file=sys.stderr)
