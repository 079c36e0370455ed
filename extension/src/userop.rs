//! Building, gas-estimating and submitting the account's UserOperations.

use alloy_primitives::{Address, B256, Bytes, U256};
use serde::Deserialize;
use serde_json::json;

use sso_wallet::abi::IEntryPoint;
use sso_wallet::account::Account;
use sso_wallet::approval::PreparedTransaction;
use sso_wallet::erc4337::{self, GasEstimate, UserOperation, UserOperationReceipt};
use sso_wallet::erc7579::{self, Call};
use sso_wallet::network::Network;
use sso_wallet::webauthn;
use sso_wallet::{Error, Result};

use crate::{chrome, rpc};

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
    let (block, priority) = futures::join!(
        rpc::call_typed::<Block>(rpc_url, "eth_getBlockByNumber", json!(["latest", false])),
        rpc::call_typed::<U256>(rpc_url, "eth_maxPriorityFeePerGas", json!([])),
    );
    let block = block?;
    let base = block.base_fee_per_gas.unwrap_or_default();
    let (max_fee_per_gas, max_priority_fee_per_gas) = erc4337::fees(base, priority?)
        .ok_or_else(|| Error::bad_response(rpc_url, "the node's fees are implausibly high"))?;
    Ok(Head {
        number: block.number,
        timestamp: block.timestamp.saturating_to(),
        max_fee_per_gas,
        max_priority_fee_per_gas,
    })
}

/// The EntryPoint nonce of `sender` on lane `key`, at block `at`.
pub async fn nonce(network: &Network, sender: Address, key: U256, at: &str) -> Result<U256> {
    let call = IEntryPoint::getNonceCall {
        sender,
        key: key.to(),
    };
    rpc::call_contract(&network.rpc_url, network.contracts.entry_point, &call, at).await
}

/// Gas estimation through the bundler (the signature must have the real shape).
pub async fn estimate(network: &Network, user_op: &UserOperation) -> Result<GasEstimate> {
    let estimate: GasEstimate = rpc::call_typed(
        &network.bundler_url,
        "eth_estimateUserOperationGas",
        json!([user_op, network.contracts.entry_point]),
    )
    .await?;
    if !estimate.is_plausible() {
        return Err(Error::bad_response(
            &network.bundler_url,
            "the bundler's gas estimate is implausibly high",
        ));
    }
    Ok(estimate)
}

/// Prepares a UserOperation for `calls` (one call, or an atomic batch) from `account`: deployment
/// when needed, nonce, fees and bundler gas estimation (with a dummy signature of the real shape).
pub async fn prepare(
    network: &Network,
    account: &Account,
    calls: Vec<Call>,
) -> Result<PreparedTransaction> {
    let sender = account.address;
    let entry_point = network.contracts.entry_point;
    let (code, nonce, head, (explained, warnings)) = futures::join!(
        rpc::call_typed::<Bytes>(&network.rpc_url, "eth_getCode", json!([sender, "latest"])),
        nonce(network, sender, U256::ZERO, "latest"),
        head(network),
        crate::explain::explain(network, sender, &calls),
    );
    let deployed = !code?.is_empty();
    check_signer(network, account, deployed).await?;
    let nonce = nonce?;
    let Head {
        max_fee_per_gas,
        max_priority_fee_per_gas,
        ..
    } = head?;
    let mut user_op = UserOperation {
        sender,
        nonce,
        factory: (!deployed).then_some(network.contracts.account_factory),
        factory_data: (!deployed).then(|| account.factory_data()),
        call_data: match calls.as_slice() {
            [single] => erc7579::execute_single(single),
            batch => erc7579::execute_batch(batch),
        },
        call_gas_limit: U256::ZERO,
        verification_gas_limit: U256::ZERO,
        pre_verification_gas: U256::ZERO,
        max_fee_per_gas,
        max_priority_fee_per_gas,
        signature: webauthn::dummy_user_op_signature(
            network.contracts.webauthn_validator,
            &account.origin_domain,
            &account.signing_passkey().credential_id,
        ),
    };
    let deployment = user_op.factory.zip(user_op.factory_data.as_ref());
    let (estimate, (balance_changes, reverts)) = futures::join!(
        estimate(network, &user_op),
        crate::explain::simulate_changes(network, sender, deployment, &user_op.call_data),
    );
    let mut warnings = warnings;
    warnings.extend(reverts);
    let estimate = estimate?;
    user_op.apply_gas(&estimate);
    let user_op_hash = user_op.hash(entry_point, network.chain_id);
    Ok(PreparedTransaction {
        chain_id: network.chain_id,
        explained,
        warnings,
        calls,
        user_op,
        user_op_hash,
        session_fallback: None,
        balance_changes,
    })
}

