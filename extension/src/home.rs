//! The home view's data (the toolbar popup): the account on the selected network with its
//! native and token balances (at a glance and exactly), whether it is deployed, the connected
//! sites and the settings; and the home view's own changes (tokens, disconnecting a site).
//! The home page's Send is [`send`](crate::send).

use alloy_primitives::{Address, U256};

use sso_wallet::abi::{IERC20Metadata, IERC721, IERC1155};
use sso_wallet::network::Network;
use sso_wallet::nft::{Nft, NftStandard};
use sso_wallet::protocol::{
    HomeView, NetworkSource, NetworkView, PageMessage, ProviderEvent, SiteView, TokenView,
};
use sso_wallet::storage::Token;
use sso_wallet::units::Readable;
use sso_wallet::{Error, Result};

use crate::{chain, rpc, state};

/// Everything the home view shows besides sessions, activity and passkeys.
pub async fn view() -> Result<HomeView> {
    let wallet = state::wallet().await?;
    let network = state::network().await?;
    let networks = state::networks().await?;
    let shipped = state::shipped_networks().await?;
    let locked = crate::lock::is_locked().await?;
    let mut home = HomeView {
        account: wallet.account.as_ref().map(|a| a.address),
        locked,
        chain_id: network.chain_id,
        networks: networks
            .networks
            .iter()
            .map(|n| NetworkView {
                network: n.clone(),
                source: match (
                    shipped.ships(n.chain_id),
                    wallet.networks.iter().any(|a| a.chain_id == n.chain_id),
                ) {
                    (true, false) => NetworkSource::Shipped,
                    (true, true) => NetworkSource::EditedShipped,
                    (false, _) => NetworkSource::Added,
                },
            })
            .collect(),
        presets: shipped.presets.clone(),
        unusable: match chain::require_deployed(&network).await {
            Err(e @ Error::NotDeployed { .. }) => Some(e.user_message()),
            _ => None,
        },
        balance: None,
        deployed: None,
        tokens: Vec::new(),
        sites: Vec::new(),
        lock: wallet.lock,
        recovery_alerts: Vec::new(),
        recovery_unknown: Vec::new(),
    };
    let Some(account) = home.account.filter(|_| !locked) else {
        return Ok(home);
    };
    let tokens: Vec<&Token> = wallet
        .tokens
        .iter()
        .filter(|t| t.chain_id == network.chain_id)
        .collect();
    let (balance, deployed, token_balances, alerts) = futures::join!(
        chain::balance(&network, account),
        chain::is_deployed(&network, account),
        futures::future::join_all(tokens.iter().map(|t| token_balance(&network, account, t))),
        // A recovery on any network the account may be on is the owner's business here: the
        // selected network's is awaited like its balance; another network's node gets
        // OTHER_NETWORK_MS, so one that is slow or unreachable cannot hold the page up (it is
        // named as not read instead).
        futures::future::join_all(networks.networks.iter().map(|n| async move {
            let alert = crate::guardian_recovery::alert(n, account);
            if n.chain_id == network.chain_id {
                return alert.await.map_err(|e| e.to_string());
            }
            let deadline = crate::chrome::sleep(OTHER_NETWORK_MS);
            match futures::future::select(Box::pin(alert), Box::pin(deadline)).await {
                futures::future::Either::Left((alert, _)) => alert.map_err(|e| e.to_string()),
                futures::future::Either::Right(_) => {
                    Err(format!("no answer within {OTHER_NETWORK_MS} ms"))
                }
            }
        })),
    );
    for (n, alert) in networks.networks.iter().zip(alerts) {
        match alert {
            Ok(Some(alert)) => home.recovery_alerts.push(alert),
            Ok(None) => {}
            Err(why) => {
                web_sys::console::error_1(
                    &format!("SSO Wallet: recovery state on {} not read: {why}", n.name).into(),
                );
                home.recovery_unknown.push(n.name.clone());
            }
        }
    }
    home.balance = balance.ok().map(Readable::ether);
    home.deployed = deployed.ok();
    home.tokens = tokens
        .iter()
        .zip(token_balances)
        .map(|(t, balance)| TokenView {
            address: t.address,
            symbol: t.symbol.clone(),
            balance,
            token_id: t.nft.map(|n| n.token_id),
        })
        .collect();
    home.sites = wallet
        .grants
        .iter()
        .map(|(origin, grant)| SiteView {
            origin: origin.clone(),
            granted_at: grant.granted_at,
        })
        .collect();
    Ok(home)
}

