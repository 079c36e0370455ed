//! What the wallet reads from a network's node about its own contracts and the chain: the head
//! (block, time, fees), EntryPoint nonces, code, the account factory's counterfactual address,
//! the passkey validator's keys and logs, the account's operations and the bundles that carried
//! them, block times, the session validator's state, whether the wallet's
//! contracts are there at all, and which P-256 verifier the chain runs. Read-only, below
//! every feature: nothing here sends, asks the user or changes the wallet's state.

use alloy_primitives::{Address, B256, Bytes, U256};
use serde::Deserialize;
use serde_json::json;

use alloy_sol_types::{SolCall, SolEvent};
use sso_wallet::abi::IERC7579ModuleConfig;
use sso_wallet::abi::IEntryPoint;
use sso_wallet::abi::IWebAuthnValidator::{
    PasskeyCreated, PasskeyRemoved, getAccountKeyCall, getAccountListCall,
};
use sso_wallet::account::Account;
use sso_wallet::erc4337;
use sso_wallet::network::{Contracts, Network};
use sso_wallet::recovery::{Log, account_topics};
use sso_wallet::session::spec::{ISessionKeyValidator, SessionSpec, SessionState};
use sso_wallet::webauthn::P256Verifier;
use sso_wallet::{Error, Result};

use crate::rpc;

thread_local! {
    /// The P-256 verifier each network runs, keyed by chain id and RPC URL, for the worker's
    /// life (one probe per network).
    static VERIFIERS: std::cell::RefCell<std::collections::HashMap<(u64, String), P256Verifier>> =
        Default::default();
}

/// The P-256 verifier passkey signatures name on this network: the precompile where `0x100`
/// answers a valid signature, else the Solidity implementation (detected once per worker).
pub async fn p256_verifier(network: &Network) -> Result<P256Verifier> {
    let key = (network.chain_id, network.rpc_url.clone());
    if let Some(known) = VERIFIERS.with_borrow(|known| known.get(&key).copied()) {
        return Ok(known);
    }
    let answer: Bytes = rpc::call_typed(
        &network.rpc_url,
        "eth_call",
        json!([{"to": P256Verifier::PRECOMPILE, "data": P256Verifier::probe_calldata()}, "latest"]),
    )
    .await?;
    let verifier = P256Verifier::from_probe(&answer);
    VERIFIERS.with_borrow_mut(|known| known.insert(key, verifier));
    Ok(verifier)
}

thread_local! {
    /// Networks (chain id, RPC URL) found to have the wallet's contracts, this worker's life.
    static DEPLOYED: std::cell::RefCell<std::collections::HashSet<(u64, String)>> =
        Default::default();
}

