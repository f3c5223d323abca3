//! End to end: the `humiao` binary on the samples, checked against each
//! sample's ground truth (samples/*/expected.json) and against the
//! outcome each malformed input must have.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn humiao(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_humiao"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run humiao")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json_scan(path: &str) -> (Value, Output) {
    let o = humiao(&["scan", "--format", "json", path]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{path}: stdout is not JSON ({e}): {}\nstderr: {}",
            stdout(&o),
            stderr(&o)
        )
    });
    (v, o)
}

fn expected(sample: &str) -> Value {
    let p = root().join("samples").join(sample).join("expected.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn quick_start_scan_prints_identity() {
    let o = humiao(&["scan", "samples/kidsdemo/kidsdemo.apk"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let out = stdout(&o);
    for needle in [
        "com.example.kidsdemo",
        "db97f0473bb71d1511240a6832d91a00ad5ad5e97245e157e287ccdb30d3661b",
        "儿童乐园",
        "7e2057c9fa957686bd5433f6168679122592e40cbd2cd207aeb1b3e095dfd41b",
        "⚠ dangerous",
        "com.example.kidsdemo.SyncService",
        "trusts user-installed CAs",
    ] {
        assert!(out.contains(needle), "summary lacks `{needle}`:\n{out}");
    }
    assert!(!out.contains('\u{1b}'), "NO_COLOR output has ANSI codes");
    assert!(stderr(&o).is_empty());
}

#[test]
fn kidsdemo_json_equals_ground_truth() {
    let (v, o) = json_scan("samples/kidsdemo/kidsdemo.apk");
    assert_eq!(o.status.code(), Some(0));
    let e = expected("kidsdemo");
    assert_eq!(v["schema_version"], "1.1.0");
    assert_eq!(v["input"]["sha256"], e["files"]["kidsdemo.apk"]);
    assert_eq!(v["app"]["package"], e["package"]);
    assert_eq!(v["app"]["version_code"], e["version_code"]);
    assert_eq!(v["app"]["version_name"], e["version_name"]);
    assert_eq!(v["app"]["min_sdk"], e["min_sdk"]);
    assert_eq!(v["app"]["target_sdk"], e["target_sdk"]);
    assert_eq!(v["app"]["compile_sdk"], e["compile_sdk"]);
    let labels = &e["application"]["labels"];
    assert_eq!(v["app"]["labels"][""], labels["default"]);
    assert_eq!(v["app"]["labels"]["en"], labels["en"]);
    assert_eq!(v["app"]["labels"]["zh-CN"], labels["zh-CN"]);

    // Permissions: exactly the manifest's, dangerous ones marked.
    let mut want: Vec<String> = e["permissions"]["uses_permission"]
        .as_array()
        .unwrap()
        .iter()
        .chain(
            e["permissions"]["uses_permission_sdk_23"]
                .as_array()
                .unwrap(),
        )
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    want.sort();
    let got: Vec<String> = v["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, want);
    let dangerous: Vec<&str> = v["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["dangerous"] == true)
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        dangerous,
        [
            "android.permission.ACCESS_FINE_LOCATION",
            "android.permission.CAMERA",
            "android.permission.READ_PHONE_STATE",
            "android.permission.WRITE_EXTERNAL_STORAGE"
        ]
    );
    let wes = v["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "android.permission.WRITE_EXTERNAL_STORAGE")
        .unwrap();
    assert_eq!(wes["max_sdk_version"], 28);

    // Components: names and effective exported state.
    for c in e["components"].as_array().unwrap() {
        let ours = v["manifest"]["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == c["name"])
            .unwrap_or_else(|| panic!("component {} missing", c["name"]));
        assert_eq!(ours["kind"], c["kind"], "{}", c["name"]);
        assert_eq!(ours["exported_effective"], c["exported"], "{}", c["name"]);
    }
    assert_eq!(
        v["manifest"]["components"].as_array().unwrap().len(),
        e["components"].as_array().unwrap().len()
    );

    // Network: the config overrides usesCleartextTraffic=true.
    assert_eq!(v["network"]["uses_cleartext_traffic"], true);
    assert_eq!(v["network"]["cleartext_permitted_by_default"], false);
    assert_eq!(v["network"]["cleartext_source"], "network-security-config");
    let sc = &v["network"]["security_config"];
    assert_eq!(sc["file"], e["application"]["network_security_config_path"]);
    assert_eq!(sc["trusts_user_certs"], true);
    assert_eq!(
        sc["cleartext_domains"],
        serde_json::json!(["example-tracker.test"])
    );

    // Signing.
    let s = &v["signing"];
    assert_eq!(s["schemes"]["v1"], true);
    assert_eq!(s["schemes"]["v2"], true);
    assert_eq!(s["schemes"]["v3"], true);
    assert_eq!(s["signers"].as_array().unwrap().len(), 1);
    assert_eq!(
        s["signers"][0]["certificate"]["sha256"],
        e["signing"]["signer_cert_sha256"]
    );
    assert_eq!(
        s["signers"][0]["certificate"]["subject"],
        e["signing"]["signer_dn"]
    );

    assert_eq!(v["anomalies"], serde_json::json!([]));
    assert_eq!(v["damage"], serde_json::json!([]));
}

/// Each malformed input: exit 2, one line on stderr naming the file and the
/// cause, never a panic.
#[test]
fn malformed_inputs_fail_with_one_clear_line() {
    let cases = [
        ("truncated-10.apk", "no end-of-central-directory record"),
        ("truncated-50.apk", "no end-of-central-directory record"),
        ("truncated-90.apk", "no end-of-central-directory record"),
        ("no-eocd.apk", "no end-of-central-directory record"),
        ("empty.apk", "empty file"),
        ("not-a-zip.apk", "not a zip file"),
        (
            "cd-offset-out-of-range.apk",
            "central directory at 0x4220 (522 bytes) runs past the end",
        ),
        ("no-manifest.apk", "no AndroidManifest.xml"),
        ("text-manifest.apk", "AndroidManifest.xml: "),
        ("corrupt-axml.apk", "AndroidManifest.xml: "),
        ("aab-like.aab", "bundletool build-apks --mode=universal"),
    ];
    for (file, cause) in cases {
        let path = format!("samples/malformed/{file}");
        let o = humiao(&["scan", &path]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{file}: stderr {err}");
        assert!(stdout(&o).is_empty(), "{file}: table mode printed a report");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{file}: want one line, got {err}");
        assert!(
            lines[0].starts_with(&format!("error: {path}: ")),
            "{file}: {err}"
        );
        assert!(lines[0].contains(cause), "{file}: `{cause}` not in {err}");
        assert!(!err.contains("panicked"), "{file}: {err}");
    }
}

#[test]
fn plain_text_manifest_is_named_as_such() {
    let o = humiao(&["scan", "samples/malformed/text-manifest.apk"]);
    let err = stderr(&o).to_lowercase();
    assert!(
        err.contains("text") || err.contains("not binary xml"),
        "{err}"
    );
}

#[test]
fn json_mode_prints_a_structured_error() {
    let (v, o) = json_scan("samples/malformed/aab-like.aab");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(v["error"]["kind"], "app-bundle-unsupported");
    assert_eq!(v["error"]["path"], "samples/malformed/aab-like.aab");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("bundletool"));
    let (v, _) = json_scan("samples/malformed/empty.apk");
    assert_eq!(v["error"]["kind"], "zip");
    let (v, _) = json_scan("samples/malformed/corrupt-axml.apk");
    assert_eq!(v["error"]["kind"], "manifest");
}

#[test]
fn missing_file_is_an_io_error() {
    let o = humiao(&["scan", "samples/does-not-exist.apk"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: samples/does-not-exist.apk: "),
        "{}",
        stderr(&o)
    );
}

/// A damaged resource table: the manifest facts are still reported, the
/// damage is listed, and the exit code says the scan is incomplete.
#[test]
fn corrupt_resources_give_partial_evidence() {
    let (v, o) = json_scan("samples/malformed/corrupt-arsc.apk");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(v["app"]["package"], "com.example.kidsdemo");
    assert_eq!(v["app"]["version_code"], 3);
    assert_eq!(v["app"]["label"], Value::Null);
    let damage = v["damage"].as_array().unwrap();
    assert_eq!(damage.len(), 1);
    assert_eq!(damage[0]["part"], "resources.arsc");
    let err = stderr(&o);
    assert!(
        err.starts_with("error: samples/malformed/corrupt-arsc.apk: resources.arsc: "),
        "{err}"
    );
    let o = humiao(&["scan", "samples/malformed/corrupt-arsc.apk"]);
    assert!(stdout(&o).contains("INCOMPLETE"), "{}", stdout(&o));
}

fn codes(v: &Value) -> Vec<String> {
    v["anomalies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn tampering_is_evidence() {
    let (v, o) = json_scan("samples/tampered/tampered.apk");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(v["app"]["package"], "com.example.kidsdemo");
    assert_eq!(v["permissions"].as_array().unwrap().len(), 6);
    let an = v["anomalies"].as_array().unwrap();
    let manifest = an
        .iter()
        .find(|a| {
            a["code"] == "zip-local-header-mismatch"
                && a["detail"]
                    .as_str()
                    .unwrap()
                    .contains("`AndroidManifest.xml`")
        })
        .expect("BadPack-style manifest header reported");
    let d = manifest["detail"].as_str().unwrap();
    assert!(d.contains("compression method 4919 vs 8"), "{d}");
    assert!(d.contains("compressed size 12648430 vs 1942"), "{d}");
    assert!(an
        .iter()
        .any(|a| a["detail"].as_str().unwrap().contains("`classes.dex`")
            && a["detail"].as_str().unwrap().contains("encryption flag")));

    let (v, _) = json_scan("samples/malformed/duplicate-manifest.apk");
    assert!(codes(&v).contains(&"zip-duplicate-entry".to_string()));
    let (v, _) = json_scan("samples/malformed/trailing-junk.apk");
    assert!(codes(&v).contains(&"zip-trailing-data".to_string()));
}

#[test]
fn split_bundles_merge_base_and_splits() {
    for (path, kind, n) in [
        ("samples/split/split.xapk", "xapk", 3),
        ("samples/split/split.apks", "apks", 3),
        ("samples/split/apks", "split-directory", 3),
    ] {
        let (v, o) = json_scan(path);
        assert_eq!(o.status.code(), Some(0), "{path}: {}", stderr(&o));
        assert_eq!(v["input"]["kind"], kind, "{path}");
        let apks = v["input"]["apks"].as_array().unwrap();
        assert_eq!(apks.len(), n, "{path}");
        assert_eq!(apks[0]["role"], "base", "{path}");
        assert!(apks[1..].iter().all(|a| a["role"] == "split"), "{path}");
        assert_eq!(v["app"]["package"], "com.example.split", "{path}");
        assert_eq!(
            v["app"]["labels"]["zh"], "拆分演示",
            "{path}: label from the zh config split"
        );
        let splits: Vec<&str> = v["splits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["split"].as_str().unwrap())
            .collect();
        assert_eq!(splits, ["config.hdpi_v4", "config.zh"], "{path}");
        assert_eq!(v["anomalies"], serde_json::json!([]), "{path}");
    }
}

#[test]
fn obfuscated_attribute_names_resolve_by_resource_id() {
    let (v, o) = json_scan("samples/obfuscated/obfuscated.apk");
    assert_eq!(o.status.code(), Some(0));
    let e = expected("obfuscated");
    assert_eq!(v["app"]["package"], e["package"]);
    assert_eq!(v["app"]["version_code"], e["version_code"]);
    assert_eq!(v["app"]["version_name"], e["version_name"]);
    assert!(codes(&v).contains(&"axml-renamed-attribute".to_string()));
}

#[test]
fn xml_command_equals_aapt_xmltree() {
    for (apk, golden) in [
        (
            "samples/kidsdemo/kidsdemo.apk",
            "tests/golden/samples/kidsdemo/kidsdemo.apk.xmltree.txt",
        ),
        (
            "samples/obfuscated/obfuscated.apk",
            "tests/golden/samples/obfuscated/obfuscated.apk.xmltree.txt",
        ),
    ] {
        let o = humiao(&["xml", apk, "AndroidManifest.xml"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let want: String = std::fs::read_to_string(root().join(golden))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(stdout(&o), want, "{apk}");
    }
    let o = humiao(&["xml", "samples/kidsdemo/kidsdemo.apk", "nope.xml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no entry `nope.xml`"));
}

#[test]
fn json_is_deterministic() {
    let a = humiao(&["scan", "--format", "json", "samples/split/split.xapk"]);
    let b = humiao(&["scan", "--format", "json", "samples/split/split.xapk"]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn rules_override_is_validated() {
    let dir = std::env::temp_dir().join(format!("humiao-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("permissions.toml"), "[[permission]]\nname = 1\n").unwrap();
    let o = humiao(&[
        "scan",
        "--rules",
        dir.to_str().unwrap(),
        "samples/kidsdemo/kidsdemo.apk",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("permissions.toml:2:"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// (pi, owner, api id, caller class, caller method) of every call site.
fn call_sites(v: &Value) -> Vec<(String, String, String, String, String)> {
    let mut out = Vec::new();
    for cat in v["code"]["categories"].as_array().unwrap() {
        for o in cat["owners"].as_array().unwrap() {
            let owner = o["owner"]["package"]
                .as_str()
                .or(o["owner"]["sdk"].as_str())
                .unwrap_or("app")
                .to_string();
            for s in o["sites"].as_array().unwrap() {
                out.push((
                    cat["pi"].as_str().unwrap().to_string(),
                    owner.clone(),
                    s["api"].as_str().unwrap().to_string(),
                    s["caller_class"].as_str().unwrap().to_string(),
                    s["caller_method"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    out.sort();
    out
}

fn site(
    pi: &str,
    owner: &str,
    api: &str,
    class: &str,
    method: &str,
) -> (String, String, String, String, String) {
    (
        pi.into(),
        owner.into(),
        api.into(),
        class.into(),
        method.into(),
    )
}

/// Every expected call site with its owner, and no unexpected one.
#[test]
fn kidsdemo_call_sites_are_attributed() {
    let (v, o) = json_scan("samples/kidsdemo/kidsdemo.apk");
    assert_eq!(o.status.code(), Some(0));
    let mut want = vec![
        site(
            "app-list",
            "umeng-analytics",
            "package-manager-get-installed-packages",
            "com.umeng.analytics.MobclickAgent",
            "onResume(Landroid/content/Context;)V",
        ),
        site(
            "device-id",
            "app",
            "telephony-get-device-id",
            "com.example.kidsdemo.MainActivity",
            "onCreate(Landroid/os/Bundle;)V",
        ),
        site(
            "device-id",
            "app",
            "wifi-info-get-mac-address",
            "com.example.kidsdemo.BootReceiver",
            "onReceive(Landroid/content/Context;Landroid/content/Intent;)V",
        ),
        site(
            "wifi-info",
            "app",
            "wifi-manager-get-connection-info",
            "com.example.kidsdemo.BootReceiver",
            "onReceive(Landroid/content/Context;Landroid/content/Intent;)V",
        ),
    ];
    want.sort();
    assert_eq!(call_sites(&v), want);
    let dex = &v["code"]["dex_files"][0];
    assert_eq!(dex["path"], "classes.dex");
    assert_eq!(dex["class_defs"], 6);
    assert_eq!(
        v["code"]["classes_per_owner"],
        serde_json::json!({"app": 5, "umeng-analytics": 1})
    );
}

/// The second DEX is read, and ANDROID_ID counts only with its literal.
#[test]
fn v1only_second_dex_android_id() {
    let (v, o) = json_scan("samples/v1only/v1only.apk");
    assert_eq!(o.status.code(), Some(0));
    let files: Vec<&str> = v["code"]["dex_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["classes.dex", "classes2.dex"]);
    let m = "androidId(Landroid/content/Context;)Ljava/lang/String;";
    let mut want = vec![
        site(
            "device-id",
            "app",
            "settings-secure-android-id",
            "com.example.v1only.extra.Helper",
            m,
        ),
        site(
            "device-id",
            "app",
            "string-android-id",
            "com.example.v1only.extra.Helper",
            m,
        ),
    ];
    want.sort();
    assert_eq!(call_sites(&v), want);
}

#[test]
fn bad_dex_checksum_is_an_anomaly_not_a_failure() {
    let (v, o) = json_scan("samples/malformed/corrupt-dex-checksum.apk");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let an = v["code"]["dex_files"][0]["anomalies"].as_array().unwrap();
    assert!(an.iter().any(|a| a["code"] == "dex-bad-checksum"), "{an:?}");
    assert!(!call_sites(&v).is_empty(), "code still read");
}

/// Endpoints with where they are named and by whose code.
#[test]
fn kidsdemo_endpoints_with_provenance() {
    let (v, _) = json_scan("samples/kidsdemo/kidsdemo.apk");
    let got: Vec<(String, bool, String, String)> = v["code"]["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let p = &e["places"][0];
            (
                e["host"].as_str().unwrap().to_string(),
                e["cleartext"].as_bool().unwrap(),
                p["source"].as_str().unwrap().to_string(),
                p["within"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "alog.umeng.com".into(),
                false,
                "dex".into(),
                "com.umeng.analytics.MobclickAgent".into()
            ),
            (
                "collect.example-tracker.test".into(),
                true,
                "dex".into(),
                "com.example.kidsdemo.MainActivity".into()
            ),
            (
                "kidsdemo.example.test".into(),
                false,
                "resource".into(),
                "string/privacy_url".into()
            ),
        ]
    );
    let umeng = &v["code"]["endpoints"][0];
    assert_eq!(umeng["registrable_domain"], "umeng.com");
    assert_eq!(
        umeng["owners"],
        serde_json::json!([{"kind": "sdk", "sdk": "umeng-analytics"}])
    );
    assert_eq!(umeng["sdk"], "umeng-analytics");
}

/// A stub-packed app says plainly that code analysis is incomplete.
#[test]
fn packed_app_is_reported_incomplete() {
    let (v, o) = json_scan("samples/packed/packed.apk");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let c = &v["coverage"];
    assert_eq!(c["code_complete"], false);
    let packers: Vec<&str> = c["packers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(packers, ["qihoo360-jiagu"]);
    let ev = c["packers"][0]["evidence"].as_array().unwrap();
    assert_eq!(
        ev.len(),
        3,
        "library, stub class and application class: {ev:?}"
    );
    assert!(c["notes"][0]["en"]
        .as_str()
        .unwrap()
        .starts_with("Packer detected (Qihoo 360 Jiagu)"));
    let table = stdout(&humiao(&["scan", "samples/packed/packed.apk"]));
    assert!(table.contains("CODE ANALYSIS INCOMPLETE"), "{table}");

    // Its native library: JNI export attributed, endpoint from .rodata.
    let lib = &v["native"]["libraries"][0];
    assert_eq!(lib["path"], "lib/arm64-v8a/libjiagu.so");
    assert_eq!(
        lib["jni_exports"][0]["class"],
        "com.example.kidsdemo.NativeBridge"
    );
    assert_eq!(lib["jni_exports"][0]["method"], "readId");
    assert_eq!(lib["has_jni_onload"], true);
    assert_eq!(
        lib["imports_of_interest"],
        serde_json::json!(["__system_property_get"])
    );
    let ep = &v["code"]["endpoints"][0];
    assert_eq!(ep["host"], "native.example-tracker.test");
    assert_eq!(ep["places"][0]["source"], "native");
}

#[test]
fn unpacked_apps_are_complete() {
    for apk in [
        "samples/kidsdemo/kidsdemo.apk",
        "samples/v1only/v1only.apk",
        "samples/split/split.xapk",
    ] {
        let (v, _) = json_scan(apk);
        assert_eq!(
            v["coverage"]["code_complete"], true,
            "{apk}: {}",
            v["coverage"]
        );
        assert_eq!(v["coverage"]["packers"], serde_json::json!([]), "{apk}");
    }
}

/// A fake JPush SDK reads location and IMEI; the app reads the clipboard.
#[test]
fn sdkdemo_call_sites_and_endpoints_are_attributed() {
    let (v, o) = json_scan("samples/sdkdemo/sdkdemo.apk");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let init = "init(Landroid/content/Context;)V";
    let jpush = "cn.jpush.android.api.JPushInterface";
    let mut want = vec![
        site(
            "clipboard",
            "app",
            "clipboard-get-primary-clip",
            "com.example.sdkdemo.MainActivity",
            "onResume()V",
        ),
        site(
            "device-id",
            "jiguang-jpush",
            "telephony-get-device-id",
            jpush,
            init,
        ),
        site(
            "location",
            "jiguang-jpush",
            "location-manager-get-last-known-location",
            jpush,
            init,
        ),
    ];
    want.sort();
    assert_eq!(call_sites(&v), want);
    let eps: Vec<(String, bool, Value)> = v["code"]["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["host"].as_str().unwrap().to_string(),
                e["cleartext"].as_bool().unwrap(),
                e["owners"].clone(),
            )
        })
        .collect();
    assert_eq!(
        eps,
        [
            (
                "api.sdkdemo.example.test".to_string(),
                false,
                serde_json::json!([{"kind": "app"}])
            ),
            (
                "stats.jpush.example.test".to_string(),
                true,
                serde_json::json!([{"kind": "sdk", "sdk": "jiguang-jpush"}])
            ),
        ]
    );
}

/// (id, confidence, evidence kinds) of one SDK found.
type SdkRow = (String, String, Vec<String>);

/// Every SDK found.
fn sdk_set(v: &Value) -> Vec<SdkRow> {
    v["sdks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["id"].as_str().unwrap().to_string(),
                h["confidence"].as_str().unwrap().to_string(),
                h["kinds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| k.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

fn kinds(k: &[&str]) -> Vec<String> {
    k.iter().map(|s| s.to_string()).collect()
}

/// Exactly the SDKs each synthetic sample contains, and no other: every
/// false SDK here would be a false finding against a real app.
#[test]
fn samples_have_exactly_their_sdks() {
    let umeng = || {
        vec![(
            "umeng-analytics".to_string(),
            "high".to_string(),
            kinds(&["dex-classes", "meta-data", "domains"]),
        )]
    };
    let cases: Vec<(&str, Vec<SdkRow>)> = vec![
        ("samples/kidsdemo/kidsdemo.apk", umeng()),
        ("samples/tampered/tampered.apk", umeng()),
        (
            "samples/sdkdemo/sdkdemo.apk",
            vec![(
                "jiguang-jpush".into(),
                "high".into(),
                kinds(&["dex-classes", "meta-data"]),
            )],
        ),
        // The obfuscated sample declares TalkingData's meta-data key and
        // nothing else of it: a low-confidence hit.
        (
            "samples/obfuscated/obfuscated.apk",
            vec![(
                "talkingdata-analytics".into(),
                "low".into(),
                kinds(&["meta-data"]),
            )],
        ),
        ("samples/v1only/v1only.apk", vec![]),
        ("samples/packed/packed.apk", vec![]),
        ("samples/split/split.apks", vec![]),
        ("samples/split/split.xapk", vec![]),
    ];
    for (path, want) in cases {
        let (v, _) = json_scan(path);
        assert_eq!(sdk_set(&v), want, "{path}");
    }
    let (v, _) = json_scan("samples/sdkdemo/sdkdemo.apk");
    let jpush = &v["sdks"][0];
    assert_eq!(
        jpush["pi_observed"],
        serde_json::json!(["device-id", "location"])
    );
    assert_eq!(
        jpush["evidence"]["classes"],
        serde_json::json!([{"package": "cn.jpush.android", "classes": 1}])
    );
    assert_eq!(jpush["vendor_own_app"], false);
}

/// `humiao sdks`: table, JSON and a 第三方SDK共享清单 CSV.
#[test]
fn sdks_command_formats() {
    let o = humiao(&["sdks", "samples/sdkdemo/sdkdemo.apk", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csv = stdout(&o);
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[0].starts_with("SDK名称 SDK,第三方主体 Vendor,"),
        "{csv}"
    );
    assert!(lines[1].contains("消息推送 push notifications"), "{csv}");
    assert!(
        lines[1].contains("设备标识符（device-id）；位置信息（location）"),
        "{csv}"
    );
    assert!(lines[1].ends_with(",jiguang-jpush"), "{csv}");

    let o = humiao(&["sdks", "samples/sdkdemo/sdkdemo.apk", "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["id"], "jiguang-jpush");

    let o = humiao(&["sdks", "samples/obfuscated/obfuscated.apk"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("1 third-party SDK(s) found in"),
        "{}",
        stdout(&o)
    );
    let o = humiao(&["sdks", "samples/obfuscated/obfuscated.apk", "--no-low"]);
    assert!(
        stdout(&o).contains("0 third-party SDK(s) found in"),
        "{}",
        stdout(&o)
    );

    let o = humiao(&["sdks", "samples/malformed/not-a-zip.apk"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("error: samples/malformed/not-a-zip.apk: "));
}

/// A catalogue file with a bad pattern stops the run with file:line:column.
#[test]
fn bad_sdk_catalogue_is_reported_with_its_location() {
    let dir = std::env::temp_dir().join(format!("humiao-cli-sdks-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sdks")).unwrap();
    for f in [
        "permissions.toml",
        "apis.toml",
        "packers.toml",
        "endpoint-ignore.toml",
    ] {
        std::fs::copy(root().join("rulesets").join(f), dir.join(f)).unwrap();
    }
    std::fs::write(
        dir.join("sdks/bad.toml"),
        "[[sdk]]\nid = \"x\"\nname = { zh = \"x\", en = \"x\" }\nvendor = { zh = \"x\", en = \"x\" }\ncountry = \"CN\"\ncategory = \"push\"\npackages = [\"com.tencent\"]\nsources = [\"https://x.cn\"]\n",
    )
    .unwrap();
    let o = humiao(&[
        "sdks",
        "samples/sdkdemo/sdkdemo.apk",
        "--rules",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("bad.toml:7:13: sdk `x`: package prefix `com.tencent` is a shared root"),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--no-code` decodes identity, manifest, resources and signers only, and
/// says that code was not analysed.
#[test]
fn no_code_decodes_the_rest_and_says_so() {
    let o = humiao(&[
        "scan",
        "--format",
        "json",
        "--no-code",
        "samples/sdkdemo/sdkdemo.apk",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["app"]["package"], "com.example.sdkdemo");
    assert_eq!(v["coverage"]["code_complete"], false);
    assert!(v["coverage"]["notes"][0]["en"]
        .as_str()
        .unwrap()
        .contains("--no-code"));
    assert_eq!(v["code"]["dex_files"], serde_json::json!([]));
    assert_eq!(v["sdks"], serde_json::json!([]));
    assert!(v["signing"]["signers"]
        .as_array()
        .is_some_and(|s| !s.is_empty()));
}

/// `humiao catalogue` lists the catalogue, filtered, in three formats.
#[test]
fn catalogue_command_lists_the_sdks() {
    let o = humiao(&["catalogue", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let all: Value = serde_json::from_slice(&o.stdout).unwrap();
    let all = all.as_array().unwrap();
    assert!(all.len() >= 250);
    assert!(all.iter().any(|s| s["id"] == "jiguang-jpush"));
    let o = humiao(&[
        "catalogue",
        "--format",
        "json",
        "--country",
        "cn",
        "--category",
        "push",
    ]);
    let push: Value = serde_json::from_slice(&o.stdout).unwrap();
    let push = push.as_array().unwrap();
    assert!(!push.is_empty() && push.len() < all.len());
    for s in push {
        assert_eq!(s["country"], "CN");
        assert!(s["category"] == "push" || s["also"].as_array().unwrap().contains(&"push".into()));
    }
    let o = humiao(&["catalogue", "--format", "csv", "--country", "CN"]);
    let csv = stdout(&o);
    assert!(csv.starts_with("id,name_zh,name_en,"), "{csv}");
    assert_eq!(
        csv.split("\r\n").filter(|l| !l.is_empty()).count(),
        all.iter().filter(|s| s["country"] == "CN").count() + 1
    );
    let o = humiao(&["catalogue"]);
    assert!(stdout(&o).contains("SDKs ("), "{}", stdout(&o));
}

/// A scan stuck past its time limit is abandoned with a one-line error: a
/// named pipe nobody writes to blocks the open for ever.
#[cfg(unix)]
#[test]
fn stuck_scan_is_abandoned_at_the_time_limit() {
    let dir = std::env::temp_dir().join(format!("humiao-fifo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("stuck.apk");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo not available");
        return;
    }
    let started = std::time::Instant::now();
    let o = humiao(&[
        "scan",
        "--format",
        "json",
        "--time-limit",
        "1",
        fifo.to_str().unwrap(),
    ]);
    let took = started.elapsed();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("time limit exceeded: the scan was abandoned after 2.5 s"),
        "{}",
        stderr(&o)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "time-limit");
    assert!(took < std::time::Duration::from_secs(30), "{took:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
