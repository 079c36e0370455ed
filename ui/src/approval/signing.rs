//! Signing a message (EIP-191) or typed data (EIP-712) with the passkey: what is signed, shown
//! in full, hidden characters written out — and above it, what it means when the wallet knows:
//! a Sign-In with Ethereum request (EIP-4361), or a signature that lets others take the account's
//! tokens (ERC-2612 / Permit2 permits, Seaport orders).

use alloy_primitives::{Address, Bytes};
use leptos::prelude::*;
use serde_json::Value;

use sso_wallet::protocol::{PermitView, SignInView};
use sso_wallet::untrusted::reveal;

use crate::widgets::warnings_view;

/// A message: as text when it is plain text, else as its raw bytes; a sign-in first as one.
pub(super) fn message(
    account: Address,
    text: Option<String>,
    message: &Bytes,
    sign_in: Option<SignInView>,
) -> AnyView {
    let heading = match &sign_in {
        Some(_) => view! { <h1 data-testid="siwe-title">"Sign in"</h1> }.into_any(),
        None => view! { <h1>"Sign message"</h1> }.into_any(),
    };
    view! {
        {heading}
        {sign_in.map(sign_in_view)}
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

/// A sign-in's fields, its warnings first.
fn sign_in_view(siwe: SignInView) -> impl IntoView {
    view! {
        {warnings_view(&siwe.warnings, "siwe-warning")}
        <dl data-testid="siwe">
            <dt>"Site"</dt><dd data-testid="siwe-domain">{reveal(&siwe.domain)}</dd>
            <dt>"Account"</dt><dd><code data-testid="siwe-address">{siwe.address.to_string()}</code></dd>
            {siwe.statement.map(|s| view! { <dt>"Statement"</dt><dd data-testid="siwe-statement">{reveal(&s)}</dd> })}
            <dt>"URI"</dt><dd data-testid="siwe-uri">{reveal(&siwe.uri)}</dd>
            <dt>"Chain"</dt><dd data-testid="siwe-chain">{siwe.chain_id.to_string()}</dd>
            <dt>"Nonce"</dt><dd data-testid="siwe-nonce">{reveal(&siwe.nonce)}</dd>
            <dt>"Issued"</dt><dd data-testid="siwe-issued">{reveal(&siwe.issued_at)}</dd>
            <dt>"Expires"</dt><dd data-testid="siwe-expires">{siwe.expires}</dd>
            {siwe.request_id.map(|id| view! { <dt>"Request id"</dt><dd data-testid="siwe-request-id">{reveal(&id)}</dd> })}
        </dl>
        {(!siwe.resources.is_empty()).then(|| {
            let items = siwe
                .resources
                .iter()
                .map(|r| view! { <li><code data-testid="siwe-resource">{reveal(r)}</code></li> })
                .collect::<Vec<_>>();
            view! {
                <div class="label">"It also grants access to"</div>
                <ul>{items}</ul>
            }
        })}
    }
}

/// What a spending signature allows, its warnings first.
fn permit_view(permit: PermitView) -> impl IntoView {
    let lines = |items: Vec<String>, testid: &'static str| {
        items
            .into_iter()
            .map(|line| view! { <li data-testid=testid>{line}</li> })
            .collect::<Vec<_>>()
    };
    let receives = (!permit.receives.is_empty()).then(|| {
        let items = lines(permit.receives.clone(), "permit-receives");
        view! { <div class="label">"You get"</div><ul>{items}</ul> }
    });
    let gives_label = match permit.kind {
        sso_wallet::permit::PermitKind::SeaportOrder => "You give",
        _ => "May take from your account",
    };
    view! {
        <section class="permit" data-testid="permit" data-kind=permit.kind.as_str()>
            <h2 data-testid="permit-title">{permit.kind.title()}</h2>
            {warnings_view(&permit.warnings, "permit-warning")}
            {permit.spender.map(|s| view! {
                <div class="label">"Spender"</div><code data-testid="permit-spender">{s.to_string()}</code>
            })}
            <div class="label">{gives_label}</div>
            <ul>{lines(permit.gives, "permit-gives")}</ul>
            {receives}
            <dl>
                <dt>"Valid until"</dt><dd data-testid="permit-valid-until">{permit.valid_until}</dd>
                {permit.signature_deadline.map(|d| view! { <dt>"Signature usable until"</dt><dd data-testid="permit-deadline">{d}</dd> })}
            </dl>
        </section>
    }
}

/// Typed data: what it allows when it is a permit or an order, then its domain, primary type and
/// message, as trees.
pub(super) fn typed_data(
    account: Address,
    domain: &Value,
    primary_type: &str,
    message: &Value,
    permit: Option<PermitView>,
) -> AnyView {
    view! {
        <h1>"Sign typed data"</h1>
        {permit.map(permit_view)}
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
