//! A token a site suggests (EIP-747 `wallet_watchAsset`): an ERC-20 as the chain describes it, or
//! an NFT the account holds (checked on chain), and what the site called it when that differs.

use leptos::prelude::*;

use sso_wallet::approval::AssetToWatch;
use sso_wallet::nft::NftStandard;

pub(super) fn watch(asset: &AssetToWatch) -> AnyView {
    let claimed = asset.claimed_symbol.clone().map(|claimed| {
        view! {
            <p class="warning" data-testid="asset-claimed">{format!(
                "The site calls it “{claimed}”, but the token calls itself “{}”.",
                asset.symbol
            )}</p>
        }
    });
    let contract = view! {
        <dt>"Contract"</dt><dd><code data-testid="asset-address">{asset.address.to_checksum(None)}</code></dd>
    };
    if let Some(nft) = asset.nft {
        let standard = match nft.standard {
            NftStandard::Erc721 => "ERC-721",
            NftStandard::Erc1155 => "ERC-1155",
        };
        return view! {
            <h1 data-testid="asset-title">"Add this NFT to your wallet?"</h1>
            <p>"Your account holds this NFT. Approving lists it on your home page; it sends nothing and lets the site do nothing more."</p>
            <dl>
                {contract}
                <dt>"Standard"</dt><dd data-testid="asset-standard">{standard}</dd>
                <dt>"Token id"</dt><dd data-testid="asset-token-id">{nft.token_id.to_string()}</dd>
                <dt>"Collection symbol (its own claim)"</dt><dd data-testid="asset-symbol">{
                    if asset.symbol.is_empty() { "none".to_owned() } else { asset.symbol.clone() }
                }</dd>
            </dl>
            {claimed}
        }
        .into_any();
    }
    view! {
        <h1 data-testid="asset-title">"Add this token to your wallet?"</h1>
        <p>"The site suggests a token. Approving lists it on your home page with its balance; it sends nothing and lets the site do nothing more."</p>
        <dl>
            {contract}
            <dt>"Symbol (the token's own claim)"</dt><dd data-testid="asset-symbol">{asset.symbol.clone()}</dd>
            <dt>"Decimals"</dt><dd data-testid="asset-decimals">{asset.decimals.to_string()}</dd>
        </dl>
        {claimed}
    }
    .into_any()
}
