//! The sessions view: every session with what is left, and revoking one (its key is erased at
//! once; a passkey approval closes it on chain).

use sso_wallet::Result;
use sso_wallet::approval::ReplyTo;
use sso_wallet::protocol::{UiRequest, UiResponse};

use super::approvals::unreachable_family;
use super::done;
use crate::session;

pub async fn handle(request: UiRequest) -> Result<UiResponse> {
    Ok(match request {
        UiRequest::ListSessions => UiResponse::Sessions {
            sessions: session::list().await?,
        },
        UiRequest::RevokeSession { context } => {
            session::revoke(context, None, ReplyTo::nobody()).await?;
            done()
        }
        _ => unreachable_family(),
    })
}
