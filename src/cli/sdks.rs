//! `humiao sdks`: the third-party SDK inventory of one input, as a table,
//! JSON, or CSV in the shape of a 第三方SDK共享清单 (third-party SDK sharing
//! list) that a developer can paste into a privacy policy.

use std::path::PathBuf;

use comfy_table::{Cell, Color as TColor};

use super::scan::{damage_exit, new_table, options, scan_error, time_limit_error, to_json};
use super::{shown, write_stdout, Color, InputArgs, EXIT_ERROR};
use crate::catalog::packers::Confidence;
use crate::catalog::sdks::category_label;
use crate::catalog::Catalog;
use crate::evidence::sdks::SdkHit;
use crate::evidence::Evidence;

/// Output format of `humiao sdks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SdkFormat {
    /// A readable table.
    Table,
    /// The `sdks` part of the evidence as JSON.
    Json,
    /// 第三方SDK共享清单 columns, RFC 4180 CSV with a bilingual header.
    Csv,
}

/// Arguments of `humiao sdks`.
#[derive(Debug, clap::Args)]
pub struct SdksArgs {
    /// APK, XAPK, APKS file, or a directory of split APKs.
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SdkFormat::Table)]
    pub format: SdkFormat,
    /// Leave out low-confidence hits (a domain or one manifest key only).
    #[arg(long)]
    pub no_low: bool,
    /// When to colour the table.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Read rulesets from this directory instead of the embedded ones.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    #[command(flatten)]
    pub input_args: InputArgs,
}

/// Runs `humiao sdks`.
pub fn run(a: &SdksArgs) -> u8 {
    let Some(opts) = options(a.rules.as_deref(), &a.input_args, true) else {
        return EXIT_ERROR;
    };
    let path = shown(&a.input);
    let result = match super::scan_watched(&a.input, &opts) {
        super::Watched::Done(r) => *r,
        super::Watched::Abandoned(after) => {
            return time_limit_error(&path, after, a.format == SdkFormat::Json);
        }
    };
    match result {
        Ok(ev) => {
            let hits: Vec<&SdkHit> = ev
                .sdks
                .iter()
                .filter(|h| !a.no_low || h.confidence != Confidence::Low)
                .collect();
            let text = match a.format {
                SdkFormat::Json => to_json(&hits),
                SdkFormat::Csv => render_csv(&hits, &opts.catalog),
                SdkFormat::Table => render_table(&ev, &hits, &opts.catalog, a.color.enabled()),
            };
            if let Err(e) = write_stdout(&text) {
                super::print_error(format!("writing output: {e}"));
                return EXIT_ERROR;
            }
            damage_exit(&ev, &path)
        }
        Err(e) => scan_error(&e, &path, a.format == SdkFormat::Json),
    }
}

fn purpose(h: &SdkHit) -> (String, String) {
    let labels: Vec<(&str, &str)> = std::iter::once(&h.category)
        .chain(h.also.iter())
        .filter_map(|c| category_label(c))
        .collect();
    (
        labels.iter().map(|l| l.0).collect::<Vec<_>>().join("、"),
        labels.iter().map(|l| l.1).collect::<Vec<_>>().join(", "),
    )
}

/// PI categories as `zh label (id)`, joined.
fn pi_list(ids: &[String], catalog: &Catalog) -> String {
    ids.iter()
        .map(|id| match catalog.category(id) {
            Some(c) => format!("{}（{id}）", c.label.zh),
            None => id.clone(),
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// One line per evidence kind.
fn evidence_lines(h: &SdkHit) -> Vec<String> {
    let e = &h.evidence;
    let mut out = Vec::new();
    if !e.classes.is_empty() {
        let parts: Vec<String> = e
            .classes
            .iter()
            .map(|p| format!("{} ({} classes)", p.package, p.classes))
            .collect();
        out.push(format!("DEX: {}", parts.join(", ")));
    }
    let mut list = |label: &str, items: &[String]| {
        if !items.is_empty() {
            out.push(format!("{label}: {}", items.join(", ")));
        }
    };
    list("native", &e.native_libs);
    list("component", &e.components);
    list("authority", &e.authorities);
    list("meta-data", &e.meta_data);
    list("host", &e.hosts);
    list("version file", &e.version_files);
    out
}

fn render_table(ev: &Evidence, hits: &[&SdkHit], catalog: &Catalog, color: bool) -> String {
    let mut out = format!(
        "{} third-party SDK(s) found in {} ({} high, {} medium, {} low confidence)\n",
        hits.len(),
        ev.app.package.as_deref().unwrap_or("?"),
        hits.iter()
            .filter(|h| h.confidence == Confidence::High)
            .count(),
        hits.iter()
            .filter(|h| h.confidence == Confidence::Medium)
            .count(),
        hits.iter()
            .filter(|h| h.confidence == Confidence::Low)
            .count(),
    );
    if hits.is_empty() {
        return out;
    }
    out.push_str(&sdk_table(hits, catalog, color));
    if !ev.coverage.code_complete {
        out.push_str(
            "note: code analysis is incomplete (packer or unreadable DEX): SDKs hidden in encrypted code are not listed\n",
        );
    }
    out
}

/// The SDK table shared by `humiao sdks` and the `humiao scan` summary.
pub(super) fn sdk_table(hits: &[&SdkHit], catalog: &Catalog, color: bool) -> String {
    let mut t = new_table("third-party SDKs");
    t.set_header(vec![
        "SDK",
        "vendor",
        "purpose",
        "confidence",
        "version",
        "PI its code touches",
        "evidence",
    ]);
    for h in hits {
        let (zh, en) = purpose(h);
        let mut conf = Cell::new(h.confidence.as_str());
        if color && h.confidence == Confidence::Low {
            conf = conf.fg(TColor::DarkGrey);
        }
        let mut name = format!("{} / {}", h.name.zh, h.name.en);
        if h.vendor_own_app {
            name.push_str("\n(vendor's own app)");
        }
        t.add_row(vec![
            Cell::new(name),
            Cell::new(format!("{} ({})", h.vendor.en, h.country)),
            Cell::new(format!("{zh} / {en}")),
            conf,
            Cell::new(h.version.as_deref().unwrap_or("-")),
            Cell::new(pi_list(&h.pi_observed, catalog)),
            Cell::new(evidence_lines(h).join("\n")),
        ]);
    }
    let mut s = t.to_string();
    s.push('\n');
    s
}

/// Quotes a CSV field when needed (RFC 4180).
pub(super) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn render_csv(hits: &[&SdkHit], catalog: &Catalog) -> String {
    let header = [
        "SDK名称 SDK",
        "第三方主体 Vendor",
        "国家或地区 Country",
        "使用目的 Purpose",
        "收集的个人信息（检测到） PI observed",
        "厂商声明收集 PI documented by vendor",
        "厂商说明 Vendor policy",
        "版本 Version",
        "置信度 Confidence",
        "检测依据 Evidence",
        "SDK ID",
    ];
    let mut out = header.join(",");
    out.push_str("\r\n");
    for h in hits {
        let (zh, en) = purpose(h);
        let row = [
            format!("{} {}", h.name.zh, h.name.en),
            format!("{} {}", h.vendor.zh, h.vendor.en),
            h.country.clone(),
            format!("{zh} {en}"),
            pi_list(&h.pi_observed, catalog),
            pi_list(&h.pi_documented, catalog),
            h.pi_documented_source.clone().unwrap_or_default(),
            h.version.clone().unwrap_or_default(),
            h.confidence.as_str().to_owned(),
            evidence_lines(h).join("; "),
            h.id.clone(),
        ];
        let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }
}
