//! The persisted wallet state (`chrome.storage.local`, key [`WALLET_KEY`]). It is versioned:
//! [`WalletState::load`] migrates older versions step by step and refuses newer ones instead of
//! overwriting them, so an account is never lost.
//!
//! Versions: 1 — account, connected sites, selected chain (later also sessions and added
//! networks, defaulted when absent); 2 — adds the user's tokens and the lock settings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::account::Account;
use crate::{Error, Result};

/// Storage key of the wallet state.
pub const WALLET_KEY: &str = "wallet";

/// Current schema version.
pub const SCHEMA_VERSION: u32 = 2;

/// A site the user connected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    /// When it was granted (ms since the Unix epoch).
    pub granted_at: u64,
}

/// A token the user added to the home view: an ERC-20, or one NFT (ERC-721 / ERC-1155).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Token {
    /// The chain it lives on.
    pub chain_id: u64,
    /// The token contract.
    pub address: alloy_primitives::Address,
    /// `symbol()`, read when it was added (an NFT collection without one: empty).
    pub symbol: String,
    /// `decimals()`, read when it was added (0 for an NFT).
    pub decimals: u8,
    /// The NFT, when this is one (absent for ERC-20s, and in data older than NFTs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nft: Option<crate::nft::Nft>,
}

impl Token {
    /// Whether this is the same token: same chain and contract, and for an NFT the same id.
    pub fn is(
        &self,
        chain_id: u64,
        address: alloy_primitives::Address,
        token_id: Option<alloy_primitives::U256>,
    ) -> bool {
        self.chain_id == chain_id
            && self.address == address
            && self.nft.as_ref().map(|n| n.token_id) == token_id
    }
}

/// Everything the wallet keeps across browser restarts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WalletState {
    /// Schema version.
    pub version: u32,
    /// The account, once created.
    pub account: Option<Account>,
    /// Connected origins.
    pub grants: BTreeMap<String, Grant>,
    /// The selected network.
    pub chain_id: Option<u64>,
    /// Sessions the wallet created (their keys live apart, in memory-only storage).
    #[serde(default)]
    pub sessions: Vec<crate::session::registry::SessionRecord>,
    /// Networks the user added (EIP-3085), besides the shipped list.
    #[serde(default)]
    pub networks: Vec<crate::network::Network>,
    /// Tokens the user added to the home view.
    pub tokens: Vec<Token>,
    /// The lock settings.
    pub lock: crate::lock::LockSettings,
    /// The account's modules as last read from the chain or installed here, per network (a
    /// fallback handler with the selectors it was installed for): what dapps' calls may not
    /// target, and the selectors an uninstall needs.
    #[serde(default)]
    pub modules: Vec<crate::modules::KnownModuleInstall>,
    /// A guardian recovery this browser started, before it has the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovering: Option<crate::guardian_recovery::Recovering>,
    /// Names of passkeys, given where they were created or renamed (this browser's record only:
    /// names are not on chain).
    #[serde(default)]
    pub passkey_names: Vec<PasskeyName>,
}

/// A passkey's name, as this browser knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasskeyName {
    /// The credential id.
    pub credential_id: alloy_primitives::Bytes,
    /// The name.
    pub name: String,
}

/// Most characters of a passkey's name.
pub const MAX_PASSKEY_NAME_CHARS: usize = 40;
/// Most passkey names kept.
pub const MAX_PASSKEY_NAMES: usize = 64;

impl Default for WalletState {
    fn default() -> Self {
        WalletState {
            version: SCHEMA_VERSION,
            account: None,
            grants: BTreeMap::new(),
            chain_id: None,
            sessions: Vec::new(),
            networks: Vec::new(),
            tokens: Vec::new(),
            lock: crate::lock::LockSettings::default(),
            modules: Vec::new(),
            recovering: None,
            passkey_names: Vec::new(),
        }
    }
}

impl WalletState {
    /// Names the passkey `credential_id` (trimmed; hidden characters shown as `�`, cut at
    /// [`MAX_PASSKEY_NAME_CHARS`] — `crate::untrusted::clip`); an empty name forgets it. At most [`MAX_PASSKEY_NAMES`] are
    /// kept: the oldest goes.
    pub fn name_passkey(&mut self, credential_id: &alloy_primitives::Bytes, name: &str) {
        let name = crate::untrusted::clip(name.trim(), MAX_PASSKEY_NAME_CHARS);
        self.passkey_names
            .retain(|n| &n.credential_id != credential_id);
        if name.is_empty() {
            return;
        }
        if self.passkey_names.len() >= MAX_PASSKEY_NAMES {
            self.passkey_names.remove(0);
        }
        self.passkey_names.push(PasskeyName {
            credential_id: credential_id.clone(),
            name,
        });
    }

    /// The name of a passkey, if this browser knows one.
    pub fn passkey_name(&self, credential_id: &alloy_primitives::Bytes) -> Option<&str> {
        self.passkey_names
            .iter()
            .find(|n| &n.credential_id == credential_id)
            .map(|n| n.name.as_str())
    }

