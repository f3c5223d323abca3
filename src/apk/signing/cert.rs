//! X.509 certificate description: fingerprints and the few fields that
//! identify a signer.
//!
//! Names are rendered the way `apksigner verify --print-certs` prints them
//! (Java's `sun.security.x509.X500Name.toString()`): RDNs most specific
//! first, `", "` between them, `" + "` inside a multi-valued RDN, Java's
//! keywords (`EMAILADDRESS`, `ST`, `DNQ`, ...), `OID.n.n.n` for others, and
//! RFC 1779 quoting. Nothing is verified: no signature, no validity window.

use serde::Serialize;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::x509::{AttributeTypeAndValue, X509Name};

use super::der::{self, read_tlv, INTEGER, SEQUENCE, UNIVERSAL};
use super::SigningError;

/// What identifies a signing certificate. Fingerprints are of the exact DER
/// bytes found in the APK, as apksigner prints them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Certificate {
    /// SHA-256 of the DER encoding, lowercase hex (apksigner's "certificate SHA-256 digest").
    pub sha256: String,
    /// SHA-1 of the DER encoding, lowercase hex.
    pub sha1: String,
    /// Subject DN, as apksigner prints "certificate DN".
    pub subject: String,
    /// Issuer DN, same rendering; equal to `subject` for self-signed certificates.
    pub issuer: String,
    /// Serial number, lowercase hex without leading zeros (as `keytool -printcert`).
    pub serial: String,
    /// Start of validity, ISO 8601 UTC (`2008-02-29T01:33:46Z`).
    pub not_before: String,
    /// End of validity, ISO 8601 UTC.
    pub not_after: String,
    /// Java key algorithm name: `RSA`, `EC`, `DSA`, or the OID.
    pub public_key_algorithm: String,
    /// Key size as apksigner reports it: RSA modulus bits, EC field bits,
    /// DSA `p` bits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key_bits: Option<u32>,
    /// SHA-256 of the DER SubjectPublicKeyInfo, lowercase hex (apksigner's
    /// "public key SHA-256 digest"): stays the same when a key is re-certified.
    pub public_key_sha256: String,
    /// Java name of the certificate's own signature algorithm, e.g.
    /// `SHA256withRSA`, or the OID.
    pub signature_algorithm: String,
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(
            DIGITS.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
        ));
        s.push(char::from(
            DIGITS.get(usize::from(b & 0xf)).copied().unwrap_or(b'0'),
        ));
    }
    s
}

/// SHA-256 of `bytes`, lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Describes one DER X.509 certificate.
///
/// Fails if `der` is not a certificate x509-parser can read. ([`super::collect`]
/// still reports the fingerprints of such a certificate, with an anomaly.)
pub fn describe_certificate(der: &[u8]) -> Result<Certificate, SigningError> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| SigningError::BadCertificate {
        reason: e.to_string(),
    })?;
    let tbs = &cert.tbs_certificate;
    let spki = &tbs.subject_pki;
    let key_oid = der::oid_to_string(spki.algorithm.algorithm.as_bytes());
    let params = spki.algorithm.parameters.as_ref();
    let public_key_bits = match key_oid.as_str() {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => {
            rsa_modulus_bits(&spki.subject_public_key.data)
        }
        "1.2.840.10045.2.1" => params.and_then(|p| ec_curve_bits(&der::oid_to_string(p.data))),
        "1.2.840.10040.4.1" => params.and_then(|p| dsa_p_bits(p.data)),
        "1.3.101.112" => Some(255),
        "1.3.101.113" => Some(448),
        _ => None,
    };
    let sig_oid = der::oid_to_string(cert.signature_algorithm.algorithm.as_bytes());
    Ok(Certificate {
        sha256: sha256_hex(der),
        sha1: hex(&Sha1::digest(der)),
        subject: java_dn(&tbs.subject),
        issuer: java_dn(&tbs.issuer),
        serial: serial_hex(tbs.raw_serial()),
        not_before: iso8601(tbs.validity.not_before.timestamp()),
        not_after: iso8601(tbs.validity.not_after.timestamp()),
        public_key_algorithm: key_algorithm_name(&key_oid).map_or(key_oid.clone(), str::to_string),
        public_key_bits,
        public_key_sha256: sha256_hex(spki.raw),
        signature_algorithm: signature_algorithm_name(&sig_oid)
            .map_or(sig_oid.clone(), str::to_string),
    })
}

