//! Plain-language descriptions of a session for the UI: one line per fact of a
//! [`SessionRequest`] ([`describe`], [`describe_with_tokens`]), what is left of its limits
//! ([`remaining`]), and the dates, periods, limits and values those lines are made of.
//!
//! Token amounts read in the token's units when its metadata ([`Tokens`]) is known, and as raw
//! integers otherwise. Whether a session may be created, and what to warn about, is
//! [`super::rules`]' business; nothing here refuses anything.

use alloy_primitives::{Address, B256, U256};

use super::request::{CallPolicy, SessionRequest, WordType};
use super::selectors::{APPROVE, INCREASE_ALLOWANCE, TRANSFER, TRANSFER_FROM};
use super::spec::{ANY_RECIPIENT, Condition, LimitType, UsageLimit};
use super::stream::Stream;
use super::usage::{LimitKey, Usage, limit_at};
use crate::units::{READABLE_DIGITS, Readable, format_ether, format_significant, format_units};

/// `2027-01-15 08:00:00 UTC` for Unix seconds.
pub fn format_utc(timestamp: u64) -> String {
    let days = (timestamp / 86_400) as i64;
    let secs = timestamp % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// `day (UTC)`, `3 hours`, `90 seconds`: an epoch-aligned period.
fn period_text(period: u64) -> String {
    match period {
        1 => "second".to_owned(),
        60 => "minute".to_owned(),
        3600 => "hour (clock hour)".to_owned(),
        86_400 => "day (UTC day)".to_owned(),
        604_800 => "week (Thursday to Wednesday, UTC)".to_owned(),
        p if p % 86_400 == 0 => format!("{} days (epoch-aligned)", p / 86_400),
        p if p % 3600 == 0 => format!("{} hours (epoch-aligned)", p / 3600),
        p if p % 60 == 0 => format!("{} minutes (epoch-aligned)", p / 60),
        p => format!("{p} seconds (epoch-aligned)"),
    }
}

/// `at most X in total` / `at most X per day (UTC day)` / a stream's terms / `no limit`.
fn limit_text(limit: &UsageLimit, amount: impl Fn(U256) -> String) -> String {
    if let Some(stream) = Stream::of(limit) {
        return stream_text(&stream, amount);
    }
    match limit.limitType {
        LimitType::Unlimited => "no limit".to_owned(),
        LimitType::Lifetime => format!("at most {} in total", amount(limit.limit)),
        LimitType::Allowance => format!(
            "at most {} per {}",
            amount(limit.limit),
            period_text(limit.period.to())
        ),
        _ => "an unknown limit type".to_owned(),
    }
}

/// `a stream: 1 ETH from 2027-01-15 08:00:00 UTC, then 0.001 ETH more each second (86.4 ETH a
/// day), at most 10 ETH in total`.
fn stream_text(stream: &Stream, amount: impl Fn(U256) -> String) -> String {
    let cap = match stream.cap {
        Some(cap) => format!("at most {} in total", amount(cap)),
        None => "no total cap".to_owned(),
    };
    format!(
        "a stream: {} from {}, then {} more each second ({} a day), {cap}",
        amount(stream.initial),
        format_utc(stream.start),
        amount(stream.per_second),
        amount(stream.per_second.saturating_mul(U256::from(86_400)))
    )
}

fn value_text(max_per_use: U256, limit: &UsageLimit) -> String {
    let zero_total = limit.limitType != LimitType::Unlimited && limit.limit.is_zero();
    if max_per_use.is_zero() || zero_total {
        return "no ETH".to_owned();
    }
    let per_use = if max_per_use == U256::MAX {
        "any amount of ETH per call".to_owned()
    } else {
        format!("up to {} per call", format_ether(max_per_use))
    };
    format!("{per_use}, {}", limit_text(limit, format_ether))
}

/// A constraint's reference value shown for its type.
fn word_text(ty: Option<WordType>, word: B256) -> String {
    let n = U256::from_be_bytes(word.0);
    match ty {
        Some(WordType::Address) if word[..12].iter().all(|b| *b == 0) => {
            Address::from_word(word).to_checksum(None)
        }
        Some(WordType::Bool) if n <= U256::from(1) => (n == U256::from(1)).to_string(),
        Some(WordType::Uint(_)) => n.to_string(),
        Some(WordType::Int(_)) => alloy_primitives::I256::from_raw(n).to_string(),
        Some(WordType::FixedBytes(len)) => {
            format!(
                "0x{}",
                alloy_primitives::hex::encode(&word[..usize::from(len)])
            )
        }
        _ => word.to_string(),
    }
}

/// Token metadata by contract, read from the chain when the session was requested, so token
/// amounts read as `100 USDC` instead of raw base units.
pub type Tokens = std::collections::BTreeMap<Address, crate::decode::TokenInfo>;

/// The token amount formatter for constraint word `index` of `policy`, when that word is the
/// amount of an ERC-20 function (`transfer` / `approve` / `increaseAllowance`: word 1;
/// `transferFrom`: word 2) on a token whose metadata is known.
fn token_amount(
    policy: &CallPolicy,
    index: u64,
    tokens: &Tokens,
    digits: Option<usize>,
) -> Option<impl Fn(U256) -> String + use<>> {
    let amount_word = match policy.spec.selector.0 {
        TRANSFER | APPROVE | INCREASE_ALLOWANCE => 1,
        TRANSFER_FROM => 2,
        _ => return None,
    };
    let token = tokens
        .get(&policy.spec.target)
        .filter(|_| index == amount_word)?;
    let (symbol, decimals) = (token.symbol.clone(), token.decimals);
    Some(move |amount: U256| match digits {
        Some(d) => format!("{} {symbol}", format_significant(amount, decimals, d)),
        None => format!("{} {symbol}", format_units(amount, decimals)),
    })
}

/// Whether some constraint of the request shows a raw number (not a token amount).
fn has_raw_amounts(request: &SessionRequest, tokens: &Tokens) -> bool {
    request.call_policies.iter().any(|p| {
        p.spec.constraints.iter().any(|c| {
            let numeric = c.limit.limitType != LimitType::Unlimited
                || !matches!(
                    c.condition,
                    Condition::Unconstrained | Condition::Equal | Condition::NotEqual
                );
            numeric && token_amount(p, c.index, tokens, None).is_none()
        })
    })
}

fn describe_call(policy: &CallPolicy, tokens: &Tokens) -> String {
    let mut parts = Vec::new();
    for (j, c) in policy.spec.constraints.iter().enumerate() {
        let info = policy.constraints.get(j);
        let name = info.map_or_else(|| format!("word {}", c.index), |i| format!("`{}`", i.param));
        let ty: Option<WordType> = info.and_then(|i| i.ty.parse().ok());
        let token = token_amount(policy, c.index, tokens, None);
        let value = match &token {
            Some(amount) => amount(U256::from_be_bytes(c.refValue.0)),
            None => word_text(ty, c.refValue),
        };
        let condition = match c.condition {
            Condition::Unconstrained => None,
            Condition::Equal => Some(format!("{name} must equal {value}")),
            Condition::NotEqual => Some(format!("{name} must not equal {value}")),
            Condition::Greater => Some(format!("{name} > {value}")),
            Condition::Less => Some(format!("{name} < {value}")),
            Condition::GreaterOrEqual => Some(format!("{name} ≥ {value}")),
            Condition::LessOrEqual => Some(format!("{name} ≤ {value}")),
            _ => Some(format!("{name}: unknown condition")),
        };
        let limit = match (c.limit.limitType, &token) {
            (LimitType::Unlimited, _) => None,
            (_, Some(amount)) => Some(format!(
                "{name} summed over all calls: {}",
                limit_text(&c.limit, amount)
            )),
            (_, None) => Some(format!(
                "{name} summed over all calls: {}",
                limit_text(&c.limit, |v| v.to_string())
            )),
        };
        parts.extend(condition);
        parts.extend(limit);
    }
    if parts.is_empty() {
        parts.push("any arguments".to_owned());
    }
    parts.push(value_text(
        policy.spec.maxValuePerUse,
        &policy.spec.valueLimit,
    ));
    let function = if policy.named_by_site {
        // Only the selector is enforced: the name is the site's claim.
        format!(
            "{} (the site's name for selector {})",
            policy.function, policy.spec.selector
        )
    } else {
        policy.function.clone()
    };
    format!(
        "Call {function} on {}: {}",
        policy.spec.target.to_checksum(None),
        parts.join("; ")
    )
}

/// One line per fact of the session, for the approval UI. Addresses are shown in full
/// (checksummed); ETH amounts in ETH; call parameters as raw integers (token base units —
/// the wallet does not know a token's decimals).
pub fn describe(request: &SessionRequest) -> Vec<String> {
    describe_with_tokens(request, &Tokens::new())
}

/// [`describe`], with token amounts in the token's units where its metadata is known: the
/// expiry, then [`describe_permissions`], then the dapp's own words.
pub fn describe_with_tokens(request: &SessionRequest, tokens: &Tokens) -> Vec<String> {
    let mut lines = vec![format!(
        "Valid until {} (Unix time {})",
        format_utc(request.expires_at),
        request.expires_at
    )];
    lines.extend(describe_permissions(request, tokens));
    if let Some(j) = &request.meta.justification {
        lines.push(format!("The dapp says: \"{j}\""));
    }
    lines
}

/// What the session may do, one line per permission (fee limit, calls with their constraints,
/// transfers) and the notes on how amounts read; without the expiry and the dapp's words, which
/// a view shows on their own.
pub fn describe_permissions(request: &SessionRequest, tokens: &Tokens) -> Vec<String> {
    let mut lines = vec![format!(
        "Network fees paid by the account: {}",
        limit_text(&request.fee_limit, format_ether)
    )];
    for policy in &request.call_policies {
        lines.push(describe_call(policy, tokens));
    }
    for t in &request.transfer_policies {
        lines.push(format!(
            "Send ETH to {}: {}",
            recipient_text(t.target),
            value_text(t.maxValuePerUse, &t.valueLimit).replace(" per call", " per transfer")
        ));
    }
    let token_units = request.call_policies.iter().any(|p| {
        p.spec
            .constraints
            .iter()
            .any(|c| token_amount(p, c.index, tokens, None).is_some())
    });
    if token_units {
        lines.push(
            "Token symbols and decimals are what each token's contract says about itself."
                .to_owned(),
        );
    }
    if has_raw_amounts(request, tokens) {
        lines.push(
            "Call parameter amounts are raw integers (token base units), not adjusted for decimals."
                .to_owned(),
        );
    }
    lines
}

/// A transfer policy's recipient: its address, or `any address` for [`ANY_RECIPIENT`].
fn recipient_text(target: Address) -> String {
    if target == ANY_RECIPIENT {
        "any address".to_owned()
    } else {
        target.to_checksum(None)
    }
}

/// `in 2 h 5 min` / `3 days ago`: how far `at` is from `now`, coarsely.
pub fn format_relative(at: u64, now: u64) -> String {
    let (delta, future) = if at >= now {
        (at - now, true)
    } else {
        (now - at, false)
    };
    let text = match delta {
        0..60 => format!("{delta} s"),
        60..3600 => format!("{} min", delta / 60),
        3600..86_400 => match delta / 60 % 60 {
            0 => format!("{} h", delta / 3600),
            m => format!("{} h {m} min", delta / 3600),
        },
        _ => match delta / 86_400 {
            1 => "1 day".to_owned(),
            d => format!("{d} days"),
        },
    };
    if future {
        format!("in {text}")
    } else {
        format!("{text} ago")
    }
}

/// What is left of every limit of a session, given its usage (chain + pending) at `now`: each
/// line with its amounts at a glance ([`READABLE_DIGITS`] significant digits) and exactly.
pub fn remaining(
    request: &SessionRequest,
    usage: &Usage,
    now: u64,
    tokens: &Tokens,
) -> Vec<Readable> {
    let short = remaining_lines(request, usage, now, tokens, Some(READABLE_DIGITS));
    let exact = remaining_lines(request, usage, now, tokens, None);
    short
        .into_iter()
        .zip(exact)
        .map(|(short, exact)| Readable { short, exact })
        .collect()
}

/// [`remaining`]'s lines with amounts cut to `digits` significant digits, or exact (`None`).
fn remaining_lines(
    request: &SessionRequest,
    usage: &Usage,
    now: u64,
    tokens: &Tokens,
    digits: Option<usize>,
) -> Vec<String> {
    let format_ether = |wei: U256| match digits {
        Some(d) => format!("{} ETH", format_significant(wei, 18, d)),
        None => format_ether(wei),
    };
    let left = |limit: &UsageLimit, key: LimitKey| -> Option<U256> {
        let (period_id, max) = limit_at(key, limit, now)?;
        Some(max.saturating_sub(usage.used(key, period_id)))
    };
    // ` left of 5 TST this day (UTC day)` / ` available now (a stream: …)`.
    let of = |limit: &UsageLimit, amount: &dyn Fn(U256) -> String| match Stream::of(limit) {
        Some(stream) => format!(" available now ({})", stream_text(&stream, amount)),
        None if limit.limitType == LimitType::Allowance => format!(
            " left of {} this {}",
            amount(limit.limit),
            period_text(limit.period.to())
        ),
        None => format!(" left of {}", amount(limit.limit)),
    };
    let mut lines = Vec::new();
    if let Some(fees) = left(&request.fee_limit, LimitKey::Fee) {
        lines.push(format!(
            "Network fees: {}{}",
            format_ether(fees),
            of(&request.fee_limit, &format_ether)
        ));
    }
    for (i, policy) in request.call_policies.iter().enumerate() {
        let what = format!(
            "{} on {}",
            policy.function,
            policy.spec.target.to_checksum(None)
        );
        let value_limit = &policy.spec.valueLimit;
        if !value_limit.limit.is_zero()
            && let Some(v) = left(value_limit, LimitKey::CallValue { policy: i as u64 })
        {
            lines.push(format!(
                "{what}: ETH value {}{}",
                format_ether(v),
                of(value_limit, &format_ether)
            ));
        }
        for (j, c) in policy.spec.constraints.iter().enumerate() {
            let key = LimitKey::CallParam {
                policy: i as u64,
                constraint: j as u64,
            };
            if let Some(v) = left(&c.limit, key) {
                let name = policy.constraints.get(j).map_or_else(
                    || format!("word {}", c.index),
                    |info| format!("`{}`", info.param),
                );
                let amount: Box<dyn Fn(U256) -> String> =
                    match token_amount(policy, c.index, tokens, digits) {
                        Some(amount) => Box::new(amount),
                        None => Box::new(|v: U256| v.to_string()),
                    };
                lines.push(format!(
                    "{what}: {name} {}{}",
                    amount(v),
                    of(&c.limit, &amount)
                ));
            }
        }
    }
    for (i, t) in request.transfer_policies.iter().enumerate() {
        if let Some(v) = left(&t.valueLimit, LimitKey::TransferValue { policy: i as u64 }) {
            lines.push(format!(
                "ETH to {}: {}{}",
                recipient_text(t.target),
                format_ether(v),
                of(&t.valueLimit, &format_ether)
            ));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::request::parse_compact;
    use serde_json::json;

    const NOW: u64 = 1_800_000_000;
    const TOKEN: &str = "0x00000000000000000000000000000000000000aa";
    const ALICE: &str = "0x00000000000000000000000000000000000000bb";

    #[test]
    fn describes_every_policy() {
        let mut v = json!({
            "expiresAt": 1_800_000_000u64, "feeLimit": { "type": "allowance", "limit": "10000000000000000", "period": 86400 },
            "transfers": [{ "to": ALICE, "maxValuePerUse": "100000000000000000", "valueLimit": "1000000000000000000" }],
            "contractCalls": [
                { "address": TOKEN, "function": "transfer(address to, uint256 amount)",
                  "constraints": [{ "param": "to", "value": ALICE },
                                  { "param": "amount", "condition": "lessOrEqual", "value": 100, "limit": 1000 }] },
                { "address": TOKEN, "function": "move(int24 dx, bytes2 tag, bool fast)",
                  "constraints": [{ "param": "dx", "condition": "notEqual", "value": -3 },
                                  { "param": "tag", "value": "0xbeef" }, { "param": "fast", "value": true }] },
                { "address": TOKEN, "function": "ping()", "valueLimit": { "type": "allowance", "limit": "5", "period": 3600 } }
            ]
        });
        v["justification"] = json!("Autoplay");
        let r = parse_compact(&v, NOW).unwrap();
        assert_eq!(
            describe(&r),
            vec![
                "Valid until 2027-01-15 08:00:00 UTC (Unix time 1800000000)",
                "Network fees paid by the account: at most 0.01 ETH per day (UTC day)",
                "Call transfer(address,uint256) on 0x00000000000000000000000000000000000000AA: `to` must equal 0x00000000000000000000000000000000000000bb; `amount` ≤ 100; `amount` summed over all calls: at most 1000 in total; no ETH",
                "Call move(int24,bytes2,bool) (the site's name for selector 0xd764ea60) on 0x00000000000000000000000000000000000000AA: `dx` must not equal -3; `tag` must equal 0xbeef; `fast` must equal true; no ETH",
                "Call ping() (the site's name for selector 0x5c36b186) on 0x00000000000000000000000000000000000000AA: any arguments; up to 0.000000000000000005 ETH per call, at most 0.000000000000000005 ETH per hour (clock hour)",
                "Send ETH to 0x00000000000000000000000000000000000000bb: up to 0.1 ETH per transfer, at most 1 ETH in total",
                "Call parameter amounts are raw integers (token base units), not adjusted for decimals.",
                "The dapp says: \"Autoplay\"",
            ]
        );
    }

    #[test]
    fn streams_and_any_recipient_read_plainly() {
        let v = json!({
            "expiresAt": NOW + 86_400, "feeLimit": "10000000000000000",
            "transfers": [{ "to": "any", "valueLimit": { "type": "stream", "initial": "1000000000000000000",
                            "perSecond": "1000000000000000", "max": "2000000000000000000", "start": NOW } }],
        });
        let r = parse_compact(&v, NOW).unwrap();
        assert_eq!(
            describe_permissions(&r, &Tokens::new())[1],
            "Send ETH to any address: up to 2 ETH per transfer, a stream: 1 ETH from 2027-01-15 08:00:00 UTC, then 0.001 ETH more each second (86.4 ETH a day), at most 2 ETH in total"
        );
        let mut usage = Usage::default();
        usage.set(
            LimitKey::TransferValue { policy: 0 },
            None,
            U256::from(10u64).pow(U256::from(18)),
        );
        let left = remaining(&r, &usage, NOW + 100, &Tokens::new());
        assert!(
            left[1]
                .exact
                .starts_with("ETH to any address: 0.1 ETH available now (a stream: 1 ETH from"),
            "{left:?}"
        );
    }

    #[test]
    fn utc_dates_and_periods() {
        for (t, s) in [
            (0, "1970-01-01 00:00:00 UTC"),
            (951_782_400, "2000-02-29 00:00:00 UTC"),
            (1_709_251_199, "2024-02-29 23:59:59 UTC"),
            (4_102_444_800, "2100-01-01 00:00:00 UTC"),
            (253_402_300_799, "9999-12-31 23:59:59 UTC"),
        ] {
            assert_eq!(format_utc(t), s);
        }
        assert_eq!(period_text(7 * 86_400), "week (Thursday to Wednesday, UTC)");
        assert_eq!(period_text(2 * 86_400), "2 days (epoch-aligned)");
        assert_eq!(period_text(7200), "2 hours (epoch-aligned)");
        assert_eq!(period_text(61), "61 seconds (epoch-aligned)");
        assert!(format_utc(crate::session::request::MAX_EXPIRES_AT).ends_with("UTC"));
    }

    #[test]
    fn relative_times_and_remaining_limits_read_naturally() {
        assert_eq!(format_relative(NOW + 7500, NOW), "in 2 h 5 min");
        assert_eq!(format_relative(NOW + 59, NOW), "in 59 s");
        assert_eq!(format_relative(NOW - 3 * 86_400, NOW), "3 days ago");
        let request = parse_compact(
            &json!({ "expiresAt": NOW + 3600, "feeLimit": "1000000000000000000",
                "contractCalls": [{ "address": TOKEN, "function": "transfer(address to, uint256 amount)",
                    "constraints": [{ "param": "to", "value": ALICE },
                                    { "param": "amount", "limit": { "type": "lifetime", "limit": "100" } }] }],
                "transfers": [{ "to": ALICE, "valueLimit": { "type": "allowance", "limit": "1000000000000000000", "period": 86400 } }] }),
            NOW,
        )
        .unwrap();
        let mut usage = Usage::default();
        usage.set(LimitKey::Fee, None, U256::from(250_000_000_000_000_000u64));
        usage.set(
            LimitKey::CallParam {
                policy: 0,
                constraint: 1,
            },
            None,
            U256::from(40),
        );
        let left = remaining(&request, &usage, NOW, &Tokens::new());
        let lines: Vec<&str> = left.iter().map(|l| l.exact.as_str()).collect();
        assert_eq!(lines[0], "Network fees: 0.75 ETH left of 1 ETH");
        assert!(!left[0].is_cut(), "nothing to cut: {left:?}");
        assert!(
            lines[1].ends_with("`amount` 60 left of 100"),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].ends_with("1 ETH left of 1 ETH this day (UTC day)"),
            "{}",
            lines[2]
        );
        assert_eq!(
            lines.len(),
            3,
            "no line for the unlimited `to` constraint: {lines:?}"
        );
    }

    #[test]
    fn what_is_left_reads_at_a_glance_and_exactly() {
        let request = parse_compact(
            &json!({ "expiresAt": NOW + 3600, "feeLimit": "500000000000000000" }),
            NOW,
        )
        .unwrap();
        let mut usage = Usage::default();
        usage.set(LimitKey::Fee, None, U256::from(123_456_788_765_433u64));
        let left = remaining(&request, &usage, NOW, &Tokens::new());
        assert_eq!(left[0].short, "Network fees: 0.499876 ETH left of 0.5 ETH");
        assert_eq!(
            left[0].exact,
            "Network fees: 0.499876543211234567 ETH left of 0.5 ETH"
        );
    }

    #[test]
    fn token_amounts_read_in_the_token_units_when_known() {
        let request = parse_compact(
            &json!({ "expiresAt": NOW + 3600, "feeLimit": "1000",
                "contractCalls": [{ "address": TOKEN, "function": "transfer(address to, uint256 amount)",
                    "constraints": [{ "param": "to", "value": ALICE },
                                    { "param": "amount", "condition": "lessOrEqual", "value": "100000000",
                                      "limit": { "type": "allowance", "limit": "500000000", "period": 86400 } }] }] }),
            NOW,
        )
        .unwrap();
        let mut tokens = Tokens::new();
        tokens.insert(
            TOKEN.parse().unwrap(),
            crate::decode::TokenInfo {
                symbol: "USDC".into(),
                decimals: 6,
            },
        );
        let lines = describe_with_tokens(&request, &tokens);
        assert!(
            lines[2].contains(
                "`amount` ≤ 100 USDC; `amount` summed over all calls: at most 500 USDC per day (UTC day)"
            ),
            "{}",
            lines[2]
        );
        assert!(
            !lines.iter().any(|l| l.contains("raw integers")),
            "{lines:?}"
        );
        let raw = describe(&request);
        assert!(raw[2].contains("`amount` ≤ 100000000"));
        assert!(raw.iter().any(|l| l.contains("raw integers")));
        let mut usage = Usage::default();
        usage.set(
            LimitKey::CallParam {
                policy: 0,
                constraint: 1,
            },
            Some(NOW / 86_400),
            U256::from(200_000_000),
        );
        let left = remaining(&request, &usage, NOW, &tokens);
        assert!(
            left[1]
                .exact
                .ends_with("`amount` 300 USDC left of 500 USDC this day (UTC day)"),
            "{left:?}"
        );
    }
}
