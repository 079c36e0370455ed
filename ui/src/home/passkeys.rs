//! The account's passkeys on this network: add one (it proves itself by signing its
//! registration challenge), remove one (never the last).

use alloy_primitives::Bytes;
use leptos::prelude::*;

use sso_wallet::protocol::{UiRequest, UiResponse};

use super::Page;
use crate::widgets::short_id;
use crate::{bridge, passkey};

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
                let (challenge, credential_id) = match bridge::request(challenge).await {
                    UiResponse::Challenge {
                        challenge,
                        credential_id,
                    } => (challenge, credential_id),
                    other => return Ok(other),
                };
                let assertion = passkey::sign(challenge, &credential_id).await?;
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
                view! {
                    <div class="passkey" data-testid="passkey" data-credential-id=p.credential_id.to_string() data-current=p.current.to_string()>
                        <code>{short_id(&p.credential_id)}</code>
                        {p.current.then(|| view! { <span class="muted" data-testid="passkey-current">" · this browser"</span> })}
                        <button class="secondary small" data-testid="remove-passkey"
                            on:click=move |_| page.ask("Preparing…", "Confirm the removal in the approval window.", UiRequest::RemovePasskey { credential_id: id.clone() })>"Remove"</button>
                    </div>
                }
            }).collect::<Vec<_>>())}
            <button class="secondary" data-testid="add-passkey" disabled=move || page.busy() on:click=add>"Add a passkey"</button>
        </section>
    }
}
