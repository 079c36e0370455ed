//! Page requests (EIP-1193): parse the method, check its access level against the origin the
//! port came from, then answer, pass through to the node, or queue an approval.

use serde_json::{Value, json};

use alloy_primitives::Address;
use sso_wallet::account::Account;
use sso_wallet::administration::Protected;
use sso_wallet::approval::{ApprovalKind, PreparedSignature, ReplyTo, SignContent};
use sso_wallet::eip1193::{self, Access, Method};
use sso_wallet::eip2255;
use sso_wallet::erc1271;
use sso_wallet::erc5792;
use sso_wallet::protocol::{PageMessage, PageRequest};
use sso_wallet::{Error, Result};

use crate::session::{self, Attempt};
use crate::{approvals, networks, rpc, state, userop};

/// Handles one message from a page port: a request, answered now or when its approval resolves;
/// or, after the content script reconnected, the ids it still waits for
/// ([`PageRequest::resume_ids`], see [`resume`]).
pub async fn handle(page: String, origin: String, message: Value) {
    if let Some(ids) = PageRequest::resume_ids(&message) {
        return resume(&page, &ids);
    }
    let request = match PageRequest::parse(message) {
        Ok(request) => request,
        Err((Some(id), error)) => return reply(&page, PageMessage::answer(id, Err(error))),
        Err((None, error)) => {
            // No id to answer to; the content script never forwards these.
            return web_sys::console::warn_1(
                &format!("SSO Wallet: dropped request: {error}").into(),
            );
        }
    };
    let id = request.id;
    let reply_to = ReplyTo {
        page: page.clone(),
        request: id,
    };
    match route(reply_to, &origin, request).await {
        Ok(Some(result)) => reply(&page, PageMessage::answer(id, Ok(result))),
        Ok(None) => {} // answered when the approval resolves
        Err(error) => reply(&page, PageMessage::answer(id, Err(error))),
    }
}

/// The content script reconnected and still waits for `ids`. What the outbox holds for them is
/// sent again, and kept (the new port may have failed too: the next `resume` says); what it holds
/// for ids no longer listed reached the page and is dropped. An id neither held nor waiting for
/// the user was lost with the worker that had it: 4900.
fn resume(page: &str, ids: &[u64]) {
    let held = state::take_held(page);
    for &id in ids {
        match held.iter().find(|m| m.id() == Some(id)) {
            Some(answer) => deliver(page, answer.clone()),
            None if state::with(|s| s.approvals.waits(page, id)) => {}
            None => reply(page, PageMessage::answer(id, Err(Error::Interrupted))),
        }
    }
}

/// Sends a message to a page on its current port; an answer for a page without a port (the
/// worker just restarted and the page has not reconnected yet) is held until it does.
pub fn reply(page: &str, message: PageMessage) {
    match state::page_port(page) {
        Some(port) => port.send(&message),
        None if message.id().is_some() => state::hold(page, message),
        None => {}
    }
}

/// Sends an answer the page may have waited for across a worker restart (an approval's outcome)
/// and keeps a copy until the page's next `resume`. A port is no proof of delivery: a content
/// script whose connect raced the worker's start sees it fail ("Could not establish connection")
/// while the worker still gets the port, never closed on its side, and what is sent there is
/// lost; the content script reconnects and resumes, and gets the copy.
pub fn deliver(page: &str, answer: PageMessage) {
    if let Some(port) = state::page_port(page) {
        port.send(&answer);
    }
    state::hold(page, answer);
}

