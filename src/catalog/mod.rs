//! Data the scanner knows about the Android platform, loaded from
//! `rulesets/` (TOML, embedded in the binary; `--rules DIR` overrides).
//!
//! Today: the permission catalogue (`rulesets/permissions.toml`) and the
//! packer catalogue (`rulesets/packers.toml`, see [`packers`]). Later
//! issues add the SDK catalogue and the sensitive-API catalogue here, so
//! that evidence can name things without depending on the rule engine.
//!
//! Loading validates as it goes: unknown keys, duplicate names and wrong
//! types are errors that name the file, line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub mod packers;

use packers::PackerInfo;

/// The embedded permission catalogue.
pub const EMBEDDED_PERMISSIONS: &str = include_str!("../../rulesets/permissions.toml");

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
    /// Personal-information category id.
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

/// Everything loaded from rulesets/.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Permissions by full name.
    pub permissions: BTreeMap<String, PermissionInfo>,
    /// Packers and protectors, in file order.
    pub packers: Vec<PackerInfo>,
}

fn invalid(path: &Path, text: &str, offset: usize, message: String) -> CatalogError {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    CatalogError::Invalid { path: path.to_path_buf(), line, column, message }
}

impl Catalog {
    /// The catalogue embedded in the binary.
    pub fn embedded() -> Result<Catalog, CatalogError> {
        let mut c = Catalog::default();
        c.add_permissions(Path::new("rulesets/permissions.toml"), EMBEDDED_PERMISSIONS)?;
        c.add_packers(Path::new("rulesets/packers.toml"), packers::EMBEDDED_PACKERS)?;
        Ok(c)
    }

    /// Loads from a rulesets directory (same layout as the repository's
    /// `rulesets/`).
    pub fn load_dir(dir: &Path) -> Result<Catalog, CatalogError> {
        let path = dir.join("permissions.toml");
        let text = std::fs::read_to_string(&path).map_err(|source| CatalogError::Io { path: path.clone(), source })?;
        let mut c = Catalog::default();
        c.add_permissions(&path, &text)?;
        let path = dir.join("packers.toml");
        let text = std::fs::read_to_string(&path).map_err(|source| CatalogError::Io { path: path.clone(), source })?;
        c.add_packers(&path, &text)?;
        Ok(c)
    }

    fn add_permissions(&mut self, path: &Path, text: &str) -> Result<(), CatalogError> {
        let file: PermissionFile = toml::from_str(text).map_err(|e| {
            let off = e.span().map_or(0, |s| s.start);
            invalid(path, text, off, e.message().to_string())
        })?;
        for p in file.permission {
            let span = p.span();
            let p = p.into_inner();
            if self.permissions.contains_key(&p.name) {
                return Err(invalid(path, text, span.start, format!("duplicate permission `{}`", p.name)));
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
        assert!(!c.permission("android.permission.INTERNET").unwrap().is_dangerous());
    }

    #[test]
    fn errors_name_line_and_column() {
        let mut c = Catalog::default();
        let text = "[[permission]]\nname = \"a\"\nprotection = \"normal\"\nsince_api = 1\npi = \"x\"\nlabel = { zh = \"z\", en = \"e\" }\nsource = \"s\"\ncolour = \"red\"\n";
        let e = c.add_permissions(Path::new("p.toml"), text).unwrap_err().to_string();
        assert!(e.starts_with("p.toml:"), "{e}");
        assert!(e.contains("colour"), "{e}");
        let dup = format!("{}\n{}", &text[..text.find("colour").unwrap()], &text[..text.find("colour").unwrap()]);
        let e = Catalog::default().add_permissions(Path::new("p.toml"), &dup).unwrap_err().to_string();
        assert!(e.contains("duplicate permission `a`") && e.starts_with("p.toml:9:1"), "{e}");
    }
}
