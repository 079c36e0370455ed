//! The wallet's record of the sessions it created: which origin asked, the spec, its lifecycle and
//! the uses sent but not yet mined. The key itself is kept apart (see [`SESSION_KEYS_KEY`]), so
//! this record can be listed, shown and persisted without ever carrying it.
//!
//! Pending uses are tracked by nonce on the session's own lane: a use whose nonce is below the
//! lane's nonce on chain has been included (its charges are in `sessionState`), one at or above
//! it is still pending and is added on top of the chain's counters. Reading the nonce and the
//! counters at the same block keeps the two consistent.

use alloy_primitives::{Address, B256, Bytes, U256};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::policy::{self, Allowed, Circumstances, Denied};
use super::request::SessionRequest;
use super::spec::{SessionSpec, SessionState, Status, signature_data};
use super::usage::{Increment, Usage};
use crate::erc4337::{GasEstimate, UserOperation};
use crate::erc7579::Call;

/// `chrome.storage.session` key of the session private keys (memory only, never written to disk).
pub const SESSION_KEYS_KEY: &str = "sessionKeys";

/// A session is not used in its last seconds: the bundler refuses operations about to expire,
/// and the operation must still be valid when it is included.
pub const EXPIRY_MARGIN: u64 = 30;

/// Verification gas per usage counter the operation charges, on top of the bundler's estimate:
/// the estimate runs with a dummy signature, which the validator refuses before the policy checks,
/// so it misses them. A first write of a counter (zero → non-zero, cold) costs ≈ 24.2k.
pub const COUNTER_GAS: u64 = 25_000;
/// Verification gas for matching the calls against the policies (same reason).
pub const POLICY_GAS: u64 = 30_000;

/// A pending use not mined after this long (chain seconds) is taken as dropped by the bundler:
/// it no longer counts, and its nonce is reused (else one lost operation would block the lane).
pub const PENDING_TIMEOUT: u64 = 120;

/// A use sent to the bundler and not yet seen mined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingUse {
    /// The operation's hash.
    pub user_op_hash: B256,
    /// Its nonce (on the session's lane).
    pub nonce: U256,
    /// What it charges.
    pub increments: Vec<Increment>,
    /// When it was sent (chain time, Unix seconds).
    #[serde(default)]
    pub sent_at: u64,
    /// When it was sent (wallet time, ms since the Unix epoch): a chain whose time stands still
    /// (no blocks) must not keep a dropped use pending for ever.
    #[serde(default)]
    pub sent_at_ms: u64,
}

/// Why a session is no longer usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Ended {
    /// The user or the dapp revoked it (on chain: Closed).
    Revoked,
    /// Past its expiry.
    Expired,
    /// Its key is gone (the browser was restarted: keys live in memory only).
    KeyLost,
    /// Its site was disconnected: the key was erased (the session stays open on chain until it
    /// is revoked there, but nothing can sign with it).
    Disconnected,
}

/// How a session stands, for the UI and the dapp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SessionStatus {
    /// Usable.
    Active,
    /// The revocation was asked for and waits for the passkey; the key is already erased.
    Revoking,
    /// Not usable any more.
    Ended(Ended),
}

/// One session the wallet created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionRecord {
    /// The session hash (the ERC-7715 `context`).
    pub context: B256,
    /// The origin that asked for it; only that origin may use it.
    pub origin: String,
    /// The chain it lives on.
    pub chain_id: u64,
    /// The account it acts for.
    pub account: Address,
    /// The on-chain spec.
    pub spec: SessionSpec,
    /// The decoded request (descriptions, function names).
    pub request: SessionRequest,
    /// The dapp's original `wallet_requestExecutionPermissions` params, echoed in responses.
    pub params: Value,
    /// When it was created (ms since the Unix epoch).
    pub created_at: u64,
    /// Lifecycle.
    pub status: SessionStatus,
    /// Uses sent and not yet seen mined.
    #[serde(default)]
    pub pending: Vec<PendingUse>,
    /// ERC-20 metadata of the tokens its call rules touch (read when it was requested).
    #[serde(default)]
    pub tokens: super::describe::Tokens,
}

