//! Passkey flows both wallet pages run (the approval window and the home page): logging in to
//! an existing account, and unlocking the wallet.

use sso_wallet::protocol::{SignedChallenge, UiRequest, UiResponse};

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
    match bridge::request(UiRequest::UnlockChallenge).await {
        UiResponse::Challenge {
            challenge,
            credential_id,
        } => {
            let assertion = passkey::sign(challenge, &credential_id).await?;
            Ok(bridge::request(UiRequest::Unlock { assertion }).await)
        }
        other => Ok(other),
    }
}
