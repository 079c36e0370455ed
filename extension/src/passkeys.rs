//! The account's passkeys: listed from the passkey validator's logs (so every browser sees the
//! same list, every browser's passkeys with their origins), added with `addValidationKey` and
//! removed with `removeValidationKey`, each in a UserOperation the user approves with the
//! passkey this browser signs with. A passkey of another browser comes in as a code
//! (`passkey_link`): made there ([`link_code`]), added here ([`add_linked`]).

use alloy_primitives::{B256, Bytes};
use alloy_sol_types::SolCall;
use serde_json::Value;

use alloy_primitives::Address;
use sso_wallet::abi::IWebAuthnValidator::{addValidationKeyCall, removeValidationKeyCall};
use sso_wallet::account::Account;
use sso_wallet::approval::{ApprovalKind, PasskeyChange};
use sso_wallet::erc4337::UserOperation;
use sso_wallet::erc7579::Call;
use sso_wallet::network::Network;
use sso_wallet::passkey_link::PasskeyLink;
use sso_wallet::protocol::PasskeyView;
use sso_wallet::recovery::{self, RegisteredPasskey};
use sso_wallet::webauthn::{self, Assertion};
use sso_wallet::{Error, Result};

use crate::{chain, chrome, state, userop};

/// The passkeys registered for `account` on `network`, under every origin, oldest first. An
/// account not deployed there has exactly the passkey it will be deployed with.
pub async fn registered(network: &Network, account: &Account) -> Result<Vec<RegisteredPasskey>> {
    if !chain::is_deployed(network, account.address).await? {
        return Ok(vec![RegisteredPasskey {
            passkey: account.passkey.clone(),
            origin: account.creation_origin().to_owned(),
            created_block: None,
        }]);
    }
    let logs = chain::passkey_logs(network, account.address).await?;
    Ok(recovery::passkeys_from_logs(&logs, account.address))
}

/// Whether `key` is the passkey this browser signs with.
fn signs_here(account: &Account, key: &RegisteredPasskey) -> bool {
    key.origin == account.origin_domain
        && key.passkey.credential_id == account.signing_passkey().credential_id
}

/// The account's passkeys on the selected network, marking the one this browser signs with and
/// those of this browser's origin.
pub async fn list() -> Result<Vec<PasskeyView>> {
    let (account, network) = state::account_and_network().await?;
    let keys = registered(&network, &account).await?;
    let (created, used, wallet) = futures::join!(
        block_times(&network, keys.iter().filter_map(|k| k.created_block)),
        last_used(&network, account.address),
        state::wallet(),
    );
    let wallet = wallet?;
    Ok(keys
        .into_iter()
        .map(|key| PasskeyView {
            current: signs_here(&account, &key),
            here: key.origin == account.origin_domain,
            name: wallet
                .passkey_name(&key.passkey.credential_id)
                .map(str::to_owned),
            browser: sso_wallet::guardian_recovery::browser_of(&key.origin),
            created_at: key
                .created_block
                .and_then(|b| created.iter().find(|(n, _)| *n == b).map(|(_, t)| *t)),
            last_used: used
                .iter()
                .find(|(id, _)| *id == key.passkey.credential_id)
                .map(|(_, t)| *t),
            credential_id: key.passkey.credential_id,
            origin: key.origin,
        })
        .collect())
}

/// Most of the account's latest operations read for "last used".
const LAST_USED_OPERATIONS: usize = 16;

/// The time of each of `blocks` (those the node answers for).
async fn block_times(network: &Network, blocks: impl Iterator<Item = u64>) -> Vec<(u64, u64)> {
    let mut wanted: Vec<u64> = blocks.collect();
    wanted.sort_unstable();
    wanted.dedup();
    wanted.truncate(recovery::MAX_PASSKEYS);
    let times =
        futures::future::join_all(wanted.iter().map(|b| chain::block_time(network, *b))).await;
    wanted
        .into_iter()
        .zip(times)
        .filter_map(|(b, t)| Some((b, t.ok()?)))
        .collect()
}

