//! Resource IDs of the framework (`android:`) attributes this crate reads.
//!
//! Android resolves an attribute by the resource ID recorded for its name in
//! the XML resource map, not by the name string, so obfuscators can rename
//! or blank the names (APKEditor does) without changing what the device
//! sees. [`Element::attr`](super::Element::attr) therefore looks up the ID
//! here first.
//!
//! Every value was checked against `aapt dump resources
//! framework-res.apk` (API 29) or, for attributes added in API 30–31,
//! against `core/res/res/values/public.xml` of the platform, and against
//! `aapt dump xmltree` output of the corpus, which prints `android:name(0x01010003)`.

/// `(name, id)` pairs, sorted by name for binary search.
pub const TABLE: &[(&str, u32)] = &[
    ("allowAudioPlaybackCapture", ALLOW_AUDIO_PLAYBACK_CAPTURE),
    ("allowBackup", ALLOW_BACKUP),
    ("allowClearUserData", ALLOW_CLEAR_USER_DATA),
    (
        "allowNativeHeapPointerTagging",
        ALLOW_NATIVE_HEAP_POINTER_TAGGING,
    ),
    ("allowTaskReparenting", ALLOW_TASK_REPARENTING),
    ("appComponentFactory", APP_COMPONENT_FACTORY),
    ("attributionTags", ATTRIBUTION_TAGS),
    ("authorities", AUTHORITIES),
    ("autoRevokePermissions", AUTO_REVOKE_PERMISSIONS),
    ("autoVerify", AUTO_VERIFY),
    ("backupAgent", BACKUP_AGENT),
    ("banner", BANNER),
    ("compileSdkVersion", COMPILE_SDK_VERSION),
    ("compileSdkVersionCodename", COMPILE_SDK_VERSION_CODENAME),
    ("configChanges", CONFIG_CHANGES),
    ("crossProfile", CROSS_PROFILE),
    ("dataExtractionRules", DATA_EXTRACTION_RULES),
    ("debuggable", DEBUGGABLE),
    ("description", DESCRIPTION),
    ("directBootAware", DIRECT_BOOT_AWARE),
    ("enabled", ENABLED),
    ("excludeFromRecents", EXCLUDE_FROM_RECENTS),
    ("exported", EXPORTED),
    ("extractNativeLibs", EXTRACT_NATIVE_LIBS),
    ("forceQueryable", FORCE_QUERYABLE),
    ("foregroundServiceType", FOREGROUND_SERVICE_TYPE),
    ("fullBackupContent", FULL_BACKUP_CONTENT),
    ("functionalTest", FUNCTIONAL_TEST),
    ("glEsVersion", GL_ES_VERSION),
    ("grantUriPermissions", GRANT_URI_PERMISSIONS),
    ("gwpAsanMode", GWP_ASAN_MODE),
    ("handleProfiling", HANDLE_PROFILING),
    ("hardwareAccelerated", HARDWARE_ACCELERATED),
    ("hasCode", HAS_CODE),
    ("hasFragileUserData", HAS_FRAGILE_USER_DATA),
    ("host", HOST),
    ("icon", ICON),
    ("initOrder", INIT_ORDER),
    ("installLocation", INSTALL_LOCATION),
    ("isFeatureSplit", IS_FEATURE_SPLIT),
    ("isGame", IS_GAME),
    ("isolatedProcess", ISOLATED_PROCESS),
    ("killAfterRestore", KILL_AFTER_RESTORE),
    ("label", LABEL),
    ("largeHeap", LARGE_HEAP),
    ("launchMode", LAUNCH_MODE),
    ("manageSpaceActivity", MANAGE_SPACE_ACTIVITY),
    ("maxSdkVersion", MAX_SDK_VERSION),
    ("memtagMode", MEMTAG_MODE),
    ("mimeType", MIME_TYPE),
    ("minSdkVersion", MIN_SDK_VERSION),
    ("multiArch", MULTI_ARCH),
    ("multiprocess", MULTIPROCESS),
    ("name", NAME),
    ("networkSecurityConfig", NETWORK_SECURITY_CONFIG),
    ("order", ORDER),
    ("path", PATH),
    ("pathAdvancedPattern", PATH_ADVANCED_PATTERN),
    ("pathPattern", PATH_PATTERN),
    ("pathPrefix", PATH_PREFIX),
    ("pathSuffix", PATH_SUFFIX),
    ("permission", PERMISSION),
    ("permissionGroup", PERMISSION_GROUP),
    ("persistent", PERSISTENT),
    ("port", PORT),
    (
        "preserveLegacyExternalStorage",
        PRESERVE_LEGACY_EXTERNAL_STORAGE,
    ),
    ("priority", PRIORITY),
    ("process", PROCESS),
    ("protectionLevel", PROTECTION_LEVEL),
    ("readPermission", READ_PERMISSION),
    (
        "requestLegacyExternalStorage",
        REQUEST_LEGACY_EXTERNAL_STORAGE,
    ),
    (
        "requestRawExternalStorageAccess",
        REQUEST_RAW_EXTERNAL_STORAGE_ACCESS,
    ),
    ("required", REQUIRED),
    ("requiredFeature", REQUIRED_FEATURE),
    ("requiredNotFeature", REQUIRED_NOT_FEATURE),
    ("resizeableActivity", RESIZEABLE_ACTIVITY),
    ("resource", RESOURCE),
    ("restoreAnyVersion", RESTORE_ANY_VERSION),
    ("roundIcon", ROUND_ICON),
    ("scheme", SCHEME),
    ("screenOrientation", SCREEN_ORIENTATION),
    ("sharedUserId", SHARED_USER_ID),
    ("sharedUserLabel", SHARED_USER_LABEL),
    ("ssp", SSP),
    ("sspAdvancedPattern", SSP_ADVANCED_PATTERN),
    ("sspPattern", SSP_PATTERN),
    ("sspPrefix", SSP_PREFIX),
    ("sspSuffix", SSP_SUFFIX),
    ("stateNotNeeded", STATE_NOT_NEEDED),
    ("supportsRtl", SUPPORTS_RTL),
    ("syncable", SYNCABLE),
    ("targetActivity", TARGET_ACTIVITY),
    ("targetPackage", TARGET_PACKAGE),
    ("targetSdkVersion", TARGET_SDK_VERSION),
    ("taskAffinity", TASK_AFFINITY),
    ("testOnly", TEST_ONLY),
    ("theme", THEME),
    ("usesCleartextTraffic", USES_CLEARTEXT_TRAFFIC),
    ("usesNonSdkApi", USES_NON_SDK_API),
    ("usesPermissionFlags", USES_PERMISSION_FLAGS),
    ("value", VALUE),
    ("versionCode", VERSION_CODE),
    ("versionCodeMajor", VERSION_CODE_MAJOR),
    ("versionName", VERSION_NAME),
    ("visibleToInstantApps", VISIBLE_TO_INSTANT_APPS),
    ("windowSoftInputMode", WINDOW_SOFT_INPUT_MODE),
    ("writePermission", WRITE_PERMISSION),
];

