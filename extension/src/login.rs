//! Logging in to an existing account on a new device or browser profile, from the passkey alone.
//!
//! Two kinds of account can belong to a passkey:
//!
//! - **Its own account**, created with it: the factory's address for salt 0 and this passkey.
//!   One assertion gives the passkey's public key up to two candidates (ECDSA public-key
//!   recovery); a candidate whose account is deployed on a known network with that key
//!   registered is the one. Deployed nowhere, a second assertion pins the key, and the account
//!   is its counterfactual address.
//! - **An account it was added to** later (`addValidationKey`, which needs a proof of
//!   possession by the key itself, so nobody can list a passkey that is not theirs) — in this
//!   browser, or in another browser's wallet from a code (`passkey_link`; the account's first
//!   passkey is then that browser's, under its origin): found with `getAccountList`, accepted only if the wallet's own factory deployed it (`AccountCreated`
//!   gives its salt, the first `PasskeyCreated` its first passkey, `getAddress` of those gives
//!   the address back) and the passkey's key there verifies the assertion — and even then never
//!   used silently: the user is shown the account and confirms ([`UiResponse::ConfirmLogin`]).
//!
//! Sessions come back from the session validator's logs.

use alloy_primitives::{Address, B256, Bytes};
use alloy_sol_types::SolEvent;

use sso_wallet::abi::IAccountFactory::AccountCreated;
use sso_wallet::account::Account;
use sso_wallet::network::Network;
use sso_wallet::protocol::{SignedChallenge, UiResponse};
use sso_wallet::recovery::{self, account_topics};
use sso_wallet::session::registry::SessionRecord;
use sso_wallet::session::spec::ISessionKeyValidator::{SessionCreated, SessionRevoked};
use sso_wallet::webauthn::{self, Passkey};
use sso_wallet::{Error, Result};

use crate::{chain, chrome, rpc, state};

/// Most accounts of one network's `getAccountList` that are checked.
const MAX_LISTED: usize = 16;

/// Logs in with `credential_id`: answers `AccountCreated`, `NeedSecondSignature` (the
/// passkey's own account is deployed nowhere and one assertion cannot pin its key), or
/// `ConfirmLogin` (an account the passkey was added to, until the user confirms it).
pub async fn login(
    credential_id: Bytes,
    assertions: Vec<SignedChallenge>,
    confirmed: Option<Address>,
) -> Result<UiResponse> {
    if state::read_wallet(|w| w.account.is_some()).await? {
        return Err(Error::NotAllowed(
            "This browser already has an account.".into(),
        ));
    }
    let first = assertions
        .first()
        .ok_or_else(|| Error::invalid_params("logging in needs a passkey assertion"))?;
    let origin = chrome::webauthn_origin();
    let networks = with_contracts(state::networks().await?.networks).await?;
    // The factory's address is the same on every network: any network with the contracts
    // answers it.
    let Some(reference) = networks.first().cloned() else {
        return Err(Error::NotDeployed {
            chain: state::network().await?.name,
        });
    };
    // The keys the passkey may have: one with two assertions, up to two with one.
    let keys = match assertions.get(1) {
        Some(second) => vec![webauthn::recover_public_key(
            (&first.assertion, first.challenge),
            (&second.assertion, second.challenge),
            &origin,
        )?],
        None => webauthn::public_key_candidates(&first.assertion, first.challenge, &origin)?,
    };
    let own = |public_key| Account {
        address: Address::ZERO,
        salt: B256::ZERO,
        passkey: Passkey {
            credential_id: credential_id.clone(),
            public_key,
        },
        origin_domain: origin.clone(),
        creation_origin: None,
        signer: None,
    };
    // Its own account, deployed somewhere.
    for key in &keys {
        let mut account = own(*key);
        account.address = chain::counterfactual_address(&reference, &account).await?;
        if deployed_with_key(&networks, &account).await? {
            return store(account, &networks).await;
        }
    }
    // Accounts it was added to: shown, and used only once the user confirms.
    if let Some(found) = added_to(&networks, &credential_id, first, &origin).await? {
        let (network, account) = found;
        if confirmed == Some(account.address) {
            return store(account, &networks).await;
        }
        return Ok(UiResponse::ConfirmLogin {
            address: account.address,
            network: network.name.clone(),
            first_passkey: account.passkey.credential_id.clone(),
        });
    }
    // Its own account, deployed nowhere: the key must be pinned by a second assertion.
    match keys.as_slice() {
        [key] if assertions.len() > 1 => {
            let mut account = own(*key);
            account.address = chain::counterfactual_address(&reference, &account).await?;
            // Deployed, but without this passkey any more (it was removed there): this passkey
            // cannot sign for it, so it is not logged into.
            if deployed_anywhere(&networks, account.address).await? {
                return Err(Error::NotAllowed(format!(
                    "This passkey created the account {}, but it is no longer one of its passkeys; log in with one of the account's current passkeys.",
                    account.address.to_checksum(None)
                )));
            }
            store(account, &networks).await
        }
        _ => Ok(UiResponse::NeedSecondSignature { credential_id }),
    }
}

