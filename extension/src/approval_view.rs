//! What the approval window shows of a pending approval: the request as the user will approve
//! it, on the chain it is bound to, or only "locked" while the wallet is locked. Above the
//! features (it describes their requests); nothing here changes anything.

use serde_json::Value;

use sso_wallet::account::Account;
use sso_wallet::approval::{
    Approval, ApprovalKind, PasskeyChange, PreparedTransaction, SignContent,
};
use sso_wallet::decode::TokenInfo;
use sso_wallet::eip4361::SignIn;
use sso_wallet::network::Network;
use sso_wallet::permit::{self, Permit};
use sso_wallet::protocol::{
    ApprovalView, CallView, OperationView, PermitView, RequestView, SignInView, SigningRequest,
};
use sso_wallet::session::describe::format_utc;
use sso_wallet::{Error, Result};

use crate::{explain, state, userop};

/// The view of an approval (the named one, or the first pending). The first pending one may be
/// answered (or dropped with its page) while it is being prepared again: then the next is shown.
pub async fn view(approval_id: Option<u64>) -> Result<Option<ApprovalView>> {
    let mut attempts = 0;
    loop {
        match view_once(approval_id).await {
            Err(Error::UnknownApproval(_)) if approval_id.is_none() && attempts < 3 => {
                attempts += 1;
            }
            other => return other,
        }
    }
}