/// Resource ID of the framework attribute `android:<name>`, if known here.
pub fn id_of(name: &str) -> Option<u32> {
    TABLE
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .and_then(|i| TABLE.get(i))
        .map(|(_, id)| *id)
}

/// Name of a framework attribute ID listed here.
pub fn name_of(id: u32) -> Option<&'static str> {
    TABLE.iter().find(|(_, i)| *i == id).map(|(n, _)| *n)
}

/// `android:allowAudioPlaybackCapture`.
pub const ALLOW_AUDIO_PLAYBACK_CAPTURE: u32 = 0x01010601;
/// `android:allowBackup`.
pub const ALLOW_BACKUP: u32 = 0x01010280;
/// `android:allowClearUserData`.
pub const ALLOW_CLEAR_USER_DATA: u32 = 0x01010005;
/// `android:allowNativeHeapPointerTagging`.
pub const ALLOW_NATIVE_HEAP_POINTER_TAGGING: u32 = 0x01010612;
/// `android:allowTaskReparenting`.
pub const ALLOW_TASK_REPARENTING: u32 = 0x01010204;
/// `android:appComponentFactory`.
pub const APP_COMPONENT_FACTORY: u32 = 0x0101057a;
/// `android:attributionTags`.
pub const ATTRIBUTION_TAGS: u32 = 0x01010642;
/// `android:authorities`.
pub const AUTHORITIES: u32 = 0x01010018;
/// `android:autoRevokePermissions`.
pub const AUTO_REVOKE_PERMISSIONS: u32 = 0x01010613;
/// `android:autoVerify`.
pub const AUTO_VERIFY: u32 = 0x010104ee;
/// `android:backupAgent`.
pub const BACKUP_AGENT: u32 = 0x0101027f;
/// `android:banner`.
pub const BANNER: u32 = 0x010103f2;
/// `android:compileSdkVersion`.
pub const COMPILE_SDK_VERSION: u32 = 0x01010572;
/// `android:compileSdkVersionCodename`.
pub const COMPILE_SDK_VERSION_CODENAME: u32 = 0x01010573;
/// `android:configChanges`.
pub const CONFIG_CHANGES: u32 = 0x0101001f;
/// `android:crossProfile`.
pub const CROSS_PROFILE: u32 = 0x0101060e;
/// `android:dataExtractionRules`.
pub const DATA_EXTRACTION_RULES: u32 = 0x0101063e;
/// `android:debuggable`.
pub const DEBUGGABLE: u32 = 0x0101000f;
/// `android:description`.
pub const DESCRIPTION: u32 = 0x01010020;
/// `android:directBootAware`.
pub const DIRECT_BOOT_AWARE: u32 = 0x01010505;
/// `android:enabled`.
pub const ENABLED: u32 = 0x0101000e;
/// `android:excludeFromRecents`.
pub const EXCLUDE_FROM_RECENTS: u32 = 0x01010017;
/// `android:exported`.
pub const EXPORTED: u32 = 0x01010010;
/// `android:extractNativeLibs`.
pub const EXTRACT_NATIVE_LIBS: u32 = 0x010104ea;
/// `android:forceQueryable`.
pub const FORCE_QUERYABLE: u32 = 0x01010608;
/// `android:foregroundServiceType`.
pub const FOREGROUND_SERVICE_TYPE: u32 = 0x01010599;
/// `android:fullBackupContent`.
pub const FULL_BACKUP_CONTENT: u32 = 0x010104eb;
/// `android:functionalTest`.
pub const FUNCTIONAL_TEST: u32 = 0x01010023;
/// `android:glEsVersion`.
pub const GL_ES_VERSION: u32 = 0x01010281;
/// `android:grantUriPermissions`.
pub const GRANT_URI_PERMISSIONS: u32 = 0x0101001b;
/// `android:gwpAsanMode`.
pub const GWP_ASAN_MODE: u32 = 0x01010616;
/// `android:handleProfiling`.
pub const HANDLE_PROFILING: u32 = 0x01010022;
/// `android:hardwareAccelerated`.
pub const HARDWARE_ACCELERATED: u32 = 0x010102d3;
/// `android:hasCode`.
pub const HAS_CODE: u32 = 0x0101000c;
/// `android:hasFragileUserData`.
pub const HAS_FRAGILE_USER_DATA: u32 = 0x0101059a;
/// `android:host`.
pub const HOST: u32 = 0x01010028;
/// `android:icon`.
pub const ICON: u32 = 0x01010002;
/// `android:initOrder`.
pub const INIT_ORDER: u32 = 0x0101001a;
/// `android:installLocation`.
pub const INSTALL_LOCATION: u32 = 0x010102b7;
/// `android:isFeatureSplit`.
pub const IS_FEATURE_SPLIT: u32 = 0x0101055b;
/// `android:isGame`.
pub const IS_GAME: u32 = 0x010103f4;
/// `android:isolatedProcess`.
pub const ISOLATED_PROCESS: u32 = 0x010103a9;
/// `android:killAfterRestore`.
pub const KILL_AFTER_RESTORE: u32 = 0x0101029c;
/// `android:label`.
pub const LABEL: u32 = 0x01010001;
/// `android:largeHeap`.
pub const LARGE_HEAP: u32 = 0x0101035a;
/// `android:launchMode`.
pub const LAUNCH_MODE: u32 = 0x0101001d;
/// `android:manageSpaceActivity`.
pub const MANAGE_SPACE_ACTIVITY: u32 = 0x01010004;
/// `android:maxSdkVersion`.
pub const MAX_SDK_VERSION: u32 = 0x01010271;
/// `android:memtagMode`.
pub const MEMTAG_MODE: u32 = 0x01010624;
/// `android:mimeType`.
pub const MIME_TYPE: u32 = 0x01010026;
/// `android:minSdkVersion`.
pub const MIN_SDK_VERSION: u32 = 0x0101020c;
/// `android:multiArch`.
pub const MULTI_ARCH: u32 = 0x0101048e;
/// `android:multiprocess`.
pub const MULTIPROCESS: u32 = 0x01010013;
/// `android:name`.
pub const NAME: u32 = 0x01010003;
/// `android:networkSecurityConfig`.
pub const NETWORK_SECURITY_CONFIG: u32 = 0x01010527;
/// `android:order`.
pub const ORDER: u32 = 0x010101ea;
/// `android:path`.
pub const PATH: u32 = 0x0101002a;
/// `android:pathAdvancedPattern`.
pub const PATH_ADVANCED_PATTERN: u32 = 0x01010620;
/// `android:pathPattern`.
pub const PATH_PATTERN: u32 = 0x0101002c;
/// `android:pathPrefix`.
pub const PATH_PREFIX: u32 = 0x0101002b;
/// `android:pathSuffix`.
pub const PATH_SUFFIX: u32 = 0x0101061e;
/// `android:permission`.
pub const PERMISSION: u32 = 0x01010006;
/// `android:permissionGroup`.
pub const PERMISSION_GROUP: u32 = 0x0101000a;
/// `android:persistent`.
pub const PERSISTENT: u32 = 0x0101000d;
/// `android:port`.
pub const PORT: u32 = 0x01010029;
/// `android:preserveLegacyExternalStorage`.
pub const PRESERVE_LEGACY_EXTERNAL_STORAGE: u32 = 0x01010614;
/// `android:priority`.
pub const PRIORITY: u32 = 0x0101001c;
/// `android:process`.
pub const PROCESS: u32 = 0x01010011;
/// `android:protectionLevel`.
pub const PROTECTION_LEVEL: u32 = 0x01010009;
/// `android:readPermission`.
pub const READ_PERMISSION: u32 = 0x01010007;
/// `android:requestLegacyExternalStorage`.
pub const REQUEST_LEGACY_EXTERNAL_STORAGE: u32 = 0x01010603;
/// `android:requestRawExternalStorageAccess`.
pub const REQUEST_RAW_EXTERNAL_STORAGE_ACCESS: u32 = 0x01010645;
/// `android:required`.
pub const REQUIRED: u32 = 0x0101028e;
/// `android:requiredFeature`.
pub const REQUIRED_FEATURE: u32 = 0x01010554;
/// `android:requiredNotFeature`.
pub const REQUIRED_NOT_FEATURE: u32 = 0x01010555;
/// `android:resizeableActivity`.
pub const RESIZEABLE_ACTIVITY: u32 = 0x010104f6;
/// `android:resource`.
pub const RESOURCE: u32 = 0x01010025;
/// `android:restoreAnyVersion`.
pub const RESTORE_ANY_VERSION: u32 = 0x010102ba;
/// `android:roundIcon`.
pub const ROUND_ICON: u32 = 0x0101052c;
/// `android:scheme`.
pub const SCHEME: u32 = 0x01010027;
/// `android:screenOrientation`.
pub const SCREEN_ORIENTATION: u32 = 0x0101001e;
/// `android:sharedUserId`.
pub const SHARED_USER_ID: u32 = 0x0101000b;
/// `android:sharedUserLabel`.
pub const SHARED_USER_LABEL: u32 = 0x01010261;
/// `android:ssp`.
pub const SSP: u32 = 0x010103e3;
/// `android:sspAdvancedPattern`.
pub const SSP_ADVANCED_PATTERN: u32 = 0x01010621;
/// `android:sspPattern`.
pub const SSP_PATTERN: u32 = 0x010103e5;
/// `android:sspPrefix`.
pub const SSP_PREFIX: u32 = 0x010103e4;
/// `android:sspSuffix`.
pub const SSP_SUFFIX: u32 = 0x0101061f;
/// `android:stateNotNeeded`.
pub const STATE_NOT_NEEDED: u32 = 0x01010016;
/// `android:supportsRtl`.
pub const SUPPORTS_RTL: u32 = 0x010103af;
/// `android:syncable`.
pub const SYNCABLE: u32 = 0x01010019;
/// `android:targetActivity`.
pub const TARGET_ACTIVITY: u32 = 0x01010202;
/// `android:targetPackage`.
pub const TARGET_PACKAGE: u32 = 0x01010021;
/// `android:targetSdkVersion`.
pub const TARGET_SDK_VERSION: u32 = 0x01010270;
/// `android:taskAffinity`.
pub const TASK_AFFINITY: u32 = 0x01010012;
/// `android:testOnly`.
pub const TEST_ONLY: u32 = 0x01010272;
/// `android:theme`.
pub const THEME: u32 = 0x01010000;
/// `android:usesCleartextTraffic`.
pub const USES_CLEARTEXT_TRAFFIC: u32 = 0x010104ec;
/// `android:usesNonSdkApi`.
pub const USES_NON_SDK_API: u32 = 0x0101058e;
/// `android:usesPermissionFlags`.
pub const USES_PERMISSION_FLAGS: u32 = 0x01010644;
/// `android:value`.
pub const VALUE: u32 = 0x01010024;
/// `android:versionCode`.
pub const VERSION_CODE: u32 = 0x0101021b;
/// `android:versionCodeMajor`.
pub const VERSION_CODE_MAJOR: u32 = 0x01010576;
/// `android:versionName`.
pub const VERSION_NAME: u32 = 0x0101021c;
/// `android:visibleToInstantApps`.
pub const VISIBLE_TO_INSTANT_APPS: u32 = 0x01010531;
/// `android:windowSoftInputMode`.
pub const WINDOW_SOFT_INPUT_MODE: u32 = 0x0101022b;
/// `android:writePermission`.
pub const WRITE_PERMISSION: u32 = 0x01010008;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        for w in TABLE.windows(2) {
            if let [a, b] = w {
                assert!(a.0 < b.0, "{} !< {}", a.0, b.0);
            }
        }
        let mut ids: Vec<u32> = TABLE.iter().map(|(_, i)| *i).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), TABLE.len());
        assert!(ids.iter().all(|i| i >> 16 == 0x0101));
    }

    #[test]
    fn lookups() {
        assert_eq!(id_of("name"), Some(0x0101_0003));
        assert_eq!(id_of("versionCode"), Some(VERSION_CODE));
        assert_eq!(id_of("usesPermissionFlags"), Some(0x0101_0644));
        assert_eq!(id_of("nope"), None);
        assert_eq!(name_of(0x0101_0270), Some("targetSdkVersion"));
    }
}
