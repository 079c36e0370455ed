//! The passkeys' relying party in each browser: which `rp.id` the wallet's pages ask the
//! authenticator for, and which origin the browser writes into `clientDataJSON` — the origin the
//! on-chain `WebAuthnValidator` binds each key to (`originDomain`).
//!
//! - **Chromium** (Chrome, Edge): no `rp.id`; the relying party is the extension itself and the
//!   origin is `chrome-extension://<id>`, the same origin the extension's pages are served from.
//! - **Firefox**: a `moz-extension://` page may only claim an `rp.id` that is a domain in the
//!   add-on's `host_permissions` ([`FIREFOX_RP_ID`]). The origin in `clientDataJSON` is not the
//!   `moz-extension://<uuid>` the pages are served from (a random UUID per install) but
//!   `moz-extension://` followed by the SHA-256 of the add-on id in hex, its digits 0–f written
//!   a–p ([`firefox_origin`]): the same in every install, so a key's on-chain origin survives a
//!   reinstall and holds on every device the passkey syncs to.
//!
//! docs/security.md (*Relying party*) says why Chrome keeps the extension as its relying party.

use sha2::{Digest, Sha256};

/// The browser family the wallet runs in, from its own extension URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Browser {
    /// Chrome, Edge and other Chromium builds (`chrome-extension://`).
    Chromium,
    /// Firefox (`moz-extension://`).
    Firefox,
}

impl Browser {
    /// The browser whose extension pages are served from `origin` (a page's `location.origin`,
    /// or `runtime.getURL("")`); `None` for any other scheme.
    pub fn from_extension_origin(origin: &str) -> Option<Self> {
        if origin.starts_with("chrome-extension://") {
            Some(Self::Chromium)
        } else if origin.starts_with("moz-extension://") {
            Some(Self::Firefox)
        } else {
            None
        }
    }

    /// Its name, as the wallet shows where a passkey lives.
    pub fn name(self) -> &'static str {
        match self {
            Self::Chromium => "Chrome",
            Self::Firefox => "Firefox",
        }
    }

    /// The `rp.id` (`create`) and `rpId` (`get`) the wallet's pages pass; `None` leaves it out,
    /// which makes the extension itself the relying party.
    pub fn rp_id(self) -> Option<&'static str> {
        match self {
            Self::Chromium => None,
            Self::Firefox => Some(FIREFOX_RP_ID),
        }
    }
}

/// Whether `origin` is an SSO Wallet's WebAuthn origin in some browser: `chrome-extension://`
/// and a Chromium extension id (32 letters a–p), or `moz-extension://` and Firefox's hashed add-on
/// id (64 letters a–p). A passkey bound to anything else could sign for no wallet.
pub fn is_wallet_origin(origin: &str) -> bool {
    let letters =
        |id: &str, len: usize| id.len() == len && id.bytes().all(|b| (b'a'..=b'p').contains(&b));
    if let Some(id) = origin.strip_prefix("chrome-extension://") {
        letters(id, 32)
    } else if let Some(id) = origin.strip_prefix("moz-extension://") {
        letters(id, 64)
    } else {
        false
    }
}

/// The add-on id of the Firefox package (`browser_specific_settings.gecko.id`). It fixes the
/// WebAuthn origin of every Firefox passkey ([`firefox_origin`]): changing it strands every
/// Firefox account's keys.
pub const FIREFOX_ADDON_ID: &str = "wallet@sso-wallet.app";

/// The relying party of Firefox passkeys: a domain the add-on lists in `host_permissions`.
pub const FIREFOX_RP_ID: &str = "sso-wallet.app";

/// Firefox's WebAuthn origin for the add-on `addon_id` (see the module doc; measured on
/// Firefox ESR 153 against a real `navigator.credentials.get`, `tests/firefox`).
pub fn firefox_origin(addon_id: &str) -> String {
    let digest = Sha256::digest(addon_id.as_bytes());
    let mut origin = String::with_capacity(16 + 64);
    origin.push_str("moz-extension://");
    for byte in digest {
        for nibble in [byte >> 4, byte & 0x0f] {
            origin.push(char::from(b'a' + nibble));
        }
    }
    origin
}

