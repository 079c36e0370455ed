//! Pieces both wallet pages show: origins and credential ids as people read them, amounts at a
//! glance with the exact value a click away, a session's rules, and warnings.

use leptos::prelude::*;

use sso_wallet::protocol::SessionView;

/// Whether `origin` is the wallet's own (`chrome-extension://<id>`): requests its pages made.
pub fn is_wallet_origin(origin: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .is_some_and(|own| own == origin)
}

/// Whose passkey signs for `origin`, as people say it: "Firefox's SSO Wallet", "Chrome's SSO
/// Wallet" (Edge's too), or the origin itself.
pub fn wallet_of(origin: &str) -> String {
    use sso_wallet::relying_party::Browser;
    match Browser::from_extension_origin(origin) {
        Some(Browser::Firefox) => "Firefox's SSO Wallet".into(),
        Some(Browser::Chromium) => "Chrome's SSO Wallet".into(),
        None => origin.to_owned(),
    }
}

/// A credential id shortened for display (`a1b2c3…d4e5f6`).
pub fn short_id(id: &alloy_primitives::Bytes) -> String {
    let hex = alloy_primitives::hex::encode(id);
    if hex.len() <= 16 {
        return hex;
    }
    format!("{}…{}", &hex[..8], &hex[hex.len() - 8..])
}

/// `unix_ms` (milliseconds since the epoch) as a date and time in the user's locale and time
/// zone (`7 Dec 2026, 09:30`, `Dec 7, 2026, 9:30 AM`).
pub fn local_time(unix_ms: u64) -> String {
    let options = js_sys::Object::new();
    for (key, value) in [("dateStyle", "medium"), ("timeStyle", "short")] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    let locale = web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_else(|| "en".to_owned());
    String::from(js_sys::Date::new(&(unix_ms as f64).into()).to_locale_string(&locale, &options))
}

/// When a session expires: the date in the user's locale, how far off, and the UTC time on hover.
pub fn expiry_view(session: &SessionView, testid: &'static str) -> impl IntoView + use<> {
    let local = local_time(session.expires_at.saturating_mul(1000));
    view! {
        <span data-testid=testid title=session.expires.clone()>{format!("{local} ({})", session.expires_in)}</span>
    }
}

/// A session's rules, one line each, what is left of its limits, and the dapp's own words.
pub fn session_rules(session: &SessionView) -> impl IntoView + use<> {
    let lines = session
        .permissions
        .iter()
        .map(|line| view! { <li data-testid="session-permission">{line.clone()}</li> })
        .collect::<Vec<_>>();
    let remaining = session
        .remaining
        .iter()
        .map(|line| view! { <li>{amount_view(line, "session-remaining")}</li> })
        .collect::<Vec<_>>();
    view! {
        <div class="label">"The session may"</div>
        <ul class="rules">{lines}</ul>
        {(!remaining.is_empty()).then(|| view! {
            <div class="label">"Left"</div>
            <ul class="rules">{remaining}</ul>
        })}
        {session.justification.clone().map(|j| view! {
            <p class="muted" data-testid="session-justification">{format!("The site says: \u{201c}{j}\u{201d}")}</p>
        })}
    }
}

/// An amount as read at a glance (`testid`), the exact value under it when the short form cuts
/// something (`<testid>-exact`, shown on a click; also the short form's tooltip).
pub fn amount_view(amount: &sso_wallet::units::Readable, testid: &'static str) -> AnyView {
    let exact_id = format!("{testid}-exact");
    if amount.is_cut() {
        view! {
            <details class="amount">
                <summary data-testid=testid title=amount.exact.clone()>{amount.short.clone()}</summary>
                <span data-testid=exact_id>{amount.exact.clone()}</span>
            </details>
        }
        .into_any()
    } else {
        view! {
            <span data-testid=testid>{amount.short.clone()}</span>
            <span data-testid=exact_id hidden=true>{amount.exact.clone()}</span>
        }
        .into_any()
    }
}

/// Warnings, most important first as the wallet produced them, each with `testid`.
pub fn warnings_view(warnings: &[String], testid: &'static str) -> impl IntoView + use<> {
    warnings
        .iter()
        .map(|w| view! { <p class="warning" role="alert" data-testid=testid>{w.clone()}</p> })
        .collect::<Vec<_>>()
}
