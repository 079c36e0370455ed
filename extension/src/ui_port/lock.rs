//! The lock: its settings, locking now, and unlocking with the passkey over a challenge the
//! background issued.

use sso_wallet::Result;
use sso_wallet::protocol::{UiRequest, UiResponse};

use super::approvals::unreachable_family;
use super::done;
use crate::lock;

pub async fn handle(request: UiRequest) -> Result<UiResponse> {
    Ok(match request {
        UiRequest::SetLock { settings } => {
            lock::set_settings(settings).await?;
            done()
        }
        UiRequest::LockNow => {
            lock::lock_now().await?;
            done()
        }
        UiRequest::UnlockChallenge => {
            let (challenge, credential_id) = lock::challenge().await?;
            UiResponse::Challenge {
                challenge,
                credential_id,
            }
        }
        UiRequest::Unlock { assertion } => {
            lock::unlock(&assertion).await?;
            UiResponse::Unlocked
        }
        _ => unreachable_family(),
    })
}
