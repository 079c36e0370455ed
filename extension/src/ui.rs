//! Requests from the trusted UI port (the wallet's own pages).

use sso_wallet::protocol::{Envelope, UiRequest, UiResponse};
use sso_wallet::{Error, Result};

use crate::{approvals, chrome::Port, state};

/// Handles one UI request and answers on the same port with the same sequence number.
pub async fn handle(port: Port, message: wasm_bindgen::JsValue) {
    let envelope: Envelope<UiRequest> = match crate::chrome::from_js(message) {
        Ok(envelope) => envelope,
        Err(e) => {
            web_sys::console::error_1(&format!("bad UI message: {e}").into());
            return;
        }
    };
    let body = match run(envelope.body).await {
        Ok(response) => response,
        Err(e) => UiResponse::Error {
            message: e.user_message(),
        },
    };
    port.send(&Envelope {
        seq: envelope.seq,
        body,
    });
}

/// What the UI may ask while the wallet is locked: showing what waits, saying no, and unlocking.
fn allowed_while_locked(request: &UiRequest) -> bool {
    matches!(
        request,
        UiRequest::GetApproval { .. }
            | UiRequest::Reject { .. }
            | UiRequest::GetHome
            | UiRequest::UnlockChallenge
            | UiRequest::Unlock { .. }
            | UiRequest::LockNow
    )
}

fn done() -> UiResponse {
    UiResponse::Done {
        result: serde_json::Value::Null,
    }
}

async fn run(request: UiRequest) -> Result<UiResponse> {
    if !allowed_while_locked(&request) {
        crate::lock::ensure_unlocked().await?;
    }
    Ok(match request {
        UiRequest::GetHome => UiResponse::Home {
            home: Box::new(crate::home::view().await?),
        },
        UiRequest::SelectNetwork { chain_id } => {
            crate::networks::switch(chain_id).await?;
            done()
        }
        UiRequest::SaveNetwork { network, replaces } => {
            crate::networks::save(network, replaces).await?;
            done()
        }
        UiRequest::RemoveNetwork { chain_id } => {
            crate::networks::remove(chain_id).await?;
            done()
        }
        UiRequest::AddToken { address } => {
            crate::home::add_token(address).await?;
            done()
        }
        UiRequest::RemoveToken { chain_id, address } => {
            crate::home::remove_token(chain_id, address).await?;
            done()
        }
        UiRequest::Disconnect { origin } => {
            crate::home::disconnect(&origin).await?;
            done()
        }
        UiRequest::ListPasskeys => UiResponse::Passkeys {
            passkeys: crate::passkeys::list().await?,
        },
        UiRequest::PasskeyChallenge { attestation_object } => {
            let (challenge, credential_id) =
                crate::passkeys::registration_challenge(&attestation_object).await?;
            UiResponse::Challenge {
                challenge,
                credential_id,
            }
        }
        UiRequest::AddPasskey {
            attestation_object,
            assertion,
        } => {
            crate::passkeys::add(&attestation_object, &assertion).await?;
            done()
        }
        UiRequest::RemovePasskey { credential_id } => {
            crate::passkeys::remove(credential_id).await?;
            done()
        }
        UiRequest::Login {
            credential_id,
            assertions,
            confirmed,
        } => crate::login::login(credential_id, assertions, confirmed).await?,
        UiRequest::SetLock { settings } => {
            let settings = settings.validate()?;
            let was_on = state::update_wallet(|w| {
                let was_on = w.lock.enabled;
                w.lock = settings;
                Ok(was_on)
            })
            .await?;
            if settings.enabled && !was_on {
                crate::lock::turned_on().await?;
            }
            done()
        }
        UiRequest::LockNow => {
            crate::lock::lock_now().await?;
            done()
        }
        UiRequest::UnlockChallenge => {
            let (challenge, credential_id) = crate::lock::challenge().await?;
            UiResponse::Challenge {
                challenge,
                credential_id,
            }
        }
        UiRequest::Unlock { assertion } => {
            crate::lock::unlock(&assertion).await?;
            UiResponse::Unlocked
        }
        UiRequest::GetApproval { approval_id } => UiResponse::Approval {
            approval: approvals::view(approval_id).await?.map(Box::new),
        },
        UiRequest::CreatePasskey { attestation_object } => UiResponse::AccountCreated {
            address: approvals::create_account(&attestation_object)
                .await?
                .address,
        },
        UiRequest::Approve {
            approval_id,
            assertion,
        } => UiResponse::Done {
            result: approvals::approve(approval_id, assertion).await?,
        },
        UiRequest::ListActivity => UiResponse::Activity {
            items: crate::activity::list().await?,
        },
        UiRequest::ListSessions => UiResponse::Sessions {
            sessions: crate::session::list().await?,
        },
        UiRequest::RevokeSession { context } => {
            let nobody = sso_wallet::approval::ReplyTo::nobody();
            crate::session::revoke(context, None, nobody).await?;
            done()
        }
        UiRequest::Reject { approval_id } => {
            approvals::reject(approval_id).await?;
            done()
        }
    })
    .map_err(|e: Error| e)
}
