//! The view models the UI renders, filled in by the background: the approval window
//! ([`ApprovalView`] with its [`RequestView`] and [`CallView`]s), the home view ([`HomeView`] and
//! its networks, tokens and sites), sessions, activity and passkeys. Plain data: everything is
//! decided before it lands here.

use alloy_primitives::{Address, B256, Bytes, U256};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::session::registry::{Ended, SessionStatus};

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
    /// Chains the settings fill in by chain id.
    pub presets: Vec<crate::network::Preset>,
    /// Why the selected network cannot be used, when it cannot (e.g. "SSO Wallet is not
    /// deployed on … yet").
    pub unusable: Option<String>,
    /// The native balance (`0.986028 ETH`, exactly `0.986028253125518616 ETH`), when the node
    /// answered.
    pub balance: Option<crate::units::Readable>,
    /// Whether the account has code on the selected network, when the node answered.
    pub deployed: Option<bool>,
    /// The user's tokens on the selected network.
    pub tokens: Vec<TokenView>,
    /// Connected sites.
    pub sites: Vec<SiteView>,
    /// The lock settings.
    pub lock: crate::lock::LockSettings,
    /// Recoveries of the account pending on any of the wallet's networks: shown loudly.
    #[serde(default)]
    pub recovery_alerts: Vec<RecoveryAlert>,
    /// Networks whose recovery state could not be read (their node did not answer).
    #[serde(default)]
    pub recovery_unknown: Vec<String>,
}

/// A network in the home view's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkView {
    /// The network.
    pub network: crate::network::Network,
    /// Where it comes from (what the settings offer: edit, reset, remove).
    pub source: NetworkSource,
}

/// Where a network in the list comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NetworkSource {
    /// Shipped with the wallet, as shipped: it can be edited (e.g. its bundler), not removed.
    Shipped,
    /// Shipped, with the user's edits: it can be reset to the shipped one.
    EditedShipped,
    /// Added by the user or a site: it can be edited and removed.
    Added,
}

impl NetworkSource {
    /// As `data-source` names it.
    pub fn as_str(self) -> &'static str {
        match self {
            NetworkSource::Shipped => "shipped",
            NetworkSource::EditedShipped => "edited",
            NetworkSource::Added => "added",
        }
    }
}

/// A token in the home view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    /// The token contract.
    pub address: Address,
    /// Its symbol.
    pub symbol: String,
    /// The account's balance in the token's units (`12.5 TST`; an NFT: `NFT #7 of TNFT`, or
    /// `5 × #2 of 0x…`), at a glance and exactly, when the node answered.
    pub balance: Option<crate::units::Readable>,
    /// The NFT's id, for an NFT.
    #[serde(default)]
    pub token_id: Option<U256>,
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
    /// The WebAuthn origin it signs for (each browser's wallet has its own).
    #[serde(default)]
    pub origin: String,
    /// Whether that origin is this browser's wallet's (only such passkeys can sign here).
    #[serde(default)]
    pub here: bool,
    /// Its name, when this browser knows one (given where it was created, or renamed here).
    #[serde(default)]
    pub name: Option<String>,
    /// The browser it was created in ("Chrome", "Firefox"), from its origin.
    #[serde(default)]
    pub browser: String,
    /// When it was registered (Unix seconds, its block's time), when the node said.
    #[serde(default)]
    pub created_at: Option<u64>,
    /// When it last signed one of the account's operations on this network (Unix seconds), among
    /// the account's latest operations.
    #[serde(default)]
    pub last_used: Option<u64>,
}

/// One of the account's modules, as the home page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModuleView {
    /// Its type.
    pub module_type: crate::modules::ModuleType,
    /// The module.
    pub module: Address,
    /// Its name, when the wallet knows it.
    pub name: Option<String>,
    /// The selectors it handles (fallback handlers; those the wallet installed or was told of).
    pub selectors: Vec<alloy_primitives::FixedBytes<4>>,
    /// Why the wallet will not uninstall it, if it will not.
    pub kept: Option<String>,
}

