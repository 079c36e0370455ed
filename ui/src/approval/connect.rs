//! Connecting a site: onboarding when the wallet has no account yet (create a passkey, or log in
//! with one from another device), else the account the site will see.

use alloy_primitives::Address;
use leptos::prelude::*;

use super::Ui;

/// No account yet: what a passkey account is, and logging in to an existing one.
pub(super) fn onboarding(ui: Ui) -> AnyView {
    view! {
        <h1>"Create your wallet"</h1>
        <p>"SSO Wallet uses a passkey (Face ID, fingerprint or PIN) instead of a seed phrase. Your account is a smart account owned by that passkey."</p>
        <p class="muted">"Already created one on another device or browser? Log in with its passkey: the account, its balance and sessions come back from the chain."</p>
        <button class="secondary" data-testid="login" disabled=move || ui.busy() on:click=move |_| ui.login()>"I already have an account"</button>
    }
    .into_any()
}

/// The account the site will see.
pub(super) fn connect(address: Address) -> AnyView {
    view! {
        <h1>"Connect this site?"</h1>
        <p>"The site will see your account address and can ask you to approve transactions."</p>
        <div class="label">"Account"</div>
        <code class="address" data-testid="account-address">{address.to_string()}</code>
    }
    .into_any()
}
