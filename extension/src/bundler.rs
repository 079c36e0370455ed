//! The ERC-4337 bundler client (ERC-7769 methods): gas estimation, sending a signed
//! UserOperation, its receipt, whether the bundler still has it, and waiting for it. Below every
//! feature: it neither records activity nor touches the wallet's state (`userop::send` does).

use alloy_primitives::B256;
use serde::Deserialize;
use serde_json::json;

use sso_wallet::erc4337::{GasEstimate, UserOperation, UserOperationReceipt};
use sso_wallet::network::Network;
use sso_wallet::{Error, Result};

use crate::{chrome, rpc};

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

/// Sends a signed UserOperation; returns its userOpHash. If sending fails — possibly after a
/// try that reached the bundler and a resend it then refused as a duplicate — the bundler is
/// asked whether it has the operation (`eth_getUserOperationByHash`, by the hash the wallet
/// computes): if it has, it was sent.
pub async fn send(network: &Network, user_op: &UserOperation) -> Result<B256> {
    let sent = rpc::call_typed(
        &network.bundler_url,
        "eth_sendUserOperation",
        json!([user_op, network.contracts.entry_point]),
    )
    .await;
    let Err(error) = sent else {
        return sent;
    };
    let hash = user_op.hash(network.contracts.entry_point, network.chain_id);
    let known: Result<Option<serde_json::Value>> = rpc::call_typed(
        &network.bundler_url,
        "eth_getUserOperationByHash",
        json!([hash]),
    )
    .await;
    match known {
        Ok(Some(_)) => Ok(hash),
        _ => Err(error),
    }
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

/// How long the wallet waits for inclusion before giving up on a receipt.
const RECEIPT_TIMEOUT_MS: i32 = 60_000;
const RECEIPT_POLL_MS: i32 = 200;

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
