//! The background's state. Memory is lost whenever Chrome stops the worker, so anything that
//! must survive lives in `chrome.storage`; memory holds caches and live ports only.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use sso_wallet::approval::{APPROVALS_KEY, ApprovalQueue};
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
    /// Page requests taken out of the queue and being carried out, by `(page, request id)`: a
    /// page that reconnects meanwhile (the worker restarted just before the user approved) still
    /// waits for them ([`crate::outbox::resume`]).
    pub carrying: HashSet<(String, u64)>,
    /// The open approval window.
    pub approval_window: Option<i32>,
    /// An approval window is being opened (requests arriving meanwhile are shown in it).
    pub approval_window_opening: bool,
    /// The activity window `wallet_showCallsStatus` opened last (one at a time).
    pub activity_window: Option<i32>,
    /// Cache of the stored wallet state (the storage copy is the truth across restarts).
    wallet: Option<WalletState>,
    /// The network list shipped with the extension.
    networks: Option<Networks>,
    /// The selected network, resolved (cleared whenever the wallet state changes).
    selected: Option<Network>,
    /// The chain id the chain hint ([`CHAIN_HINT_KEY`]) may hold, as far as this worker knows
    /// (set before writing it, cleared after removing it).
    chain_hint: Option<u64>,
}

/// The `chrome.storage.session` key of the chain hint: the selected network's chain id (`0x…`),
/// from which `background.js` answers a page's `eth_chainId` / `net_version` while the wasm
/// starts (it says when it may). It is written whenever the selection is resolved to another
/// chain than the hint's, and removed *before* any wallet change that may select another
/// network is persisted, so a stored hint never names a chain the stored wallet does not select.
pub const CHAIN_HINT_KEY: &str = "chainHint";

/// The chain hint the bootstrap read at this start (so an unchanged one is not written again).
pub fn chain_hint_known(hint: Option<String>) {
    let known = hint.and_then(|h| u64::from_str_radix(h.strip_prefix("0x")?, 16).ok());
    with(|s| s.chain_hint = known);
}

/// What the network choice depends on in the cached wallet state. (Not inlined here, nor
/// [`hint_stale`]: [`update_wallet`] has a copy per caller.)
#[inline(never)]
fn selection_inputs() -> (Option<u64>, Vec<u64>) {
    with_cached_wallet(|w| (w.chain_id, w.networks.iter().map(|n| n.chain_id).collect()))
        .unwrap_or_default()
}

/// Whether a change from `before` may have selected another network while the chain hint may
/// name the old one; then the hint is forgotten here (and removed before the change is stored).
#[inline(never)]
fn hint_stale(before: (Option<u64>, Vec<u64>)) -> bool {
    let stale = with(|s| s.chain_hint.is_some()) && selection_inputs() != before;
    if stale {
        with(|s| s.chain_hint = None);
    }
    stale
}

thread_local! {
    static STATE: RefCell<Background> = RefCell::new(Background::default());
}

/// Runs `f` with the state borrowed (never across an await).
pub fn with<R>(f: impl FnOnce(&mut Background) -> R) -> R {
    STATE.with(|s| f(&mut s.borrow_mut()))
}

/// Loads the wallet state from storage into the cache, once.
async fn ensure_loaded() -> Result<()> {
    if with(|s| s.wallet.is_some()) {
        return Ok(());
    }
    let loaded = WalletState::load(chrome::storage_get(WALLET_KEY).await?)?;
    // Another task may have loaded (and changed) it meanwhile: the cache wins.
    with(|s| {
        s.wallet.get_or_insert(loaded);
    });
    Ok(())
}

/// Reads from the cached wallet state without copying it (the hot path of every request).
pub async fn read_wallet<R>(read: impl FnOnce(&WalletState) -> R) -> Result<R> {
    ensure_loaded().await?;
    Ok(with(|s| read(s.wallet.as_ref().expect("loaded above"))))
}

/// Reads the cached wallet state without awaiting (`None` before it was first loaded): for a
/// check that must not be separated from what follows it by another task.
pub fn with_cached_wallet<R>(read: impl FnOnce(&WalletState) -> R) -> Option<R> {
    with(|s| s.wallet.as_ref().map(read))
}

/// A copy of the wallet state, loaded from storage on first use.
pub async fn wallet() -> Result<WalletState> {
    read_wallet(WalletState::clone).await
}

/// Applies `change` to the wallet state and persists the result.
pub async fn update_wallet<R>(change: impl FnOnce(&mut WalletState) -> Result<R>) -> Result<R> {
    ensure_loaded().await?;
    let before = selection_inputs();
    let (result, snapshot) = with(|s| {
        s.selected = None; // the selected network may change
        let w = s.wallet.as_mut().expect("loaded above");
        let result = change(w)?;
        Ok::<_, Error>((result, w.clone()))
    })?;
    persist_wallet(snapshot, hint_stale(before)).await?;
    Ok(result)
}

/// Every network: the shipped list plus the ones the user added.
pub async fn networks() -> Result<Networks> {
    let shipped = shipped_networks().await?;
    let added = read_wallet(|w| w.networks.clone()).await?;
    Ok(shipped.with_added(&added))
}

