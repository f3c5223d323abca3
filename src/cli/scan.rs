//! `humiao scan`: evidence for one input, as tables or JSON.

use std::path::PathBuf;

use comfy_table::{presets, Cell, Color as TColor, ContentArrangement, Table};
use serde::Serialize;

use super::{print_error, shown, write_stdout, Color, Format, InputArgs, EXIT_ERROR, EXIT_OK};
use crate::catalog::Catalog;
use crate::evidence::{Evidence, SCHEMA_VERSION};
use crate::formats::axml::manifest::ComponentKind;
use crate::scan::{ScanError, ScanOptions};

/// Arguments of `humiao scan`.
#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// APK, XAPK, APKS file, or a directory of split APKs.
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// When to colour the table.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Read rulesets from this directory instead of the embedded ones.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Decode identity, manifest, resources and signers only: no DEX, native-library, endpoint or SDK analysis.
    #[arg(long)]
    pub no_code: bool,
    #[command(flatten)]
    pub input_args: InputArgs,
}

/// The JSON printed instead of evidence when a scan fails.
#[derive(Serialize)]
struct ErrorReport<'a> {
    schema_version: &'static str,
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    path: String,
    kind: &'a str,
    message: String,
}

fn error_kind(e: &ScanError) -> &'static str {
    use crate::apk::OpenError;
    match e {
        ScanError::Open(OpenError::Io(_)) => "io",
        ScanError::Open(OpenError::Zip(_)) => "zip",
        ScanError::Open(OpenError::AppBundle) => "app-bundle-unsupported",
        ScanError::Open(OpenError::NotAnApp) => "not-an-app",
        ScanError::Open(OpenError::EmptyDirectory) => "empty-directory",
        ScanError::Open(OpenError::Split { .. }) => "split",
        ScanError::Base { part, .. } if part == "AndroidManifest.xml" => "manifest",
        ScanError::Base { part, .. } if part == "zip" => "zip",
        _ => "other",
    }
}

/// Scan options from `--rules` and the input flags; errors are printed.
pub(super) fn options(
    rules: Option<&std::path::Path>,
    input: &InputArgs,
    code: bool,
) -> Option<ScanOptions> {
    let catalog = match rules {
        Some(dir) => Catalog::load_dir(dir),
        None if !code => Catalog::embedded_without_code(),
        None => Catalog::embedded(),
    };
    let catalog = match catalog {
        Ok(c) => c,
        Err(e) => {
            print_error(e);
            return None;
        }
    };
    let urls = match rules {
        // Endpoints are only searched in code and assets.
        _ if !code => Ok(crate::evidence::endpoints::Extractor::default()),
        Some(dir) if dir.join("endpoint-ignore.toml").is_file() => {
            crate::evidence::endpoints::IgnoreList::load_dir(dir)
                .map(crate::evidence::endpoints::Extractor::new)
        }
        _ => crate::evidence::endpoints::Extractor::embedded(),
    };
    let urls = match urls {
        Ok(u) => u,
        Err(e) => {
            print_error(e);
            return None;
        }
    };
    Some(ScanOptions {
        limits: input.limits(),
        catalog,
        hash: true,
        urls,
        time_limit: input.time_limit(),
        code,
    })
}

/// Reports an abandoned scan: one line on stderr and, for JSON, an error
/// object of kind `time-limit`.
pub(super) fn time_limit_error(path: &str, after: std::time::Duration, json: bool) -> u8 {
    let message = format!(
        "time limit exceeded: the scan was abandoned after {:.1} s (raise --time-limit if the input is genuine)",
        after.as_secs_f64()
    );
    print_error(format!("{path}: {message}"));
    if json {
        let report = ErrorReport {
            schema_version: SCHEMA_VERSION,
            error: ErrorBody {
                path: path.to_owned(),
                kind: "time-limit",
                message,
            },
        };
        let _ = write_stdout(&to_json(&report));
    }
    EXIT_ERROR
}

/// Prints each damaged part on stderr; the exit code for the evidence.
pub(super) fn damage_exit(ev: &Evidence, path: &str) -> u8 {
    if ev.damage.is_empty() {
        return EXIT_OK;
    }
    for d in &ev.damage {
        print_error(format!(
            "{path}: {}{}: {}",
            inner(ev, &d.apk),
            d.part,
            d.message
        ));
    }
    EXIT_ERROR
}

