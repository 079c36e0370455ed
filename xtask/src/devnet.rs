//! `cargo xtask devnet`: anvil (anvil's latest hardfork, P256VERIFY live; [`ChainSpec`] can
//! start a chain without it) + EntryPoint v0.8 at its canonical address +
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
use crate::jsonrpc::rpc;
use crate::proc::{self, Guard};
use crate::public_rpc::{self, Rules};
use crate::{Result, build, bundler, deploy, networks, paymaster, root, setup};

/// Where the devnet listens.
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    /// anvil's JSON-RPC port.
    pub rpc: u16,
    /// alto's port.
    pub bundler: u16,
    /// The paymaster service's port (0: a free one).
    pub paymaster: u16,
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
pub const CHAIN_ID: u64 = crate::networks::LOCAL_CHAIN_ID;
/// Chain id of the second devnet the end-to-end tests add with `wallet_addEthereumChain`.
pub const SECOND_CHAIN_ID: u64 = 31338;

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

/// What kind of chain anvil plays.
#[derive(Debug, Clone, Copy)]
pub struct ChainSpec {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// A block every that many seconds (as on a public chain); `None`: one per transaction.
    pub block_time: Option<u32>,
    /// anvil's `--hardfork` (`"prague"`: no P256VERIFY precompile); `None`: anvil's latest.
    pub hardfork: Option<&'static str>,
    /// Behind stand-ins for a public chain's endpoints (`public_rpc.rs`): the deploy command,
    /// alto and the wallet reach the node, and the wallet the bundler, only through them.
    pub public: bool,
    /// The public node stand-in answers a JSON-RPC batch with one error, as some providers do
    /// (only with `public`).
    pub refuses_batches: bool,
    /// How far (seconds) the chain's clock starts behind the wall clock. A test can then move
    /// the chain's clock forward by days (a guardian recovery's delay) and still not pass the
    /// bundler's own clock, which alto checks a UserOp's `validAfter` against — as any bundler
    /// does, on a public chain whose clock is the wall clock.
    pub starts_behind: u64,
}

impl ChainSpec {
    /// The devnet's kind of chain: anvil's latest hardfork, a block per transaction.
    pub fn devnet(chain_id: u64) -> ChainSpec {
        ChainSpec {
            chain_id,
            block_time: None,
            hardfork: None,
            public: false,
            refuses_batches: false,
            starts_behind: 0,
        }
    }
}

/// Starts a bare anvil (`spec`, on `port`, log and config under `dir`) and returns it with its
/// funded accounts: nothing deployed yet.
pub fn start_anvil(
    spec: &ChainSpec,
    port: u16,
    dir: &std::path::Path,
) -> Result<(Guard, AnvilAccounts)> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let url = format!("http://127.0.0.1:{port}");
    let anvil_config = dir.join("anvil.json");
    let _ = std::fs::remove_file(&anvil_config);
    let anvil_log = dir.join("anvil.log");
    // anvil moves older states to disk, by default under ~/.foundry/anvil/tmp, and leaves them
    // there when it is stopped (about 1.5 GB for a long e2e run): that filled this machine's
    // disk. Its states go in the chain's own folder, emptied at every start.
    let states = dir.join("anvil-states");
    let _ = std::fs::remove_dir_all(&states);
    let mut anvil = Command::new(setup::node_bin("anvil"));
    anvil
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--chain-id", &spec.chain_id.to_string()])
        .arg("--cache-path")
        .arg(&states)
        .arg("--config-out")
        .arg(&anvil_config);
    if let Some(seconds) = spec.block_time {
        anvil.args(["--block-time", &seconds.to_string()]);
    }
    if let Some(hardfork) = spec.hardfork {
        anvil.args(["--hardfork", hardfork]);
    }
    if spec.starts_behind > 0 {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_secs();
        let genesis = now.saturating_sub(spec.starts_behind);
        anvil.args(["--timestamp", &genesis.to_string()]);
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
    start_chain(&ChainSpec::devnet(CHAIN_ID), ports, dir)
}