impl SessionRecord {
    /// Expiry (Unix seconds).
    pub fn expires_at(&self) -> u64 {
        self.spec.expiresAt.to()
    }

    /// The status at chain time `now` (expiry is not stored; it is a fact of time).
    pub fn status_at(&self, now: u64) -> SessionStatus {
        match self.status {
            SessionStatus::Active if now > self.expires_at() => {
                SessionStatus::Ended(Ended::Expired)
            }
            other => other,
        }
    }

    /// What the wallet must record about the session at `now`, given whether its key is still
    /// held: the status it must move to (`None`: unchanged) — expired, or `keyLost` when an
    /// active session has no key — and whether its key must be erased (it ended but is held).
    pub fn settle(&self, now: u64, has_key: bool) -> (Option<SessionStatus>, bool) {
        let next = match self.status_at(now) {
            changed if changed != self.status => Some(changed),
            SessionStatus::Active if !has_key => Some(SessionStatus::Ended(Ended::KeyLost)),
            _ => None,
        };
        let ended = next.unwrap_or(self.status) != SessionStatus::Active;
        (next, ended && has_key)
    }

    /// Whether the session may sign for `origin` on `chain_id` / `account` at `now`.
    pub fn usable_by(&self, origin: &str, chain_id: u64, account: Address, now: u64) -> bool {
        self.origin == origin
            && self.chain_id == chain_id
            && self.account == account
            && self.status_at(now) == SessionStatus::Active
            && now + EXPIRY_MARGIN <= self.expires_at()
    }

    /// The nonce key of the session's lane: `uint192(uint160(signer))`.
    pub fn nonce_key(&self) -> U256 {
        U256::from_be_slice(self.spec.signer.as_slice())
    }

    /// Forgets uses the chain has included (`lane_nonce` = the lane's next nonce on chain) and
    /// uses pending for longer than [`PENDING_TIMEOUT`] at chain time `now` (dropped).
    pub fn prune_pending(&mut self, lane_nonce: U256, now: u64) {
        self.pending
            .retain(|p| p.nonce >= lane_nonce && now.saturating_sub(p.sent_at) <= PENDING_TIMEOUT);
    }

    /// Forgets uses sent more than [`PENDING_TIMEOUT`] ago in wallet time (`now_ms`): an
    /// operation the bundler dropped would otherwise hold the lane until the chain's clock moved
    /// on. (Uses the chain included are forgotten by [`Self::prune_pending`] as its nonce moves.)
    pub fn forget_stale(&mut self, now_ms: u64) {
        self.pending
            .retain(|p| now_ms.saturating_sub(p.sent_at_ms) <= PENDING_TIMEOUT * 1000);
    }

    /// The nonce for the next use: after the chain's and after every pending one.
    pub fn next_nonce(&self, lane_nonce: U256) -> U256 {
        self.pending
            .iter()
            .map(|p| p.nonce + U256::from(1))
            .fold(lane_nonce, U256::max)
    }

    /// Usage = the chain's counters (read at the same block as `lane_nonce`) + pending uses.
    pub fn usage(&self, state: &SessionState, lane_nonce: U256, now: u64) -> Usage {
        let mut usage = Usage::from_chain(&self.spec, state, now);
        for pending in self.pending.iter().filter(|p| p.nonce >= lane_nonce) {
            for increment in &pending.increments {
                usage.apply(increment);
            }
        }
        usage
    }

