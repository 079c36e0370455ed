//! The JSON side of a session request: a strict object walker ([`Obj`]) that carries the JSON
//! path into every [`RequestError`] and refuses keys nobody asked for, and the readers of single
//! values both formats share — amounts, addresses, integers, periods and usage limits.
//!
//! Nothing here knows about ABI types or policies; the other request modules read their fields
//! through these helpers so that every refusal names where it happened.

use std::str::FromStr;

use alloy_primitives::aliases::U48;
use alloy_primitives::{Address, U256};
use serde_json::{Map, Value};

use super::{MAX_EXPIRES_AT, RequestError, Result};
use crate::session::spec::{LimitType, UsageLimit};
use crate::session::stream::Stream;

/// A JSON object being read, with its path; [`Obj::finish`] refuses keys nobody asked for.
pub(super) struct Obj<'a> {
    map: &'a Map<String, Value>,
    pub(super) at: String,
    seen: Vec<&'static str>,
}

impl<'a> Obj<'a> {
    pub(super) fn new(value: &'a Value, at: &str) -> Result<Self> {
        match value {
            Value::Object(map) => Ok(Obj {
                map,
                at: at.to_owned(),
                seen: Vec::new(),
            }),
            other => Err(RequestError::new(
                at,
                format!("expected an object, got {}", kind(other)),
            )),
        }
    }

    pub(super) fn path(&self, key: &str) -> String {
        format!("{}.{key}", self.at)
    }

    /// The value of `key`, treating `null` as absent.
    pub(super) fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.seen.push(key);
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub(super) fn required(&mut self, key: &'static str) -> Result<&'a Value> {
        self.get(key)
            .ok_or_else(|| RequestError::new(&self.at, format!("`{key}` is required")))
    }

    /// Refuses unknown keys (typos would otherwise silently fall back to defaults).
    pub(super) fn finish(self) -> Result<()> {
        if let Some(key) = self.map.keys().find(|k| !self.seen.contains(&k.as_str())) {
            let mut expected = self.seen.clone();
            expected.sort_unstable();
            expected.dedup();
            return Err(RequestError::new(
                &self.at,
                format!(
                    "unknown field `{key}` (expected one of: {})",
                    expected.join(", ")
                ),
            ));
        }
        Ok(())
    }
}

pub(super) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(super) fn array<'a>(value: &'a Value, at: &str, max: usize) -> Result<&'a Vec<Value>> {
    match value {
        Value::Array(items) if items.len() > max => Err(RequestError::new(
            at,
            format!("at most {max} entries are allowed, got {}", items.len()),
        )),
        Value::Array(items) => Ok(items),
        other => Err(RequestError::new(
            at,
            format!("expected an array, got {}", kind(other)),
        )),
    }
}

pub(super) fn string<'a>(value: &'a Value, at: &str) -> Result<&'a str> {
    value
        .as_str()
        .ok_or_else(|| RequestError::new(at, format!("expected a string, got {}", kind(value))))
}

/// An amount: a decimal string, a `0x` hex string or a JSON integer.
pub fn parse_amount(value: &Value, at: &str) -> Result<U256> {
    match value {
        Value::Number(n) => n.as_u64().map(U256::from).ok_or_else(|| {
            RequestError::new(
                at,
                format!(
                    "amount {n} is not a non-negative integer that JSON numbers carry exactly; \
                     give it as a decimal or 0x string"
                ),
            )
        }),
        Value::String(s) => crate::units::parse_uint(s).ok_or_else(|| {
            RequestError::new(
                at,
                format!("`{s}` is not an amount (a decimal or 0x-hex integer below 2^256)"),
            )
        }),
        other => Err(RequestError::new(
            at,
            format!(
                "expected an amount (string or integer), got {}",
                kind(other)
            ),
        )),
    }
}

