//! Activity: every UserOperation sent, newest first; `?calls=<id>` highlights one batch.

use leptos::prelude::*;

use sso_wallet::protocol::{ActivityStatus, ActivityView, HomeView};

use super::Page;
use crate::widgets::{is_wallet_origin, local_time};

/// The batch named by `?calls=<id>` (`wallet_showCallsStatus`), if any.
fn selected_batch() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let encoded = search.strip_prefix("?calls=")?;
    js_sys::decode_uri_component(encoded).ok().map(String::from)
}

pub(super) fn activity_view(page: Page, home: &HomeView) -> impl IntoView + use<> {
    let selected = selected_batch();
    let names: Vec<(u64, String)> = home
        .networks
        .iter()
        .map(|n| (n.network.chain_id, n.network.name.clone()))
        .collect();
    view! {
        <section id="activity">
            <h1>"Activity"</h1>
            {move || match page.activity.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(items) if items.is_empty() => view! {
                    <p class="muted" data-testid="no-activity">"Nothing sent yet."</p>
                }.into_any(),
                Some(items) => items
                    .into_iter()
                    .map(|item| activity_item(item, selected.as_deref(), &names))
                    .collect::<Vec<_>>()
                    .into_any(),
            }}
        </section>
    }
}

fn activity_item(
    item: ActivityView,
    selected: Option<&str>,
    names: &[(u64, String)],
) -> impl IntoView + use<> {
    let is_selected = selected == Some(item.id.as_str());
    let status = match item.status {
        ActivityStatus::Success => "Success",
        ActivityStatus::Failed => "Failed (nothing happened)",
        ActivityStatus::Pending => "Pending",
    };
    let origin = if item.origin.is_empty() || is_wallet_origin(&item.origin) {
        "SSO Wallet".to_owned()
    } else {
        item.origin.clone()
    };
    let chain = names
        .iter()
        .find(|(id, _)| *id == item.chain_id)
        .map(|(_, name)| name.clone())
        .unwrap_or_else(|| format!("chain {}", item.chain_id));
    let when = if item.sent_at == 0 {
        String::new()
    } else {
        local_time(item.sent_at)
    };
    let what = if item.what.is_empty() {
        "A batch of calls".to_owned()
    } else {
        item.what.clone()
    };
    view! {
        <section class="activity" class:selected=is_selected data-testid="activity-item"
            data-id=item.id.clone() data-user-op-hash=item.user_op_hash.to_string()
            data-status=item.status.as_str() data-selected=is_selected.to_string()>
            <div data-testid="activity-what">{what}</div>
            <div class="origin" data-testid="activity-origin">{origin}</div>
            <div data-testid="activity-status">{status}</div>
            {item.failure.map(|why| view! { <div class="error" data-testid="activity-failure">{format!("Why: {why}")}</div> })}
            <div class="muted" data-testid="activity-time">{format!("{when} · {chain}")}</div>
            {item.tx_hash.map(|hash| view! {
                <div class="label">"Transaction"</div>
                <code class="data" data-testid="activity-tx">{hash.to_string()}</code>
            })}
            <div class="label">"UserOperation (what bundlers and ERC-4337 explorers search by)"</div>
            <code class="data" data-testid="activity-user-op">{item.user_op_hash.to_string()}</code>
            {item.explorer_url.map(|url| view! {
                <a data-testid="activity-explorer" href=url target="_blank" rel="noopener">"View on explorer"</a>
            })}
        </section>
    }
}