pub use crate::modules::ModuleChangeView;

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
    /// What the passkey signs if the user approves (`None`: approving signs nothing, or the
    /// wallet is locked and shows nothing).
    pub signing: Option<SigningRequest>,
    /// A recovery of the account is pending on this network: every window says so.
    #[serde(default)]
    pub recovery_alert: Option<RecoveryAlert>,
}

/// A pending recovery of the account, as every device that holds one of its passkeys shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryAlert {
    /// The network.
    pub network: String,
    /// Its chain id (where a cancel goes).
    #[serde(default)]
    pub chain_id: u64,
    /// How many approvals a request needs.
    pub threshold: u8,
    /// The requests of the round (a new passkey each), most advanced first.
    pub requests: Vec<RecoveryRequestView>,
    /// How many more requests the round has (not shown).
    #[serde(default)]
    pub more: usize,
    /// The chain's time (Unix seconds) when this was read.
    pub now: u64,
}

/// One request of a pending recovery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryRequestView {
    /// The request's fingerprint.
    pub fingerprint: String,
    /// The browser it was made in ("Chrome", "Firefox"), or that its origin is no wallet's.
    pub browser: String,
    /// The guardians who approved.
    pub approved_by: Vec<Address>,
    /// When it can be finalized (Unix seconds), once enough guardians approved.
    pub ready_at: Option<u64>,
}

/// The Recovery tab: the account's guardians and what is pending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryView {
    /// The account (what another user names as their guardian).
    pub account: Address,
    /// The network.
    pub network: String,
    /// Why recovery cannot be set up on this network, if it cannot.
    pub unavailable: Option<String>,
    /// Whether the module is installed on the account.
    pub installed: bool,
    /// The guardians, threshold and delay (none set: `None`).
    pub setup: Option<crate::guardian_recovery::Setup>,
    /// The pending recovery, if any.
    pub alert: Option<RecoveryAlert>,
}

/// A recovery request a guardian pasted, as its window shows it before approving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryCodeView {
    /// The account to recover.
    pub account: Address,
    /// The network the request is for.
    pub network: String,
    /// The request's fingerprint.
    pub fingerprint: String,
    /// Who asks, in their words.
    pub name: String,
    /// The browser the new passkey was made in.
    pub browser: String,
    /// Whether this browser's account is one of its guardians.
    pub guardian: bool,
    /// Whether this account approved it already.
    pub approved: bool,
    /// Why it cannot be approved, if it cannot (another round, recovery off, not a guardian).
    pub problem: Option<String>,
}

/// A recovery this browser started, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveringView {
    /// The code to share with the guardians.
    pub code: String,
    /// The account.
    pub account: Address,
    /// The network.
    pub network: String,
    /// The request's fingerprint.
    pub fingerprint: String,
    /// The account's guardians.
    pub guardians: Vec<Address>,
    /// How many must approve.
    pub threshold: u8,
    /// Those who approved on chain.
    pub approved_by: Vec<Address>,
    /// Guardians' signatures pasted here, not submitted yet.
    pub signed_by: Vec<Address>,
    /// When it can be finalized (Unix seconds), once enough guardians approved.
    pub ready_at: Option<u64>,
    /// The chain's time (Unix seconds) when this was read.
    pub now: u64,
    /// The request no longer counts (the owner cancelled, or the guardians changed): start again.
    pub void: bool,
    /// The EIP-712 typed data an EOA guardian signs (`eth_signTypedData_v4`), as JSON text.
    pub typed_data: String,
}

/// What the passkey signs for an approval, the same for every kind of request it signs: the UI
/// asks the passkey for `hash` with `credential_id` and sends the assertion back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SigningRequest {
    /// The hash the passkey signs: a UserOperation's hash, or a message's ERC-1271 digest.
    pub hash: B256,
    /// The passkey to ask for.
    pub credential_id: Bytes,
    /// The UserOperation it sends, when it sends one (a signature of a message sends nothing).
    pub operation: Option<OperationView>,
}

