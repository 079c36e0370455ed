//! The account's passkeys: listing them, a new passkey's registration challenge and its
//! registration (with the proof of possession), removing one.

use sso_wallet::Result;
use sso_wallet::protocol::{UiRequest, UiResponse};

use super::approvals::unreachable_family;
use super::done;
use crate::passkeys;

pub async fn handle(request: UiRequest) -> Result<UiResponse> {
    Ok(match request {
        UiRequest::ListPasskeys => UiResponse::Passkeys {
            passkeys: passkeys::list().await?,
        },
        UiRequest::PasskeyChallenge { attestation_object } => {
            let (challenge, credential_id) =
                passkeys::registration_challenge(&attestation_object).await?;
            UiResponse::Challenge {
                challenge,
                credential_id,
            }
        }
        UiRequest::AddPasskey {
            attestation_object,
            assertion,
        } => {
            passkeys::add(&attestation_object, &assertion).await?;
            done()
        }
        UiRequest::RemovePasskey { credential_id } => {
            passkeys::remove(credential_id).await?;
            done()
        }
        _ => unreachable_family(),
    })
}
