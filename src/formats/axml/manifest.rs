//! Typed view of `AndroidManifest.xml`.
//!
//! [`Manifest::from_document`] reads a decoded [`Document`] the way
//! Android's `PackageParser` does where that matters for an audit:
//! attributes are found by resource ID ([`Element::attr`]), only direct
//! children of `<manifest>` count as `<uses-permission>`, `<uses-sdk>` etc.,
//! the last `<uses-sdk>` wins, component names are qualified with the
//! package, and the exported state is derived with the platform's defaults.
//!
//! Nothing here resolves resources: a value that is a reference
//! (`@0x7f…`) stays a reference ([`AttrValue::Reference`], or the text
//! `@0x7f0a0001` in name fields, or an entry in an `unresolved` map for
//! booleans and integers), for a later stage that has `resources.arsc`.
//!
//! Lists keep declaration order, so the output is deterministic; maps are
//! `BTreeMap`s.
//!
//! Reference for the headline values is `aapt dump badging` (aapt 1,
//! `frameworks/base/tools/aapt/Command.cpp`); its quirks are noted on each
//! field. Where aapt differs from the device, the model follows the device
//! and says so: aapt prints only the low 32 bits of the version code;
//! prints no `sdkVersion` line when `minSdkVersion` is absent (the device
//! then assumes 1) and the codename string when it is one; finds
//! attributes by resource ID only (so does this model, with a name
//! fallback for files without a resource map).
//!
//! Anomaly codes: `manifest-missing-root`, `manifest-bad-root`,
//! `manifest-missing-package`, `manifest-version-code-not-integer`,
//! `manifest-missing-name` (an element Android skips), `manifest-duplicate-uses-permission`,
//! `manifest-duplicate-permission`, `manifest-multiple-uses-sdk`,
//! `manifest-multiple-applications`, `manifest-icon-not-reference`,
//! `manifest-missing-exported` (API 31+ component with intent filters and
//! no `android:exported`: the device refuses to install it).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Attribute, Document, Element};
use crate::formats::resvalue::types;
use crate::formats::{Anomaly, Parsed};

/// `Build.VERSION_CODES.JELLY_BEAN_MR1`: providers stop being exported by
/// default from this target SDK on.
const JELLY_BEAN_MR1: i64 = 17;
/// `Build.VERSION_CODES.S`: components with intent filters must say
/// whether they are exported from this target SDK on.
const S: i64 = 31;
/// `Build.VERSION_CODES.CUR_DEVELOPMENT`: the level of a codename.
const CUR_DEVELOPMENT: i64 = 10_000;

/// An attribute value kept as typed as the file stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttrValue {
    /// A literal string.
    String(String),
    /// A resource reference (`@0x7f…`), to be resolved with `resources.arsc`.
    Reference(u32),
    /// A theme attribute reference (`?0x…`).
    ThemeAttribute(u32),
    /// A decimal or hexadecimal integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// Any other typed value (float, dimension, colour…), raw.
    Other {
        /// `Res_value::dataType`.
        data_type: u8,
        /// `Res_value::data`.
        data: u32,
    },
}

impl AttrValue {
    /// The typed value of an attribute.
    pub fn from_attribute(a: &Attribute) -> Self {
        let data = a.value.data;
        match a.value.data_type {
            types::STRING => AttrValue::String(a.as_str().unwrap_or_default().to_owned()),
            types::REFERENCE | types::DYNAMIC_REFERENCE => AttrValue::Reference(data),
            types::ATTRIBUTE | types::DYNAMIC_ATTRIBUTE => AttrValue::ThemeAttribute(data),
            types::INT_DEC | types::INT_HEX => AttrValue::Int(i64::from(data as i32)),
            types::INT_BOOLEAN => AttrValue::Bool(data != 0),
            data_type => AttrValue::Other { data_type, data },
        }
    }

    /// The literal string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            AttrValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The resource ID, if this is a reference.
    pub fn as_reference(&self) -> Option<u32> {
        match self {
            AttrValue::Reference(r) => Some(*r),
            _ => None,
        }
    }

    /// The text Android's `TypedValue.coerceToString` would give, with
    /// unresolved references written `@0x7f0a0001`.
    pub fn to_text(&self) -> Option<String> {
        match self {
            AttrValue::String(s) => Some(s.clone()),
            AttrValue::Reference(r) => Some(format!("@{r:#010x}")),
            AttrValue::ThemeAttribute(r) => Some(format!("?{r:#010x}")),
            AttrValue::Int(i) => Some(i.to_string()),
            AttrValue::Bool(b) => Some(b.to_string()),
            AttrValue::Other { .. } => None,
        }
    }
}

/// `<manifest>`: the package and everything declared in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Manifest {
    /// `package` (the raw string, as `aapt dump badging` prints it).
    pub package: Option<String>,
    /// The long version code: `versionCodeMajor << 32 | versionCode`
    /// (`PackageInfo.getLongVersionCode`). `None` when `versionCode` is
    /// absent or not an integer.
    ///
    /// aapt prints only the low 32 bits, as a signed `%d`, and prints
    /// `versionCode=''` when that is ≤ 0; see [`Manifest::version_code_low`].
    pub version_code: Option<u64>,
    /// `android:versionCodeMajor`, if present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_code_major: Option<u32>,
    /// `android:versionName` (a string or an unresolved reference).
    pub version_name: Option<AttrValue>,
    /// `platformBuildVersionCode` (no namespace), as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_build_version_code: Option<String>,
    /// `platformBuildVersionName` (no namespace), as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_build_version_name: Option<String>,
    /// `android:compileSdkVersion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compile_sdk_version: Option<i64>,
    /// `android:compileSdkVersionCodename`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compile_sdk_version_codename: Option<String>,
    /// `android:installLocation`: `auto`, `internalOnly`, `preferExternal`
    /// or the raw number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub install_location: Option<String>,
    /// `android:sharedUserId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_user_id: Option<String>,
    /// Split-APK attributes, when this is a split.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split: Option<Split>,
    /// The last `<uses-sdk>` child of `<manifest>` (Android uses the last).
    pub uses_sdk: Option<UsesSdk>,
    /// `<uses-permission>`, `<uses-permission-sdk-23>`,
    /// `<uses-permission-sdk-m>`, in declaration order (duplicates kept).
    pub uses_permissions: Vec<UsesPermission>,
    /// `<permission>` definitions (duplicates kept).
    pub permissions: Vec<Permission>,
    /// `<permission-group>` definitions.
    pub permission_groups: Vec<PermissionGroup>,
    /// `<application>` attributes (the first `<application>`).
    pub application: Option<Application>,
    /// Activities, aliases, services, receivers and providers.
    pub components: Vec<Component>,
    /// `<meta-data>` of `<application>`.
    pub meta_data: Vec<MetaData>,
    /// `<queries>` (package visibility).
    pub queries: Queries,
    /// `<uses-feature>`.
    pub uses_features: Vec<UsesFeature>,
    /// `<uses-library>` inside `<application>`.
    pub uses_libraries: Vec<UsesLibrary>,
    /// `<uses-native-library>` inside `<application>`.
    pub uses_native_libraries: Vec<UsesLibrary>,
    /// `<manifest>` attributes that are unresolved references, by
    /// attribute name (e.g. `versionCode` → `0x7f0b0001`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub unresolved: BTreeMap<String, u32>,
}

