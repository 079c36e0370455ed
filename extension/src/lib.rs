//! # SSO Wallet background (service worker, wasm)
//!
//! `js/background.js` registers every `chrome.*` listener synchronously (so the event that woke a
//! stopped worker is never lost) and forwards them here once the wasm is ready:
//!
//! ```text
//! content.js ──Port "provider"──▶ on_port_message ──▶ provider (EIP-1193 router)
//! approval.html ──Port "ui"────▶ on_port_message ──▶ ui ──▶ approvals (queue, window, execute)
//!                                                                │
//!                                          userop (build, estimate, submit) ──▶ rpc (fetch)
//! ```
//!
//! - [`chrome`]: typed bindings to the `chrome.*` APIs used.
//! - [`state`]: memory caches + `chrome.storage` persistence.
//! - [`provider`]: page requests; [`ui`]: UI requests; [`approvals`]: the approval lifecycle.
//! - [`userop`]: UserOperation preparation and submission; [`rpc`]: JSON-RPC over fetch.
//! - [`explain`]: chain lookups that let the approval window explain calls.
//! - [`networks`]: adding (EIP-3085 and the settings), editing, removing and switching networks.
//! - [`session`]: session creation, silent signing within the policy, revocation, listing.
//! - [`activity`]: the log of every UserOperation sent, listed with its status.
//! - [`home`]: the home view (balances, tokens, deployment, sites).
//! - [`passkeys`]: the account's passkeys: list, add, remove.
//! - [`login`]: logging in to an existing account from a new browser with the passkey.
//! - [`lock`]: the optional lock: locked or not, unlocking with the passkey, use.

use wasm_bindgen::prelude::*;

pub mod activity;
pub mod approvals;
pub mod chrome;
pub mod explain;
pub mod home;
pub mod lock;
pub mod login;
pub mod networks;
pub mod passkeys;
pub mod provider;
pub mod rpc;
pub mod session;
pub mod state;
pub mod ui;
pub mod userop;

use chrome::{Peer, Port};
use state::Connection;

/// A port connected; ports whose sender cannot be classified are ignored. A page's new port
/// replaces its older ones: the content script opens one only once its last one failed, which
/// Chrome does not always tell this end (a connect that raced the worker's start).
#[wasm_bindgen]
pub fn on_port_connect(port_id: u32, port: Port) {
    match port.peer() {
        Some(peer) => state::with(|s| {
            if let Peer::Page { page, .. } = &peer {
                s.ports
                    .retain(|_, c| !matches!(&c.peer, Peer::Page { page: p, .. } if p == page));
            }
            s.ports.insert(port_id, Connection { port, peer });
        }),
        None => {
            web_sys::console::warn_1(&"SSO Wallet: ignoring a port from an unknown sender".into())
        }
    }
}

/// A message on a known port.
#[wasm_bindgen]
pub fn on_port_message(port_id: u32, message: JsValue) {
    let Some((port, peer)) = state::with(|s| {
        s.ports
            .get(&port_id)
            .map(|c| (c.port.clone(), c.peer.clone()))
    }) else {
        return;
    };
    match peer {
        Peer::Page { origin, page } => match chrome::from_js(message.clone()) {
            Ok(message) => {
                wasm_bindgen_futures::spawn_local(provider::handle(page, origin, message))
            }
            // Not readable as JSON (nested deeper than the parser goes, say): still answered.
            Err(_) => {
                if let Some(id) = chrome::request_id(&message) {
                    let error = sso_wallet::Error::invalid_params(
                        "the request is not plain JSON, or is nested more than 128 levels deep",
                    );
                    provider::reply(
                        &page,
                        sso_wallet::protocol::PageMessage::answer(id, Err(error)),
                    );
                }
            }
        },
        Peer::Ui => wasm_bindgen_futures::spawn_local(ui::handle(port, message)),
    }
}

/// Restores what must survive a worker restart; `background.js` waits for it before handing
/// any event over.
#[wasm_bindgen]
pub async fn restore() {
    // Warm the wallet and network caches meanwhile: the event that woke the worker needs them.
    let (restored, _) = futures::join!(state::restore_approvals(), state::network());
    if let Err(e) = restored {
        web_sys::console::error_1(&format!("SSO Wallet: approvals not restored: {e}").into());
    }
    // The approval window may have closed while no worker ran to hear it: reject what it showed.
    if let Some(window) = state::with(|s| s.approval_window)
        && !chrome::window_exists(window).await
    {
        approvals::window_closed(window);
    }
}

/// How long a page has to reconnect before its port closing counts as the page going away.
const PAGE_GONE_AFTER_MS: i32 = 1_000;

/// A port closed. A page whose port closed and that does not reconnect within
/// [`PAGE_GONE_AFTER_MS`] navigated or closed: its pending approvals are dropped. (A port can
/// also close because the worker restarted, or a reconnect raced its start; then the content
/// script comes back with the same page id and keeps its approvals.)
#[wasm_bindgen]
pub fn on_port_disconnect(port_id: u32) {
    let page = state::with(|s| match s.ports.remove(&port_id)?.peer {
        Peer::Page { page, .. } => Some(page),
        Peer::Ui => None,
    });
    let Some(page) = page else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        chrome::sleep(PAGE_GONE_AFTER_MS).await;
        if state::page_port(&page).is_some() {
            return;
        }
        state::take_held(&page);
        if !state::with(|s| s.approvals.drop_page(&page)).is_empty() {
            let _ = state::save_approvals().await;
        }
    });
}

/// A window closed; if it was the approval window, what it showed is rejected.
#[wasm_bindgen]
pub fn on_window_removed(window_id: i32) {
    approvals::window_closed(window_id);
}