/// `Ok(None)` means an approval was queued and will answer later.
async fn route(reply_to: ReplyTo, origin: &str, request: PageRequest) -> Result<Option<Value>> {
    let method = Method::parse(&request.method)
        .ok_or_else(|| Error::UnsupportedMethod(request.method.clone()))?;
    // Only what the request needs, read without copying the whole wallet state.
    let (connected, account, grant) = state::read_wallet(|w| {
        (
            w.is_connected(origin),
            w.account.clone(),
            w.grants.get(origin).cloned(),
        )
    })
    .await?;
    let address = account.as_ref().map(|a| a.address);
    if method.access() == Access::Connected && !connected {
        // An unconnected origin sees no accounts, and may ask nothing else of them.
        return match method {
            Method::Accounts => Ok(Some(json!([]))),
            _ => Err(Error::Unauthorized(origin.to_owned())),
        };
    }
    match method {
        Method::ChainId => Ok(Some(json!(state::network().await?.chain_id_hex()))),
        Method::NetVersion => Ok(Some(json!(state::network().await?.chain_id.to_string()))),
        Method::Accounts => Ok(Some(json!([address]))),
        Method::Read(name) => {
            let params = eip1193::read_params(request.params)?;
            Ok(Some(
                rpc::call(&state::network().await?.rpc_url, name, params).await?,
            ))
        }
        Method::RequestAccounts => {
            if connected {
                return Ok(Some(json!([address])));
            }
            if origin == "null" {
                return Err(Error::Unauthorized(origin.to_owned()));
            }
            approvals::enqueue(origin, reply_to, ApprovalKind::Connect).await?;
            Ok(None)
        }
        Method::SendTransaction => {
            let tx = eip1193::send_transaction_params(request.params)?;
            let account = connected_account(account, connected, origin)?;
            check_claimed(origin, tx.from, &account)?;
            let network = state::network().await?;
            if tx.chain_id.is_some_and(|c| c != network.chain_id) {
                return Err(Error::invalid_params(format!(
                    "chainId does not match the wallet's network ({})",
                    network.chain_id
                )));
            }
            let calls = vec![tx.call];
            Protected::of(account.address, &network.contracts).check(&calls)?;
            let fallback =
                match session::try_send(&network, &account, origin, &calls, None, None).await? {
                    Attempt::Sent(hash) => {
                        return Ok(Some(json!(userop::wait(&network, hash).await?)));
                    }
                    Attempt::Fallback(reason) => reason,
                };
            let mut prepared = userop::prepare(&network, &account, calls).await?;
            prepared.session_fallback = fallback;
            approvals::enqueue(
                origin,
                reply_to,
                ApprovalKind::SendTransaction(Box::new(prepared)),
            )
            .await?;
            Ok(None)
        }
        Method::SendCalls => {
            let batch = eip1193::send_calls_params(request.params)?;
            let account = connected_account(account, connected, origin)?;
            check_claimed(origin, batch.from, &account)?;
            let network = state::network().await?;
            if batch.chain_id != network.chain_id {
                return Err(Error::UnsupportedChain {
                    requested: batch.chain_id,
                    current: network.chain_id,
                });
            }
            Protected::of(account.address, &network.contracts).check(&batch.calls)?;
            // Ids are unique per origin (another origin's ids are none of this one's business).
            if let Some(id) = &batch.id
                && crate::activity::batch(id, origin).await?.is_some()
            {
                return Err(Error::DuplicateCallsId(id.clone()));
            }
            let attempt = session::try_send(
                &network,
                &account,
                origin,
                &batch.calls,
                batch.session,
                batch.id.as_deref(),
            )
            .await?;
            let fallback = match attempt {
                Attempt::Sent(hash) => {
                    let id = batch.id.unwrap_or_else(|| hash.to_string());
                    return Ok(Some(json!({ "id": id })));
                }
                Attempt::Fallback(reason) => reason,
            };
            let mut prepared = userop::prepare(&network, &account, batch.calls).await?;
            prepared.session_fallback = fallback;
            // Without a dapp-chosen id, the userOpHash identifies the batch.
            let id = batch
                .id
                .unwrap_or_else(|| prepared.user_op_hash.to_string());
            approvals::enqueue(
                origin,
                reply_to,
                ApprovalKind::SendCalls {
                    prepared: Box::new(prepared),
                    id,
                },
            )
            .await?;
            Ok(None)
        }
        Method::GetCallsStatus => {
            let id = eip1193::calls_id_param(request.params)?;
            let record = crate::activity::batch(&id, origin)
                .await?
                .ok_or(Error::UnknownCallsId(id))?;
            let network = state::network_for(record.chain_id).await?;
            let receipt = userop::receipt(&network, record.user_op_hash).await?;
            let inclusion = match &receipt {
                Some(receipt) => erc5792::Inclusion::Included(receipt),
                None if userop::still_pending(&network, record.user_op_hash).await? => {
                    erc5792::Inclusion::Pending
                }
                None => erc5792::Inclusion::Dropped,
            };
            Ok(Some(erc5792::status_response(&record, inclusion)))
        }
        Method::ShowCallsStatus => {
            let id = eip1193::calls_id_param(request.params)?;
            if crate::activity::batch(&id, origin).await?.is_none() {
                return Err(Error::UnknownCallsId(id));
            }
            crate::approvals::show_activity(&id).await?;
            Ok(Some(Value::Null))
        }
        Method::GetCapabilities => {
            let network = state::network().await?;
            Ok(Some(erc5792::capabilities([network.chain_id])))
        }
        Method::GetPermissions => Ok(Some(eip2255::permissions(origin, grant.as_ref(), address))),
        Method::RequestPermissions => {
            eip2255::permission_params(request.params)?;
            if connected {
                return Ok(Some(eip2255::permissions(origin, grant.as_ref(), address)));
            }
            if origin == "null" {
                return Err(Error::Unauthorized(origin.to_owned()));
            }
            approvals::enqueue(origin, reply_to, ApprovalKind::RequestPermissions).await?;
            Ok(None)
        }
        Method::RevokePermissions => {
            eip2255::permission_params(request.params)?;
            crate::home::disconnect(origin).await?;
            Ok(Some(Value::Null))
        }
        Method::SwitchChain => {
            let requested = eip1193::switch_chain_params(request.params)?;
            // The network is the wallet's, for every site: a locked wallet keeps it.
            crate::lock::ensure_unlocked().await?;
            Ok(Some(networks::switch(requested).await?))
        }
        Method::AddChain => {
            let add = eip1193::add_chain_params(request.params)?;
            connected_account(account, connected, origin)?;
            if networks::add(origin, reply_to, add).await? {
                Ok(None)
            } else {
                Ok(Some(Value::Null))
            }
        }
        Method::PersonalSign | Method::SignTypedData => {
            let account = connected_account(account, connected, origin)?;
            let network = state::network().await?;
            let (signer, prepared) = match method {
                Method::PersonalSign => {
                    let (message, signer) = eip1193::personal_sign_params(request.params)?;
                    let digest =
                        erc1271::personal_sign_digest(&message, account.address, network.chain_id);
                    let content = SignContent::Message { message };
                    (
                        signer,
                        PreparedSignature {
                            content,
                            digest,
                            suffix: Default::default(),
                            chain_id: network.chain_id,
                        },
                    )
                }
                _ => {
                    let (signer, typed, json) = eip1193::sign_typed_data_params(request.params)?;
                    if let Some(chain) = typed.domain.chain_id
                        && chain != alloy_primitives::U256::from(network.chain_id)
                    {
                        return Err(Error::invalid_params(format!(
                            "the typed data is for chain {chain}, the wallet is on {}",
                            network.chain_id
                        )));
                    }
                    let sign = erc1271::typed_data_sign(&typed, account.address, network.chain_id)?;
                    let content = SignContent::TypedData { typed_data: json };
                    let prepared = PreparedSignature {
                        content,
                        digest: sign.digest,
                        suffix: sign.suffix,
                        chain_id: network.chain_id,
                    };
                    (Some(signer), prepared)
                }
            };
            check_claimed(origin, signer, &account)?;
            approvals::enqueue(origin, reply_to, ApprovalKind::Sign(Box::new(prepared))).await?;
            Ok(None)
        }
        Method::RequestExecutionPermissions => {
            let account = connected_account(account, connected, origin)?;
            session::request(origin, reply_to, request.params, account).await?;
            Ok(None)
        }
        Method::GetGrantedExecutionPermissions => Ok(Some(session::granted(origin).await?)),
        Method::RevokeExecutionPermission => {
            let context =
                sso_wallet::session::request::parse_revoke(&request.params.unwrap_or_default())?;
            if session::revoke(context, Some(origin), reply_to).await? {
                Ok(None)
            } else {
                Ok(Some(Value::Null))
            }
        }
        Method::GetSupportedExecutionPermissions => {
            let network = state::network().await?;
            Ok(Some(
                sso_wallet::session::request::supported_execution_permissions(&[network.chain_id]),
            ))
        }
        Method::EthSign => Err(Error::Refused {
            method: "eth_sign".into(),
            reason: "it signs an arbitrary hash the user cannot read; use personal_sign or \
                     eth_signTypedData_v4"
                .into(),
        }),
    }
}

/// The account, if `origin` is connected to it (else 4100).
fn connected_account(account: Option<Account>, connected: bool, origin: &str) -> Result<Account> {
    account
        .filter(|_| connected)
        .ok_or_else(|| Error::Unauthorized(origin.to_owned()))
}

/// A `from` / signer the dapp named must be the connected account (else 4100).
fn check_claimed(origin: &str, claimed: Option<Address>, account: &Account) -> Result<()> {
    match claimed {
        Some(claimed) if claimed != account.address => Err(Error::Unauthorized(format!(
            "{origin} ({claimed} is not the connected account)"
        ))),
        _ => Ok(()),
    }
}
