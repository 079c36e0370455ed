//! The ERC-4337 bundler client (ERC-7769 methods): gas estimation, sending a signed
//! UserOperation, its receipt, whether the bundler still has it, and waiting for it. Below every
//! feature: it neither records activity nor touches the wallet's state (`userop::send` does).

use alloy_primitives::B256;
use serde_json::json;

use sso_wallet::erc4337::{self, GasEstimate, UserOperation, UserOperationReceipt};
use sso_wallet::network::Network;
use sso_wallet::{Error, Result};

use crate::{chrome, rpc};

/// A call to the network's bundler, at its endpoint (with its API key), the key taken out of
/// any error ([`Network::redact`]).
async fn call<T: serde::de::DeserializeOwned>(
    network: &Network,
    method: &str,
    params: serde_json::Value,
) -> Result<T> {
    rpc::call_typed(&network.bundler_endpoint(), method, params)
        .await
        .map_err(|e| in_words(network.redact(e)))
}

/// A bundler's refusal with the EntryPoint's code in words in front (`AA34 …` → "the
/// paymaster refused to pay: …").
fn in_words(error: Error) -> Error {
    match error {
        Error::Rpc(mut rpc) => {
            if let Some(words) = sso_wallet::erc4337::refusal_words(&rpc.message) {
                rpc.message = format!("{words} ({})", rpc.message);
            }
            Error::Rpc(rpc)
        }
        other => other,
    }
}

/// How often, and how far apart, an estimate the bundler refused for a nonce the wallet just
/// read (AA25: the bundler is behind) is asked again.
const BEHIND_ON_NONCE_TRIES: u32 = 4;
const BEHIND_ON_NONCE_WAIT_MS: i32 = 1_500;

/// Gas estimation through the bundler (the signature must have the real shape). A bundler
/// behind on the account's nonce ([`sso_wallet::erc4337::bundler_behind_on_nonce`]) is asked
/// again a few seconds later before its refusal is shown.
pub fn estimate<'a>(
    network: &'a Network,
    user_op: &'a UserOperation,
) -> impl Future<Output = Result<GasEstimate>> + 'a {
    estimate_tried(network, user_op, BEHIND_ON_NONCE_TRIES)
}

/// [`estimate`], asking at most `most` times: once for an operation guessed ahead of time
/// (`session::send_with`), which a wrong guess only wastes.
pub async fn estimate_tried(
    network: &Network,
    user_op: &UserOperation,
    most: u32,
) -> Result<GasEstimate> {
    let mut tries = 1;
    let estimate: GasEstimate = loop {
        let answer = call(
            network,
            "eth_estimateUserOperationGas",
            json!([user_op, network.contracts.entry_point]),
        )
        .await;
        match answer {
            Err(Error::Rpc(rpc))
                if tries < most && sso_wallet::erc4337::bundler_behind_on_nonce(&rpc.message) =>
            {
                tries += 1;
                chrome::sleep(BEHIND_ON_NONCE_WAIT_MS).await;
            }
            answer => break answer?,
        }
    };
    if !estimate.is_plausible() {
        return Err(Error::bad_response(
            &network.bundler_url,
            "the bundler's gas estimate is implausibly high",
        ));
    }
    Ok(estimate)
}

/// How long a send whose answer may have been lost waits for the operation's receipt, and how
/// often it looks for it (ms).
const LOST_ANSWER_WAIT_MS: i32 = 30_000;
const LOST_ANSWER_POLL_MS: i32 = 1_000;

/// Sends a signed UserOperation; returns its userOpHash. If sending fails after a try that may
/// have reached the bundler (a transient failure, then a resend of the same bytes that the
/// bundler refused — a duplicate, or a nonce already used by this very operation), the wallet
/// waits for the operation's receipt by the hash it computes: included, it was sent.
pub async fn send(network: &Network, user_op: &UserOperation) -> Result<B256> {
    let (sent, retried) = rpc::call_typed_retried(
        &network.bundler_endpoint(),
        "eth_sendUserOperation",
        json!([user_op, network.contracts.entry_point]),
    )
    .await;
    let sent = sent.map_err(|e| in_words(network.redact(e)));
    let error = match sent {
        Err(error) if retried => error,
        sent => return sent,
    };
    let hash = user_op.hash(network.contracts.entry_point, network.chain_id);
    let mut waited = 0;
    while waited < LOST_ANSWER_WAIT_MS {
        if let Ok(Some(_)) = receipt(network, hash).await {
            return Ok(hash);
        }
        chrome::sleep(LOST_ANSWER_POLL_MS).await;
        waited += LOST_ANSWER_POLL_MS;
    }
    Err(error)
}

/// The receipt of a UserOperation, if it was included.
pub async fn receipt(network: &Network, hash: B256) -> Result<Option<UserOperationReceipt>> {
    call(network, "eth_getUserOperationReceipt", json!([hash])).await
}

/// Waits for a sent UserOperation's receipt, polling fast at first and then less often
/// (`erc4337::receipt_poll_delay_ms`); returns the bundle transaction hash, or the revert as an
/// error. The operation is already with the bundler: a poll that fails (a bundler's passing
/// error, one its own node gave it) does not end the wait — only the timeout
/// (`erc4337::RECEIPT_TIMEOUT_MS`) does, with the last poll's failure if it failed.
pub async fn wait(network: &Network, hash: B256) -> Result<B256> {
    let (mut waited, mut polls) = (0, 0);
    loop {
        let (polled, failure) = match receipt(network, hash).await {
            Ok(polled) => (polled, None),
            Err(e) => (None, Some(e)),
        };
        if let Some(receipt) = polled {
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
        if waited >= erc4337::RECEIPT_TIMEOUT_MS {
            return Err(failure.unwrap_or_else(|| Error::Timeout(hash.to_string())));
        }
        polls += 1;
        let pause = erc4337::receipt_poll_delay_ms(polls);
        chrome::sleep(pause as i32).await;
        waited += pause;
    }
}
