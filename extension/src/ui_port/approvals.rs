//! The approval window's requests: the approval to show, approving it (with the passkey's
//! assertion where it signs), rejecting it.

use sso_wallet::Result;
use sso_wallet::protocol::{UiRequest, UiResponse};

use super::done;
use crate::{approval_view, approvals, approve};

pub async fn handle(request: UiRequest) -> Result<UiResponse> {
    Ok(match request {
        UiRequest::GetApproval { approval_id } => UiResponse::Approval {
            approval: approval_view::view(approval_id).await?.map(Box::new),
        },
        UiRequest::Approve {
            approval_id,
            assertion,
        } => UiResponse::Done {
            result: approve::approve(approval_id, assertion).await?,
        },
        UiRequest::Reject { approval_id } => {
            approvals::reject(approval_id).await?;
            done()
        }
        _ => unreachable_family(),
    })
}

/// A request routed to the wrong family (the router's `family` decides): a bug, said so.
pub(super) fn unreachable_family() -> UiResponse {
    UiResponse::Error {
        message: "Internal error: a request reached the wrong handler.".into(),
    }
}