/// The UserOperation an approval sends: what it can cost and whether it deploys the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationView {
    /// The most the UserOperation can cost the account, in wei (0 when a sponsor pays).
    pub max_fee: U256,
    /// Whether this operation also deploys the account.
    pub deploys_account: bool,
    /// Who pays the fees instead of the account (ERC-7677), if anyone.
    #[serde(default)]
    pub sponsor: Option<crate::erc7677::Sponsor>,
}

/// A Sign-In with Ethereum (EIP-4361) message, as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInView {
    /// The site to be signed in to (with its scheme when the message names one).
    pub domain: String,
    /// The account named.
    pub address: Address,
    /// The site's statement.
    pub statement: Option<String>,
    /// The URI it is for.
    pub uri: String,
    /// The chain named.
    pub chain_id: u64,
    /// The site's nonce.
    pub nonce: String,
    /// When it was issued, as the message says.
    pub issued_at: String,
    /// When it expires (UTC), or that it does not.
    pub expires: String,
    /// The site's request id, if any.
    pub request_id: Option<String>,
    /// Resources the sign-in also covers (EIP-5573 capabilities among them), as written.
    pub resources: Vec<String>,
    /// What the user must know (another site, account or chain; expired; not yet valid).
    pub warnings: Vec<String>,
}

/// A signature that lets others move the account's tokens (ERC-2612, Permit2, Seaport), as the
/// window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermitView {
    /// Which kind.
    pub kind: crate::permit::PermitKind,
    /// Who may spend, if a spender is named.
    pub spender: Option<Address>,
    /// What may be taken, one line per token ("Unlimited USDC", "1.5 USDC", "NFT #42 of 0x…").
    pub gives: Vec<String>,
    /// A Seaport order: what comes back to the account.
    pub receives: Vec<String>,
    /// Until when it can be used (UTC), or "Never expires".
    pub valid_until: String,
    /// Until when the signature can be submitted (Permit2's `sigDeadline`), if named.
    pub signature_deadline: Option<String>,
    /// Unlimited amounts, long or endless validity, an order that gets nothing back.
    pub warnings: Vec<String>,
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
        /// The message read as a Sign-In with Ethereum request, when it is one.
        #[serde(default)]
        sign_in: Option<SignInView>,
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
        /// What the signature lets others take, when it is a permit or an order.
        #[serde(default)]
        permit: Option<PermitView>,
    },
    /// Send one transaction, or an atomic batch of calls, from the account.
    #[serde(rename_all = "camelCase")]
    SendTransaction {
        /// The account.
        from: Address,
        /// The calls, executed atomically in order.
        calls: Vec<CallView>,
        /// Warnings about the whole request, as sentences.
        warnings: Vec<String>,
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
    },
    /// List a token a site suggested (EIP-747) on the home page.
    #[serde(rename_all = "camelCase")]
    WatchAsset {
        /// The token, as the chain describes it.
        asset: crate::approval::AssetToWatch,
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
        /// The WebAuthn origin it signs for when that is another browser's wallet (a passkey
        /// brought over with a code, `passkey_link`); `None`: this browser's.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        other_origin: Option<String>,
    },
    /// Install or uninstall one of the account's ERC-7579 modules.
    #[serde(rename_all = "camelCase")]
    ChangeModule {
        /// What changes.
        module: Box<ModuleChangeView>,
    },
    /// Set guardians, cancel a recovery, or approve another account's recovery.
    #[serde(rename_all = "camelCase")]
    Recovery {
        /// What is done.
        change: crate::guardian_recovery::RecoveryChange,
    },
    /// End a session on chain.
    #[serde(rename_all = "camelCase")]
    RevokeSession {
        /// The session.
        session: SessionView,
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
    /// Whether it was included, and how it went.
    pub status: ActivityStatus,
    /// The bundle transaction, once included.
    pub tx_hash: Option<B256>,
    /// The transaction on the network's block explorer, when it has one.
    pub explorer_url: Option<String>,
    /// Why it failed, in words (failed ones only).
    #[serde(default)]
    pub failure: Option<String>,
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
    /// Expiry, absolute (UTC) and relative ("2027-01-15 08:00:00 UTC (in 2 h 5 min)").
    pub expires: String,
    /// Expiry, relative ("in 2 h 5 min"; the page shows it after the date in the user's locale).
    pub expires_in: String,
    /// How it stands.
    pub status: SessionStatusView,
    /// One line per permission (fee limit, calls with their constraints, transfers).
    pub permissions: Vec<String>,
    /// What is left of each limit (from the chain plus pending uses), when known; amounts at
    /// a glance and exactly.
    pub remaining: Vec<crate::units::Readable>,
    /// The dapp's own words, if it gave a reason.
    pub justification: Option<String>,
}