/// The origin the browser writes into `clientDataJSON` for the wallet's passkeys, given where
/// its pages are served from (`extension_origin`, `runtime.getURL("")` without the slash) and
/// its runtime id (the add-on id in Firefox).
pub fn webauthn_origin(extension_origin: &str, runtime_id: &str) -> String {
    match Browser::from_extension_origin(extension_origin) {
        Some(Browser::Firefox) => firefox_origin(runtime_id),
        _ => extension_origin.to_owned(),
    }
}

/// A passkey's default name where it is created: the browser and the operating system its
/// user agent names (`Chrome on Linux`; `Firefox` alone when the system is not recognised).
pub fn device_name(browser: Browser, user_agent: &str) -> String {
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("CrOS", "ChromeOS"),
        ("Windows", "Windows"),
        ("Macintosh", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(needle, _)| user_agent.contains(needle))
    .map(|(_, name)| name);
    match system {
        Some(system) => format!("{} on {system}", browser.name()),
        None => browser.name().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn device_names_say_browser_and_system() {
        let linux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36";
        assert_eq!(device_name(Browser::Chromium, linux), "Chrome on Linux");
        let android =
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/142 Mobile";
        assert_eq!(device_name(Browser::Chromium, android), "Chrome on Android");
        let mac =
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:140.0) Gecko/20100101 Firefox/140.0";
        assert_eq!(device_name(Browser::Firefox, mac), "Firefox on macOS");
        assert_eq!(device_name(Browser::Firefox, ""), "Firefox");
    }

    use super::*;

    #[test]
    fn firefox_origin_is_the_hashed_addon_id_in_letters() {
        // What Firefox ESR 153 wrote into clientDataJSON.origin for this add-on id.
        assert_eq!(
            firefox_origin("wallet@sso-wallet.app"),
            "moz-extension://nhlblpnfjhgomebdgpnjbboieaokioolbpeakllpkkfncdhgkefcopnjhlefdcfl"
        );
        assert_ne!(
            firefox_origin("other@example"),
            firefox_origin(FIREFOX_ADDON_ID)
        );
    }

    #[test]
    fn the_webauthn_origin_follows_the_browser() {
        let chrome = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";
        assert_eq!(
            webauthn_origin(chrome, "abcdefghijklmnopabcdefghijklmnop"),
            chrome
        );
        assert_eq!(
            webauthn_origin(
                "moz-extension://6b0f3c6e-1f2a-4d3b-9c8e-5a4b3c2d1e0f",
                FIREFOX_ADDON_ID
            ),
            firefox_origin(FIREFOX_ADDON_ID)
        );
        assert_eq!(Browser::from_extension_origin("https://a.example"), None);
        assert_eq!(Browser::Chromium.rp_id(), None);
        assert_eq!(Browser::Firefox.rp_id(), Some(FIREFOX_RP_ID));
    }

    #[test]
    fn wallet_origins_are_extension_origins_of_either_browser() {
        assert!(is_wallet_origin(&firefox_origin(FIREFOX_ADDON_ID)));
        assert!(is_wallet_origin(
            "chrome-extension://klngkmfjbnaadpkilgflmhgafbgidbnj"
        ));
        for other in [
            "https://sso-wallet.app",
            "chrome-extension://klngkmfjbnaadpkilgflmhgafbgidbn",
            "chrome-extension://KLNGKMFJBNAADPKILGFLMHGAFBGIDBNJ",
            "moz-extension://6b0f3c6e-1f2a-4d3b-9c8e-5a4b3c2d1e0f",
            "chrome-extension://klngkmfjbnaadpkilgflmhgafbgidbnj/",
            "",
        ] {
            assert!(!is_wallet_origin(other), "{other}");
        }
    }
}
