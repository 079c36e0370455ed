//! The account section's tokens: each added ERC-20 with its balance, and each NFT a site
//! suggested (held or not, how many); add an ERC-20 by address, remove.

use alloy_primitives::Address;
use leptos::prelude::*;

use sso_wallet::protocol::{HomeView, UiRequest};

use super::Page;
use crate::widgets::amount_view;

pub(super) fn tokens_view(page: Page, home: &HomeView) -> impl IntoView + use<> {
    let chain_id = home.chain_id;
    let rows = home
        .tokens
        .iter()
        .map(|token| {
            let address = token.address;
            let token_id = token.token_id;
            view! {
                <li data-testid="token" data-address=address.to_string() data-token-id=token_id.map(|id| id.to_string())>
                    {match &token.balance {
                        Some(balance) => amount_view(balance, "token-balance"),
                        None => view! { <span data-testid="token-balance">{format!("? {}", token.symbol)}</span> }.into_any(),
                    }}
                    " "<code class="muted">{sso_wallet::activity::short(address)}</code>
                    <button class="secondary small" data-testid="remove-token"
                        on:click=move |_| page.ask("Removing…", "", UiRequest::RemoveToken { chain_id, address, token_id })>"Remove"</button>
                </li>
            }
        })
        .collect::<Vec<_>>();
    let empty = rows.is_empty();
    let input = RwSignal::new(String::new());
    let add = move |_| match input.get_untracked().trim().parse::<Address>() {
        Ok(address) => page.ask(
            "Reading the token…",
            "Token added.",
            UiRequest::AddToken { address },
        ),
        Err(_) => page.error.set(Some(
            "Enter the token's contract address (0x followed by 40 hex digits).".into(),
        )),
    };
    view! {
        <div class="label">"Tokens"</div>
        {empty.then(|| view! {
            <p class="muted" data-testid="no-tokens">"No tokens yet. Add an ERC-20 by its contract address; sites can suggest theirs."</p>
        })}
        <ul class="rules">{rows}</ul>
        <div class="row">
            <input data-testid="token-address" placeholder="ERC-20 contract address (0x…)" bind:value=input/>
            <button class="secondary small" data-testid="add-token" disabled=move || page.busy() on:click=add>"Add token"</button>
        </div>
    }
}
