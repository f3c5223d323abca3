//! Who owns a piece of code: the app itself, a catalogued SDK, or another
//! third party.
//!
//! A class belongs to the app when its package lies under one of the app's
//! own packages (the manifest package, the `<application>` class's package,
//! the launcher activity's package), to an SDK when it lies under one of the
//! SDK catalogue's package prefixes (`rulesets/sdks/`), whichever prefix is
//! longer: a demo app `com.umeng.example` keeps its own classes, and
//! `com.tencent.mm.opensdk` inside an app `com.tencent.mm` is the SDK.
//! Anything else is attributed to its first two package segments
//! (`okhttp3.internal.X` → `okhttp3`, `com.foo.bar.X` → `com.foo`), which
//! groups an unknown library's sub-packages together. The fallback is a
//! heuristic, and so is ownership by package name at all: an obfuscator may
//! move SDK code into the app's package or into `a.b`, which this cannot
//! see (the evidence reports the obfuscation ratio beside it).

use serde::ser::SerializeStruct;
use serde::Serialize;

use crate::catalog::Catalog;

/// The owner of a class.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Owner {
    /// The app's own code.
    App,
    /// A catalogued SDK, by id (`umeng-analytics`).
    Sdk(String),
    /// Code under another package prefix (an unknown third party).
    ThirdParty(String),
}

impl Serialize for Owner {
    /// `{"kind":"app"}`, `{"kind":"sdk","sdk":ID}` or
    /// `{"kind":"third-party","package":PREFIX}`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (kind, key, value) = match self {
            Owner::App => ("app", None, None),
            Owner::Sdk(id) => ("sdk", Some("sdk"), Some(id)),
            Owner::ThirdParty(p) => ("third-party", Some("package"), Some(p)),
        };
        let mut st = s.serialize_struct("Owner", if key.is_some() { 2 } else { 1 })?;
        st.serialize_field("kind", kind)?;
        if let (Some(k), Some(v)) = (key, value) {
            st.serialize_field(k, v)?;
        }
        st.end()
    }
}

impl Owner {
    /// Display text: `app`, the SDK id or the package prefix.
    pub fn label(&self) -> &str {
        match self {
            Owner::App => "app",
            Owner::Sdk(id) => id,
            Owner::ThirdParty(p) => p,
        }
    }
}

/// Attributes classes to owners.
#[derive(Debug, Clone, Default)]
pub struct Attributor<'c> {
    /// App package prefixes in DEX form, `Lcom/example/app/`.
    app_prefixes: Vec<Vec<u8>>,
    /// The SDK catalogue, if any.
    catalog: Option<&'c Catalog>,
}

impl<'c> Attributor<'c> {
    /// Builds an attributor from the app's own Java package names
    /// (`com.example.app`); empty or duplicate names are ignored. Without a
    /// catalogue, every class outside the app is an unknown third party.
    pub fn new<'a>(
        app_packages: impl IntoIterator<Item = &'a str>,
        catalog: Option<&'c Catalog>,
    ) -> Self {
        let mut app_prefixes: Vec<Vec<u8>> = app_packages
            .into_iter()
            .filter(|p| !p.is_empty())
            .map(|p| format!("L{}/", p.replace('.', "/")).into_bytes())
            .collect();
        app_prefixes.sort();
        app_prefixes.dedup();
        Attributor {
            app_prefixes,
            catalog,
        }
    }

    /// The app's own package prefixes, dotted.
    pub fn app_packages(&self) -> Vec<String> {
        self.app_prefixes
            .iter()
            .map(|p| {
                let body = p.strip_prefix(b"L").unwrap_or(p);
                let body = body.strip_suffix(b"/").unwrap_or(body);
                String::from_utf8_lossy(body).replace('/', ".")
            })
            .collect()
    }

    /// The SDK (catalogue index, index in its `packages`) owning a class,
    /// unless the app's own prefix is at least as specific.
    pub fn sdk_of(&self, descriptor: &[u8]) -> Option<(usize, usize)> {
        let (sdk, pkg, len) = self.catalog?.sdk_matcher.match_class_len(descriptor)?;
        let app_len = self
            .app_prefixes
            .iter()
            .filter(|p| descriptor.starts_with(p))
            .map(Vec::len)
            .max()
            .unwrap_or(0);
        (len > app_len).then_some((sdk, pkg))
    }

    /// The owner of a class given by its DEX descriptor (`Lcom/x/Y;`).
    pub fn owner_of(&self, descriptor: &[u8]) -> Owner {
        self.owner_given(descriptor, self.sdk_of(descriptor))
    }

    /// [`owner_of`](Self::owner_of) when [`sdk_of`](Self::sdk_of) has
    /// already been asked (the class pass needs both).
    pub fn owner_given(&self, descriptor: &[u8], sdk_hit: Option<(usize, usize)>) -> Owner {
        if let Some((sdk, _)) = sdk_hit {
            if let Some(info) = self.catalog.and_then(|c| c.sdks.get(sdk)) {
                return Owner::Sdk(info.id.clone());
            }
        }
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
        let a = Attributor::new(["com.example.kidsdemo", ""], None);
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

    #[test]
    fn sdk_attribution_takes_the_longest_prefix() {
        let c = Catalog::embedded().unwrap();
        let jpush = b"Lcn/jpush/android/api/JPushInterface;";
        let a = Attributor::new(["com.example.kidsdemo"], Some(&c));
        assert_eq!(a.owner_of(jpush), Owner::Sdk("jiguang-jpush".into()));
        // The vendor's own demo keeps its own classes...
        let demo = Attributor::new(["cn.jpush.android.demo"], Some(&c));
        assert_eq!(demo.owner_of(b"Lcn/jpush/android/demo/Main;"), Owner::App);
        // ...and the SDK's, when the SDK prefix is the more specific one.
        let vendor = Attributor::new(["cn.jpush"], Some(&c));
        assert_eq!(vendor.owner_of(jpush), Owner::Sdk("jiguang-jpush".into()));
        assert_eq!(vendor.owner_of(b"Lcn/jpush/Other;"), Owner::App);
        assert_eq!(vendor.app_packages(), vec!["cn.jpush".to_string()]);
        let json = serde_json::to_string(&[
            Owner::App,
            Owner::Sdk("jiguang-jpush".into()),
            Owner::ThirdParty("okhttp3".into()),
        ])
        .unwrap();
        assert_eq!(
            json,
            r#"[{"kind":"app"},{"kind":"sdk","sdk":"jiguang-jpush"},{"kind":"third-party","package":"okhttp3"}]"#
        );
    }
}
