//! A passkey made in one browser for an account another browser holds: the code that carries it
//! across. Each browser's wallet signs for its own WebAuthn origin (`relying_party`), and the
//! validator binds each key to the origin it was registered with, so an account created in
//! Chrome can be used from Firefox (or the reverse) only once it has a passkey of that browser.
//!
//! 1. The new browser creates a passkey and signs the account's registration challenge with it
//!    (account, chain, validator, credential, key, its own origin: the proof of possession
//!    `addValidationKey` checks), and shows [`PasskeyLink::encode`]: one line of text.
//! 2. The browser that holds the account reads it ([`PasskeyLink::decode`], total and bounded),
//!    checks the proof exactly as the contract will ([`PasskeyLink::proof_rs`]) and registers the
//!    key with a passkey approval.
//! 3. The new browser logs in with its passkey as with any passkey added to an account
//!    (`getAccountList` under its own origin).
//!
//! The code holds nothing secret — a public key, a credential id and a signature that is only
//! good for registering that key with that account on that chain — but who adds it gives that
//! passkey control of the account, so the approval shows where it comes from.

use alloy_primitives::{Address, B256};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::recovery::MAX_ORIGIN_BYTES;
use crate::relying_party;
use crate::webauthn::{self, Assertion, Passkey};
use crate::{Error, Result};

/// What every code starts with (and its format version).
pub const PREFIX: &str = "sso-wallet-passkey-1:";
/// Most characters of a code (a real one is under 2,000).
pub const MAX_CODE_CHARS: usize = 8 * 1024;

/// A passkey of one browser, with its proof of possession for one account on one chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasskeyLink {
    /// The account it is for.
    pub account: Address,
    /// The chain the proof is for (the registration challenge includes it).
    pub chain_id: u64,
    /// The new passkey.
    pub passkey: Passkey,
    /// The WebAuthn origin it signs for (the new browser's wallet).
    pub origin: String,
    /// Its assertion over the registration challenge.
    pub proof: Assertion,
}

impl PasskeyLink {
    /// The code: [`PREFIX`] and the link's JSON in base64url.
    pub fn encode(&self) -> String {
        encode_code(PREFIX, self)
    }

    /// Reads a code pasted by the user (surrounding whitespace ignored). Anything else is a
    /// readable error.
    pub fn decode(code: &str) -> Result<Self> {
        let bad = |why: &str| Error::invalid_params(format!("This is not a passkey code: {why}."));
        let link: Self = decode_code(code, PREFIX, MAX_CODE_CHARS, bad)?;
        link.check().map_err(bad)?;
        Ok(link)
    }

    /// A link's own rules, whatever carries it: an origin the validator stores, a credential id
    /// it accepts, and a wallet's origin — a key bound to anything else could sign for no
    /// wallet: whoever made such a code wants something else than the user's other browser.
    /// `Err` says why not.
    pub fn check(&self) -> std::result::Result<(), &'static str> {
        if !(1..=MAX_ORIGIN_BYTES).contains(&self.origin.len())
            || self.passkey.credential_id.len() < 16
        {
            return Err("it names no usable passkey");
        }
        if !relying_party::is_wallet_origin(&self.origin) {
            return Err("its passkey is not for an SSO Wallet");
        }
        Ok(())
    }

    /// The registration challenge the proof signs, for the passkey validator `validator`.
    pub fn challenge(&self, validator: Address) -> B256 {
        webauthn::registration_challenge(
            self.account,
            self.chain_id,
            validator,
            &self.passkey,
            &self.origin,
        )
    }

    /// Checks the proof as `WebAuthnValidator.addValidationKey` will (challenge, origin, flags,
    /// low-s signature by the new key) and returns its `(r, s)`.
    pub fn proof_rs(&self, validator: Address) -> Result<[B256; 2]> {
        webauthn::verify_assertion(
            &self.passkey,
            &self.proof,
            self.challenge(validator),
            &self.origin,
        )
    }
}

/// A code one user gives another: `prefix` and `value`'s JSON in base64url (one line of text).
pub fn encode_code<T: Serialize>(prefix: &str, value: &T) -> String {
    let json = serde_json::to_vec(value).unwrap_or_default();
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(json))
}

