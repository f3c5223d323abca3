//! Data the scanner knows about the Android platform, loaded from
//! `rulesets/` (TOML, embedded in the binary; `--rules DIR` overrides).
//!
//! Today: the permission catalogue (`rulesets/permissions.toml`) and the
//! sensitive-API catalogue with the personal-information categories
//! (`rulesets/apis.toml`, see [`apis`]), and the packer catalogue
//! (`rulesets/packers.toml`, see [`packers`]), and the SDK catalogue
//! (`rulesets/sdks/*.toml`, see [`sdks`]), so that evidence can name things
//! without depending on the rule engine.
//!
//! Loading validates as it goes: unknown keys, duplicate names, wrong
//! types and unknown category ids are errors that name the file, line and
//! column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub mod apis;

pub use apis::{ApiIndex, ApiInfo, ApiKind, Category, CategoryKind, StringMatch};
pub mod packers;
pub mod sdks;

pub use sdks::{SdkInfo, SdkMatcher};

use packers::PackerInfo;

/// The embedded permission catalogue.
pub const EMBEDDED_PERMISSIONS: &str = include_str!("../../rulesets/permissions.toml");

/// The embedded permission catalogue as JSON, written by `build.rs` from
/// [`EMBEDDED_PERMISSIONS`] (JSON parses about ten times faster than TOML;
/// a unit test checks both give the same catalogue).
const EMBEDDED_PERMISSIONS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/permissions.json"));

/// The embedded sensitive-API catalogue and category list.
pub const EMBEDDED_APIS: &str = include_str!("../../rulesets/apis.toml");

/// A ruleset file could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// File path.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// TOML syntax or schema error.
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        /// File path.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

/// Two-language text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

/// What the catalogue says about one permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionInfo {
    /// Full permission name.
    pub name: String,
    /// `protectionLevel` as Android declares it.
    pub protection: String,
    /// API level that introduced it.
    pub since_api: u32,
    /// Personal-information category id (a `[[category]]` of
    /// `rulesets/apis.toml`).
    pub pi: String,
    /// Short description.
    pub label: Text,
    /// Where the protection level comes from.
    pub source: String,
}

