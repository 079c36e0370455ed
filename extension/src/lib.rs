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
//! - [`session`]: session creation, silent signing within the policy, revocation, listing.

use wasm_bindgen::prelude::*;

pub mod approvals;
pub mod chrome;
pub mod explain;
pub mod provider;
pub mod rpc;
pub mod session;
pub mod state;
pub mod ui;
pub mod userop;

use chrome::{Peer, Port};
use state::Connection;

/// A port connected; ports whose sender cannot be classified are ignored.
#[wasm_bindgen]
pub fn on_port_connect(port_id: u32, port: Port) {
    match port.peer() {
        Some(peer) => {
            state::with(|s| s.ports.insert(port_id, Connection { port, peer }));
        }
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
        Peer::Page { origin } => {
            let Ok(message) = serde_wasm_bindgen::from_value(message) else {
                return;
            };
            wasm_bindgen_futures::spawn_local(provider::handle(port_id, origin, message));
        }
        Peer::Ui => wasm_bindgen_futures::spawn_local(ui::handle(port, message)),
    }
}

/// A port closed: its page is gone, so its pending approvals are dropped.
#[wasm_bindgen]
pub fn on_port_disconnect(port_id: u32) {
    state::with(|s| {
        s.ports.remove(&port_id);
        s.approvals.drop_port(port_id);
    });
}

/// A window closed; if it was the approval window, what it showed is rejected.
#[wasm_bindgen]
pub fn on_window_removed(window_id: i32) {
    approvals::window_closed(window_id);
}
