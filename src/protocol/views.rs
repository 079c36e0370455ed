//! The view models the UI renders, filled in by the background: the approval window
//! ([`ApprovalView`] with its [`RequestView`] and [`CallView`]s), the home view ([`HomeView`] and
//! its networks, tokens and sites), sessions, activity and passkeys. Plain data: everything is
//! decided before it lands here.

use alloy_primitives::{Address, B256, Bytes, U256};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The home view (the toolbar popup): the account on the selected network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HomeView {
    /// The account; `None` before onboarding.
    pub account: Option<Address>,
    /// The lock is on and the wallet is locked: nothing else is filled in.
    pub locked: bool,
    /// The selected network.
    pub chain_id: u64,
    /// Every network the wallet knows.
    pub networks: Vec<NetworkView>,
    /// The native balance (`1.5 ETH`), when the node answered.
    pub balance: Option<String>,
    /// Whether the account has code on the selected network, when the node answered.
    pub deployed: Option<bool>,
    /// The user's tokens on the selected network.
    pub tokens: Vec<TokenView>,
    /// Connected sites.
    pub sites: Vec<SiteView>,
    /// The lock settings.
    pub lock: crate::lock::LockSettings,
}

/// A network in the home view's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkView {
    /// The network.
    pub network: crate::network::Network,
    /// The user added it (so may edit or remove it); shipped networks are fixed.
    pub user_added: bool,
}

/// A token in the home view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    /// The token contract.
    pub address: Address,
    /// Its symbol.
    pub symbol: String,
    /// The account's balance in the token's units (`12.5 TST`), when the node answered.
    pub balance: Option<String>,
}

/// A connected site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteView {
    /// The origin.
    pub origin: String,
    /// When it was connected (ms since the Unix epoch).
    pub granted_at: u64,
}

/// One of the account's passkeys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasskeyView {
    /// Its credential id.
    pub credential_id: Bytes,
    /// The one this browser signs with.
    pub current: bool,
}

/// What an approval window shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalView {
    /// The approval id to resolve.
    pub id: u64,
    /// The requesting origin.
    pub origin: String,
    /// 1-based position in the queue.
    pub position: usize,
    /// Pending approvals in all.
    pub total: usize,
    /// The network's name.
    pub network: String,
    /// The network's chain id.
    pub chain_id: u64,
    /// The request.
    pub request: RequestView,
}

