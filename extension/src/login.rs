//! Logging in to an existing account on a new device or browser profile, from the passkey alone:
//! the credential the user picked is looked up with `getAccountList` on every known network; the
//! account's key comes from `getAccountKey`, its factory parameters (salt and first passkey, so
//! it can still be deployed on other chains at the same address) from the factory's
//! `AccountCreated` and the validator's first `PasskeyCreated` log, and its sessions from the
//! session validator's logs. An account deployed nowhere has no trace on chain: its key is
//! recovered from two signatures by the passkey, and its address from the factory.

use alloy_primitives::{Address, B256, Bytes};
use alloy_sol_types::SolEvent;

use sso_wallet::abi::IAccountFactory::{self, AccountCreated};
use sso_wallet::abi::IWebAuthnValidator::{
    PasskeyCreated, PasskeyRemoved, getAccountKeyCall, getAccountListCall,
};
use sso_wallet::account::Account;
use sso_wallet::network::Network;
use sso_wallet::protocol::{SignedChallenge, UiResponse};
use sso_wallet::recovery::{self, account_topics};
use sso_wallet::session::registry::SessionRecord;
use sso_wallet::session::spec::ISessionKeyValidator::{SessionCreated, SessionRevoked};
use sso_wallet::webauthn::{self, Passkey};
use sso_wallet::{Error, Result};

use crate::{chrome, rpc, state};

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
    let networks = state::networks().await?;
    let found = futures::future::join_all(networks.networks.iter().map(|network| {
        let origin = &origin;
        let credential_id = &credential_id;
        async move {
            let call = getAccountListCall {
                originDomain: origin.clone(),
                credentialId: credential_id.clone(),
            };
            let list = rpc::call_contract(
                &network.rpc_url,
                network.contracts.webauthn_validator,
                &call,
                "latest",
            )
            .await;
            (network, list)
        }
    }))
    .await;
    let deployed = found
        .iter()
        .find_map(|(network, list)| Some((*network, *list.as_ref().ok()?.first()?)));
    let account = match deployed {
        Some((network, address)) => {
            let key = rpc::call_contract(
                &network.rpc_url,
                network.contracts.webauthn_validator,
                &getAccountKeyCall {
                    originDomain: origin.clone(),
                    credentialId: credential_id.clone(),
                    account: address,
                },
                "latest",
            )
            .await?;
            let passkey = Passkey {
                credential_id: credential_id.clone(),
                public_key: key,
            };
            webauthn::verify_assertion(&passkey, &first.assertion, first.challenge, &origin)?;
            deployed_account(network, address, passkey, &origin).await?
        }
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
            account.address = rpc::call_contract(
                &network.rpc_url,
                network.contracts.account_factory,
                &IAccountFactory::getAddressCall {
                    salt: account.salt,
                    credentialId: account.passkey.credential_id.clone(),
                    publicKey: account.passkey.public_key,
                    originDomain: origin.clone(),
                },
                "latest",
            )
            .await?;
            account
        }
    };
    let sessions = restore_sessions(&networks.networks, account.address).await;
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

/// A deployed account's record: its factory parameters come from its creation logs, so it can
/// be deployed at the same address on chains where it is not yet. The passkey logged in with
/// signs (when it is not the first one).
async fn deployed_account(
    network: &Network,
    address: Address,
    passkey: Passkey,
    origin: &str,
) -> Result<Account> {
    let (created, keys) = futures::join!(
        rpc::logs(
            &network.rpc_url,
            network.contracts.account_factory,
            account_topics(&[AccountCreated::SIGNATURE_HASH], address),
        ),
        rpc::logs(
            &network.rpc_url,
            network.contracts.webauthn_validator,
            account_topics(
                &[
                    PasskeyCreated::SIGNATURE_HASH,
                    PasskeyRemoved::SIGNATURE_HASH
                ],
                address,
            ),
        ),
    );
    let salt = created?
        .first()
        .and_then(|log| log.topics.get(2).copied())
        .unwrap_or(B256::ZERO);
    // The first registration is the one the factory installed (a removal cannot undo history).
    let first = keys?.into_iter().find_map(|log| {
        let created = PasskeyCreated::decode_raw_log(log.topics.iter().copied(), &log.data).ok()?;
        (created.account == address && created.originDomain == origin).then(|| Passkey {
            credential_id: created.credentialId,
            public_key: created.publicKey,
        })
    });
    let initial = first.unwrap_or_else(|| passkey.clone());
    Ok(Account {
        address,
        salt,
        signer: (initial.credential_id != passkey.credential_id).then_some(passkey),
        passkey: initial,
        origin_domain: origin.to_owned(),
    })
}

/// The account's sessions on every network, from the session validator's logs (networks that
/// do not answer contribute none).
async fn restore_sessions(networks: &[Network], account: Address) -> Vec<SessionRecord> {
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
        .unwrap_or_default();
        recovery::sessions_from_logs(&logs, account, network.chain_id)
    }))
    .await;
    found.into_iter().flatten().collect()
}
