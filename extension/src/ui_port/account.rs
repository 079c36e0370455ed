//! The account: the home view, creating the account from a new passkey, logging in to an
//! existing one, sending from it, its tokens, and disconnecting sites.

use sso_wallet::Result;
use sso_wallet::protocol::{UiRequest, UiResponse};

use super::approvals::unreachable_family;
use super::done;
use crate::{home, login, onboarding, send};

pub async fn handle(request: UiRequest) -> Result<UiResponse> {
    Ok(match request {
        UiRequest::GetHome => UiResponse::Home {
            home: Box::new(home::view().await?),
        },
        UiRequest::CreatePasskey { attestation_object } => UiResponse::AccountCreated {
            address: onboarding::create_account(&attestation_object)
                .await?
                .address,
        },
        UiRequest::Login {
            credential_id,
            assertions,
            confirmed,
        } => login::login(credential_id, assertions, confirmed).await?,
        UiRequest::Send { to, token, amount } => {
            send::send(to, token, amount).await?;
            done()
        }
        UiRequest::CheckRecipient { to } => UiResponse::Recipient {
            notes: send::check_recipient(to).await?,
        },
        UiRequest::SendMax { to, token } => {
            let (amount, fee) = send::max(to, token).await?;
            UiResponse::SendMax { amount, fee }
        }
        UiRequest::AddToken { address } => {
            home::add_token(address).await?;
            done()
        }
        UiRequest::RemoveToken {
            chain_id,
            address,
            token_id,
        } => {
            home::remove_token(chain_id, address, token_id).await?;
            done()
        }
        UiRequest::Disconnect { origin } => {
            home::disconnect(&origin).await?;
            done()
        }
        _ => unreachable_family(),
    })
}
