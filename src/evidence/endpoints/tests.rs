use super::*;

/// Compact view of an endpoint for table tests:
/// `kind host port path reg flags` with flags from `c` (cleartext),
/// `i` (IP literal), `p` (private), `l` (local).
fn show(e: &Endpoint) -> String {
    let kind = match e.kind {
        EndpointKind::Url => e.url.clone().unwrap_or_default(),
        EndpointKind::Host => format!("host {}", e.host),
        EndpointKind::Ip => format!("ip {}", e.host),
    };
    let port = if e.kind == EndpointKind::Url {
        String::new()
    } else {
        e.port.map(|p| format!(":{p}")).unwrap_or_default()
    };
    let mut flags = String::new();
    for (on, c) in [
        (e.cleartext, 'c'),
        (e.ip_literal, 'i'),
        (e.private_ip, 'p'),
        (e.local, 'l'),
    ] {
        if on {
            flags.push(c);
        }
    }
    let reg = e.registrable_domain.as_deref().unwrap_or("-");
    format!("{kind}{port} {reg} {flags}").trim_end().to_string()
}

fn run(s: &str) -> Vec<String> {
    extract(s).iter().map(show).collect()
}

#[test]
fn table() {
    let cases: &[(&str, &[&str])] = &[
        // Plain URLs, schemes, case.
        (
            "https://api.kidsdemo.example.test/v1/login",
            &["https://api.kidsdemo.example.test/v1/login example.test"],
        ),
        (
            "HTTP://Collect.Example-Tracker.TEST/v1/imei",
            &["http://collect.example-tracker.test/v1/imei example-tracker.test c"],
        ),
        (
            "wss://push.example-tracker.test:443/ws",
            &["wss://push.example-tracker.test:443/ws example-tracker.test"],
        ),
        ("ws://10.0.0.2:9000", &["ws://10.0.0.2:9000 - cip"]),
        (
            "ftp://files.example-tracker.test/a.bin",
            &["ftp://files.example-tracker.test/a.bin example-tracker.test c"],
        ),
        (
            "https://alog.umeng.com/app_logs",
            &["https://alog.umeng.com/app_logs umeng.com"],
        ),
        (
            "https://foo.bar.co.uk/x",
            &["https://foo.bar.co.uk/x bar.co.uk"],
        ),
        (
            "https://someone.github.io/page",
            &["https://someone.github.io/page someone.github.io"],
        ),
        // Unsupported schemes.
        (
            "file:///sdcard/x content://sms/inbox market://details?id=a",
            &[],
        ),
        ("xhttp://a.test/ myhttps://b.test", &[]),
        // Several URLs, surrounding text, trailing punctuation.
        (
            "see http://a.test/x, https://b.test/y. and (https://c.test/z).",
            &[
                "http://a.test/x a.test c",
                "https://b.test/y b.test",
                "https://c.test/z c.test",
            ],
        ),
        (
            "wiki https://w.test/Foo_(bar) end",
            &["https://w.test/Foo_(bar) w.test"],
        ),
        ("[link](https://m.test/a)", &["https://m.test/a m.test"]),
        (
            "\"https://q.test/a?b=1&c=2#frag\"",
            &["https://q.test/a?b=1&c=2 q.test"],
        ),
        ("https://q.test#only-fragment", &["https://q.test q.test"]),
        ("http://a.test.", &["http://a.test a.test c"]),
        ("http://a.test:/x", &["http://a.test/x a.test c"]),
        // Userinfo is dropped.
        (
            "ftp://user:secret@ftp.example-tracker.test/",
            &["ftp://ftp.example-tracker.test/ example-tracker.test c"],
        ),
        // Localhost and private addresses.
        (
            "http://localhost:8080/debug",
            &["http://localhost:8080/debug - cl"],
        ),
        (
            "http://dev.localhost/",
            &["http://dev.localhost/ dev.localhost cl"],
        ),
        ("http://127.0.0.1/", &["http://127.0.0.1/ - cipl"]),
        (
            "http://192.168.1.10/router",
            &["http://192.168.1.10/router - cip"],
        ),
        (
            "https://8.8.8.8/dns-query",
            &["https://8.8.8.8/dns-query - i"],
        ),
        // IPv6 in URLs, zone ids.
        ("http://[::1]:8080/", &["http://[::1]:8080/ - cipl"]),
        ("http://[fe80::1%25wlan0]/x", &["http://[fe80::1]/x - cipl"]),
        ("https://[2400:3200::1]/", &["https://[2400:3200::1]/ - i"]),
        (
            "http://[::ffff:10.1.2.3]/",
            &["http://[::ffff:10.1.2.3]/ - cip"],
        ),
        ("http://[zz::1]/ http://[::1/", &[]),
        // Ports out of range, non-numeric, zero: dropped.
        (
            "http://a.test:99999/x http://b.test:port/ http://c.test:0/",
            &[],
        ),
        ("http://d.test:65535/", &["http://d.test:65535/ d.test c"]),
        // Templates and unicode hosts are not endpoints; punycode is.
        (
            "http://%s/api https://api.%s.com http://{host}/x http://$HOST/",
            &[],
        ),
        (
            "http://例子.测试/ 详见https://a.test/x。谢谢",
            &["https://a.test/x a.test"],
        ),
        (
            "https://xn--fiqs8s.xn--fiqs8s/",
            &["https://xn--fiqs8s.xn--fiqs8s/ xn--fiqs8s.xn--fiqs8s"],
        ),
        // Scheme alone, empty host, junk after the scheme.
        ("http://", &[]),
        ("https:// ", &[]),
        ("http:///path", &[]),
        ("http://.", &[]),
        ("http://-/", &["http://-/ - c"]),
        // Nested URL in a query is part of the outer one.
        (
            "https://r.test/go?u=https://inner.test/x",
            &["https://r.test/go?u=https://inner.test/x r.test"],
        ),
        // Bare IPv4 in text.
        ("connect 47.95.1.2:8443 now", &["ip 47.95.1.2:8443 - i"]),
        ("dns=114.114.114.114", &["ip 114.114.114.114 - i"]),
        ("8.8.8.8", &["ip 8.8.8.8 - i"]),
        ("10.0.0.5", &["ip 10.0.0.5 - ip"]),
        ("169.254.1.1", &["ip 169.254.1.1 - ipl"]),
        // Not addresses.
        ("1.2.3.4.5", &[]),
        ("v1.2.3.4", &[]),
        ("4.1.2.0", &[]),
        ("255.255.255.0", &[]),
        ("0.0.0.0", &[]),
        ("2.5.29.17", &[]),
        ("010.1.1.1", &[]),
        ("256.1.1.1", &[]),
        ("10.0.0.1:123456", &[]),
        ("10.0.0.1:70000", &[]),
        ("Chrome/83.0.4103.106", &[]),
        // Bare host names, alone in the string.
        (
            "api.kidsdemo.example.test",
            &["host api.kidsdemo.example.test example.test"],
        ),
        ("  log.umeng.com  ", &["host log.umeng.com umeng.com"]),
        ("cn.bing.com", &["host cn.bing.com bing.com"]),
        (
            "push.example-tracker.test:5223",
            &["host push.example-tracker.test:5223 example-tracker.test"],
        ),
        ("printer.local", &["host printer.local printer.local l"]),
        ("sdk.baidu.com", &["host sdk.baidu.com baidu.com"]),
        // Not host names: packages, classes, files, sentences, unknown TLDs.
        ("com.tencent.mm", &[]),
        ("cn.jpush.android", &[]),
        ("com.example.app", &[]),
        ("org.json.JSONObject", &[]),
        ("android.intent.action.MAIN", &[]),
        ("readme.md", &[]),
        ("setup.py", &[]),
        ("libfoo.so", &[]),
        ("index.html", &[]),
        ("foo.notatld", &[]),
        // A known limit: `.bar` is a real gTLD, so this is reported.
        ("foo.bar", &["host foo.bar foo.bar"]),
        ("Api.Example.Com", &[]),
        ("visit log.umeng.com today", &[]),
        ("user@mail.example-tracker.test", &[]),
        ("com", &[]),
        (".", &[]),
        ("a..b.com", &[]),
        // Bare IPv6, alone.
        ("2001:db8::1", &["ip 2001:db8::1 - ip"]),
        ("fe80::1%wlan0", &["ip fe80::1 - ipl"]),
        ("[2400:3200::1]:53", &["ip 2400:3200::1:53 - i"]),
        ("::", &[]),
        ("std::string", &[]),
        ("12:30:45", &[]),
        ("aa:bb:cc:dd:ee:ff", &[]),
        ("fe80::1%", &[]),
        ("fe80::1%bad zone", &[]),
        // Ignored: namespaces, licences, docs, placeholders.
        ("http://schemas.android.com/apk/res/android", &[]),
        ("http://schemas.android.com/apk/res-auto", &[]),
        ("http://www.w3.org/2001/XMLSchema-instance", &[]),
        ("http://www.w3.org/2000/svg", &[]),
        ("https://schema.org", &[]),
        ("http://ns.adobe.com/xap/1.0/", &[]),
        ("http://www.apache.org/licenses/LICENSE-2.0", &[]),
        ("http://xml.org/sax/features/namespaces", &[]),
        (
            "http://xmlpull.org/v1/doc/features.html#process-namespaces",
            &[],
        ),
        (
            "http://javax.xml.XMLConstants/property/accessExternalDTD",
            &[],
        ),
        ("See https://developer.android.com/reference/foo", &[]),
        ("https://www.example.com/ https://example.org", &[]),
        // ...but not look-alikes.
        (
            "https://www.apache.org/dist/x",
            &["https://www.apache.org/dist/x apache.org"],
        ),
        (
            "https://example.com.evil.test/",
            &["https://example.com.evil.test/ evil.test"],
        ),
        (
            "https://notexample.com/",
            &["https://notexample.com/ notexample.com"],
        ),
    ];
    let mut failed = Vec::new();
    for (input, want) in cases {
        let got = run(input);
        if got != *want {
            failed.push(format!("{input:?}\n   got  {got:?}\n   want {want:?}"));
        }
    }
    assert!(
        failed.is_empty(),
        "{} case(s) failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

#[test]
fn fields_and_offsets() {
    let s = "x http://user@[fe80::2%25en0]:81/p?q#f";
    let e = &extract(s)[0];
    assert_eq!(e.offset, 2);
    assert_eq!(e.scheme, Some(Scheme::Http));
    assert_eq!(e.host, "fe80::2");
    assert_eq!(e.port, Some(81));
    assert_eq!(e.path.as_deref(), Some("/p?q"));
    assert_eq!(e.url.as_deref(), Some("http://[fe80::2]:81/p?q"));
    let e = &extract("   a.example-tracker.test")[0];
    assert_eq!(
        (e.kind, e.offset, e.url.is_none(), e.scheme),
        (EndpointKind::Host, 3, true, None)
    );
    let json = serde_json::to_value(e).unwrap();
    assert_eq!(json["kind"], "host");
    assert_eq!(json["registrable_domain"], "example-tracker.test");
}

#[test]
fn long_paths_are_truncated() {
    let s = format!("https://a.test/{}", "x".repeat(10_000));
    let e = &extract(&s)[0];
    assert_eq!(e.path.as_ref().unwrap().len(), MAX_PATH_CHARS);
}

#[test]
fn extract_many_keeps_provenance() {
    let x = Extractor::embedded().unwrap();
    let items = [
        ("Lcom/a/A;", "https://a.test/1"),
        ("Lcom/a/B;", "nothing here"),
        (
            "res/values/strings.xml",
            "mirror 10.1.1.1 and https://b.test",
        ),
    ];
    let got = x.extract_many(items);
    let keys: Vec<_> = got.iter().map(|(k, v)| (*k, v.len())).collect();
    assert_eq!(keys, [("Lcom/a/A;", 1), ("res/values/strings.xml", 2)]);
    // Offsets order the endpoints of one string.
    let hosts: Vec<_> = got[1].1.iter().map(|e| e.host.as_str()).collect();
    assert_eq!(hosts, ["10.1.1.1", "b.test"]);
    // Streaming form, and extract_into appends per string.
    let lines = ["a https://a.test", "", "b.example-tracker.test"];
    let streamed: Vec<_> = x
        .extract_each(lines.iter().enumerate().map(|(i, s)| (i, *s)))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(streamed, [0, 2]);
    let mut acc = Vec::new();
    for l in lines {
        x.extract_into(l, &mut acc);
    }
    assert_eq!(acc.len(), 2);
}

#[test]
fn bytes_entry_point() {
    let x = Extractor::default();
    assert!(x.extract_bytes(b"onCreate").is_empty());
    assert_eq!(x.extract_bytes(b"http://a.test/\xff\xfe").len(), 1);
    // Without the ignore list, namespaces come through.
    assert_eq!(
        x.extract_bytes(b"http://schemas.android.com/apk/res/android")
            .len(),
        1
    );
    assert!(!might_hold_endpoint(b"getDeviceId"));
    assert!(might_hold_endpoint(b"a.b"));
}

#[test]
fn ignore_list_loads_and_validates() {
    let list = IgnoreList::embedded().unwrap();
    assert!(list.rules.len() >= 20);
    assert!(list.rules.iter().all(|r| !r.reason.is_empty()));
    let p = Path::new("i.toml");
    let bad: &[(&str, &str)] = &[
        ("[[ignore]]\nreason = \"r\"\n", "exactly one of"),
        (
            "[[ignore]]\nhost = \"a\"\ndomain = \"b\"\nreason = \"r\"\n",
            "exactly one of",
        ),
        (
            "[[ignore]]\nhost = \"A.test\"\nreason = \"r\"\n",
            "must be lowercase",
        ),
        (
            "[[ignore]]\nhost = \"http://a.test\"\nreason = \"r\"\n",
            "without scheme",
        ),
        (
            "[[ignore]]\ndomain = \"a.test/x\"\nreason = \"r\"\n",
            "without a path",
        ),
        (
            "[[ignore]]\nhost = \"a.test\"\nreason = \" \"\n",
            "needs a `reason`",
        ),
        ("[[ignore]]\nhost = \"a.test\"\n", "missing field `reason`"),
        (
            "[[ignore]]\nhost = \"a.test\"\nreason = \"r\"\nwhy = 1\n",
            "unknown field `why`",
        ),
    ];
    for (text, want) in bad {
        let e = IgnoreList::parse(p, text).unwrap_err().to_string();
        assert!(
            e.starts_with("i.toml:") && e.contains(want),
            "{text:?}: {e}"
        );
    }
    let e = IgnoreList::parse(p, "[[ignore]]\nhost = \"A\"\nreason = \"r\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("i.toml:2:8:"), "{e}");
    let custom = IgnoreList::parse(
        p,
        "[[ignore]]\nurl_prefix = \"a.test/private\"\nreason = \"r\"\n",
    )
    .unwrap();
    let x = Extractor::new(custom);
    assert!(x.extract("https://a.test/private/x").is_empty());
    assert_eq!(x.extract("https://a.test/public").len(), 1);
    assert_eq!(
        x.extract("a.test").len(),
        1,
        "url_prefix applies to URLs only"
    );
}

#[test]
fn embedded_pattern_compiles() {
    let x = Extractor::default();
    assert!(x.ipv4.get().is_none(), "compiled lazily");
    assert_eq!(x.extract("see 10.1.2.3:8080 now").len(), 1);
    assert!(x.ipv4.get().is_some_and(|r| r.is_some()));
}

/// Hostile inputs: huge, repetitive, pathological. Each must finish fast and
/// return a bounded result.
#[test]
fn hostile_strings() {
    let x = Extractor::embedded().unwrap();
    let big = |unit: &str| unit.repeat((2 << 20) / unit.len().max(1));
    let inputs = [
        big("http://"),
        big("://"),
        big("http://a"),
        big("http://a.test/"),
        big("https://x.test/)"),
        format!("http://a.test/{}", ")".repeat(1 << 20)),
        format!("http://{}", "a".repeat(1 << 20)),
        format!("http://{}/", "a.".repeat(1 << 19)),
        big("1.1.1.1 "),
        big("1."),
        big("[::"),
        big("::"),
        big("%25"),
        big("例子"),
        "http://".to_string() + &"[".repeat(1 << 16),
        big("http://[::1]:1"),
        big("a.b.c.d."),
    ];
    for s in &inputs {
        let t = std::time::Instant::now();
        let got = x.extract(s);
        assert!(got.len() <= MAX_ENDPOINTS);
        // Generous bound for a debug build on a shared 2-core machine.
        assert!(
            t.elapsed() < std::time::Duration::from_secs(10),
            "{:?}… took {:?}",
            s.get(..20),
            t.elapsed()
        );
    }
    // Beyond MAX_SCAN_BYTES nothing is looked at.
    let far = format!("{}https://far.test/", " ".repeat(MAX_SCAN_BYTES));
    assert!(x.extract(&far).is_empty());
    // A multi-byte char straddling the scan limit is not split.
    let straddle = format!("{}例", " ".repeat(MAX_SCAN_BYTES - 1));
    assert!(x.extract(&straddle).is_empty());
}

/// Property-style: no panic on random bytes, read lossily, and on random
/// mixes of URL-ish fragments (a fixed-seed generator keeps it reproducible
/// without a proptest dependency).
#[test]
fn random_inputs_do_not_panic() {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let pieces: &[&[u8]] = &[
        b"http",
        b"https",
        b"ws",
        b"ftp",
        b"://",
        b":",
        b"/",
        b".",
        b"[",
        b"]",
        b"%",
        b"%25",
        b"@",
        b"?",
        b"#",
        b"(",
        b")",
        b"1",
        b"255",
        b"256",
        b"::",
        b"fe80",
        b"a",
        b"test",
        b"com",
        b"xn--",
        b" ",
        b"\xff",
        b"\xe4\xbe\x8b",
        b"\0",
        b"65535",
        b"99999",
        b"-",
        b"_",
        b"localhost",
    ];
    let x = Extractor::embedded().unwrap();
    for round in 0..20_000u32 {
        let len = (next() % 64) as usize;
        let mut buf = Vec::with_capacity(len * 4);
        for _ in 0..len {
            if round % 2 == 0 {
                buf.push((next() & 0xff) as u8);
            } else {
                let piece = pieces[(next() % pieces.len() as u64) as usize];
                buf.extend_from_slice(piece);
            }
        }
        let s = String::from_utf8_lossy(&buf);
        for e in x.extract(&s) {
            assert!(e.offset < s.len(), "{s:?}");
            assert!(!e.host.is_empty());
            assert!(e.path.as_ref().is_none_or(|p| p.len() <= MAX_PATH_CHARS));
            if let Some(u) = &e.url {
                assert!(u.starts_with(e.scheme.map_or("", Scheme::as_str)));
            }
        }
        let _ = x.extract_bytes(&buf);
    }
}

/// Throughput guard: a DEX has ~100k const-strings, most without any
/// endpoint; the prefilter must keep those cheap.
#[test]
fn throughput_on_dex_like_strings() {
    let x = Extractor::embedded().unwrap();
    let samples = [
        "onCreate",
        "Lcom/tencent/mm/opensdk/openapi/WXAPIFactory;",
        "android.intent.action.VIEW",
        "com.google.android.gms.ads.identifier.service.START",
        "Failed to load the native library, falling back to Java implementation.",
        "yyyy-MM-dd HH:mm:ss",
        "https://api.kidsdemo.example.test/v1/login?device=%s",
        "key_last_update_time",
        "%d.%d.%d",
        "1.2.3",
    ];
    let t = std::time::Instant::now();
    let mut n = 0;
    for i in 0..100_000 {
        n += x.extract(samples[i % samples.len()]).len();
    }
    assert_eq!(n, 10_000);
    assert!(
        t.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        t.elapsed()
    );
}
