//! The background's state. Memory is lost whenever Chrome stops the worker, so anything that
//! must survive lives in `chrome.storage`; memory holds caches and live ports only.

use std::cell::RefCell;
use std::collections::HashMap;

use sso_wallet::approval::ApprovalQueue;
use sso_wallet::network::{Network, Networks};
use sso_wallet::storage::{WALLET_KEY, WalletState};
use sso_wallet::{Error, Result};

use crate::chrome::{self, Peer, Port};

/// A connected port.
pub struct Connection {
    /// The port.
    pub port: Port,
    /// Who is behind it.
    pub peer: Peer,
}

/// In-memory state of the worker.
#[derive(Default)]
pub struct Background {
    /// Live ports by id.
    pub ports: HashMap<u32, Connection>,
    /// Pending approvals.
    pub approvals: ApprovalQueue,
    /// The open approval window.
    pub approval_window: Option<i32>,
    /// Cache of the stored wallet state (the storage copy is the truth across restarts).
    wallet: Option<WalletState>,
    /// The network list shipped with the extension.
    networks: Option<Networks>,
}

thread_local! {
    static STATE: RefCell<Background> = RefCell::new(Background::default());
}

/// Runs `f` with the state borrowed (never across an await).
pub fn with<R>(f: impl FnOnce(&mut Background) -> R) -> R {
    STATE.with(|s| f(&mut s.borrow_mut()))
}

/// The wallet state, loaded from storage on first use.
pub async fn wallet() -> Result<WalletState> {
    if let Some(w) = with(|s| s.wallet.clone()) {
        return Ok(w);
    }
    let loaded = WalletState::load(chrome::storage_get(WALLET_KEY).await?)?;
    // Another task may have loaded (and changed) it meanwhile: the cache wins.
    Ok(with(|s| s.wallet.get_or_insert(loaded).clone()))
}

/// Applies `change` to the wallet state and persists the result.
pub async fn update_wallet<R>(change: impl FnOnce(&mut WalletState) -> Result<R>) -> Result<R> {
    wallet().await?;
    let (result, snapshot) = with(|s| {
        let w = s.wallet.as_mut().expect("loaded above");
        let result = change(w)?;
        Ok::<_, Error>((result, w.clone()))
    })?;
    chrome::storage_set(WALLET_KEY, &snapshot).await?;
    Ok(result)
}

/// The selected network.
pub async fn network() -> Result<Network> {
    let networks = match with(|s| s.networks.clone()) {
        Some(n) => n,
        None => {
            let n = Networks::from_json(&chrome::fetch_resource("networks.json").await?)?;
            with(|s| s.networks.get_or_insert(n).clone())
        }
    };
    let chain_id = wallet()
        .await?
        .chain_id
        .unwrap_or(networks.default_chain_id);
    networks.get(chain_id).cloned()
}

/// Ports of pages at `origin`.
pub fn page_ports(origin: &str) -> Vec<Port> {
    with(|s| {
        s.ports
            .values()
            .filter(|c| matches!(&c.peer, Peer::Page { origin: o } if o == origin))
            .map(|c| c.port.clone())
            .collect()
    })
}

/// The EIP-5792 batches sent so far (persisted, so status survives worker restarts).
pub async fn calls_records() -> Result<Vec<sso_wallet::erc5792::CallsRecord>> {
    match chrome::storage_get(sso_wallet::erc5792::CALLS_KEY).await? {
        Some(value) => serde_json::from_value(value).map_err(|e| Error::Storage(e.to_string())),
        None => Ok(Vec::new()),
    }
}
