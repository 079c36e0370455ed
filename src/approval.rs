//! The approval queue: every request that needs the user waits here with an id until the UI
//! resolves it by that id. Resolving takes the approval out of the queue, so it can never run
//! twice; unknown or stale ids are refused.

use alloy_primitives::B256;
use serde::{Deserialize, Serialize};

use crate::decode::{DecodedCall, Warning};
use crate::erc4337::UserOperation;
use crate::erc7579::Call;
use crate::{Error, Result};

/// Where the dapp's answer goes: the page (its content script's random per-document id, which
/// survives a service-worker restart, unlike the port) and the page's request id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyTo {
    /// The page's id (from its port name); empty when no page waits.
    pub page: String,
    /// The page's request id.
    pub request: u64,
}

impl ReplyTo {
    /// No page waits for the answer (the wallet's own UI asked).
    pub fn nobody() -> ReplyTo {
        ReplyTo {
            page: String::new(),
            request: 0,
        }
    }
}

/// A transaction prepared for signing: the userOpHash is what the passkey signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreparedTransaction {
    /// The chain it is for.
    pub chain_id: u64,
    /// The calls the dapp asked for (one for `eth_sendTransaction`), executed atomically.
    pub calls: Vec<Call>,
    /// The UserOperation, signature still the dummy.
    pub user_op: UserOperation,
    /// Per call: its decoding (known selectors) and warnings, in call order.
    #[serde(default)]
    pub explained: Vec<ExplainedCall>,
    /// Warnings about the whole request (value over the balance).
    #[serde(default)]
    pub warnings: Vec<Warning>,
    /// Its hash.
    pub user_op_hash: B256,
    /// Why the dapp's session could not cover this request, when it fell back to the passkey.
    #[serde(default)]
    pub session_fallback: Option<String>,
    /// The account's expected balance changes (`eth_simulateV1`), when the node can simulate.
    #[serde(default)]
    pub balance_changes: Option<Vec<String>>,
    /// Who pays the fees, when an ERC-7677 paymaster service sponsors the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sponsorship: Option<crate::erc7677::Sponsorship>,
}

impl PreparedTransaction {
    /// Whether the operation still fits the account on chain: `next_nonce` is the nonce the
    /// EntryPoint expects next on the operation's key, and it deploys the account exactly while
    /// the account has no code. An operation queued behind another one of the account's was
    /// prepared with the same nonce (and, before the first deployed the account, with the
    /// deployment): it no longer fits once that one is included, and is prepared again.
    pub fn fits(&self, next_nonce: alloy_primitives::U256, deployed: bool) -> bool {
        self.user_op.nonce == next_nonce && self.user_op.factory.is_some() != deployed
    }
}

/// What the approval window says about one call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExplainedCall {
    /// The decoded function and arguments, for known selectors.
    pub decoded: Option<DecodedCall>,
    /// Warnings about the call.
    pub warnings: Vec<Warning>,
}

/// A token a site suggested (an ERC-20, or an NFT the account holds), as the chain describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetToWatch {
    /// The chain it was suggested on.
    pub chain_id: u64,
    /// The token contract.
    pub address: alloy_primitives::Address,
    /// `symbol()`, as the token answers it (checked readable).
    pub symbol: String,
    /// `decimals()`.
    pub decimals: u8,
    /// What the site called it, when that differs from the token's own symbol.
    pub claimed_symbol: Option<String>,
    /// An NFT the account holds (its standard and id), rather than an ERC-20.
    #[serde(default)]
    pub nft: Option<crate::nft::Nft>,
}

/// A message signature prepared for the passkey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreparedSignature {
    /// What the user is shown.
    pub content: SignContent,
    /// The digest the passkey signs (ERC-7739, bound to the account and chain).
    pub digest: B256,
    /// Appended after the WebAuthn signature data (ERC-7739 `TypedDataSign` fields), if any.
    pub suffix: alloy_primitives::Bytes,
    /// The chain the digest is bound to (the window shows it, and the signature is made for
    /// it, whatever network is selected when the user approves).
    pub chain_id: u64,
}

/// The content of a signature request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SignContent {
    /// `personal_sign` bytes.
    Message {
        /// The raw message.
        message: alloy_primitives::Bytes,
    },
    /// `eth_signTypedData_v4` JSON.
    TypedData {
        /// The typed data as the dapp sent it.
        typed_data: serde_json::Value,
    },
}

