//! The account's passkeys: listing them, a new passkey's registration challenge and its
//! registration (with the proof of possession), removing one; and a passkey of another browser:
//! its code made here (in a browser without the account) or added here from its code.

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
        UiRequest::RemovePasskey {
            credential_id,
            origin,
        } => {
            passkeys::remove(credential_id, origin).await?;
            done()
        }
        UiRequest::LinkChallenge {
            account,
            attestation_object,
        } => {
            let (challenge, credential_id) =
                passkeys::link_challenge(account, &attestation_object).await?;
            UiResponse::Challenge {
                challenge,
                credential_id,
            }
        }
        UiRequest::LinkPasskey {
            account,
            attestation_object,
            assertion,
        } => UiResponse::PasskeyCode {
            code: passkeys::link_code(account, &attestation_object, assertion).await?,
        },
        UiRequest::RenamePasskey {
            credential_id,
            name,
        } => {
            passkeys::rename(&credential_id, &name).await?;
            done()
        }
        UiRequest::AddLinkedPasskey { code } => {
            passkeys::add_linked(&code).await?;
            done()
        }
        _ => unreachable_family(),
    })
}
