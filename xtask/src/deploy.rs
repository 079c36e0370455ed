//! `cargo xtask deploy --rpc-url URL`: puts the wallet's contracts on a chain, the way a release
//! engineer does it on a public network, and what the devnet uses too.
//!
//! - The key comes from `SSO_DEPLOYER_KEY` (hex) or `--keystore FILE` with its password in
//!   `SSO_DEPLOYER_PASSWORD` — never from a flag value, which would end up in shell history.
//! - It checks the chain id and the CREATE2 deployer, then deploys what is missing of the plan
//!   ([`contracts::plan`]: EntryPoint v0.8 at its canonical address, then the project's
//!   contracts) with transactions it signs itself (EIP-1559; no `eth_sendTransaction`, which
//!   public nodes do not offer). Where code exists it verifies it is this build's and says
//!   "already deployed"; a second run sends nothing.
//! - It stakes the factory in the EntryPoint (ERC-7562: a factory whose deployments touch the
//!   account's storage in the passkey validator must be staked; 1 day unstake delay).
//! - It records each contract's address and deployment block (the first block the wallet's log
//!   queries need) in `deployments/<chain id>.json`, or `--out FILE`.
//! - `--dry-run` prints the transactions it would send and their total cost, and sends nothing.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::utils::{format_ether, parse_ether};
use alloy_primitives::{Address, Bytes, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{SolCall, sol};
use serde_json::{Value, json};

use crate::contracts::{self, Addresses, CREATE2_DEPLOYER};
use crate::erc7562::MIN_UNSTAKE_DELAY;
use crate::jsonrpc::rpc;
use crate::{Result, build, bundler, flag_value, root};

sol! {
    function addStake(uint32 unstakeDelaySec) external payable;
}
/// The environment variable holding the deployer's private key (hex).
const KEY_VAR: &str = "SSO_DEPLOYER_KEY";
/// The environment variable holding the keystore's password.
const PASSWORD_VAR: &str = "SSO_DEPLOYER_PASSWORD";
/// How long a transaction may take to be included (public chains: seconds per block).
const RECEIPT_TIMEOUT: Duration = Duration::from_secs(180);

/// What to deploy with, and how.
pub struct Options {
    /// The chain's JSON-RPC URL.
    pub rpc_url: String,
    /// The signer; `None` only for a dry run without a key.
    pub signer: Option<PrivateKeySigner>,
    /// Print, send nothing.
    pub dry_run: bool,
    /// The factory's stake.
    pub stake: U256,
    /// Where the record goes.
    pub out: PathBuf,
    /// Prefix of every printed line.
    pub label: &'static str,
}

/// `cargo xtask deploy`.
pub fn run(args: &[String]) -> Result {
    let rpc_url = flag_value(args, "--rpc-url").ok_or(
        "usage: cargo xtask deploy --rpc-url URL [--keystore FILE] [--dry-run] [--stake-eth 1] [--out FILE]\n\
         the key comes from SSO_DEPLOYER_KEY, or from --keystore with its password in SSO_DEPLOYER_PASSWORD",
    )?;
    if args
        .iter()
        .any(|a| a == "--private-key" || a.starts_with("--private-key="))
    {
        return Err(format!(
            "no key on the command line (it would stay in the shell's history): set {KEY_VAR}, or use --keystore"
        ));
    }
    let dry_run = args.iter().any(|a| a == "--dry-run");
    let signer = signer(flag_value(args, "--keystore").as_deref(), dry_run)?;
    let stake = match flag_value(args, "--stake-eth") {
        Some(eth) => parse_ether(&eth).map_err(|e| format!("--stake-eth {eth}: {e}"))?,
        None => parse_ether("1").expect("a constant"),
    };
    let chain_id = chain_id(&rpc_url)?;
    let out = flag_value(args, "--out")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(format!("deployments/{chain_id}.json")));
    deploy(&Options {
        rpc_url,
        signer,
        dry_run,
        stake,
        out,
        label: "deploy",
    })
    .map(|_| ())
}

