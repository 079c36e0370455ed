//! Passkey flows both wallet pages run (the approval window and the home page): logging in to
//! an existing account, and unlocking the wallet.

use sso_wallet::protocol::{SignedChallenge, UiRequest, UiResponse};

use crate::{bridge, passkey};

/// "I already have an account": the user picks a passkey, the background finds the account. An
/// account deployed nowhere needs a second signature by the same passkey (to recover its key).
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
