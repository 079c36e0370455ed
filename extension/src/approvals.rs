//! The approval window and the approval lifecycle: queue a request, show it in one window,
//! carry it out or reject it exactly once.

use serde_json::{Value, json};

use sso_wallet::account::Account;
use sso_wallet::activity::describe_calls;
use sso_wallet::approval::{
    Approval, ApprovalKind, PasskeyChange, PreparedSignature, ReplyTo, SignContent,
};
use sso_wallet::eip2255;
use sso_wallet::protocol::{ApprovalView, CallView, PageMessage, ProviderEvent, RequestView};
use sso_wallet::storage::Grant;
use sso_wallet::webauthn::{self, Assertion};
use sso_wallet::{Error, Result};

use crate::activity::Entry;
use crate::{chrome, provider, state, userop};

const WINDOW_PATH: &str = "approval.html";
const WINDOW_WIDTH: u32 = 400;
const WINDOW_HEIGHT: u32 = 640;

/// Queues an approval and makes sure the approval window shows.
pub async fn enqueue(origin: &str, reply_to: ReplyTo, kind: ApprovalKind) -> Result<()> {
    let (id, window) = state::with(|s| {
        let id = s.approvals.push(origin.to_owned(), reply_to, kind)?;
        Ok::<_, Error>((id, s.approval_window))
    })?;
    let shown = async {
        state::save_approvals().await?;
        if let Some(window) = window
            && chrome::focus_window(window).await
        {
            return Ok(());
        }
        let window = chrome::open_popup(WINDOW_PATH, WINDOW_WIDTH, WINDOW_HEIGHT).await?;
        state::with(|s| s.approval_window = Some(window));
        state::save_approvals().await
    }
    .await;
    // The page is told it failed: the request must not stay behind to be approved later.
    if shown.is_err() && state::with(|s| s.approvals.take(id)).is_ok() {
        let _ = state::save_approvals().await;
    }
    shown
}

/// The view of an approval (the named one, or the first pending).
pub async fn view(approval_id: Option<u64>) -> Result<Option<ApprovalView>> {
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
    let request = match &approval.kind {
        ApprovalKind::Connect | ApprovalKind::RequestPermissions => RequestView::Connect {
            account: account.map(|a| a.address),
        },
        ApprovalKind::AddChain(request) => RequestView::AddChain {
            request: (**request).clone(),
        },
        ApprovalKind::Sign(sign) => {
            let account = account.ok_or(Error::NoAccount)?;
            match &sign.content {
                SignContent::Message { message } => RequestView::SignMessage {
                    account: account.address,
                    text: printable(message),
                    message: message.clone(),
                    digest: sign.digest,
                    credential_id: account.signing_passkey().credential_id.clone(),
                },
                SignContent::TypedData { typed_data } => RequestView::SignTypedData {
                    account: account.address,
                    domain: typed_data.get("domain").cloned().unwrap_or_default(),
                    primary_type: typed_data
                        .get("primaryType")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    message: typed_data.get("message").cloned().unwrap_or_default(),
                    digest: sign.digest,
                    credential_id: account.signing_passkey().credential_id.clone(),
                },
            }
        }
        ApprovalKind::SendTransaction(tx) | ApprovalKind::SendCalls { prepared: tx, .. } => {
            let account = account.ok_or(Error::NoAccount)?;
            RequestView::SendTransaction {
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
                max_fee: tx.user_op.max_cost(),
                deploys_account: tx.user_op.factory.is_some(),
                user_op_hash: tx.user_op_hash,
                credential_id: account.signing_passkey().credential_id.clone(),
                session_fallback: tx.session_fallback.clone(),
                balance_changes: tx.balance_changes.clone(),
            }
        }
        ApprovalKind::CreateSession(creation) => {
            let account = account.ok_or(Error::NoAccount)?;
            let now = (js_sys::Date::now() / 1000.0) as u64;
            let tx = &creation.prepared;
            RequestView::CreateSession {
                account: account.address,
                session: crate::session::view(&creation.record, now, vec![]),
                warnings: creation.warnings.clone(),
                max_fee: tx.user_op.max_cost(),
                deploys_account: tx.user_op.factory.is_some(),
                user_op_hash: tx.user_op_hash,
                credential_id: account.signing_passkey().credential_id.clone(),
            }
        }
        ApprovalKind::ChangePasskeys { prepared, change } => {
            let account = account.ok_or(Error::NoAccount)?;
            RequestView::ChangePasskeys {
                add: matches!(change, PasskeyChange::Add { .. }),
                passkey: change.credential_id().clone(),
                max_fee: prepared.user_op.max_cost(),
                deploys_account: prepared.user_op.factory.is_some(),
                user_op_hash: prepared.user_op_hash,
                credential_id: account.signing_passkey().credential_id.clone(),
            }
        }
        ApprovalKind::RevokeSession { prepared, context } => {
            let account = account.ok_or(Error::NoAccount)?;
            let now = (js_sys::Date::now() / 1000.0) as u64;
            let record = wallet
                .sessions
                .iter()
                .find(|s| s.context == *context)
                .ok_or_else(|| Error::Internal("the session to revoke is gone".into()))?;
            RequestView::RevokeSession {
                session: crate::session::view(record, now, vec![]),
                max_fee: prepared.user_op.max_cost(),
                user_op_hash: prepared.user_op_hash,
                credential_id: account.signing_passkey().credential_id.clone(),
            }
        }
    };
    Ok(Some(ApprovalView {
        id: approval.id,
        origin: approval.origin,
        position,
        total,
        network: network.name,
        chain_id: network.chain_id,
        // Locked: nothing of the request leaves the background until the passkey unlocks.
        request: if crate::lock::is_locked().await? {
            RequestView::Locked
        } else {
            request
        },
    }))
}

