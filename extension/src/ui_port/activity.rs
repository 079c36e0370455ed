//! The activity view: every UserOperation the wallet sent, newest first, with its status.

use sso_wallet::Result;
use sso_wallet::protocol::{UiRequest, UiResponse};

use super::approvals::unreachable_family;
use crate::activity;

pub async fn handle(request: UiRequest) -> Result<UiResponse> {
    Ok(match request {
        UiRequest::ListActivity => UiResponse::Activity {
            items: activity::list().await?,
        },
        _ => unreachable_family(),
    })
}