/// What is being approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ApprovalKind {
    /// Connect the origin (create a passkey first if needed); the dapp gets the accounts.
    Connect,
    /// EIP-2255: the same consent, answered with the permission objects.
    RequestPermissions,
    /// Sign and send a transaction; the dapp gets the transaction hash once it is included.
    SendTransaction(Box<PreparedTransaction>),
    /// Sign a message (`personal_sign`) or typed data (`eth_signTypedData_v4`) with the passkey.
    Sign(Box<PreparedSignature>),
    /// Sign and send an EIP-5792 batch; the dapp gets the batch id once it is submitted.
    SendCalls {
        /// The prepared UserOperation.
        prepared: Box<PreparedTransaction>,
        /// The batch id the dapp will poll with `wallet_getCallsStatus`.
        id: String,
    },
    /// Create a session: one passkey-signed UserOperation that installs the session validator
    /// when needed and registers the session (and deploys the account when needed).
    CreateSession(Box<SessionCreation>),
    /// Add a network (EIP-3085) as the site asked; checked to run the account once approved.
    AddChain(Box<crate::eip1193::AddChain>),
    /// List an ERC-20 a site suggested (EIP-747) on the home page.
    WatchAsset(Box<AssetToWatch>),
    /// Revoke a session on chain (`revokeKey`), passkey-signed.
    RevokeSession {
        /// The prepared UserOperation.
        prepared: Box<PreparedTransaction>,
        /// The session hash.
        context: B256,
    },
    /// Install or uninstall an ERC-7579 module, passkey-signed.
    ChangeModule {
        /// The prepared UserOperation (the account's `installModule` / `uninstallModule`).
        prepared: Box<PreparedTransaction>,
        /// What the window shows (and what is carried out).
        view: Box<crate::modules::ModuleChangeView>,
        /// The sessions an uninstall of the session validator closes (their keys are erased
        /// once it is included).
        closes: Vec<B256>,
    },
    /// Set the account's guardians or cancel its pending recovery, or approve another
    /// account's recovery as its guardian; passkey-signed.
    Recovery {
        /// The prepared UserOperation.
        prepared: Box<PreparedTransaction>,
        /// What is done.
        change: crate::guardian_recovery::RecoveryChange,
    },
    /// Add or remove one of the account's passkeys, signed by the passkey this browser uses.
    ChangePasskeys {
        /// The prepared UserOperation (`addValidationKey` / `removeValidationKey`).
        prepared: Box<PreparedTransaction>,
        /// What changes.
        change: PasskeyChange,
    },
}

/// A change to the account's passkeys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PasskeyChange {
    /// Register a new passkey.
    Add {
        /// The passkey.
        passkey: crate::webauthn::Passkey,
        /// The origin it signs for when it is another browser's wallet's (`None`: this one's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        origin: Option<String>,
    },
    /// Remove a passkey.
    #[serde(rename_all = "camelCase")]
    Remove {
        /// Its credential id.
        credential_id: alloy_primitives::Bytes,
        /// The origin it is registered under when it is another browser's (`None`: this one's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        origin: Option<String>,
    },
}

impl PasskeyChange {
    /// The credential added or removed.
    pub fn credential_id(&self) -> &alloy_primitives::Bytes {
        match self {
            PasskeyChange::Add { passkey, .. } => &passkey.credential_id,
            PasskeyChange::Remove { credential_id, .. } => credential_id,
        }
    }

    /// The origin of the passkey when it is another browser's wallet's.
    pub fn other_origin(&self) -> Option<&str> {
        match self {
            PasskeyChange::Add { origin, .. } | PasskeyChange::Remove { origin, .. } => {
                origin.as_deref()
            }
        }
    }
}

impl ApprovalKind {
    /// The chain the request is bound to: a transaction's or a signature's (`None`: the
    /// request is not tied to a chain).
    pub fn chain_id(&self) -> Option<u64> {
        match self {
            ApprovalKind::Sign(sign) => Some(sign.chain_id),
            other => other.prepared().map(|tx| tx.chain_id),
        }
    }

