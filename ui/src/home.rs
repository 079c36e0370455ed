//! The wallet's home page (`home.html`, the toolbar popup): the sessions the wallet holds, each
//! with its site, expiry, rules, what is left of its limits, and a Revoke button. Revoking
//! erases the key at once and opens the passkey approval that closes the session on chain.

use leptos::prelude::*;
use leptos::task::spawn_local;

use sso_wallet::protocol::{SessionView, UiRequest, UiResponse};

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
                <button class="secondary small" data-testid="refresh-sessions" on:click=move |_| load()>"Refresh"</button>
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