    /// Reads stored state: nothing stored gives a fresh state; an older version is migrated; a
    /// newer (or unknown) one is refused.
    pub fn load(stored: Option<Value>) -> Result<Self> {
        let Some(mut value) = stored.filter(|v| !v.is_null()) else {
            return Ok(WalletState::default());
        };
        let version = value.get("version").and_then(Value::as_u64).unwrap_or(0);
        if version == 1 {
            migrate_1_to_2(&mut value)?;
        } else if version != u64::from(SCHEMA_VERSION) {
            return Err(Error::Storage(format!(
                "stored wallet has schema version {version}; this build reads versions 1 to {SCHEMA_VERSION}"
            )));
        }
        serde_json::from_value(value).map_err(|e| Error::Storage(e.to_string()))
    }

    /// The modules the wallet knows installed on `account` on `chain_id` (what dapps' calls may
    /// not target).
    pub fn known_modules(
        &self,
        chain_id: u64,
        account: alloy_primitives::Address,
    ) -> Vec<alloy_primitives::Address> {
        self.modules
            .iter()
            .filter(|m| m.chain_id == chain_id && m.account == account)
            .map(|m| m.installed.module)
            .collect()
    }

    /// Whether `origin` may see the account.
    pub fn is_connected(&self, origin: &str) -> bool {
        self.account.is_some() && self.grants.contains_key(origin)
    }
}

/// Version 1 → 2: no tokens yet, the lock off.
fn migrate_1_to_2(value: &mut Value) -> Result<()> {
    let map = value
        .as_object_mut()
        .ok_or_else(|| Error::Storage("stored wallet is not an object".into()))?;
    map.insert("tokens".into(), Value::Array(Vec::new()));
    map.insert(
        "lock".into(),
        serde_json::to_value(crate::lock::LockSettings::default())
            .map_err(|e| Error::Storage(e.to_string()))?,
    );
    map.insert("version".into(), Value::from(2));
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn passkey_names_are_cleaned_bounded_and_replaced() {
        let mut w = WalletState::default();
        let id = |b: u8| alloy_primitives::Bytes::from(vec![b; 16]);
        w.name_passkey(&id(1), "  Work laptop\u{202e}\n ");
        assert_eq!(w.passkey_name(&id(1)), Some("Work laptop\u{FFFD}"));
        w.name_passkey(&id(1), "Phone");
        assert_eq!(w.passkey_name(&id(1)), Some("Phone"));
        assert_eq!(w.passkey_names.len(), 1);
        w.name_passkey(&id(2), &"x".repeat(100));
        assert_eq!(
            w.passkey_name(&id(2)).unwrap().chars().count(),
            MAX_PASSKEY_NAME_CHARS + 1
        );
        w.name_passkey(&id(2), " ");
        assert_eq!(w.passkey_name(&id(2)), None);
        for b in 0..=(MAX_PASSKEY_NAMES as u8) {
            w.name_passkey(&id(b.wrapping_add(10)), "n");
        }
        assert_eq!(w.passkey_names.len(), MAX_PASSKEY_NAMES);
        // State a release without names wrote reads back with none.
        let old = serde_json::json!({"version": SCHEMA_VERSION, "account": null, "grants": {},
            "chainId": null, "tokens": [], "lock": crate::lock::LockSettings::default()});
        assert!(
            WalletState::load(Some(old))
                .unwrap()
                .passkey_names
                .is_empty()
        );
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn empty_storage_is_a_fresh_wallet() {
        assert_eq!(WalletState::load(None).unwrap(), WalletState::default());
    }

    #[test]
    fn migrates_version_1_data() {
        // What the first release wrote: schema 1 with an account, without sessions or networks.
        let stored = json!({
            "version": 1,
            "account": {
                "address": "0x1111111111111111111111111111111111111111",
                "salt": "0x0000000000000000000000000000000000000000000000000000000000000000",
                "passkey": {
                    "credentialId": "0x07070707070707070707070707070707",
                    "publicKey": [
                        "0x0101010101010101010101010101010101010101010101010101010101010101",
                        "0x0202020202020202020202020202020202020202020202020202020202020202"
                    ]
                },
                "originDomain": "chrome-extension://abc"
            },
            "grants": { "https://dapp.example": { "grantedAt": 1_763_700_000_000u64 } },
            "chainId": 31337
        });
        let state = WalletState::load(Some(stored)).unwrap();
        assert_eq!(state.version, SCHEMA_VERSION);
        let account = state.account.as_ref().unwrap();
        assert_eq!(account.origin_domain, "chrome-extension://abc");
        assert_eq!(account.passkey.credential_id.len(), 16);
        assert_eq!(state.chain_id, Some(31337));
        assert!(state.grants.contains_key("https://dapp.example"));
        assert!(state.sessions.is_empty() && state.networks.is_empty());
        assert!(state.tokens.is_empty());
        assert!(!state.lock.enabled);
        // Written back, it is version 2 and keeps everything it had.
        let written = serde_json::to_value(&state).unwrap();
        assert_eq!(written["version"], 2);
        assert_eq!(WalletState::load(Some(written)).unwrap(), state);
    }

    #[test]
    fn round_trips_and_refuses_unknown_versions() {
        let mut state = WalletState::default();
        state
            .grants
            .insert("https://a".into(), Grant { granted_at: 5 });
        let stored = serde_json::to_value(&state).unwrap();
        assert_eq!(WalletState::load(Some(stored)).unwrap(), state);
        assert!(WalletState::load(Some(json!({"version": 99}))).is_err());
        assert!(WalletState::load(Some(json!({"version": 0}))).is_err());
        assert!(WalletState::load(Some(json!({"version": 1, "grants": 5}))).is_err());
    }
}