/// Split-APK attributes of `<manifest>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Split {
    /// `split` (no namespace): the split's name.
    pub split: Option<String>,
    /// `android:isFeatureSplit`.
    pub is_feature_split: Option<bool>,
    /// `configForSplit` (no namespace).
    pub config_for_split: Option<String>,
    /// `android:isSplitRequired`.
    pub is_split_required: Option<bool>,
}

/// `<uses-sdk>`, raw values: an integer level, a codename string such as
/// `"P"`, or an unresolved reference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UsesSdk {
    /// `android:minSdkVersion` (Android's default is 1).
    pub min_sdk_version: Option<AttrValue>,
    /// `android:targetSdkVersion` (Android's default is the min level).
    pub target_sdk_version: Option<AttrValue>,
    /// `android:maxSdkVersion`.
    pub max_sdk_version: Option<i64>,
}

/// Which tag requested a permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum UsesPermissionKind {
    /// `<uses-permission>`.
    #[serde(rename = "uses-permission")]
    UsesPermission,
    /// `<uses-permission-sdk-23>`: only requested on API 23+.
    #[serde(rename = "uses-permission-sdk-23")]
    UsesPermissionSdk23,
    /// `<uses-permission-sdk-m>`: old name of the above.
    #[serde(rename = "uses-permission-sdk-m")]
    UsesPermissionSdkM,
}

/// A requested permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsesPermission {
    /// `android:name` (an unresolved reference is written `@0x…`).
    pub name: String,
    /// The tag.
    pub kind: UsesPermissionKind,
    /// `android:maxSdkVersion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_sdk_version: Option<i64>,
    /// `android:usesPermissionFlags` by name (`neverForLocation`); unknown
    /// bits as hex.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub uses_permission_flags: Vec<String>,
    /// `android:required` (aapt prints `optional-permission` when false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// `android:requiredFeature`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_feature: Option<String>,
    /// `android:requiredNotFeature`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_not_feature: Option<String>,
    /// Source line.
    pub line: u32,
}

/// A permission defined by the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Permission {
    /// `android:name`.
    pub name: String,
    /// `android:protectionLevel` as stored (absent means `normal`).
    pub protection_level: Option<i64>,
    /// The level as text, as `PermissionInfo.protectionToString`
    /// (`dangerous|appop`).
    pub protection: String,
    /// `android:permissionGroup`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission_group: Option<String>,
    /// `android:label`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<AttrValue>,
    /// Source line.
    pub line: u32,
}

/// A permission group defined by the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PermissionGroup {
    /// `android:name`.
    pub name: String,
    /// `android:label`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<AttrValue>,
    /// Source line.
    pub line: u32,
}

/// `<application>` attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Application {
    /// `android:name`: the `Application` subclass, fully qualified.
    pub name: Option<String>,
    /// `android:label`: a literal or a reference.
    pub label: Option<AttrValue>,
    /// `android:icon` reference.
    pub icon: Option<u32>,
    /// `android:roundIcon` reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub round_icon: Option<u32>,
    /// `android:debuggable`.
    pub debuggable: Option<bool>,
    /// `android:allowBackup` (Android's default is true).
    pub allow_backup: Option<bool>,
    /// `android:fullBackupContent`: a boolean or an XML reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_backup_content: Option<AttrValue>,
    /// `android:dataExtractionRules` XML reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_extraction_rules: Option<u32>,
    /// `android:backupAgent`, fully qualified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_agent: Option<String>,
    /// `android:usesCleartextTraffic` (default true below API 28).
    pub uses_cleartext_traffic: Option<bool>,
    /// `android:networkSecurityConfig` XML reference.
    pub network_security_config: Option<u32>,
    /// `android:appComponentFactory`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_component_factory: Option<String>,
    /// `android:extractNativeLibs`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extract_native_libs: Option<bool>,
    /// `android:testOnly`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_only: Option<bool>,
    /// `android:requestLegacyExternalStorage`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_legacy_external_storage: Option<bool>,
    /// `android:preserveLegacyExternalStorage`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preserve_legacy_external_storage: Option<bool>,
    /// `android:hasFragileUserData`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_fragile_user_data: Option<bool>,
    /// `android:allowClearUserData`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_clear_user_data: Option<bool>,
    /// `android:largeHeap`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub large_heap: Option<bool>,
    /// `android:persistent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persistent: Option<bool>,
    /// `android:hasCode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_code: Option<bool>,
    /// `android:enabled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// `android:permission`: required to start any component.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission: Option<String>,
    /// `android:process`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<String>,
    /// `android:theme` reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<u32>,
    /// Boolean or integer attributes that are unresolved references, by
    /// attribute name (e.g. `debuggable` → `0x7f050001`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub unresolved: BTreeMap<String, u32>,
    /// Source line.
    pub line: u32,
}

/// The kind of a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentKind {
    /// `<activity>`.
    Activity,
    /// `<activity-alias>`.
    ActivityAlias,
    /// `<service>`.
    Service,
    /// `<receiver>`.
    Receiver,
    /// `<provider>`.
    Provider,
}

