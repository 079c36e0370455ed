//! Granting a session (a key the wallet holds that signs matching transactions without asking)
//! and closing one on chain.

use alloy_primitives::Address;
use leptos::prelude::*;

use sso_wallet::protocol::SessionView;

use crate::widgets::{expiry_view, session_rules, warnings_view};

pub(super) fn create(account: Address, session: &SessionView, warnings: &[String]) -> AnyView {
    view! {
        <h1 data-testid="session-title">"Allow this site to act without asking?"</h1>
        <p>"SSO Wallet will keep a session key for this site. It signs the site's transactions that fit the rules below "<strong>"without asking you"</strong>", until the session expires or you revoke it. Anything else still asks."</p>
        <dl>
            <dt>"Account"</dt><dd><code>{account.to_string()}</code></dd>
            <dt>"Expires"</dt><dd>{expiry_view(session, "session-expires")}</dd>
        </dl>
        {warnings_view(warnings, "warning")}
        {session_rules(session)}
    }
    .into_any()
}

pub(super) fn revoke(session: &SessionView) -> AnyView {
    view! {
        <h1 data-testid="session-title">"Revoke this session?"</h1>
        <p>"The session key is already erased from SSO Wallet. Confirming also closes the session on chain, so no copy of the key could ever use it."</p>
        <dl>
            <dt>"Site"</dt><dd data-testid="session-origin">{session.origin.clone()}</dd>
            <dt>"Expires"</dt><dd>{expiry_view(session, "session-expires")}</dd>
        </dl>
        {session_rules(session)}
    }
    .into_any()
}