/// Rejects an approval with 4001.
pub async fn reject(approval_id: u64) -> Result<()> {
    let approval = take(approval_id).await?;
    answer(&approval, Err(Error::UserRejected));
    Ok(())
}

/// The approval window was closed: everything still pending is rejected with 4001.
pub fn window_closed(window_id: i32) {
    if state::with(|s| s.approval_window != Some(window_id)) {
        return;
    }
    let gone = state::with(|s| {
        s.approval_window = None;
        s.approvals.drain()
    });
    for approval in &gone {
        answer(approval, Err(Error::UserRejected));
    }
    wasm_bindgen_futures::spawn_local(async {
        let _ = state::save_approvals().await;
    });
}

fn answer(approval: &Approval, outcome: Result<Value>) {
    if approval.reply_to.page.is_empty() {
        return; // the wallet's own UI asked; nobody waits
    }
    provider::deliver(
        &approval.reply_to.page,
        PageMessage::answer(approval.reply_to.request, outcome),
    );
}

/// Takes an approval out of the queue and persists that before anything is carried out, so a
/// worker restart can never bring it back (exactly once). If that cannot be persisted, nothing
/// is carried out and the approval stays pending (the window shows the error).
async fn take(approval_id: u64) -> Result<Approval> {
    let approval = state::with(|s| s.approvals.take(approval_id))?;
    if let Err(e) = state::save_approvals().await {
        // Nothing is carried out: the approval goes back, pending as before.
        state::with(|s| s.approvals.put_back(approval));
        return Err(e);
    }
    Ok(approval)
}

/// A site was disconnected: what it still asked is answered 4100 and dropped.
pub async fn drop_origin(origin: &str) -> Result<()> {
    let gone = state::with(|s| s.approvals.drop_origin(origin));
    if gone.is_empty() {
        return Ok(());
    }
    for approval in &gone {
        answer(approval, Err(Error::Unauthorized(origin.to_owned())));
    }
    state::save_approvals().await
}

/// Carries out an approved request and returns what the dapp received.
pub async fn approve(approval_id: u64, assertion: Option<Assertion>) -> Result<Value> {
    crate::lock::ensure_unlocked().await?;
    let outcome = carry_out(approval_id, assertion).await;
    if outcome.is_ok() {
        crate::lock::touch().await?;
    }
    outcome
}

