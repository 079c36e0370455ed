//! Recovery with guardians: the owner's Recovery tab (setup, cancel), a guardian's approval of a
//! pasted request, and the recovery a browser without an account asks for.

use sso_wallet::Result;
use sso_wallet::protocol::{UiRequest, UiResponse};

use super::approvals::unreachable_family;
use super::done;
use crate::guardian_recovery as recovery;

pub async fn handle(request: UiRequest) -> Result<UiResponse> {
    let recovering = |view: sso_wallet::protocol::RecoveringView| UiResponse::Recovering {
        recovering: Some(Box::new(view)),
    };
    Ok(match request {
        UiRequest::GetRecovery => UiResponse::Recovery {
            recovery: Box::new(recovery::view().await?),
        },
        UiRequest::SetGuardians { setup } => {
            recovery::set_guardians(setup).await?;
            done()
        }
        UiRequest::CancelRecovery { chain_id } => {
            recovery::cancel(chain_id).await?;
            done()
        }
        UiRequest::ReadRecoveryCode { code } => UiResponse::RecoveryCode {
            request: Box::new(recovery::read_code(&code).await?),
        },
        UiRequest::ApproveRecovery { code } => {
            recovery::approve(&code).await?;
            done()
        }
        UiRequest::StartRecovery {
            account,
            attestation_object,
            assertion,
            name,
        } => recovering(recovery::start(account, &attestation_object, assertion, &name).await?),
        UiRequest::GetRecovering => UiResponse::Recovering {
            recovering: recovery::recovering().await?.map(Box::new),
        },
        UiRequest::AddGuardianSignature { signature } => {
            recovering(recovery::add_signature(&signature).await?)
        }
        UiRequest::SubmitApprovals => recovering(recovery::submit_approvals().await?),
        UiRequest::FinalizeRecovery => recovery::finalize().await?,
        UiRequest::AbandonRecovery => {
            recovery::abandon().await?;
            done()
        }
        _ => unreachable_family(),
    })
}
