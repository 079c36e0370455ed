//! Requests from the wallet's own pages (the approval window and the home page), on the trusted
//! UI port (only the extension's own pages can open it: `chrome::Port::peer`). The lock is
//! applied here, once: while the wallet is locked only showing what waits, saying no and
//! unlocking are allowed. Each family of requests has its handler: `approvals`, `account`,
//! `networks`, `passkeys`, `lock`, `sessions`, `activity`, `recovery`.

mod account;
mod activity;
mod approvals;
mod lock;
mod modules;
mod networks;
mod passkeys;
mod recovery;
mod sessions;

use sso_wallet::Result;
use sso_wallet::protocol::{Envelope, UiRequest, UiResponse};

use crate::chrome::Port;

/// Handles one UI request and answers on the same port with the same sequence number. A
/// message that cannot be read is answered too, when its sequence number can be.
pub async fn handle(port: Port, message: wasm_bindgen::JsValue) {
    let envelope: Envelope<UiRequest> = match crate::chrome::from_js(message.clone()) {
        Ok(envelope) => envelope,
        Err(e) => {
            web_sys::console::error_1(&format!("SSO Wallet: bad UI message: {e}").into());
            if let Some(seq) = crate::chrome::request_field(&message, "seq") {
                port.send(&Envelope {
                    seq,
                    body: UiResponse::Error {
                        message: format!("The wallet could not read this request: {e}"),
                    },
                });
            }
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

/// The families of UI requests.
enum Family {
    Approvals,
    Account,
    Networks,
    Passkeys,
    Modules,
    Lock,
    Sessions,
    Activity,
    Recovery,
}

fn family(request: &UiRequest) -> Family {
    match request {
        UiRequest::GetApproval { .. } | UiRequest::Approve { .. } | UiRequest::Reject { .. } => {
            Family::Approvals
        }
        UiRequest::GetHome
        | UiRequest::CreatePasskey { .. }
        | UiRequest::Login { .. }
        | UiRequest::Send { .. }
        | UiRequest::CheckRecipient { .. }
        | UiRequest::SendMax { .. }
        | UiRequest::AddToken { .. }
        | UiRequest::RemoveToken { .. }
        | UiRequest::Disconnect { .. } => Family::Account,
        UiRequest::SelectNetwork { .. }
        | UiRequest::SaveNetwork { .. }
        | UiRequest::RemoveNetwork { .. } => Family::Networks,
        UiRequest::ListPasskeys
        | UiRequest::PasskeyChallenge { .. }
        | UiRequest::AddPasskey { .. }
        | UiRequest::RemovePasskey { .. }
        | UiRequest::RenamePasskey { .. }
        | UiRequest::LinkChallenge { .. }
        | UiRequest::LinkPasskey { .. }
        | UiRequest::AddLinkedPasskey { .. } => Family::Passkeys,
        UiRequest::SetLock { .. }
        | UiRequest::LockNow
        | UiRequest::UnlockChallenge
        | UiRequest::Unlock { .. } => Family::Lock,
        UiRequest::ListModules | UiRequest::ChangeModule { .. } => Family::Modules,
        UiRequest::ListSessions | UiRequest::RevokeSession { .. } => Family::Sessions,
        UiRequest::ListActivity => Family::Activity,
        UiRequest::GetRecovery
        | UiRequest::SetGuardians { .. }
        | UiRequest::CancelRecovery { .. }
        | UiRequest::ReadRecoveryCode { .. }
        | UiRequest::ApproveRecovery { .. }
        | UiRequest::StartRecovery { .. }
        | UiRequest::GetRecovering
        | UiRequest::AddGuardianSignature { .. }
        | UiRequest::SubmitApprovals
        | UiRequest::FinalizeRecovery
        | UiRequest::AbandonRecovery => Family::Recovery,
    }
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

/// The answer of a request that has nothing to return.
fn done() -> UiResponse {
    UiResponse::Done {
        result: serde_json::Value::Null,
    }
}

async fn run(request: UiRequest) -> Result<UiResponse> {
    if !allowed_while_locked(&request) {
        crate::lock::ensure_unlocked().await?;
    }
    match family(&request) {
        Family::Approvals => approvals::handle(request).await,
        Family::Account => account::handle(request).await,
        Family::Networks => networks::handle(request).await,
        Family::Passkeys => passkeys::handle(request).await,
        Family::Modules => modules::handle(request).await,
        Family::Lock => lock::handle(request).await,
        Family::Sessions => sessions::handle(request).await,
        Family::Activity => activity::handle(request).await,
        Family::Recovery => recovery::handle(request).await,
    }
}
