//! SDK sets (high and medium confidence) on real corpus APKs, as reviewed
//! app by app in docs/accuracy.md against εxodus: a change to the catalogue
//! or the matcher that adds or drops an SDK here must be a deliberate one
//! (update this list and the review together). Skipped when
//! `../shared/corpus` is absent.

use std::path::PathBuf;
use std::process::Command;

const EXPECTED: &[(&str, &[&str])] = &[
    (
        "cn-AndroidProject-demo-umeng-older.apk",
        &["umeng-analytics"],
    ),
    (
        "cn-adview-kuaiyou-aggregator-testdemo.apk",
        &[
            "adview-kuaiyou",
            "amazon-aps",
            "firebase-analytics",
            "google-admob",
            "google-ads-identifier",
            "google-analytics-legacy",
            "google-cast",
            "google-maps",
            "google-places",
            "google-play-games",
            "google-play-integrity",
            "google-play-services-location",
            "google-tag-manager",
            "tencent-gdt",
            "tencent-x5-tbs",
        ],
    ),
    ("cn-amap-map-game-demo.apk", &["amap-map"]),
    (
        "cn-bugly-hotfix-demo.apk",
        &[
            "tencent-bugly-crash",
            "tencent-bugly-hotfix",
            "tencent-bugly-upgrade",
            "tencent-tinker",
        ],
    ),
    (
        "cn-jpush-hbuilder-hello-demo.apk",
        &["iflytek-msc", "jiguang-jpush", "tencent-qq-connect"],
    ),
    (
        "cn-microtext-umeng-multiabi.apk",
        &[
            "alibaba-accs-agoo",
            "alibaba-utdid",
            "umeng-analytics",
            "umeng-feedback",
            "umeng-push",
        ],
    ),
    (
        "cn-mob-ShareSDK-sample-2.6.3.apk",
        &[
            "alipay-share",
            "mobtech-mobsdk",
            "mobtech-sharesdk",
            "sina-weibo-sdk",
        ],
    ),
    (
        "cn-mobpush-vendor-push-demo.apk",
        &[
            "firebase-installations",
            "firebase-messaging",
            "huawei-hianalytics",
            "huawei-hms-core",
            "huawei-hms-opendevice",
            "huawei-hms-push",
            "meizu-push",
            "mobtech-mobpush",
            "mobtech-mobsdk",
            "oppo-push",
            "vivo-push",
            "xiaomi-mipush",
        ],
    ),
    ("cn-sensorsdata-sa-sdk-demo.apk", &["sensorsdata-analytics"]),
    (
        "cn-taobao-baichuan-tae-demo-debug.apk",
        &[
            "alibaba-utdid",
            "alipay-apsecurity",
            "alipay-sdk",
            "sina-weibo-sdk",
            "tencent-mta",
            "tencent-qq-connect",
            "umeng-analytics",
            "umeng-feedback",
            "umeng-update",
        ],
    ),
    ("cn-weibo-sdk-demo.apk", &["sina-weibo-sdk"]),
    ("cn-zilvji-umeng-huawei-flavor.apk", &["umeng-analytics"]),
    (
        "exodus-blooddonation.apk",
        &[
            "firebase-installations",
            "google-admob",
            "google-ads-identifier",
            "google-play-integrity",
        ],
    ),
    (
        "vuln-InsecureBankv2.apk",
        &[
            "google-admob",
            "google-ads-identifier",
            "google-analytics-legacy",
            "google-cast",
            "google-maps",
            "google-places",
            "google-play-games",
            "google-play-integrity",
            "google-play-services-location",
            "google-tag-manager",
        ],
    ),
    (
        "w-cowtipping-game-flurry-admob-legacy.apk",
        &["flurry-analytics", "google-admob"],
    ),
    (
        "w-pmmx-crashlytics-firebase.apk",
        &[
            "firebase-analytics",
            "firebase-crash-reporting",
            "firebase-crashlytics",
            "firebase-installations",
            "firebase-messaging",
            "firebase-performance",
            "firebase-remote-config",
            "google-ads-identifier",
            "google-fabric",
        ],
    ),
    (
        "w-trendy-capstone-admob-firebase.apk",
        &[
            "firebase-analytics",
            "firebase-crash-reporting",
            "firebase-installations",
            "google-admob",
            "google-ads-identifier",
        ],
    ),
    ("w-unity-ads-sdk-androidTest.apk", &["unity-ads"]),
    ("fdroid-com.politedroid_4.apk", &[]),
    ("viper-hello-world.apk", &[]),
];

/// `humiao sdks --format json [extra] APK`, parsed.
fn sdks_json(apk: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let o = Command::new(env!("CARGO_BIN_EXE_humiao"))
        .args(["sdks", "--format", "json"])
        .args(extra)
        .arg(apk)
        .output()
        .expect("run humiao");
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{}: not JSON ({e})", apk.display()))
}

#[test]
fn corpus_sdk_sets_are_the_reviewed_ones() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("skipped: {} not present", corpus.display());
        return;
    }
    let mut failures = Vec::new();
    for (apk, want) in EXPECTED {
        let path = corpus.join(apk);
        if !path.is_file() {
            eprintln!("skipped: {apk} not in the corpus");
            continue;
        }
        let v = sdks_json(&path, &["--no-low"]);
        let mut got: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect();
        got.sort();
        let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        if got != want {
            failures.push(format!("{apk}:\n  want {want:?}\n  got  {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Versions read from the files the build tools leave in the APK
/// (`<artifact>.properties`, `fabric/<id>.properties`).
#[test]
fn corpus_sdk_versions() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let cases = [
        (
            "w-pmmx-crashlytics-firebase.apk",
            "firebase-crashlytics",
            "2.7.1",
        ),
        ("w-pmmx-crashlytics-firebase.apk", "google-fabric", "1.4.1"),
        (
            "npm-io.appium.settings-8.0.10.apk",
            "google-play-services-location",
            "21.4.0",
        ),
        ("vuln-damn-vulnerable-bank.apk", "firebase-auth", "19.4.0"),
    ];
    for (apk, id, version) in cases {
        let path = corpus.join(apk);
        if !path.is_file() {
            eprintln!("skipped: {apk} not in the corpus");
            continue;
        }
        let v = sdks_json(&path, &[]);
        let hit = v
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["id"] == id)
            .unwrap_or_else(|| panic!("{apk}: no {id}"));
        assert_eq!(hit["version"], version, "{apk}: {id}");
    }
}