/// Reads a code made by [`encode_code`] (surrounding whitespace ignored, at most `max`
/// characters): total; `bad` words each reason it is not one.
pub fn decode_code<T: DeserializeOwned>(
    code: &str,
    prefix: &str,
    max: usize,
    bad: impl Fn(&str) -> Error,
) -> Result<T> {
    let code = code.trim();
    if code.len() > max {
        return Err(bad("it is far too long"));
    }
    let body = code
        .strip_prefix(prefix)
        .ok_or_else(|| bad(&format!("it should start with {prefix}")))?;
    let json = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| bad("it was cut or changed"))?;
    serde_json::from_slice(&json).map_err(|_| bad("it was cut or changed"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::Bytes;
    use p256::ecdsa::signature::Signer;
    use p256::ecdsa::{Signature, SigningKey};
    use sha2::{Digest, Sha256};

    const FIREFOX: &str =
        "moz-extension://nhlblpnfjhgomebdgpnjbboieaokioolbpeakllpkkfncdhgkefcopnjhlefdcfl";

    /// A passkey's assertion over `hash` from `origin`, as an authenticator makes it (UP + UV).
    fn assert_over(key: &SigningKey, hash: B256, origin: &str) -> Assertion {
        let client_data = format!(
            "{{\"type\":\"webauthn.get\",\"challenge\":\"{}\",\"origin\":\"{origin}\",\"crossOrigin\":false}}",
            webauthn::challenge(hash)
        );
        let mut auth = vec![0u8; 37];
        auth[32] = webauthn::FLAG_UP | webauthn::FLAG_UV;
        let mut message = auth.clone();
        message.extend_from_slice(&Sha256::digest(client_data.as_bytes()));
        let signature: Signature = key.sign(&message);
        Assertion {
            authenticator_data: auth.into(),
            client_data_json: client_data,
            signature: signature.to_der().as_bytes().to_vec().into(),
        }
    }

    fn link(validator: Address) -> PasskeyLink {
        let key = SigningKey::from_slice(&[7u8; 32]).unwrap();
        let point = key.verifying_key().to_encoded_point(false);
        let mut link = PasskeyLink {
            account: Address::repeat_byte(0xaa),
            chain_id: 31337,
            passkey: Passkey {
                credential_id: Bytes::from(vec![9u8; 16]),
                public_key: [
                    B256::from_slice(point.x().unwrap()),
                    B256::from_slice(point.y().unwrap()),
                ],
            },
            origin: FIREFOX.into(),
            proof: Assertion::default(),
        };
        link.proof = assert_over(&key, link.challenge(validator), FIREFOX);
        link
    }

    #[test]
    fn a_code_reads_back_and_its_proof_checks_for_its_account_chain_and_validator() {
        let validator = Address::repeat_byte(0x55);
        let link = link(validator);
        let code = link.encode();
        assert!(code.starts_with(PREFIX));
        let read = PasskeyLink::decode(&format!("  {code}\n")).unwrap();
        assert_eq!(read, link);
        assert!(read.proof_rs(validator).is_ok());
        // The proof is good for nothing else.
        assert!(read.proof_rs(Address::repeat_byte(0x56)).is_err());
        let mut other_account = read.clone();
        other_account.account = Address::repeat_byte(0xab);
        assert!(other_account.proof_rs(validator).is_err());
        let mut other_chain = read.clone();
        other_chain.chain_id = 1;
        assert!(other_chain.proof_rs(validator).is_err());
        let mut other_origin = read;
        other_origin.origin = "chrome-extension://abc".into();
        assert!(other_origin.proof_rs(validator).is_err());
    }

    #[test]
    fn anything_else_is_a_readable_error() {
        let code = link(Address::ZERO).encode();
        for bad in [
            String::new(),
            "hello".into(),
            code.replace(PREFIX, "sso-wallet-passkey-2:"),
            code[..code.len() - 10].to_owned(),
            format!("{code}!"),
            format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(b"{\"account\":1}")),
            "x".repeat(MAX_CODE_CHARS + 1),
        ] {
            let error = PasskeyLink::decode(&bad).unwrap_err();
            assert!(
                error.to_string().contains("not a passkey code"),
                "{bad:.40}: {error}"
            );
        }
    }

    #[test]
    fn a_passkey_for_anything_but_a_wallet_is_refused_even_with_a_good_proof() {
        // Whoever holds a key can make a valid proof for any origin: the origin itself is checked.
        let key = SigningKey::from_slice(&[7u8; 32]).unwrap(); // the key `link` uses
        let mut web = link(Address::ZERO);
        web.origin = "https://sso-wallet.app".into();
        web.proof = assert_over(&key, web.challenge(Address::ZERO), &web.origin);
        let error = PasskeyLink::decode(&web.encode()).unwrap_err();
        assert!(
            error.to_string().contains("not for an SSO Wallet"),
            "{error}"
        );
    }

    proptest::proptest! {
        #[test]
        fn decoding_is_total(text in ".{0,300}") {
            let _ = PasskeyLink::decode(&text);
            let _ = PasskeyLink::decode(&format!("{PREFIX}{text}"));
        }
    }
}
