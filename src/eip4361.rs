//! Sign-In with Ethereum (EIP-4361): a `personal_sign` message in the SIWE format is recognised
//! and shown as a sign-in — which site, which account, which chain, the nonce and the times —
//! with warnings when it does not match the site asking (the phishing case EIP-4361 names: a
//! page that collects a sign-in for another domain), the account, or the chain, or is outside
//! its validity. Parsing is total: anything not exactly in the format is shown as a plain
//! message, never an error. Hand-written (the grammar is a dozen lines) rather than the `siwe`
//! crate, which would bring its own signature verification and time libraries into the wasm.

use alloy_primitives::Address;
use serde::{Deserialize, Serialize};

/// The header line's fixed part after the domain.
const HEADER: &str = " wants you to sign in with your Ethereum account:";
/// Longest message recognised (a sign-in is a few hundred bytes).
const MAX_LEN: usize = 8 * 1024;

/// A sign-in message's fields (EIP-4361 §Message format).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignIn {
    /// The scheme, when the message names one (`https` in `https://example.com wants you…`).
    pub scheme: Option<String>,
    /// The authority (host and port) asking to sign in.
    pub domain: String,
    /// The account signing in.
    pub address: Address,
    /// The human-readable assertion, if any.
    pub statement: Option<String>,
    /// The URI the sign-in is for.
    pub uri: String,
    /// The message version (must be 1).
    pub version: String,
    /// The chain the account is on.
    pub chain_id: u64,
    /// The site's nonce (replay protection).
    pub nonce: String,
    /// When it was issued (RFC 3339).
    pub issued_at: String,
    /// When it stops being valid (RFC 3339), if ever.
    pub expiration_time: Option<String>,
    /// When it starts being valid (RFC 3339), if later than issued.
    pub not_before: Option<String>,
    /// The site's request id, if any.
    pub request_id: Option<String>,
    /// Resources the sign-in also covers.
    pub resources: Vec<String>,
}

/// Something about a sign-in the user must know before signing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum SignInWarning {
    /// The message names another site than the one asking.
    OtherDomain {
        /// The message's domain.
        domain: String,
        /// Who asks.
        origin: String,
    },
    /// The message names another account.
    OtherAccount {
        /// The message's address.
        address: Address,
    },
    /// The message names another chain.
    OtherChain {
        /// The message's chain.
        chain_id: u64,
    },
    /// The message expired already.
    Expired,
    /// The message is not valid yet.
    NotYetValid,
}

impl SignInWarning {
    /// The warning in words.
    pub fn message(&self) -> String {
        match self {
            SignInWarning::OtherDomain { domain, origin } => format!(
                "This sign-in is for {domain}, but {origin} is asking for it: signing could log that site in as you."
            ),
            SignInWarning::OtherAccount { address } => format!(
                "This sign-in names the account {address}, not yours: it will not work as you."
            ),
            SignInWarning::OtherChain { chain_id } => {
                format!("This sign-in is for chain {chain_id}, not the network the wallet is on.")
            }
            SignInWarning::Expired => "This sign-in has expired already.".into(),
            SignInWarning::NotYetValid => "This sign-in is not valid yet.".into(),
        }
    }
}

