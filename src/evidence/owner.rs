//! Who owns a piece of code: the app itself or a third party.
//!
//! Provisional attribution by Java package name, until the SDK catalogue
//! (issue 4) names SDKs by their signatures. A class belongs to the app when
//! its package lies under one of the app's own packages (the manifest
//! package, the `<application>` class's package, the launcher activity's
//! package); otherwise it is attributed to its first two package segments
//! (`com.umeng.analytics.X` → `com.umeng`), which groups an SDK's
//! sub-packages together. This is a heuristic, said so in the evidence: a
//! vendor whose own app shares its SDK's prefix (a Tencent app using a
//! Tencent SDK) is reported as the app.

use serde::Serialize;

/// The owner of a class.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "package", rename_all = "kebab-case")]
pub enum Owner {
    /// The app's own code.
    App,
    /// Code under another package prefix (provisionally, a third party).
    ThirdParty(String),
}

impl Owner {
    /// Display text: `app` or the package prefix.
    pub fn label(&self) -> &str {
        match self {
            Owner::App => "app",
            Owner::ThirdParty(p) => p,
        }
    }
}

/// Attributes classes to owners.
#[derive(Debug, Clone, Default)]
pub struct Attributor {
    /// App package prefixes in DEX form, `Lcom/example/app/`.
    app_prefixes: Vec<Vec<u8>>,
}

impl Attributor {
    /// Builds an attributor from the app's own Java package names
    /// (`com.example.app`); empty or duplicate names are ignored.
    pub fn new<'a>(app_packages: impl IntoIterator<Item = &'a str>) -> Self {
        let mut app_prefixes: Vec<Vec<u8>> = app_packages
            .into_iter()
            .filter(|p| !p.is_empty())
            .map(|p| format!("L{}/", p.replace('.', "/")).into_bytes())
            .collect();
        app_prefixes.sort();
        app_prefixes.dedup();
        Attributor { app_prefixes }
    }

    /// The owner of a class given by its DEX descriptor (`Lcom/x/Y;`).
    pub fn owner_of(&self, descriptor: &[u8]) -> Owner {
        if self.app_prefixes.iter().any(|p| descriptor.starts_with(p)) {
            return Owner::App;
        }
        let body = descriptor.strip_prefix(b"L").unwrap_or(descriptor);
        let body = body.strip_suffix(b";").unwrap_or(body);
        let mut segments = body.split(|&b| b == b'/');
        let parts: Vec<&[u8]> = segments.by_ref().take(3).collect();
        // A class in the default package, or directly in a one-segment
        // package, has no meaningful prefix: name the package itself.
        let prefix: Vec<&[u8]> = match parts.len() {
            0 | 1 => return Owner::ThirdParty("(default package)".into()),
            2 => parts.into_iter().take(1).collect(),
            _ => parts.into_iter().take(2).collect(),
        };
        let text: Vec<String> = prefix
            .iter()
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect();
        Owner::ThirdParty(text.join("."))
    }
}

/// Java package of a fully qualified class name (`com.x.Y` → `com.x`).
pub fn package_of(class_name: &str) -> Option<&str> {
    class_name.rsplit_once('.').map(|(p, _)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribution() {
        let a = Attributor::new(["com.example.kidsdemo", ""]);
        assert_eq!(
            a.owner_of(b"Lcom/example/kidsdemo/MainActivity;"),
            Owner::App
        );
        assert_eq!(a.owner_of(b"Lcom/example/kidsdemo/a/b;"), Owner::App);
        // A sibling package is not the app.
        assert_eq!(
            a.owner_of(b"Lcom/example/kidsdemox/A;"),
            Owner::ThirdParty("com.example".into())
        );
        assert_eq!(
            a.owner_of(b"Lcom/umeng/analytics/MobclickAgent;"),
            Owner::ThirdParty("com.umeng".into())
        );
        assert_eq!(
            a.owner_of(b"Lcn/jpush/android/api/JPushInterface;"),
            Owner::ThirdParty("cn.jpush".into())
        );
        assert_eq!(
            a.owner_of(b"Lokhttp3/OkHttpClient;"),
            Owner::ThirdParty("okhttp3".into())
        );
        assert_eq!(
            a.owner_of(b"LA;"),
            Owner::ThirdParty("(default package)".into())
        );
        assert_eq!(package_of("com.x.Y"), Some("com.x"));
    }
}
