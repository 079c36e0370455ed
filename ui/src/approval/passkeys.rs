//! Adding a passkey to the account, or removing one — a passkey of another browser's wallet
//! (brought over with a code) says so, with the origin it signs for.

use alloy_primitives::Bytes;
use leptos::prelude::*;

use crate::widgets::{short_id, wallet_of};

pub(super) fn change(add: bool, passkey: &Bytes, other_origin: Option<&str>) -> AnyView {
    let elsewhere = other_origin.map(|origin| {
        let wallet = wallet_of(origin);
        view! {
            <dt>"Signs from"</dt>
            <dd data-testid="passkey-origin" title=origin.to_owned()>{format!("another browser: {wallet}")}<br/><code class="data">{origin.to_owned()}</code></dd>
        }
    });
    let warning = (add && other_origin.is_some()).then(|| view! {
        <p class="warning" data-testid="passkey-elsewhere-warning">"This passkey was made in another browser, and it will control this account. Add it only if you made its code yourself, in your own other browser. Someone who sends you a code is asking for your account."</p>
    });
    view! {
        <h1 data-testid="passkey-title">{if add { "Add this passkey to your account?" } else { "Remove this passkey from your account?" }}</h1>
        <p>{if add {
            "The new passkey will be able to sign for your account, on any device it is on. Confirm with a passkey the account already has."
        } else {
            "The passkey will no longer be able to sign for your account."
        }}</p>
        {warning}
        <dl>
            <dt>"Passkey"</dt><dd><code class="data" data-testid="passkey-changed">{short_id(passkey)}</code></dd>
            {elsewhere}
        </dl>
    }
    .into_any()
}
