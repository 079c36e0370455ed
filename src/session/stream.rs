//! Stream limits: a total that accrues by the second — `initial` at `start`, then `per_second`
//! more each second, at most `cap` — packed into one `UsageLimit` exactly as the validator reads
//! it (`SessionLib.streamAvailable`): `limit = cap << 170 | per_second << 85 | initial`,
//! `period = start`. Not part of ZKsync SSO's model; it carries ERC-7715's stream permissions.

use alloy_primitives::U256;
use alloy_primitives::aliases::U48;

use super::spec::{LimitType, UsageLimit};

/// The largest `initial` or `per_second` a stream can carry (85 bits).
pub const MAX_AMOUNT: U256 = U256::from_limbs([u64::MAX, (1 << 21) - 1, 0, 0]);
/// A cap of all ones (86 bits): the accrual is not capped.
const NO_CAP: U256 = U256::from_limbs([u64::MAX, (1 << 22) - 1, 0, 0]);
/// The largest cap a stream can carry (one below [`NO_CAP`]).
pub const MAX_CAP: U256 = U256::from_limbs([u64::MAX - 1, (1 << 22) - 1, 0, 0]);

/// How many seconds before the evaluation time the wallet claims a stream's accrual at: the
/// validator makes the operation valid only *after* the claimed time, and the EntryPoint's
/// `validAfter` is exclusive, so a claim at `now − 1` is usable in the next block (see
/// [`Stream::claim_time`]).
pub const CLAIM_LAG: u64 = 1;

/// A stream's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stream {
    /// Available at `start`.
    pub initial: U256,
    /// Added each second after `start`.
    pub per_second: U256,
    /// The most that ever accrues (`None`: no cap).
    pub cap: Option<U256>,
    /// Unix time the stream starts (nothing is available before).
    pub start: u64,
}

/// A stream field too wide for its place in the packed limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {value} is over the most a stream limit carries ({max})")]
pub struct TooWide {
    /// `initial`, `perSecond`, `max` or `start`.
    pub field: &'static str,
    /// The value asked for.
    pub value: U256,
    /// The largest it may be.
    pub max: U256,
}

impl Stream {
    /// Reads a `UsageLimit` of type Stream (`None` for every other type). Total: any packed word
    /// reads as some stream, as it does on chain.
    pub fn of(limit: &UsageLimit) -> Option<Stream> {
        if limit.limitType != LimitType::Stream {
            return None;
        }
        let packed = limit.limit;
        let cap = packed >> 170;
        Some(Stream {
            initial: packed & MAX_AMOUNT,
            per_second: (packed >> 85) & MAX_AMOUNT,
            cap: (cap != NO_CAP).then_some(cap),
            start: limit.period.to(),
        })
    }

    /// The `UsageLimit` the validator enforces, or which field does not fit.
    pub fn limit(&self) -> Result<UsageLimit, TooWide> {
        let fits = |field, value: U256, max: U256| {
            if value > max {
                Err(TooWide { field, value, max })
            } else {
                Ok(value)
            }
        };
        let initial = fits("initial", self.initial, MAX_AMOUNT)?;
        let per_second = fits("perSecond", self.per_second, MAX_AMOUNT)?;
        let cap = match self.cap {
            Some(cap) => fits("max", cap, MAX_CAP)?,
            None => NO_CAP,
        };
        let start = fits(
            "start",
            U256::from(self.start),
            U256::from(U48::MAX.to::<u64>()),
        )?;
        Ok(UsageLimit {
            limitType: LimitType::Stream,
            limit: (cap << 170) | (per_second << 85) | initial,
            period: U48::from(start.to::<u64>()),
        })
    }

    /// What has accrued at `time`: nothing before the start, then
    /// `min(cap, initial + per_second × (time − start))` (as `SessionLib.streamAvailable`).
    pub fn available(&self, time: u64) -> U256 {
        if time < self.start {
            return U256::ZERO;
        }
        let accrued = self.initial.saturating_add(
            self.per_second
                .saturating_mul(U256::from(time - self.start)),
        );
        match self.cap {
            Some(cap) => accrued.min(cap),
            None => accrued,
        }
    }

    /// The time a wallet evaluating at chain time `now`, with its own clock at `clock`, claims
    /// the accrual at: [`CLAIM_LAG`] before the earlier of the two — the operation is valid only
    /// after the claim, for the EntryPoint (chain time) and for bundlers, which refuse one whose
    /// `validAfter` is later than their own clock.
    pub fn claim_time(now: u64, clock: u64) -> u64 {
        now.min(clock).saturating_sub(CLAIM_LAG)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accrues_by_the_second_up_to_the_cap() {
        let s = Stream {
            initial: U256::from(100),
            per_second: U256::from(7),
            cap: Some(U256::from(150)),
            start: 1_000,
        };
        assert_eq!(s.available(999), U256::ZERO, "nothing before the start");
        assert_eq!(s.available(1_000), U256::from(100));
        assert_eq!(s.available(1_007), U256::from(149));
        assert_eq!(s.available(1_008), U256::from(150), "capped");
        assert_eq!(s.available(u64::MAX), U256::from(150));
        let uncapped = Stream { cap: None, ..s };
        assert_eq!(uncapped.available(1_010), U256::from(170));
    }

    #[test]
    fn fields_over_their_width_are_refused() {
        let s = Stream {
            initial: MAX_AMOUNT,
            per_second: MAX_AMOUNT,
            cap: Some(MAX_CAP),
            start: 1,
        };
        assert_eq!(Stream::of(&s.limit().unwrap()), Some(s));
        let wide = Stream {
            initial: MAX_AMOUNT + U256::from(1),
            ..s
        };
        assert_eq!(wide.limit().unwrap_err().field, "initial");
        let no_cap_sentinel = Stream {
            cap: Some(MAX_CAP + U256::from(1)),
            ..s
        };
        assert_eq!(no_cap_sentinel.limit().unwrap_err().field, "max");
        let late = Stream {
            start: 1 << 48,
            ..s
        };
        assert_eq!(late.limit().unwrap_err().field, "start");
    }

    proptest! {
        /// Packing round-trips, and accrual never decreases with time.
        #[test]
        fn packs_exactly_and_never_decreases(
            initial in 0u128..(1 << 85),
            per_second in 0u128..(1 << 85),
            cap in proptest::option::of(0u128..((1 << 86) - 1)),
            start in 0u64..(1 << 48),
            t in 0u64..(1 << 48),
            dt in 0u64..(1 << 20),
        ) {
            let s = Stream {
                initial: U256::from(initial),
                per_second: U256::from(per_second),
                cap: cap.map(U256::from),
                start,
            };
            prop_assert_eq!(Stream::of(&s.limit().unwrap()), Some(s));
            prop_assert!(s.available(t) <= s.available(t.saturating_add(dt)));
        }
    }
}
