//! The account's modules: listing them, and installing or uninstalling one (a passkey approval).

use sso_wallet::Result;
use sso_wallet::protocol::{UiRequest, UiResponse};

use super::approvals::unreachable_family;
use super::done;
use crate::modules;

pub async fn handle(request: UiRequest) -> Result<UiResponse> {
    Ok(match request {
        UiRequest::ListModules => UiResponse::Modules {
            modules: modules::list().await?,
        },
        UiRequest::ChangeModule { change } => {
            modules::propose_from_home(change).await?;
            done()
        }
        _ => unreachable_family(),
    })
}
