//! Requests from the trusted UI port (the wallet's own pages).

use sso_wallet::protocol::{Envelope, UiRequest, UiResponse};
use sso_wallet::{Error, Result};

use crate::{approvals, chrome::Port};

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
            message: e.to_string(),
        },
    };
    port.send(&Envelope {
        seq: envelope.seq,
        body,
    });
}

async fn run(request: UiRequest) -> Result<UiResponse> {
    Ok(match request {
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
            items: approvals::activity().await?,
        },
        UiRequest::ListSessions => UiResponse::Sessions {
            sessions: crate::session::list().await?,
        },
        UiRequest::RevokeSession { context } => {
            let nobody = sso_wallet::approval::ReplyTo::nobody();
            crate::session::revoke(context, None, nobody).await?;
            UiResponse::Done {
                result: serde_json::Value::Null,
            }
        }
        UiRequest::Reject { approval_id } => {
            approvals::reject(approval_id).await?;
            UiResponse::Done {
                result: serde_json::Value::Null,
            }
        }
    })
    .map_err(|e: Error| e)
}