/// Checks what can be retried (the passkey assertion) while the approval is still pending,
/// then takes it out of the queue and carries it out; from then on every outcome, error or
/// not, is the page's answer.
async fn carry_out(approval_id: u64, assertion: Option<Assertion>) -> Result<Value> {
    let wallet = state::wallet().await?;
    let (_, pending) = state::with(|s| s.approvals.get(approval_id).map(|(p, a)| (p, a.clone())))?;
    // Connecting needs an account: without one the window offers to create it first.
    if wallet.account.is_none() {
        return Err(Error::NoAccount);
    }
    let signed = match pending.kind.signed_digest() {
        Some(digest) => {
            let account = wallet.account.as_ref().ok_or(Error::NoAccount)?;
            let assertion = assertion
                .ok_or_else(|| Error::invalid_params("this request needs a passkey assertion"))?;
            // Checked before the approval leaves the queue: a bad assertion can be retried.
            let rs = webauthn::verify_assertion(
                account.signing_passkey(),
                &assertion,
                digest,
                &account.origin_domain,
            )?;
            Some((assertion, rs))
        }
        None => None,
    };
    let approval = take(approval_id).await?;
    let outcome = execute(&approval, wallet.account, signed).await;
    answer(&approval, outcome.clone());
    outcome
}

/// Runs a taken approval; its outcome is what the page gets.
async fn execute(
    approval: &Approval,
    account: Option<Account>,
    signed: Option<(Assertion, [alloy_primitives::B256; 2])>,
) -> Result<Value> {
    let account = account.ok_or(Error::NoAccount);
    match (&approval.kind, signed) {
        (ApprovalKind::Connect | ApprovalKind::RequestPermissions, _) => {
            connect(approval, account?).await
        }
        (ApprovalKind::AddChain(network), _) => crate::networks::added(network).await,
        (ApprovalKind::Sign(sign), Some((assertion, rs))) => {
            signature(&account?, sign, &assertion, rs).await
        }
        (kind, Some((assertion, rs))) => {
            let tx = kind
                .prepared()
                .ok_or_else(|| Error::Internal("this request sends nothing".into()))?;
            send(approval, &account?, tx, &assertion, rs).await
        }
        (_, None) => Err(Error::invalid_params(
            "this request needs a passkey assertion",
        )),
    }
}

/// Connects the origin; the dapp gets its accounts (or EIP-2255 permissions).
async fn connect(approval: &Approval, account: Account) -> Result<Value> {
    let origin = approval.origin.clone();
    let grant = Grant {
        granted_at: js_sys::Date::now() as u64,
    };
    state::update_wallet(|w| {
        w.grants.insert(origin.clone(), grant.clone());
        Ok(())
    })
    .await?;
    let event = PageMessage::Event(ProviderEvent::AccountsChanged(vec![account.address]));
    for port in state::page_ports(&origin) {
        port.send(&event);
    }
    Ok(match approval.kind {
        ApprovalKind::RequestPermissions => {
            eip2255::permissions(&origin, Some(&grant), Some(account.address))
        }
        _ => json!([account.address]),
    })
}

