//! The devnet's sponsor: the `SponsorPaymaster` contract (deployed, funded and staked by the
//! devnet's own key, so ERC-7562 lets its validation read its signer) and an ERC-7677 paymaster
//! web service on 127.0.0.1 that signs sponsorships for it with a devnet key.
//!
//! The service answers `pm_getPaymasterStubData` (a stub signature of the real shape, the
//! paymaster's gas, `sponsor: {name, icon}`) and `pm_getPaymasterData` (the EIP-712 signature
//! OpenZeppelin's `PaymasterSigner` checks, valid for an hour of chain time). Its [`Policy`]: the
//! devnet's EntryPoint and chain only, the call targets it allows (the devnet's: any), and at
//! most [`DAILY_CAP`] sponsored operations per account and day. `POST /wrong-signer` answers
//! like `/` but signs with another key (how the tests see a service whose data the chain
//! refuses).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{Eip712Domain, SolStruct, sol};
use serde_json::{Value, json};

use sso_wallet::erc4337::UserOperation;

use crate::Result;
use crate::http::Reply;
use crate::jsonrpc::rpc;

sol! {
    function deposit() payable;
    function addStake(uint32 unstakeDelaySec) payable;
    function execute(bytes32 mode, bytes executionCalldata);
    struct Execution { address target; uint256 value; bytes callData; }

    /// What `PaymasterSigner` signs (OpenZeppelin 5.7).
    struct UserOperationRequest {
        address sender;
        uint256 nonce;
        bytes initCode;
        bytes callData;
        bytes32 accountGasLimits;
        uint256 preVerificationGas;
        bytes32 gasFees;
        uint256 paymasterVerificationGasLimit;
        uint256 paymasterPostOpGasLimit;
        uint48 validAfter;
        uint48 validUntil;
    }
}

/// Sponsored operations per account and day.
pub const DAILY_CAP: usize = 100;
/// Gas the paymaster's validation gets (an ECDSA recovery and one storage read, with room).
const VERIFICATION_GAS: u64 = 60_000;
/// How long a signed sponsorship is valid, in seconds of chain time.
const VALID_FOR: u64 = 3_600;
/// What the service calls its sponsor.
pub const SPONSOR_NAME: &str = "SSO Wallet devnet sponsor";

/// The running service's state.
pub struct Service {
    /// The node (for chain time).
    pub rpc_url: String,
    /// The chain it sponsors on.
    pub chain_id: u64,
    /// The EntryPoint it sponsors through.
    pub entry_point: Address,
    /// The `SponsorPaymaster`.
    pub paymaster: Address,
    /// The key `SponsorPaymaster` trusts.
    pub signer: PrivateKeySigner,
    /// Whom it sponsors.
    pub policy: Policy,
    /// Sponsored operations per account, in the current day window.
    pub counts: Mutex<(Instant, HashMap<Address, usize>)>,
}

/// Whom the service sponsors.
pub struct Policy {
    /// The contracts an operation may call (`None`: any); calls to the account itself (its
    /// modules, its passkeys) are always allowed.
    pub allowed_targets: Option<Vec<Address>>,
    /// Sponsored operations per account and day.
    pub daily_cap: usize,
}

/// What an operation's ERC-7579 `execute` calls (`None`: not an `execute` the service reads).
fn call_targets(call_data: &[u8]) -> Option<Vec<Address>> {
    use alloy_sol_types::{SolCall, SolValue};
    let call = executeCall::abi_decode(call_data).ok()?;
    let data = &call.executionCalldata;
    match call.mode[0] {
        0 => Some(vec![Address::from_slice(data.get(..20)?)]),
        1 => Some(
            Vec::<Execution>::abi_decode(data)
                .ok()?
                .into_iter()
                .map(|e| e.target)
                .collect(),
        ),
        _ => None,
    }
}