/// Prints a failed scan's error (and, for JSON, the error object).
pub(super) fn scan_error(e: &ScanError, path: &str, json: bool) -> u8 {
    print_error(format!("{path}: {e}"));
    if json {
        let report = ErrorReport {
            schema_version: SCHEMA_VERSION,
            error: ErrorBody {
                path: path.to_owned(),
                kind: error_kind(e),
                message: e.to_string(),
            },
        };
        let _ = write_stdout(&to_json(&report));
    }
    EXIT_ERROR
}

/// Runs `humiao scan`.
pub fn run(a: &ScanArgs) -> u8 {
    let Some(opts) = options(a.rules.as_deref(), &a.input_args, !a.no_code) else {
        return EXIT_ERROR;
    };
    let path = shown(&a.input);
    let result = match super::scan_watched(&a.input, &opts) {
        super::Watched::Done(r) => *r,
        super::Watched::Abandoned(after) => {
            return time_limit_error(&path, after, a.format == Format::Json);
        }
    };
    match result {
        Ok(ev) => {
            let text = match a.format {
                Format::Json => to_json(&ev),
                Format::Table => render_table(&ev, &opts.catalog, a.color.enabled()),
            };
            if let Err(e) = write_stdout(&text) {
                print_error(format!("writing output: {e}"));
                return EXIT_ERROR;
            }
            damage_exit(&ev, &path)
        }
        Err(e) => scan_error(&e, &path, a.format == Format::Json),
    }
}

/// `apk: ` prefix for damage inside a bundle (also in a split that could
/// not be read at all), empty for the input APK itself.
fn inner(ev: &Evidence, apk: &str) -> String {
    let input = std::path::Path::new(&ev.input.path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    if ev.input.apks.len() == 1 && input.as_deref() == Some(apk) {
        String::new()
    } else {
        format!("{apk}: ")
    }
}

pub(super) fn to_json<T: Serialize>(v: &T) -> String {
    match serde_json::to_string_pretty(v) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        Err(e) => format!("{{\"error\":{{\"message\":\"serialization failed: {e}\"}}}}\n"),
    }
}

pub(super) fn new_table(title: &str) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    // Wrap to the terminal; when piped, never wrap (greppable lines).
    if let Some(w) = terminal_width() {
        t.set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(w);
    } else {
        t.set_content_arrangement(ContentArrangement::Disabled);
    }
    t.set_header(vec![Cell::new(title)]);
    t
}

fn terminal_width() -> Option<u16> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or(Some(120))
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(|| "-".to_string(), |x| x.to_string())
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "true",
        Some(false) => "false",
        None => "(not set)",
    }
}

