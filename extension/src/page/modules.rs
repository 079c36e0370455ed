//! `wallet_installModule`: a module a site offers (the ERC-7579 `installModule` arguments,
//! `[{ moduleTypeId, module, initData, chainId? }]`), shown in the same passkey approval as an
//! install from the home page; the site gets the bundle transaction hash once it is included.
//! There is no uninstall method for sites: removing a module is the user's, on the home page.

use serde_json::Value;

use sso_wallet::{Error, Result, modules};

use super::Request;
use crate::state;

pub async fn handle(request: Request) -> Result<Option<Value>> {
    request.account()?;
    let params = request.params.clone().unwrap_or(Value::Null);
    let (change, chain_id) = modules::parse_install_request(&params)?;
    let network = state::network().await?;
    if let Some(requested) = chain_id.filter(|c| *c != network.chain_id) {
        return Err(Error::UnsupportedChain {
            requested,
            current: network.chain_id,
        });
    }
    crate::modules::propose(&request.origin, request.reply_to, change).await?;
    Ok(None)
}
