//! Networks are data, not code: a list of chains the wallet can run the account on, each with
//! its RPC, bundler and contract addresses, and presets of chains the settings can fill in by
//! chain id. The build writes the shipped list (with the deterministic contract addresses) to
//! `networks.json` in the extension; the user's own networks, and their edits of shipped ones,
//! are stored beside it and win over it.

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
    /// The guardian recovery module ([`crate::guardian_recovery`]); absent from networks saved
    /// before it existed, where [`Networks::fill_recovery`] takes it from a shipped network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardian_recovery: Option<Address>,
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
    /// ERC-4337 bundler endpoint; `{apiKey}` in it stands for [`Network::bundler_api_key`].
    pub bundler_url: String,
    /// The bundler's API key, for a bundler URL with an `{apiKey}` placeholder (public bundlers
    /// often need one). It goes only into requests to the bundler, never into what the wallet
    /// shows or tells a site ([`Network::redact`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundler_api_key: Option<String>,
    /// Block explorer base URL, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explorer_url: Option<String>,
    /// An ERC-7677 paymaster service that pays the fees when a dapp names none (the user's
    /// setting): the approval window always says who pays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sponsor_url: Option<String>,
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

    /// The paymaster service to ask: the one a dapp named, else this network's own.
    pub fn sponsor(
        &self,
        named: Option<crate::erc7677::PaymasterService>,
    ) -> Option<crate::erc7677::PaymasterService> {
        named.or_else(|| {
            self.sponsor_url
                .clone()
                .map(|url| crate::erc7677::PaymasterService { url, context: None })
        })
    }

    /// The block range of one `eth_getLogs` on this network.
    pub fn log_range(&self) -> u64 {
        self.log_range
            .unwrap_or(crate::log_scan::DEFAULT_LOG_RANGE)
            .max(1)
    }

    /// The URL requests to the bundler go to: [`Network::bundler_url`] with its API key in
    /// place of `{apiKey}`.
    pub fn bundler_endpoint(&self) -> String {
        match &self.bundler_api_key {
            Some(key) => self.bundler_url.replace(API_KEY, key),
            None => self.bundler_url.clone(),
        }
    }

    /// `error` with this network's bundler API key taken out of every text it carries (an
    /// endpoint's URL, or its message quoting the URL).
    pub fn redact(&self, error: Error) -> Error {
        let Some(key) = self.bundler_api_key.as_deref().filter(|k| !k.is_empty()) else {
            return error;
        };
        let clean = |text: String| text.replace(key, API_KEY);
        match error {
            Error::Transport {
                url,
                message,
                transient,
            } => Error::Transport {
                url: clean(url),
                message: clean(message),
                transient,
            },
            Error::BadResponse { url, message } => Error::BadResponse {
                url: clean(url),
                message: clean(message),
            },
            Error::Rpc(mut rpc) => {
                rpc.message = clean(rpc.message);
                rpc.data = rpc.data.filter(|data| !data.to_string().contains(key));
                Error::Rpc(rpc)
            }
            other => other,
        }
    }
}

/// The placeholder a bundler URL has for its API key.
pub const API_KEY: &str = "{apiKey}";

/// A chain the settings can fill in by its id: where its public endpoints are. (The contracts
/// are the same on every chain; whether they are deployed there is checked when it is added.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preset {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Its name.
    pub name: String,
    /// A public node.
    pub rpc_url: String,
    /// A public ERC-4337 bundler (may have an `{apiKey}` placeholder).
    pub bundler_url: String,
    /// Its block explorer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explorer_url: Option<String>,
}

