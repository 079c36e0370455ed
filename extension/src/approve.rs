//! The approve step: a pending approval the user confirmed (with the passkey's assertion where
//! it signs something) is checked, taken out of the queue once, and carried out by the feature
//! it belongs to — connecting, adding a network, a message signature, or a UserOperation sent
//! for a transaction, a batch, a session, a revocation or a passkey change. Above the features;
//! every outcome is the waiting page's answer.

use serde_json::{Value, json};

use sso_wallet::account::Account;
use sso_wallet::activity::{describe_explained, recipients};
use sso_wallet::approval::{Approval, ApprovalKind, PreparedSignature};
use sso_wallet::eip2255;
use sso_wallet::network::Network;
use sso_wallet::protocol::{PageMessage, ProviderEvent};
use sso_wallet::storage::Grant;
use sso_wallet::webauthn::{self, Assertion};
use sso_wallet::{Error, Result};

use crate::activity::Entry;
use crate::approvals::{answer, take};
use crate::{chain, state, userop};

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
        (ApprovalKind::WatchAsset(asset), _) => {
            crate::home::watch_asset(asset).await?;
            Ok(Value::Bool(true))
        }
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
        &passkey_signature_data(&network, account, assertion, rs).await?,
    );
    let origin = approval.origin.as_str();
    let entry = |what: String| Entry {
        origin,
        what,
        batch_id: None,
        recipients: recipients(&tx.calls),
    };
    match &approval.kind {
        ApprovalKind::SendCalls { id, .. } => {
            let entry = Entry {
                origin,
                what: describe_explained(&tx.calls, &tx.explained),
                batch_id: Some(id),
                recipients: recipients(&tx.calls),
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
        ApprovalKind::Recovery { change, .. } => {
            crate::guardian_recovery::changed(&network, origin, change, &user_op).await
        }
        ApprovalKind::ChangeModule { view, closes, .. } => {
            crate::modules::changed(&network, origin, view, closes, &user_op).await
        }
        _ => userop::submit(
            &network,
            &user_op,
            entry(describe_explained(&tx.calls, &tx.explained)),
        )
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
    let mut data = passkey_signature_data(&network, account, assertion, rs)
        .await?
        .to_vec();
    data.extend_from_slice(&sign.suffix);
    let signature = webauthn::user_op_signature(network.contracts.webauthn_validator, &data);
    let signature = if !chain::is_deployed(&network, account.address).await? {
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

/// The validator's signature data for an assertion by the account's passkey, naming the P-256
/// verifier `network` runs (the one the operation's gas was estimated for).
async fn passkey_signature_data(
    network: &Network,
    account: &Account,
    assertion: &Assertion,
    rs: [alloy_primitives::B256; 2],
) -> Result<alloy_primitives::Bytes> {
    Ok(webauthn::signature_data(
        &assertion.authenticator_data,
        &assertion.client_data_json,
        rs,
        &account.signing_passkey().credential_id,
        chain::p256_verifier(network).await?,
    ))
}
