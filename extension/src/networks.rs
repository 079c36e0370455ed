//! Networks the dapp adds (EIP-3085) and switches to (EIP-3326), and the ones the user adds,
//! edits and removes in the settings. A chain is added only when it can run the account: its
//! node serves the requested chain id, an ERC-4337 bundler serves the EntryPoint, and SSO
//! Wallet's contracts are deployed at their deterministic addresses there. A site's request is
//! shown to the user first and probed only once approved (a page cannot make the wallet scan
//! URLs), and what the probes find reaches the site only as a yes/no per check, never as the
//! endpoints' own words. Shipped networks can be edited (their bundler, with an API key) and
//! reset, not removed; user-added ones can be edited and removed.

use alloy_primitives::Address;
use serde_json::{Value, json};

use sso_wallet::abi::IEntryPoint;
use sso_wallet::approval::{ApprovalKind, ReplyTo};
use sso_wallet::eip1193::AddChain;
use sso_wallet::network::{API_KEY, Network};
use sso_wallet::protocol::{NetworkInput, PageMessage, ProviderEvent};
use sso_wallet::{Error, Result};

use crate::{approvals, chain, rpc, state};

/// ERC-7562's least unstake delay of a staked entity (one day).
const MIN_UNSTAKE_DELAY: u32 = 86_400;

/// `wallet_addEthereumChain`: asks the user first; the chain is checked once approved
/// ([`added`]). A chain already known answers `null` at once.
pub async fn add(origin: &str, reply_to: ReplyTo, request: AddChain) -> Result<bool> {
    let networks = state::networks().await?;
    if networks.get(request.chain_id).is_ok() {
        return Ok(false);
    }
    approvals::enqueue(origin, reply_to, ApprovalKind::AddChain(Box::new(request))).await?;
    Ok(true)
}

/// Who reads a failed check: a site learns only which check failed; the user, in the
/// settings, also what the endpoints answered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Audience {
    Site,
    User,
}

/// The network if the chain can run the account, else a readable refusal (−32602).
async fn check(
    request: &AddChain,
    contracts: &sso_wallet::network::Contracts,
    audience: Audience,
) -> Result<Network> {
    let refuse = |why: String| {
        Error::invalid_params(format!(
            "SSO Wallet cannot use chain {} ({}): {why}",
            request.chain_id, request.name
        ))
    };
    let mut rpc_url = None;
    let mut problems = Vec::new();
    for url in &request.rpc_urls {
        match rpc::call_typed::<alloy_primitives::U64>(url, "eth_chainId", json!([])).await {
            Ok(id) if id.to::<u64>() == request.chain_id => {
                rpc_url = Some(url.clone());
                break;
            }
            Ok(id) => problems.push(format!("{url} serves chain {id}")),
            Err(e) => problems.push(format!("{url}: {e}")),
        }
    }
    let rpc_url = rpc_url.ok_or_else(|| match audience {
        Audience::User => refuse(format!("no RPC URL serves it ({})", problems.join("; "))),
        Audience::Site => refuse(format!(
            "none of its RPC URLs answered as chain {}",
            request.chain_id
        )),
    })?;
    // From here a failing endpoint is told to a site only as "it did not answer the checks".
    let unanswered = |e: Error| match audience {
        Audience::User => e,
        Audience::Site => refuse("its node did not answer the wallet's checks".into()),
    };
    let missing: Vec<String> = chain::missing_contracts(&rpc_url, contracts)
        .await
        .map_err(unanswered)?
        .into_iter()
        .map(|(what, address)| format!("{what} at {address}"))
        .collect();
    if !missing.is_empty() {
        return Err(refuse(format!(
            "the account's contracts are not deployed there (missing: {})",
            missing.join(", ")
        )));
    }
    // A bundler: one of `bundlerUrls`, else the RPC itself if it also serves ERC-4337.
    let mut candidates = request.bundler_urls.clone();
    candidates.push(rpc_url.clone());
    let mut bundler_url = None;
    for url in candidates {
        let entry_points: Result<Vec<Address>> =
            rpc::call_typed(&url, "eth_supportedEntryPoints", json!([])).await;
        if entry_points.is_ok_and(|eps| eps.contains(&contracts.entry_point)) {
            bundler_url = Some(url);
            break;
        }
    }
    let bundler_url = bundler_url.ok_or_else(|| {
        refuse(format!(
            "no ERC-4337 bundler for EntryPoint {} answered; pass its URL in `bundlerUrls`",
            contracts.entry_point
        ))
    })?;
    // The account's first operation deploys it through the factory, touching the account's
    // storage in the passkey validator: ERC-7562 bundlers take that only from a staked factory.
    let deposit = IEntryPoint::getDepositInfoCall {
        account: contracts.account_factory,
    };
    let info = rpc::call_contract(&rpc_url, contracts.entry_point, &deposit, "latest")
        .await
        .map_err(unanswered)?;
    if !info.staked || info.unstakeDelaySec < MIN_UNSTAKE_DELAY {
        return Err(refuse(format!(
            "its account factory {} is not staked in the EntryPoint (bundlers would refuse every account's first transaction)",
            contracts.account_factory
        )));
    }
    // Where the wallet's log queries start there: the block its first contract appeared in (0
    // when the node keeps no history to tell).
    let from_block = chain::deployment_block(
        &rpc_url,
        &[
            contracts.account_factory,
            contracts.webauthn_validator,
            contracts.session_key_validator,
        ],
    )
    .await
    .unwrap_or(0);
    Ok(Network {
        chain_id: request.chain_id,
        name: request.name.clone(),
        rpc_url,
        bundler_url,
        explorer_url: request.explorer_url.clone(),
        contracts: contracts.clone(),
        from_block,
        log_range: None,
        bundler_api_key: None,
        sponsor_url: None,
    })
}

