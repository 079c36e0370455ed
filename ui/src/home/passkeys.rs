//! The account's passkeys on this network — the devices: each with its name (given where it was
//! created, renamed here; names live in this browser), the browser it was made in, when it was
//! registered and when it last signed (from the chain); add one (it proves itself by signing its
//! registration challenge), add another browser's from its code ([`super::link`]), rename one,
//! remove one (never the last).

use alloy_primitives::Bytes;
use leptos::prelude::*;

use sso_wallet::protocol::UiRequest;
use sso_wallet::session::describe::format_utc;

use super::Page;
use crate::widgets::{short_id, wallet_of};
use crate::{bridge, flows, passkey};

pub(super) fn passkeys_view(page: Page, network: String) -> impl IntoView {
    let add = move |_| {
        let known: Vec<Bytes> = page
            .passkeys
            .get_untracked()
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.credential_id)
            .collect();
        page.run(
            "Create the new passkey…",
            "Confirm in the approval window with a passkey the account already has.",
            async move {
                let attestation_object = passkey::create(&known).await?;
                // The new passkey proves it is the user's: it signs its registration challenge.
                let challenge = UiRequest::PasskeyChallenge {
                    attestation_object: attestation_object.clone(),
                };
                let assertion = match flows::sign_challenge(challenge).await {
                    Ok(assertion) => assertion,
                    Err(other) => return Ok(other),
                };
                Ok(bridge::request(UiRequest::AddPasskey {
                    attestation_object,
                    assertion,
                })
                .await)
            },
        );
    };
    view! {
        <section id="passkeys">
            <h1>"Passkeys"</h1>
            <p class="muted">{format!("Every passkey here can sign for the account on {network}, on any device it is on. Passkeys are registered per network; the first one also deploys the account on networks where it is not deployed yet.")}</p>
            {move || page.passkeys.get().map(|list| list.into_iter().map(|p| {
                let id = p.credential_id.clone();
                let rename_id = p.credential_id.clone();
                let origin = (!p.here).then(|| p.origin.clone());
                let browser = (!p.here).then(|| wallet_of(&p.origin));
                let title = p.name.clone().unwrap_or_else(|| format!("A passkey made in {}", p.browser));
                let current_name = p.name.clone().unwrap_or_default();
                let rename = move |_| {
                    let Some(name) = web_sys::window()
                        .and_then(|w| w.prompt_with_message_and_default("Name this passkey (this browser remembers it):", &current_name).ok())
                        .flatten()
                    else {
                        return;
                    };
                    page.ask("Renaming…", "", UiRequest::RenamePasskey { credential_id: rename_id.clone(), name });
                };
                let dates = format!(
                    "{} · created {} · last used {}",
                    p.browser,
                    p.created_at.map_or_else(|| "(unknown)".to_owned(), format_utc),
                    p.last_used.map_or_else(|| "not among the latest operations".to_owned(), format_utc),
                );
                view! {
                    <div class="passkey" data-testid="passkey" data-credential-id=p.credential_id.to_string() data-current=p.current.to_string() data-origin=p.origin.clone()>
                        <b data-testid="passkey-name">{title}</b>
                        {p.current.then(|| view! { <span class="muted" data-testid="passkey-current">" · this browser"</span> })}
                        {browser.map(|name| view! { <span class="muted" data-testid="passkey-browser" title=p.origin.clone()>{format!(" · {name}")}</span> })}
                        <div class="muted" data-testid="passkey-dates" data-created=p.created_at.map(|t| t.to_string()) data-last-used=p.last_used.map(|t| t.to_string())>{dates}</div>
                        <code>{short_id(&p.credential_id)}</code>
                        <button class="secondary small" data-testid="rename-passkey" on:click=rename>"Rename"</button>
                        <button class="secondary small" data-testid="remove-passkey"
                            on:click=move |_| page.ask("Preparing…", "Confirm the removal in the approval window.", UiRequest::RemovePasskey { credential_id: id.clone(), origin: origin.clone() })>"Remove"</button>
                    </div>
                }
            }).collect::<Vec<_>>())}
            <button class="secondary" data-testid="add-passkey" disabled=move || page.busy() on:click=add>"Add a passkey"</button>
            {super::link::add_from_code(page)}
        </section>
    }
}