impl ComponentKind {
    /// The manifest tag (`activity-alias`…), as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Activity => "activity",
            ComponentKind::ActivityAlias => "activity-alias",
            ComponentKind::Service => "service",
            ComponentKind::Receiver => "receiver",
            ComponentKind::Provider => "provider",
        }
    }

    fn from_tag(tag: &str) -> Option<Self> {
        Some(match tag {
            "activity" => ComponentKind::Activity,
            "activity-alias" => ComponentKind::ActivityAlias,
            "service" => ComponentKind::Service,
            "receiver" => ComponentKind::Receiver,
            "provider" => ComponentKind::Provider,
            _ => return None,
        })
    }
}

/// An activity, alias, service, receiver or provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Component {
    /// Which kind.
    pub kind: ComponentKind,
    /// `android:name`, fully qualified as Android does (`.Foo` and `Foo`
    /// become `<package>.Foo`).
    pub name: String,
    /// `android:targetActivity` of an alias, fully qualified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_activity: Option<String>,
    /// `android:exported` as written.
    pub exported: Option<bool>,
    /// Whether other apps can reach it: the explicit value, else for
    /// providers `targetSdk < 17`, else whether it has an intent filter.
    pub exported_effective: bool,
    /// `android:enabled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// `android:permission`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission: Option<String>,
    /// `android:readPermission` (providers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_permission: Option<String>,
    /// `android:writePermission` (providers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_permission: Option<String>,
    /// `android:authorities`, split at `;` (providers).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authorities: Vec<String>,
    /// `android:grantUriPermissions` (providers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_uri_permissions: Option<bool>,
    /// `android:process`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<String>,
    /// `android:foregroundServiceType` flags (services).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub foreground_service_type: Option<i64>,
    /// `<intent-filter>` children.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub intent_filters: Vec<IntentFilter>,
    /// `<meta-data>` children.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub meta_data: Vec<MetaData>,
    /// Boolean or integer attributes that are unresolved references.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub unresolved: BTreeMap<String, u32>,
    /// Source line.
    pub line: u32,
    /// Offset of the element in the binary XML.
    pub offset: u64,
}

/// An `<intent-filter>` (or an `<intent>` inside `<queries>`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IntentFilter {
    /// `<action android:name>`.
    pub actions: Vec<String>,
    /// `<category android:name>`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// `<data>` elements.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<IntentData>,
    /// `android:priority`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// `android:autoVerify` (App Links).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_verify: Option<bool>,
}

/// A `<data>` element of an intent filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IntentData {
    /// `android:scheme`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// `android:host`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// `android:port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    /// `android:path`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `android:pathPrefix`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    /// `android:pathPattern`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_pattern: Option<String>,
    /// `android:pathSuffix`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_suffix: Option<String>,
    /// `android:pathAdvancedPattern`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_advanced_pattern: Option<String>,
    /// `android:mimeType`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// `android:ssp`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssp: Option<String>,
    /// `android:sspPrefix`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssp_prefix: Option<String>,
    /// `android:sspPattern`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssp_pattern: Option<String>,
}

/// A `<meta-data>` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetaData {
    /// `android:name`.
    pub name: String,
    /// `android:value`: string, integer, boolean, reference…
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<AttrValue>,
    /// `android:resource` reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<u32>,
    /// Source line.
    pub line: u32,
}

/// `<queries>`: the other apps this app wants to see (API 30+).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Queries {
    /// `<package android:name>`.
    pub packages: Vec<String>,
    /// `<intent>` elements.
    pub intents: Vec<IntentFilter>,
    /// `<provider android:authorities>`, split at `;`.
    pub providers: Vec<String>,
}

/// A `<uses-feature>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsesFeature {
    /// `android:name` (absent for an OpenGL ES requirement).
    pub name: Option<String>,
    /// `android:required` (default true).
    pub required: bool,
    /// `android:glEsVersion` (`0x00020000` = 2.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gl_es_version: Option<u32>,
}

/// A `<uses-library>` or `<uses-native-library>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsesLibrary {
    /// `android:name`.
    pub name: String,
    /// `android:required` (default true).
    pub required: bool,
}

impl Manifest {
    /// Builds the model from a decoded manifest. Never fails: whatever is
    /// missing or odd is left `None` and reported as a `manifest-` anomaly.
    pub fn from_document(doc: &Document) -> Parsed<Manifest> {
        let mut r = ManifestReader::default();
        let value = match &doc.root {
            Some(root) => r.manifest(root),
            None => {
                r.anomaly(
                    "manifest-missing-root",
                    None,
                    "the document has no root element",
                );
                Manifest::default()
            }
        };
        Parsed {
            value,
            anomalies: r.anomalies,
        }
    }

    /// The low 32 bits of the version code as a signed integer: what
    /// `aapt dump badging` prints (it prints `''` when this is ≤ 0).
    pub fn version_code_low(&self) -> Option<i32> {
        self.version_code.map(|v| v as u32 as i32)
    }

    /// The target SDK level Android uses: `targetSdkVersion`, else
    /// `minSdkVersion`, else 1; a codename counts as 10000
    /// (`CUR_DEVELOPMENT`). `None` when the deciding value is an unresolved
    /// reference.
    pub fn effective_target_sdk(&self) -> Option<i64> {
        let sdk = self.uses_sdk.as_ref();
        let level = |v: &AttrValue| match v {
            AttrValue::Int(i) => Some(*i),
            AttrValue::String(_) => Some(CUR_DEVELOPMENT),
            _ => None,
        };
        match (
            sdk.and_then(|s| s.target_sdk_version.as_ref()),
            sdk.and_then(|s| s.min_sdk_version.as_ref()),
        ) {
            (Some(t), _) => level(t),
            (None, Some(m)) => level(m),
            (None, None) => Some(1),
        }
    }

    /// Names of all requested permissions (any `uses-permission*` tag),
    /// deduplicated and sorted.
    pub fn requested_permission_names(&self) -> BTreeSet<&str> {
        self.uses_permissions
            .iter()
            .map(|p| p.name.as_str())
            .collect()
    }
}

