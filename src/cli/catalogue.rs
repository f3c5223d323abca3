//! `humiao catalogue`: the SDK catalogue itself, for reading and review:
//! every entry with its vendor, purpose, signature counts and whether it
//! was checked against a real artefact.

use std::path::PathBuf;

use super::scan::{new_table, to_json};
use super::sdks::csv_field;
use super::{print_error, write_stdout, EXIT_ERROR, EXIT_OK};
use crate::catalog::sdks::category_label;
use crate::catalog::{Catalog, SdkInfo};

/// Output format of `humiao catalogue`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CatalogueFormat {
    /// A readable table.
    Table,
    /// Every entry in full, as JSON.
    Json,
    /// One row per SDK, RFC 4180 CSV.
    Csv,
}

/// Arguments of `humiao catalogue`.
#[derive(Debug, clap::Args)]
pub struct CatalogueArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = CatalogueFormat::Table)]
    pub format: CatalogueFormat,
    /// Only SDKs of vendors seated in this country (ISO 3166-1 alpha-2, e.g. CN).
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    /// Only SDKs with this category (main or further), e.g. advertising.
    #[arg(long, value_name = "CATEGORY")]
    pub category: Option<String>,
    /// Read rulesets from this directory instead of the embedded ones.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
}

fn signatures(s: &SdkInfo) -> String {
    let mut parts = Vec::new();
    for (n, what) in [
        (s.packages.len(), "packages"),
        (s.native_libs.len(), "libs"),
        (s.components.len(), "components"),
        (s.authorities.len(), "authorities"),
        (s.meta_data.len(), "meta-data"),
        (s.domains.len(), "domains"),
        (s.version_files.len(), "version files"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    parts.join(", ")
}

/// Runs `humiao catalogue`.
pub fn run(a: &CatalogueArgs) -> u8 {
    let catalog = match &a.rules {
        Some(dir) => Catalog::load_dir(dir),
        None => Catalog::embedded(),
    };
    let catalog = match catalog {
        Ok(c) => c,
        Err(e) => {
            print_error(e);
            return EXIT_ERROR;
        }
    };
    let sdks: Vec<&SdkInfo> = catalog
        .sdks
        .iter()
        .filter(|s| {
            a.country
                .as_ref()
                .is_none_or(|c| s.country.eq_ignore_ascii_case(c))
        })
        .filter(|s| {
            a.category
                .as_ref()
                .is_none_or(|c| &s.category == c || s.also.contains(c))
        })
        .collect();
    let text = match a.format {
        CatalogueFormat::Json => to_json(&sdks),
        CatalogueFormat::Csv => {
            let mut out = String::from(
                "id,name_zh,name_en,vendor_zh,vendor_en,country,category,also,signatures,verified,families_member,pi_documented,file\r\n",
            );
            for s in &sdks {
                let row = [
                    s.id.clone(),
                    s.name.zh.clone(),
                    s.name.en.clone(),
                    s.vendor.zh.clone(),
                    s.vendor.en.clone(),
                    s.country.clone(),
                    s.category.clone(),
                    s.also.join(" "),
                    signatures(s),
                    s.verified.to_string(),
                    s.families
                        .as_ref()
                        .map_or(String::new(), |f| f.member.to_string()),
                    s.collects.join(" "),
                    s.file.clone(),
                ];
                let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
                out.push_str(&fields.join(","));
                out.push_str("\r\n");
            }
            out
        }
        CatalogueFormat::Table => {
            let cn = sdks.iter().filter(|s| s.country == "CN").count();
            let verified = sdks.iter().filter(|s| s.verified).count();
            let mut out = format!(
                "{} SDKs ({cn} with a Chinese vendor, {verified} checked against a real artefact)\n",
                sdks.len()
            );
            let mut t = new_table("SDK catalogue");
            t.set_header(vec![
                "id",
                "SDK",
                "vendor",
                "purpose",
                "signatures",
                "verified",
            ]);
            for s in &sdks {
                let purpose = category_label(&s.category)
                    .map_or(s.category.clone(), |(zh, en)| format!("{zh} / {en}"));
                t.add_row(vec![
                    s.id.clone(),
                    format!("{} / {}", s.name.zh, s.name.en),
                    format!("{} ({})", s.vendor.en, s.country),
                    purpose,
                    signatures(s),
                    if s.verified {
                        "yes".into()
                    } else {
                        "no".into()
                    },
                ]);
            }
            out.push_str(&t.to_string());
            out.push('\n');
            out
        }
    };
    if let Err(e) = write_stdout(&text) {
        print_error(format!("writing output: {e}"));
        return EXIT_ERROR;
    }
    EXIT_OK
}