/// Signs the prepared UserOperation with the verified assertion and carries it out by kind.
async fn send(
    approval: &Approval,
    account: &Account,
    tx: &sso_wallet::approval::PreparedTransaction,
    assertion: &Assertion,
    rs: [alloy_primitives::B256; 2],
) -> Result<Value> {
    let network = state::network_for(tx.chain_id).await?;
    let mut user_op = tx.user_op.clone();
    user_op.signature = webauthn::user_op_signature(
        network.contracts.webauthn_validator,
        &passkey_signature_data(account, assertion, rs),
    );
    let origin = approval.origin.as_str();
    let entry = |what: String| Entry {
        origin,
        what,
        batch_id: None,
    };
    match &approval.kind {
        ApprovalKind::SendCalls { id, .. } => {
            let entry = Entry {
                origin,
                what: describe_calls(&tx.calls),
                batch_id: Some(id),
            };
            userop::send(&network, &user_op, entry)
                .await
                .map(|_| json!({ "id": id }))
        }
        ApprovalKind::CreateSession(creation) => {
            let entry = entry("Created a session".into());
            crate::session::created(&network, creation, &user_op, entry).await
        }
        ApprovalKind::RevokeSession { context, .. } => {
            let entry = entry("Revoked a session".into());
            crate::session::revoked(&network, *context, &user_op, entry).await
        }
        ApprovalKind::ChangePasskeys { change, .. } => {
            crate::passkeys::changed(&network, origin, change, &user_op).await
        }
        _ => userop::submit(&network, &user_op, entry(describe_calls(&tx.calls)))
            .await
            .map(|hash| json!(hash)),
    }
}

/// The ERC-1271 signature (validator ‖ WebAuthn data ‖ ERC-7739 suffix), ERC-6492-wrapped while
/// the account has no code.
async fn signature(
    account: &Account,
    sign: &PreparedSignature,
    assertion: &Assertion,
    rs: [alloy_primitives::B256; 2],
) -> Result<Value> {
    // The chain the digest is bound to, whatever network is selected now.
    let network = state::network_for(sign.chain_id).await?;
    let mut data = passkey_signature_data(account, assertion, rs).to_vec();
    data.extend_from_slice(&sign.suffix);
    let signature = webauthn::user_op_signature(network.contracts.webauthn_validator, &data);
    let code: alloy_primitives::Bytes = crate::rpc::call_typed(
        &network.rpc_url,
        "eth_getCode",
        json!([account.address, "latest"]),
    )
    .await?;
    let signature = if code.is_empty() {
        sso_wallet::erc1271::wrap_erc6492(
            network.contracts.account_factory,
            &account.factory_data(),
            &signature,
        )
    } else {
        signature
    };
    Ok(json!(signature))
}

/// The validator's signature data for an assertion by the account's passkey.
fn passkey_signature_data(
    account: &Account,
    assertion: &Assertion,
    rs: [alloy_primitives::B256; 2],
) -> alloy_primitives::Bytes {
    webauthn::signature_data(
        &assertion.authenticator_data,
        &assertion.client_data_json,
        rs,
        &account.signing_passkey().credential_id,
    )
}

/// A message shown as text when it is printable UTF-8.
/// Text with hidden characters (bidi overrides, zero-width ones) is shown as hex: what the user
/// reads must be what is signed.
fn printable(message: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(message).ok()?;
    sso_wallet::untrusted::is_plain(text).then(|| text.to_owned())
}

/// Opens the activity view (the home page) on one batch, in place of the one opened before (a
/// site calling this in a loop gets one window, not one per call).
pub async fn show_activity(id: &str) -> Result<()> {
    let path = format!(
        "home.html?calls={}",
        String::from(js_sys::encode_uri_component(id))
    );
    if let Some(previous) = state::with(|s| s.activity_window.take()) {
        chrome::close_window(previous).await;
    }
    let window = chrome::open_popup(&path, WINDOW_WIDTH, WINDOW_HEIGHT).await?;
    state::with(|s| s.activity_window = Some(window));
    Ok(())
}

/// Makes a freshly created passkey the owner of the wallet's account.
pub async fn create_account(attestation_object: &[u8]) -> Result<Account> {
    let passkey = webauthn::parse_attestation_object(attestation_object)?;
    let network = state::network().await?;
    let mut account = Account {
        address: Default::default(),
        salt: Default::default(),
        passkey,
        origin_domain: chrome::extension_origin(),
        signer: None,
    };
    account.address = userop::counterfactual_address(&network, &account).await?;
    state::update_wallet(|w| {
        if w.account.is_some() {
            return Err(Error::invalid_params("the wallet already has an account"));
        }
        w.account = Some(account.clone());
        Ok(())
    })
    .await?;
    Ok(account)
}