    /// Runs the policy engine for `calls`; the chain must say the session is Active.
    pub fn evaluate(
        &self,
        state: &SessionState,
        usage: &Usage,
        calls: &[Call],
        circumstances: Circumstances,
    ) -> Result<Allowed, NotCovered> {
        if state.status != Status::Active {
            return Err(NotCovered::NotActiveOnChain);
        }
        policy::evaluate(&self.spec, usage, calls, circumstances).map_err(NotCovered::Denied)
    }
}

/// Why a session did not sign a request (shown in the passkey fallback window).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotCovered {
    /// The policy engine refuses it.
    #[error("{0}")]
    Denied(Denied),
    /// The chain says the session is not Active (revoked elsewhere).
    #[error("the session is not active on chain")]
    NotActiveOnChain,
}

/// Verification gas for a session operation: the bundler's estimate (made with a dummy
/// signature) plus what the dummy path skips, per counter charged.
pub fn apply_session_gas(user_op: &mut UserOperation, estimate: &GasEstimate, counters: usize) {
    user_op.apply_gas_with_headroom(estimate, POLICY_GAS + COUNTER_GAS * (counters as u64 + 1));
}

/// A session signature of the real size and layout, for gas estimation: a 65-byte ECDSA
/// signature that recovers no signer.
pub fn dummy_session_signature(
    validator: Address,
    spec: &SessionSpec,
    period_ids: &[u64],
) -> Bytes {
    let mut ecdsa = [0x11u8; 65];
    ecdsa[64] = 27;
    session_signature(validator, &ecdsa, spec, period_ids)
}

/// `validator ‖ abi.encode(ecdsaSignature, spec, periodIds)`.
pub fn session_signature(
    validator: Address,
    ecdsa: &[u8; 65],
    spec: &SessionSpec,
    period_ids: &[u64],
) -> Bytes {
    let data = signature_data(ecdsa, spec, period_ids);
    let mut out = Vec::with_capacity(20 + data.len());
    out.extend_from_slice(validator.as_slice());
    out.extend_from_slice(&data);
    out.into()
}

/// Most ended sessions (revoked, expired) the wallet keeps listed; older ones are forgotten.
pub const MAX_ENDED_SESSIONS: usize = 32;
/// Largest session request kept with its session (bytes of JSON): the wallet echoes it in its
/// ERC-7715 answers, and stored sessions share `chrome.storage.local`'s quota.
pub const MAX_REQUEST_BYTES: usize = 32 * 1024;

/// Forgets the oldest sessions that can no longer do anything here or on chain (revoked or
/// expired) beyond [`MAX_ENDED_SESSIONS`]. Sessions still open on chain (active, revoking, or
/// whose key is elsewhere or erased) are always kept: they can still be revoked.
pub fn prune_ended(sessions: &mut Vec<SessionRecord>, now: u64) {
    let finished = |s: &SessionRecord| {
        matches!(
            s.status_at(now),
            SessionStatus::Ended(Ended::Revoked | Ended::Expired)
        )
    };
    let mut excess = sessions
        .iter()
        .filter(|s| finished(s))
        .count()
        .saturating_sub(MAX_ENDED_SESSIONS);
    sessions.retain(|s| {
        if excess > 0 && finished(s) {
            excess -= 1;
            return false;
        }
        true
    });
}