/// How long the home page waits for another network's recovery state (ms).
const OTHER_NETWORK_MS: i32 = 1_500;

/// Adds an ERC-20 on the selected network, reading its symbol and decimals from the chain.
pub async fn add_token(address: Address) -> Result<()> {
    let network = state::network().await?;
    let info = crate::explain::token(&network, address)
        .await
        .ok_or_else(|| {
            Error::NotAllowed(format!(
                "{address} is not an ERC-20 token on {}: it did not answer symbol() and decimals().",
                network.name
            ))
        })?;
    list_token(Token {
        chain_id: network.chain_id,
        address,
        symbol: info.symbol,
        decimals: info.decimals,
        nft: None,
    })
    .await
}

/// The account's balance of a listed token, in words (`None` when the node did not answer): an
/// ERC-20 in its units, an ERC-721 as held or not any more, an ERC-1155 as a count of the id.
async fn token_balance(network: &Network, account: Address, token: &Token) -> Option<Readable> {
    let url = &network.rpc_url;
    let name = if token.symbol.is_empty() {
        sso_wallet::activity::short(token.address)
    } else {
        token.symbol.clone()
    };
    match token.nft {
        None => {
            let call = IERC20Metadata::balanceOfCall { owner: account };
            let balance = rpc::call_contract(url, token.address, &call, "latest")
                .await
                .ok()?;
            Some(Readable::new(balance, token.decimals, &token.symbol))
        }
        Some(Nft {
            standard: NftStandard::Erc721,
            token_id,
        }) => {
            let call = IERC721::ownerOfCall { tokenId: token_id };
            let owner: Address = rpc::call_contract(url, token.address, &call, "latest")
                .await
                .ok()?;
            Some(Readable::plain(if owner == account {
                format!("NFT #{token_id} of {name}")
            } else {
                format!("NFT #{token_id} of {name} (no longer yours)")
            }))
        }
        Some(Nft {
            standard: NftStandard::Erc1155,
            token_id,
        }) => {
            let call = IERC1155::balanceOfCall {
                account,
                id: token_id,
            };
            let balance = rpc::call_contract(url, token.address, &call, "latest")
                .await
                .ok()?;
            Some(Readable::plain(format!(
                "{balance} × #{token_id} of {name}"
            )))
        }
    }
}

/// Adds a token to the home view, unless it is listed already.
async fn list_token(token: Token) -> Result<()> {
    state::update_wallet(|w| {
        let token_id = token.nft.map(|n| n.token_id);
        let known = |t: &Token| t.is(token.chain_id, token.address, token_id);
        if !w.tokens.iter().any(known) {
            w.tokens.push(token.clone());
        }
        Ok(())
    })
    .await
}

/// Lists a token a site suggested and the user approved (`wallet_watchAsset`), on the chain it
/// was suggested on, as the chain described it.
pub async fn watch_asset(asset: &sso_wallet::approval::AssetToWatch) -> Result<()> {
    list_token(Token {
        chain_id: asset.chain_id,
        address: asset.address,
        symbol: asset.symbol.clone(),
        decimals: asset.decimals,
        nft: asset.nft,
    })
    .await
}

/// Removes a token (or one NFT) from the home view.
pub async fn remove_token(chain_id: u64, address: Address, token_id: Option<U256>) -> Result<()> {
    state::update_wallet(|w| {
        w.tokens.retain(|t| !t.is(chain_id, address, token_id));
        Ok(())
    })
    .await
}

/// Disconnects a site (from the home page, or its own `wallet_revokePermissions`): it no
/// longer sees the account (its pages get `accountsChanged([])`), and its sessions end here
/// (keys erased; the sessions view offers revoking them on chain).
pub async fn disconnect(origin: &str) -> Result<()> {
    let removed = state::update_wallet(|w| Ok(w.grants.remove(origin).is_some())).await?;
    crate::session::end_for_origin(origin).await?;
    crate::approvals::drop_origin(origin).await?;
    if removed {
        let event = PageMessage::Event(ProviderEvent::AccountsChanged(vec![]));
        for port in state::page_ports(origin) {
            port.send(&event);
        }
    }
    Ok(())
}
