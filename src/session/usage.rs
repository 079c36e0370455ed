//! Usage counters, keyed the way the contract keys them: per (session, account) the fee, each
//! transfer policy's value, each call policy's value and each constraint's parameter total — as a
//! lifetime sum (streams too: what accrued is compared with it), or per epoch-aligned period for
//! allowances.

use std::collections::BTreeMap;

use alloy_primitives::U256;

use super::spec::{LimitType, SessionSpec, SessionState, UsageLimit};
use super::stream::Stream;
use serde::{Deserialize, Serialize};

/// Which counter a use is charged to — the contract's limit id: kind, policy position and
/// constraint position (positions are unambiguous because the first matching policy wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum LimitKey {
    /// The session's fee limit.
    Fee,
    /// Value sent by plain transfers matched by transfer policy `policy`.
    TransferValue {
        /// Position in `transferPolicies`.
        policy: u64,
    },
    /// Value sent with calls matched by call policy `policy`.
    CallValue {
        /// Position in `callPolicies`.
        policy: u64,
    },
    /// Sum of the calldata word checked by constraint `constraint` of call policy `policy`.
    CallParam {
        /// Position in `callPolicies`.
        policy: u64,
        /// Position in that policy's `constraints`.
        constraint: u64,
    },
}

impl std::fmt::Display for LimitKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LimitKey::Fee => f.write_str("network fees"),
            LimitKey::TransferValue { policy } => write!(f, "ETH sent by transfer rule {policy}"),
            LimitKey::CallValue { policy } => write!(f, "ETH sent with call rule {policy}"),
            LimitKey::CallParam { policy, constraint } => {
                write!(
                    f,
                    "parameter total of call rule {policy}, constraint {constraint}"
                )
            }
        }
    }
}

/// The validator keeps the Lifetime fee counter in bits 0..127 of the session's state word, so a
/// Lifetime fee limit is effectively capped at `2^128 − 1` wei.
pub const FEE_COUNTER_CAP: U256 = U256::from_limbs([u64::MAX, u64::MAX, 0, 0]);
/// The validator keeps the Lifetime value counter of transfer policy 0 in bits 128..247 of the
/// state word, so that limit is effectively capped at `2^120 − 1` wei.
pub const TRANSFER0_COUNTER_CAP: U256 = U256::from_limbs([u64::MAX, (1 << 56) - 1, 0, 0]);

/// The limit the validator actually enforces for a counter: the spec's, capped where the counter
/// is packed into the session's state word (caps far above all the ether there is; they only
/// refuse more).
pub fn effective_limit(key: LimitKey, limit: &UsageLimit) -> U256 {
    match (key, limit.limitType) {
        (LimitKey::Fee, LimitType::Lifetime) => limit.limit.min(FEE_COUNTER_CAP),
        (LimitKey::TransferValue { policy: 0 }, LimitType::Lifetime) => {
            limit.limit.min(TRANSFER0_COUNTER_CAP)
        }
        _ => limit.limit,
    }
}

/// The counter a tracked limit charges at `time` — its period id for an allowance (`None`: the
/// lifetime counter, also a stream's) — and the most that counter may hold then: the
/// [`effective_limit`], or what a stream has accrued by `time`. `None` for an unlimited limit, an
/// allowance with period 0 and unknown types (nothing is tracked).
pub fn limit_at(key: LimitKey, limit: &UsageLimit, time: u64) -> Option<(Option<u64>, U256)> {
    let period: u64 = limit.period.to();
    match (limit.limitType, Stream::of(limit)) {
        (LimitType::Lifetime, _) => Some((None, effective_limit(key, limit))),
        (LimitType::Allowance, _) if period > 0 => Some((Some(time / period), limit.limit)),
        (_, Some(stream)) => Some((None, stream.available(time))),
        _ => None,
    }
}

/// One charge against a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Increment {
    /// The counter.
    pub key: LimitKey,
    /// The period id for allowance limits (`None` for lifetime limits).
    pub period_id: Option<u64>,
    /// The amount charged.
    pub amount: U256,
}

/// Counters of one session on one account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    lifetime: BTreeMap<LimitKey, U256>,
    periods: BTreeMap<(LimitKey, u64), U256>,
}

impl Usage {
    /// What has been used of a counter (in period `period_id` for allowances).
    pub fn used(&self, key: LimitKey, period_id: Option<u64>) -> U256 {
        match period_id {
            Some(p) => self.periods.get(&(key, p)).copied().unwrap_or_default(),
            None => self.lifetime.get(&key).copied().unwrap_or_default(),
        }
    }

    /// Sets a counter (e.g. from the chain's `sessionState`).
    pub fn set(&mut self, key: LimitKey, period_id: Option<u64>, used: U256) {
        match period_id {
            Some(p) => self.periods.insert((key, p), used),
            None => self.lifetime.insert(key, used),
        };
    }

    /// Applies a charge (saturating: a limit check always comes first).
    pub fn apply(&mut self, increment: &Increment) {
        let used = self.used(increment.key, increment.period_id);
        self.set(
            increment.key,
            increment.period_id,
            used.saturating_add(increment.amount),
        );
    }
}

impl Usage {
    /// Usage as the chain reports it: `sessionState` gives what is *left* of every limit (for
    /// allowances, in the period containing `now`; for streams, of what accrued by `now`), so
    /// used = limit − remaining — `now` must be the timestamp of the block the state was read
    /// at. Add the wallet's pending, unmined uses on top with [`Usage::apply`].
    pub fn from_chain(spec: &SessionSpec, state: &SessionState, now: u64) -> Usage {
        let mut usage = Usage::default();
        let mut record = |key: LimitKey, limit: &UsageLimit, remaining: U256| {
            if let Some((period_id, max)) = limit_at(key, limit, now) {
                usage.set(key, period_id, max.saturating_sub(remaining));
            }
        };
        record(LimitKey::Fee, &spec.feeLimit, state.feesRemaining);
        for (i, (policy, left)) in spec
            .transferPolicies
            .iter()
            .zip(&state.transferValue)
            .enumerate()
        {
            record(
                LimitKey::TransferValue { policy: i as u64 },
                &policy.valueLimit,
                left.remaining,
            );
        }
        let mut params = state.callParams.iter();
        for (i, policy) in spec.callPolicies.iter().enumerate() {
            if let Some(left) = state.callValue.get(i) {
                record(
                    LimitKey::CallValue { policy: i as u64 },
                    &policy.valueLimit,
                    left.remaining,
                );
            }
            for (j, constraint) in policy.constraints.iter().enumerate() {
                if let Some(left) = params.next() {
                    record(
                        LimitKey::CallParam {
                            policy: i as u64,
                            constraint: j as u64,
                        },
                        &constraint.limit,
                        left.remaining,
                    );
                }
            }
        }
        usage
    }
}