/// The wallet's contracts (EntryPoint v0.8, the account factory, both validators) that have no
/// code at the node `rpc_url`, named; empty when all are there.
pub async fn missing_contracts(
    rpc_url: &str,
    contracts: &Contracts,
) -> Result<Vec<(&'static str, Address)>> {
    let needed: [(&'static str, Address); 4] = [
        ("EntryPoint v0.8", contracts.entry_point),
        ("account factory", contracts.account_factory),
        ("passkey validator", contracts.webauthn_validator),
        ("session validator", contracts.session_key_validator),
    ];
    let codes = futures::future::join_all(needed.iter().map(|(_, address)| {
        rpc::call_typed::<Bytes>(rpc_url, "eth_getCode", json!([address, "latest"]))
    }))
    .await;
    let mut missing = Vec::new();
    for (needed, code) in needed.into_iter().zip(codes) {
        if code?.is_empty() {
            missing.push(needed);
        }
    }
    Ok(missing)
}

/// Fails with [`Error::NotDeployed`] unless the wallet's contracts are on this network
/// ([`missing_contracts`]). Checked when a network is first used — creating the account,
/// preparing an operation, the home view — and remembered once found, so it costs one round of
/// reads per worker.
pub async fn require_deployed(network: &Network) -> Result<()> {
    let key = (network.chain_id, network.rpc_url.clone());
    if DEPLOYED.with_borrow(|known| known.contains(&key)) {
        return Ok(());
    }
    if !missing_contracts(&network.rpc_url, &network.contracts)
        .await?
        .is_empty()
    {
        return Err(Error::NotDeployed {
            chain: network.name.clone(),
        });
    }
    DEPLOYED.with_borrow_mut(|known| known.insert(key));
    Ok(())
}

thread_local! {
    /// Networks (chain id, RPC URL) found to have the guardian recovery module, this worker's life.
    static RECOVERY_DEPLOYED: std::cell::RefCell<std::collections::HashSet<(u64, String)>> =
        Default::default();
}

/// The network's guardian recovery module, when it names one and it has code there (found once
/// per worker, like [`require_deployed`]; a module still missing is asked again next time).
pub async fn recovery_module(network: &Network) -> Result<Option<Address>> {
    let Some(module) = network.contracts.guardian_recovery else {
        return Ok(None);
    };
    let key = (network.chain_id, network.rpc_url.clone());
    if RECOVERY_DEPLOYED.with_borrow(|known| known.contains(&key)) {
        return Ok(Some(module));
    }
    if code(network, module).await?.is_empty() {
        return Ok(None);
    }
    RECOVERY_DEPLOYED.with_borrow_mut(|known| known.insert(key));
    Ok(Some(module))
}

/// ERC-7579 module type of validators.
const MODULE_TYPE_VALIDATOR: u64 = 1;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Block {
    number: U256,
    timestamp: U256,
    base_fee_per_gas: Option<U256>,
}

/// The chain's head: where reads are pinned, its time, and current fees.
#[derive(Debug, Clone, Copy)]
pub struct Head {
    /// Block number (hex-encoded in reads, so nonce and counters come from the same block).
    pub number: U256,
    /// Block timestamp (Unix seconds): the time sessions are evaluated at.
    pub timestamp: u64,
    /// `maxFeePerGas = 2 × baseFee + priority`.
    pub max_fee_per_gas: U256,
    /// `maxPriorityFeePerGas`.
    pub max_priority_fee_per_gas: U256,
}

/// The latest block and current fees.
pub async fn head(network: &Network) -> Result<Head> {
    let rpc_url = &network.rpc_url;
    let mut answers = rpc::call_all(
        rpc_url,
        &[
            ("eth_getBlockByNumber", json!(["latest", false])),
            ("eth_maxPriorityFeePerGas", json!([])),
        ],
    )
    .await
    .into_iter();
    let block: Block = rpc::typed(rpc_url, answers.next())?;
    let priority: U256 = rpc::typed(rpc_url, answers.next())?;
    let base = block.base_fee_per_gas.unwrap_or_default();
    let (max_fee_per_gas, max_priority_fee_per_gas) = erc4337::fees(base, priority)
        .ok_or_else(|| Error::bad_response(rpc_url, "the node's fees are implausibly high"))?;
    Ok(Head {
        number: block.number,
        timestamp: block.timestamp.saturating_to(),
        max_fee_per_gas,
        max_priority_fee_per_gas,
    })
}

/// A block number as the tag reads are pinned at.
pub fn block_tag(number: U256) -> String {
    format!("{number:#x}")
}

/// The EntryPoint nonce of `sender` on lane `key`, at block `at`.
pub async fn nonce(network: &Network, sender: Address, key: U256, at: &str) -> Result<U256> {
    let call = get_nonce(sender, key);
    rpc::call_contract(&network.rpc_url, network.contracts.entry_point, &call, at).await
}

/// The EntryPoint's `getNonce(sender, key)` (a lane key fits its 192 bits).
fn get_nonce(sender: Address, key: U256) -> IEntryPoint::getNonceCall {
    IEntryPoint::getNonceCall {
        sender,
        key: key.to(),
    }
}

/// How many transactions `address` sent (its nonce as an externally owned account).
pub async fn transaction_count(network: &Network, address: Address) -> Result<U256> {
    rpc::call_typed(
        &network.rpc_url,
        "eth_getTransactionCount",
        json!([address, "latest"]),
    )
    .await
}

/// The code at `address` (empty: no contract there).
pub async fn code(network: &Network, address: Address) -> Result<Bytes> {
    rpc::call_typed(&network.rpc_url, "eth_getCode", json!([address, "latest"])).await
}

/// The first block at which one of `contracts` has code at `rpc_url` (a binary search over
/// `eth_getCode` at past blocks: about 25 requests each on a long chain), or `None` when the node
/// keeps no state that old or one of them has no code. Where the wallet's log queries start:
/// none of their logs can be older.
pub async fn deployment_block(rpc_url: &str, contracts: &[Address]) -> Option<u64> {
    let head: alloy_primitives::U64 = rpc::call_typed(rpc_url, "eth_blockNumber", json!([]))
        .await
        .ok()?;
    let has_code = |address: Address, block: u64| async move {
        rpc::call_typed::<Bytes>(
            rpc_url,
            "eth_getCode",
            json!([address, format!("{block:#x}")]),
        )
        .await
        .map(|code| !code.is_empty())
    };
    let mut earliest = u64::MAX;
    for address in contracts {
        let (mut low, mut high) = (0u64, head.to::<u64>());
        if !has_code(*address, high).await.ok()? {
            return None;
        }
        while low < high {
            let middle = low + (high - low) / 2;
            if has_code(*address, middle).await.ok()? {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        earliest = earliest.min(low);
    }
    (earliest != u64::MAX).then_some(earliest)
}

/// The native balance of `address` (wei).
pub async fn balance(network: &Network, address: Address) -> Result<U256> {
    rpc::call_typed(
        &network.rpc_url,
        "eth_getBalance",
        json!([address, "latest"]),
    )
    .await
}

/// Whether `address` has code.
pub async fn is_deployed(network: &Network, address: Address) -> Result<bool> {
    Ok(!code(network, address).await?.is_empty())
}

/// The factory's address for the account's salt and first passkey (deployed there or not).
pub async fn counterfactual_address(network: &Network, account: &Account) -> Result<Address> {
    let call = account.get_address_call();
    rpc::call_contract(
        &network.rpc_url,
        network.contracts.account_factory,
        &call,
        "latest",
    )
    .await
}

/// The time (Unix seconds) of block `number`.
pub async fn block_time(network: &Network, number: u64) -> Result<u64> {
    let block: Block = rpc::call_typed(
        &network.rpc_url,
        "eth_getBlockByNumber",
        json!([format!("{number:#x}"), false]),
    )
    .await?;
    Ok(block.timestamp.saturating_to())
}

/// The EntryPoint's `UserOperationEvent` logs of `account`'s operations (its `sender` topic).
pub async fn operation_events(network: &Network, account: Address) -> Result<Vec<Log>> {
    rpc::logs(
        network,
        network.contracts.entry_point,
        json!([
            IEntryPoint::UserOperationEvent::SIGNATURE_HASH,
            null,
            account.into_word()
        ]),
    )
    .await
}

/// A transaction's input (its calldata).
pub async fn transaction_input(network: &Network, hash: B256) -> Result<Bytes> {
    #[derive(Deserialize)]
    struct Transaction {
        input: Bytes,
    }
    let tx: Transaction =
        rpc::call_typed(&network.rpc_url, "eth_getTransactionByHash", json!([hash])).await?;
    Ok(tx.input)
}

/// The passkey validator's `PasskeyCreated` / `PasskeyRemoved` logs about `account`.
pub async fn passkey_logs(network: &Network, account: Address) -> Result<Vec<Log>> {
    rpc::logs(
        network,
        network.contracts.webauthn_validator,
        account_topics(
            &[
                PasskeyCreated::SIGNATURE_HASH,
                PasskeyRemoved::SIGNATURE_HASH,
            ],
            account,
        ),
    )
    .await
}

/// The key `account` registered for `credential_id` at `origin` on `network` (`(0, 0)` if none).
pub async fn registered_key(
    network: &Network,
    account: Address,
    origin: &str,
    credential_id: &Bytes,
) -> Result<[B256; 2]> {
    let call = getAccountKeyCall {
        originDomain: origin.to_owned(),
        credentialId: credential_id.clone(),
        account,
    };
    passkey_validator(network, &call).await
}

/// The accounts the passkey validator lists for a passkey of `origin`: those it was added to
/// (with a proof of possession).
pub async fn account_list(
    network: &Network,
    origin: &str,
    credential_id: &Bytes,
) -> Result<Vec<Address>> {
    let call = getAccountListCall {
        originDomain: origin.to_owned(),
        credentialId: credential_id.clone(),
    };
    passkey_validator(network, &call).await
}

/// A view call to the network's passkey validator, at the latest block.
async fn passkey_validator<C: alloy_sol_types::SolCall>(
    network: &Network,
    call: &C,
) -> Result<C::Return> {
    rpc::call_contract(
        &network.rpc_url,
        network.contracts.webauthn_validator,
        call,
        "latest",
    )
    .await
}

/// A session's state on chain and the nonce of its lane (`key`), both at block `at`: one
/// batch, as the session path reads them before each operation.
pub async fn session_lane(
    network: &Network,
    account: Address,
    spec: &SessionSpec,
    key: U256,
    at: &str,
) -> (Result<SessionState>, Result<U256>) {
    let state = ISessionKeyValidator::sessionStateCall {
        account,
        spec: spec.clone(),
    };
    let nonce = get_nonce(account, key);
    let contracts = &network.contracts;
    let url = network.rpc_url.as_str();
    let mut answers = rpc::call_all(
        url,
        &[
            (
                "eth_call",
                rpc::eth_call_params(
                    None,
                    contracts.session_key_validator,
                    state.abi_encode().into(),
                    at,
                ),
            ),
            (
                "eth_call",
                rpc::eth_call_params(None, contracts.entry_point, nonce.abi_encode().into(), at),
            ),
        ],
    )
    .await
    .into_iter();
    let state = rpc::decode_returns::<ISessionKeyValidator::sessionStateCall>(url, answers.next());
    let nonce = rpc::decode_returns::<IEntryPoint::getNonceCall>(url, answers.next());
    (state, nonce)
}

/// Whether the session validator is installed on `account` (no code: not).
pub async fn validator_installed(network: &Network, account: Address) -> Result<bool> {
    let code: Bytes =
        rpc::call_typed(&network.rpc_url, "eth_getCode", json!([account, "latest"])).await?;
    if code.is_empty() {
        return Ok(false);
    }
    module_installed(
        network,
        account,
        MODULE_TYPE_VALIDATOR,
        network.contracts.session_key_validator,
        Bytes::new(),
    )
    .await
}

/// Whether `module` is installed on the deployed `account` as ERC-7579 type `module_type_id`
/// (`context`: a fallback handler's selector), at the latest block.
pub async fn module_installed(
    network: &Network,
    account: Address,
    module_type_id: u64,
    module: Address,
    context: Bytes,
) -> Result<bool> {
    let call = IERC7579ModuleConfig::isModuleInstalledCall {
        moduleTypeId: U256::from(module_type_id),
        module,
        additionalContext: context,
    };
    rpc::call_contract(&network.rpc_url, account, &call, "latest").await
}