/// The sessions a request from `origin` may use, the one the dapp named first (ERC-7715
/// `permissions.context`), else newest first.
pub fn candidates<'a>(
    sessions: &'a [SessionRecord],
    origin: &str,
    chain_id: u64,
    account: Address,
    named: Option<B256>,
    now: u64,
) -> Vec<&'a SessionRecord> {
    let mut found: Vec<&SessionRecord> = sessions
        .iter()
        .filter(|s| s.usable_by(origin, chain_id, account, now))
        .filter(|s| named.is_none_or(|n| n == s.context))
        .collect();
    found.sort_by_key(|s| std::cmp::Reverse(s.created_at));
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::spec::{LimitState, LimitType, UsageLimit};
    use crate::session::usage::LimitKey;
    use alloy_primitives::address;
    use alloy_primitives::aliases::U48;

    fn record(origin: &str, created_at: u64, expires_at: u64) -> SessionRecord {
        let spec = SessionSpec {
            signer: address!("00000000000000000000000000000000000000aa"),
            expiresAt: U48::from(expires_at),
            feeLimit: UsageLimit {
                limitType: LimitType::Lifetime,
                limit: U256::from(1000),
                period: U48::ZERO,
            },
            callPolicies: vec![],
            transferPolicies: vec![],
        };
        SessionRecord {
            context: B256::repeat_byte(created_at as u8),
            origin: origin.into(),
            chain_id: 1,
            account: Address::ZERO,
            spec,
            request: crate::session::request::parse_compact(
                &serde_json::json!({"expiresAt": expires_at, "feeLimit": "1000",
                    "transfers": [{"to": "0x00000000000000000000000000000000000000bb", "valueLimit": "10"}]}),
                0,
            )
            .unwrap(),
            params: Value::Null,
            created_at,
            status: SessionStatus::Active,
            pending: vec![],
            tokens: Default::default(),
        }
    }

    fn fee(amount: u64, nonce: u64) -> PendingUse {
        PendingUse {
            user_op_hash: B256::ZERO,
            nonce: U256::from(nonce),
            sent_at: 1_000,
            sent_at_ms: 1_000_000,
            increments: vec![Increment {
                key: LimitKey::Fee,
                period_id: None,
                amount: U256::from(amount),
            }],
        }
    }

    fn chain_state(fees_remaining: u64) -> SessionState {
        SessionState {
            status: Status::Active,
            feesRemaining: U256::from(fees_remaining),
            transferValue: vec![LimitState {
                remaining: U256::ZERO,
                target: Address::ZERO,
                selector: Default::default(),
                index: U256::ZERO,
            }],
            callValue: vec![],
            callParams: vec![],
        }
    }

    #[test]
    fn ended_sessions_beyond_the_cap_are_forgotten_oldest_first() {
        let mut sessions: Vec<SessionRecord> = (0..50u64)
            .map(|i| {
                let mut r = record("https://a", i, 5_000);
                r.status = match i % 3 {
                    0 => SessionStatus::Ended(Ended::Revoked),
                    1 => SessionStatus::Ended(Ended::KeyLost),
                    _ => SessionStatus::Active,
                };
                r
            })
            .collect();
        // At time 10_000 the active ones are expired too: 17 revoked + 16 expired = 33 ended.
        prune_ended(&mut sessions, 10_000);
        let finished = sessions
            .iter()
            .filter(|s| {
                matches!(
                    s.status_at(10_000),
                    SessionStatus::Ended(Ended::Revoked | Ended::Expired)
                )
            })
            .count();
        assert_eq!(finished, MAX_ENDED_SESSIONS);
        assert_eq!(sessions.len(), 49, "only the oldest ended one goes");
        assert_eq!(
            sessions[0].created_at, 1,
            "session 0 (revoked, oldest) is gone"
        );
        // Sessions open on chain (keyLost) are never forgotten.
        assert_eq!(
            sessions
                .iter()
                .filter(|s| s.status == SessionStatus::Ended(Ended::KeyLost))
                .count(),
            17
        );
    }

    #[test]
    fn dropped_uses_are_forgotten_by_wallet_time() {
        let mut r = record("https://a", 1, 5_000);
        r.pending = vec![fee(1, 0), fee(2, 1)];
        // Within the timeout: kept.
        r.forget_stale(1_000_000 + PENDING_TIMEOUT * 1000);
        assert_eq!(r.pending.len(), 2);
        // Wallet time moved past the timeout, even if the chain's did not.
        r.forget_stale(1_000_001 + PENDING_TIMEOUT * 1000);
        assert!(r.pending.is_empty());
    }

    #[test]
    fn pending_uses_count_until_the_lane_nonce_passes_them() {
        let mut s = record("https://a", 1, 10_000);
        s.pending = vec![fee(100, 5), fee(50, 6)];
        // Chain: 200 of 1000 used, lane nonce 5 → both pending count.
        let usage = s.usage(&chain_state(800), U256::from(5), 0);
        assert_eq!(usage.used(LimitKey::Fee, None), U256::from(350));
        assert_eq!(s.next_nonce(U256::from(5)), U256::from(7));
        // Nonce 5 mined (its 100 is now in the chain's 300).
        let usage = s.usage(&chain_state(700), U256::from(6), 0);
        assert_eq!(usage.used(LimitKey::Fee, None), U256::from(350));
        s.prune_pending(U256::from(6), 1_000);
        assert_eq!(s.pending.len(), 1);
        assert_eq!(s.next_nonce(U256::from(9)), U256::from(9));
        // Never mined within the timeout: dropped, its nonce free again.
        s.prune_pending(U256::from(6), 1_000 + PENDING_TIMEOUT + 1);
        assert!(s.pending.is_empty());
        assert_eq!(s.next_nonce(U256::from(6)), U256::from(6));
    }

    #[test]
    fn only_the_requesting_origin_and_live_sessions_are_candidates() {
        let mut revoked = record("https://a", 3, 10_000);
        revoked.status = SessionStatus::Revoking;
        let sessions = vec![
            record("https://a", 1, 10_000),
            record("https://a", 2, 10_000),
            record("https://b", 4, 10_000),
            record("https://a", 5, 100),
            revoked,
        ];
        let found = candidates(&sessions, "https://a", 1, Address::ZERO, None, 60);
        let created: Vec<u64> = found.iter().map(|s| s.created_at).collect();
        // Newest first; revoked ones and other origins are left out.
        assert_eq!(created, vec![5, 2, 1]);
        let found = candidates(&sessions, "https://a", 1, Address::ZERO, None, 71);
        assert_eq!(
            found.len(),
            2,
            "within {EXPIRY_MARGIN}s of expiry a session is not used"
        );
        let named = candidates(
            &sessions,
            "https://a",
            1,
            Address::ZERO,
            Some(B256::repeat_byte(1)),
            0,
        );
        assert_eq!(named.len(), 1);
        assert!(candidates(&sessions, "https://c", 1, Address::ZERO, None, 0).is_empty());
        assert!(candidates(&sessions, "https://a", 2, Address::ZERO, None, 0).is_empty());
        assert_eq!(
            sessions[3].status_at(101),
            SessionStatus::Ended(Ended::Expired)
        );
    }

    #[test]
    fn settling_expires_loses_keys_and_erases_ended_ones() {
        let mut s = record("https://a", 1, 100);
        assert_eq!(s.settle(50, true), (None, false));
        assert_eq!(
            s.settle(50, false),
            (Some(SessionStatus::Ended(Ended::KeyLost)), false)
        );
        assert_eq!(
            s.settle(101, true),
            (Some(SessionStatus::Ended(Ended::Expired)), true)
        );
        s.status = SessionStatus::Ended(Ended::Expired);
        assert_eq!(s.settle(101, false), (None, false));
        s.status = SessionStatus::Revoking;
        assert_eq!(s.settle(50, true), (None, true));
    }

    #[test]
    fn session_signatures_have_the_validator_prefix_and_the_dummy_has_the_real_size() {
        let s = record("https://a", 1, 10_000);
        let validator = address!("00000000000000000000000000000000000000cc");
        let dummy = dummy_session_signature(validator, &s.spec, &[0, 0]);
        let real = session_signature(validator, &[7u8; 65], &s.spec, &[0, 0]);
        assert_eq!(&dummy[..20], validator.as_slice());
        assert_eq!(dummy.len(), real.len());
        assert_eq!(s.nonce_key(), U256::from(0xaa));
    }
}
