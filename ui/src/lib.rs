//! # SSO Wallet UI (Leptos, client-side rendered)
//!
//! The wallet's two pages: the approval window (`approval.html`: onboarding or logging in with a
//! passkey, unlocking, and every approval) and the home page (`home.html`, the toolbar popup:
//! account, tokens, sites, passkeys, sessions, activity, settings). They hold no secrets and
//! decide nothing: they show what the background describes ([`sso_wallet::protocol`] views), run
//! the WebAuthn ceremony the user asks for, and send the typed answer back.
//!
//! - [`bridge`]: the typed Port to the background.
//! - [`passkey`]: WebAuthn create / get.
//! - [`flows`]: logging in and unlocking, shared by both pages.
//! - `approval`: the approval window, one file per kind of request; `home`: the home page, one
//!   file per section; `widgets`: pieces both show.

use wasm_bindgen::prelude::*;

mod approval;
pub mod bridge;
pub mod flows;
mod home;
pub mod passkey;
mod widgets;

/// Mounts the page named by `<body data-page>`: `home`, or else the approval window.
#[wasm_bindgen(start)]
pub fn start() {
    let page = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
        .and_then(|b| b.get_attribute("data-page"));
    match page.as_deref() {
        Some("home") => leptos::mount::mount_to_body(home::Home),
        _ => leptos::mount::mount_to_body(approval::App),
    }
}
