//! Connected sites, each with Disconnect.

use leptos::prelude::*;

use sso_wallet::protocol::{HomeView, UiRequest};

use super::Page;

pub(super) fn sites_view(page: Page, home: &HomeView) -> impl IntoView + use<> {
    let rows = home
        .sites
        .iter()
        .map(|site| {
            let origin = site.origin.clone();
            let disconnect = origin.clone();
            let shown = origin.clone();
            view! {
                <li data-testid="site" data-origin=origin>
                    <span class="origin">{shown}</span>
                    <button class="secondary small" data-testid="disconnect-site"
                        on:click=move |_| page.ask("Disconnecting…", "Disconnected. Its sessions ended here (keys erased); they stay open on chain until you revoke them under Sessions.", UiRequest::Disconnect { origin: disconnect.clone() })>"Disconnect"</button>
                </li>
            }
        })
        .collect::<Vec<_>>();
    let empty = rows.is_empty();
    view! {
        <section id="sites">
            <h1>"Connected sites"</h1>
            {empty.then(|| view! { <p class="muted" data-testid="no-sites">"No site is connected."</p> })}
            <ul class="rules">{rows}</ul>
        </section>
    }
}