    /// What the passkey signs to approve this request (`None`: no signature needed).
    pub fn signed_digest(&self) -> Option<B256> {
        match self {
            ApprovalKind::Sign(sign) => Some(sign.digest),
            other => other.prepared().map(|tx| tx.user_op_hash),
        }
    }

    /// The prepared UserOperation, to prepare again (see [`PreparedTransaction::fits`]).
    fn prepared_mut(&mut self) -> Option<&mut PreparedTransaction> {
        match self {
            ApprovalKind::SendTransaction(tx)
            | ApprovalKind::SendCalls { prepared: tx, .. }
            | ApprovalKind::RevokeSession { prepared: tx, .. }
            | ApprovalKind::ChangePasskeys { prepared: tx, .. }
            | ApprovalKind::Recovery { prepared: tx, .. }
            | ApprovalKind::ChangeModule { prepared: tx, .. } => Some(tx),
            ApprovalKind::CreateSession(creation) => Some(&mut creation.prepared),
            ApprovalKind::Connect
            | ApprovalKind::RequestPermissions
            | ApprovalKind::Sign(_)
            | ApprovalKind::AddChain(_)
            | ApprovalKind::WatchAsset(_) => None,
        }
    }

    /// The prepared UserOperation, for the kinds that send one.
    pub fn prepared(&self) -> Option<&PreparedTransaction> {
        match self {
            ApprovalKind::SendTransaction(tx)
            | ApprovalKind::SendCalls { prepared: tx, .. }
            | ApprovalKind::RevokeSession { prepared: tx, .. }
            | ApprovalKind::ChangePasskeys { prepared: tx, .. }
            | ApprovalKind::Recovery { prepared: tx, .. }
            | ApprovalKind::ChangeModule { prepared: tx, .. } => Some(tx),
            ApprovalKind::CreateSession(creation) => Some(&creation.prepared),
            ApprovalKind::Connect
            | ApprovalKind::RequestPermissions
            | ApprovalKind::Sign(_)
            | ApprovalKind::AddChain(_)
            | ApprovalKind::WatchAsset(_) => None,
        }
    }
}

/// A session waiting for the user's approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionCreation {
    /// The UserOperation that creates it.
    pub prepared: PreparedTransaction,
    /// The record kept once it exists on chain.
    pub record: crate::session::registry::SessionRecord,
    /// The session's private key (stays in the background).
    pub key: B256,
    /// Warnings for the user.
    pub warnings: Vec<String>,
}

/// One pending approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Approval {
    /// Its id.
    pub id: u64,
    /// The requesting origin (from the port sender, never from the message).
    pub origin: String,
    /// Where the answer goes.
    pub reply_to: ReplyTo,
    /// What is asked.
    pub kind: ApprovalKind,
}

/// `chrome.storage.session` key of the pending approvals (and the approval window), so a
/// service-worker restart loses none of them.
pub const APPROVALS_KEY: &str = "approvals";

/// Pending approvals in arrival order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalQueue {
    next_id: u64,
    pending: Vec<Approval>,
}

/// Most approvals waiting at once (the queue is rewritten to `chrome.storage.session`, whose
/// quota the session keys share).
pub const MAX_PENDING: usize = 12;
/// Most approvals one origin may have waiting besides its connect request.
pub const MAX_PENDING_PER_ORIGIN: usize = 3;

impl ApprovalKind {
    /// Whether this is a connect request (one per origin may wait).
    fn is_connect(&self) -> bool {
        matches!(
            self,
            ApprovalKind::Connect | ApprovalKind::RequestPermissions
        )
    }
}

impl ApprovalKind {
    /// Whether this cancels a pending recovery of the account.
    pub fn is_recovery_cancel(&self) -> bool {
        matches!(
            self,
            ApprovalKind::Recovery {
                change: crate::guardian_recovery::RecoveryChange::Cancel,
                ..
            }
        )
    }
}