/// `PermissionInfo.protectionToString`, with unknown flag bits in hex.
pub fn protection_to_string(level: i64) -> String {
    const FLAGS: &[(i64, &str)] = &[
        (0x10, "privileged"),
        (0x20, "development"),
        (0x40, "appop"),
        (0x80, "pre23"),
        (0x100, "installer"),
        (0x200, "verifier"),
        (0x400, "preinstalled"),
        (0x800, "setup"),
        (0x1000, "instant"),
        (0x2000, "runtime"),
        (0x4000, "oem"),
        (0x8000, "vendorPrivileged"),
        (0x1_0000, "textClassifier"),
        (0x8_0000, "configurator"),
        (0x10_0000, "incidentReportApprover"),
        (0x20_0000, "appPredictor"),
        (0x40_0000, "module"),
        (0x80_0000, "companion"),
        (0x100_0000, "retailDemo"),
        (0x200_0000, "recents"),
        (0x400_0000, "role"),
        (0x800_0000, "knownSigner"),
    ];
    let mut out = String::from(match level & 0xf {
        0 => "normal",
        1 => "dangerous",
        2 => "signature",
        3 => "signatureOrSystem",
        4 => "internal",
        _ => "????",
    });
    let mut rest = level & !0xf;
    for (bit, name) in FLAGS {
        if level & bit != 0 {
            out.push('|');
            out.push_str(name);
            rest &= !bit;
        }
    }
    if rest != 0 {
        out.push_str(&format!("|{rest:#x}"));
    }
    out
}

/// `PackageParser.buildClassName`: `.Foo` → `pkg.Foo`, `Foo` → `pkg.Foo`.
pub fn qualify_class_name(package: Option<&str>, name: &str) -> String {
    match package {
        Some(pkg) if name.starts_with('.') => format!("{pkg}{name}"),
        Some(pkg) if !name.contains('.') && !name.starts_with('@') && !name.is_empty() => {
            format!("{pkg}.{name}")
        }
        _ => name.to_owned(),
    }
}

/// Names already declared, to flag repeats.
#[derive(Default)]
struct Seen {
    uses_sdk: usize,
    uses_permissions: BTreeSet<String>,
    permissions: BTreeSet<String>,
}

/// Most anomalies recorded per manifest.
const MAX_ANOMALIES: usize = 256;

/// Shared state while reading one manifest.
#[derive(Default)]
struct ManifestReader {
    anomalies: Vec<Anomaly>,
    package: Option<String>,
}

impl ManifestReader {
    fn anomaly(&mut self, code: &'static str, el: Option<&Element>, detail: impl Into<String>) {
        self.anomaly_at(code, el.map(|e| e.offset), detail);
    }

    fn anomaly_at(&mut self, code: &'static str, offset: Option<u64>, detail: impl Into<String>) {
        if self.anomalies.len() < MAX_ANOMALIES {
            self.anomalies.push(Anomaly::new(code, offset, detail));
        }
    }

    fn manifest(&mut self, root: &Element) -> Manifest {
        let mut m = Manifest::default();
        if root.name != "manifest" {
            self.anomaly(
                "manifest-bad-root",
                Some(root),
                format!("root element is <{}>, not <manifest>", root.name),
            );
        }
        // `package` is read with getAttributeValue(null, "package"): the raw
        // string of the attribute without namespace.
        m.package = root.attr_plain("package").and_then(plain_text);
        if m.package.is_none() {
            self.anomaly(
                "manifest-missing-package",
                Some(root),
                "<manifest> has no `package`",
            );
        }
        self.package = m.package.clone();
        let mut unresolved = BTreeMap::new();
        let low = int_attr(root, "versionCode", &mut unresolved);
        let major = int_attr(root, "versionCodeMajor", &mut unresolved);
        if root.attr("versionCode").is_some()
            && low.is_none()
            && !unresolved.contains_key("versionCode")
        {
            self.anomaly(
                "manifest-version-code-not-integer",
                Some(root),
                "android:versionCode is not an integer (aapt refuses the manifest)",
            );
        }
        m.version_code =
            low.map(|l| (u64::from(major.unwrap_or(0) as u32) << 32) | u64::from(l as u32));
        m.version_code_major = major.map(|v| v as u32);
        m.version_name = root.attr("versionName").map(AttrValue::from_attribute);
        m.platform_build_version_code = root
            .attr_plain("platformBuildVersionCode")
            .and_then(plain_text);
        m.platform_build_version_name = root
            .attr_plain("platformBuildVersionName")
            .and_then(plain_text);
        m.compile_sdk_version = int_attr(root, "compileSdkVersion", &mut unresolved);
        m.compile_sdk_version_codename = text_attr(root, "compileSdkVersionCodename");
        m.install_location = int_attr(root, "installLocation", &mut unresolved).map(|v| match v {
            0 => "auto".to_owned(),
            1 => "internalOnly".to_owned(),
            2 => "preferExternal".to_owned(),
            other => other.to_string(),
        });
        m.shared_user_id = text_attr(root, "sharedUserId");
        let split = Split {
            split: root.attr_plain("split").and_then(plain_text),
            is_feature_split: bool_attr(root, "isFeatureSplit", &mut unresolved),
            config_for_split: root.attr_plain("configForSplit").and_then(plain_text),
            is_split_required: bool_attr(root, "isSplitRequired", &mut unresolved),
        };
        if split != Split::default() {
            m.split = Some(split);
        }
        m.unresolved = unresolved;

        let mut seen = Seen::default();
        for child in &root.children {
            match child.name.as_str() {
                "uses-sdk" => {
                    seen.uses_sdk += 1;
                    m.uses_sdk = Some(UsesSdk {
                        min_sdk_version: child.attr("minSdkVersion").map(AttrValue::from_attribute),
                        target_sdk_version: child
                            .attr("targetSdkVersion")
                            .map(AttrValue::from_attribute),
                        max_sdk_version: int_opt(child, "maxSdkVersion"),
                    });
                }
                "uses-permission" | "uses-permission-sdk-23" | "uses-permission-sdk-m" => {
                    m.uses_permissions
                        .extend(self.uses_permission(child, &mut seen));
                }
                "permission" => m.permissions.extend(self.permission(child, &mut seen)),
                "permission-group" => {
                    let Some(name) = self.name(child) else {
                        continue;
                    };
                    m.permission_groups.push(PermissionGroup {
                        name,
                        label: child.attr("label").map(AttrValue::from_attribute),
                        line: child.line,
                    });
                }
                "application" if m.application.is_some() => self.anomaly(
                    "manifest-multiple-applications",
                    Some(child),
                    "a second <application> is ignored, as on Android",
                ),
                "application" => {
                    m.application = Some(self.application(child));
                    self.application_children(child, &mut m);
                }
                "queries" => self.queries(child, &mut m.queries),
                "uses-feature" => m.uses_features.push(UsesFeature {
                    name: text_attr(child, "name"),
                    required: bool_opt(child, "required").unwrap_or(true),
                    gl_es_version: int_opt(child, "glEsVersion").map(|v| v as u32),
                }),
                _ => {}
            }
        }
        if seen.uses_sdk > 1 {
            self.anomaly(
                "manifest-multiple-uses-sdk",
                Some(root),
                format!("{} <uses-sdk> elements; the last one counts", seen.uses_sdk),
            );
        }
        self.exported_defaults(&mut m);
        m
    }

