//! Adding a passkey to the account, or removing one.

use alloy_primitives::Bytes;
use leptos::prelude::*;

use crate::widgets::short_id;

pub(super) fn change(add: bool, passkey: &Bytes) -> AnyView {
    view! {
        <h1 data-testid="passkey-title">{if add { "Add this passkey to your account?" } else { "Remove this passkey from your account?" }}</h1>
        <p>{if add {
            "The new passkey will be able to sign for your account, on any device it is on. Confirm with a passkey the account already has."
        } else {
            "The passkey will no longer be able to sign for your account."
        }}</p>
        <dl>
            <dt>"Passkey"</dt><dd><code class="data" data-testid="passkey-changed">{short_id(passkey)}</code></dd>
        </dl>
    }
    .into_any()
}
