//! The account's passkeys on this network, each browser's with its origin: add one (it proves
//! itself by signing its registration challenge), add another browser's from its code
//! ([`super::link`]), remove one (never the last).

use alloy_primitives::Bytes;
use leptos::prelude::*;

use sso_wallet::protocol::UiRequest;

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
                let origin = (!p.here).then(|| p.origin.clone());
                let browser = (!p.here).then(|| wallet_of(&p.origin));
                view! {
                    <div class="passkey" data-testid="passkey" data-credential-id=p.credential_id.to_string() data-current=p.current.to_string() data-origin=p.origin.clone()>
                        <code>{short_id(&p.credential_id)}</code>
                        {p.current.then(|| view! { <span class="muted" data-testid="passkey-current">" · this browser"</span> })}
                        {browser.map(|name| view! { <span class="muted" data-testid="passkey-browser" title=p.origin.clone()>{format!(" · {name}")}</span> })}
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
