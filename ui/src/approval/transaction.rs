//! Sending a transaction or an atomic batch of calls: each call with its decoded function and
//! warnings, the request's warnings, the simulated balance changes, and why the site's session
//! could not send it without asking.

use alloy_primitives::Address;
use leptos::prelude::*;

use sso_wallet::protocol::CallView;
use sso_wallet::units::Readable;

use crate::widgets::{amount_view, warnings_view};

pub(super) fn send(
    from: Address,
    calls: &[CallView],
    warnings: &[String],
    session_fallback: Option<String>,
    balance_changes: Option<Vec<String>>,
) -> AnyView {
    let title = if calls.len() == 1 {
        "Send transaction".to_owned()
    } else {
        format!("Send {} calls (all or nothing)", calls.len())
    };
    let rows = calls
        .iter()
        .map(|call| {
            view! {
                <dl class="call" data-testid="call">
                    <dt>"To"</dt><dd><code data-testid="tx-to">{call.to.to_string()}</code></dd>
                    <dt>"Amount"</dt><dd>{amount_view(&Readable::ether(call.value), "tx-value")}</dd>
                    {function_view(call)}
                    {(!call.data.is_empty()).then(|| view! {
                        <dt>"Data"</dt><dd><code class="data" data-testid="tx-data">{call.data.to_string()}</code></dd>
                    })}
                </dl>
                {warnings_view(&call.warnings, "warning")}
            }
        })
        .collect::<Vec<_>>();
    view! {
        <h1 data-testid="tx-title">{title}</h1>
        <dl>
            <dt>"From"</dt><dd><code data-testid="tx-from">{from.to_string()}</code></dd>
        </dl>
        {session_fallback.map(|reason| view! {
            <p class="note" data-testid="session-fallback">{format!("Your session with this site cannot send this without asking: {reason}.")}</p>
        })}
        {warnings_view(warnings, "warning")}
        {balance_changes.map(balance_changes_view)}
        {rows}
    }
    .into_any()
}

/// The account's expected balance changes, from the node's simulation.
fn balance_changes_view(changes: Vec<String>) -> impl IntoView {
    view! {
        <div class="label">"Expected balance changes (simulated)"</div>
        {if changes.is_empty() {
            view! { <p class="muted" data-testid="balance-change-none">"No balance of the account changes."</p> }.into_any()
        } else {
            let claims = changes.iter().any(|c| c.contains("(token "));
            view! {
                <ul class="rules">{changes.into_iter().map(|c| view! { <li data-testid="balance-change">{c}</li> }).collect::<Vec<_>>()}</ul>
                {claims.then(|| view! {
                    <p class="muted" data-testid="token-claim">"Token symbols and decimals are what each token's contract says about itself."</p>
                })}
            }.into_any()
        }}
    }
}

/// The decoded function of a call (known selectors), or its raw selector.
fn function_view(call: &CallView) -> Option<AnyView> {
    if call.data.is_empty() {
        return None;
    }
    Some(match &call.decoded {
        Some(decoded) => {
            let args = decoded
                .args
                .iter()
                .map(|arg| {
                    view! {
                        <dt>{arg.name.clone()}</dt>
                        <dd data-testid=format!("call-arg-{}", arg.name)>{arg.value.clone()}</dd>
                    }
                })
                .collect::<Vec<_>>();
            view! {
                <dt>"Function"</dt><dd><code data-testid="call-function">{decoded.name.clone()}</code></dd>
                {args}
                {decoded.token_units.then(|| view! {
                    <dd class="muted" data-testid="token-claim">"Amounts in the token's units: its symbol and decimals are what its contract says about itself."</dd>
                })}
            }
            .into_any()
        }
        None => {
            let selector =
                alloy_primitives::hex::encode_prefixed(&call.data[..call.data.len().min(4)]);
            view! {
                <dt>"Function"</dt><dd><code data-testid="call-function">{format!("{selector} (unknown)")}</code></dd>
            }
            .into_any()
        }
    })
}