/// The user approved adding the network a site asked for: it is checked now, and stored only
/// if it can run the account.
pub async fn added(request: &AddChain) -> Result<Value> {
    let current = state::network().await?;
    let network = check(request, &current.contracts, Audience::Site).await?;
    state::update_wallet(|w| {
        if !w.networks.iter().any(|n| n.chain_id == network.chain_id) {
            w.networks.push(network);
        }
        Ok(())
    })
    .await?;
    Ok(Value::Null)
}

/// `wallet_switchEthereumChain`: selects a known chain and tells every page (`chainChanged`).
pub async fn switch(chain_id: u64) -> Result<Value> {
    let networks = state::networks().await?;
    let network = networks
        .get(chain_id)
        .map_err(|_| Error::UnknownChain(format!("{chain_id:#x}")))?
        .clone();
    if state::network().await?.chain_id == chain_id {
        return Ok(Value::Null);
    }
    state::update_wallet(|w| {
        w.chain_id = Some(chain_id);
        Ok(())
    })
    .await?;
    let event = PageMessage::Event(ProviderEvent::ChainChanged(network.chain_id_hex()));
    for port in state::all_page_ports() {
        port.send(&event);
    }
    Ok(Value::Null)
}

/// The most characters of a bundler API key.
const MAX_API_KEY: usize = 200;

/// The API key typed in the settings, checked against the bundler URL's `{apiKey}`
/// placeholder: `None` when the URL has none.
fn api_key(bundler_url: &str, key: &str) -> Result<Option<String>> {
    let key = key.trim();
    let placeholder = bundler_url.contains(API_KEY);
    if key.is_empty() {
        return if placeholder {
            Err(Error::invalid_params(format!(
                "the bundler URL has an {API_KEY} placeholder: enter the bundler's API key"
            )))
        } else {
            Ok(None)
        };
    }
    if !placeholder {
        return Err(Error::invalid_params(format!(
            "put {API_KEY} in the bundler URL where the API key goes"
        )));
    }
    let url_safe = |c: char| c.is_ascii_alphanumeric() || "-_.~".contains(c);
    if key.len() > MAX_API_KEY || !key.chars().all(url_safe) {
        return Err(Error::invalid_params(format!(
            "the API key must be at most {MAX_API_KEY} letters, digits, '-', '_', '.' or '~'"
        )));
    }
    Ok(Some(key.to_owned()))
}