/// The deployer's key: `SSO_DEPLOYER_KEY`, or the keystore with `SSO_DEPLOYER_PASSWORD`. A dry
/// run may go without one.
fn signer(keystore: Option<&str>, dry_run: bool) -> Result<Option<PrivateKeySigner>> {
    if let Some(path) = keystore {
        let password = std::env::var(PASSWORD_VAR)
            .map_err(|_| format!("--keystore {path}: set its password in {PASSWORD_VAR}"))?;
        return PrivateKeySigner::decrypt_keystore(path, password)
            .map(Some)
            .map_err(|e| format!("--keystore {path}: {e}"));
    }
    match std::env::var(KEY_VAR) {
        Ok(key) => key
            .trim()
            .parse::<PrivateKeySigner>()
            .map(Some)
            .map_err(|_| format!("{KEY_VAR} is not a private key (64 hex digits)")),
        Err(_) if dry_run => Ok(None),
        Err(_) => Err(format!(
            "no deployer key: set {KEY_VAR}, or use --keystore FILE with {PASSWORD_VAR}"
        )),
    }
}

fn chain_id(url: &str) -> Result<u64> {
    quantity(&rpc(url, "eth_chainId", json!([]))?, "eth_chainId").map(|id| id.to::<u64>())
}

fn quantity(value: &Value, what: &str) -> Result<U256> {
    value
        .as_str()
        .and_then(|s| U256::from_str_radix(s.strip_prefix("0x")?, 16).ok())
        .ok_or_else(|| format!("{what}: not a quantity: {value}"))
}

fn code(url: &str, address: Address, block: &str) -> Result<Bytes> {
    let value = rpc(url, "eth_getCode", json!([address, block]))?;
    value
        .as_str()
        .and_then(|s| alloy_primitives::hex::decode(s).ok())
        .map(Bytes::from)
        .ok_or_else(|| format!("eth_getCode {address}: {value}"))
}

/// Whether `deployed` is the runtime code of `expected` (the build's runtime code): every byte
/// the same, except the operands of `PUSH32`s that are zero in the build — where solc puts
/// immutables, which the constructor fills (EntryPoint's sender creator and EIP-712 cache, the
/// factory's implementation and validator).
pub fn same_code(expected: &[u8], deployed: &[u8]) -> bool {
    if expected.len() != deployed.len() {
        return false;
    }
    let mut i = 0;
    while i < expected.len() {
        let op = expected[i];
        if expected[i] != deployed[i] {
            return false;
        }
        // PUSH1..PUSH32 carry 1..32 operand bytes.
        let operands = if (0x60..=0x7f).contains(&op) {
            usize::from(op - 0x5f)
        } else {
            0
        };
        let end = (i + 1 + operands).min(expected.len());
        let operand = &expected[i + 1..end];
        let immutable = operands == 32 && operand.iter().all(|b| *b == 0);
        if !immutable && operand != &deployed[i + 1..end] {
            return false;
        }
        i = end;
    }
    true
}

