//! EIP-747 `wallet_watchAsset`: an ERC-20 a site suggests. The wallet reads the token's own
//! symbol and decimals from the chain (refusing an address that is not an ERC-20), shows them —
//! with what the site called it, when that differs — and lists the token on the home page once
//! the user approves; the site gets `true`. A token already listed answers `true` at once.

use serde_json::Value;

use sso_wallet::approval::{ApprovalKind, AssetToWatch};
use sso_wallet::eip1193;
use sso_wallet::{Error, Result};

use super::Request;
use crate::{approvals, explain, state};

pub async fn handle(request: Request) -> Result<Option<Value>> {
    request.account()?;
    let asked = eip1193::watch_asset_params(request.params.clone())?;
    let network = state::network().await?;
    let listed = state::read_wallet(|w| {
        w.tokens
            .iter()
            .any(|t| t.chain_id == network.chain_id && t.address == asked.address)
    })
    .await?;
    if listed {
        return Ok(Some(Value::Bool(true)));
    }
    let info = explain::token(&network, asked.address)
        .await
        .ok_or_else(|| {
            Error::invalid_params(format!(
                "wallet_watchAsset: {} is not an ERC-20 token on {}: it did not answer symbol() and decimals()",
                asked.address, network.name
            ))
        })?;
    let asset = AssetToWatch {
        chain_id: network.chain_id,
        address: asked.address,
        claimed_symbol: asked.claimed_symbol.filter(|s| *s != info.symbol),
        symbol: info.symbol,
        decimals: info.decimals,
    };
    approvals::enqueue(
        &request.origin,
        request.reply_to,
        ApprovalKind::WatchAsset(Box::new(asset)),
    )
    .await?;
    Ok(None)
}