/// The wallet's network list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Networks {
    /// Chain id selected when the wallet starts.
    pub default_chain_id: u64,
    /// Every known network.
    pub networks: Vec<Network>,
    /// Chains the settings fill in by chain id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub presets: Vec<Preset>,
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

    /// The shipped list with the user's networks: one with a shipped chain id is the user's
    /// edit of that network and takes its place; the others follow. A user's network saved
    /// before the recovery module existed gets the module of the shipped network with the same
    /// account factory (the same build: every address is deterministic).
    pub fn with_added(mut self, added: &[Network]) -> Networks {
        for network in added {
            let mut network = network.clone();
            if network.contracts.guardian_recovery.is_none() {
                network.contracts.guardian_recovery = self
                    .networks
                    .iter()
                    .filter(|n| n.contracts.account_factory == network.contracts.account_factory)
                    .find_map(|n| n.contracts.guardian_recovery);
            }
            match self
                .networks
                .iter_mut()
                .find(|n| n.chain_id == network.chain_id)
            {
                Some(shipped) => *shipped = network,
                None => self.networks.push(network),
            }
        }
        self
    }

    /// Whether the wallet ships a network with this chain id.
    pub fn ships(&self, chain_id: u64) -> bool {
        self.networks.iter().any(|n| n.chain_id == chain_id)
    }

    /// The preset of a chain, if the wallet knows its endpoints.
    pub fn preset(&self, chain_id: u64) -> Option<&Preset> {
        self.presets.iter().find(|p| p.chain_id == chain_id)
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

    fn devnet() -> Network {
        Networks::from_json(&sample(31337)).unwrap().networks[0].clone()
    }

    #[test]
    fn a_dapps_sponsor_comes_before_the_networks_own() {
        let service = |url: &str| crate::erc7677::PaymasterService {
            url: url.into(),
            context: None,
        };
        assert_eq!(devnet().sponsor(None), None);
        let sponsored = Network {
            sponsor_url: Some("http://127.0.0.1:7/own".into()),
            ..devnet()
        };
        assert_eq!(
            sponsored.sponsor(None),
            Some(service("http://127.0.0.1:7/own"))
        );
        assert_eq!(
            sponsored.sponsor(Some(service("https://dapp.example/pm"))),
            Some(service("https://dapp.example/pm"))
        );
    }

    #[test]
    fn the_users_edit_of_a_shipped_network_takes_its_place() {
        let shipped = Networks::from_json(&sample(31337)).unwrap();
        let edited = Network {
            bundler_url: "https://bundler.example/{apiKey}".into(),
            ..devnet()
        };
        let other = Network {
            chain_id: 5,
            ..devnet()
        };
        let merged = shipped.clone().with_added(&[other.clone(), edited.clone()]);
        assert_eq!(merged.networks, vec![edited, other]);
        assert!(merged.ships(31337) && !merged.ships(1));
    }

    #[test]
    fn a_network_saved_before_the_recovery_module_gets_the_builds_module() {
        let module = Address::repeat_byte(9);
        let mut shipped = Networks::from_json(&sample(31337)).unwrap();
        shipped.networks[0].contracts.guardian_recovery = Some(module);
        // Stored JSON of an older release: no `guardianRecovery`.
        let old: Network = serde_json::from_value(
            serde_json::to_value(Network {
                chain_id: 5,
                ..devnet()
            })
            .unwrap(),
        )
        .unwrap();
        assert_eq!(old.contracts.guardian_recovery, None);
        let foreign = Network {
            chain_id: 6,
            contracts: Contracts {
                account_factory: Address::repeat_byte(7),
                ..devnet().contracts
            },
            ..devnet()
        };
        let merged = shipped.with_added(&[old, foreign]);
        assert_eq!(
            merged.get(5).unwrap().contracts.guardian_recovery,
            Some(module)
        );
        assert_eq!(
            merged.get(6).unwrap().contracts.guardian_recovery,
            None,
            "another build"
        );
    }

    #[test]
    fn the_api_key_goes_to_the_bundler_and_nowhere_else() {
        let network = Network {
            bundler_url: "https://api.bundler.example/v2/1/rpc?apikey={apiKey}".into(),
            bundler_api_key: Some("s3cret".into()),
            ..devnet()
        };
        assert_eq!(
            network.bundler_endpoint(),
            "https://api.bundler.example/v2/1/rpc?apikey=s3cret"
        );
        let leaked = Error::Transport {
            url: network.bundler_endpoint(),
            message: "HTTP 401".into(),
            transient: false,
        };
        let shown = network.redact(leaked).to_string();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("apikey={apiKey}"), "{shown}");
        let echoed = Error::Rpc(crate::jsonrpc::RpcError {
            code: -32000,
            message: "invalid key s3cret".into(),
            data: Some(serde_json::json!({"url": network.bundler_endpoint()})),
        });
        let Error::Rpc(rpc) = network.redact(echoed) else {
            panic!("still an rpc error")
        };
        assert_eq!(rpc.message, "invalid key {apiKey}");
        assert_eq!(rpc.data, None);
        // Without a key, the URL is used as it is.
        assert_eq!(devnet().bundler_endpoint(), "http://127.0.0.1:4337");
    }

    #[test]
    fn presets_are_found_by_chain_id() {
        let json = sample(31337).replacen(
            r#"{"defaultChainId""#,
            r#"{"presets": [{"chainId": 84532, "name": "Base Sepolia", "rpcUrl": "https://sepolia.base.org",
            "bundlerUrl": "https://public.pimlico.io/v2/84532/rpc", "explorerUrl": "https://sepolia.basescan.org"}],
            "defaultChainId""#,
            1,
        );
        let list = Networks::from_json(&json).unwrap();
        assert_eq!(list.preset(84532).unwrap().name, "Base Sepolia");
        assert!(list.preset(31337).is_none());
    }
}
