//! A token a site suggests (EIP-747 `wallet_watchAsset`): the token as the chain describes it,
//! and what the site called it when that differs.

use leptos::prelude::*;

use sso_wallet::approval::AssetToWatch;

pub(super) fn watch(asset: &AssetToWatch) -> AnyView {
    view! {
        <h1 data-testid="asset-title">"Add this token to your wallet?"</h1>
        <p>"The site suggests a token. Approving lists it on your home page with its balance; it sends nothing and lets the site do nothing more."</p>
        <dl>
            <dt>"Contract"</dt><dd><code data-testid="asset-address">{asset.address.to_checksum(None)}</code></dd>
            <dt>"Symbol (the token's own claim)"</dt><dd data-testid="asset-symbol">{asset.symbol.clone()}</dd>
            <dt>"Decimals"</dt><dd data-testid="asset-decimals">{asset.decimals.to_string()}</dd>
        </dl>
        {asset.claimed_symbol.clone().map(|claimed| view! {
            <p class="warning" data-testid="asset-claimed">{format!(
                "The site calls it “{claimed}”, but the token calls itself “{}”.",
                asset.symbol
            )}</p>
        })}
    }
    .into_any()
}
