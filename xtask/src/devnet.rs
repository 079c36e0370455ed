//! `cargo xtask devnet`: anvil (P256 precompile on) + EntryPoint v0.8 at its canonical address +
//! the project's contracts at deterministic CREATE2 addresses (the factory staked, as ERC-7562
//! requires of a factory whose deployments touch the account's storage in the validator) + the
//! alto bundler behind an ERC-7562 guard (`bundler.rs`: what a public bundler refuses, it
//! refuses), all on 127.0.0.1. Writes `target/devnet/devnet.json`; stops everything it started on
//! ^C / SIGTERM.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::contracts;
use crate::proc::{self, Guard};
use crate::{Result, build, bundler, deploy, root, setup};

/// Where the devnet listens.
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    /// anvil's JSON-RPC port.
    pub rpc: u16,
    /// alto's port.
    pub bundler: u16,
}

/// A running devnet; dropping it stops its processes.
pub struct Devnet {
    /// What `devnet.json` says.
    pub info: Value,
    /// Where `devnet.json` is.
    pub info_path: PathBuf,
    // Drop order: the bundler before the chain.
    _alto: Guard,
    _anvil: Guard,
}

/// Chain id of the devnet.
pub const CHAIN_ID: u64 = 31337;
/// Chain id of the second devnet the end-to-end tests add with `wallet_addEthereumChain`.
pub const SECOND_CHAIN_ID: u64 = 31338;

/// A JSON-RPC call over HTTP.
pub fn rpc(url: &str, method: &str, params: Value) -> Result<Value> {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    // alto insists on exactly `application/json` (ureq adds a charset to send_json).
    let mut response = ureq::post(url)
        .header("content-type", "application/json")
        .send(body.to_string())
        .map_err(|e| format!("{method} at {url}: {e}"))?;
    let value: Value = response
        .body_mut()
        .read_json()
        .map_err(|e| format!("{method} at {url}: {e}"))?;
    if let Some(error) = value.get("error") {
        return Err(format!("{method} at {url}: {error}"));
    }
    Ok(value.get("result").cloned().unwrap_or(Value::Null))
}

fn wait_until(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) -> Result {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if ready() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("{what} was not ready within {timeout:?}"))
}

/// The funded accounts anvil writes to its `--config-out` file.
#[derive(serde::Deserialize)]
pub struct AnvilAccounts {
    available_accounts: Vec<String>,
    private_keys: Vec<String>,
}

impl AnvilAccounts {
    /// Account `i`'s address and private key (hex).
    pub fn account(&self, i: usize) -> Result<(String, String)> {
        match (self.available_accounts.get(i), self.private_keys.get(i)) {
            (Some(address), Some(key)) => Ok((address.clone(), key.clone())),
            _ => Err(format!("anvil has no account {i}")),
        }
    }

    /// Account `i`'s private key (hex).
    pub fn key(&self, i: usize) -> Result<String> {
        self.account(i).map(|(_, key)| key)
    }
}

/// Starts a bare anvil (chain `chain_id`, on `port`, log and config under `dir`; a block every
/// `block_time` seconds, or one per transaction) and returns it with its funded accounts: nothing
/// deployed yet.
pub fn start_anvil(
    chain_id: u64,
    port: u16,
    dir: &std::path::Path,
    block_time: Option<u32>,
) -> Result<(Guard, AnvilAccounts)> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let url = format!("http://127.0.0.1:{port}");
    let anvil_config = dir.join("anvil.json");
    let _ = std::fs::remove_file(&anvil_config);
    let anvil_log = dir.join("anvil.log");
    let mut anvil = Command::new(setup::node_bin("anvil"));
    anvil
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--chain-id", &chain_id.to_string()])
        .arg("--config-out")
        .arg(&anvil_config);
    if let Some(seconds) = block_time {
        anvil.args(["--block-time", &seconds.to_string()]);
    }
    let mut anvil = proc::spawn("anvil", anvil, &anvil_log)?;
    wait_until("anvil", Duration::from_secs(15), || {
        rpc(&url, "eth_chainId", json!([])).is_ok() && anvil_config.exists()
    })
    .and_then(|_| anvil.check_alive(&anvil_log))?;
    let config: AnvilAccounts =
        serde_json::from_str(&std::fs::read_to_string(&anvil_config).map_err(|e| e.to_string())?)
            .map_err(|e| format!("anvil config: {e}"))?;
    Ok((anvil, config))
}

/// Starts the devnet (chain [`CHAIN_ID`]) on `ports`, with state and logs under `dir`.
pub fn start(ports: Ports, dir: PathBuf) -> Result<Devnet> {
    start_chain(CHAIN_ID, ports, dir, None)
}

