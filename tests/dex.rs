//! The DEX reader on the shipped samples, whose smali sources
//! (samples/*/src/smali*/) say exactly what each class calls.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use humiao::apk::zip::Archive;
use humiao::formats::dex::{CodeRef, Dex, InvokeKind};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `classes.dex`, `classes2.dex`, … of an APK, in Android's load order.
fn dex_files(apk: &str) -> Vec<(String, Vec<u8>)> {
    let bytes = std::fs::read(root().join(apk)).unwrap();
    let archive = Archive::parse(&bytes).unwrap().value;
    let mut out = Vec::new();
    for n in 1.. {
        let name = if n == 1 {
            "classes.dex".to_string()
        } else {
            format!("classes{n}.dex")
        };
        let Some(e) = archive.find(&name) else { break };
        out.push((name, archive.read(e, 64 << 20).unwrap().into_owned()));
    }
    out
}

#[derive(Default, Debug)]
struct Refs {
    /// class → smali-style callees (`Lc;->m(..)R`), with the invoke kind.
    invokes: BTreeMap<String, BTreeSet<String>>,
    /// class → const-string values.
    strings: BTreeMap<String, BTreeSet<String>>,
    /// (caller method, callee) pairs.
    calls: BTreeSet<(String, String)>,
}

fn refs(data: &[u8]) -> (Refs, Vec<humiao::formats::Anomaly>) {
    let parsed = Dex::parse(data).unwrap();
    let dex = parsed.value;
    let mut out = Refs::default();
    let mut anomalies = parsed.anomalies;
    anomalies.extend(dex.for_each_code_ref(|class, method, r| {
        let class_name = String::from_utf8(class.descriptor.to_vec()).unwrap();
        match r {
            CodeRef::Invoke {
                kind,
                method: callee,
                ..
            } => {
                let callee = dex.method_ref(callee).unwrap().to_string();
                let kind = match kind {
                    InvokeKind::Virtual => "virtual",
                    InvokeKind::Super => "super",
                    InvokeKind::Direct => "direct",
                    InvokeKind::Static => "static",
                    InvokeKind::Interface => "interface",
                    InvokeKind::Polymorphic => "polymorphic",
                };
                out.invokes
                    .entry(class_name)
                    .or_default()
                    .insert(format!("{kind} {callee}"));
                let caller = dex.method_ref(method.method).unwrap().to_string();
                out.calls.insert((caller, callee));
            }
            CodeRef::ConstString { string, .. } => {
                let s = dex.string_lossy(string).unwrap().into_owned();
                out.strings.entry(class_name).or_default().insert(s);
            }
            _ => {}
        }
    }));
    (out, anomalies)
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn kidsdemo_invokes_and_strings_per_class() {
    let dexes = dex_files("samples/kidsdemo/kidsdemo.apk");
    assert_eq!(dexes.len(), 1);
    let (r, anomalies) = refs(&dexes[0].1);
    assert!(anomalies.is_empty(), "{anomalies:?}");
    let k = "Lcom/example/kidsdemo/";
    let want: BTreeMap<String, BTreeSet<String>> = [
        (
            format!("{k}MainActivity;"),
            set(&[
                "direct Landroid/app/Activity;-><init>()V",
                "super Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V",
                "virtual Lcom/example/kidsdemo/MainActivity;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;",
                "virtual Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;",
                "static Lcom/umeng/analytics/MobclickAgent;->onResume(Landroid/content/Context;)V",
            ]),
        ),
        (
            format!("{k}BootReceiver;"),
            set(&[
                "direct Landroid/content/BroadcastReceiver;-><init>()V",
                "virtual Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;",
                "virtual Landroid/net/wifi/WifiManager;->getConnectionInfo()Landroid/net/wifi/WifiInfo;",
                "virtual Landroid/net/wifi/WifiInfo;->getMacAddress()Ljava/lang/String;",
            ]),
        ),
        (format!("{k}KidsProvider;"), set(&["direct Landroid/content/ContentProvider;-><init>()V"])),
        (format!("{k}SettingsActivity;"), set(&["direct Landroid/app/Activity;-><init>()V"])),
        (format!("{k}SyncService;"), set(&["direct Landroid/app/Service;-><init>()V"])),
        (
            "Lcom/umeng/analytics/MobclickAgent;".to_string(),
            set(&[
                "virtual Landroid/content/Context;->getPackageManager()Landroid/content/pm/PackageManager;",
                "virtual Landroid/content/pm/PackageManager;->getInstalledPackages(I)Ljava/util/List;",
            ]),
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(r.invokes, want);
    let strings: BTreeMap<String, BTreeSet<String>> = [
        (
            format!("{k}MainActivity;"),
            set(&["phone", "http://collect.example-tracker.test/v1/imei"]),
        ),
        (format!("{k}BootReceiver;"), set(&["wifi"])),
        (
            "Lcom/umeng/analytics/MobclickAgent;".to_string(),
            set(&["https://alog.umeng.com/app_logs"]),
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(r.strings, strings);
}

/// The `api_calls` of samples/kidsdemo/expected.json, caller method included.
#[test]
fn kidsdemo_expected_api_calls() {
    let (r, _) = refs(&dex_files("samples/kidsdemo/kidsdemo.apk")[0].1);
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("samples/kidsdemo/expected.json")).unwrap(),
    )
    .unwrap();
    let calls = expected["dex"]["api_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 3);
    for c in calls {
        let pair = (
            c["caller"].as_str().unwrap().to_string(),
            c["api"].as_str().unwrap().to_string(),
        );
        assert!(r.calls.contains(&pair), "missing call {pair:?}");
    }
    let classes: BTreeSet<String> = expected["dex"]["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    let dexes = dex_files("samples/kidsdemo/kidsdemo.apk");
    let dex = Dex::parse(&dexes[0].1).unwrap().value;
    let ours: BTreeSet<String> = dex
        .classes()
        .map(|c| String::from_utf8(c.unwrap().descriptor.to_vec()).unwrap())
        .collect();
    assert_eq!(ours, classes);
    let s = dex.count_summary();
    assert_eq!(
        (
            s.class_defs,
            s.classes_read,
            s.classes_failed,
            s.methods_defined
        ),
        (6, 6, 0, 10)
    );
}

#[test]
fn v1only_reads_classes2_dex() {
    let dexes = dex_files("samples/v1only/v1only.apk");
    assert_eq!(
        dexes.iter().map(|d| d.0.as_str()).collect::<Vec<_>>(),
        ["classes.dex", "classes2.dex"]
    );
    let (first, a1) = refs(&dexes[0].1);
    let (second, a2) = refs(&dexes[1].1);
    assert!(a1.is_empty() && a2.is_empty());
    assert_eq!(
        first.invokes.keys().collect::<Vec<_>>(),
        ["Lcom/example/v1only/MainActivity;"]
    );
    assert!(first.invokes["Lcom/example/v1only/MainActivity;"]
        .contains("static Lcom/example/v1only/extra/Helper;->androidId(Landroid/content/Context;)Ljava/lang/String;"));
    let helper = "Lcom/example/v1only/extra/Helper;";
    assert_eq!(
        second.invokes[helper],
        set(&[
            "virtual Landroid/content/Context;->getContentResolver()Landroid/content/ContentResolver;",
            "static Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;",
        ])
    );
    assert_eq!(
        second.strings[helper],
        set(&["android_id", "https://second-dex.example.test/collect"])
    );
}

#[test]
fn corrupt_checksum_is_an_anomaly_not_an_error() {
    let dexes = dex_files("samples/malformed/corrupt-dex-checksum.apk");
    let parsed = Dex::parse(&dexes[0].1).unwrap();
    let codes: Vec<_> = parsed.anomalies.iter().map(|a| a.code).collect();
    assert_eq!(codes, ["dex-bad-checksum"]);
    assert_eq!(parsed.anomalies[0].offset, Some(8));
    // dexdump: "Bad checksum (7efca040, expected 81035fbf)".
    let h = parsed.value.header();
    assert_eq!(
        (h.checksum, h.computed_checksum),
        (0x8103_5fbf, 0x7efc_a040)
    );
    // Everything is still read.
    let (r, _) = refs(&dexes[0].1);
    assert!(r.invokes["Lcom/example/kidsdemo/MainActivity;"]
        .contains("virtual Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"));
}

/// Every DEX of the shared corpus against dexdump's figures recorded in
/// tests/data/dex/corpus-dexdump.tsv (by scripts/check-dex-vs-dexdump.sh
/// --write-golden): header counts, and for the smaller inputs the number
/// of distinct (caller class, callee | string | call site) pairs. The walk
/// must also be free of anomalies, except the bad checksum of the sample
/// made for it.
///
/// A missing or changed corpus file fails the test; set HUMIAO_SKIP_CORPUS=1
/// to skip the corpus rows (e.g. on a machine without ../shared).
#[test]
fn corpus_matches_dexdump_figures() {
    use sha2::{Digest, Sha256};
    let skip_corpus = std::env::var_os("HUMIAO_SKIP_CORPUS").is_some();
    let table = std::fs::read_to_string(root().join("tests/data/dex/corpus-dexdump.tsv")).unwrap();
    let mut rows: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    for line in table.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let f: Vec<String> = line.split('\t').map(str::to_string).collect();
        assert_eq!(f.len(), 10, "bad row {line}");
        rows.entry(f[0].clone()).or_default().push(f);
    }
    assert!(rows.len() > 50, "corpus table too small");
    let mut checked = 0;
    for (file, dexes) in &rows {
        let path = match file.strip_prefix("corpus/") {
            Some(rest) if skip_corpus => {
                let _ = rest;
                continue;
            }
            Some(rest) => root().join("../shared/corpus").join(rest),
            None => root().join(file),
        };
        let bytes = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (HUMIAO_SKIP_CORPUS=1 skips the corpus)",
                path.display()
            )
        });
        let digest: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(digest, dexes[0][1], "{file} changed");
        let files: Vec<(String, Vec<u8>)> = if humiao::formats::dex::is_dex(&bytes) {
            vec![(dexes[0][2].clone(), bytes.clone())]
        } else {
            dex_files(path.to_str().unwrap())
        };
        for row in dexes {
            let data = &files
                .iter()
                .find(|(n, _)| *n == row[2])
                .unwrap_or_else(|| panic!("{file}: {} not read", row[2]))
                .1;
            let parsed = Dex::parse(data).unwrap_or_else(|e| panic!("{file}: {}: {e}", row[2]));
            let dex = parsed.value;
            let h = dex.header();
            let ours = [
                h.class_defs_size,
                h.method_ids_size,
                h.string_ids_size,
                h.type_ids_size,
                h.proto_ids_size,
                h.field_ids_size,
            ]
            .map(|v| v.to_string());
            assert_eq!(ours[..], row[3..9], "{file}: {}: header counts", row[2]);
            let mut anomalies: Vec<&str> = parsed.anomalies.iter().map(|a| a.code).collect();
            let mut pairs: BTreeSet<(Vec<u8>, u8, String)> = BTreeSet::new();
            let want_pairs = row[9] != "-";
            let walk = dex.for_each_code_ref(|class, _, r| {
                if !want_pairs {
                    return;
                }
                let target = match r {
                    CodeRef::Invoke { method, .. } => (
                        b'M',
                        dex.method_ref(method)
                            .map(|m| m.to_dexdump())
                            .unwrap_or_default(),
                    ),
                    CodeRef::ConstString { string, .. } => (b'S', string.0.to_string()),
                    CodeRef::InvokeCustom { call_site, .. } => (b'C', call_site.0.to_string()),
                    _ => return,
                };
                pairs.insert((class.descriptor.to_vec(), target.0, target.1));
            });
            anomalies.extend(walk.iter().map(|a| a.code));
            let allowed: &[&str] = if file.ends_with("corrupt-dex-checksum.apk") {
                &["dex-bad-checksum"]
            } else {
                &[]
            };
            assert_eq!(anomalies, allowed, "{file}: {}", row[2]);
            if want_pairs {
                assert_eq!(
                    pairs.len().to_string(),
                    row[9],
                    "{file}: {}: distinct reference pairs",
                    row[2]
                );
            }
            checked += 1;
        }
    }
    assert!(
        checked >= if skip_corpus { 4 } else { 100 },
        "only {checked} DEX checked"
    );
}