/// Adds a network typed in the settings, or replaces the network `replaces` with it (a
/// user-added one, or a shipped one: the user's edit then takes its place until reset), after
/// the same checks as `wallet_addEthereumChain`.
pub async fn save(input: NetworkInput, replaces: Option<u64>) -> Result<()> {
    let networks = state::networks().await?;
    let shipped = state::shipped_networks().await?;
    if let Some(old) = replaces {
        if networks.get(old).is_err() {
            return Err(Error::NotAllowed(format!(
                "The wallet has no network with chain id {old} to edit."
            )));
        }
        if shipped.ships(old) && input.chain_id != old {
            return Err(Error::NotAllowed(format!(
                "Chain {old} is one of the wallet's own networks: its chain id cannot change."
            )));
        }
    }
    if replaces != Some(input.chain_id) && networks.get(input.chain_id).is_ok() {
        return Err(Error::NotAllowed(format!(
            "The wallet already has a network with chain id {}.",
            input.chain_id
        )));
    }
    let name = input.name.trim();
    if name.is_empty() || name.len() > 64 {
        return Err(Error::invalid_params("the name must be 1 to 64 characters"));
    }
    for (what, url) in [
        ("RPC", &input.rpc_url),
        ("bundler", &input.bundler_url),
        ("explorer", &input.explorer_url),
    ] {
        let url = url.trim();
        let web = url.starts_with("https://") || url.starts_with("http://");
        if !url.is_empty() && !web {
            return Err(Error::invalid_params(format!(
                "the {what} URL must start with https:// or http://"
            )));
        }
    }
    let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let sponsor_url = optional(&input.sponsor_url)
        .map(|url| {
            sso_wallet::erc7677::service_url(&url)
                .map_err(|why| Error::invalid_params(format!("the paymaster service: {why}")))
        })
        .transpose()?;
    let bundler_url = input.bundler_url.trim().to_owned();
    let key = api_key(&bundler_url, &input.bundler_api_key)?;
    // The bundler is probed at its real endpoint (with the key); the network keeps the URL
    // with its placeholder, and the key beside it.
    let endpoint = match &key {
        Some(key) => bundler_url.replace(API_KEY, key),
        None => bundler_url.clone(),
    };
    let request = AddChain {
        chain_id: input.chain_id,
        name: name.to_owned(),
        rpc_urls: optional(&input.rpc_url).into_iter().collect(),
        bundler_urls: optional(&endpoint).into_iter().collect(),
        explorer_url: optional(&input.explorer_url),
    };
    if request.rpc_urls.is_empty() {
        return Err(Error::invalid_params("the RPC URL is required"));
    }
    let contracts = match shipped.get(input.chain_id) {
        Ok(network) => network.contracts.clone(),
        Err(_) => state::network().await?.contracts,
    };
    let mut network = check(&request, &contracts, Audience::User).await?;
    if key.is_some() && network.bundler_url == endpoint {
        network.bundler_url = bundler_url;
        network.bundler_api_key = key;
    }
    network.sponsor_url = sponsor_url;
    let chain_id = network.chain_id;
    state::update_wallet(|w| {
        w.networks
            .retain(|n| Some(n.chain_id) != replaces && n.chain_id != chain_id);
        w.networks.push(network);
        Ok(())
    })
    .await?;
    // The selected network was edited into another chain id: follow it, and tell the pages.
    if let Some(old) = replaces
        && old != chain_id
        && state::read_wallet(|w| w.chain_id == Some(old)).await?
    {
        switch(chain_id).await?;
    }
    Ok(())
}

/// Removes a user-added network (when it was selected, the default network is selected), or
/// resets a shipped network the user edited to the shipped one.
pub async fn remove(chain_id: u64) -> Result<()> {
    if !state::read_wallet(|w| w.networks.iter().any(|n| n.chain_id == chain_id)).await? {
        return Err(Error::NotAllowed(format!(
            "Chain {chain_id} is not a network you added or edited; the wallet's own networks cannot be removed."
        )));
    }
    if state::shipped_networks().await?.ships(chain_id) {
        return state::update_wallet(|w| {
            w.networks.retain(|n| n.chain_id != chain_id);
            Ok(())
        })
        .await;
    }
    let default = state::networks().await?.default_chain_id;
    let was_selected = state::network().await?.chain_id == chain_id;
    if was_selected {
        switch(default).await?;
    }
    state::update_wallet(|w| {
        w.networks.retain(|n| n.chain_id != chain_id);
        Ok(())
    })
    .await
}