impl SignIn {
    /// Parses a SIWE message; `None` when `message` is not one (it is then a plain message).
    pub fn parse(message: &str) -> Option<SignIn> {
        if message.len() > MAX_LEN {
            return None;
        }
        let mut lines = message.split('\n');
        let header = lines.next()?.strip_suffix(HEADER)?;
        let (scheme, domain) = match header.split_once("://") {
            Some((scheme, domain)) => (Some(scheme.to_owned()), domain),
            None => (None, header),
        };
        if domain.is_empty() || !domain.chars().all(is_authority_char) {
            return None;
        }
        if scheme.as_deref().is_some_and(|s| {
            s.is_empty()
                || !s
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }) {
            return None;
        }
        let address = lines.next()?;
        if address.len() != 42 {
            return None;
        }
        let address: Address = address.parse().ok()?;
        // An empty line, then either the statement and another empty line, or (no statement)
        // straight to the fields.
        if !lines.next()?.is_empty() {
            return None;
        }
        let mut rest: Vec<&str> = lines.collect();
        let statement = match rest.first() {
            // No statement: the ABNF's empty line in its place (older messages leave it out).
            Some(&"") => {
                rest.remove(0);
                None
            }
            Some(line) if !line.starts_with("URI: ") => {
                let statement = (*line).to_owned();
                if rest.get(1) != Some(&"") {
                    return None;
                }
                rest.drain(..2);
                Some(statement)
            }
            _ => None,
        };
        let mut fields = rest.into_iter().peekable();
        let mut field = |name: &str, required: bool| -> Option<Option<String>> {
            match fields
                .peek()
                .and_then(|l| l.strip_prefix(name)?.strip_prefix(": "))
            {
                Some(value) if !value.is_empty() => {
                    let value = value.to_owned();
                    fields.next();
                    Some(Some(value))
                }
                _ if required => None,
                _ => Some(None),
            }
        };
        let uri = field("URI", true)??;
        let version = field("Version", true)??;
        let chain_id = field("Chain ID", true)??.parse().ok()?;
        let nonce = field("Nonce", true)??;
        let issued_at = field("Issued At", true)??;
        let expiration_time = field("Expiration Time", false)?;
        let not_before = field("Not Before", false)?;
        let request_id = field("Request ID", false)?;
        let mut resources = Vec::new();
        match fields.next() {
            None => {}
            Some("Resources:") => {
                for line in fields.by_ref() {
                    resources.push(line.strip_prefix("- ")?.to_owned());
                }
            }
            Some(_) => return None,
        }
        if fields.next().is_some()
            || version != "1"
            || nonce.len() < 8
            || !nonce.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return None;
        }
        for time in [
            Some(&issued_at),
            expiration_time.as_ref(),
            not_before.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            rfc3339_seconds(time)?;
        }
        Some(SignIn {
            scheme,
            domain: domain.to_owned(),
            address,
            statement,
            uri,
            version,
            chain_id,
            nonce,
            issued_at,
            expiration_time,
            not_before,
            request_id,
            resources,
        })
    }

    /// What is wrong with signing this in, asked by `origin` (scheme://host[:port]) for
    /// `account` on `chain_id` at `now` (Unix seconds).
    pub fn warnings(
        &self,
        origin: &str,
        account: Address,
        chain_id: u64,
        now: u64,
    ) -> Vec<SignInWarning> {
        let mut warnings = Vec::new();
        let (origin_scheme, origin_authority) = origin.split_once("://").unwrap_or(("", origin));
        let same_site = self.domain.eq_ignore_ascii_case(origin_authority)
            && self
                .scheme
                .as_deref()
                .is_none_or(|s| s.eq_ignore_ascii_case(origin_scheme));
        if !same_site {
            warnings.push(SignInWarning::OtherDomain {
                domain: match &self.scheme {
                    Some(scheme) => format!("{scheme}://{}", self.domain),
                    None => self.domain.clone(),
                },
                origin: origin.to_owned(),
            });
        }
        if self.address != account {
            warnings.push(SignInWarning::OtherAccount {
                address: self.address,
            });
        }
        if self.chain_id != chain_id {
            warnings.push(SignInWarning::OtherChain {
                chain_id: self.chain_id,
            });
        }
        let at = |time: &Option<String>| time.as_deref().and_then(rfc3339_seconds);
        if at(&self.expiration_time).is_some_and(|t| t <= now) {
            warnings.push(SignInWarning::Expired);
        }
        if at(&self.not_before).is_some_and(|t| t > now) {
            warnings.push(SignInWarning::NotYetValid);
        }
        warnings
    }

    /// The expiration time in Unix seconds, if any.
    pub fn expires_at(&self) -> Option<u64> {
        self.expiration_time.as_deref().and_then(rfc3339_seconds)
    }
}

/// A host[:port] character (reg-name, IPv4, IPv6 in brackets, port).
fn is_authority_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:[]@%!$&'()*+,;=".contains(c)
}