/// Like [`describe_certificate`], but an unreadable certificate still yields
/// its fingerprints (the identity regulators need), with empty text fields
/// and the parse error beside it.
pub(crate) fn describe_lenient(der: &[u8]) -> (Certificate, Option<SigningError>) {
    match describe_certificate(der) {
        Ok(c) => (c, None),
        Err(e) => (
            Certificate {
                sha256: sha256_hex(der),
                sha1: hex(&Sha1::digest(der)),
                subject: String::new(),
                issuer: String::new(),
                serial: String::new(),
                not_before: String::new(),
                not_after: String::new(),
                public_key_algorithm: String::new(),
                public_key_bits: None,
                public_key_sha256: String::new(),
                signature_algorithm: String::new(),
            },
            Some(e),
        ),
    }
}

/// Whether `der` is the certificate a PKCS#7 `SignerInfo` names: same
/// serial number, and the same issuer as Java's `X500Principal` compares
/// them (apksig `V1SchemeVerifier` looks the certificate up that way). Seen
/// in AOSP's v1-only-max-eocd-comment.apk: the certificate encodes its issuer
/// CN as UTF8String, the SignerInfo as PrintableString.
pub(crate) fn matches_signer_id(der: &[u8], id: &super::pkcs7::SignerId<'_>) -> bool {
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return false;
    };
    match id {
        super::pkcs7::SignerId::IssuerSerial { issuer, serial } => {
            same_name(cert.tbs_certificate.issuer.as_raw(), issuer)
                && strip_zeros(cert.tbs_certificate.raw_serial()) == strip_zeros(serial)
        }
        super::pkcs7::SignerId::SubjectKeyId(ski) => cert.iter_extensions().any(|e| {
            matches!(
                e.parsed_extension(),
                x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(k) if k.0 == *ski
            )
        }),
    }
}

/// Text of an ASN.1 string value, for the string types Java's
/// `DerValue.getAsString` knows; `None` for anything else.
fn decode_string(tag: u32, data: &[u8]) -> Option<String> {
    match tag {
        // UTF8String, PrintableString, IA5String, GeneralString
        12 | 19 | 22 | 27 => Some(String::from_utf8_lossy(data).into_owned()),
        // T61String: Java decodes it as ISO-8859-1.
        20 => Some(data.iter().map(|&b| char::from(b)).collect()),
        // BMPString: UTF-16BE.
        30 => Some(
            char::decode_utf16(data.chunks_exact(2).map(|c| {
                u16::from_be_bytes([
                    c.first().copied().unwrap_or(0),
                    c.get(1).copied().unwrap_or(0),
                ])
            }))
            .map(|r| r.unwrap_or('\u{FFFD}'))
            .collect(),
        ),
        // UniversalString: UTF-32BE.
        28 => Some(
            data.chunks_exact(4)
                .map(|c| {
                    let mut a = [0u8; 4];
                    a.copy_from_slice(c);
                    char::from_u32(u32::from_be_bytes(a)).unwrap_or('\u{FFFD}')
                })
                .collect(),
        ),
        _ => None,
    }
}

/// A `Name` reduced to what `X500Principal.equals` compares: per RDN, the
/// sorted (OID, value) pairs, string values lowercased with whitespace
/// trimmed and collapsed, whatever their string type (RFC 5280 §7.1; Java
/// compares canonical RFC 2253 forms). Non-string values compare by bytes.
fn canonical_name(name: &[u8]) -> Option<Vec<Vec<(String, String)>>> {
    let seq = read_tlv(name, 0, name.len(), 0).ok()?;
    if !seq.is(UNIVERSAL, true, SEQUENCE) {
        return None;
    }
    let mut out = Vec::new();
    for rdn in seq.children(name, 0) {
        let rdn = rdn.ok()?;
        let mut avas = Vec::new();
        for ava in rdn.children(name, 1) {
            let ava = ava.ok()?;
            let mut f = ava.children(name, 2);
            let oid = f.next()?.ok()?;
            let value = f.next()?.ok()?;
            let text = if value.class == UNIVERSAL && !value.constructed {
                decode_string(value.number, value.content(name))
            } else {
                None
            };
            let norm = match text {
                Some(t) => t
                    .to_lowercase()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
                None => format!("#{}", hex(value.whole(name))),
            };
            avas.push((der::oid_to_string(oid.content(name)), norm));
        }
        avas.sort();
        out.push(avas);
    }
    Some(out)
}

/// Whether two DER `Name`s are the same name, as Java's `X500Principal` sees it.
fn same_name(a: &[u8], b: &[u8]) -> bool {
    a == b || matches!((canonical_name(a), canonical_name(b)), (Some(x), Some(y)) if x == y)
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|&&x| x == 0).count();
    b.get(n..).unwrap_or_default()
}