/// The networks the wallet's contracts are on: an account can be nowhere else. Every network
/// must answer (one that does not fails the login, rather than missing an account there).
async fn with_contracts(networks: Vec<Network>) -> Result<Vec<Network>> {
    let checked = futures::future::join_all(networks.iter().map(chain::require_deployed)).await;
    let mut usable = Vec::new();
    for (network, checked) in networks.into_iter().zip(checked) {
        match checked {
            Ok(()) => usable.push(network),
            Err(Error::NotDeployed { .. }) => {}
            Err(e) => {
                return Err(Error::NotAllowed(format!(
                    "Could not ask {} for your account ({}); try again when it answers.",
                    network.name,
                    e.user_message()
                )));
            }
        }
    }
    Ok(usable)
}

/// Whether `address` has code on some known network (every network must answer).
async fn deployed_anywhere(networks: &[Network], address: Address) -> Result<bool> {
    let deployed = futures::future::join_all(
        networks
            .iter()
            .map(|network| chain::is_deployed(network, address)),
    )
    .await;
    let mut any = false;
    for deployed in deployed {
        any |= deployed?;
    }
    Ok(any)
}

/// Whether `account` (a passkey's own) is deployed on some known network with its passkey
/// registered there. Every network must answer: one that does not fails the login, instead of
/// landing the user in an empty account.
async fn deployed_with_key(networks: &[Network], account: &Account) -> Result<bool> {
    let found = futures::future::join_all(networks.iter().map(|network| async move {
        let unreachable = |e: Error| {
            Error::NotAllowed(format!(
                "Could not ask {} for your account ({}); try again when it answers.",
                network.name,
                e.user_message()
            ))
        };
        if !chain::is_deployed(network, account.address)
            .await
            .map_err(unreachable)?
        {
            return Ok(false);
        }
        let key = chain::registered_key(
            network,
            account.address,
            &account.origin_domain,
            &account.passkey.credential_id,
        )
        .await
        .map_err(unreachable)?;
        Ok::<_, Error>(key == account.passkey.public_key)
    }))
    .await;
    let mut deployed = false;
    for found in found {
        deployed |= found?;
    }
    Ok(deployed)
}

