//! The `networks.json` files: what a build ships (the public networks `extension/presets.json`
//! names, the presets, and for a dev build the local devnet) and what a devnet writes for the
//! tests — one shape, below both `build` and `devnet`.

use std::fs;

use serde_json::{Value, json};

use crate::contracts::Addresses;
use crate::{Result, root};

/// Chain id of the local devnet.
pub const LOCAL_CHAIN_ID: u64 = 31337;
/// Where `cargo xtask devnet` / `demo` serve the devnet's ERC-7677 paymaster service: the local
/// devnet names it as its own sponsor, so an account there needs no ETH to start.
pub const LOCAL_PAYMASTER_PORT: u16 = 4338;

/// One network of a `networks.json`.
pub struct Network<'a> {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Its name in the wallet.
    pub name: &'a str,
    /// Its node.
    pub rpc_url: &'a str,
    /// Its ERC-4337 bundler.
    pub bundler_url: &'a str,
    /// Its block explorer, if any.
    pub explorer: Option<&'a str>,
    /// Its own ERC-7677 paymaster service, if any.
    pub sponsor: Option<&'a str>,
    /// The first block the wallet's log queries need (the contracts' deployment).
    pub from_block: u64,
    /// The contracts there.
    pub addresses: &'a Addresses,
}

/// A network as `networks.json` lists it.
pub fn network(network: &Network) -> Value {
    let mut entry = json!({
        "chainId": network.chain_id,
        "name": network.name,
        "rpcUrl": network.rpc_url,
        "bundlerUrl": network.bundler_url,
        "contracts": {
            "entryPoint": network.addresses.entry_point,
            "accountFactory": network.addresses.account_factory,
            "webauthnValidator": network.addresses.webauthn_validator,
            "sessionKeyValidator": network.addresses.session_key_validator,
            "guardianRecovery": network.addresses.guardian_recovery,
        },
        "fromBlock": network.from_block,
    });
    if let Some(explorer) = network.explorer {
        entry["explorerUrl"] = json!(explorer);
    }
    if let Some(sponsor) = network.sponsor {
        entry["sponsorUrl"] = json!(sponsor);
    }
    entry
}

/// A `networks.json`: `networks`, the first used being `default_chain_id`'s.
pub fn networks_file(default_chain_id: u64, networks: Vec<Value>) -> Value {
    json!({"defaultChainId": default_chain_id, "networks": networks})
}

/// Which build a network list is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    /// `dist/extension` (tests, `cargo xtask demo`): the local devnet first, and selected.
    Dev,
    /// The store zip: the public networks only, starting on the presets' `storeDefault`.
    Store,
}

/// `extension/presets.json`.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct PresetsFile {
    shipped: Vec<u64>,
    store_default: u64,
    presets: Vec<sso_wallet::network::Preset>,
}

/// The first block of the wallet's contracts on a chain, as `cargo xtask deploy` recorded it
/// in `deployments/<chain id>.json`; 0 (the chain's start) where nothing is recorded.
fn deployment_block(chain_id: u64) -> Result<u64> {
    let path = root().join(format!("deployments/{chain_id}.json"));
    let Ok(text) = fs::read_to_string(&path) else {
        return Ok(0);
    };
    let record: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(record["deploymentBlocks"]
        .as_object()
        .and_then(|blocks| blocks.values().filter_map(Value::as_u64).min())
        .unwrap_or(0))
}

