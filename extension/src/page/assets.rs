//! EIP-747 `wallet_watchAsset`: a token a site suggests — an ERC-20, or an ERC-721 / ERC-1155
//! NFT the account holds, as MetaMask takes them. The wallet reads what the token says of itself
//! from the chain (an ERC-20's symbol and decimals, refusing an address that is not one; an NFT
//! collection's symbol if it has one) and checks that the account holds an NFT it is asked to
//! list; it shows that — with what the site called it, when that differs — and lists the token on
//! the home page once the user approves; the site gets `true`. A token already listed answers
//! `true` at once.

use alloy_primitives::Address;
use serde_json::Value;

use sso_wallet::abi::{IERC721, IERC1155};
use sso_wallet::approval::{ApprovalKind, AssetToWatch};
use sso_wallet::eip1193;
use sso_wallet::network::Network;
use sso_wallet::nft::{Nft, NftStandard};
use sso_wallet::{Error, Result, untrusted};

use super::Request;
use crate::{approvals, explain, rpc, state};

pub async fn handle(request: Request) -> Result<Option<Value>> {
    let account = request.account()?.address;
    let asked = eip1193::watch_asset_params(request.params.clone())?;
    let network = state::network().await?;
    let token_id = asked.nft.map(|n| n.token_id);
    let listed = state::read_wallet(|w| {
        w.tokens
            .iter()
            .any(|t| t.is(network.chain_id, asked.address, token_id))
    })
    .await?;
    if listed {
        return Ok(Some(Value::Bool(true)));
    }
    let (symbol, decimals) = match asked.nft {
        None => {
            let info = explain::token(&network, asked.address)
                .await
                .ok_or_else(|| {
                    Error::invalid_params(format!(
                        "wallet_watchAsset: {} is not an ERC-20 token on {}: it did not answer symbol() and decimals()",
                        asked.address, network.name
                    ))
                })?;
            (info.symbol, info.decimals)
        }
        Some(nft) => (held_nft(&network, account, asked.address, nft).await?, 0),
    };
    let asset = AssetToWatch {
        chain_id: network.chain_id,
        address: asked.address,
        // An NFT collection without a symbol: the site's name for it has nothing to differ from.
        claimed_symbol: asked
            .claimed_symbol
            .filter(|s| *s != symbol && !symbol.is_empty()),
        symbol,
        decimals,
        nft: asked.nft,
    };
    approvals::enqueue(
        &request.origin,
        request.reply_to,
        ApprovalKind::WatchAsset(Box::new(asset)),
    )
    .await?;
    Ok(None)
}

/// Checks that `account` holds the NFT (an ERC-721 it owns, an ERC-1155 id it has a balance of),
/// as MetaMask does before listing one; returns the collection's symbol (empty when it has none
/// a person can read).
async fn held_nft(
    network: &Network,
    account: Address,
    contract: Address,
    nft: Nft,
) -> Result<String> {
    let url = &network.rpc_url;
    let id = nft.token_id;
    let refuse = |why: String| Error::invalid_params(format!("wallet_watchAsset: {why}"));
    match nft.standard {
        NftStandard::Erc721 => {
            let owner = rpc::call_contract(url, contract, &IERC721::ownerOfCall { tokenId: id }, "latest")
                .await
                .map_err(|_| refuse(format!("{contract} did not answer ownerOf({id}) on {}: not an ERC-721 token, or no such id", network.name)))?;
            if owner != account {
                return Err(refuse(format!(
                    "the account does not own ERC-721 #{id} of {contract}"
                )));
            }
        }
        NftStandard::Erc1155 => {
            let call = IERC1155::balanceOfCall { account, id };
            let balance = rpc::call_contract(url, contract, &call, "latest")
                .await
                .map_err(|_| refuse(format!("{contract} did not answer balanceOf(account, {id}) on {}: not an ERC-1155 token", network.name)))?;
            if balance.is_zero() {
                return Err(refuse(format!(
                    "the account holds none of ERC-1155 #{id} of {contract}"
                )));
            }
        }
    }
    let symbol = rpc::call_contract(url, contract, &IERC721::symbolCall {}, "latest").await;
    Ok(symbol
        .ok()
        .and_then(|s| untrusted::token_symbol(&s))
        .unwrap_or_default())
}