async fn view_once(approval_id: Option<u64>) -> Result<Option<ApprovalView>> {
    let wallet = state::wallet().await?;
    let found = state::with(|s| {
        let id = match approval_id {
            Some(id) => id,
            None => match s.approvals.first() {
                Some(a) => a.id,
                None => {
                    // Nothing left: the window closes itself; the next request opens a new one.
                    s.approval_window = None;
                    return Ok(None);
                }
            },
        };
        let (position, approval) = s.approvals.get(id)?;
        Ok::<_, Error>(Some((position, s.approvals.len(), approval.clone())))
    })?;
    let Some((position, total, approval)) = found else {
        state::save_approvals().await?; // the window is gone from the state
        return Ok(None);
    };
    // A transaction or a signature is shown (and made) on the chain it was prepared for.
    let network = match approval.kind.chain_id() {
        Some(chain_id) => state::network_for(chain_id).await?,
        None => state::network().await?,
    };
    let account = wallet.account.as_ref();
    let locked = crate::lock::is_locked().await?;
    // Every window of the account says so while a recovery of it is pending (also locked: the
    // owner must see it); read while the request is brought up to date, not after.
    let recovery_alert = async {
        match account {
            Some(account) => crate::guardian_recovery::shown(
                crate::guardian_recovery::alert(&network, account.address).await,
            ),
            None => None,
        }
    };
    let brought_up_to_date = async {
        match account {
            Some(account) if !locked => current(approval, &network, account).await,
            _ => Ok(approval),
        }
    };
    let (approval, recovery_alert) = futures::join!(brought_up_to_date, recovery_alert);
    let approval = approval?;
    // What the passkey signs, the same way for every kind that it signs.
    let signing =
        |hash, operation: Option<&PreparedTransaction>| -> Result<Option<SigningRequest>> {
            let account = account.ok_or(Error::NoAccount)?;
            Ok(Some(SigningRequest {
                hash,
                credential_id: account.signing_passkey().credential_id.clone(),
                operation: operation.map(|tx| OperationView {
                    max_fee: tx.user_op.account_max_cost(),
                    deploys_account: tx.user_op.factory.is_some(),
                    sponsor: tx.sponsorship.as_ref().map(|s| s.view()),
                }),
            }))
        };
    let (request, signing) = match &approval.kind {
        ApprovalKind::Connect | ApprovalKind::RequestPermissions => (
            RequestView::Connect {
                account: account.map(|a| a.address),
            },
            None,
        ),
        ApprovalKind::AddChain(request) => (
            RequestView::AddChain {
                request: (**request).clone(),
            },
            None,
        ),
        ApprovalKind::WatchAsset(asset) => (
            RequestView::WatchAsset {
                asset: (**asset).clone(),
            },
            None,
        ),
        ApprovalKind::Sign(sign) => {
            let account = account.ok_or(Error::NoAccount)?;
            let now = crate::chrome::unix_seconds();
            let request = match &sign.content {
                SignContent::Message { message } => {
                    let text = printable(message);
                    let sign_in = text.as_deref().and_then(SignIn::parse).map(|siwe| {
                        sign_in_view(&siwe, &approval.origin, account.address, sign.chain_id, now)
                    });
                    RequestView::SignMessage {
                        account: account.address,
                        text,
                        message: message.clone(),
                        sign_in,
                    }
                }
                SignContent::TypedData { typed_data } => {
                    let permit = match Permit::recognise(typed_data, account.address) {
                        Some(permit) => Some(permit_view(&network, &permit, now).await),
                        None => None,
                    };
                    RequestView::SignTypedData {
                        account: account.address,
                        domain: typed_data.get("domain").cloned().unwrap_or_default(),
                        primary_type: typed_data
                            .get("primaryType")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        message: typed_data.get("message").cloned().unwrap_or_default(),
                        permit,
                    }
                }
            };
            (request, signing(sign.digest, None)?)
        }
        ApprovalKind::SendTransaction(tx) | ApprovalKind::SendCalls { prepared: tx, .. } => {
            let request = RequestView::SendTransaction {
                from: tx.user_op.sender,
                calls: tx
                    .calls
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let explained = tx.explained.get(i).cloned().unwrap_or_default();
                        CallView {
                            to: c.to,
                            value: c.value,
                            data: c.data.clone(),
                            decoded: explained.decoded,
                            warnings: explained.warnings.iter().map(|w| w.message()).collect(),
                        }
                    })
                    .collect(),
                warnings: tx.warnings.iter().map(|w| w.message()).collect(),
                session_fallback: tx.session_fallback.clone(),
                balance_changes: tx.balance_changes.clone(),
            };
            (request, signing(tx.user_op_hash, Some(tx))?)
        }
        ApprovalKind::CreateSession(creation) => {
            let account = account.ok_or(Error::NoAccount)?;
            let now = crate::chrome::unix_seconds();
            let tx = &creation.prepared;
            let request = RequestView::CreateSession {
                account: account.address,
                session: crate::session::view(&creation.record, now, vec![]),
                warnings: creation.warnings.clone(),
            };
            (request, signing(tx.user_op_hash, Some(tx))?)
        }
        ApprovalKind::ChangePasskeys { prepared, change } => {
            let request = RequestView::ChangePasskeys {
                add: matches!(change, PasskeyChange::Add { .. }),
                passkey: change.credential_id().clone(),
                other_origin: change.other_origin().map(str::to_owned),
            };
            (request, signing(prepared.user_op_hash, Some(prepared))?)
        }
        ApprovalKind::Recovery { prepared, change } => {
            let request = RequestView::Recovery {
                change: change.clone(),
            };
            (request, signing(prepared.user_op_hash, Some(prepared))?)
        }
        ApprovalKind::ChangeModule { prepared, view, .. } => {
            let request = RequestView::ChangeModule {
                module: view.clone(),
            };
            (request, signing(prepared.user_op_hash, Some(prepared))?)
        }
        ApprovalKind::RevokeSession { prepared, context } => {
            let now = crate::chrome::unix_seconds();
            let record = wallet
                .sessions
                .iter()
                .find(|s| s.context == *context)
                .ok_or_else(|| Error::Internal("the session to revoke is gone".into()))?;
            let request = RequestView::RevokeSession {
                session: crate::session::view(record, now, vec![]),
            };
            (request, signing(prepared.user_op_hash, Some(prepared))?)
        }
    };
    // Locked: nothing of the request leaves the background until the passkey unlocks (asked
    // again: preparing and the lookups above take time, and the idle lock may have come).
    let (request, signing) = if locked || crate::lock::is_locked().await? {
        (RequestView::Locked, None)
    } else {
        (request, signing)
    };
    Ok(Some(ApprovalView {
        id: approval.id,
        origin: approval.origin,
        position,
        total,
        network: network.name,
        chain_id: network.chain_id,
        request,
        signing,
        recovery_alert,
    }))
}

thread_local! {
    /// One preparation at a time: the window may ask for the same approval twice (loading,
    /// coming back to the front), and it must be prepared again once, not twice.
    static PREPARING: std::rc::Rc<futures::lock::Mutex<()>> = Default::default();
}