/// When each passkey last signed one of the account's latest operations on `network`: from the
/// EntryPoint's `UserOperationEvent`s of the account, the bundle transactions that carried them
/// (the passkey's credential id is in the signature) and their blocks' times. Best effort: a
/// node that does not answer leaves it unknown.
async fn last_used(network: &Network, account: Address) -> Vec<(Bytes, u64)> {
    let events = match chain::operation_events(network, account).await {
        Ok(events) => events,
        Err(e) => {
            web_sys::console::error_1(&format!("SSO Wallet: operations not read: {e}").into());
            return Vec::new();
        }
    };
    let latest: Vec<_> = events.iter().rev().take(LAST_USED_OPERATIONS).collect();
    let signers = futures::future::join_all(latest.iter().map(|log| async move {
        let nonce = alloy_primitives::U256::try_from_be_slice(log.data.get(..32)?)?;
        let input = chain::transaction_input(network, log.transaction_hash?)
            .await
            .ok()?;
        let credential = recovery::signing_credential(
            &input,
            account,
            nonce,
            network.contracts.webauthn_validator,
        )?;
        let time = chain::block_time(network, log.block()?).await.ok()?;
        Some((credential, time))
    }))
    .await;
    let mut used: Vec<(Bytes, u64)> = Vec::new();
    for (credential, time) in signers.into_iter().flatten() {
        match used.iter_mut().find(|(id, _)| *id == credential) {
            Some((_, at)) => *at = (*at).max(time),
            None => used.push((credential, time)),
        }
    }
    used
}

/// Names one of the account's passkeys in this browser.
pub async fn rename(credential_id: &Bytes, name: &str) -> Result<()> {
    state::update_wallet(|w| {
        w.name_passkey(credential_id, name);
        Ok(())
    })
    .await
}

/// Gives a passkey just created here its first name (the browser and system: `Chrome on Linux`).
pub async fn name_new(credential_id: &Bytes) -> Result<()> {
    rename(credential_id, &chrome::device_name()).await
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
    name_new(&passkey.credential_id).await?;
    let origin = account.origin_domain.clone();
    register(&network, &account, passkey, origin, assertion, rs).await
}

/// Opens the approval that registers `passkey` under `origin`, with its proof of possession
/// (`assertion`, already checked: its `rs`); refused when it is registered there already.
async fn register(
    network: &Network,
    account: &Account,
    passkey: webauthn::Passkey,
    origin: String,
    assertion: &Assertion,
    rs: [B256; 2],
) -> Result<()> {
    refuse_registered(network, account, &passkey.credential_id, &origin).await?;
    let proof = webauthn::signature_data(
        &assertion.authenticator_data,
        &assertion.client_data_json,
        rs,
        &passkey.credential_id,
        chain::p256_verifier(network).await?,
    );
    let call = addValidationKeyCall {
        credentialId: passkey.credential_id.clone(),
        newKey: passkey.public_key,
        originDomain: origin.clone(),
        proof,
    };
    let other = (origin != account.origin_domain).then_some(origin);
    propose(
        network,
        account,
        call.abi_encode(),
        PasskeyChange::Add {
            passkey,
            origin: other,
        },
    )
    .await
}

async fn refuse_registered(
    network: &Network,
    account: &Account,
    credential_id: &Bytes,
    origin: &str,
) -> Result<()> {
    if registered(network, account)
        .await?
        .iter()
        .any(|k| &k.passkey.credential_id == credential_id && k.origin == origin)
    {
        return Err(Error::NotAllowed(
            "This passkey is already one of the account's passkeys.".into(),
        ));
    }
    Ok(())
}

/// In a browser without an account: what a passkey just created here signs so that the browser
/// holding `account` can add it — its registration challenge under this browser's origin, on
/// the selected network — and its credential id.
pub async fn link_challenge(account: Address, attestation_object: &[u8]) -> Result<(B256, Bytes)> {
    let (link, network) = unsigned_link(account, attestation_object).await?;
    Ok((
        link.challenge(network.contracts.webauthn_validator),
        link.passkey.credential_id,
    ))
}