/// The `networks.json` a build ships: the public networks `extension/presets.json` names (the
/// contracts at their CREATE2 addresses, read from the deployment block recorded for each
/// chain), every preset for the settings, and for a dev build the local devnet, selected.
pub fn shipped(addresses: &Addresses, build: Build) -> Result<Value> {
    let path = root().join("extension/presets.json");
    let file: PresetsFile = serde_json::from_str(
        &fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?,
    )
    .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut networks = Vec::new();
    if build == Build::Dev {
        networks.push(local_devnet(addresses));
    }
    for chain_id in &file.shipped {
        let preset = file
            .presets
            .iter()
            .find(|p| p.chain_id == *chain_id)
            .ok_or_else(|| format!("{}: no preset for shipped chain {chain_id}", path.display()))?;
        networks.push(network(&Network {
            chain_id: preset.chain_id,
            name: &preset.name,
            rpc_url: &preset.rpc_url,
            bundler_url: &preset.bundler_url,
            explorer: preset.explorer_url.as_deref(),
            sponsor: None,
            from_block: deployment_block(preset.chain_id)?,
            addresses,
        }));
    }
    let default = match build {
        Build::Dev => LOCAL_CHAIN_ID,
        Build::Store => file.store_default,
    };
    let mut list = networks_file(default, networks);
    list["presets"] = serde_json::to_value(&file.presets).map_err(|e| e.to_string())?;
    // The wallet reads it with the same checks (unique chain ids, the default listed).
    sso_wallet::network::Networks::from_json(&list.to_string())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(list)
}

/// The devnet's paymaster service at [`LOCAL_PAYMASTER_PORT`].
const LOCAL_SPONSOR_URL: &str = "http://127.0.0.1:4338";

/// The local devnet at the ports `cargo xtask devnet` / `demo` use.
fn local_devnet(addresses: &Addresses) -> Value {
    network(&Network {
        chain_id: LOCAL_CHAIN_ID,
        name: "Local devnet",
        rpc_url: "http://127.0.0.1:8545",
        bundler_url: "http://127.0.0.1:4337",
        explorer: None,
        sponsor: Some(LOCAL_SPONSOR_URL),
        from_block: 0,
        addresses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::Address;

    fn addresses() -> Addresses {
        Addresses {
            entry_point: Address::repeat_byte(1),
            account_factory: Address::repeat_byte(2),
            webauthn_validator: Address::repeat_byte(3),
            account_implementation: Address::repeat_byte(4),
            session_key_validator: Address::repeat_byte(5),
            guardian_recovery: Address::repeat_byte(6),
        }
    }

    #[test]
    fn the_store_build_starts_on_a_public_testnet_and_has_no_local_network() {
        let store = shipped(&addresses(), Build::Store).unwrap();
        let list = sso_wallet::network::Networks::from_json(&store.to_string()).unwrap();
        assert_eq!(list.default_chain_id, 11_155_111);
        let ids: Vec<u64> = list.networks.iter().map(|n| n.chain_id).collect();
        assert_eq!(ids, [11_155_111, 84_532, 11_155_420, 421_614]);
        for network in &list.networks {
            assert!(network.rpc_url.starts_with("https://"), "{network:?}");
            assert!(network.bundler_url.starts_with("https://"), "{network:?}");
            assert!(
                network
                    .explorer_url
                    .as_deref()
                    .is_some_and(|u| u.starts_with("https://"))
            );
            assert_eq!(network.contracts.account_factory, Address::repeat_byte(2));
        }
        assert!(!store.to_string().contains("127.0.0.1"));
        // Mainnets are presets the settings fill in, not networks the wallet starts with.
        assert!(list.preset(8453).is_some() && !list.ships(8453));
    }

    #[test]
    fn a_dev_build_adds_the_local_devnet_and_starts_on_it() {
        let dev = shipped(&addresses(), Build::Dev).unwrap();
        let list = sso_wallet::network::Networks::from_json(&dev.to_string()).unwrap();
        assert_eq!(list.default_chain_id, LOCAL_CHAIN_ID);
        assert_eq!(list.networks[0].rpc_url, "http://127.0.0.1:8545");
        assert!(list.ships(11_155_111));
        // The devnet pays its own accounts' fees; no public network names a sponsor.
        assert_eq!(
            list.networks[0].sponsor_url.as_deref(),
            Some("http://127.0.0.1:4338")
        );
        assert!(list.networks[1..].iter().all(|n| n.sponsor_url.is_none()));
    }
}