/// The approval as it should be signed now: a queued operation whose nonce another one took
/// meanwhile (or that would deploy an account deployed since) is prepared again for the same
/// calls (`userop::current`) and kept in the queue that way, so the passkey signs what will be
/// sent. When that fails the approval is shown as it was prepared: approving it then fails with
/// the bundler's reason, which the page gets, and the window moves on.
async fn current(approval: Approval, network: &Network, account: &Account) -> Result<Approval> {
    if approval.kind.prepared().is_none() {
        return Ok(approval);
    }
    let lock = PREPARING.with(std::rc::Rc::clone);
    let _one = lock.lock().await;
    // Another view may have prepared it again while this one waited.
    let approval = state::with(|s| s.approvals.get(approval.id).map(|(_, a)| a.clone()))?;
    let Some(tx) = approval.kind.prepared() else {
        return Ok(approval);
    };
    let fresh = match userop::current(network, account, tx).await {
        Ok(Some(fresh)) => fresh,
        Ok(None) => return Ok(approval),
        Err(e) => {
            web_sys::console::warn_1(
                &format!(
                    "SSO Wallet: approval {} not prepared again: {e}",
                    approval.id
                )
                .into(),
            );
            return Ok(approval);
        }
    };
    let id = approval.id;
    state::with(|s| s.approvals.reprepare(id, fresh))?;
    state::save_approvals().await?;
    state::with(|s| s.approvals.get(id).map(|(_, a)| a.clone()))
}

/// A sign-in as the window shows it, with what is wrong with it for `origin`, `account` and
/// the chain the signature is bound to.
fn sign_in_view(
    siwe: &SignIn,
    origin: &str,
    account: alloy_primitives::Address,
    chain_id: u64,
    now: u64,
) -> SignInView {
    SignInView {
        domain: match &siwe.scheme {
            Some(scheme) => format!("{scheme}://{}", siwe.domain),
            None => siwe.domain.clone(),
        },
        address: siwe.address,
        statement: siwe.statement.clone(),
        uri: siwe.uri.clone(),
        chain_id: siwe.chain_id,
        nonce: siwe.nonce.clone(),
        issued_at: siwe.issued_at.clone(),
        request_id: siwe.request_id.clone(),
        resources: siwe.resources.clone(),
        expires: siwe
            .expires_at()
            .map_or_else(|| "Does not expire".into(), format_utc),
        warnings: siwe
            .warnings(origin, account, chain_id, now)
            .iter()
            .map(|w| w.message())
            .collect(),
    }
}

/// A spending signature as the window shows it: each ERC-20 named by its symbol and decimals as
/// the token answers them (a token that does not answer is shown by address, in raw units).
async fn permit_view(network: &Network, permit: &Permit, now: u64) -> PermitView {
    let tokens = permit.erc20_tokens();
    let infos = futures::future::join_all(tokens.iter().map(|t| explain::token(network, *t))).await;
    let known: Vec<(alloy_primitives::Address, TokenInfo)> = tokens
        .into_iter()
        .zip(infos)
        .filter_map(|(t, info)| Some((t, info?)))
        .collect();
    let info = |token| known.iter().find(|(t, _)| *t == token).map(|(_, i)| i);
    let mut gives: Vec<String> = permit
        .gives
        .iter()
        .map(|l| l.describe(info(l.token)))
        .collect();
    if permit.more > 0 {
        gives.push(format!("… and {} more not listed", permit.more));
    }
    PermitView {
        kind: permit.kind,
        spender: permit.spender,
        gives,
        receives: permit
            .receives
            .iter()
            .map(|l| l.describe(info(l.token)))
            .collect(),
        valid_until: permit::describe_until(permit.valid_until),
        signature_deadline: permit
            .signature_deadline
            .map(|t| permit::describe_until(Some(t))),
        warnings: permit
            .warnings(now)
            .iter()
            .map(|w| w.message(|t| info(t).map(|i| i.symbol.clone())))
            .collect(),
    }
}

/// A message shown as text when it is printable UTF-8.
/// Text with hidden characters (bidi overrides, zero-width ones) is shown as hex: what the user
/// reads must be what is signed.
fn printable(message: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(message).ok()?;
    sso_wallet::untrusted::is_plain(text).then(|| text.to_owned())
}
