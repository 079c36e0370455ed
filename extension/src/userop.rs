//! Building, gas-estimating and submitting the account's UserOperations.

use alloy_primitives::{B256, Bytes, U256};
use alloy_sol_types::SolCall;
use serde::Deserialize;
use serde_json::json;

use sso_wallet::abi::IEntryPoint;
use sso_wallet::account::Account;
use sso_wallet::approval::PreparedTransaction;
use sso_wallet::erc4337::{GasEstimate, UserOperation, UserOperationReceipt};
use sso_wallet::erc7579::{self, Call};
use sso_wallet::network::Network;
use sso_wallet::webauthn;
use sso_wallet::{Error, Result};

use crate::{chrome, rpc};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Block {
    base_fee_per_gas: Option<U256>,
}

/// Current fees: `maxFeePerGas = 2 × baseFee + priority`.
async fn fees(network: &Network) -> Result<(U256, U256)> {
    let rpc_url = &network.rpc_url;
    let (block, priority) = futures::join!(
        rpc::call_typed::<Block>(rpc_url, "eth_getBlockByNumber", json!(["latest", false])),
        rpc::call_typed::<U256>(rpc_url, "eth_maxPriorityFeePerGas", json!([])),
    );
    let base = block?.base_fee_per_gas.unwrap_or_default();
    let priority = priority?;
    Ok((base * U256::from(2) + priority, priority))
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
    let nonce_call = IEntryPoint::getNonceCall {
        sender,
        key: Default::default(),
    };
    let (code, nonce, fees, (explained, warnings)) = futures::join!(
        rpc::call_typed::<Bytes>(&network.rpc_url, "eth_getCode", json!([sender, "latest"])),
        rpc::call_typed::<Bytes>(
            &network.rpc_url,
            "eth_call",
            json!([{"to": entry_point, "data": Bytes::from(nonce_call.abi_encode())}, "latest"]),
        ),
        fees(network),
        crate::explain::explain(network, sender, &calls),
    );
    let deployed = !code?.is_empty();
    let nonce =
        IEntryPoint::getNonceCall::abi_decode_returns(&nonce?).map_err(|e| Error::BadResponse {
            url: network.rpc_url.clone(),
            message: format!("getNonce: {e}"),
        })?;
    let (max_fee_per_gas, max_priority_fee_per_gas) = fees?;
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
            &account.passkey.credential_id,
        ),
    };
    let estimate: GasEstimate = rpc::call_typed(
        &network.bundler_url,
        "eth_estimateUserOperationGas",
        json!([user_op, entry_point]),
    )
    .await?;
    user_op.apply_gas(&estimate);
    let user_op_hash = user_op.hash(entry_point, network.chain_id);
    Ok(PreparedTransaction {
        chain_id: network.chain_id,
        explained,
        warnings,
        calls,
        user_op,
        user_op_hash,
    })
}

/// How long the wallet waits for inclusion before giving up on a receipt.
const RECEIPT_TIMEOUT_MS: i32 = 60_000;
const RECEIPT_POLL_MS: i32 = 200;

/// Sends a signed UserOperation to the bundler; returns its userOpHash.
pub async fn send(network: &Network, user_op: &UserOperation) -> Result<B256> {
    rpc::call_typed(
        &network.bundler_url,
        "eth_sendUserOperation",
        json!([user_op, network.contracts.entry_point]),
    )
    .await
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

/// Sends a signed UserOperation and waits for its receipt; returns the bundle transaction hash.
pub async fn submit(network: &Network, user_op: &UserOperation) -> Result<B256> {
    let hash = send(network, user_op).await?;
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
