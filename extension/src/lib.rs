//! # SSO Wallet background (service worker in Chromium, event page in Firefox; wasm)
//!
//! `js/background.js` registers every `chrome.*` listener synchronously (so the event that woke a
//! stopped worker is never lost) and forwards them here once the wasm is ready. What differs
//! between the two browsers stays in `chrome` (and `idb`, Firefox's persistent store); nothing
//! above it forks. The layers, each
//! using only the ones below it:
//!
//! ```text
//! content.js ──Port "provider"──▶ page/ (gate, one handler per method family) ─┐
//! approval.html, home ──Port "ui"─▶ ui_port/ (lock gate, one handler per family)┤
//!                                                                                ▼
//!            approve (carry out an approved request) · approval_view (what the window shows)
//!                                                                                ▼
//!   features: session · networks · passkeys · modules · login · onboarding · home · send · lock
//!             · activity · guardian_recovery
//!                                                                                ▼
//!   userop (prepare, sign, submit) · explain (call lookups) · paymaster (ERC-7677) · approvals
//!                                                                                ▼
//!   chain (node reads) · bundler (ERC-4337 methods) · outbox (answers to pages)
//!                                                                                ▼
//!                               rpc (JSON-RPC over fetch) · state (caches, storage) · chrome
//! ```
//!
//! - [`page`]: page requests (EIP-1193): the access and lock gate, then one handler per family.
//! - [`ui_port`]: requests from the wallet's own pages: the lock gate, then one handler per family.
//! - [`approve`]: carrying out what the user approved; [`approval_view`]: what the window shows.
//! - [`approvals`]: the approval queue and its window; [`outbox`]: answers held for pages.
//! - [`userop`]: UserOperation preparation and submission; [`explain`]: call lookups;
//!   [`paymaster`]: the ERC-7677 paymaster service a sponsored operation asks.
//! - [`chain`]: typed reads of the node; [`bundler`]: the standard ERC-4337 bundler methods;
//!   [`rpc`]: JSON-RPC over fetch, with the bounds of `sso_wallet::untrusted`.
//! - [`networks`]: adding (EIP-3085 and the settings), editing, removing and switching networks.
//! - [`session`]: session creation, silent signing within the policy, revocation, listing.
//! - [`onboarding`]: creating the account; [`login`]: logging in to it from another browser.
//! - [`passkeys`]: the account's passkeys; [`modules`]: its ERC-7579 modules (list, install,
//!   uninstall); [`lock`]: the optional lock.
//! - [`guardian_recovery`]: recovery with guardians — the owner's setup and cancel, a
//!   guardian's approval, the pending-recovery alert, and the recovery a new browser asks for.
//! - [`activity`]: the log of every UserOperation sent; [`home`]: the home view; [`send`]: the
//!   home page's Send (checks, Max, recipient notes).
//! - [`chrome`]: typed bindings to the `chrome.*` APIs used, the one layer that knows the
//!   browser; [`idb`]: Firefox's persistent store; [`state`]: caches + storage.

use wasm_bindgen::prelude::*;

pub mod activity;
pub mod approval_view;
pub mod approvals;
pub mod approve;
pub mod bundler;
pub mod chain;
pub mod chrome;
pub mod explain;
pub mod guardian_recovery;
pub mod home;
pub mod idb;
pub mod lock;
pub mod login;
pub mod modules;
pub mod networks;
pub mod onboarding;
pub mod outbox;
pub mod page;
pub mod passkeys;
pub mod paymaster;
pub mod rpc;
pub mod send;
pub mod session;
pub mod state;
pub mod ui_port;
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
            Ok(message) => wasm_bindgen_futures::spawn_local(page::handle(page, origin, message)),
            // Not readable as JSON (nested deeper than the parser goes, say): still answered.
            Err(_) => {
                if let Some(id) = chrome::request_field(&message, "id") {
                    let error = sso_wallet::Error::invalid_params(
                        "the request is not plain JSON, or is nested more than 128 levels deep",
                    );
                    outbox::reply(
                        &page,
                        sso_wallet::protocol::PageMessage::answer(id, Err(error)),
                    );
                }
            }
        },
        Peer::Ui => wasm_bindgen_futures::spawn_local(ui_port::handle(port, message)),
    }
}

/// Restores what must survive a worker restart; `background.js` waits for it before handing
/// any event over.
#[wasm_bindgen]
pub async fn restore(chain_hint: Option<String>) {
    state::chain_hint_known(chain_hint);
    // Warm the wallet and network caches meanwhile (the event that woke the worker needs them),
    // and write the chain hint if it names another network.
    let (restored, _) = futures::join!(state::restore_approvals(), state::sync_chain_hint());
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
        outbox::take_held(&page);
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
