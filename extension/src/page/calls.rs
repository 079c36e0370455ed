//! EIP-5792 batches: `wallet_sendCalls` (refused if a call would administer the account; a
//! session's, or a passkey approval of one UserOperation running them atomically),
//! `wallet_getCallsStatus` and `wallet_showCallsStatus` (the origin's own batches only), and
//! `wallet_getCapabilities`.

use serde_json::{Value, json};

use sso_wallet::administration::Protected;
use sso_wallet::approval::ApprovalKind;
use sso_wallet::eip1193::{self, Method};
use sso_wallet::erc5792;
use sso_wallet::{Error, Result};

use super::Request;
use crate::session::{self, Attempt};
use crate::{activity, approvals, bundler, chain, state, userop};

pub async fn handle(request: Request) -> Result<Option<Value>> {
    match request.method {
        Method::SendCalls => send(request).await,
        Method::GetCallsStatus => {
            let id = eip1193::calls_id_param(request.params)?;
            let record = activity::batch(&id, &request.origin)
                .await?
                .ok_or(Error::UnknownCallsId(id))?;
            let network = state::network_for(record.chain_id).await?;
            // The account's nonce for the operation's key first, then the receipt: a nonce
            // that moved on with no receipt after it means another operation took its place.
            let account = state::wallet().await?.account.map(|a| a.address);
            let lane_nonce = match (account, record.nonce) {
                (Some(account), Some(nonce)) => {
                    chain::nonce(&network, account, nonce >> 64, "latest")
                        .await
                        .ok()
                }
                _ => None,
            };
            let now = js_sys::Date::now() as u64;
            let receipt = bundler::receipt(&network, record.user_op_hash).await;
            let inclusion = match &receipt {
                Ok(Some(receipt)) => erc5792::Inclusion::Included(receipt),
                Ok(None) => erc5792::Inclusion::without_receipt(&record, lane_nonce, now),
                // The bundler failed to answer: still pending while the operation is young.
                Err(e) => erc5792::Inclusion::unknown(&record, now).ok_or_else(|| e.clone())?,
            };
            Ok(Some(erc5792::status_response(&record, inclusion)))
        }
        Method::ShowCallsStatus => {
            let id = eip1193::calls_id_param(request.params)?;
            if activity::batch(&id, &request.origin).await?.is_none() {
                return Err(Error::UnknownCallsId(id));
            }
            approvals::show_activity(&id).await?;
            Ok(Some(Value::Null))
        }
        _ => {
            let network = state::network().await?;
            Ok(Some(erc5792::capabilities([network.chain_id])))
        }
    }
}

async fn send(request: Request) -> Result<Option<Value>> {
    let batch = eip1193::send_calls_params(request.params.clone())?;
    let account = request.account()?;
    request.check_claimed(batch.from, &account)?;
    let network = state::network().await?;
    if batch.chain_id != network.chain_id {
        return Err(Error::UnsupportedChain {
            requested: batch.chain_id,
            current: network.chain_id,
        });
    }
    Protected::of(account.address, &network.contracts)
        .with_modules(
            state::read_wallet(|w| w.known_modules(network.chain_id, account.address)).await?,
        )
        .check(&batch.calls)?;
    // Ids are unique per origin (another origin's ids are none of this one's business).
    if let Some(id) = &batch.id
        && activity::batch(id, &request.origin).await?.is_some()
    {
        return Err(Error::DuplicateCallsId(id.clone()));
    }
    let attempt = session::try_send(
        &network,
        &account,
        &request.origin,
        &batch.calls,
        batch.session,
        batch.id.as_deref(),
        network.sponsor(batch.paymaster_service.clone()).as_ref(),
    )
    .await?;
    let fallback = match attempt {
        Attempt::Sent(hash) => {
            let id = batch.id.unwrap_or_else(|| hash.to_string());
            return Ok(Some(json!({ "id": id })));
        }
        Attempt::Fallback(reason) => reason,
    };
    let sponsor = network.sponsor(batch.paymaster_service);
    let mut prepared = userop::prepare(&network, &account, batch.calls, sponsor.as_ref()).await?;
    prepared.session_fallback = fallback;
    // Without a dapp-chosen id, the userOpHash identifies the batch.
    let id = batch
        .id
        .unwrap_or_else(|| prepared.user_op_hash.to_string());
    approvals::enqueue(
        &request.origin,
        request.reply_to,
        ApprovalKind::SendCalls {
            prepared: Box::new(prepared),
            id,
        },
    )
    .await?;
    Ok(None)
}