    fn uses_permission(&mut self, el: &Element, seen: &mut Seen) -> Option<UsesPermission> {
        let kind = match el.name.as_str() {
            "uses-permission" => UsesPermissionKind::UsesPermission,
            "uses-permission-sdk-23" => UsesPermissionKind::UsesPermissionSdk23,
            _ => UsesPermissionKind::UsesPermissionSdkM,
        };
        let name = self.name(el)?;
        if !seen.uses_permissions.insert(name.clone()) {
            self.anomaly(
                "manifest-duplicate-uses-permission",
                Some(el),
                format!("`{name}` is requested more than once (Android ignores the repeats)"),
            );
        }
        Some(UsesPermission {
            name,
            kind,
            max_sdk_version: int_opt(el, "maxSdkVersion"),
            uses_permission_flags: int_opt(el, "usesPermissionFlags")
                .map(uses_permission_flags)
                .unwrap_or_default(),
            required: bool_opt(el, "required"),
            required_feature: text_attr(el, "requiredFeature"),
            required_not_feature: text_attr(el, "requiredNotFeature"),
            line: el.line,
        })
    }

    fn permission(&mut self, el: &Element, seen: &mut Seen) -> Option<Permission> {
        let name = self.name(el)?;
        if !seen.permissions.insert(name.clone()) {
            self.anomaly(
                "manifest-duplicate-permission",
                Some(el),
                format!("permission `{name}` is defined more than once"),
            );
        }
        let level = int_opt(el, "protectionLevel");
        Some(Permission {
            name,
            protection_level: level,
            protection: protection_to_string(level.unwrap_or(0)),
            permission_group: text_attr(el, "permissionGroup"),
            label: el.attr("label").map(AttrValue::from_attribute),
            line: el.line,
        })
    }

    /// Meta-data, libraries and components of `<application>`.
    fn application_children(&mut self, app: &Element, m: &mut Manifest) {
        for el in &app.children {
            match el.name.as_str() {
                "meta-data" => m.meta_data.extend(self.meta_data(el)),
                tag @ ("uses-library" | "uses-native-library") => {
                    let Some(name) = self.name(el) else { continue };
                    let lib = UsesLibrary {
                        name,
                        required: bool_opt(el, "required").unwrap_or(true),
                    };
                    if tag == "uses-library" {
                        m.uses_libraries.push(lib);
                    } else {
                        m.uses_native_libraries.push(lib);
                    }
                }
                tag => {
                    if let Some(kind) = ComponentKind::from_tag(tag) {
                        m.components.extend(self.component(kind, el));
                    }
                }
            }
        }
    }

    /// The `android:name` of `el` as text, or an anomaly.
    fn name(&mut self, el: &Element) -> Option<String> {
        let name = text_attr(el, "name").filter(|n| !n.is_empty());
        if name.is_none() {
            self.anomaly(
                "manifest-missing-name",
                Some(el),
                format!(
                    "<{}> at line {} has no android:name; Android skips it",
                    el.name, el.line
                ),
            );
        }
        name
    }

    fn class_name(&self, el: &Element, attr: &str) -> Option<String> {
        text_attr(el, attr).map(|n| qualify_class_name(self.package.as_deref(), &n))
    }

    fn application(&mut self, el: &Element) -> Application {
        let mut u = BTreeMap::new();
        let app = Application {
            name: self.class_name(el, "name"),
            label: el.attr("label").map(AttrValue::from_attribute),
            icon: el.attr("icon").and_then(Attribute::as_reference),
            round_icon: el.attr("roundIcon").and_then(Attribute::as_reference),
            debuggable: bool_attr(el, "debuggable", &mut u),
            allow_backup: bool_attr(el, "allowBackup", &mut u),
            full_backup_content: el.attr("fullBackupContent").map(AttrValue::from_attribute),
            data_extraction_rules: el
                .attr("dataExtractionRules")
                .and_then(Attribute::as_reference),
            backup_agent: self.class_name(el, "backupAgent"),
            uses_cleartext_traffic: bool_attr(el, "usesCleartextTraffic", &mut u),
            network_security_config: el
                .attr("networkSecurityConfig")
                .and_then(Attribute::as_reference),
            app_component_factory: self.class_name(el, "appComponentFactory"),
            extract_native_libs: bool_attr(el, "extractNativeLibs", &mut u),
            test_only: bool_attr(el, "testOnly", &mut u),
            request_legacy_external_storage: bool_attr(el, "requestLegacyExternalStorage", &mut u),
            preserve_legacy_external_storage: bool_attr(
                el,
                "preserveLegacyExternalStorage",
                &mut u,
            ),
            has_fragile_user_data: bool_attr(el, "hasFragileUserData", &mut u),
            allow_clear_user_data: bool_attr(el, "allowClearUserData", &mut u),
            large_heap: bool_attr(el, "largeHeap", &mut u),
            persistent: bool_attr(el, "persistent", &mut u),
            has_code: bool_attr(el, "hasCode", &mut u),
            enabled: bool_attr(el, "enabled", &mut u),
            permission: text_attr(el, "permission"),
            process: text_attr(el, "process"),
            theme: el.attr("theme").and_then(Attribute::as_reference),
            unresolved: u,
            line: el.line,
        };
        if let Some(a) = el.attr("icon").filter(|a| a.as_reference().is_none()) {
            self.anomaly(
                "manifest-icon-not-reference",
                Some(el),
                format!(
                    "android:icon is not a resource reference ({:?})",
                    AttrValue::from_attribute(a)
                ),
            );
        }
        app
    }