/// The first account the passkey was added to (on any known network) that checks out as the
/// module docs say, with the passkey logged in with as its signer.
async fn added_to<'a>(
    networks: &'a [Network],
    credential_id: &Bytes,
    first: &SignedChallenge,
    origin: &str,
) -> Result<Option<(&'a Network, Account)>> {
    let listed = futures::future::join_all(networks.iter().map(|network| async move {
        chain::account_list(network, origin, credential_id)
            .await
            .map_err(|e| {
                Error::NotAllowed(format!(
                    "Could not ask {} for your account ({}); try again when it answers.",
                    network.name,
                    e.user_message()
                ))
            })
    }))
    .await;
    let mut candidates = Vec::new();
    for (network, list) in networks.iter().zip(listed) {
        candidates.extend(
            list?
                .into_iter()
                .take(MAX_LISTED)
                .map(|address| (network, address)),
        );
    }
    let checked = futures::future::join_all(candidates.iter().map(|(network, address)| {
        deployed_account(network, *address, credential_id, first, origin)
    }))
    .await;
    // A candidate that fails a check is not an account of this wallet: skipped.
    Ok(candidates
        .iter()
        .zip(checked)
        .find_map(|((network, _), account)| Some((*network, account.ok()?))))
}

/// Keeps the account found, with its sessions read back from the chain.
async fn store(account: Account, networks: &[Network]) -> Result<UiResponse> {
    let sessions = restore_sessions(networks, account.address).await?;
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
    let key = chain::registered_key(network, address, origin, credential_id).await?;
    let passkey = Passkey {
        credential_id: credential_id.clone(),
        public_key: key,
    };
    webauthn::verify_assertion(&passkey, &first.assertion, first.challenge, origin)?;
    account_record(network, address, passkey, origin).await
}

/// The record of `address`, an account of this wallet's factory (checked: `AccountCreated` gives
/// its salt, the first `PasskeyCreated` its first passkey, and `getAddress` of those gives the
/// address back), signed for here by `passkey` (registered under `origin`).
async fn account_record(
    network: &Network,
    address: Address,
    passkey: Passkey,
    origin: &str,
) -> Result<Account> {
    let not_ours = || Error::NotAllowed(format!("{address} is not an account of this wallet"));
    let (created, keys) = futures::join!(
        rpc::logs(
            network,
            network.contracts.account_factory,
            account_topics(&[AccountCreated::SIGNATURE_HASH], address),
        ),
        chain::passkey_logs(network, address),
    );
    let salt = created?
        .iter()
        .find(|log| log.address == network.contracts.account_factory)
        .and_then(|log| log.topics.get(2).copied())
        .ok_or_else(not_ours)?;
    // The first passkey may be another browser's (an account created there, which this
    // browser's passkey was added to with a code): the factory's parameters keep its origin.
    let initial = recovery::first_passkey(&keys?, address).ok_or_else(not_ours)?;
    let first_here = initial.origin == origin && initial.passkey == passkey;
    let account = Account {
        address,
        salt,
        signer: (!first_here).then_some(passkey),
        passkey: initial.passkey,
        creation_origin: (initial.origin != origin).then_some(initial.origin),
        origin_domain: origin.to_owned(),
    };
    if chain::counterfactual_address(network, &account).await? != address {
        return Err(not_ours());
    }
    Ok(account)
}

/// Uses `address` here after a guardian recovery gave it `passkey`, a passkey of this browser
/// (its key is registered there: checked), with its sessions read back as after a login.
pub async fn recovered(
    network: &Network,
    address: Address,
    passkey: Passkey,
) -> Result<UiResponse> {
    let origin = chrome::webauthn_origin();
    let key = chain::registered_key(network, address, &origin, &passkey.credential_id).await?;
    if key != passkey.public_key {
        return Err(Error::NotAllowed(
            "The recovered passkey is not registered for the account yet.".into(),
        ));
    }
    let account = account_record(network, address, passkey, &origin).await?;
    let networks = with_contracts(state::networks().await?.networks).await?;
    store(account, &networks).await
}

/// The account's sessions on every network, from the session validator's logs.
async fn restore_sessions(networks: &[Network], account: Address) -> Result<Vec<SessionRecord>> {
    let found = futures::future::join_all(networks.iter().map(|network| async move {
        let logs = rpc::logs(
            network,
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