/// Passkeys are registered per chain: a browser that signs with a passkey added later can sign
/// only where the account is deployed and that passkey is registered (the first passkey is the
/// one that deploys it elsewhere). Refused up front, with the reason, instead of after the user
/// confirmed and the bundler rejected the signature.
async fn check_signer(network: &Network, account: &Account, deployed: bool) -> Result<()> {
    let Some(signer) = &account.signer else {
        return Ok(());
    };
    if !deployed {
        return Err(Error::NotAllowed(format!(
            "Your account is not deployed on {} yet, and only its first passkey can deploy it there; this browser signs with a passkey added later. Send the first transaction on {} from a browser with the first passkey.",
            network.name, network.name
        )));
    }
    let key = crate::passkeys::registered_key(
        network,
        account.address,
        &account.origin_domain,
        &signer.credential_id,
    )
    .await?;
    if key != signer.public_key {
        return Err(Error::NotAllowed(format!(
            "The passkey this browser signs with is not registered for your account on {}; add it there from a browser with one of the account's passkeys.",
            network.name
        )));
    }
    Ok(())
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

/// How long the wallet waits for inclusion before giving up on a receipt.
const RECEIPT_TIMEOUT_MS: i32 = 60_000;
const RECEIPT_POLL_MS: i32 = 200;

/// Sends a signed UserOperation to the bundler and records it in the activity log; returns its
/// userOpHash.
pub async fn send(
    network: &Network,
    user_op: &UserOperation,
    entry: crate::activity::Entry<'_>,
) -> Result<B256> {
    let hash = rpc::call_typed(
        &network.bundler_url,
        "eth_sendUserOperation",
        json!([user_op, network.contracts.entry_point]),
    )
    .await?;
    // It is sent: a failure to log it must not turn into a failure to the dapp.
    if let Err(e) = crate::activity::record(network, entry, hash).await {
        web_sys::console::error_1(&format!("SSO Wallet: activity not recorded: {e}").into());
    }
    Ok(hash)
}

/// The receipt of a UserOperation, if it was included.
pub async fn receipt(network: &Network, hash: B256) -> Result<Option<UserOperationReceipt>> {
    rpc::call_typed(
        &network.bundler_url,
        "eth_getUserOperationReceipt",
        json!([hash]),
    )
    .await
}

/// Whether the bundler may still include a UserOperation that has no receipt yet. Asked with
/// `pimlico_getUserOperationStatus` (alto's mempool status); a bundler without it is assumed to
/// still have the operation.
pub async fn still_pending(network: &Network, hash: B256) -> Result<bool> {
    #[derive(Deserialize)]
    struct Status {
        status: String,
    }
    match rpc::call_typed::<Status>(
        &network.bundler_url,
        "pimlico_getUserOperationStatus",
        json!([hash]),
    )
    .await
    {
        Ok(s) => Ok(!matches!(
            s.status.as_str(),
            "not_found" | "rejected" | "failed"
        )),
        Err(Error::Rpc(_)) => Ok(true),
        Err(e) => Err(e),
    }
}

/// Sends a signed UserOperation and waits for its receipt; returns the bundle transaction hash.
pub async fn submit(
    network: &Network,
    user_op: &UserOperation,
    entry: crate::activity::Entry<'_>,
) -> Result<B256> {
    let hash = send(network, user_op, entry).await?;
    wait(network, hash).await
}

/// Waits for a sent UserOperation's receipt; returns the bundle transaction hash, or the
/// revert as an error.
pub async fn wait(network: &Network, hash: B256) -> Result<B256> {
    let mut waited = 0;
    loop {
        if let Some(receipt) = receipt(network, hash).await? {
            let tx_hash = receipt.receipt.transaction_hash;
            if !receipt.success {
                return Err(Error::ExecutionReverted {
                    tx_hash: tx_hash.to_string(),
                    reason: receipt
                        .reason
                        .as_deref()
                        .and_then(|r| sso_wallet::jsonrpc::decode_revert_reason(r)),
                });
            }
            return Ok(tx_hash);
        }
        if waited >= RECEIPT_TIMEOUT_MS {
            return Err(Error::Timeout(hash.to_string()));
        }
        chrome::sleep(RECEIPT_POLL_MS).await;
        waited += RECEIPT_POLL_MS;
    }
}
