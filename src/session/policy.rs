//! The session policy engine: the same decision the `SessionKeyValidator` makes, made before the
//! wallet signs, so a session key never signs what the contract would reject — and the user sees
//! exactly why a request is not covered.

use alloy_primitives::{Address, B256, FixedBytes, U256};
use serde::{Deserialize, Serialize};

use super::spec::{ANY_RECIPIENT, Condition, LimitType, SessionSpec, UsageLimit};
use super::stream::Stream;
use super::usage::{Increment, LimitKey, Usage, limit_at};
use crate::erc7579::Call;

/// What the validator would accept, and what it needs in the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Allowed {
    /// `periodIds` for the signature: fee, then per call its value and each constraint (for a
    /// stream limit, the time its accrual is claimed at).
    pub period_ids: Vec<u64>,
    /// The validation range the validator returns (inclusive).
    pub valid_after: u64,
    /// The validation range the validator returns (inclusive).
    pub valid_until: u64,
    /// The charges the operation makes (to add to pending usage once sent).
    pub increments: Vec<Increment>,
}

/// Why a request is not covered by the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "camelCase")]
pub enum Denied {
    /// The session expired.
    #[error("the session expired at {expires_at} (now {now})")]
    Expired {
        /// Expiry (Unix seconds).
        expires_at: u64,
        /// Evaluation time.
        now: u64,
    },
    /// Calldata of 1–3 bytes has no selector.
    #[error("call {call}: calldata of {len} bytes has no complete selector")]
    ShortCalldata {
        /// Call position in the batch.
        call: usize,
        /// Calldata length.
        len: usize,
    },
    /// No call policy for this target and selector.
    #[error("call {call}: the session allows no call to {target} with selector {selector}")]
    NoCallPolicy {
        /// Call position.
        call: usize,
        /// The callee.
        target: Address,
        /// The selector.
        selector: FixedBytes<4>,
    },
    /// No transfer policy for this recipient.
    #[error("call {call}: the session allows no plain transfer to {target}")]
    NoTransferPolicy {
        /// Call position.
        call: usize,
        /// The recipient.
        target: Address,
    },
    /// Value above the per-use maximum.
    #[error("call {call}: value {value} is over the per-use maximum {max}")]
    ValueOverPerUse {
        /// Call position.
        call: usize,
        /// Value sent.
        value: U256,
        /// The maximum.
        max: U256,
    },
    /// A calldata word needed by a constraint is missing.
    #[error("call {call}: calldata ({len} bytes) is too short for the constraint on word {index}")]
    CalldataTooShort {
        /// Call position.
        call: usize,
        /// Word index.
        index: u64,
        /// Calldata length.
        len: usize,
    },
    /// A constraint's condition fails.
    #[error("call {call}: word {index} = {actual} fails {condition:?} {reference}")]
    ConstraintFailed {
        /// Call position.
        call: usize,
        /// Word index.
        index: u64,
        /// The condition.
        condition: Condition,
        /// The reference value.
        reference: B256,
        /// The calldata word.
        actual: B256,
    },
    /// A limit would be exceeded (for a stream: what has accrued so far).
    #[error("{key}: {requested} more would exceed the limit {limit} (already used {used})")]
    LimitExceeded {
        /// Which counter.
        key: LimitKey,
        /// The limit.
        limit: U256,
        /// Used so far (in this period for allowances).
        used: U256,
        /// What this request adds.
        requested: U256,
    },
    /// The EntryPoint treats `validAfter` as exclusive, so the first second of an allowance
    /// period cannot be used (the validator returns `validAfter = periodId * period`).
    #[error("the operation would be valid only after {valid_after} (now {now})")]
    NotYetValid {
        /// The validator's `validAfter`.
        valid_after: u64,
        /// Evaluation time.
        now: u64,
    },
    /// A limit type the contract does not know, or an allowance with period 0.
    #[error("{key}: the limit is malformed")]
    MalformedLimit {
        /// Which counter.
        key: LimitKey,
    },
}