/// A `0x` address; mixed case must be a valid EIP-55 checksum.
pub fn parse_address(value: &Value, at: &str) -> Result<Address> {
    let s = string(value, at)?;
    let hex = s.strip_prefix("0x").ok_or_else(|| {
        RequestError::new(
            at,
            format!("`{s}` is not an address (0x and 40 hex digits)"),
        )
    })?;
    if hex.len() != 40 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(RequestError::new(
            at,
            format!("`{s}` is not an address (0x and 40 hex digits)"),
        ));
    }
    let mixed =
        hex.chars().any(|c| c.is_ascii_uppercase()) && hex.chars().any(|c| c.is_ascii_lowercase());
    if mixed {
        Address::parse_checksummed(s, None)
            .map_err(|_| RequestError::new(at, format!("`{s}` has an invalid EIP-55 checksum")))
    } else {
        Address::from_str(s).map_err(|_| RequestError::new(at, format!("`{s}` is not an address")))
    }
}

pub(super) fn parse_u64(value: &Value, at: &str, what: &str) -> Result<u64> {
    let n = parse_amount(value, at)?;
    u64::try_from(n).map_err(|_| RequestError::new(at, format!("{what} {n} is out of range")))
}

fn parse_period(value: &Value, at: &str) -> Result<U48> {
    let n = parse_u64(value, at, "period")?;
    if n > MAX_EXPIRES_AT {
        return Err(RequestError::new(
            at,
            format!("period {n} does not fit in uint48"),
        ));
    }
    Ok(U48::from(n))
}

/// A limit: `"unlimited"`, an amount (lifetime), or `{type: "unlimited"|"lifetime"|"allowance",
/// limit, period}` (`limitType` is accepted for `type`, as in ZKsync SSO).
pub fn parse_limit(value: &Value, at: &str) -> Result<UsageLimit> {
    let lifetime = |limit| UsageLimit {
        limitType: LimitType::Lifetime,
        limit,
        period: U48::ZERO,
    };
    match value {
        Value::String(s) if s.eq_ignore_ascii_case("unlimited") => Ok(unlimited()),
        Value::String(_) | Value::Number(_) => Ok(lifetime(parse_amount(value, at)?)),
        Value::Object(map) => {
            let mut obj = Obj::new(value, at)?;
            let (ty_value, ty_key) = match (obj.get("type"), obj.get("limitType")) {
                (Some(t), None) => (t, "type"),
                (None, Some(t)) => (t, "limitType"),
                (Some(_), Some(_)) => {
                    return Err(RequestError::new(
                        at,
                        "give either `type` or `limitType`, not both",
                    ));
                }
                (None, None) => {
                    return Err(RequestError::new(
                        at,
                        format!(
                            "`type` (unlimited, lifetime, allowance or stream) is required in a limit object with keys {:?}",
                            map.keys().collect::<Vec<_>>()
                        ),
                    ));
                }
            };
            let ty = string(ty_value, &obj.path(ty_key))?.to_ascii_lowercase();
            let limit = match ty.as_str() {
                "unlimited" => {
                    if obj.get("limit").is_some() || obj.get("period").is_some() {
                        return Err(RequestError::new(
                            at,
                            "an unlimited limit takes no `limit` or `period`",
                        ));
                    }
                    unlimited()
                }
                "lifetime" => {
                    let amount = parse_amount(obj.required("limit")?, &obj.path("limit"))?;
                    if let Some(p) = obj.get("period")
                        && !parse_period(p, &obj.path("period"))?.is_zero()
                    {
                        return Err(RequestError::new(
                            at,
                            "a lifetime limit has no `period` (use type \"allowance\" for a per-period limit)",
                        ));
                    }
                    lifetime(amount)
                }
                "allowance" => UsageLimit {
                    limitType: LimitType::Allowance,
                    limit: parse_amount(obj.required("limit")?, &obj.path("limit"))?,
                    period: parse_period(obj.required("period")?, &obj.path("period"))?,
                },
                "stream" => parse_stream(&mut obj)?,
                other => {
                    return Err(RequestError::new(
                        &obj.path(ty_key),
                        format!(
                            "unknown limit type `{other}` (expected unlimited, lifetime, allowance or stream)"
                        ),
                    ));
                }
            };
            obj.finish()?;
            Ok(limit)
        }
        other => Err(RequestError::new(
            at,
            format!(
                "expected a limit (\"unlimited\", an amount, or {{type, limit, period}}), got {}",
                kind(other)
            ),
        )),
    }
}