/// Starts a devnet with chain id `chain_id`: the same contracts at the same addresses; with
/// `block_time`, a block every that many seconds (as on a public chain) instead of one per
/// transaction.
pub fn start_chain(
    chain_id: u64,
    ports: Ports,
    dir: PathBuf,
    block_time: Option<u32>,
) -> Result<Devnet> {
    setup::npm()?;
    if !root()
        .join("contracts/out/AccountFactory.sol/AccountFactory.json")
        .exists()
    {
        contracts::build()?;
    }
    let rpc_url = format!("http://127.0.0.1:{}", ports.rpc);
    let bundler_url = format!("http://127.0.0.1:{}", ports.bundler);
    let (anvil, config) = start_anvil(chain_id, ports.rpc, &dir, block_time)?;
    let key = |i: usize| config.key(i);
    let (deployer, _) = config.account(0)?;
    // The P256VERIFY precompile must be live: the passkey validator relies on it for gas.
    let p256 = rpc(
        &rpc_url,
        "eth_call",
        json!([{"to": "0x0000000000000000000000000000000000000100", "data": "0x"}, "latest"]),
    );
    if p256.is_err() {
        return Err("anvil has no P256VERIFY precompile at 0x100".into());
    }

    // The same command a release engineer runs on a public chain, with anvil's first key.
    let deployed = deploy::deploy(&deploy::Options {
        rpc_url: rpc_url.clone(),
        signer: Some(
            key(0)?
                .parse()
                .map_err(|_| "anvil's first key is not a key")?,
        ),
        dry_run: false,
        stake: alloy_primitives::utils::parse_ether("1").expect("a constant"),
        out: dir.join("deployment.json"),
        label: "devnet",
    })?;
    let addresses = deployed.addresses;

    // alto listens on an inner port; the bundler URL is the ERC-7562 guard in front of it.
    let alto_port = proc::free_port()?;
    let alto_url = format!("http://127.0.0.1:{alto_port}");
    let alto_log = dir.join("alto.log");
    let mut alto = Command::new("node");
    alto.arg("--require")
        .arg(root().join("xtask/node/loopback.cjs"))
        .arg(root().join("node_modules/@pimlico/alto/esm/cli/alto.js"))
        .args(["--entrypoints", &contracts::ENTRY_POINT.to_string()])
        .args(["--executor-private-keys", &key(1)?])
        .args(["--utility-private-key", &key(2)?])
        .args(["--rpc-url", &rpc_url])
        .args(["--port", &alto_port.to_string()])
        .args(["--safe-mode", "false", "--log-level", "warn"]);
    let mut alto = proc::spawn("alto", alto, &alto_log)?;
    wait_until("alto", Duration::from_secs(60), || {
        rpc(&alto_url, "eth_supportedEntryPoints", json!([])).is_ok()
    })
    .and_then(|_| alto.check_alive(&alto_log))?;
    let report = dir.join("erc7562.jsonl");
    let _ = std::fs::remove_file(&report);
    bundler::start(
        ports.bundler,
        bundler::Guard {
            rpc_url: rpc_url.clone(),
            alto_url,
            contracts: addresses.clone(),
            beneficiary: deployer.parse().map_err(|e| format!("deployer: {e}"))?,
            report: report.clone(),
        },
    )?;

    let info = json!({
        "chainId": chain_id,
        "rpcUrl": rpc_url,
        "bundlerUrl": bundler_url,
        "entryPoint": addresses.entry_point,
        "contracts": addresses,
        "funder": {"address": deployer, "privateKey": key(0)?},
        "pids": {"anvil": anvil.pid(), "alto": alto.pid()},
        "erc7562Report": report,
        "networks": build::default_networks(&addresses, ports.rpc, ports.bundler, deployed.first_block.unwrap_or(0)),
    });
    let info_path = dir.join("devnet.json");
    build::write_json(&info_path, &info)?;
    Ok(Devnet {
        info,
        info_path,
        _alto: alto,
        _anvil: anvil,
    })
}

/// Blocks until SIGINT or SIGTERM.
pub fn wait_for_signal() -> Result {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| format!("signal handler: {e}"))?;
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// `cargo xtask devnet`.
pub fn run_foreground(ports: Ports, chain_id: u64) -> Result {
    let dir = match chain_id {
        CHAIN_ID => root().join("target/devnet"),
        other => root().join(format!("target/devnet-{other}")),
    };
    let devnet = start_chain(chain_id, ports, dir, None)?;
    println!(
        "devnet: chain {chain_id} at {}, bundler at {}\ndevnet: wrote {}\ndevnet: running; ^C stops it",
        devnet.info["rpcUrl"].as_str().unwrap_or_default(),
        devnet.info["bundlerUrl"].as_str().unwrap_or_default(),
        devnet.info_path.display()
    );
    wait_for_signal()?;
    println!("devnet: stopping");
    drop(devnet);
    Ok(())
}
