//! NFTs as the wallet lists them: the two standards (ERC-721, one owner per id; ERC-1155, a
//! balance per id) and one token of a collection. A leaf: `wallet_watchAsset` parsing
//! (`eip1193`), the approval and the stored token list all use it.

use serde::{Deserialize, Serialize};

/// An NFT's standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NftStandard {
    /// ERC-721: one owner per id.
    #[serde(rename = "ERC721")]
    Erc721,
    /// ERC-1155: a balance per id.
    #[serde(rename = "ERC1155")]
    Erc1155,
}

/// One NFT of a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Nft {
    /// Its standard.
    pub standard: NftStandard,
    /// Its id in the collection.
    pub token_id: alloy_primitives::U256,
}