/// Starts a devnet of the kind `spec` says: the same contracts at the same addresses, deployed
/// by `cargo xtask deploy`'s code, and the bundler behind the ERC-7562 guard.
pub fn start_chain(spec: &ChainSpec, ports: Ports, dir: PathBuf) -> Result<Devnet> {
    let chain_id = spec.chain_id;
    setup::npm()?;
    if !root()
        .join("contracts/out/AccountFactory.sol/AccountFactory.json")
        .exists()
    {
        contracts::build()?;
    }
    // The node itself; what its clients use (a public-RPC stand-in in front of it, or it).
    let node_url = format!("http://127.0.0.1:{}", ports.rpc);
    let (anvil, config) = start_anvil(spec, ports.rpc, &dir)?;
    let rpc_url = if spec.public {
        public_rpc::start(
            "the public RPC stand-in",
            0,
            node_url.clone(),
            Rules {
                refuse_batches: spec.refuses_batches,
                ..Rules::node()
            },
        )?
    } else {
        node_url.clone()
    };
    let key = |i: usize| config.key(i);
    let (deployer, _) = config.account(0)?;
    let p256_precompile = has_p256_precompile(&rpc_url)?;

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

    // alto reaches the node through the same kind of stand-in, except for rate limits: viem
    // sends a raw transaction once whatever the answer, so alto cannot live with 429s — an
    // operator runs it on a node without them.
    let alto_rpc_url = if spec.public {
        public_rpc::start(
            "the bundler's public RPC stand-in",
            0,
            node_url.clone(),
            Rules {
                every_429: 0,
                ..Rules::node()
            },
        )?
    } else {
        node_url.clone()
    };
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
        .args(["--rpc-url", &alto_rpc_url])
        .args(["--port", &alto_port.to_string()])
        .args(["--safe-mode", "false", "--log-level", "warn"]);
    if spec.public {
        // An operator sets alto's log queries to its node's limit (1,000 blocks here), with a margin for blocks made meanwhile.
        alto.args(["--max-block-range", "900"]);
    }
    let mut alto = proc::spawn("alto", alto, &alto_log)?;
    wait_until("alto", Duration::from_secs(60), || {
        rpc(&alto_url, "eth_supportedEntryPoints", json!([])).is_ok()
    })
    .and_then(|_| alto.check_alive(&alto_log))?;
    let report = dir.join("erc7562.jsonl");
    let _ = std::fs::remove_file(&report);
    // The guard is the bundler's own rule check: it traces on the node itself.
    let guard_port = if spec.public {
        proc::free_port()?
    } else {
        ports.bundler
    };
    bundler::start(
        guard_port,
        bundler::Guard {
            rpc_url: node_url.clone(),
            alto_url,
            contracts: addresses.clone(),
            beneficiary: deployer.parse().map_err(|e| format!("deployer: {e}"))?,
            report: report.clone(),
            p256_precompile,
        },
    )?;

    // The sponsor: its paymaster from anvil's ninth account, signing with the tenth's key.
    let (owner, _) = config.account(8)?;
    let sponsor_key: alloy_signer_local::PrivateKeySigner = key(9)?
        .parse()
        .map_err(|_| "anvil's tenth key is not a key")?;
    let owner: alloy_primitives::Address = owner.parse().map_err(|e| format!("owner: {e}"))?;
    let sponsor_paymaster = paymaster::deploy(&node_url, owner, sponsor_key.address())?;
    let paymaster_port = paymaster::start(
        ports.paymaster,
        paymaster::Service {
            rpc_url: node_url.clone(),
            chain_id,
            entry_point: addresses.entry_point,
            paymaster: sponsor_paymaster,
            signer: sponsor_key,
            policy: paymaster::Policy {
                allowed_targets: None,
                daily_cap: paymaster::DAILY_CAP,
            },
            counts: std::sync::Mutex::new((std::time::Instant::now(), Default::default())),
        },
    )?;
    let paymaster_url = format!("http://127.0.0.1:{paymaster_port}");

    let guard_url = format!("http://127.0.0.1:{guard_port}");
    let bundler_url = if spec.public {
        public_rpc::start(
            "the public bundler stand-in",
            ports.bundler,
            guard_url.clone(),
            Rules::bundler(),
        )?
    } else {
        guard_url.clone()
    };
    let network = networks::network(&networks::Network {
        chain_id,
        name: if spec.public {
            "Public chain stand-in"
        } else {
            "Local devnet"
        },
        rpc_url: &rpc_url,
        bundler_url: &bundler_url,
        explorer: None,
        sponsor: Some(&paymaster_url),
        from_block: deployed.first_block.unwrap_or(0),
        addresses: &addresses,
    });
    // `rpcUrl` and `bundlerUrl` are the node and bundler themselves, for the tests' own
    // calls (funding, mining, reading); the wallet's network is in `networks`.
    let info = json!({
        "chainId": chain_id,
        "rpcUrl": node_url,
        "bundlerUrl": guard_url,
        "publicRpc": spec.public.then(|| json!({"node": rpc_url, "bundler": bundler_url})),
        "entryPoint": addresses.entry_point,
        "contracts": addresses,
        "funder": {"address": deployer, "privateKey": key(0)?},
        "pids": {"anvil": anvil.pid(), "alto": alto.pid()},
        "erc7562Report": report,
        "paymaster": {"address": sponsor_paymaster, "url": paymaster_url, "sponsor": paymaster::SPONSOR_NAME},
        "p256Precompile": p256_precompile,
        "networks": networks::networks_file(chain_id, vec![network]),
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

/// Whether the chain at `rpc_url` has the P256VERIFY precompile: it answers the wallet's probe
/// (a valid signature) with 1.
pub fn has_p256_precompile(rpc_url: &str) -> Result<bool> {
    use sso_wallet::webauthn::P256Verifier;
    let answer = rpc(
        rpc_url,
        "eth_call",
        json!([{"to": P256Verifier::PRECOMPILE, "data": P256Verifier::probe_calldata()}, "latest"]),
    )?;
    let answer: alloy_primitives::Bytes =
        serde_json::from_value(answer).map_err(|e| format!("eth_call of 0x100: {e}"))?;
    Ok(P256Verifier::from_probe(&answer) == P256Verifier::Precompile)
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
    let devnet = start_chain(&ChainSpec::devnet(chain_id), ports, dir)?;
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