    fn component(&mut self, kind: ComponentKind, el: &Element) -> Option<Component> {
        let name = self.name(el)?;
        let mut u = BTreeMap::new();
        let authorities = text_attr(el, "authorities")
            .map(|a| {
                a.split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let mut intent_filters = Vec::new();
        let mut meta_data = Vec::new();
        for child in &el.children {
            match child.name.as_str() {
                "intent-filter" => intent_filters.push(intent_filter(child)),
                "meta-data" => meta_data.extend(self.meta_data(child)),
                _ => {}
            }
        }
        Some(Component {
            kind,
            name: qualify_class_name(self.package.as_deref(), &name),
            target_activity: self.class_name(el, "targetActivity"),
            exported: bool_attr(el, "exported", &mut u),
            exported_effective: false,
            enabled: bool_attr(el, "enabled", &mut u),
            permission: text_attr(el, "permission"),
            read_permission: text_attr(el, "readPermission"),
            write_permission: text_attr(el, "writePermission"),
            authorities,
            grant_uri_permissions: bool_attr(el, "grantUriPermissions", &mut u),
            process: text_attr(el, "process"),
            foreground_service_type: int_attr(el, "foregroundServiceType", &mut u),
            intent_filters,
            meta_data,
            unresolved: u,
            line: el.line,
            offset: el.offset,
        })
    }

    /// Fills `exported_effective` with Android's defaults and flags
    /// components that API 31+ would refuse.
    fn exported_defaults(&mut self, m: &mut Manifest) {
        let target = m.effective_target_sdk();
        let mut missing = Vec::new();
        for c in &mut m.components {
            let has_filters = !c.intent_filters.is_empty();
            c.exported_effective = match (c.exported, c.kind) {
                (Some(e), _) => e,
                // Unresolved target: assume the modern default (not exported).
                (None, ComponentKind::Provider) => target.is_some_and(|t| t < JELLY_BEAN_MR1),
                (None, _) => has_filters,
            };
            if c.exported.is_none()
                && has_filters
                && c.kind != ComponentKind::Provider
                && !c.unresolved.contains_key("exported")
                && target.is_some_and(|t| t >= S)
            {
                missing.push((c.offset, format!(
                    "{} `{}` (line {}) has intent filters but no android:exported; Android 12+ refuses to install apps targeting API 31+ like this",
                    c.kind.as_str(),
                    c.name,
                    c.line
                )));
            }
        }
        for (offset, detail) in missing {
            self.anomaly_at("manifest-missing-exported", Some(offset), detail);
        }
    }

    fn meta_data(&mut self, el: &Element) -> Option<MetaData> {
        let name = self.name(el)?;
        Some(MetaData {
            name,
            value: el.attr("value").map(AttrValue::from_attribute),
            resource: el.attr("resource").and_then(Attribute::as_reference),
            line: el.line,
        })
    }

    fn queries(&mut self, el: &Element, q: &mut Queries) {
        for child in &el.children {
            match child.name.as_str() {
                "package" => q.packages.extend(self.name(child)),
                "intent" => q.intents.push(intent_filter(child)),
                "provider" => {
                    if let Some(a) = text_attr(child, "authorities") {
                        q.providers.extend(
                            a.split(';')
                                .map(str::trim)
                                .filter(|s| !s.is_empty())
                                .map(str::to_owned),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

fn intent_filter(el: &Element) -> IntentFilter {
    let mut f = IntentFilter {
        priority: int_opt(el, "priority"),
        auto_verify: bool_opt(el, "autoVerify"),
        ..IntentFilter::default()
    };
    for child in &el.children {
        match child.name.as_str() {
            "action" => f.actions.extend(text_attr(child, "name")),
            "category" => f.categories.extend(text_attr(child, "name")),
            "data" => f.data.push(IntentData {
                scheme: text_attr(child, "scheme"),
                host: text_attr(child, "host"),
                port: text_attr(child, "port"),
                path: text_attr(child, "path"),
                path_prefix: text_attr(child, "pathPrefix"),
                path_pattern: text_attr(child, "pathPattern"),
                path_suffix: text_attr(child, "pathSuffix"),
                path_advanced_pattern: text_attr(child, "pathAdvancedPattern"),
                mime_type: text_attr(child, "mimeType"),
                ssp: text_attr(child, "ssp"),
                ssp_prefix: text_attr(child, "sspPrefix"),
                ssp_pattern: text_attr(child, "sspPattern"),
            }),
            _ => {}
        }
    }
    f
}

/// `android:usesPermissionFlags` bits by name.
fn uses_permission_flags(v: i64) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = v;
    if v & 0x1_0000 != 0 {
        out.push("neverForLocation".to_owned());
        rest &= !0x1_0000;
    }
    if rest != 0 {
        out.push(format!("{rest:#x}"));
    }
    out
}

/// An `android:` attribute as text (`TypedValue.coerceToString`), with
/// references written `@0x…`.
fn text_attr(el: &Element, name: &str) -> Option<String> {
    el.attr(name)
        .and_then(|a| AttrValue::from_attribute(a).to_text())
}

/// A namespace-less attribute as text: the raw string if any, else the
/// coerced typed value.
fn plain_text(a: &Attribute) -> Option<String> {
    a.raw
        .clone()
        .or_else(|| AttrValue::from_attribute(a).to_text())
}

/// An integer `android:` attribute; references go to `unresolved`.
fn int_attr(el: &Element, name: &str, unresolved: &mut BTreeMap<String, u32>) -> Option<i64> {
    let a = el.attr(name)?;
    if let Some(r) = a.as_reference() {
        unresolved.insert(name.to_owned(), r);
        return None;
    }
    a.as_int()
}

/// An integer `android:` attribute, references ignored.
fn int_opt(el: &Element, name: &str) -> Option<i64> {
    int_attr(el, name, &mut BTreeMap::new())
}

/// A boolean `android:` attribute, references ignored.
fn bool_opt(el: &Element, name: &str) -> Option<bool> {
    bool_attr(el, name, &mut BTreeMap::new())
}

/// A boolean `android:` attribute; references go to `unresolved`.
fn bool_attr(el: &Element, name: &str, unresolved: &mut BTreeMap<String, u32>) -> Option<bool> {
    let a = el.attr(name)?;
    if let Some(r) = a.as_reference() {
        unresolved.insert(name.to_owned(), r);
        return None;
    }
    a.as_bool().or_else(|| match a.as_str() {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]

    use super::*;
    use crate::formats::axml::fixture::{Fixture, V};
    use crate::formats::axml::{parse, ANDROID_NS};

    const MANIFEST: &[u8] = include_bytes!("../../../tests/data/axml/manifest.axml");
    const BADGING: &str = include_str!("../../../tests/data/axml/manifest.badging.txt");

    fn fixture() -> Parsed<Manifest> {
        Manifest::from_document(&parse(MANIFEST).unwrap().value)
    }

    fn codes(p: &Parsed<Manifest>) -> Vec<&'static str> {
        p.anomalies.iter().map(|a| a.code).collect()
    }

    /// `name='…'` values of the badging lines starting with `prefix`.
    fn badging_names(prefix: &str) -> Vec<String> {
        BADGING
            .lines()
            .filter(|l| l.starts_with(prefix))
            .filter_map(|l| {
                l.split("name='")
                    .nth(1)?
                    .split('\'')
                    .next()
                    .map(str::to_owned)
            })
            .collect()
    }

    fn badging_value(key: &str) -> Option<String> {
        let line = BADGING.lines().find(|l| l.starts_with("package:"))?;
        let v = line.split(&format!("{key}='")).nth(1)?;
        Some(v.split('\'').next()?.replace("\\\"", "\""))
    }

    #[test]
    fn headline_values_match_aapt_badging() {
        let m = fixture().value;
        assert_eq!(m.package.as_deref(), badging_value("name").as_deref());
        assert_eq!(
            m.version_code_low().map(|v| v.to_string()),
            badging_value("versionCode")
        );
        assert_eq!(
            m.version_name
                .as_ref()
                .and_then(AttrValue::as_str)
                .map(str::to_owned),
            badging_value("versionName")
        );
        let sdk = m.uses_sdk.as_ref().unwrap();
        assert!(BADGING.contains(&format!(
            "sdkVersion:'{}'",
            sdk.min_sdk_version.as_ref().unwrap().to_text().unwrap()
        )));
        assert!(BADGING.contains(&format!(
            "targetSdkVersion:'{}'",
            sdk.target_sdk_version.as_ref().unwrap().to_text().unwrap()
        )));
        let names = |kind| {
            m.uses_permissions
                .iter()
                .filter(|p| p.kind == kind)
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(UsesPermissionKind::UsesPermission),
            badging_names("uses-permission: ")
        );
        assert_eq!(
            names(UsesPermissionKind::UsesPermissionSdk23),
            badging_names("uses-permission-sdk-23: ")
        );
    }

    #[test]
    fn fixture_model() {
        let p = fixture();
        let m = &p.value;
        assert_eq!(m.version_code, Some((1 << 32) | 7));
        assert_eq!(m.version_code_major, Some(1));
        assert_eq!(m.install_location.as_deref(), Some("preferExternal"));
        assert_eq!(m.compile_sdk_version, Some(29));
        assert_eq!(m.platform_build_version_code.as_deref(), Some("29"));
        assert_eq!(m.effective_target_sdk(), Some(31));
        assert_eq!(m.uses_permissions[1].max_sdk_version, Some(28));
        assert_eq!(m.permissions[0].protection, "signature|privileged");
        assert_eq!(m.permissions[1].protection, "dangerous|appop");
        assert_eq!(
            m.permissions[1].label,
            Some(AttrValue::Reference(0x7f05_0000))
        );
        let app = m.application.as_ref().unwrap();
        assert_eq!(app.name.as_deref(), Some("org.humiao.fixture.App"));
        assert_eq!(app.debuggable, Some(true));
        assert_eq!(app.allow_backup, Some(false));
        assert_eq!(app.uses_cleartext_traffic, Some(true));
        // tests/data/axml/resources.txt: xml/network_security_config
        assert_eq!(app.network_security_config, Some(0x7f03_0000));
        assert_eq!(app.icon, Some(0x7f02_0000));
        let names: Vec<_> = m
            .components
            .iter()
            .map(|c| (c.kind, c.name.as_str(), c.exported_effective))
            .collect();
        assert_eq!(
            names,
            vec![
                (
                    ComponentKind::Activity,
                    "org.humiao.fixture.MainActivity",
                    true
                ),
                (
                    ComponentKind::ActivityAlias,
                    "org.humiao.fixture.Alias",
                    false
                ),
                (ComponentKind::Activity, "com.other.Outside", false),
                (ComponentKind::Service, "org.humiao.fixture.Sync", false),
                (ComponentKind::Receiver, "org.humiao.fixture.Boot", true),
                (ComponentKind::Provider, "org.humiao.fixture.Files", false),
            ]
        );
        let main = &m.components[0];
        assert_eq!(
            main.intent_filters[1].data[0].host.as_deref(),
            Some("kids.example.com")
        );
        assert_eq!(main.intent_filters[1].auto_verify, Some(true));
        assert_eq!(
            m.components[1].target_activity.as_deref(),
            Some("org.humiao.fixture.MainActivity")
        );
        assert_eq!(
            m.components[5].authorities,
            vec!["org.humiao.fixture.files", "org.humiao.fixture.more"]
        );
        let values: Vec<_> = m
            .meta_data
            .iter()
            .map(|d| (d.name.as_str(), d.value.clone(), d.resource))
            .collect();
        assert_eq!(
            values,
            vec![
                (
                    "UMENG_APPKEY",
                    Some(AttrValue::String("5f00aa".into())),
                    None
                ),
                ("int_value", Some(AttrValue::Int(42)), None),
                ("bool_value", Some(AttrValue::Bool(true)), None),
                ("res_value", None, Some(0x7f03_0000)),
            ]
        );
        assert_eq!(m.queries.packages, vec!["com.tencent.mm"]);
        assert_eq!(
            m.queries.providers,
            vec!["com.example.one", "com.example.two"]
        );
        assert_eq!(
            m.queries.intents[0].data[0].scheme.as_deref(),
            Some("https")
        );
        assert!(!m.uses_features[0].required);
        assert_eq!(m.uses_features[1].gl_es_version, Some(0x0002_0000));
        assert!(!m.uses_libraries[0].required);
        assert_eq!(
            codes(&p),
            vec![
                "manifest-duplicate-uses-permission",
                "manifest-missing-exported"
            ]
        );
        // Serialises deterministically.
        let a = serde_json::to_string(m).unwrap();
        assert_eq!(a, serde_json::to_string(&fixture().value).unwrap());
        assert!(a.contains("\"kind\":\"uses-permission-sdk-23\""));
        assert!(a.contains("\"kind\":\"activity-alias\""));
    }

    const IDS: &[(&str, u32)] = &[
        ("name", 0x0101_0003),
        ("minSdkVersion", 0x0101_020c),
        ("targetSdkVersion", 0x0101_0270),
        ("versionCode", 0x0101_021b),
        ("debuggable", 0x0101_000f),
        ("authorities", 0x0101_0018),
    ];

    fn manifest_with(sdk: &[(&str, V<'_>)], body: impl FnOnce(&mut Fixture)) -> Parsed<Manifest> {
        let mut f = Fixture::new(true).with_res_ids(IDS);
        f.ns(true, "android", ANDROID_NS);
        f.start(
            "manifest",
            &[
                (None, "package", V::Str("com.kid")),
                (
                    Some(ANDROID_NS),
                    "versionCode",
                    V::Typed(types::INT_HEX, 0xffff_ffff),
                ),
            ],
        );
        let attrs: Vec<_> = sdk
            .iter()
            .map(|(n, v)| (Some(ANDROID_NS), *n, *v))
            .collect();
        f.start("uses-sdk", &attrs);
        f.end("uses-sdk");
        body(&mut f);
        f.end("manifest");
        f.ns(false, "android", ANDROID_NS);
        Manifest::from_document(&parse(&f.build()).unwrap().value)
    }

    #[test]
    fn old_target_sdk_exports_providers_by_default() {
        let p = manifest_with(&[("minSdkVersion", V::Typed(types::INT_DEC, 9))], |f| {
            f.start("application", &[]);
            f.start(
                "provider",
                &[
                    (Some(ANDROID_NS), "name", V::Str("Data")),
                    (Some(ANDROID_NS), "authorities", V::Str("a")),
                ],
            );
            f.end("provider");
            f.end("application");
        });
        let m = &p.value;
        // No targetSdkVersion: it defaults to minSdkVersion (9 < 17).
        assert_eq!(m.effective_target_sdk(), Some(9));
        assert_eq!(m.components[0].name, "com.kid.Data");
        assert!(m.components[0].exported_effective);
        // 0xffffffff: aapt prints versionCode='' (≤ 0 as a signed int).
        assert_eq!(m.version_code, Some(0xffff_ffff));
        assert_eq!(m.version_code_low(), Some(-1));
    }

    #[test]
    fn codename_sdk_and_references_stay_raw() {
        let p = manifest_with(&[("minSdkVersion", V::Str("P"))], |f| {
            f.start(
                "uses-permission",
                &[(
                    Some(ANDROID_NS),
                    "name",
                    V::Typed(types::REFERENCE, 0x7f0a_0001),
                )],
            );
            f.end("uses-permission");
            f.start("uses-permission", &[]);
            f.end("uses-permission");
            f.start(
                "application",
                &[(
                    Some(ANDROID_NS),
                    "debuggable",
                    V::Typed(types::REFERENCE, 0x7f05_0001),
                )],
            );
            f.end("application");
        });
        let m = &p.value;
        assert_eq!(
            m.uses_sdk.as_ref().unwrap().min_sdk_version,
            Some(AttrValue::String("P".into()))
        );
        assert_eq!(m.effective_target_sdk(), Some(10_000));
        assert_eq!(m.uses_permissions.len(), 1);
        assert_eq!(m.uses_permissions[0].name, "@0x7f0a0001");
        let app = m.application.as_ref().unwrap();
        assert_eq!(app.debuggable, None);
        assert_eq!(app.unresolved.get("debuggable"), Some(&0x7f05_0001));
        assert!(codes(&p).contains(&"manifest-missing-name"));
    }

    #[test]
    fn last_uses_sdk_wins() {
        let p = manifest_with(&[("targetSdkVersion", V::Typed(types::INT_DEC, 19))], |f| {
            f.start(
                "uses-sdk",
                &[(
                    Some(ANDROID_NS),
                    "targetSdkVersion",
                    V::Typed(types::INT_DEC, 33),
                )],
            );
            f.end("uses-sdk");
        });
        assert_eq!(p.value.effective_target_sdk(), Some(33));
        assert!(codes(&p).contains(&"manifest-multiple-uses-sdk"));
    }

    #[test]
    fn class_names_are_qualified_like_android() {
        assert_eq!(qualify_class_name(Some("a.b"), ".Main"), "a.b.Main");
        assert_eq!(qualify_class_name(Some("a.b"), "Main"), "a.b.Main");
        assert_eq!(qualify_class_name(Some("a.b"), "x.Main"), "x.Main");
        assert_eq!(
            qualify_class_name(Some("a.b"), "@0x7f010001"),
            "@0x7f010001"
        );
        assert_eq!(qualify_class_name(None, ".Main"), ".Main");
    }

    #[test]
    fn protection_levels() {
        assert_eq!(protection_to_string(0), "normal");
        assert_eq!(protection_to_string(1), "dangerous");
        assert_eq!(protection_to_string(0x12), "signature|privileged");
        assert_eq!(protection_to_string(0x41), "dangerous|appop");
        assert_eq!(
            protection_to_string(0x4000_0003),
            "signatureOrSystem|0x40000000"
        );
    }

    #[test]
    fn missing_root_is_an_anomaly() {
        let p = Manifest::from_document(&Document::default());
        assert_eq!(p.value, Manifest::default());
        assert_eq!(codes(&p), vec!["manifest-missing-root"]);
    }
}
