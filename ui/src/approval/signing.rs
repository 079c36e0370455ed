//! Signing a message (EIP-191) or typed data (EIP-712) with the passkey: what is signed, shown
//! in full, hidden characters written out.

use alloy_primitives::{Address, Bytes};
use leptos::prelude::*;
use serde_json::Value;

use sso_wallet::untrusted::reveal;

/// A message: as text when it is plain text, else as its raw bytes.
pub(super) fn message(account: Address, text: Option<String>, message: &Bytes) -> AnyView {
    view! {
        <h1>"Sign message"</h1>
        <p class="muted">"Signing proves you own "<code>{account.to_string()}</code>". It sends nothing and costs nothing."</p>
        {match text {
            Some(text) => view! { <pre class="message" data-testid="sign-message">{text}</pre> }.into_any(),
            None => view! {
                <div class="label">"Raw data (not text)"</div>
                <code class="data" data-testid="sign-message">{message.to_string()}</code>
            }.into_any(),
        }}
    }
    .into_any()
}

/// Typed data: its domain, primary type and message, as trees.
pub(super) fn typed_data(
    account: Address,
    domain: &Value,
    primary_type: &str,
    message: &Value,
) -> AnyView {
    view! {
        <h1>"Sign typed data"</h1>
        <p class="muted">"Signed by "<code>{account.to_string()}</code>". Check the domain: it names the app and contract the signature is for."</p>
        <div class="label">"Domain"</div>
        <div data-testid="sign-typed-domain">{json_tree(domain)}</div>
        <div class="label" data-testid="sign-typed-type">{primary_type.to_owned()}</div>
        <div data-testid="sign-typed-message">{json_tree(message)}</div>
    }
    .into_any()
}

/// A JSON value as a readable tree: objects and arrays as nested definition lists.
/// The site's typed data, with hidden characters written out (what is signed is shown).
fn json_tree(value: &Value) -> AnyView {
    match value {
        Value::Object(map) => {
            let rows = map
                .iter()
                .map(|(key, value)| {
                    view! { <dt>{reveal(key)}</dt><dd>{json_tree(value)}</dd> }
                })
                .collect::<Vec<_>>();
            view! { <dl class="tree">{rows}</dl> }.into_any()
        }
        Value::Array(items) => {
            let rows = items
                .iter()
                .enumerate()
                .map(|(i, value)| view! { <dt>{format!("[{i}]")}</dt><dd>{json_tree(value)}</dd> })
                .collect::<Vec<_>>();
            view! { <dl class="tree">{rows}</dl> }.into_any()
        }
        Value::String(s) => view! { <code>{reveal(s)}</code> }.into_any(),
        other => view! { <code>{other.to_string()}</code> }.into_any(),
    }
}