/// The request part of an [`ApprovalView`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RequestView {
    /// The wallet is locked: what is asked is not shown until the passkey unlocks it.
    Locked,
    /// Connect the origin to the account (onboarding first when there is none).
    #[serde(rename_all = "camelCase")]
    Connect {
        /// The account, if the wallet has one.
        account: Option<Address>,
    },
    /// Sign a message with the passkey.
    #[serde(rename_all = "camelCase")]
    SignMessage {
        /// The account.
        account: Address,
        /// The message as text, when it is printable UTF-8.
        text: Option<String>,
        /// The raw message.
        message: Bytes,
        /// What the passkey signs.
        digest: B256,
        /// The passkey to ask for.
        credential_id: Bytes,
    },
    /// Sign EIP-712 typed data with the passkey.
    #[serde(rename_all = "camelCase")]
    SignTypedData {
        /// The account.
        account: Address,
        /// The data's EIP-712 domain (JSON).
        domain: Value,
        /// The primary type.
        primary_type: String,
        /// The message (JSON).
        message: Value,
        /// What the passkey signs.
        digest: B256,
        /// The passkey to ask for.
        credential_id: Bytes,
    },
    /// Send one transaction, or an atomic batch of calls, from the account.
    #[serde(rename_all = "camelCase")]
    SendTransaction {
        /// The account.
        from: Address,
        /// The calls, executed atomically in order.
        calls: Vec<CallView>,
        /// The most the UserOperation can cost, in wei.
        max_fee: U256,
        /// Warnings about the whole request, as sentences.
        warnings: Vec<String>,
        /// Whether this operation also deploys the account.
        deploys_account: bool,
        /// The hash the passkey signs.
        user_op_hash: B256,
        /// The passkey to ask for.
        credential_id: Bytes,
        /// Why the site's session could not send this without asking, if it has one.
        session_fallback: Option<String>,
        /// The account's expected balance changes (`-0.01 ETH`, `+1.5 TST`), when the node can
        /// simulate; an empty list means nothing moves.
        balance_changes: Option<Vec<String>>,
    },
    /// Grant a session: a key the wallet holds that signs matching transactions without asking.
    #[serde(rename_all = "camelCase")]
    CreateSession {
        /// The account.
        account: Address,
        /// The session, as the user reads it.
        session: SessionView,
        /// Risk warnings, as sentences.
        warnings: Vec<String>,
        /// The most the creating UserOperation can cost, in wei.
        max_fee: U256,
        /// Whether this operation also deploys the account.
        deploys_account: bool,
        /// The hash the passkey signs.
        user_op_hash: B256,
        /// The passkey to ask for.
        credential_id: Bytes,
    },
    /// Add a network to the wallet.
    #[serde(rename_all = "camelCase")]
    AddChain {
        /// The network as the site asked for it (checked once the user approves).
        request: crate::eip1193::AddChain,
    },
    /// Add or remove one of the account's passkeys.
    #[serde(rename_all = "camelCase")]
    ChangePasskeys {
        /// `true` to add, `false` to remove.
        add: bool,
        /// The credential added or removed.
        passkey: Bytes,
        /// The most the UserOperation can cost, in wei.
        max_fee: U256,
        /// Whether this operation also deploys the account.
        deploys_account: bool,
        /// The hash the passkey signs.
        user_op_hash: B256,
        /// The passkey to ask for.
        credential_id: Bytes,
    },
    /// End a session on chain.
    #[serde(rename_all = "camelCase")]
    RevokeSession {
        /// The session.
        session: SessionView,
        /// The most the UserOperation can cost, in wei.
        max_fee: U256,
        /// The hash the passkey signs.
        user_op_hash: B256,
        /// The passkey to ask for.
        credential_id: Bytes,
    },
}

/// One sent UserOperation as the activity view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityView {
    /// The EIP-5792 batch id, or the userOpHash.
    pub id: String,
    /// The site that sent it (empty: the wallet itself).
    pub origin: String,
    /// Its chain.
    pub chain_id: u64,
    /// The UserOperation.
    pub user_op_hash: B256,
    /// When it was sent (ms since the Unix epoch; 0 if unknown).
    pub sent_at: u64,
    /// What it did.
    pub what: String,
    /// `pending`, `success` or `failed`.
    pub status: String,
    /// The bundle transaction, once included.
    pub tx_hash: Option<B256>,
    /// The transaction on the network's block explorer, when it has one.
    pub explorer_url: Option<String>,
}

/// A session as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// The session hash (ERC-7715 `context`).
    pub context: B256,
    /// The site it belongs to.
    pub origin: String,
    /// Expiry (Unix seconds).
    pub expires_at: u64,
    /// Expiry, absolute (UTC) and relative ("in 2 h 5 min").
    pub expires: String,
    /// `active`, `revoking`, `revoked`, `expired` or `keyLost`.
    pub status: String,
    /// One line per permission (fee limit, calls with their constraints, transfers).
    pub permissions: Vec<String>,
    /// What is left of each limit (from the chain plus pending uses), when known.
    pub remaining: Vec<String>,
    /// The dapp's own words, if it gave a reason.
    pub justification: Option<String>,
}

/// One call as the approval window shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallView {
    /// The callee.
    pub to: Address,
    /// Wei sent.
    pub value: U256,
    /// Calldata.
    pub data: Bytes,
    /// The decoded function, for known selectors.
    pub decoded: Option<crate::decode::DecodedCall>,
    /// Warnings about this call, as sentences.
    pub warnings: Vec<String>,
}
