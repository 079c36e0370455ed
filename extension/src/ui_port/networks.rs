//! The settings' networks: selecting one, adding or editing one the user typed (checked like a
//! site's `wallet_addEthereumChain`), removing a user-added one.

use sso_wallet::Result;
use sso_wallet::protocol::{UiRequest, UiResponse};

use super::approvals::unreachable_family;
use super::done;
use crate::networks;

pub async fn handle(request: UiRequest) -> Result<UiResponse> {
    match request {
        UiRequest::SelectNetwork { chain_id } => networks::switch(chain_id).await.map(|_| ()),
        UiRequest::SaveNetwork { network, replaces } => networks::save(network, replaces).await,
        UiRequest::RemoveNetwork { chain_id } => networks::remove(chain_id).await,
        _ => return Ok(unreachable_family()),
    }?;
    Ok(done())
}