fn serial_hex(raw: &[u8]) -> String {
    let s = hex(strip_zeros(raw));
    if s.is_empty() {
        "0".into()
    } else {
        // BigInteger.toString(16) has no leading zero nibble.
        s.strip_prefix('0').map(str::to_string).unwrap_or(s)
    }
}

fn rsa_modulus_bits(spk: &[u8]) -> Option<u32> {
    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
    let seq = read_tlv(spk, 0, spk.len(), 0).ok()?;
    if !seq.is(UNIVERSAL, true, SEQUENCE) {
        return None;
    }
    let m = seq.children(spk, 0).next()?.ok()?;
    m.is(UNIVERSAL, false, INTEGER)
        .then(|| der::bit_length(m.content(spk)))
}

fn dsa_p_bits(params: &[u8]) -> Option<u32> {
    // Dss-Parms ::= SEQUENCE { p INTEGER, q INTEGER, g INTEGER }; `params`
    // is the SEQUENCE's content.
    let p = read_tlv(params, 0, params.len(), 0).ok()?;
    p.is(UNIVERSAL, false, INTEGER)
        .then(|| der::bit_length(p.content(params)))
}

fn ec_curve_bits(curve: &str) -> Option<u32> {
    Some(match curve {
        "1.2.840.10045.3.1.1" => 192,
        "1.3.132.0.33" => 224,
        "1.2.840.10045.3.1.7" | "1.3.132.0.10" | "1.3.36.3.3.2.8.1.1.7" => 256,
        "1.3.132.0.34" | "1.3.36.3.3.2.8.1.1.11" => 384,
        "1.3.132.0.35" => 521,
        _ => return None,
    })
}

fn key_algorithm_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.2.840.113549.1.1.1" => "RSA",
        "1.2.840.113549.1.1.10" => "RSASSA-PSS",
        "1.2.840.10045.2.1" => "EC",
        "1.2.840.10040.4.1" => "DSA",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        _ => return None,
    })
}

fn signature_algorithm_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.2.840.113549.1.1.2" => "MD2withRSA",
        "1.2.840.113549.1.1.4" => "MD5withRSA",
        "1.2.840.113549.1.1.5" => "SHA1withRSA",
        "1.2.840.113549.1.1.10" => "RSASSA-PSS",
        "1.2.840.113549.1.1.11" => "SHA256withRSA",
        "1.2.840.113549.1.1.12" => "SHA384withRSA",
        "1.2.840.113549.1.1.13" => "SHA512withRSA",
        "1.2.840.113549.1.1.14" => "SHA224withRSA",
        "1.2.840.10040.4.3" => "SHA1withDSA",
        "2.16.840.1.101.3.4.3.1" => "SHA224withDSA",
        "2.16.840.1.101.3.4.3.2" => "SHA256withDSA",
        "1.2.840.10045.4.1" => "SHA1withECDSA",
        "1.2.840.10045.4.3.1" => "SHA224withECDSA",
        "1.2.840.10045.4.3.2" => "SHA256withECDSA",
        "1.2.840.10045.4.3.3" => "SHA384withECDSA",
        "1.2.840.10045.4.3.4" => "SHA512withECDSA",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        _ => return None,
    })
}

/// Java's keyword for an attribute type (`AVAKeyword` in OpenJDK; the last
/// keyword registered for an OID wins, hence `ST`, `DNQ`, `EMAILADDRESS`).
fn java_keyword(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.12" => "T",
        "1.3.6.1.4.1.42.2.11.2.1" => "IP",
        "2.5.4.9" => "STREET",
        "0.9.2342.19200300.100.1.25" => "DC",
        "2.5.4.46" => "DNQ",
        "2.5.4.4" => "SURNAME",
        "2.5.4.42" => "GIVENNAME",
        "2.5.4.43" => "INITIALS",
        "2.5.4.44" => "GENERATION",
        "1.2.840.113549.1.9.1" => "EMAILADDRESS",
        "0.9.2342.19200300.100.1.1" => "UID",
        "2.5.4.5" => "SERIALNUMBER",
        _ => return None,
    })
}

/// `X500Name.toString()`: RDNs in reverse encoding order.
fn java_dn(name: &X509Name<'_>) -> String {
    let rdns: Vec<String> = name
        .iter_rdn()
        .map(|rdn| rdn.iter().map(java_ava).collect::<Vec<_>>().join(" + "))
        .collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(", ")
}

