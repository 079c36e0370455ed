//! The devnet's bundler endpoint: alto behind an ERC-7562 guard. Every JSON-RPC request goes
//! to alto unchanged, except that an `eth_sendUserOperation` is first traced on the node and
//! held against the validation rules (`erc7562.rs`); one that breaks them is refused with
//! ERC-7769's −32502, as a public bundler would refuse it (alto, which cannot trace v0.8
//! operations in its own safe mode, runs with it off behind this). Each checked operation is
//! recorded, with what kind it is, in `erc7562.jsonl` next to `devnet.json`: the tests read it to
//! show that every kind of operation the wallet sends was checked.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall;
use serde_json::{Value, json};
use sso_wallet::abi::DepositInfo;
use sso_wallet::abi::IERC7579Execution::executeCall;
use sso_wallet::abi::IEntryPoint::{getDepositInfoCall, handleOpsCall};
use sso_wallet::erc4337::UserOperation;

use crate::Result;
use crate::contracts::Addresses;
use crate::erc7562::{self, Context, MIN_STAKE, MIN_UNSTAKE_DELAY, Trace};
use crate::http::Reply;
use crate::jsonrpc::rpc;

/// What an operation does, in words, for the report: who signs it, whether it deploys the
/// account, whether a paymaster pays, and what the account calls.
fn kind(op: &UserOperation, contracts: &Addresses) -> String {
    let signer = match op.signature.get(..20).map(Address::from_slice) {
        Some(v) if v == contracts.webauthn_validator => "passkey",
        Some(v) if v == contracts.session_key_validator => "session",
        Some(v) if v == contracts.guardian_recovery => "recovery finalizer",
        _ => "other signer",
    };
    let deploy = if op.factory.is_some() {
        " deploying"
    } else {
        ""
    };
    let what = match executeCall::abi_decode(&op.call_data) {
        Ok(call) if call.mode[0] == 1 => "batch".to_owned(),
        Ok(call) if call.mode[0] == 0 && call.executionCalldata.len() >= 52 => {
            let data = &call.executionCalldata;
            let target = Address::from_slice(&data[..20]);
            let selector = data.get(52..56).unwrap_or_default();
            let function = match alloy_primitives::hex::encode(selector).as_str() {
                "" => "transfer",
                "9517e29f" => "installModule",
                "175eb192" => "addValidationKey",
                "59be375f" => "removeValidationKey",
                "054608e9" => "createSession",
                "572f2210" => "revokeKey",
                _ => recovery_function(selector).unwrap_or("call"),
            };
            let on = if target == op.sender {
                " on the account"
            } else if target == contracts.webauthn_validator {
                " on the passkey validator"
            } else if target == contracts.session_key_validator {
                " on the session validator"
            } else if target == contracts.guardian_recovery {
                " on the recovery module"
            } else {
                ""
            };
            format!("{function}{on}")
        }
        _ => "other execution".to_owned(),
    };
    let sponsored = if op.paymaster.is_some() {
        " sponsored"
    } else {
        ""
    };
    format!("{signer}{deploy}{sponsored}: {what}")
}

/// The recovery module's function `selector` names, from the bindings (they follow the contract:
/// `tests/abi_artifacts.rs`).
fn recovery_function(selector: &[u8]) -> Option<&'static str> {
    use sso_wallet::abi::IGuardianRecovery::{
        approveCall, approveWithSignaturesCall, cancelRecoveryCall, finalizeCall, setGuardiansCall,
    };
    [
        (setGuardiansCall::SELECTOR, "setGuardians"),
        (approveCall::SELECTOR, "approve"),
        (approveWithSignaturesCall::SELECTOR, "approveWithSignatures"),
        (finalizeCall::SELECTOR, "finalize"),
        (cancelRecoveryCall::SELECTOR, "cancelRecovery"),
    ]
    .into_iter()
    .find(|(s, _)| s.as_slice() == selector)
    .map(|(_, name)| name)
}

/// The guard's configuration.
#[derive(Clone)]
pub struct Guard {
    /// The node.
    pub rpc_url: String,
    /// alto.
    pub alto_url: String,
    /// The contracts (EntryPoint, validators).
    pub contracts: Addresses,
    /// Who "bundles" in the trace (an account with ether on the devnet).
    pub beneficiary: Address,
    /// Where checked operations are recorded.
    pub report: PathBuf,
    /// Whether the chain has the P256VERIFY precompile at 0x100.
    pub p256_precompile: bool,
}

/// `entity`'s deposit and stake in the EntryPoint at `entry_point` (all zero while the
/// EntryPoint has no code yet).
pub fn deposit_info(rpc_url: &str, entry_point: Address, entity: Address) -> Result<DepositInfo> {
    let data = Bytes::from(getDepositInfoCall { account: entity }.abi_encode());
    let answer = rpc(
        rpc_url,
        "eth_call",
        json!([{"to": entry_point, "data": data}, "latest"]),
    )?;
    let raw: Bytes = serde_json::from_value(answer).map_err(|e| format!("getDepositInfo: {e}"))?;
    if raw.is_empty() {
        return Ok(DepositInfo {
            deposit: U256::ZERO,
            staked: false,
            stake: Default::default(),
            unstakeDelaySec: 0,
            withdrawTime: Default::default(),
        });
    }
    getDepositInfoCall::abi_decode_returns(&raw).map_err(|e| format!("getDepositInfo: {e}"))
}