/// The networks the wallet ships (`networks.json`, read once per worker), without the user's.
pub async fn shipped_networks() -> Result<Networks> {
    match with(|s| s.networks.clone()) {
        Some(n) => Ok(n),
        None => {
            let n = Networks::from_json(&chrome::fetch_resource("networks.json").await?)?;
            Ok(with(|s| s.networks.get_or_insert(n).clone()))
        }
    }
}

/// The selected network (cached until the wallet state changes).
pub async fn network() -> Result<Network> {
    if let Some(selected) = with(|s| s.selected.clone()) {
        return Ok(selected);
    }
    let networks = networks().await?;
    let chain_id = read_wallet(|w| w.chain_id)
        .await?
        .unwrap_or(networks.default_chain_id);
    // A selection that names no known network (one removed elsewhere) falls back to the default.
    let selected = match networks.get(chain_id) {
        Ok(network) => network.clone(),
        Err(_) => networks.get(networks.default_chain_id)?.clone(),
    };
    with(|s| s.selected = Some(selected.clone()));
    Ok(selected)
}

/// Writes the chain hint when the selection differs from what it may hold (at start, and after
/// a change that removed it). Boxed, so its code exists once rather than inside every caller.
pub fn sync_chain_hint() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> {
    Box::pin(async {
        let Ok(selected) = network().await else {
            return;
        };
        let hex = with(|s| {
            // Noted before the write starts, so a change meanwhile removes it after this write.
            (s.chain_hint != Some(selected.chain_id)).then(|| {
                s.chain_hint = Some(selected.chain_id);
                selected.chain_id_hex()
            })
        });
        if let Some(hex) = hex
            && let Err(e) = chrome::memory_set(CHAIN_HINT_KEY, &hex).await
        {
            // Without a hint the wasm answers every request; nothing is wrong, only slower.
            web_sys::console::warn_1(&format!("SSO Wallet: chain hint not written: {e}").into());
        }
    })
}

/// Stores a changed wallet state. When the change may select another network, the chain hint
/// is removed first (a worker stopping between the two writes finds no hint) and written again
/// after. Boxed and not generic: [`update_wallet`] has a copy per caller, this has one.
fn persist_wallet(
    snapshot: WalletState,
    hint_stale: bool,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>>>> {
    Box::pin(async move {
        if hint_stale {
            chrome::memory_remove(CHAIN_HINT_KEY).await?;
        }
        chrome::storage_set(WALLET_KEY, &snapshot).await?;
        if hint_stale {
            wasm_bindgen_futures::spawn_local(sync_chain_hint());
        }
        Ok(())
    })
}

/// The account and the selected network (`NoAccount` before onboarding).
pub async fn account_and_network() -> Result<(sso_wallet::account::Account, Network)> {
    let account = read_wallet(|w| w.account.clone())
        .await?
        .ok_or(Error::NoAccount)?;
    Ok((account, network().await?))
}

/// The network of `chain_id` (a request prepared there is carried out there, whatever is
/// selected when it is approved).
pub async fn network_for(chain_id: u64) -> Result<Network> {
    networks().await?.get(chain_id).cloned()
}

/// Every connected page port.
pub fn all_page_ports() -> Vec<Port> {
    with(|s| {
        s.ports
            .values()
            .filter(|c| matches!(&c.peer, Peer::Page { .. }))
            .map(|c| c.port.clone())
            .collect()
    })
}

/// Ports of pages at `origin`.
pub fn page_ports(origin: &str) -> Vec<Port> {
    with(|s| {
        s.ports
            .values()
            .filter(|c| matches!(&c.peer, Peer::Page { origin: o, .. } if o == origin))
            .map(|c| c.port.clone())
            .collect()
    })
}

/// The current port of page `page` (ports change when the worker restarts; a page has one at a
/// time, see `on_port_connect`).
pub fn page_port(page: &str) -> Option<Port> {
    with(|s| {
        s.ports
            .iter()
            .filter(|(_, c)| matches!(&c.peer, Peer::Page { page: p, .. } if p == page))
            .max_by_key(|(id, _)| **id)
            .map(|(_, c)| c.port.clone())
    })
}

/// What survives a worker restart of the approval lifecycle.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct PersistedApprovals {
    queue: ApprovalQueue,
    window: Option<i32>,
}

/// Writes the pending approvals and the approval window to `chrome.storage.session`. Called
/// after every change; awaited before an approval is carried out, so a restart can never bring
/// back one that already ran.
pub async fn save_approvals() -> Result<()> {
    let snapshot = with(|s| PersistedApprovals {
        queue: s.approvals.clone(),
        window: s.approval_window,
    });
    chrome::memory_set(APPROVALS_KEY, &snapshot).await
}

/// Restores the pending approvals after a worker restart (before any event is handled).
pub async fn restore_approvals() -> Result<()> {
    let Some(value) = chrome::memory_get(APPROVALS_KEY).await? else {
        return Ok(());
    };
    let restored: PersistedApprovals =
        serde_json::from_value(value).map_err(|e| Error::Storage(e.to_string()))?;
    with(|s| {
        if s.approvals.is_empty() && s.approval_window.is_none() {
            s.approvals = restored.queue;
            s.approval_window = restored.window;
        }
    });
    Ok(())
}
