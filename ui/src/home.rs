//! The wallet's home page (`home.html`, the toolbar popup): the sessions the wallet holds, each
//! with its site, expiry, rules, what is left of its limits, and a Revoke button (revoking erases
//! the key at once and opens the passkey approval that closes the session on chain); and the
//! activity: every EIP-5792 batch sent, with its status. `wallet_showCallsStatus` opens this page
//! as `home.html?calls=<id>`, which highlights that batch.

use leptos::prelude::*;
use leptos::task::spawn_local;

use sso_wallet::protocol::{ActivityView, SessionView, UiRequest, UiResponse};

use crate::app::session_rules;
use crate::bridge;

/// The home page's root component.
#[component]
pub fn Home() -> impl IntoView {
    let sessions = RwSignal::new(None::<Vec<SessionView>>);
    let error = RwSignal::new(None::<String>);
    let load = move || {
        spawn_local(async move {
            match bridge::request(UiRequest::ListSessions).await {
                UiResponse::Sessions { sessions: list } => {
                    error.set(None);
                    sessions.set(Some(list));
                }
                UiResponse::Error { message } => error.set(Some(message)),
                _ => error.set(Some("Unexpected answer from the wallet.".into())),
            }
        });
    };
    load();
    let activity = RwSignal::new(None::<Vec<ActivityView>>);
    let load_activity = move || {
        spawn_local(async move {
            match bridge::request(UiRequest::ListActivity).await {
                UiResponse::Activity { items } => activity.set(Some(items)),
                UiResponse::Error { message } => error.set(Some(message)),
                _ => error.set(Some("Unexpected answer from the wallet.".into())),
            }
        });
    };
    load_activity();
    let selected = selected_batch();
    let revoke = move |context| {
        spawn_local(async move {
            match bridge::request(UiRequest::RevokeSession { context }).await {
                UiResponse::Error { message } => error.set(Some(message)),
                _ => load(),
            }
        });
    };
    view! {
        <main class="approval home">
            <header>
                <img src="icons/icon.svg" alt="" width="28" height="28"/>
                <span class="brand">"SSO Wallet"</span>
                <button class="secondary small" data-testid="refresh-sessions" on:click=move |_| { load(); load_activity(); }>"Refresh"</button>
            </header>
            <h1>"Sessions"</h1>
            {move || match sessions.get() {
                None => view! { <p class="muted" data-testid="loading">"Loading…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! {
                    <p class="muted" data-testid="no-sessions">"No site has a session. Sites ask for one when they want to act without a window each time."</p>
                }.into_any(),
                Some(list) => list
                    .into_iter()
                    .map(|session| session_card(session, revoke))
                    .collect::<Vec<_>>()
                    .into_any(),
            }}
            <h1>"Activity"</h1>
            {move || match activity.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(items) if items.is_empty() => view! {
                    <p class="muted" data-testid="no-activity">"No batch of calls sent yet."</p>
                }.into_any(),
                Some(items) => items
                    .into_iter()
                    .map(|item| activity_item(item, selected.as_deref()))
                    .collect::<Vec<_>>()
                    .into_any(),
            }}
            {move || error.get().map(|message| view! {
                <p class="error" role="alert" data-testid="error">{message}</p>
            })}
        </main>
    }
}

fn status_text(status: &str) -> &'static str {
    match status {
        "active" => "Active",
        "revoking" => "Key erased; revocation waits for your passkey",
        "revoked" => "Revoked",
        "expired" => "Expired",
        "keyLost" => "Ended: its key was cleared when the browser closed",
        _ => "Unknown",
    }
}

fn session_card(
    session: SessionView,
    revoke: impl Fn(alloy_primitives::B256) + Copy + 'static,
) -> impl IntoView {
    let context = session.context;
    // A session can be closed on chain unless it already is (revoked) or is past its expiry.
    let revocable = matches!(session.status.as_str(), "active" | "revoking" | "keyLost");
    view! {
        <section class="session" data-testid="session" data-context=context.to_string() data-status=session.status.clone()>
            <div class="origin" data-testid="session-origin">{session.origin.clone()}</div>
            <div data-testid="session-status">{status_text(&session.status)}</div>
            <div class="muted" data-testid="session-expires">{format!("Expires {}", session.expires)}</div>
            {session_rules(&session)}
            {revocable.then(|| view! {
                <button class="secondary" data-testid="revoke-session" on:click=move |_| revoke(context)>"Revoke"</button>
            })}
        </section>
    }
}

/// The batch named by `?calls=<id>` (`wallet_showCallsStatus`), if any.
fn selected_batch() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let encoded = search.strip_prefix("?calls=")?;
    js_sys::decode_uri_component(encoded).ok().map(String::from)
}

fn activity_item(item: ActivityView, selected: Option<&str>) -> impl IntoView + use<> {
    let is_selected = selected == Some(item.id.as_str());
    let status = match item.status.as_str() {
        "confirmed" => "Confirmed",
        "reverted" => "Reverted (nothing happened)",
        _ => "Pending",
    };
    view! {
        <section class="activity" class:selected=is_selected data-testid="activity-item"
            data-id=item.id.clone() data-selected=is_selected.to_string()>
            <div class="origin" data-testid="activity-origin">{item.origin.clone()}</div>
            <div data-testid="activity-status">{status}</div>
            <div class="muted">{format!("Chain {} · batch {}", item.chain_id, item.id)}</div>
            {item.tx_hash.map(|hash| view! {
                <code class="data" data-testid="activity-tx">{hash.to_string()}</code>
            })}
        </section>
    }
}