/// The circumstances of a use, besides the spec and its usage: the fee charged and the time.
/// (Not to be confused with a session's `context`, the ERC-7715 name of its hash.)
#[derive(Debug, Clone, Copy)]
pub struct Circumstances {
    /// Fee charged to the fee limit (`maxFeePerGas × total gas`), `None` with a paymaster.
    pub fee: Option<U256>,
    /// The time the operation is expected to be validated at (Unix seconds): the chain's.
    pub now: u64,
    /// The wallet's own clock (Unix seconds). Stream accrual is claimed at `min(now, clock) − 1`
    /// ([`Stream::claim_time`]): bundlers refuse an operation valid only after their clock, and a
    /// devnet's chain time can run ahead of it.
    pub clock: u64,
}

struct Evaluation {
    usage: Usage,
    now: u64,
    clock: u64,
    period_ids: Vec<u64>,
    increments: Vec<Increment>,
    valid_after: u64,
    valid_until: u64,
}

impl Evaluation {
    /// Charges `amount` to `key` under `limit`, recording the period id the signature needs.
    fn charge(&mut self, key: LimitKey, limit: &UsageLimit, amount: U256) -> Result<(), Denied> {
        if limit.limitType == LimitType::Unlimited {
            self.period_ids.push(0);
            return Ok(());
        }
        // A stream is charged what has accrued by the claimed time, which the signature carries
        // and which the operation is valid only after; other limits are charged at `now`.
        let claim = (limit.limitType == LimitType::Stream)
            .then(|| Stream::claim_time(self.now, self.clock));
        let (period_id, max) = limit_at(key, limit, claim.unwrap_or(self.now))
            .ok_or(Denied::MalformedLimit { key })?;
        let used = self.usage.used(key, period_id);
        if used.checked_add(amount).is_none_or(|total| total > max) {
            return Err(Denied::LimitExceeded {
                key,
                limit: max,
                used,
                requested: amount,
            });
        }
        let increment = Increment {
            key,
            period_id,
            amount,
        };
        self.usage.apply(&increment);
        self.increments.push(increment);
        self.period_ids.push(claim.or(period_id).unwrap_or(0));
        if let Some(claim) = claim {
            self.valid_after = self.valid_after.max(claim);
        }
        if let Some(id) = period_id {
            let period: u64 = limit.period.to();
            self.valid_after = self.valid_after.max(id * period);
            self.valid_until = self.valid_until.min((id + 1) * period - 1);
        }
        Ok(())
    }
}

/// Compares two 32-byte words as unsigned integers, as the contract does.
pub fn condition_holds(condition: Condition, actual: B256, reference: B256) -> bool {
    match condition {
        Condition::Unconstrained => true,
        Condition::Equal => actual == reference,
        Condition::Greater => actual > reference,
        Condition::Less => actual < reference,
        Condition::GreaterOrEqual => actual >= reference,
        Condition::LessOrEqual => actual <= reference,
        Condition::NotEqual => actual != reference,
        _ => false,
    }
}

/// Decides whether `calls` (one call, or an atomic batch; an empty batch charges only the fee,
/// as on chain) may be signed with the session key.
pub fn evaluate(
    spec: &SessionSpec,
    usage: &Usage,
    calls: &[Call],
    circumstances: Circumstances,
) -> Result<Allowed, Denied> {
    let expires_at: u64 = spec.expiresAt.to();
    if circumstances.now > expires_at {
        return Err(Denied::Expired {
            expires_at,
            now: circumstances.now,
        });
    }
    let mut eval = Evaluation {
        usage: usage.clone(),
        now: circumstances.now,
        clock: circumstances.clock,
        period_ids: Vec::new(),
        increments: Vec::new(),
        valid_after: 0,
        valid_until: expires_at,
    };
    match circumstances.fee {
        Some(fee) => eval.charge(LimitKey::Fee, &spec.feeLimit, fee)?,
        None => eval.period_ids.push(0),
    }
    for (i, call) in calls.iter().enumerate() {
        check_call(spec, &mut eval, i, call)?;
    }
    if eval.valid_after > 0 && circumstances.now <= eval.valid_after {
        return Err(Denied::NotYetValid {
            valid_after: eval.valid_after,
            now: circumstances.now,
        });
    }
    Ok(Allowed {
        period_ids: eval.period_ids,
        valid_after: eval.valid_after,
        valid_until: eval.valid_until,
        increments: eval.increments,
    })
}