/// An RFC 3339 date-time (`2026-12-06T10:00:00Z`, fractions and offsets allowed) as Unix
/// seconds; `None` when it is not one or is before 1970.
pub fn rfc3339_seconds(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(range)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            let (h, m) = (
                rest[1..3].parse::<i64>().ok()?,
                rest[4..6].parse::<i64>().ok()?,
            );
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 3600 + m * 60)
        }
    };
    // Days since 1970-01-01 (the civil-from-days inverse, proleptic Gregorian).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset;
    u64::try_from(seconds).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

    fn message(domain: &str, statement: Option<&str>, extra: &str) -> String {
        let statement = statement
            .map(|s| format!("{s}\n\n"))
            .unwrap_or_else(|| "\n".into());
        format!(
            "{domain} wants you to sign in with your Ethereum account:\n{ACCOUNT}\n\n{statement}URI: https://example.com/login\nVersion: 1\nChain ID: 31337\nNonce: 32891756abc\nIssued At: 2026-12-06T10:00:00.000Z{extra}"
        )
    }

    #[test]
    fn parses_the_eip_example_and_viem_s_form() {
        let text = message(
            "example.com",
            Some("I accept the ExampleOrg Terms of Service: https://example.com/tos"),
            "\nExpiration Time: 2026-12-07T10:00:00Z\nRequest ID: 7\nResources:\n- ipfs://bafy\n- https://example.com/my-web2-claim.json",
        );
        let siwe = SignIn::parse(&text).unwrap();
        assert_eq!(siwe.domain, "example.com");
        assert_eq!(siwe.scheme, None);
        assert_eq!(siwe.address, ACCOUNT.parse::<Address>().unwrap());
        assert_eq!(siwe.chain_id, 31337);
        assert_eq!(siwe.nonce, "32891756abc");
        assert_eq!(siwe.resources.len(), 2);
        assert_eq!(siwe.request_id.as_deref(), Some("7"));
        assert_eq!(siwe.expires_at(), Some(1_796_637_600));
        // No statement: viem leaves an empty line in its place.
        let bare = SignIn::parse(&message("https://127.0.0.1:8080", None, "")).unwrap();
        assert_eq!(bare.statement, None);
        assert_eq!(bare.scheme.as_deref(), Some("https"));
        assert_eq!(bare.domain, "127.0.0.1:8080");
    }

    #[test]
    fn anything_off_format_is_a_plain_message() {
        let good = message("example.com", Some("Hi"), "");
        for bad in [
            good.replace("Version: 1", "Version: 2"),
            good.replace("Nonce: 32891756abc", "Nonce: short"),
            good.replace("Chain ID: 31337", "Chain ID: x"),
            good.replace(ACCOUNT, "0x1234"),
            good.replace(
                "Issued At: 2026-12-06T10:00:00.000Z",
                "Issued At: yesterday",
            ),
            good.replace("URI: https://example.com/login\n", ""),
            format!("{good}\nSomething: else"),
            good.replace("example.com wants", "exa mple.com wants"),
            "Hello".into(),
            String::new(),
            "x".repeat(MAX_LEN + 1),
        ] {
            assert_eq!(SignIn::parse(&bad), None, "{bad}");
        }
    }

    #[test]
    fn warns_for_another_site_account_chain_or_time() {
        let account: Address = ACCOUNT.parse().unwrap();
        let text = message(
            "example.com",
            None,
            "\nExpiration Time: 2026-12-07T10:00:00Z\nNot Before: 2026-12-06T11:00:00+01:00",
        );
        let siwe = SignIn::parse(&text).unwrap();
        let noon = rfc3339_seconds("2026-12-06T12:00:00Z").unwrap();
        assert_eq!(
            siwe.warnings("https://example.com", account, 31337, noon),
            vec![]
        );
        let warnings = siwe.warnings("https://evil.example", Address::ZERO, 1, noon + 86_400);
        assert_eq!(
            warnings,
            vec![
                SignInWarning::OtherDomain {
                    domain: "example.com".into(),
                    origin: "https://evil.example".into()
                },
                SignInWarning::OtherAccount { address: account },
                SignInWarning::OtherChain { chain_id: 31337 },
                SignInWarning::Expired,
            ]
        );
        // 11:00+01:00 is 10:00Z: valid from then.
        let nine = rfc3339_seconds("2026-12-06T09:59:59Z").unwrap();
        assert_eq!(
            siwe.warnings("https://example.com", account, 31337, nine),
            vec![SignInWarning::NotYetValid]
        );
        // A scheme in the message must match the origin's too.
        let http = SignIn::parse(&message("http://example.com", None, "")).unwrap();
        assert!(matches!(
            http.warnings("https://example.com", account, 31337, noon)[..],
            [SignInWarning::OtherDomain { .. }]
        ));
    }

    #[test]
    fn reads_rfc3339_times() {
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_seconds("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(
            rfc3339_seconds("2024-02-29T23:59:59.999Z"),
            Some(1_709_251_199)
        );
        assert_eq!(
            rfc3339_seconds("2024-02-29T23:59:59-00:30"),
            Some(1_709_253_000 - 1)
        );
        for bad in [
            "1969-12-31T23:59:59Z",
            "2024-13-01T00:00:00Z",
            "2024-02-29 23:59:59Z",
            "2024-02-29T23:59:59",
            "2024-02-29T23:59:59.Z",
            "2024-02-29T23:59:59+0100",
        ] {
            assert_eq!(rfc3339_seconds(bad), None, "{bad}");
        }
    }
}