fn java_ava(ava: &AttributeTypeAndValue<'_>) -> String {
    let oid = der::oid_to_string(ava.attr_type().as_bytes());
    let keyword = java_keyword(&oid).map_or_else(|| format!("OID.{oid}"), str::to_string);
    let v = ava.attr_value();
    let tag = v.header.tag().0;
    let text = decode_string(tag, v.data);
    match text {
        Some(t) => format!("{keyword}={}", rfc1779_quote(&t)),
        // Non-string values print as '#' and the hex of the whole DER value.
        None => {
            let mut whole = vec![
                (v.header.class() as u8) << 6
                    | if v.header.is_constructed() { 0x20 } else { 0 }
                    | (tag.min(30) as u8),
            ];
            let n = v.data.len();
            if n < 0x80 {
                whole.push(n as u8);
            } else {
                let bytes = n.to_be_bytes();
                let skip = bytes.iter().take_while(|&&b| b == 0).count();
                let len_bytes = bytes.get(skip..).unwrap_or_default();
                whole.push(0x80 | len_bytes.len() as u8);
                whole.extend_from_slice(len_bytes);
            }
            whole.extend_from_slice(v.data);
            format!("{keyword}=#{}", hex(&whole))
        }
    }
}

/// OpenJDK `AVA.toKeywordValueString`: quote the value if it has special
/// characters, leading/trailing or doubled whitespace; escape `"` and `\`.
fn rfc1779_quote(s: &str) -> String {
    const ESCAPEES: &str = ",+=\n<>#;\\\"";
    let chars: Vec<char> = s.chars().collect();
    let len = chars.len();
    let already_quoted = len > 1 && s.starts_with('"') && s.ends_with('"');
    let mut quote = false;
    let mut prev_white = false;
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if already_quoted && (i == 0 || i + 1 == len) {
            out.push(c);
            continue;
        }
        if is_printable_string_char(c) || ESCAPEES.contains(c) {
            if !quote && ((i == 0 && (c == ' ' || c == '\n')) || ESCAPEES.contains(c)) {
                quote = true;
            }
            if c != ' ' && c != '\n' {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                prev_white = false;
            } else {
                if !quote && prev_white {
                    quote = true;
                }
                prev_white = true;
            }
            out.push(c);
        } else {
            prev_white = false;
            out.push(c);
        }
    }
    if out.ends_with(' ') || out.ends_with('\n') {
        quote = true;
    }
    if !already_quoted && quote {
        format!("\"{out}\"")
    } else {
        out
    }
}

/// ASN.1 PrintableString characters (OpenJDK `DerValue.isPrintableStringChar`).
fn is_printable_string_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            ' ' | '\'' | '(' | ')' | '+' | ',' | '-' | '.' | '/' | ':' | '=' | '?'
        )
}

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn iso8601(ts: i64) -> String {
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_204_248_826), "2008-02-29T01:33:46Z");
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59Z");
        assert_eq!(iso8601(253_402_300_799), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn quoting_follows_java() {
        assert_eq!(rfc1779_quote("Android"), "Android");
        assert_eq!(rfc1779_quote("Mountain View"), "Mountain View");
        assert_eq!(rfc1779_quote("a, b"), "\"a, b\"");
        assert_eq!(rfc1779_quote(" x"), "\" x\"");
        assert_eq!(rfc1779_quote("x "), "\"x \"");
        assert_eq!(rfc1779_quote("a  b"), "\"a  b\"");
        assert_eq!(rfc1779_quote("say \"hi\""), "\"say \\\"hi\\\"\"");
        assert_eq!(rfc1779_quote("中文"), "中文");
    }

    #[test]
    fn names_compare_like_java() {
        // CN=rsa-2048 as UTF8String and as PrintableString, plus spacing and case.
        let utf8 = hex_bytes("30133111300f06035504030c087273612d32303438");
        let printable = hex_bytes("30133111300f060355040313087273612d32303438");
        // "  RSA-2048 ": case and outer whitespace do not count.
        let upper = hex_bytes("30163114301206035504030c0b20205253412d3230343820");
        let other = hex_bytes("30133111300f06035504030c087273612d32303439");
        assert!(same_name(&utf8, &printable));
        assert!(same_name(&utf8, &upper));
        assert!(!same_name(&utf8, &other));
        assert!(!same_name(&utf8, b"junk"));
    }

    fn hex_bytes(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn serials() {
        assert_eq!(serial_hex(&[0x00, 0x8f, 0x01]), "8f01");
        assert_eq!(serial_hex(&[0x04, 0xd2]), "4d2");
        assert_eq!(serial_hex(&[0]), "0");
    }

    #[test]
    fn garbage_is_an_error_but_still_fingerprinted() {
        assert!(describe_certificate(b"not a certificate").is_err());
        let (c, e) = describe_lenient(b"x");
        assert!(e.is_some());
        assert_eq!(
            c.sha256,
            "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
        );
        assert_eq!(c.sha1, "11f6ad8ec52a2984abaafd7c3b516503785c2072");
    }
}