impl ApprovalQueue {
    /// Adds an approval and returns its id. Refused with [`Error::RequestPending`] (−32002)
    /// when the origin already waits for a connect (for another connect), has
    /// [`MAX_PENDING_PER_ORIGIN`] other requests waiting, or the queue is full.
    pub fn push(&mut self, origin: String, reply_to: ReplyTo, kind: ApprovalKind) -> Result<u64> {
        let mine = || self.pending.iter().filter(|a| a.origin == origin);
        if kind.is_connect() && mine().any(|a| a.kind.is_connect()) {
            return Err(Error::RequestPending(format!(
                "A connect request from {origin} is already waiting for the user."
            )));
        }
        if !kind.is_connect()
            && mine().filter(|a| !a.kind.is_connect()).count() >= MAX_PENDING_PER_ORIGIN
        {
            return Err(Error::RequestPending(format!(
                "{origin} already has {MAX_PENDING_PER_ORIGIN} requests waiting for the user; wait for them to be answered."
            )));
        }
        // The wallet's own pages (nobody waits on a page) are not held up by sites' requests.
        if self.pending.len() >= MAX_PENDING && !reply_to.page.is_empty() {
            return Err(Error::RequestPending(
                "SSO Wallet has too many requests waiting for the user; try again once some are answered.".into(),
            ));
        }
        self.next_id += 1;
        let id = self.next_id;
        // Cancelling a recovery of the account goes first: the owner is racing its delay.
        let at = if kind.is_recovery_cancel() {
            0
        } else {
            self.pending.len()
        };
        self.pending.insert(
            at,
            Approval {
                id,
                origin,
                reply_to,
                kind,
            },
        );
        Ok(id)
    }

    /// The approval with this id and its 1-based position.
    pub fn get(&self, id: u64) -> Result<(usize, &Approval)> {
        self.pending
            .iter()
            .enumerate()
            .find(|(_, a)| a.id == id)
            .map(|(i, a)| (i + 1, a))
            .ok_or(Error::UnknownApproval(id))
    }

    /// The first pending approval.
    pub fn first(&self) -> Option<&Approval> {
        self.pending.first()
    }

    /// Number of pending approvals.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Takes the approval out of the queue to carry it out or reject it; a second call with the
    /// same id fails, so nothing is executed twice.
    pub fn take(&mut self, id: u64) -> Result<Approval> {
        let index = self
            .pending
            .iter()
            .position(|a| a.id == id)
            .ok_or(Error::UnknownApproval(id))?;
        Ok(self.pending.remove(index))
    }

    /// Puts back an approval taken out by [`ApprovalQueue::take`] whose removal could not be
    /// persisted (nothing was carried out), at its place by id.
    pub fn put_back(&mut self, approval: Approval) {
        let at = self
            .pending
            .iter()
            .position(|a| a.id > approval.id)
            .unwrap_or(self.pending.len());
        self.pending.insert(at, approval);
    }

    /// Replaces the UserOperation a pending approval sends with one prepared again for the same
    /// calls (its nonce was taken, or the account was deployed, while it waited). Refused for an
    /// unknown id and for a replacement with other calls or for another chain: what the user
    /// approves must stay what the site asked.
    pub fn reprepare(&mut self, id: u64, fresh: PreparedTransaction) -> Result<()> {
        let approval = self
            .pending
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or(Error::UnknownApproval(id))?;
        let tx = approval
            .kind
            .prepared_mut()
            .ok_or_else(|| Error::Internal("this request sends nothing".into()))?;
        let service = |t: &PreparedTransaction| t.sponsorship.as_ref().map(|s| s.service.clone());
        if tx.calls != fresh.calls
            || tx.chain_id != fresh.chain_id
            || service(tx) != service(&fresh)
        {
            return Err(Error::Internal(
                "a request prepared again must send the same calls on the same chain, with the same sponsor".into(),
            ));
        }
        let session_fallback = tx.session_fallback.take();
        *tx = PreparedTransaction {
            session_fallback,
            ..fresh
        };
        Ok(())
    }