/// Where a sent UserOperation stands, from its network's bundler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ActivityStatus {
    /// Not included yet (or the bundler does not know it).
    Pending,
    /// Included, and its calls ran.
    Success,
    /// Included, and its calls reverted: nothing happened but the fee.
    Failed,
}

impl ActivityStatus {
    /// Its name on the wire (`pending`, `success`, `failed`), as pages' test hooks read it.
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityStatus::Pending => "pending",
            ActivityStatus::Success => "success",
            ActivityStatus::Failed => "failed",
        }
    }
}

/// How a session stands, as the UI shows it (the stored [`SessionStatus`] at chain time, flat).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SessionStatusView {
    /// Usable.
    Active,
    /// Its key is erased; the revocation waits for the passkey.
    Revoking,
    /// Revoked.
    Revoked,
    /// Past its expiry.
    Expired,
    /// Open on chain, but this browser does not hold its key.
    KeyLost,
    /// Its site was disconnected: its key is erased; it is open on chain until revoked.
    Disconnected,
}

impl SessionStatusView {
    /// Its name on the wire (`active`, `keyLost`, …), as pages' test hooks read it.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatusView::Active => "active",
            SessionStatusView::Revoking => "revoking",
            SessionStatusView::Revoked => "revoked",
            SessionStatusView::Expired => "expired",
            SessionStatusView::KeyLost => "keyLost",
            SessionStatusView::Disconnected => "disconnected",
        }
    }

    /// Whether the session can still be closed on chain (it is neither revoked nor expired).
    pub fn revocable(self) -> bool {
        !matches!(
            self,
            SessionStatusView::Revoked | SessionStatusView::Expired
        )
    }
}

impl From<SessionStatus> for SessionStatusView {
    fn from(status: SessionStatus) -> Self {
        match status {
            SessionStatus::Active => SessionStatusView::Active,
            SessionStatus::Revoking => SessionStatusView::Revoking,
            SessionStatus::Ended(Ended::Revoked) => SessionStatusView::Revoked,
            SessionStatus::Ended(Ended::Expired) => SessionStatusView::Expired,
            SessionStatus::Ended(Ended::KeyLost) => SessionStatusView::KeyLost,
            SessionStatus::Ended(Ended::Disconnected) => SessionStatusView::Disconnected,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The names pages' test hooks read (`data-status`) are the statuses' wire names.
    #[test]
    fn status_names_are_their_wire_names() {
        use SessionStatusView::*;
        for status in [Active, Revoking, Revoked, Expired, KeyLost, Disconnected] {
            assert_eq!(serde_json::json!(status), status.as_str());
        }
        for status in [
            ActivityStatus::Pending,
            ActivityStatus::Success,
            ActivityStatus::Failed,
        ] {
            assert_eq!(serde_json::json!(status), status.as_str());
        }
    }

    #[test]
    fn only_live_sessions_are_revocable() {
        use SessionStatusView::*;
        let revocable: Vec<_> = [Active, Revoking, Revoked, Expired, KeyLost, Disconnected]
            .into_iter()
            .filter(|s| s.revocable())
            .collect();
        assert_eq!(revocable, [Active, Revoking, KeyLost, Disconnected]);
        assert_eq!(
            SessionStatusView::from(SessionStatus::Ended(Ended::Disconnected)),
            Disconnected
        );
    }
}
