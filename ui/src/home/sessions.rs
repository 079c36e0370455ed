//! Sessions: site, status, expiry, rules, what is left, and Revoke.

use leptos::prelude::*;

use sso_wallet::protocol::{SessionStatusView, SessionView, UiRequest};

use super::Page;
use crate::widgets::{expiry_view, session_rules};

fn status_text(status: SessionStatusView) -> &'static str {
    match status {
        SessionStatusView::Active => "Active",
        SessionStatusView::Revoking => "Key erased; revocation waits for your passkey",
        SessionStatusView::Revoked => "Revoked",
        SessionStatusView::Expired => "Expired",
        SessionStatusView::KeyLost => "Open on chain; this browser does not hold its key",
        SessionStatusView::Disconnected => {
            "Site disconnected: key erased; revoke it to close it on chain"
        }
    }
}

pub(super) fn sessions_view(page: Page) -> impl IntoView {
    let revoke = move |context| {
        page.ask(
            "Preparing…",
            "Key erased. Confirm in the approval window to close the session on chain.",
            UiRequest::RevokeSession { context },
        )
    };
    view! {
        <section id="sessions">
            <h1>"Sessions"</h1>
            {move || match page.sessions.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! {
                    <p class="muted" data-testid="no-sessions">"No site has a session. Sites ask for one when they want to act without a window each time."</p>
                }.into_any(),
                Some(list) => list
                    .into_iter()
                    .map(|session| session_card(session, revoke))
                    .collect::<Vec<_>>()
                    .into_any(),
            }}
        </section>
    }
}

fn session_card(
    session: SessionView,
    revoke: impl Fn(alloy_primitives::B256) + Copy + 'static,
) -> impl IntoView {
    let context = session.context;
    let revocable = session.status.revocable();
    let origin = if session.origin.is_empty() {
        "A site (created in another browser)".to_owned()
    } else {
        session.origin.clone()
    };
    view! {
        <section class="session" data-testid="session" data-context=context.to_string() data-status=session.status.as_str()>
            <div class="origin" data-testid="session-origin">{origin}</div>
            <div data-testid="session-status">{status_text(session.status)}</div>
            <div class="muted">"Expires "{expiry_view(&session, "session-expires")}</div>
            {session_rules(&session)}
            {revocable.then(|| view! {
                <button class="secondary" data-testid="revoke-session" on:click=move |_| revoke(context)>"Revoke"</button>
            })}
        </section>
    }
}
