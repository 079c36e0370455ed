//! Logging in to an existing account on a new device or browser profile, from the passkey alone.
//!
//! The credential the user picked is looked up with `getAccountList` on every known network.
//! Anyone can register any key for any address there, so each listed address is accepted only if
//! it is an account the wallet's factory deployed for that passkey's account: the factory's
//! `AccountCreated` log gives its salt, the validator's first `PasskeyCreated` log its first
//! passkey, and `getAddress(salt, first passkey, origin)` must give the address back (those are
//! also what deploys it at the same address on other chains). The passkey's key there
//! (`getAccountKey`) must verify the assertion. Sessions come back from the session validator's
//! logs. An account deployed nowhere has no trace on chain: its key is recovered from two
//! signatures by the passkey and its address from the factory — only once every network answered
//! and none lists an account of this wallet for the passkey.

use alloy_primitives::{Address, B256, Bytes};
use alloy_sol_types::SolEvent;

use sso_wallet::abi::IAccountFactory::AccountCreated;
use sso_wallet::abi::IWebAuthnValidator::getAccountListCall;
use sso_wallet::account::Account;
use sso_wallet::network::Network;
use sso_wallet::protocol::{SignedChallenge, UiResponse};
use sso_wallet::recovery::{self, account_topics};
use sso_wallet::session::registry::SessionRecord;
use sso_wallet::session::spec::ISessionKeyValidator::{SessionCreated, SessionRevoked};
use sso_wallet::webauthn::{self, Passkey};
use sso_wallet::{Error, Result};

use crate::{chrome, passkeys, rpc, state, userop};

/// Logs in with `credential_id`; answers `AccountCreated`, or `NeedSecondSignature` when the
/// account is deployed nowhere and only one assertion was given.
pub async fn login(credential_id: Bytes, assertions: Vec<SignedChallenge>) -> Result<UiResponse> {
    if state::read_wallet(|w| w.account.is_some()).await? {
        return Err(Error::NotAllowed(
            "This browser already has an account.".into(),
        ));
    }
    let first = assertions
        .first()
        .ok_or_else(|| Error::invalid_params("logging in needs a passkey assertion"))?;
    let origin = chrome::extension_origin();
    let networks = state::networks().await?.networks;
    let listed = futures::future::join_all(networks.iter().map(|network| {
        let call = getAccountListCall {
            originDomain: origin.clone(),
            credentialId: credential_id.clone(),
        };
        async move {
            rpc::call_contract(
                &network.rpc_url,
                network.contracts.webauthn_validator,
                &call,
                "latest",
            )
            .await
            .map_err(|e| {
                Error::NotAllowed(format!(
                    "Could not ask {} for your account ({e}); try again when it answers.",
                    network.name
                ))
            })
        }
    }))
    .await;
    let mut candidates = Vec::new();
    for (network, list) in networks.iter().zip(listed) {
        candidates.extend(list?.into_iter().map(|address| (network, address)));
    }
    let mut account = None;
    for (network, address) in &candidates {
        // A candidate that fails a check is someone else's registration: skip it.
        if let Ok(found) = deployed_account(network, *address, &credential_id, first, &origin).await
        {
            account = Some(found);
            break;
        }
    }
    let account = match account {
        Some(account) => account,
        // Listed nowhere, or only by addresses that are not this wallet's accounts (anyone can
        // register a key, so such entries must not block the login): deployed nowhere.
        None => {
            let Some(second) = assertions.get(1) else {
                return Ok(UiResponse::NeedSecondSignature { credential_id });
            };
            let public_key = webauthn::recover_public_key(
                (&first.assertion, first.challenge),
                (&second.assertion, second.challenge),
                &origin,
            )?;
            let mut account = Account {
                address: Address::ZERO,
                salt: B256::ZERO,
                passkey: Passkey {
                    credential_id: credential_id.clone(),
                    public_key,
                },
                origin_domain: origin.clone(),
                signer: None,
            };
            let network = state::network().await?;
            account.address = userop::counterfactual_address(&network, &account).await?;
            account
        }
    };
    let sessions = restore_sessions(&networks, account.address).await?;
    let address = account.address;
    state::update_wallet(|w| {
        if w.account.is_some() {
            return Err(Error::NotAllowed(
                "This browser already has an account.".into(),
            ));
        }
        w.account = Some(account);
        w.sessions = sessions;
        Ok(())
    })
    .await?;
    Ok(UiResponse::AccountCreated { address })
}

/// `address` as an account of this wallet's factory that the passkey `credential_id` signs for,
/// checked as the module docs say; its record, with the passkey logged in with as the signer
/// when it is not the first one.
async fn deployed_account(
    network: &Network,
    address: Address,
    credential_id: &Bytes,
    first: &SignedChallenge,
    origin: &str,
) -> Result<Account> {
    let not_ours = || Error::NotAllowed(format!("{address} is not an account of this wallet"));
    let (key, created, keys) = futures::join!(
        passkeys::registered_key(network, address, origin, credential_id),
        rpc::logs(
            &network.rpc_url,
            network.contracts.account_factory,
            account_topics(&[AccountCreated::SIGNATURE_HASH], address),
        ),
        passkeys::passkey_logs(network, address),
    );
    let passkey = Passkey {
        credential_id: credential_id.clone(),
        public_key: key?,
    };
    webauthn::verify_assertion(&passkey, &first.assertion, first.challenge, origin)?;
    let salt = created?
        .iter()
        .find(|log| log.address == network.contracts.account_factory)
        .and_then(|log| log.topics.get(2).copied())
        .ok_or_else(not_ours)?;
    let initial = recovery::first_passkey(&keys?, address, origin).ok_or_else(not_ours)?;
    let account = Account {
        address,
        salt,
        signer: (initial.credential_id != passkey.credential_id).then_some(passkey),
        passkey: initial,
        origin_domain: origin.to_owned(),
    };
    if userop::counterfactual_address(network, &account).await? != address {
        return Err(not_ours());
    }
    Ok(account)
}

/// The account's sessions on every network, from the session validator's logs.
async fn restore_sessions(networks: &[Network], account: Address) -> Result<Vec<SessionRecord>> {
    let found = futures::future::join_all(networks.iter().map(|network| async move {
        let logs = rpc::logs(
            &network.rpc_url,
            network.contracts.session_key_validator,
            account_topics(
                &[
                    SessionCreated::SIGNATURE_HASH,
                    SessionRevoked::SIGNATURE_HASH,
                ],
                account,
            ),
        )
        .await
        .map_err(|e| {
            Error::NotAllowed(format!(
                "Could not read your sessions on {} ({e}); try again when it answers.",
                network.name
            ))
        })?;
        Ok::<_, Error>(recovery::sessions_from_logs(
            &logs,
            account,
            network.chain_id,
        ))
    }))
    .await;
    let mut sessions = Vec::new();
    for found in found {
        sessions.extend(found?);
    }
    Ok(sessions)
}