/// The block in which code first appeared at `address` (binary search over `eth_getCode` at
/// past blocks), or `None` when the node keeps no state that old.
fn deployment_block(url: &str, address: Address, latest: u64) -> Option<u64> {
    let (mut low, mut high) = (0u64, latest);
    while low < high {
        let middle = low + (high - low) / 2;
        if code(url, address, &format!("{middle:#x}")).ok()?.is_empty() {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    Some(low)
}

/// One transaction to send (or to print, in a dry run).
struct Planned {
    what: String,
    /// The contract of the plan it deploys, if it deploys one.
    contract: Option<usize>,
    to: Address,
    value: U256,
    data: Bytes,
}

/// The fees of the next transactions: twice the base fee plus the node's priority fee.
struct Fees {
    max_fee: u128,
    priority: u128,
}

fn fees(url: &str) -> Result<Fees> {
    let block = rpc(url, "eth_getBlockByNumber", json!(["latest", false]))?;
    let base = quantity(&block["baseFeePerGas"], "baseFeePerGas")?.to::<u128>();
    // Not every node offers it; one gwei is what most chains' wallets fall back to.
    let priority = rpc(url, "eth_maxPriorityFeePerGas", json!([]))
        .and_then(|v| quantity(&v, "eth_maxPriorityFeePerGas"))
        .map(|v| v.to::<u128>())
        .unwrap_or(1_000_000_000);
    Ok(Fees {
        max_fee: base * 2 + priority,
        priority,
    })
}

fn estimate(url: &str, from: Option<Address>, tx: &Planned) -> Result<u64> {
    let mut call = json!({"to": tx.to, "value": format!("{:#x}", tx.value), "data": tx.data});
    if let Some(from) = from {
        call["from"] = json!(from);
    }
    let gas = quantity(
        &rpc(url, "eth_estimateGas", json!([call]))?,
        &format!("eth_estimateGas ({})", tx.what),
    )?;
    // Head-room: estimates are tight, and CREATE2 of a large contract must not run out.
    Ok(gas.to::<u64>() * 6 / 5)
}

/// An amount of ether without trailing zeros (`1`, `0.0184`).
fn eth(wei: U256) -> String {
    let text = format_ether(wei);
    let text = text.trim_end_matches('0');
    text.strip_suffix('.').unwrap_or(text).to_owned()
}

/// The gas of a transaction from its size alone, generously: the intrinsic cost, its calldata,
/// and for a deployment the CREATE2 (hashing the init code, storing the runtime code) with its
/// constructor's share; for anything else a plain call's. What a dry run shows when the node
/// cannot execute it yet.
fn size_estimate(tx: &Planned, contract: Option<&contracts::Planned>) -> u64 {
    let calldata: u64 = tx.data.iter().map(|b| if *b == 0 { 4 } else { 16 }).sum();
    let execution = match contract {
        Some(c) => {
            32_000
                + 6 * (c.init_code.len() as u64).div_ceil(32)
                + 200 * c.runtime_code.len() as u64
                + 200_000
        }
        None => 100_000,
    };
    (21_000 + calldata + execution) * 6 / 5
}

/// Signs and sends `tx`, waits for its receipt and returns the block it landed in.
fn send(
    url: &str,
    signer: &PrivateKeySigner,
    chain_id: u64,
    nonce: u64,
    gas: u64,
    fees: &Fees,
    tx: &Planned,
) -> Result<u64> {
    let unsigned = TxEip1559 {
        chain_id,
        nonce,
        gas_limit: gas,
        max_fee_per_gas: fees.max_fee,
        max_priority_fee_per_gas: fees.priority,
        to: TxKind::Call(tx.to),
        value: tx.value,
        access_list: Default::default(),
        input: tx.data.clone(),
    };
    let signature = signer
        .sign_hash_sync(&unsigned.signature_hash())
        .map_err(|e| format!("signing {}: {e}", tx.what))?;
    let envelope = TxEnvelope::from(unsigned.into_signed(signature));
    let raw = Bytes::from(envelope.encoded_2718());
    let hash = rpc(url, "eth_sendRawTransaction", json!([raw]))?;
    let deadline = Instant::now() + RECEIPT_TIMEOUT;
    loop {
        let receipt = rpc(url, "eth_getTransactionReceipt", json!([hash])).unwrap_or(Value::Null);
        if !receipt.is_null() {
            if receipt["status"].as_str() != Some("0x1") {
                return Err(format!("{} reverted: {receipt}", tx.what));
            }
            return quantity(&receipt["blockNumber"], "blockNumber").map(|b| b.to::<u64>());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{}: {hash} not included within {RECEIPT_TIMEOUT:?}",
                tx.what
            ));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// What a deployment leaves on a chain.
pub struct Deployed {
    /// Every contract's address.
    pub addresses: Addresses,
    /// The earliest deployment block of the contracts (where the wallet's log queries start),
    /// when known (not after a dry run, nor where the node keeps no history).
    pub first_block: Option<u64>,
}

/// Deploys what is missing, stakes the factory, writes the record.
pub fn deploy(options: &Options) -> Result<Deployed> {
    let url = options.rpc_url.as_str();
    let say = |line: String| println!("{}: {line}", options.label);
    let chain_id = chain_id(url)?;
    say(format!("chain {chain_id} at {url}"));
    if code(url, CREATE2_DEPLOYER, "latest")?.is_empty() {
        return Err(format!(
            "chain {chain_id} has no CREATE2 deployer at {CREATE2_DEPLOYER}: deploy it first (docs/networks.md)"
        ));
    }
    let (plan, addresses) = contracts::plan()?;
    let latest = quantity(&rpc(url, "eth_blockNumber", json!([]))?, "eth_blockNumber")?.to::<u64>();
    let mut blocks = serde_json::Map::new();
    let mut to_send = Vec::new();
    for (index, contract) in plan.iter().enumerate() {
        let deployed = code(url, contract.address, "latest")?;
        if deployed.is_empty() {
            let mut data = contract.salt.to_vec();
            data.extend_from_slice(&contract.init_code);
            to_send.push(Planned {
                what: format!("{} at {}", contract.name, contract.address),
                contract: Some(index),
                to: CREATE2_DEPLOYER,
                value: U256::ZERO,
                data: data.into(),
            });
            continue;
        }
        if !same_code(&contract.runtime_code, &deployed) {
            return Err(format!(
                "the code at {} is not this build's {}: refusing to use it",
                contract.address, contract.name
            ));
        }
        let block = deployment_block(url, contract.address, latest);
        say(format!(
            "{} at {}: already deployed (code matches this build; {})",
            contract.name,
            contract.address,
            match block {
                Some(b) => format!("since block {b}"),
                None => "the node keeps no history to find its block".into(),
            }
        ));
        blocks.insert(contract.key.to_owned(), json!(block));
    }
    let factory = addresses.account_factory;
    let deposit = bundler::deposit_info(url, addresses.entry_point, factory)?;
    let stake_needed = !(deposit.staked
        && U256::from(deposit.stake) >= options.stake
        && deposit.unstakeDelaySec >= MIN_UNSTAKE_DELAY);
    if stake_needed {
        to_send.push(Planned {
            what: format!(
                "stake of AccountFactory ({} ETH, 1 day)",
                eth(options.stake)
            ),
            contract: None,
            to: factory,
            value: options.stake.saturating_sub(U256::from(deposit.stake)),
            data: addStakeCall {
                unstakeDelaySec: MIN_UNSTAKE_DELAY.max(deposit.unstakeDelaySec),
            }
            .abi_encode()
            .into(),
        });
    } else {
        say(format!(
            "AccountFactory already staked ({} ETH, unstake delay {} s)",
            eth(U256::from(deposit.stake)),
            deposit.unstakeDelaySec
        ));
    }
    if to_send.is_empty() {
        say("nothing to send".into());
    }
    let fees = fees(url)?;
    let from = options.signer.as_ref().map(|s| s.address());
    if options.dry_run {
        let mut total = U256::ZERO;
        for tx in &to_send {
            // A contract whose constructor needs one deployed before it cannot be estimated on
            // a chain that lacks that one yet: its gas then comes from its size.
            let contract = tx.contract.map(|i| &plan[i]);
            let (gas, how) = if contract.is_none() && code(url, tx.to, "latest")?.is_empty() {
                let how = " (a guess: what it calls is not deployed yet)";
                (size_estimate(tx, None), how)
            } else {
                match estimate(url, from, tx) {
                    Ok(gas) => (gas, ""),
                    Err(_) => {
                        let how = " (from its size: it needs one deployed before it)";
                        (size_estimate(tx, contract), how)
                    }
                }
            };
            let cost = U256::from(gas) * U256::from(fees.max_fee) + tx.value;
            total += cost;
            let value = if tx.value.is_zero() {
                String::new()
            } else {
                format!(", value {} ETH", eth(tx.value))
            };
            say(format!(
                "would send: {} — to {}, {} bytes of data{value}, gas ≤ {gas}{how}, cost ≤ {} ETH",
                tx.what,
                tx.to,
                tx.data.len(),
                eth(cost)
            ));
        }
        say(format!(
            "dry run: {} transaction(s), total cost ≤ {} ETH at {} gwei; nothing sent",
            to_send.len(),
            eth(total),
            fees.max_fee / 1_000_000_000
        ));
        return Ok(Deployed {
            addresses,
            first_block: None,
        });
    }
    if !to_send.is_empty() {
        let signer = options.signer.as_ref().ok_or("no deployer key")?;
        let from = signer.address();
        let first_nonce = quantity(
            &rpc(url, "eth_getTransactionCount", json!([from, "pending"]))?,
            "eth_getTransactionCount",
        )?
        .to::<u64>();
        say(format!("deployer {from}"));
        for (nonce, tx) in (first_nonce..).zip(&to_send) {
            let gas = estimate(url, Some(from), tx)?;
            let block = send(url, signer, chain_id, nonce, gas, &fees, tx)?;
            if let Some(contract) = tx.contract.map(|i| &plan[i]) {
                if !same_code(
                    &contract.runtime_code,
                    &code(url, contract.address, "latest")?,
                ) {
                    return Err(format!(
                        "{} deployed but its code is not this build's",
                        contract.name
                    ));
                }
                blocks.insert(contract.key.to_owned(), json!(block));
            }
            say(format!("{}: sent, in block {block}", tx.what));
        }
    }
    let record = json!({
        "chainId": chain_id,
        "contracts": addresses,
        "deploymentBlocks": blocks,
        "factoryStake": {"wei": options.stake.to_string(), "unstakeDelaySecs": MIN_UNSTAKE_DELAY},
    });
    write_record(&options.out, &record)?;
    say(format!("wrote {}", options.out.display()));
    let first_block = blocks
        .values()
        .map(Value::as_u64)
        .collect::<Option<Vec<u64>>>()
        .and_then(|blocks| blocks.into_iter().min());
    Ok(Deployed {
        addresses,
        first_block,
    })
}

fn write_record(path: &Path, record: &Value) -> Result {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    build::write_json(path, record)
}

#[cfg(test)]
mod tests {
    use super::same_code;

    #[test]
    fn code_matches_outside_zero_push32_operands_only() {
        // PUSH32 0…0 (an immutable), PUSH1 0x2a, STOP.
        let mut build = vec![0x7f];
        build.extend([0u8; 32]);
        build.extend([0x60, 0x2a, 0x00]);
        let mut filled = build.clone();
        filled[32] = 0x11; // the immutable, filled in by the constructor
        assert!(same_code(&build, &filled));
        let mut other = build.clone();
        other[34] = 0x2b; // PUSH1's operand
        assert!(!same_code(&build, &other));
        let mut opcode = build.clone();
        opcode[35] = 0x01; // STOP → ADD
        assert!(!same_code(&build, &opcode));
        assert!(!same_code(&build, &build[..34]));
        // A PUSH32 whose operand is not zero in the build is compared like any other.
        let mut constant = build.clone();
        constant[1] = 0x01;
        let mut changed = constant.clone();
        changed[32] = 0x11;
        assert!(!same_code(&constant, &changed));
        // A PUSH cut off by the end of the code does not read past it.
        assert!(same_code(&[0x7f, 0, 0], &[0x7f, 0, 0]));
    }
}