impl Policy {
    /// Whether it sponsors `op`, counting it against the sender's cap in `counts` (used today).
    pub fn admit(
        &self,
        op: &UserOperation,
        used: &mut HashMap<Address, usize>,
    ) -> std::result::Result<(), String> {
        if let Some(allowed) = &self.allowed_targets {
            let targets = call_targets(&op.call_data)
                .ok_or("this sponsor pays only for ERC-7579 execute calls")?;
            if let Some(other) = targets
                .iter()
                .find(|t| **t != op.sender && !allowed.contains(t))
            {
                return Err(format!("this sponsor does not pay for calls to {other}"));
            }
        }
        let count = used.entry(op.sender).or_default();
        if *count >= self.daily_cap {
            return Err(format!(
                "{} has had its {} sponsored operations today",
                op.sender, self.daily_cap
            ));
        }
        *count += 1;
        Ok(())
    }
}

/// A transaction from an unlocked devnet account, waited for; returns its receipt.
fn transact(rpc_url: &str, tx: Value) -> Result<Value> {
    let hash = rpc(rpc_url, "eth_sendTransaction", json!([tx]))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let receipt = rpc(rpc_url, "eth_getTransactionReceipt", json!([hash]))?;
        if !receipt.is_null() {
            if receipt["status"] != "0x1" {
                return Err(format!("transaction {hash} failed: {receipt}"));
            }
            return Ok(receipt);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(format!("transaction {hash} was not mined in a minute"))
}

/// Deploys `SponsorPaymaster` from `owner` (an unlocked devnet account) trusting `signer`, funds
/// its EntryPoint deposit with 10 ETH and stakes 1 ETH for a day (ERC-7562's minimums).
pub fn deploy(rpc_url: &str, owner: Address, signer: Address) -> Result<Address> {
    use alloy_sol_types::SolCall;
    let (mut code, _) = crate::contracts::artifact("SponsorPaymaster")?;
    code.extend_from_slice(signer.into_word().as_slice());
    code.extend_from_slice(owner.into_word().as_slice());
    let receipt = transact(
        rpc_url,
        json!({"from": owner, "data": Bytes::from(code), "gas": "0x2dc6c0"}),
    )?;
    let paymaster: Address = serde_json::from_value(receipt["contractAddress"].clone())
        .map_err(|e| format!("SponsorPaymaster address: {e}"))?;
    let ether = U256::from(10).pow(U256::from(18));
    transact(
        rpc_url,
        json!({"from": owner, "to": paymaster, "value": ether * U256::from(10), "data": Bytes::from(depositCall {}.abi_encode())}),
    )?;
    transact(
        rpc_url,
        json!({"from": owner, "to": paymaster, "value": ether, "data": Bytes::from(addStakeCall { unstakeDelaySec: 86_400 }.abi_encode())}),
    )?;
    Ok(paymaster)
}

/// The EIP-712 hash `SponsorPaymaster` recovers the signer from, for `op` (its paymaster
/// fields set) and the window.
pub fn sponsor_hash(
    op: &UserOperation,
    paymaster: Address,
    chain_id: u64,
    valid_after: u64,
    valid_until: u64,
) -> B256 {
    let (verification, post_op) = op.paymaster.as_ref().map_or((U256::ZERO, U256::ZERO), |p| {
        (
            p.paymaster_verification_gas_limit,
            p.paymaster_post_op_gas_limit,
        )
    });
    let request = UserOperationRequest {
        sender: op.sender,
        nonce: op.nonce,
        initCode: op.init_code(),
        callData: op.call_data.clone(),
        accountGasLimits: op.account_gas_limits(),
        preVerificationGas: op.pre_verification_gas,
        gasFees: op.gas_fees(),
        paymasterVerificationGasLimit: verification,
        paymasterPostOpGasLimit: post_op,
        validAfter: alloy_primitives::Uint::from(valid_after),
        validUntil: alloy_primitives::Uint::from(valid_until),
    };
    let domain = Eip712Domain {
        name: Some("SponsorPaymaster".into()),
        version: Some("1".into()),
        chain_id: Some(U256::from(chain_id)),
        verifying_contract: Some(paymaster),
        salt: None,
    };
    request.eip712_signing_hash(&domain)
}

/// `validAfter (6 bytes) ‖ validUntil (6 bytes) ‖ signature`.
fn paymaster_data(valid_after: u64, valid_until: u64, signature: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(12 + signature.len());
    out.extend_from_slice(&valid_after.to_be_bytes()[2..]);
    out.extend_from_slice(&valid_until.to_be_bytes()[2..]);
    out.extend_from_slice(signature);
    out.into()
}

/// A signature of the real shape that recovers no signer (for gas estimation).
fn stub_signature() -> Vec<u8> {
    let mut sig = vec![0x11u8; 64];
    sig.push(27);
    sig
}

fn chain_time(rpc_url: &str) -> Result<u64> {
    let block = rpc(rpc_url, "eth_getBlockByNumber", json!(["latest", false]))?;
    let timestamp: U256 = serde_json::from_value(block["timestamp"].clone())
        .map_err(|e| format!("block timestamp: {e}"))?;
    Ok(timestamp.saturating_to())
}

/// The answer to one request: `Ok(result)` or `Err((code, message))`.
fn answer(
    service: &Service,
    wrong_signer: bool,
    method: &str,
    params: &Value,
) -> std::result::Result<Value, (i64, String)> {
    let bad = |message: String| (-32602, message);
    let op: UserOperation = serde_json::from_value(params[0].clone())
        .map_err(|e| bad(format!("the UserOperation cannot be read: {e}")))?;
    let entry_point: Address = serde_json::from_value(params[1].clone())
        .map_err(|_| bad("params[1] must be the EntryPoint".into()))?;
    let chain_id = params[2]
        .as_str()
        .and_then(|c| u64::from_str_radix(c.trim_start_matches("0x"), 16).ok())
        .ok_or_else(|| bad("params[2] must be the chain id in hex".into()))?;
    if entry_point != service.entry_point || chain_id != service.chain_id {
        return Err(bad(format!(
            "this service sponsors on chain {} through {} only",
            service.chain_id, service.entry_point
        )));
    }
    match method {
        "pm_getPaymasterStubData" => Ok(json!({
            "paymaster": service.paymaster,
            "paymasterData": paymaster_data(0, 0, &stub_signature()),
            "paymasterVerificationGasLimit": format!("{VERIFICATION_GAS:#x}"),
            "paymasterPostOpGasLimit": "0x0",
            "sponsor": {"name": SPONSOR_NAME},
            "isFinal": false,
        })),
        "pm_getPaymasterData" => {
            {
                let mut counts = service
                    .counts
                    .lock()
                    .map_err(|_| (-32603, "poisoned".into()))?;
                if counts.0.elapsed() > Duration::from_secs(86_400) {
                    *counts = (Instant::now(), HashMap::new());
                }
                service
                    .policy
                    .admit(&op, &mut counts.1)
                    .map_err(|why| (-32001, why))?;
            }
            let now = chain_time(&service.rpc_url).map_err(|e| (-32603, e))?;
            let valid_until = now + VALID_FOR;
            let hash = sponsor_hash(&op, service.paymaster, chain_id, 0, valid_until);
            let signer = if wrong_signer {
                PrivateKeySigner::from_bytes(&keccak256("not the sponsor"))
                    .map_err(|e| (-32603, e.to_string()))?
            } else {
                service.signer.clone()
            };
            let signature = signer
                .sign_hash_sync(&hash)
                .map_err(|e| (-32603, e.to_string()))?;
            Ok(json!({
                "paymaster": service.paymaster,
                "paymasterData": paymaster_data(0, valid_until, &signature.as_bytes()),
            }))
        }
        other => Err((-32601, format!("{other} is not an ERC-7677 method"))),
    }
}

/// Serves `service` on `127.0.0.1:port` (0: a free port); returns the port.
pub fn start(port: u16, service: Service) -> Result<u16> {
    crate::http::serve("the paymaster service", port, move |request| {
        let body: Value = serde_json::from_str(&request.body).unwrap_or(Value::Null);
        let id = body["id"].clone();
        let wrong_signer = request.path.starts_with("/wrong-signer");
        let reply = match (request.method.as_str(), body["method"].as_str()) {
            ("POST", Some(method)) => answer(&service, wrong_signer, method, &body["params"]),
            _ => Err((-32600, "POST a JSON-RPC request".into())),
        };
        Reply::json(
            match reply {
                Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
                Err((code, message)) => {
                    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
                }
            }
            .to_string(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(sender: Address, call_data: Vec<u8>) -> UserOperation {
        let mut op = UserOperation::unsigned(
            sender,
            U256::ZERO,
            None,
            &[],
            (U256::ZERO, U256::ZERO),
            Bytes::new(),
        );
        op.call_data = call_data.into();
        op
    }

    #[test]
    fn the_policy_allows_its_targets_and_caps_each_account() {
        use sso_wallet::erc7579::{Call, execute_batch, execute_single};
        let me = Address::repeat_byte(0xaa);
        let token = Address::repeat_byte(0x70);
        let other = Address::repeat_byte(0x71);
        let call = |to| Call {
            to,
            value: U256::ZERO,
            data: Bytes::new(),
        };
        let policy = Policy {
            allowed_targets: Some(vec![token]),
            daily_cap: 2,
        };
        let mut used = HashMap::new();
        let single = op(me, execute_single(&call(token)).to_vec());
        assert_eq!(policy.admit(&single, &mut used), Ok(()));
        let to_self = op(me, execute_batch(&[call(token), call(me)]).to_vec());
        assert_eq!(
            policy.admit(&to_self, &mut used),
            Ok(()),
            "the account itself is always allowed"
        );
        let capped = policy.admit(&single, &mut used).unwrap_err();
        assert!(
            capped.contains("its 2 sponsored operations today"),
            "{capped}"
        );
        let mut fresh = HashMap::new();
        let stray = op(me, execute_batch(&[call(token), call(other)]).to_vec());
        let refused = policy.admit(&stray, &mut fresh).unwrap_err();
        assert!(refused.contains(&other.to_string()), "{refused}");
        assert!(policy.admit(&op(me, vec![1, 2, 3]), &mut fresh).is_err());
        assert!(fresh.is_empty(), "refused operations are not counted");
        let any = Policy {
            allowed_targets: None,
            daily_cap: 1,
        };
        assert_eq!(any.admit(&stray, &mut fresh), Ok(()));
    }

    #[test]
    fn paymaster_data_is_the_window_then_the_signature() {
        let data = paymaster_data(1, 0x0102_0304_0506, &[9; 65]);
        assert_eq!(data.len(), 12 + 65);
        assert_eq!(&data[..6], &[0, 0, 0, 0, 0, 1]);
        assert_eq!(&data[6..12], &[1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn the_typehash_is_openzeppelins() {
        assert_eq!(
            UserOperationRequest::eip712_type_hash(&UserOperationRequest {
                sender: Address::ZERO,
                nonce: U256::ZERO,
                initCode: Bytes::new(),
                callData: Bytes::new(),
                accountGasLimits: B256::ZERO,
                preVerificationGas: U256::ZERO,
                gasFees: B256::ZERO,
                paymasterVerificationGasLimit: U256::ZERO,
                paymasterPostOpGasLimit: U256::ZERO,
                validAfter: Default::default(),
                validUntil: Default::default(),
            }),
            keccak256(
                "UserOperationRequest(address sender,uint256 nonce,bytes initCode,bytes callData,bytes32 accountGasLimits,uint256 preVerificationGas,bytes32 gasFees,uint256 paymasterVerificationGasLimit,uint256 paymasterPostOpGasLimit,uint48 validAfter,uint48 validUntil)"
            )
        );
    }
}
