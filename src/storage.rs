//! The persisted wallet state (`chrome.storage.local`, key [`WALLET_KEY`]). It is versioned:
//! [`WalletState::load`] migrates older versions and refuses newer ones instead of overwriting
//! them, so an account is never lost.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::account::Account;
use crate::{Error, Result};

/// Storage key of the wallet state.
pub const WALLET_KEY: &str = "wallet";

/// Current schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// A site the user connected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    /// When it was granted (ms since the Unix epoch).
    pub granted_at: u64,
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
}

impl Default for WalletState {
    fn default() -> Self {
        WalletState {
            version: SCHEMA_VERSION,
            account: None,
            grants: BTreeMap::new(),
            chain_id: None,
            sessions: Vec::new(),
            networks: Vec::new(),
        }
    }
}

impl WalletState {
    /// Reads stored state: nothing stored gives a fresh state; a newer version is refused.
    pub fn load(stored: Option<Value>) -> Result<Self> {
        let Some(value) = stored.filter(|v| !v.is_null()) else {
            return Ok(WalletState::default());
        };
        let version = value.get("version").and_then(Value::as_u64).unwrap_or(0);
        if version != u64::from(SCHEMA_VERSION) {
            return Err(Error::Storage(format!(
                "stored wallet has schema version {version}; this build reads version {SCHEMA_VERSION}"
            )));
        }
        serde_json::from_value(value).map_err(|e| Error::Storage(e.to_string()))
    }

    /// Whether `origin` may see the account.
    pub fn is_connected(&self, origin: &str) -> bool {
        self.account.is_some() && self.grants.contains_key(origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_storage_is_a_fresh_wallet() {
        assert_eq!(WalletState::load(None).unwrap(), WalletState::default());
    }

    #[test]
    fn loads_data_written_before_sessions_and_added_networks() {
        // What the previous release wrote: schema 1 without `sessions` / `networks`.
        let stored = json!({
            "version": 1,
            "account": null,
            "grants": { "https://dapp.example": { "grantedAt": 1_763_700_000_000u64 } },
            "chainId": 31337
        });
        let state = WalletState::load(Some(stored)).unwrap();
        assert_eq!(state.chain_id, Some(31337));
        assert!(state.grants.contains_key("https://dapp.example"));
        assert!(state.sessions.is_empty() && state.networks.is_empty());
        // Written back, it keeps everything it had.
        let again = WalletState::load(Some(serde_json::to_value(&state).unwrap())).unwrap();
        assert_eq!(again, state);
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
    }
}