fn check_call(
    spec: &SessionSpec,
    eval: &mut Evaluation,
    i: usize,
    call: &Call,
) -> Result<(), Denied> {
    let data = call.data.as_ref();
    match data.len() {
        0 => {
            let (index, policy) = spec
                .transferPolicies
                .iter()
                .enumerate()
                .find(|(_, p)| p.target == call.to || p.target == ANY_RECIPIENT)
                .ok_or(Denied::NoTransferPolicy {
                    call: i,
                    target: call.to,
                })?;
            if call.value > policy.maxValuePerUse {
                return Err(Denied::ValueOverPerUse {
                    call: i,
                    value: call.value,
                    max: policy.maxValuePerUse,
                });
            }
            eval.charge(
                LimitKey::TransferValue {
                    policy: index as u64,
                },
                &policy.valueLimit,
                call.value,
            )
        }
        1..=3 => Err(Denied::ShortCalldata {
            call: i,
            len: data.len(),
        }),
        _ => {
            let selector = FixedBytes::<4>::from_slice(&data[..4]);
            let (index, policy) = spec
                .callPolicies
                .iter()
                .enumerate()
                .find(|(_, p)| p.target == call.to && p.selector == selector)
                .ok_or(Denied::NoCallPolicy {
                    call: i,
                    target: call.to,
                    selector,
                })?;
            if call.value > policy.maxValuePerUse {
                return Err(Denied::ValueOverPerUse {
                    call: i,
                    value: call.value,
                    max: policy.maxValuePerUse,
                });
            }
            eval.charge(
                LimitKey::CallValue {
                    policy: index as u64,
                },
                &policy.valueLimit,
                call.value,
            )?;
            for (position, constraint) in policy.constraints.iter().enumerate() {
                let offset = 4u128 + 32 * u128::from(constraint.index);
                let word = usize::try_from(offset)
                    .ok()
                    .and_then(|o| data.get(o..o.checked_add(32)?))
                    .map(B256::from_slice)
                    .ok_or(Denied::CalldataTooShort {
                        call: i,
                        index: constraint.index,
                        len: data.len(),
                    })?;
                if !condition_holds(constraint.condition, word, constraint.refValue) {
                    return Err(Denied::ConstraintFailed {
                        call: i,
                        index: constraint.index,
                        condition: constraint.condition,
                        reference: constraint.refValue,
                        actual: word,
                    });
                }
                eval.charge(
                    LimitKey::CallParam {
                        policy: index as u64,
                        constraint: position as u64,
                    },
                    &constraint.limit,
                    U256::from_be_bytes(word.0),
                )?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::spec::{CallSpec, Constraint, TransferSpec};
    use alloy_primitives::aliases::U48;
    use alloy_primitives::{Bytes, address};
    use proptest::prelude::*;

    const TOKEN: Address = address!("00000000000000000000000000000000000000aa");
    const ALICE: Address = address!("00000000000000000000000000000000000000bb");
    const SELECTOR: [u8; 4] = [0xa9, 0x05, 0x9c, 0xbb]; // transfer(address,uint256)
    const NOW: u64 = 1_800_000_000;

    fn unlimited() -> UsageLimit {
        UsageLimit {
            limitType: LimitType::Unlimited,
            limit: U256::ZERO,
            period: U48::ZERO,
        }
    }
    fn lifetime(limit: u64) -> UsageLimit {
        UsageLimit {
            limitType: LimitType::Lifetime,
            limit: U256::from(limit),
            period: U48::ZERO,
        }
    }
    fn allowance(limit: u64, period: u64) -> UsageLimit {
        UsageLimit {
            limitType: LimitType::Allowance,
            limit: U256::from(limit),
            period: U48::from(period),
        }
    }

    /// transfer(to == ALICE, amount with `amount_limit`) on TOKEN, plus plain transfers to ALICE.
    fn spec(amount_limit: UsageLimit) -> SessionSpec {
        let mut alice_word = [0u8; 32];
        alice_word[12..].copy_from_slice(ALICE.as_slice());
        SessionSpec {
            signer: Address::repeat_byte(0x51),
            expiresAt: U48::from(NOW + 3600),
            feeLimit: lifetime(1_000_000),
            callPolicies: vec![CallSpec {
                target: TOKEN,
                selector: SELECTOR.into(),
                maxValuePerUse: U256::ZERO,
                valueLimit: unlimited(),
                constraints: vec![
                    Constraint {
                        condition: Condition::Equal,
                        index: 0,
                        refValue: B256::from(alice_word),
                        limit: unlimited(),
                    },
                    Constraint {
                        condition: Condition::Unconstrained,
                        index: 1,
                        refValue: B256::ZERO,
                        limit: amount_limit,
                    },
                ],
            }],
            transferPolicies: vec![TransferSpec {
                target: ALICE,
                maxValuePerUse: U256::from(100),
                valueLimit: lifetime(150),
            }],
        }
    }

    fn transfer(to: Address, amount: u64) -> Call {
        let mut data = SELECTOR.to_vec();
        data.extend_from_slice(to.into_word().as_slice());
        data.extend_from_slice(&U256::from(amount).to_be_bytes::<32>());
        Call {
            to: TOKEN,
            value: U256::ZERO,
            data: data.into(),
        }
    }

    fn eth(to: Address, value: u64) -> Call {
        Call {
            to,
            value: U256::from(value),
            data: Bytes::new(),
        }
    }

    fn at(now: u64) -> Circumstances {
        Circumstances {
            fee: Some(U256::from(10)),
            now,
            clock: now,
        }
    }

    #[test]
    fn allows_matching_call_with_period_ids_and_increments() {
        let ok = evaluate(
            &spec(lifetime(100)),
            &Usage::default(),
            &[transfer(ALICE, 40)],
            at(NOW),
        )
        .unwrap();
        // fee, call value, constraint 0, constraint 1
        assert_eq!(ok.period_ids, vec![0, 0, 0, 0]);
        assert_eq!(ok.valid_until, NOW + 3600);
        assert_eq!(ok.increments.len(), 2); // fee + amount (unlimited ones are not tracked)
        assert_eq!(ok.increments[1].amount, U256::from(40));
    }

    #[test]
    fn packed_counters_are_capped_as_the_validator_caps_them() {
        use crate::session::usage::{FEE_COUNTER_CAP, TRANSFER0_COUNTER_CAP};
        let mut s = spec(lifetime(100));
        s.feeLimit = lifetime(0);
        s.feeLimit.limit = U256::MAX;
        s.transferPolicies[0].maxValuePerUse = U256::MAX;
        s.transferPolicies[0].valueLimit.limit = U256::MAX;
        let big = |value: U256| Call {
            to: ALICE,
            value,
            data: Bytes::new(),
        };
        let fee = |fee: U256| Circumstances {
            fee: Some(fee),
            now: NOW,
            clock: NOW,
        };
        let usage = Usage::default();
        assert!(
            evaluate(
                &s,
                &usage,
                &[big(TRANSFER0_COUNTER_CAP)],
                fee(FEE_COUNTER_CAP)
            )
            .is_ok()
        );
        let over = TRANSFER0_COUNTER_CAP + U256::from(1);
        assert!(matches!(
            evaluate(&s, &usage, &[big(over)], at(NOW)),
            Err(Denied::LimitExceeded { key: LimitKey::TransferValue { policy: 0 }, limit, .. }) if limit == TRANSFER0_COUNTER_CAP
        ));
        assert!(matches!(
            evaluate(
                &s,
                &usage,
                &[big(U256::from(1))],
                fee(FEE_COUNTER_CAP + U256::from(1))
            ),
            Err(Denied::LimitExceeded {
                key: LimitKey::Fee,
                ..
            })
        ));
    }

    #[test]
    fn any_recipient_transfers_and_streams() {
        use crate::session::stream::Stream;
        let stream = Stream {
            initial: U256::from(100),
            per_second: U256::from(10),
            cap: Some(U256::from(1_000)),
            start: NOW,
        };
        let mut s = spec(lifetime(0));
        s.transferPolicies = vec![
            TransferSpec {
                target: ALICE,
                maxValuePerUse: U256::from(5),
                valueLimit: lifetime(5),
            },
            TransferSpec {
                target: ANY_RECIPIENT,
                maxValuePerUse: U256::MAX,
                valueLimit: stream.limit().unwrap(),
            },
        ];
        let bob = Address::repeat_byte(0xb0);
        let mut usage = Usage::default();
        // At NOW + 1 the claim is NOW: the initial amount, valid only after NOW.
        let ok = evaluate(&s, &usage, &[eth(bob, 100)], at(NOW + 1)).unwrap();
        assert_eq!(
            ok.period_ids,
            vec![0, NOW],
            "the claimed time is the stream's entry"
        );
        assert_eq!(ok.valid_after, NOW);
        ok.increments.iter().for_each(|i| usage.apply(i));
        assert!(matches!(
            evaluate(&s, &usage, &[eth(bob, 1)], at(NOW + 1)),
            Err(Denied::LimitExceeded { key: LimitKey::TransferValue { policy: 1 }, limit, .. }) if limit == U256::from(100)
        ));
        // Ten seconds later a hundred more have accrued; the cap holds later on.
        assert!(evaluate(&s, &usage, &[eth(bob, 100)], at(NOW + 11)).is_ok());
        assert!(evaluate(&s, &usage, &[eth(bob, 101)], at(NOW + 11)).is_err());
        assert!(evaluate(&s, &usage, &[eth(bob, 900)], at(NOW + 1_000)).is_ok());
        assert!(evaluate(&s, &usage, &[eth(bob, 901)], at(NOW + 1_000)).is_err());
        // The named policy comes first: ALICE's transfers are charged to it, not to the stream.
        let named = evaluate(&s, &usage, &[eth(ALICE, 5)], at(NOW + 1)).unwrap();
        assert_eq!(
            named.increments[1].key,
            LimitKey::TransferValue { policy: 0 }
        );
        assert!(evaluate(&s, &usage, &[eth(ALICE, 6)], at(NOW + 1)).is_err());
        // A chain ahead of the wallet's clock: the claim follows the clock (bundlers check it).
        let behind = Circumstances {
            fee: Some(U256::from(10)),
            now: NOW + 500,
            clock: NOW + 11,
        };
        let ok = evaluate(&s, &Usage::default(), &[eth(bob, 200)], behind).unwrap();
        assert_eq!(ok.period_ids[1], NOW + 10);
        assert!(evaluate(&s, &Usage::default(), &[eth(bob, 201)], behind).is_err());
        // Nothing has accrued before the start.
        let mut later = s.clone();
        later.transferPolicies[1].valueLimit = Stream {
            start: NOW + 100,
            ..stream
        }
        .limit()
        .unwrap();
        assert!(matches!(
            evaluate(&later, &Usage::default(), &[eth(bob, 1)], at(NOW + 50)),
            Err(Denied::LimitExceeded { limit, .. }) if limit.is_zero()
        ));
    }

    #[test]
    fn lifetime_limit_counts_usage_and_batches() {
        let s = spec(lifetime(100));
        let mut usage = Usage::default();
        let first = evaluate(&s, &usage, &[transfer(ALICE, 60)], at(NOW)).unwrap();
        first.increments.iter().for_each(|i| usage.apply(i));
        let err = evaluate(&s, &usage, &[transfer(ALICE, 41)], at(NOW)).unwrap_err();
        assert!(matches!(err, Denied::LimitExceeded { used, .. } if used == U256::from(60)));
        assert!(evaluate(&s, &usage, &[transfer(ALICE, 40)], at(NOW)).is_ok());
        // Within one batch the charges accumulate.
        let batch = [transfer(ALICE, 30), transfer(ALICE, 30)];
        assert!(matches!(
            evaluate(&s, &usage, &batch, at(NOW)),
            Err(Denied::LimitExceeded { .. })
        ));
    }

    #[test]
    fn allowance_resets_at_period_boundary_and_bounds_validity() {
        let s = spec(allowance(100, 3600));
        let mut usage = Usage::default();
        let now = 3600 * 500_000 + 10;
        let mut s2 = s.clone();
        s2.expiresAt = U48::from(now + 10 * 3600);
        let ok = evaluate(&s2, &usage, &[transfer(ALICE, 100)], at(now)).unwrap();
        assert_eq!(ok.period_ids[3], 500_000);
        assert_eq!(
            (ok.valid_after, ok.valid_until),
            (500_000 * 3600, 500_001 * 3600 - 1)
        );
        ok.increments.iter().for_each(|i| usage.apply(i));
        assert!(evaluate(&s2, &usage, &[transfer(ALICE, 1)], at(500_001 * 3600 - 1)).is_err());
        // The EntryPoint's validAfter is exclusive: the period's first second is not usable.
        assert!(matches!(
            evaluate(&s2, &usage, &[transfer(ALICE, 100)], at(500_001 * 3600)),
            Err(Denied::NotYetValid { .. })
        ));
        assert!(evaluate(&s2, &usage, &[transfer(ALICE, 100)], at(500_001 * 3600 + 1)).is_ok());
    }

    #[test]
    fn refuses_other_recipient_target_selector_and_short_calldata() {
        let s = spec(lifetime(100));
        let u = Usage::default();
        assert!(matches!(
            evaluate(&s, &u, &[transfer(Address::repeat_byte(9), 1)], at(NOW)),
            Err(Denied::ConstraintFailed { index: 0, .. })
        ));
        let mut other = transfer(ALICE, 1);
        other.to = Address::repeat_byte(7);
        assert!(matches!(
            evaluate(&s, &u, &[other], at(NOW)),
            Err(Denied::NoCallPolicy { .. })
        ));
        let mut short = transfer(ALICE, 1);
        short.data = Bytes::from(short.data[..30].to_vec());
        assert!(matches!(
            evaluate(&s, &u, &[short], at(NOW)),
            Err(Denied::CalldataTooShort { index: 0, .. })
        ));
        let three = Call {
            to: TOKEN,
            value: U256::ZERO,
            data: Bytes::from_static(&[1, 2, 3]),
        };
        assert!(matches!(
            evaluate(&s, &u, &[three], at(NOW)),
            Err(Denied::ShortCalldata { len: 3, .. })
        ));
        // An empty batch is the validator's business too: only the fee is charged.
        assert_eq!(evaluate(&s, &u, &[], at(NOW)).unwrap().period_ids, vec![0]);
    }

    #[test]
    fn transfers_respect_per_use_and_lifetime_value() {
        let s = spec(lifetime(100));
        let mut u = Usage::default();
        assert!(matches!(
            evaluate(&s, &u, &[eth(ALICE, 101)], at(NOW)),
            Err(Denied::ValueOverPerUse { .. })
        ));
        assert!(matches!(
            evaluate(&s, &u, &[eth(TOKEN, 1)], at(NOW)),
            Err(Denied::NoTransferPolicy { .. })
        ));
        let ok = evaluate(&s, &u, &[eth(ALICE, 100)], at(NOW)).unwrap();
        ok.increments.iter().for_each(|i| u.apply(i));
        assert!(matches!(
            evaluate(&s, &u, &[eth(ALICE, 51)], at(NOW)),
            Err(Denied::LimitExceeded { .. })
        ));
    }

    #[test]
    fn expiry_and_fee_limit() {
        let s = spec(lifetime(100));
        let u = Usage::default();
        assert!(evaluate(&s, &u, &[eth(ALICE, 1)], at(NOW + 3600)).is_ok());
        assert!(matches!(
            evaluate(&s, &u, &[eth(ALICE, 1)], at(NOW + 3601)),
            Err(Denied::Expired { .. })
        ));
        let big_fee = Circumstances {
            fee: Some(U256::from(1_000_001)),
            now: NOW,
            clock: NOW,
        };
        assert!(matches!(
            evaluate(&s, &u, &[eth(ALICE, 1)], big_fee),
            Err(Denied::LimitExceeded {
                key: LimitKey::Fee,
                ..
            })
        ));
        let paymaster = Circumstances {
            fee: None,
            now: NOW,
            clock: NOW,
        };
        assert_eq!(
            evaluate(&s, &u, &[eth(ALICE, 1)], paymaster)
                .unwrap()
                .period_ids[0],
            0
        );
    }

    proptest! {
        #[test]
        fn usage_never_exceeds_a_lifetime_limit(limit in 0u64..1000, amounts in proptest::collection::vec(0u64..400, 1..20)) {
            let s = spec(lifetime(limit));
            let mut usage = Usage::default();
            for amount in amounts {
                if let Ok(ok) = evaluate(&s, &usage, &[transfer(ALICE, amount)], Circumstances { fee: None, now: NOW, clock: NOW }) {
                    ok.increments.iter().for_each(|i| usage.apply(i));
                }
                let key = LimitKey::CallParam { policy: 0, constraint: 1 };
                prop_assert!(usage.used(key, None) <= U256::from(limit));
            }
        }

        #[test]
        fn conditions_compare_as_unsigned_words(a in any::<[u8; 32]>(), b in any::<[u8; 32]>()) {
            let (x, y) = (U256::from_be_bytes(a), U256::from_be_bytes(b));
            let (wa, wb) = (B256::from(a), B256::from(b));
            prop_assert_eq!(condition_holds(Condition::Greater, wa, wb), x > y);
            prop_assert_eq!(condition_holds(Condition::Less, wa, wb), x < y);
            prop_assert_eq!(condition_holds(Condition::GreaterOrEqual, wa, wb), x >= y);
            prop_assert_eq!(condition_holds(Condition::LessOrEqual, wa, wb), x <= y);
            prop_assert_eq!(condition_holds(Condition::Equal, wa, wb), x == y);
            prop_assert_eq!(condition_holds(Condition::NotEqual, wa, wb), x != y);
        }

        #[test]
        fn allowance_period_id_is_time_over_period(now in 1u64..(1u64 << 40), period in 1u64..100_000) {
            let mut s = spec(allowance(u64::MAX, period));
            s.expiresAt = U48::from(now + 1);
            let outcome = evaluate(&s, &Usage::default(), &[transfer(ALICE, 1)], Circumstances { fee: None, now, clock: now });
            if now % period == 0 {
                prop_assert!(matches!(outcome, Err(Denied::NotYetValid { .. })), "{:?}", outcome);
            } else {
                let ok = outcome.unwrap();
                prop_assert_eq!(ok.period_ids[3], now / period);
                prop_assert!(ok.valid_after < now && now <= ok.valid_until);
            }
        }
    }
}
