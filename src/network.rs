//! Networks are data, not code: a list of chains the wallet can run the account on, each with
//! its RPC, bundler and contract addresses. The build writes the default list (with the
//! deterministic contract addresses) to `networks.json` in the extension.

use alloy_primitives::Address;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The contracts the account needs on a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contracts {
    /// EntryPoint v0.8.
    pub entry_point: Address,
    /// The deterministic account factory.
    pub account_factory: Address,
    /// The passkey validator module.
    pub webauthn_validator: Address,
    /// The session key validator module.
    pub session_key_validator: Address,
}

/// One chain the wallet can use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Network {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Human-readable name.
    pub name: String,
    /// JSON-RPC endpoint of a node.
    pub rpc_url: String,
    /// ERC-4337 bundler endpoint.
    pub bundler_url: String,
    /// Block explorer base URL, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explorer_url: Option<String>,
    /// Contract addresses.
    pub contracts: Contracts,
    /// The first block the wallet's log queries read: the block its contracts were deployed in
    /// there (`cargo xtask deploy` records it). 0 reads from the chain's start.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub from_block: u64,
    /// The most blocks one `eth_getLogs` may span on this network's RPC (shrunk further when the
    /// node refuses it). [`crate::log_scan::DEFAULT_LOG_RANGE`] when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_range: Option<u64>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Network {
    /// The chain id as the `0x`-hex string EIP-1193 uses.
    pub fn chain_id_hex(&self) -> String {
        format!("{:#x}", self.chain_id)
    }

    /// The block range of one `eth_getLogs` on this network.
    pub fn log_range(&self) -> u64 {
        self.log_range
            .unwrap_or(crate::log_scan::DEFAULT_LOG_RANGE)
            .max(1)
    }
}

/// The wallet's network list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Networks {
    /// Chain id selected when the wallet starts.
    pub default_chain_id: u64,
    /// Every known network.
    pub networks: Vec<Network>,
}

impl Networks {
    /// Parses and checks a network list (non-empty, unique chain ids, default present).
    pub fn from_json(json: &str) -> Result<Self> {
        let list: Networks = serde_json::from_str(json)
            .map_err(|e| Error::Internal(format!("networks.json is invalid: {e}")))?;
        list.check()?;
        Ok(list)
    }

    fn check(&self) -> Result<()> {
        for (i, n) in self.networks.iter().enumerate() {
            if self.networks[..i].iter().any(|m| m.chain_id == n.chain_id) {
                return Err(Error::Internal(format!(
                    "chain {} listed twice",
                    n.chain_id
                )));
            }
        }
        self.get(self.default_chain_id).map(|_| ())
    }

    /// The shipped list plus the networks the user added (shipped entries win on a clash).
    pub fn with_added(mut self, added: &[Network]) -> Networks {
        for network in added {
            if !self.networks.iter().any(|n| n.chain_id == network.chain_id) {
                self.networks.push(network.clone());
            }
        }
        self
    }

    /// The network with this chain id.
    pub fn get(&self, chain_id: u64) -> Result<&Network> {
        self.networks
            .iter()
            .find(|n| n.chain_id == chain_id)
            .ok_or_else(|| Error::Internal(format!("unknown chain {chain_id}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(default: u64) -> String {
        format!(
            r#"{{"defaultChainId": {default}, "networks": [{{"chainId": 31337, "name": "Local devnet",
            "rpcUrl": "http://127.0.0.1:8545", "bundlerUrl": "http://127.0.0.1:4337",
            "contracts": {{"entryPoint": "0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108",
            "accountFactory": "0x0000000000000000000000000000000000000001",
            "webauthnValidator": "0x0000000000000000000000000000000000000002",
            "sessionKeyValidator": "0x0000000000000000000000000000000000000003"}}}}]}}"#
        )
    }

    #[test]
    fn parses_list_and_formats_chain_id() {
        let list = Networks::from_json(&sample(31337)).unwrap();
        assert_eq!(list.get(31337).unwrap().chain_id_hex(), "0x7a69");
    }

    #[test]
    fn refuses_missing_default() {
        assert!(Networks::from_json(&sample(1)).is_err());
    }
}