/// Whether `entity` has at least the minimum stake and unstake delay in the EntryPoint.
fn is_staked(guard: &Guard, entity: Address) -> Result<bool> {
    let info = deposit_info(&guard.rpc_url, guard.contracts.entry_point, entity)?;
    Ok(info.staked
        && U256::from(info.stake) >= U256::from(MIN_STAKE)
        && info.unstakeDelaySec >= MIN_UNSTAKE_DELAY)
}

/// Traces the operation's `handleOps` and returns what kind it is and the rules it breaks
/// (`Err`: it could not be traced, e.g. its signature is wrong; alto then says why).
fn check(guard: &Guard, op: &UserOperation) -> Result<(String, Vec<String>)> {
    let data = handleOpsCall {
        ops: vec![op.signed()],
        beneficiary: guard.beneficiary,
    }
    .abi_encode();
    let traced = rpc(
        &guard.rpc_url,
        "debug_traceCall",
        json!([
            {"from": guard.beneficiary, "to": guard.contracts.entry_point, "data": Bytes::from(data), "gas": "0x1c9c380"},
            "latest",
            {"tracer": erc7562::TRACER}
        ]),
    )?;
    let trace: Trace = serde_json::from_value(traced).map_err(|e| format!("trace: {e}"))?;
    let context = Context {
        entry_point: guard.contracts.entry_point,
        sender: op.sender,
        factory: op.factory,
        factory_staked: match op.factory {
            Some(factory) => is_staked(guard, factory)?,
            None => false,
        },
        paymaster: op.paymaster.as_ref().map(|p| p.paymaster),
        paymaster_staked: match &op.paymaster {
            Some(p) => is_staked(guard, p.paymaster)?,
            None => false,
        },
        p256_precompile: guard.p256_precompile,
    };
    let has_code = |address: Address| {
        rpc(&guard.rpc_url, "eth_getCode", json!([address, "latest"]))
            .ok()
            .and_then(|code| code.as_str().map(|c| c.len() > 2))
            .unwrap_or(false)
    };
    Ok((
        kind(op, &guard.contracts),
        erc7562::violations(&trace, &context, &has_code),
    ))
}

/// Appends one checked operation to the report.
fn record(guard: &Guard, report: &Mutex<()>, line: Value) {
    if let Ok(_serialised) = report.lock()
        && let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&guard.report)
    {
        let _ = writeln!(file, "{line}");
    }
}

/// Forwards a JSON-RPC request body to alto and returns its answer.
fn forward(guard: &Guard, body: &str, id: &Value) -> String {
    match ureq::post(&guard.alto_url)
        .header("content-type", "application/json")
        .config()
        .http_status_as_error(false)
        .build()
        .send(body)
    {
        Ok(mut response) => response.body_mut().read_to_string().unwrap_or_default(),
        Err(e) => json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32603, "message": format!("bundler unreachable: {e}")}}).to_string(),
    }
}

/// The answer to one JSON-RPC request body.
fn answer(guard: &Guard, report: &Mutex<()>, body: &str) -> String {
    let request: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let id = &request["id"];
    if request["method"] != "eth_sendUserOperation" {
        return forward(guard, body, id);
    }
    // An operation that cannot be read or traced is still forwarded (alto says what is wrong
    // with it), but recorded as unchecked: the tests fail if the bundler accepted one.
    let unchecked = |reason: String| {
        let answer = forward(guard, body, id);
        let accepted =
            serde_json::from_str::<Value>(&answer).is_ok_and(|a| a.get("result").is_some());
        record(
            guard,
            report,
            json!({"kind": "unchecked", "reason": reason, "accepted": accepted, "violations": []}),
        );
        answer
    };
    let op = match serde_json::from_value::<UserOperation>(request["params"][0].clone()) {
        Ok(op) => op,
        Err(e) => return unchecked(format!("unreadable: {e}")),
    };
    let (kind, broken) = match check(guard, &op) {
        Ok(checked) => checked,
        Err(e) => return unchecked(format!("not traced: {e}")),
    };
    let mut line =
        json!({"kind": kind, "sender": op.sender, "nonce": op.nonce, "violations": broken});
    if !broken.is_empty() {
        line["accepted"] = json!(false);
        record(guard, report, line);
        return json!({
            "jsonrpc": "2.0",
            "id": id,
            "error": {"code": -32502, "message": format!("ERC-7562 validation rules broken: {}", broken.join("; "))},
        })
        .to_string();
    }
    let answer = forward(guard, body, id);
    let accepted = serde_json::from_str::<Value>(&answer).is_ok_and(|a| a.get("result").is_some());
    line["accepted"] = json!(accepted);
    record(guard, report, line);
    answer
}

/// Serves the guarded bundler on `127.0.0.1:port` from a background thread.
pub fn start(port: u16, guard: Guard) -> Result {
    let report = Mutex::new(());
    crate::http::serve("the bundler", port, move |request| {
        Reply::json(if request.method == "POST" {
            answer(&guard, &report, &request.body)
        } else {
            json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32600, "message": "POST JSON-RPC"}})
                .to_string()
        })
    })?;
    Ok(())
}

/// The operations checked so far (one JSON object per line of the report).
pub fn checked(report: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(report)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}