/// The readable summary.
pub fn render_table(ev: &Evidence, catalog: &Catalog, color: bool) -> String {
    let warn = |c: Cell| if color { c.fg(TColor::Yellow) } else { c };
    let mut out = String::new();

    // Identity.
    let mut t = new_table("identity");
    t.set_header(vec!["identity", ""]);
    let app = &ev.app;
    let mut rows: Vec<(String, String)> = vec![
        (
            "input".into(),
            format!(
                "{} ({}, {} bytes)",
                ev.input.path,
                kind_name(ev),
                ev.input.size
            ),
        ),
        ("sha256".into(), opt(&ev.input.sha256)),
        ("package".into(), opt(&app.package)),
        (
            "version".into(),
            format!("{} ({})", opt(&app.version_name), opt(&app.version_code)),
        ),
        ("label".into(), opt(&app.label)),
    ];
    for (loc, label) in app.labels.iter().filter(|(l, _)| !l.is_empty()) {
        if Some(label) != app.label.as_ref() {
            rows.push((format!("label [{loc}]"), label.clone()));
        }
    }
    rows.push((
        "sdk".into(),
        format!(
            "min {} · target {} · compile {}",
            opt(&app.min_sdk),
            opt(&app.target_sdk),
            opt(&app.compile_sdk)
        ),
    ));
    if ev.input.apks.len() > 1 {
        for a in &ev.input.apks {
            rows.push((
                "apk".into(),
                format!(
                    "{} [{}] {}",
                    a.name,
                    a.split.as_deref().unwrap_or("base"),
                    a.sha256
                ),
            ));
        }
    }
    if let Some(s) = &ev.signing {
        let mut schemes = Vec::new();
        for (on, n) in [
            (s.schemes.v1, "v1"),
            (s.schemes.v2, "v2"),
            (s.schemes.v3, "v3"),
            (s.schemes.v31, "v3.1"),
        ] {
            if on {
                schemes.push(n);
            }
        }
        rows.push((
            "signature schemes".into(),
            if schemes.is_empty() {
                "none (unsigned)".into()
            } else {
                schemes.join(", ") + " (present, not verified)"
            },
        ));
        for (i, signer) in s.signers.iter().enumerate() {
            let c = &signer.certificate;
            rows.push((
                format!("signer #{}", i + 1),
                format!(
                    "{}\nsha256 {}\nvalid {} .. {}",
                    c.subject, c.sha256, c.not_before, c.not_after
                ),
            ));
        }
    }
    for (k, v) in rows {
        t.add_row(vec![Cell::new(k), Cell::new(v)]);
    }
    out.push_str(&t.to_string());
    out.push('\n');

    // Coverage comes first: an incomplete analysis must not read as clean.
    if !ev.coverage.code_complete {
        out.push_str("\nCODE ANALYSIS INCOMPLETE / 代码分析不完整:\n");
    } else if !ev.coverage.notes.is_empty() {
        out.push_str("\nCoverage notes:\n");
    }
    for n in &ev.coverage.notes {
        out.push_str(&format!("  - {}\n    {}\n", n.en, n.zh));
    }
    for p in &ev.coverage.packers {
        out.push_str(&format!(
            "  packer {} ({}), confidence {:?}:\n",
            p.name.zh, p.name.en, p.confidence
        ));
        for e in &p.evidence {
            out.push_str(&format!("    · {e}\n"));
        }
    }

    // Permissions.
    let mut t = new_table("permissions");
    t.set_header(vec![
        "permission",
        "protection",
        "personal information",
        "note",
    ]);
    for p in &ev.permissions {
        let prot = p.protection.clone().unwrap_or_else(|| "(unknown)".into());
        let mut note = Vec::new();
        if let Some(m) = p.max_sdk_version {
            note.push(format!("maxSdk {m}"));
        }
        if !p.flags.is_empty() {
            note.push(p.flags.join(","));
        }
        if ev.input.apks.len() > 1 {
            note.push(p.declared_in.join(","));
        }
        let (name, prot) = if p.dangerous {
            (
                warn(Cell::new(&p.name)),
                warn(Cell::new(format!("⚠ {prot}"))),
            )
        } else {
            (Cell::new(&p.name), Cell::new(prot))
        };
        t.add_row(vec![
            name,
            prot,
            Cell::new(
                p.label
                    .as_ref()
                    .map(|l| format!("{} ({})", l.zh, l.en))
                    .unwrap_or_default(),
            ),
            Cell::new(note.join("; ")),
        ]);
    }
    let dangerous = ev.permissions.iter().filter(|p| p.dangerous).count();
    out.push_str(&format!(
        "\nPermissions: {} requested, {} dangerous (⚠ = runtime permission)\n",
        ev.permissions.len(),
        dangerous
    ));
    if !ev.permissions.is_empty() {
        out.push_str(&t.to_string());
        out.push('\n');
    }

    // Exported components.
    let exported: Vec<_> = ev
        .manifest
        .components
        .iter()
        .chain(ev.splits.iter().flat_map(|s| s.components.iter()))
        .filter(|c| c.exported_effective)
        .collect();
    out.push_str(&format!(
        "\nComponents: {} declared, {} exported\n",
        ev.manifest.components.len() + ev.splits.iter().map(|s| s.components.len()).sum::<usize>(),
        exported.len()
    ));
    if !exported.is_empty() {
        let mut t = new_table("exported components");
        t.set_header(vec![
            "kind",
            "name",
            "exported",
            "permission",
            "intent actions",
        ]);
        for c in exported {
            let actions: Vec<&str> = c
                .intent_filters
                .iter()
                .flat_map(|f| f.actions.iter().map(String::as_str))
                .collect();
            let how = match c.exported {
                Some(true) => "explicit",
                _ => "implied by intent-filter",
            };
            let perm = c
                .permission
                .clone()
                .or_else(|| c.read_permission.clone())
                .unwrap_or_else(|| "-".into());
            t.add_row(vec![
                Cell::new(component_kind(c.kind)),
                Cell::new(&c.name),
                Cell::new(how),
                if perm == "-" {
                    warn(Cell::new(perm))
                } else {
                    Cell::new(perm)
                },
                Cell::new(actions.join("\n")),
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }

    // Flags.
    let mut t = new_table("flags");
    t.set_header(vec!["flag", "value"]);
    let a = ev.manifest.application.as_ref();
    let flags = [
        (
            "debuggable",
            yes_no(a.and_then(|a| a.debuggable)).to_string(),
        ),
        (
            "allowBackup",
            yes_no(a.and_then(|a| a.allow_backup)).to_string(),
        ),
        ("testOnly", yes_no(a.and_then(|a| a.test_only)).to_string()),
        (
            "usesCleartextTraffic",
            yes_no(ev.network.uses_cleartext_traffic).to_string(),
        ),
        (
            "cleartext HTTP by default",
            format!(
                "{} (from {})",
                ev.network.cleartext_permitted_by_default,
                match ev.network.cleartext_source {
                    crate::evidence::CleartextSource::PlatformDefault =>
                        "platform default for target SDK",
                    crate::evidence::CleartextSource::ManifestAttribute => "manifest attribute",
                    crate::evidence::CleartextSource::NetworkSecurityConfig =>
                        "network security config",
                }
            ),
        ),
        (
            "networkSecurityConfig",
            match &ev.network.security_config {
                None => "(none)".to_string(),
                Some(s) => format!(
                    "{}{}{}",
                    s.file
                        .clone()
                        .unwrap_or_else(|| format!("{} (unresolved)", s.resource)),
                    if s.trusts_user_certs {
                        "\ntrusts user-installed CAs"
                    } else {
                        ""
                    },
                    if s.cleartext_domains.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "\ncleartext allowed for: {}",
                            s.cleartext_domains.join(", ")
                        )
                    }
                ),
            },
        ),
    ];
    for (k, v) in flags {
        let risky = matches!(
            (k, v.as_str()),
            ("debuggable", "true")
                | ("allowBackup", "true")
                | ("testOnly", "true")
                | ("usesCleartextTraffic", "true")
        ) || v.contains("trusts user")
            || v.starts_with("true (");
        t.add_row(vec![
            Cell::new(k),
            if risky {
                warn(Cell::new(v))
            } else {
                Cell::new(v)
            },
        ]);
    }
    out.push('\n');
    out.push_str(&t.to_string());
    out.push('\n');

    // Code.
    let code = &ev.code;
    let classes: usize = code.classes_per_owner.values().sum();
    out.push_str(&format!(
        "\nCode: {} DEX file(s), {} classes ({} app, {} third-party); obfuscated names {:.0}%\n",
        code.dex_files.len(),
        classes,
        code.classes_per_owner.get("app").copied().unwrap_or(0),
        classes - code.classes_per_owner.get("app").copied().unwrap_or(0),
        code.obfuscation.ratio * 100.0
    ));
    let hits: Vec<&crate::evidence::sdks::SdkHit> = ev.sdks.iter().collect();
    if !hits.is_empty() {
        out.push_str(&format!(
            "\nThird-party SDKs: {} (details: humiao sdks INPUT)\n",
            hits.len()
        ));
        out.push_str(&super::sdks::sdk_table(&hits, catalog, color));
    }
    if !code.categories.is_empty() {
        let mut t = new_table("sensitive API use");
        t.set_header(vec![
            "personal information",
            "code owner",
            "sites",
            "example",
        ]);
        for cat in &code.categories {
            let label = cat
                .label
                .as_ref()
                .map_or_else(|| cat.pi.clone(), |l| format!("{} ({})", cat.pi, l.zh));
            for o in &cat.owners {
                let ex = o
                    .sites
                    .first()
                    .map(|s| {
                        format!(
                            "{}.{} → {}",
                            s.caller_class,
                            s.caller_method.split('(').next().unwrap_or(""),
                            s.callee
                        )
                    })
                    .unwrap_or_default();
                let owner = o.owner.label().to_string();
                let owner_cell = if owner == "app" {
                    Cell::new(owner)
                } else {
                    warn(Cell::new(owner))
                };
                t.add_row(vec![
                    Cell::new(&label),
                    owner_cell,
                    Cell::new(o.sites.len()),
                    Cell::new(ex),
                ]);
            }
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }

    // Native libraries.
    let native = &ev.native;
    if !native.libraries.is_empty() || !native.abis.is_empty() {
        out.push_str(&format!(
            "\nNative libraries: ABIs {}; analysed {} ({} libraries)\n",
            native.abis.join(", "),
            native.analysed_abi.as_deref().unwrap_or("-"),
            native.libraries.len()
        ));
        let mut t = new_table("native libraries");
        t.set_header(vec![
            "library",
            "JNI classes (owner)",
            "imports of interest",
            "note",
        ]);
        for l in &native.libraries {
            let mut classes: Vec<String> = l
                .jni_exports
                .iter()
                .map(|j| format!("{} ({})", j.class, j.owner.label()))
                .collect();
            classes.dedup();
            let mut note = Vec::new();
            if l.has_jni_onload {
                note.push("JNI_OnLoad".to_string());
            }
            if let Some(p) = &l.packed {
                note.push(format!("packed: {p}"));
            }
            if let Some(e) = &l.error {
                note.push(e.clone());
            }
            t.add_row(vec![
                Cell::new(&l.path),
                Cell::new(classes.join("\n")),
                Cell::new(l.imports_of_interest.join(", ")),
                Cell::new(note.join("; ")),
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }

    // Endpoints.
    let eps = &ev.code.endpoints;
    if !eps.is_empty() {
        let clear = eps.iter().filter(|e| e.cleartext).count();
        out.push_str(&format!(
            "\nEndpoints: {} hosts, {} reached over cleartext\n",
            eps.len(),
            clear
        ));
        let mut t = new_table("endpoints");
        t.set_header(vec!["host", "cleartext", "named by", "example URL"]);
        for e in eps {
            let owners: Vec<&str> = e.owners.iter().map(|o| o.label()).collect();
            let by = if owners.is_empty() {
                e.places
                    .first()
                    .map(|p| p.source.to_string())
                    .unwrap_or_default()
            } else {
                owners.join(", ")
            };
            let host = if e.cleartext {
                warn(Cell::new(&e.host))
            } else {
                Cell::new(&e.host)
            };
            t.add_row(vec![
                host,
                Cell::new(if e.cleartext { "yes" } else { "" }),
                Cell::new(by),
                Cell::new(e.urls.first().cloned().unwrap_or_default()),
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }

    if !ev.anomalies.is_empty() {
        let mut t = new_table("anomalies");
        t.set_header(vec!["anomaly", "where", "detail"]);
        for a in &ev.anomalies {
            t.add_row(vec![
                Cell::new(a.code),
                Cell::new(format!("{}: {}", a.apk, a.part)),
                Cell::new(&a.detail),
            ]);
        }
        out.push_str(&format!(
            "\nAnomalies: {} (tolerated irregularities; a tampered APK is itself evidence)\n",
            ev.anomalies.len()
        ));
        out.push_str(&t.to_string());
        out.push('\n');
    }
    if !ev.damage.is_empty() {
        out.push_str(&format!(
            "\nINCOMPLETE: {} part(s) could not be read:\n",
            ev.damage.len()
        ));
        for d in &ev.damage {
            out.push_str(&format!("  {}: {}: {}\n", d.apk, d.part, d.message));
        }
    }
    out
}

fn kind_name(ev: &Evidence) -> &'static str {
    match ev.input.kind {
        crate::apk::ContainerKind::Apk => "APK",
        crate::apk::ContainerKind::Xapk => "XAPK",
        crate::apk::ContainerKind::Apks => "APK set",
        crate::apk::ContainerKind::SplitDirectory => "split directory",
    }
}

fn component_kind(k: ComponentKind) -> &'static str {
    match k {
        ComponentKind::Activity => "activity",
        ComponentKind::ActivityAlias => "activity-alias",
        ComponentKind::Service => "service",
        ComponentKind::Receiver => "receiver",
        ComponentKind::Provider => "provider",
    }
}