/// The code for that passkey once it signed its challenge (checked here as the validator will).
pub async fn link_code(
    account: Address,
    attestation_object: &[u8],
    assertion: Assertion,
) -> Result<String> {
    let (mut link, network) = unsigned_link(account, attestation_object).await?;
    link.proof = assertion;
    link.proof_rs(network.contracts.webauthn_validator)?;
    name_new(&link.passkey.credential_id).await?;
    Ok(link.encode())
}

/// The link for a passkey of this browser (not signed yet), on the selected network.
async fn unsigned_link(
    account: Address,
    attestation_object: &[u8],
) -> Result<(PasskeyLink, Network)> {
    if state::read_wallet(|w| w.account.is_some()).await? {
        return Err(Error::NotAllowed(
            "This browser already has an account.".into(),
        ));
    }
    let network = state::network().await?;
    chain::require_deployed(&network).await?;
    let link = PasskeyLink {
        account,
        chain_id: network.chain_id,
        passkey: webauthn::parse_attestation_object(attestation_object)?,
        origin: chrome::webauthn_origin(),
        proof: Assertion::default(),
    };
    Ok((link, network))
}

/// A passkey another browser made for this account, from its code: checked (this account, the
/// selected network, a proof the validator will accept, not registered yet), then the approval
/// that registers it under that browser's origin, saying so.
pub async fn add_linked(code: &str) -> Result<()> {
    let link = PasskeyLink::decode(code)?;
    let (account, network) = state::account_and_network().await?;
    if link.account != account.address {
        return Err(Error::NotAllowed(format!(
            "This code is for the account {}, not this one ({}).",
            link.account.to_checksum(None),
            account.address.to_checksum(None)
        )));
    }
    if link.chain_id != network.chain_id {
        return Err(Error::NotAllowed(format!(
            "This code is for chain {}, and the wallet is on {} (chain {}): switch to that network first, or make the code on this one.",
            link.chain_id, network.name, network.chain_id
        )));
    }
    if link.origin == account.origin_domain {
        return Err(Error::NotAllowed(
            "This passkey is this browser's own kind: add it from Passkeys → Add a passkey.".into(),
        ));
    }
    let rs = link.proof_rs(network.contracts.webauthn_validator)?;
    register(
        &network,
        &account,
        link.passkey,
        link.origin,
        &link.proof,
        rs,
    )
    .await
}

/// Opens the approval that removes a passkey (registered under `origin`, this browser's when
/// `None`). Never the last one (the account could not sign any more), and never the one this
/// browser signs with (it would lock this browser out).
pub async fn remove(credential_id: Bytes, origin: Option<String>) -> Result<()> {
    let (account, network) = state::account_and_network().await?;
    let origin = origin.unwrap_or_else(|| account.origin_domain.clone());
    let keys = registered(&network, &account).await?;
    let Some(key) = keys
        .iter()
        .find(|k| k.passkey.credential_id == credential_id && k.origin == origin)
    else {
        return Err(Error::NotAllowed(
            "That passkey is not registered for this account.".into(),
        ));
    };
    if keys.len() <= 1 {
        return Err(Error::NotAllowed(
            "This is the account's only passkey: removing it would leave no way to sign. Add another passkey first."
                .into(),
        ));
    }
    if signs_here(&account, key) {
        return Err(Error::NotAllowed(
            "This browser signs with this passkey, so it cannot remove it; remove it from a browser that uses another passkey."
                .into(),
        ));
    }
    let call = removeValidationKeyCall {
        credentialId: credential_id.clone(),
        originDomain: origin.clone(),
    };
    let other = (origin != account.origin_domain).then_some(origin);
    propose(
        &network,
        &account,
        call.abi_encode(),
        PasskeyChange::Remove {
            credential_id,
            origin: other,
        },
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
    userop::propose_own(network, account, vec![call], |prepared| {
        ApprovalKind::ChangePasskeys { prepared, change }
    })
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
    userop::submit_own(network, origin, what, user_op).await?;
    Ok(Value::Null)
}
