//! Passkey flows both wallet pages run (the approval window and the home page): logging in to
//! an existing account, unlocking the wallet, signing a challenge the background gives, and a new
//! passkey's proof for an account another browser holds (a passkey code, a recovery request).

use alloy_primitives::{Address, Bytes};
use sso_wallet::protocol::{SignedChallenge, UiRequest, UiResponse};
use sso_wallet::webauthn::Assertion;

use crate::{bridge, passkey};

/// "I already have an account": the user picks a passkey, the background finds the account. An
/// account deployed nowhere needs a second signature by the same passkey (to recover its key);
/// an account the passkey was added to (not its own) is shown and used only if the user says so.
pub async fn login() -> Result<UiResponse, String> {
    let challenge = passkey::random_hash()?;
    let (credential_id, assertion) = passkey::discover(challenge).await?;
    let mut assertions = vec![SignedChallenge {
        challenge,
        assertion,
    }];
    let request = |assertions| UiRequest::Login {
        credential_id: credential_id.clone(),
        assertions,
        confirmed: None,
    };
    match bridge::request(request(assertions.clone())).await {
        UiResponse::NeedSecondSignature { credential_id: id } => {
            let challenge = passkey::random_hash()?;
            let assertion = passkey::sign(challenge, &id).await?;
            assertions.push(SignedChallenge {
                challenge,
                assertion,
            });
            Ok(bridge::request(request(assertions)).await)
        }
        UiResponse::ConfirmLogin {
            address,
            network,
            first_passkey,
        } => {
            let question = format!(
                "This passkey was added to the account {} on {network}; it did not create it (its first passkey is {}).\n\nLog in to this account only if you added this passkey to it yourself. Log in?",
                address.to_checksum(None),
                crate::widgets::short_id(&first_passkey),
            );
            let yes = web_sys::window()
                .and_then(|w| w.confirm_with_message(&question).ok())
                .unwrap_or(false);
            if !yes {
                return Err("Not logged in: you did not confirm the account.".into());
            }
            Ok(bridge::request(UiRequest::Login {
                credential_id,
                assertions,
                confirmed: Some(address),
            })
            .await)
        }
        other => Ok(other),
    }
}

/// Unlocks the wallet with the passkey it signs with.
pub async fn unlock() -> Result<UiResponse, String> {
    match sign_challenge(UiRequest::UnlockChallenge).await {
        Ok(assertion) => Ok(bridge::request(UiRequest::Unlock { assertion }).await),
        Err(other) => Ok(other),
    }
}

/// Asks the background for a challenge (`request`, answered `Challenge`) and signs it with the
/// passkey it names. `Err` is what ends the flow instead: the background's other answer, or the
/// passkey's failure as an error for the user.
pub async fn sign_challenge(request: UiRequest) -> Result<Assertion, UiResponse> {
    match bridge::request(request).await {
        UiResponse::Challenge {
            challenge,
            credential_id,
        } => passkey::sign(challenge, &credential_id)
            .await
            .map_err(|message| UiResponse::Error { message }),
        other => Err(other),
    }
}

/// In a browser without an account: creates a passkey here and has it sign `account`'s
/// registration challenge under this browser's origin (its proof of possession, for a passkey
/// code or a recovery request). Returns the attestation object and the assertion.
pub async fn new_passkey_for(account: Address) -> Result<(Bytes, Assertion), String> {
    let attestation_object = passkey::create(&[]).await?;
    let challenge = UiRequest::LinkChallenge {
        account,
        attestation_object: attestation_object.clone(),
    };
    let assertion = sign_challenge(challenge).await.map_err(error_text)?;
    Ok((attestation_object, assertion))
}

/// What to tell the user of an answer that ends a flow: the background's error, or that the
/// answer was not the one expected.
pub fn error_text(response: UiResponse) -> String {
    match response {
        UiResponse::Error { message } => message,
        other => format!("unexpected answer: {other:?}"),
    }
}