/// The amount at `key` of `obj`, if it is there ([`parse_amount`]).
pub(super) fn optional_amount(obj: &mut Obj<'_>, key: &'static str) -> Result<Option<U256>> {
    obj.get(key)
        .map(|v| parse_amount(v, &obj.path(key)))
        .transpose()
}

/// A stream limit `{ type: "stream", initial?, perSecond, max?, start }` (amounts in base units,
/// `start` in Unix seconds; no `max`: no total cap) — see [`Stream`].
fn parse_stream(obj: &mut Obj<'_>) -> Result<UsageLimit> {
    let initial = optional_amount(obj, "initial")?.unwrap_or_default();
    let per_second = parse_amount(obj.required("perSecond")?, &obj.path("perSecond"))?;
    let cap = optional_amount(obj, "max")?;
    let start = parse_u64(obj.required("start")?, &obj.path("start"), "start")?;
    Stream {
        initial,
        per_second,
        cap,
        start,
    }
    .limit()
    .map_err(|e| RequestError::new(&obj.path(e.field), e.to_string()))
}

pub(super) fn unlimited() -> UsageLimit {
    UsageLimit {
        limitType: LimitType::Unlimited,
        limit: U256::ZERO,
        period: U48::ZERO,
    }
}

pub(super) fn lifetime_zero() -> UsageLimit {
    UsageLimit {
        limitType: LimitType::Lifetime,
        limit: U256::ZERO,
        period: U48::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn limits_in_every_form() {
        let lt = |n: u64| UsageLimit {
            limitType: LimitType::Lifetime,
            limit: U256::from(n),
            period: U48::ZERO,
        };
        let cases: Vec<(Value, Option<UsageLimit>)> = vec![
            (json!("unlimited"), Some(unlimited())),
            (json!("Unlimited"), Some(unlimited())),
            (json!({"type": "unlimited"}), Some(unlimited())),
            (json!(5), Some(lt(5))),
            (json!("5"), Some(lt(5))),
            (json!("0x0a"), Some(lt(10))),
            (json!({"type": "lifetime", "limit": "7"}), Some(lt(7))),
            (
                json!({"limitType": "Lifetime", "limit": 7, "period": 0}),
                Some(lt(7)),
            ),
            (
                json!({"type": "allowance", "limit": 3, "period": "3600"}),
                Some(UsageLimit {
                    limitType: LimitType::Allowance,
                    limit: U256::from(3),
                    period: U48::from(3600),
                }),
            ),
            // period 0 is decoded; the rules refuse it like the contract.
            (
                json!({"type": "allowance", "limit": 3, "period": 0}),
                Some(UsageLimit {
                    limitType: LimitType::Allowance,
                    limit: U256::from(3),
                    period: U48::ZERO,
                }),
            ),
            (json!({"type": "allowance", "limit": 3}), None),
            (json!({"type": "lifetime", "limit": 3, "period": 5}), None),
            (json!({"type": "unlimited", "limit": 3}), None),
            (json!({"type": "weekly", "limit": 3}), None),
            (json!({"type": "lifetime", "limit": 3, "extra": 1}), None),
            (
                json!({"type": "lifetime", "limitType": "lifetime", "limit": 3}),
                None,
            ),
            (json!({"limit": 3}), None),
            (json!(-1), None),
            (json!(1.5), None),
            (json!("1e18"), None),
            (json!(""), None),
            (json!("0x"), None),
            (json!(" 5"), None),
            (json!("0x1".to_owned() + &"0".repeat(64)), None),
            (json!(true), None),
            (json!([]), None),
        ];
        for (input, expected) in cases {
            let got = parse_limit(&input, "x");
            match expected {
                Some(e) => assert_eq!(got.unwrap(), e, "{input}"),
                None => assert!(got.is_err(), "{input} → {got:?}"),
            }
        }
        assert_eq!(
            parse_amount(
                &json!(
                    "115792089237316195423570985008687907853269984665640564039457584007913129639935"
                ),
                "x"
            )
            .unwrap(),
            U256::MAX
        );
        assert!(
            parse_amount(
                &json!(
                    "115792089237316195423570985008687907853269984665640564039457584007913129639936"
                ),
                "x"
            )
            .is_err()
        );
    }
}
