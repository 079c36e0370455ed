//! The account's passkeys: listed from the passkey validator's logs (so every browser sees the
//! same list), added with `addValidationKey` and removed with `removeValidationKey`, each in a
//! UserOperation the user approves with the passkey this browser signs with.

use alloy_primitives::{B256, Bytes};
use alloy_sol_types::SolCall;
use serde_json::Value;

use sso_wallet::abi::IWebAuthnValidator::{addValidationKeyCall, removeValidationKeyCall};
use sso_wallet::account::Account;
use sso_wallet::approval::{ApprovalKind, PasskeyChange, ReplyTo};
use sso_wallet::erc4337::UserOperation;
use sso_wallet::erc7579::Call;
use sso_wallet::network::Network;
use sso_wallet::protocol::PasskeyView;
use sso_wallet::recovery::{self};
use sso_wallet::webauthn::{self, Assertion, Passkey};
use sso_wallet::{Error, Result};

use crate::activity::Entry;
use crate::{approvals, chain, chrome, state, userop};

/// The passkeys registered for `account` on `network`, oldest first. An account not deployed
/// there has exactly the passkey it will be deployed with.
pub async fn registered(network: &Network, account: &Account) -> Result<Vec<Passkey>> {
    if !chain::is_deployed(network, account.address).await? {
        return Ok(vec![account.passkey.clone()]);
    }
    let logs = chain::passkey_logs(network, account.address).await?;
    Ok(recovery::passkeys_from_logs(
        &logs,
        account.address,
        &account.origin_domain,
    ))
}

/// The account's passkeys on the selected network, marking the one this browser signs with.
pub async fn list() -> Result<Vec<PasskeyView>> {
    let (account, network) = state::account_and_network().await?;
    let current = &account.signing_passkey().credential_id;
    Ok(registered(&network, &account)
        .await?
        .into_iter()
        .map(|p| PasskeyView {
            current: &p.credential_id == current,
            credential_id: p.credential_id,
        })
        .collect())
}

/// What a passkey created in the UI signs to prove it is the user's: its registration
/// challenge for this account, chain and validator; and its credential id.
pub async fn registration_challenge(attestation_object: &[u8]) -> Result<(B256, Bytes)> {
    let passkey = webauthn::parse_attestation_object(attestation_object)?;
    let (account, network) = state::account_and_network().await?;
    let challenge = webauthn::registration_challenge(
        account.address,
        network.chain_id,
        network.contracts.webauthn_validator,
        &passkey,
        &account.origin_domain,
    );
    Ok((challenge, passkey.credential_id))
}

/// A passkey created in the UI, with its assertion over its registration challenge: opens the
/// approval that registers it with the account (the assertion is the on-chain proof of
/// possession, checked here first with the contract's rules).
pub async fn add(attestation_object: &[u8], assertion: &Assertion) -> Result<()> {
    let passkey = webauthn::parse_attestation_object(attestation_object)?;
    let (account, network) = state::account_and_network().await?;
    let challenge = webauthn::registration_challenge(
        account.address,
        network.chain_id,
        network.contracts.webauthn_validator,
        &passkey,
        &account.origin_domain,
    );
    let rs = webauthn::verify_assertion(&passkey, assertion, challenge, &account.origin_domain)?;
    let proof = webauthn::signature_data(
        &assertion.authenticator_data,
        &assertion.client_data_json,
        rs,
        &passkey.credential_id,
        chain::p256_verifier(&network).await?,
    );
    if registered(&network, &account)
        .await?
        .iter()
        .any(|p| p.credential_id == passkey.credential_id)
    {
        return Err(Error::NotAllowed(
            "This passkey is already one of the account's passkeys.".into(),
        ));
    }
    let call = addValidationKeyCall {
        credentialId: passkey.credential_id.clone(),
        newKey: passkey.public_key,
        originDomain: account.origin_domain.clone(),
        proof,
    };
    propose(
        &network,
        &account,
        call.abi_encode(),
        PasskeyChange::Add { passkey },
    )
    .await
}

/// Opens the approval that removes a passkey. Never the last one (the account could not sign
/// any more), and never the one this browser signs with (it would lock this browser out).
pub async fn remove(credential_id: Bytes) -> Result<()> {
    let (account, network) = state::account_and_network().await?;
    let keys = registered(&network, &account).await?;
    if !keys.iter().any(|p| p.credential_id == credential_id) {
        return Err(Error::NotAllowed(
            "That passkey is not registered for this account.".into(),
        ));
    }
    if keys.len() <= 1 {
        return Err(Error::NotAllowed(
            "This is the account's only passkey: removing it would leave no way to sign. Add another passkey first."
                .into(),
        ));
    }
    if account.signing_passkey().credential_id == credential_id {
        return Err(Error::NotAllowed(
            "This browser signs with this passkey, so it cannot remove it; remove it from a browser that uses another passkey."
                .into(),
        ));
    }
    let call = removeValidationKeyCall {
        credentialId: credential_id.clone(),
        originDomain: account.origin_domain.clone(),
    };
    propose(
        &network,
        &account,
        call.abi_encode(),
        PasskeyChange::Remove { credential_id },
    )
    .await
}

async fn propose(
    network: &Network,
    account: &Account,
    data: Vec<u8>,
    change: PasskeyChange,
) -> Result<()> {
    let call = Call {
        to: network.contracts.webauthn_validator,
        value: Default::default(),
        data: data.into(),
    };
    let prepared =
        userop::prepare(network, account, vec![call], network.sponsor(None).as_ref()).await?;
    approvals::enqueue(
        &chrome::extension_origin(),
        ReplyTo::nobody(),
        ApprovalKind::ChangePasskeys {
            prepared: Box::new(prepared),
            change,
        },
    )
    .await
}

/// The approved change was signed: send it and wait for it to be included.
pub async fn changed(
    network: &Network,
    origin: &str,
    change: &PasskeyChange,
    user_op: &UserOperation,
) -> Result<Value> {
    let what = match change {
        PasskeyChange::Add { .. } => "Added a passkey",
        PasskeyChange::Remove { .. } => "Removed a passkey",
    };
    let entry = Entry {
        origin,
        what: what.into(),
        batch_id: None,
        recipients: Vec::new(),
    };
    userop::submit(network, user_op, entry).await?;
    Ok(Value::Null)
}