impl PermissionInfo {
    /// Whether this is a runtime ("dangerous") permission.
    pub fn is_dangerous(&self) -> bool {
        self.protection.split('|').any(|p| p == "dangerous")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PermissionFile {
    permission: Vec<toml::Spanned<PermissionInfo>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PermissionJson {
    permission: Vec<PermissionInfo>,
}

/// Everything loaded from rulesets/.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Permissions by full name.
    pub permissions: BTreeMap<String, PermissionInfo>,
    /// Personal-information (and capability, configuration) categories by
    /// id, from `rulesets/apis.toml`.
    pub categories: BTreeMap<String, Category>,
    /// Sensitive APIs, in file order.
    pub apis: Vec<ApiInfo>,
    /// Packers and protectors, in file order.
    pub packers: Vec<PackerInfo>,
    /// Third-party SDKs, in file order (files sorted by name).
    pub sdks: Vec<SdkInfo>,
    /// The SDK signatures compiled for matching.
    pub sdk_matcher: SdkMatcher,
    /// Which SDK claims each signature string, per kind (load-time check
    /// that no two entries claim the same one).
    sdk_claims: std::collections::HashMap<(&'static str, String), String>,
}

fn parse_permissions(
    path: &Path,
    text: &str,
) -> Result<Vec<toml::Spanned<PermissionInfo>>, CatalogError> {
    let file: PermissionFile = toml::from_str(text).map_err(|e| {
        let off = e.span().map_or(0, |s| s.start);
        invalid(path, text, off, e.message().to_string())
    })?;
    Ok(file.permission)
}

/// A [`CatalogError::Invalid`] at a byte offset of `text` (line and column
/// are 1-based; the column counts characters).
pub(crate) fn invalid(path: &Path, text: &str, offset: usize, message: String) -> CatalogError {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    CatalogError::Invalid {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

/// Parses embedded JSON written by `build.rs` from the ruleset file `what`
/// names; an error (a build that went wrong) names that file.
pub(crate) fn embedded_json<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
) -> Result<T, CatalogError> {
    serde_json::from_str(text).map_err(|e| CatalogError::Invalid {
        path: format!("{what} (embedded JSON)").into(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

impl Catalog {
    /// The catalogue embedded in the binary.
    pub fn embedded() -> Result<Catalog, CatalogError> {
        let mut c = Catalog::default();
        c.add_embedded_apis()?;
        c.add_embedded_permissions()?;
        c.add_packers(
            Path::new("rulesets/packers.toml"),
            packers::EMBEDDED_PACKERS,
        )?;
        c.add_embedded_sdks()?;
        c.compile_sdks();
        Ok(c)
    }

    /// The parts of the embedded catalogue that a scan without code
    /// analysis (`ScanOptions::code == false`, `humiao scan --no-code`)
    /// reads: the permissions only. Categories, sensitive APIs, packers and
    /// SDKs are only matched against code. Saves nearly all of the
    /// start-up cost.
    pub fn embedded_without_code() -> Result<Catalog, CatalogError> {
        let mut c = Catalog::default();
        c.add_embedded_permissions()?;
        Ok(c)
    }

    /// Adds the embedded permissions from the JSON `build.rs` wrote (the
    /// TOML is validated by the unit tests, not at every start).
    fn add_embedded_permissions(&mut self) -> Result<(), CatalogError> {
        let f: PermissionJson =
            embedded_json(EMBEDDED_PERMISSIONS_JSON, "rulesets/permissions.toml")?;
        for p in f.permission {
            self.permissions.insert(p.name.clone(), p);
        }
        Ok(())
    }

    /// Loads from a rulesets directory (same layout as the repository's
    /// `rulesets/`: `permissions.toml`, `apis.toml`, `packers.toml` and the
    /// `sdks/` directory of `*.toml` files, all required).
    /// `permissions.toml` is parsed first so that its syntax errors are
    /// reported before a missing `apis.toml`; its categories are checked
    /// once `apis.toml` has declared them.
    pub fn load_dir(dir: &Path) -> Result<Catalog, CatalogError> {
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|source| CatalogError::Io {
                path: path.to_path_buf(),
                source,
            })
        };
        let p_path = dir.join("permissions.toml");
        let p_text = read(&p_path)?;
        let perms = parse_permissions(&p_path, &p_text)?;
        let a_path = dir.join("apis.toml");
        let a_text = read(&a_path)?;
        let mut c = Catalog::default();
        c.add_apis(&a_path, &a_text)?;
        c.insert_permissions(&p_path, &p_text, perms)?;
        let k_path = dir.join("packers.toml");
        let k_text = read(&k_path)?;
        c.add_packers(&k_path, &k_text)?;
        let s_dir = dir.join("sdks");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&s_dir)
            .map_err(|source| CatalogError::Io {
                path: s_dir.clone(),
                source,
            })?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for f in files {
            let text = read(&f)?;
            c.add_sdks(&f, &text)?;
        }
        c.compile_sdks();
        Ok(c)
    }

    /// Adds a permission catalogue file (`rulesets/permissions.toml`
    /// format); `path` is only used in error messages.
    pub fn add_permissions(&mut self, path: &Path, text: &str) -> Result<(), CatalogError> {
        let perms = parse_permissions(path, text)?;
        self.insert_permissions(path, text, perms)
    }

    /// Adds parsed permissions. Their `pi` must name a known category once
    /// categories are loaded (a catalogue without any, as in unit tests,
    /// skips that check).
    fn insert_permissions(
        &mut self,
        path: &Path,
        text: &str,
        perms: Vec<toml::Spanned<PermissionInfo>>,
    ) -> Result<(), CatalogError> {
        for p in perms {
            let span = p.span();
            let p = p.into_inner();
            if self.permissions.contains_key(&p.name) {
                return Err(invalid(
                    path,
                    text,
                    span.start,
                    format!("duplicate permission `{}`", p.name),
                ));
            }
            if !self.categories.is_empty() && !self.categories.contains_key(&p.pi) {
                let msg = format!(
                    "unknown category `{}` in permission `{}` (see rulesets/apis.toml)",
                    p.pi, p.name
                );
                return Err(invalid(path, text, span.start, msg));
            }
            self.permissions.insert(p.name.clone(), p);
        }
        Ok(())
    }

    /// Catalogue entry for a permission.
    pub fn permission(&self, name: &str) -> Option<&PermissionInfo> {
        self.permissions.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_loads() {
        let c = Catalog::embedded().unwrap();
        let cam = c.permission("android.permission.CAMERA").unwrap();
        assert!(cam.is_dangerous());
        assert_eq!(cam.pi, "camera");
        assert!(!c
            .permission("android.permission.INTERNET")
            .unwrap()
            .is_dangerous());
    }

    #[test]
    fn errors_name_line_and_column() {
        let mut c = Catalog::default();
        let text = "[[permission]]\nname = \"a\"\nprotection = \"normal\"\nsince_api = 1\npi = \"x\"\nlabel = { zh = \"z\", en = \"e\" }\nsource = \"s\"\ncolour = \"red\"\n";
        let e = c
            .add_permissions(Path::new("p.toml"), text)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("p.toml:"), "{e}");
        assert!(e.contains("colour"), "{e}");
        let dup = format!(
            "{}\n{}",
            &text[..text.find("colour").unwrap()],
            &text[..text.find("colour").unwrap()]
        );
        let e = Catalog::default()
            .add_permissions(Path::new("p.toml"), &dup)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("duplicate permission `a`") && e.starts_with("p.toml:9:1"),
            "{e}"
        );
    }

    #[test]
    fn permission_categories_are_checked() {
        let mut c = Catalog::default();
        c.add_apis(Path::new("rulesets/apis.toml"), EMBEDDED_APIS)
            .unwrap();
        let text = "\n[[permission]]\nname = \"a\"\nprotection = \"normal\"\nsince_api = 1\npi = \"x\"\nlabel = { zh = \"z\", en = \"e\" }\nsource = \"s\"\n";
        let e = c
            .add_permissions(Path::new("p.toml"), text)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("p.toml:2:1:") && e.contains("unknown category `x` in permission `a`"),
            "{e}"
        );
        c.add_permissions(Path::new("p.toml"), &text.replace("\"x\"", "\"camera\""))
            .unwrap();
    }

    /// The embedded JSON forms of apis.toml and permissions.toml say
    /// exactly what the validating TOML loaders say.
    #[test]
    fn embedded_json_equals_validated_toml() {
        let mut from_toml = Catalog::default();
        from_toml
            .add_apis(Path::new("rulesets/apis.toml"), EMBEDDED_APIS)
            .unwrap();
        from_toml
            .add_permissions(Path::new("rulesets/permissions.toml"), EMBEDDED_PERMISSIONS)
            .unwrap();
        let embedded = Catalog::embedded().unwrap();
        assert_eq!(embedded.categories, from_toml.categories);
        assert_eq!(embedded.apis, from_toml.apis);
        assert!(embedded.apis.len() > 100);
        assert!(from_toml.permissions.len() > 40);
        assert_eq!(embedded.permissions, from_toml.permissions);
        assert_eq!(
            Catalog::embedded_without_code().unwrap().permissions,
            from_toml.permissions
        );
    }

    #[test]
    fn load_dir_reads_every_file() {
        let dir = std::env::temp_dir().join(format!("humiao-catalog-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("permissions.toml"), EMBEDDED_PERMISSIONS).unwrap();
        let e = Catalog::load_dir(&dir).unwrap_err().to_string();
        assert!(e.contains("apis.toml"), "{e}");
        std::fs::write(dir.join("apis.toml"), EMBEDDED_APIS).unwrap();
        let e = Catalog::load_dir(&dir).unwrap_err().to_string();
        assert!(e.contains("packers.toml"), "{e}");
        std::fs::write(dir.join("packers.toml"), packers::EMBEDDED_PACKERS).unwrap();
        let e = Catalog::load_dir(&dir).unwrap_err().to_string();
        assert!(e.contains("sdks"), "{e}");
        std::fs::create_dir_all(dir.join("sdks")).unwrap();
        for (path, text) in sdks::EMBEDDED_SDK_FILES {
            let name = Path::new(path).file_name().unwrap();
            std::fs::write(dir.join("sdks").join(name), text).unwrap();
        }
        let c = Catalog::load_dir(&dir).unwrap();
        assert_eq!(c.sdks.len(), Catalog::embedded().unwrap().sdks.len());
        assert_eq!(c.packers.len(), Catalog::embedded().unwrap().packers.len());
        assert_eq!(c.apis.len(), Catalog::embedded().unwrap().apis.len());
        std::fs::write(
            dir.join("apis.toml"),
            EMBEDDED_APIS.replacen("pi = \"device-id\"", "pi = \"nope\"", 1),
        )
        .unwrap();
        let e = Catalog::load_dir(&dir).unwrap_err().to_string();
        assert!(
            e.contains("apis.toml:") && e.contains("unknown category `nope`"),
            "{e}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
