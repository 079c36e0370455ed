//! Adding a network a site suggested (EIP-3085): what it names, checked only once approved.

use leptos::prelude::*;

use sso_wallet::eip1193::AddChain;

pub(super) fn add(request: &AddChain) -> AnyView {
    view! {
        <h1 data-testid="chain-title">"Add this network?"</h1>
        <p>"The site suggests a network. When you approve, SSO Wallet checks that its node answers for this chain, that a bundler serves the EntryPoint, and that your account's contracts are deployed there; the network is added only if all of that holds."</p>
        <dl>
            <dt>"Name"</dt><dd data-testid="chain-name">{request.name.clone()}</dd>
            <dt>"Chain id"</dt><dd data-testid="chain-id">{request.chain_id.to_string()}</dd>
            <dt>"Node"</dt>
            {request.rpc_urls.iter().map(|url| view! { <dd><code data-testid="chain-rpc">{url.clone()}</code></dd> }).collect_view()}
            <dt>"Bundler"</dt>
            {if request.bundler_urls.is_empty() {
                view! { <dd data-testid="chain-bundler">"the node itself, if it serves ERC-4337"</dd> }.into_any()
            } else {
                request.bundler_urls.iter().map(|url| view! { <dd><code data-testid="chain-bundler">{url.clone()}</code></dd> }).collect_view().into_any()
            }}
            {request.explorer_url.clone().map(|url| view! {
                <dt>"Explorer"</dt><dd><code data-testid="chain-explorer">{url}</code></dd>
            })}
        </dl>
    }
    .into_any()
}