    /// Removes every approval of an origin (it was disconnected).
    pub fn drop_origin(&mut self, origin: &str) -> Vec<Approval> {
        let (gone, kept) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|a| a.origin == origin);
        self.pending = kept;
        gone
    }

    /// Removes every approval of a page that went away (navigated or closed).
    pub fn drop_page(&mut self, page: &str) -> Vec<Approval> {
        let (gone, kept) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|a| a.reply_to.page == page);
        self.pending = kept;
        gone
    }

    /// Whether request `request` of `page` waits for the user.
    pub fn waits(&self, page: &str, request: u64) -> bool {
        self.pending
            .iter()
            .any(|a| a.reply_to.page == page && a.reply_to.request == request)
    }

    /// Removes every approval (the approval window was closed).
    pub fn drain(&mut self) -> Vec<Approval> {
        std::mem::take(&mut self.pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(page: u32) -> ReplyTo {
        ReplyTo {
            page: page.to_string(),
            request: 1,
        }
    }

    #[test]
    fn ids_are_unique_and_take_is_once_only() {
        let mut q = ApprovalQueue::default();
        let a = q
            .push("https://a".into(), reply(1), ApprovalKind::Connect)
            .unwrap();
        let b = q
            .push("https://b".into(), reply(2), ApprovalKind::Connect)
            .unwrap();
        assert_ne!(a, b);
        assert_eq!(q.get(b).unwrap().0, 2);
        assert_eq!(q.take(a).unwrap().origin, "https://a");
        assert_eq!(q.take(a), Err(Error::UnknownApproval(a)));
        assert_eq!(q.get(b).unwrap().0, 1);
        assert_eq!(q.take(99), Err(Error::UnknownApproval(99)));
    }

    fn sign() -> ApprovalKind {
        ApprovalKind::Sign(Box::new(PreparedSignature {
            content: SignContent::Message {
                message: Default::default(),
            },
            digest: B256::ZERO,
            suffix: Default::default(),
            chain_id: 1,
        }))
    }

    #[test]
    fn pending_requests_are_capped_per_origin_and_in_all() {
        let mut q = ApprovalQueue::default();
        q.push("https://a".into(), reply(1), ApprovalKind::Connect)
            .unwrap();
        let again = q.push(
            "https://a".into(),
            reply(1),
            ApprovalKind::RequestPermissions,
        );
        assert!(matches!(again, Err(Error::RequestPending(_))));
        for _ in 0..MAX_PENDING_PER_ORIGIN {
            q.push("https://a".into(), reply(1), sign()).unwrap();
        }
        let extra = q.push("https://a".into(), reply(1), sign()).unwrap_err();
        assert_eq!(
            crate::eip1193::ProviderError::from(&extra).code,
            crate::eip1193::code::RESOURCE_UNAVAILABLE
        );
        // Other origins are not held up by one that hit its cap, up to the queue's size.
        let mut origin = 0;
        while q.len() < MAX_PENDING {
            origin += 1;
            q.push(format!("https://o{origin}"), reply(2), sign())
                .unwrap();
        }
        assert!(
            q.push("https://new".into(), reply(3), ApprovalKind::Connect)
                .is_err()
        );
        assert_eq!(q.len(), MAX_PENDING);
        // The wallet's own pages still get through (up to their own per-origin cap).
        q.push("chrome-extension://x".into(), ReplyTo::nobody(), sign())
            .unwrap();
        assert_eq!(q.len(), MAX_PENDING + 1);
    }

    #[test]
    fn an_approval_put_back_keeps_its_place_and_an_origin_can_be_dropped() {
        let mut q = ApprovalQueue::default();
        let a = q
            .push("https://a".into(), reply(1), ApprovalKind::Connect)
            .unwrap();
        let b = q
            .push("https://b".into(), reply(2), ApprovalKind::Connect)
            .unwrap();
        let taken = q.take(a).unwrap();
        q.put_back(taken);
        assert_eq!(q.first().unwrap().id, a);
        assert_eq!(q.get(b).unwrap().0, 2);
        assert_eq!(q.drop_origin("https://a").len(), 1);
        assert_eq!(q.len(), 1);
    }

    fn transaction(nonce: u64, calls: Vec<Call>) -> PreparedTransaction {
        let op = UserOperation::unsigned(
            alloy_primitives::Address::repeat_byte(0xaa),
            alloy_primitives::U256::from(nonce),
            None,
            &calls,
            (
                alloy_primitives::U256::from(1),
                alloy_primitives::U256::from(1),
            ),
            Default::default(),
        );
        PreparedTransaction {
            chain_id: 1,
            calls,
            user_op_hash: op.hash(alloy_primitives::Address::ZERO, 1),
            user_op: op,
            explained: vec![],
            warnings: vec![],
            session_fallback: Some("over the limit".into()),
            balance_changes: None,
            sponsorship: None,
        }
    }

    #[test]
    fn cancelling_a_recovery_goes_before_everything_waiting() {
        use crate::guardian_recovery::{RecoveryChange, Setup};
        let mut q = ApprovalQueue::default();
        let site = q.push("https://a".into(), reply(1), sign()).unwrap();
        let recovery = |change| ApprovalKind::Recovery {
            prepared: Box::new(transaction(0, vec![])),
            change,
        };
        let setup = q
            .push(
                "chrome-extension://x".into(),
                ReplyTo::nobody(),
                recovery(RecoveryChange::Setup {
                    setup: Setup::off(),
                    install: false,
                }),
            )
            .unwrap();
        let cancel = q
            .push(
                "chrome-extension://x".into(),
                ReplyTo::nobody(),
                recovery(RecoveryChange::Cancel),
            )
            .unwrap();
        assert_eq!(q.first().unwrap().id, cancel);
        assert_eq!(q.get(site).unwrap().0, 2);
        assert_eq!(q.get(setup).unwrap().0, 3);
    }

    #[test]
    fn a_queued_operation_is_prepared_again_for_the_same_calls_only() {
        let call = Call {
            to: alloy_primitives::Address::repeat_byte(1),
            value: alloy_primitives::U256::from(5),
            data: Default::default(),
        };
        let old = transaction(3, vec![call.clone()]);
        assert!(old.fits(alloy_primitives::U256::from(3), true));
        // Another operation took nonce 3, or the account was deployed meanwhile.
        assert!(!old.fits(alloy_primitives::U256::from(4), true));
        assert!(!old.fits(alloy_primitives::U256::from(3), false));
        let mut q = ApprovalQueue::default();
        let id = q
            .push(
                "https://a".into(),
                reply(1),
                ApprovalKind::SendTransaction(Box::new(old.clone())),
            )
            .unwrap();
        let mut fresh = transaction(4, vec![call.clone()]);
        fresh.session_fallback = None;
        q.reprepare(id, fresh.clone()).unwrap();
        let now = q.get(id).unwrap().1.kind.prepared().unwrap().clone();
        assert_eq!(now.user_op.nonce, alloy_primitives::U256::from(4));
        assert_eq!(now.user_op_hash, fresh.user_op_hash);
        assert_eq!(
            now.session_fallback, old.session_fallback,
            "why it asks stays"
        );
        // Other calls, another chain, an unknown id or a request that sends nothing: refused.
        let other = transaction(
            4,
            vec![Call {
                value: alloy_primitives::U256::from(6),
                ..call
            }],
        );
        assert!(q.reprepare(id, other).is_err());
        assert!(
            q.reprepare(
                id,
                PreparedTransaction {
                    chain_id: 2,
                    ..fresh.clone()
                }
            )
            .is_err()
        );
        assert!(q.reprepare(id + 1, fresh.clone()).is_err());
        let sponsored = PreparedTransaction {
            sponsorship: Some(crate::erc7677::Sponsorship {
                service: crate::erc7677::PaymasterService {
                    url: "https://pm.example".into(),
                    context: None,
                },
                name: None,
            }),
            ..fresh.clone()
        };
        assert!(
            q.reprepare(id, sponsored).is_err(),
            "a sponsor cannot appear when the operation is prepared again"
        );
        let connect = q
            .push("https://a".into(), reply(1), ApprovalKind::Connect)
            .unwrap();
        assert!(q.reprepare(connect, fresh).is_err());
        assert_eq!(
            q.get(id).unwrap().1.kind.prepared().unwrap().user_op_hash,
            now.user_op_hash
        );
    }

    #[test]
    fn dropping_a_page_removes_only_its_requests() {
        let mut q = ApprovalQueue::default();
        q.push("https://a".into(), reply(1), ApprovalKind::Connect)
            .unwrap();
        let keep = q
            .push("https://b".into(), reply(2), ApprovalKind::Connect)
            .unwrap();
        q.push("https://a".into(), reply(1), sign()).unwrap();
        assert!(q.waits("1", 1) && q.waits("2", 1) && !q.waits("3", 1));
        assert_eq!(q.drop_page("1").len(), 2);
        assert!(!q.waits("1", 1));
        assert_eq!(q.len(), 1);
        assert_eq!(q.first().unwrap().id, keep);
    }
}
