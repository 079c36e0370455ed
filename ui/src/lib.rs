//! # SSO Wallet UI (Leptos, client-side rendered)
//!
//! The approval window (`approval.html`): onboarding with a passkey, connect approvals and
//! transaction approvals. It holds no secrets and decides nothing: it shows what the background
//! describes ([`sso_wallet::protocol::ApprovalView`]), runs the WebAuthn ceremony the user asks
//! for, and sends the typed answer back.
//!
//! - [`bridge`]: the typed Port to the background.
//! - [`passkey`]: WebAuthn create / get.
//! - `app`: the components.

use wasm_bindgen::prelude::*;

mod app;
pub mod bridge;
pub mod passkey;

/// Mounts the approval window.
#[wasm_bindgen(start)]
pub fn start() {
    leptos::mount::mount_to_body(app::App);
}
