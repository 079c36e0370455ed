//! `cargo xtask build`: contracts, the two wasm crates (release → wasm-bindgen `--target web` →
//! `wasm-opt -Oz`), the hand-written JS and static files, `networks.json` with the deterministic
//! contract addresses, the manifest → `dist/extension/` (a dev build: the local devnet first),
//! and a store-ready zip in `dist/` (the public testnets only, starting on Ethereum Sepolia).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::contracts::{self, Addresses};
use crate::{Result, proc, root, setup};

/// Output folder of the unpacked extension.
pub fn extension_dir() -> PathBuf {
    root().join("dist/extension")
}

const WASM_CRATES: &[(&str, &str)] = &[
    ("sso-wallet-extension", "background"),
    ("sso-wallet-ui", "ui"),
];

/// wasm-opt settings (Debian's old binaryen breaks Chromium; the npm one is pinned).
pub const WASM_OPT_FLAGS: &[&str] = &[
    "-Oz",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Builds everything; returns the contract addresses written into `networks.json`.
pub fn run() -> Result<Addresses> {
    setup::wasm_toolchain()?;
    setup::npm()?;
    contracts::build()?;
    let (_, addresses) = contracts::plan()?;

    println!("build: wasm crates (release)");
    let mut cargo = Command::new("cargo");
    cargo.args(["build", "--release", "--target", "wasm32-unknown-unknown"]);
    for (krate, _) in WASM_CRATES {
        cargo.args(["-p", krate]);
    }
    proc::run("cargo build (wasm)", cargo.current_dir(root()))?;

    let out = extension_dir();
    if out.exists() {
        fs::remove_dir_all(&out).map_err(|e| format!("clean {}: {e}", out.display()))?;
    }
    let wasm_out = out.join("wasm");
    fs::create_dir_all(&wasm_out).map_err(|e| e.to_string())?;
    for (krate, name) in WASM_CRATES {
        let input = root().join(format!(
            "target/wasm32-unknown-unknown/release/{}.wasm",
            krate.replace('-', "_")
        ));
        proc::run(
            "wasm-bindgen",
            Command::new(setup::wasm_bindgen_path())
                .args([
                    "--target",
                    "web",
                    "--no-typescript",
                    "--out-name",
                    name,
                    "--out-dir",
                ])
                .arg(&wasm_out)
                .arg(&input),
        )?;
        let wasm = wasm_out.join(format!("{name}_bg.wasm"));
        proc::run(
            "wasm-opt",
            Command::new(setup::node_bin("wasm-opt"))
                .args(WASM_OPT_FLAGS)
                .arg(&wasm)
                .arg("-o")
                .arg(&wasm),
        )?;
    }

    copy_dir(&root().join("extension/js"), &out)?;
    copy_dir(&root().join("extension/static"), &out)?;
    write_home_page(&out)?;
    write_json(
        &out.join("networks.json"),
        &shipped_networks(&addresses, Build::Dev)?,
    )?;
    let manifest = read_manifest()?;
    write_json(&out.join("manifest.json"), &manifest)?;
    let zip = store_zip(
        &out,
        &manifest,
        &shipped_networks(&addresses, Build::Store)?,
    )?;
    println!("build: dist/extension ready; store zip {}", zip.display());
    Ok(addresses)
}

/// `home.html` (the toolbar popup) is `approval.html` with `<body data-page="home">`: one page
/// source, two entry points of the same UI bundle.
fn write_home_page(out: &std::path::Path) -> Result {
    let approval = std::fs::read_to_string(out.join("approval.html"))
        .map_err(|e| format!("reading approval.html: {e}"))?;
    let home = approval.replacen("<body>", "<body data-page=\"home\">", 1);
    if home == approval {
        return Err(
            "extension/static/approval.html has no plain <body> to mark as the home page".into(),
        );
    }
    std::fs::write(out.join("home.html"), home).map_err(|e| format!("writing home.html: {e}"))?;
    Ok(())
}

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
        },
        "fromBlock": network.from_block,
    });
    if let Some(explorer) = network.explorer {
        entry["explorerUrl"] = json!(explorer);
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
pub fn shipped_networks(addresses: &Addresses, build: Build) -> Result<Value> {
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
            from_block: deployment_block(preset.chain_id)?,
            addresses,
        }));
    }
    let default = match build {
        Build::Dev => crate::devnet::CHAIN_ID,
        Build::Store => file.store_default,
    };
    let mut list = networks_file(default, networks);
    list["presets"] = serde_json::to_value(&file.presets).map_err(|e| e.to_string())?;
    // The wallet reads it with the same checks (unique chain ids, the default listed).
    sso_wallet::network::Networks::from_json(&list.to_string())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(list)
}

/// The local devnet at the ports `cargo xtask devnet` / `demo` use.
fn local_devnet(addresses: &Addresses) -> Value {
    network(&Network {
        chain_id: crate::devnet::CHAIN_ID,
        name: "Local devnet",
        rpc_url: "http://127.0.0.1:8545",
        bundler_url: "http://127.0.0.1:4337",
        explorer: None,
        from_block: 0,
        addresses,
    })
}

fn read_manifest() -> Result<Value> {
    let text = fs::read_to_string(root().join("manifest.json"))
        .map_err(|e| format!("manifest.json: {e}"))?;
    let mut manifest: Value =
        serde_json::from_str(&text).map_err(|e| format!("manifest.json: {e}"))?;
    // Stamp the build: the version comes from the core crate.
    manifest["version"] = json!(env!("CARGO_PKG_VERSION"));
    Ok(manifest)
}

/// Writes pretty JSON.
pub fn write_json(path: &Path, value: &Value) -> Result {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))
}

/// Copies a folder's files (recursively) into `to`.
pub fn copy_dir(from: &Path, to: &Path) -> Result {
    fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) -> Result {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// The Chrome Web Store rejects a manifest `key` (the store assigns the id), so the zip's
/// manifest omits it; everything else is the unpacked extension.
fn store_zip(dir: &Path, manifest: &Value, networks: &Value) -> Result<PathBuf> {
    let path = root().join(format!("dist/sso-wallet-{}.zip", env!("CARGO_PKG_VERSION")));
    let file = fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut all = Vec::new();
    files(dir, &mut all)?;
    for file in all {
        let name = file
            .strip_prefix(dir)
            .map_err(|e| e.to_string())?
            .to_string_lossy()
            .into_owned();
        let bytes = if name == "manifest.json" {
            let mut store = manifest.clone();
            store.as_object_mut().map(|m| m.remove("key"));
            serde_json::to_vec_pretty(&store).map_err(|e| e.to_string())?
        } else if name == "networks.json" {
            serde_json::to_vec_pretty(networks).map_err(|e| e.to_string())?
        } else {
            fs::read(&file).map_err(|e| e.to_string())?
        };
        zip.start_file(name, options).map_err(|e| e.to_string())?;
        zip.write_all(&bytes).map_err(|e| e.to_string())?;
    }
    zip.finish().map_err(|e| e.to_string())?;
    Ok(path)
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
        }
    }

    #[test]
    fn the_store_build_starts_on_a_public_testnet_and_has_no_local_network() {
        let store = shipped_networks(&addresses(), Build::Store).unwrap();
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
        let dev = shipped_networks(&addresses(), Build::Dev).unwrap();
        let list = sso_wallet::network::Networks::from_json(&dev.to_string()).unwrap();
        assert_eq!(list.default_chain_id, crate::devnet::CHAIN_ID);
        assert_eq!(list.networks[0].rpc_url, "http://127.0.0.1:8545");
        assert!(list.ships(11_155_111));
    }
}
