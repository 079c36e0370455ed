//! One constraint of a call policy: the parameter it names (by path or word index) resolved to
//! the validator's word index, its condition, its reference value encoded as the ABI word of the
//! parameter's type, and its optional usage limit.
//!
//! Ordering conditions are refused where the validator's unsigned 32-byte comparison would not
//! mean what the dapp wrote (signed integers, addresses, booleans), and limits only fit `uintN`.

use std::str::FromStr;

use alloy_json_abi::Function;
use alloy_primitives::{B256, Bytes, I256, U256};
use serde_json::Value;

use super::abi_layout::{WordType, word_by_index, word_index};
use super::json::{
    Obj, kind, parse_address, parse_amount, parse_limit, parse_u64, string, unlimited,
};
use super::{ConstraintInfo, RequestError, Result};
use crate::session::spec::{Condition, Constraint, LimitType};

fn parse_condition(value: &Value, at: &str) -> Result<Condition> {
    let s = string(value, at)?;
    let normalized: String = s
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .collect::<String>()
        .to_ascii_lowercase();
    Ok(match normalized.as_str() {
        "unconstrained" => Condition::Unconstrained,
        "equal" | "eq" | "==" => Condition::Equal,
        "greater" | "gt" | ">" => Condition::Greater,
        "less" | "lt" | "<" => Condition::Less,
        "greaterorequal" | "gte" | ">=" => Condition::GreaterOrEqual,
        "lessorequal" | "lte" | "<=" => Condition::LessOrEqual,
        "notequal" | "ne" | "!=" => Condition::NotEqual,
        _ => {
            return Err(RequestError::new(
                at,
                format!(
                    "unknown condition `{s}` (expected equal, notEqual, greater, less, greaterOrEqual, lessOrEqual or unconstrained)"
                ),
            ));
        }
    })
}

fn is_ordering(condition: Condition) -> bool {
    matches!(
        condition,
        Condition::Greater | Condition::Less | Condition::GreaterOrEqual | Condition::LessOrEqual
    )
}

/// Encodes `value` as the ABI word of type `ty`.
pub fn encode_word(ty: WordType, value: &Value, at: &str) -> Result<B256> {
    match ty {
        WordType::Address => Ok(parse_address(value, at)?.into_word()),
        WordType::Bool => match value {
            Value::Bool(b) => Ok(B256::with_last_byte(u8::from(*b))),
            other => Err(RequestError::new(
                at,
                format!("expected true or false for a bool, got {}", kind(other)),
            )),
        },
        WordType::Uint(bits) => {
            let n = parse_amount(value, at)?;
            if bits < 256 && n >> usize::from(bits) != U256::ZERO {
                return Err(RequestError::new(
                    at,
                    format!("{n} does not fit in uint{bits}"),
                ));
            }
            Ok(B256::from(n))
        }
        WordType::Int(bits) => {
            let n = match value {
                Value::Number(n) => n.as_i64().map(I256::try_from).and_then(|r| r.ok()),
                Value::String(s) if s.starts_with("0x") || s.starts_with("0X") => {
                    crate::units::parse_uint(s).and_then(|u| I256::try_from(u).ok())
                }
                Value::String(s) => I256::from_dec_str(s).ok(),
                _ => None,
            }
            .ok_or_else(|| {
                RequestError::new(
                    at,
                    format!("expected a signed integer (decimal string, 0x string or JSON integer) for int{bits}"),
                )
            })?;
            let half = (bits < 256).then(|| I256::ONE << usize::from(bits - 1));
            if half.is_some_and(|half| n >= half || n < -half) {
                return Err(RequestError::new(
                    at,
                    format!("{n} does not fit in int{bits}"),
                ));
            }
            Ok(B256::from(n.into_raw()))
        }
        WordType::FixedBytes(len) => {
            let s = string(value, at)?;
            let bytes = s
                .strip_prefix("0x")
                .and_then(|h| Bytes::from_str(h).ok())
                .filter(|b| b.len() == usize::from(len))
                .ok_or_else(|| {
                    RequestError::new(
                        at,
                        format!("expected 0x and exactly {len} bytes for bytes{len}"),
                    )
                })?;
            let mut word = B256::ZERO;
            word[..bytes.len()].copy_from_slice(&bytes);
            Ok(word)
        }
        WordType::Function => Err(RequestError::new(
            at,
            "constraints on function-pointer parameters are not supported",
        )),
    }
}

pub(super) fn parse_constraint(
    value: &Value,
    at: &str,
    function: &Function,
) -> Result<(Constraint, ConstraintInfo)> {
    let mut obj = Obj::new(value, at)?;
    let param = obj.get("param");
    let index = obj.get("index");
    let (index, info) = match (param, index) {
        (Some(p), None) => {
            let path = string(p, &obj.path("param"))?;
            let (index, t) = word_index(&function.inputs, path)
                .map_err(|e| RequestError::new(&obj.path("param"), e))?;
            (
                index,
                ConstraintInfo {
                    param: path.to_owned(),
                    ty: t.to_string(),
                },
            )
        }
        (None, Some(i)) => {
            let index = parse_u64(i, &obj.path("index"), "index")?;
            let (path, t) = word_by_index(&function.inputs, index)
                .map_err(|e| RequestError::new(&obj.path("index"), e))?;
            (
                index,
                ConstraintInfo {
                    param: path,
                    ty: t.to_string(),
                },
            )
        }
        (Some(_), Some(_)) => {
            return Err(RequestError::new(
                at,
                "give either `param` or `index`, not both",
            ));
        }
        (None, None) => {
            return Err(RequestError::new(
                at,
                "`param` (a parameter name) or `index` (a word index) is required",
            ));
        }
    };
    let ty: WordType = info
        .ty
        .parse()
        .map_err(|()| RequestError::new(at, format!("unsupported type {}", info.ty)))?;
    let value = obj.get("value");
    let condition = match obj.get("condition") {
        Some(c) => parse_condition(c, &obj.path("condition"))?,
        None if value.is_some() => Condition::Equal,
        None => Condition::Unconstrained,
    };
    let ref_value = match (condition, value) {
        (Condition::Unconstrained, None) => B256::ZERO,
        (Condition::Unconstrained, Some(_)) => {
            return Err(RequestError::new(
                at,
                "`value` is given but the condition is unconstrained; name the condition (e.g. \"equal\")",
            ));
        }
        (_, None) => {
            return Err(RequestError::new(
                at,
                format!("condition {condition:?} needs a `value`"),
            ));
        }
        (_, Some(v)) => encode_word(ty, v, &obj.path("value"))?,
    };
    let p = &info.param;
    if is_ordering(condition) {
        match ty {
            WordType::Int(bits) => {
                return Err(RequestError::new(
                    &obj.path("condition"),
                    format!(
                        "`{p}` is int{bits}: the validator compares words as unsigned 256-bit numbers, so negative values compare above positive ones; only equal, notEqual or unconstrained are allowed on signed integers"
                    ),
                ));
            }
            WordType::Address | WordType::Bool | WordType::Function => {
                return Err(RequestError::new(
                    &obj.path("condition"),
                    format!(
                        "`{p}` is {ty}: ordering conditions are meaningless for it; use equal or notEqual"
                    ),
                ));
            }
            WordType::Uint(_) | WordType::FixedBytes(_) => {}
        }
    }
    let limit = match obj.get("limit") {
        Some(l) => parse_limit(l, &obj.path("limit"))?,
        None => unlimited(),
    };
    if limit.limitType != LimitType::Unlimited && !matches!(ty, WordType::Uint(_)) {
        return Err(RequestError::new(
            &obj.path("limit"),
            format!(
                "`{p}` is {ty}: a limit sums the parameter as an unsigned integer, so only uintN parameters can carry one"
            ),
        ));
    }
    obj.finish()?;
    Ok((
        Constraint {
            condition,
            index,
            refValue: ref_value,
            limit,
        },
        info,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::Address;
    use serde_json::json;

    use super::super::test_support::{ALICE, err, one_call};

    #[test]
    fn constraint_values_and_conditions() {
        let sig = "f(address a, bool b, uint8 u, int16 i, bytes4 s, uint256 n, bytes d)";
        let constraint = |c: Value| {
            one_call(json!({ "function": sig, "constraints": [c] }))
                .map(|p| p.spec.constraints[0].clone())
        };
        let word = |c: Value| constraint(c).map(|c| c.refValue);
        assert_eq!(
            word(json!({"param": "a", "value": ALICE})).unwrap(),
            Address::from_str(ALICE).unwrap().into_word()
        );
        assert_eq!(
            word(json!({"param": "b", "value": true})).unwrap(),
            B256::with_last_byte(1)
        );
        assert_eq!(
            word(json!({"param": "u", "value": "0xff"})).unwrap(),
            B256::with_last_byte(255)
        );
        assert_eq!(
            word(json!({"param": "i", "value": -1})).unwrap(),
            B256::repeat_byte(0xff)
        );
        assert_eq!(
            word(json!({"param": "i", "value": "-32768"})).unwrap(),
            B256::from(I256::try_from(-32768i64).unwrap().into_raw())
        );
        assert_eq!(
            word(json!({"param": "i", "value": "32767"})).unwrap(),
            B256::from(U256::from(32767))
        );
        let mut left = B256::ZERO;
        left[..4].copy_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(
            word(json!({"param": "s", "value": "0xdeadbeef"})).unwrap(),
            left
        );
        assert_eq!(
            word(json!({"index": 5, "condition": "==", "value": "12"})).unwrap(),
            B256::from(U256::from(12))
        );
        // Condition names and defaults.
        for (name, want) in [
            ("equal", Condition::Equal),
            ("Equal", Condition::Equal),
            ("notEqual", Condition::NotEqual),
            ("greater", Condition::Greater),
            ("less", Condition::Less),
            ("greater_or_equal", Condition::GreaterOrEqual),
            ("<=", Condition::LessOrEqual),
            ("!=", Condition::NotEqual),
        ] {
            assert_eq!(
                constraint(json!({"param": "n", "condition": name, "value": 1}))
                    .unwrap()
                    .condition,
                want,
                "{name}"
            );
        }
        let c = constraint(
            json!({"param": "n", "limit": {"type": "allowance", "limit": 5, "period": 60}}),
        )
        .unwrap();
        assert_eq!(
            (c.condition, c.index, c.limit.limitType),
            (Condition::Unconstrained, 5, LimitType::Allowance)
        );
        // Refusals.
        let cases: Vec<(Value, &str)> = vec![
            (
                json!({"param": "u", "value": 256}),
                "256 does not fit in uint8",
            ),
            (
                json!({"param": "i", "value": 32768}),
                "32768 does not fit in int16",
            ),
            (
                json!({"param": "i", "value": "-32769"}),
                "does not fit in int16",
            ),
            (
                json!({"param": "i", "condition": "greater", "value": 0}),
                "compares words as unsigned 256-bit numbers, so negative values compare above positive ones",
            ),
            (
                json!({"param": "a", "condition": "less", "value": ALICE}),
                "`a` is address: ordering conditions are meaningless",
            ),
            (
                json!({"param": "b", "condition": ">", "value": false}),
                "`b` is bool",
            ),
            (json!({"param": "b", "value": 1}), "expected true or false"),
            (
                json!({"param": "s", "value": "0xdead"}),
                "exactly 4 bytes for bytes4",
            ),
            (
                json!({"param": "a", "limit": 5}),
                "only uintN parameters can carry one",
            ),
            (
                json!({"param": "i", "limit": 5}),
                "only uintN parameters can carry one",
            ),
            (
                json!({"param": "n", "condition": "equal"}),
                "needs a `value`",
            ),
            (
                json!({"param": "n", "condition": "unconstrained", "value": 1}),
                "`value` is given but the condition is unconstrained",
            ),
            (
                json!({"param": "n", "condition": "approx", "value": 1}),
                "unknown condition `approx`",
            ),
            (
                json!({"param": "n", "index": 5, "value": 1}),
                "either `param` or `index`",
            ),
            (json!({"value": 1}), "`param` (a parameter name) or `index`"),
            (
                json!({"param": "d", "value": 1}),
                "constraint on `d`: bytes is dynamic",
            ),
            (
                json!({"index": 6, "value": 1}),
                "constraint on word 6: the static words before the first dynamic parameter `d` (bytes) are 0..6",
            ),
            (
                json!({"param": "n", "value": 1, "extra": 1}),
                "unknown field `extra`",
            ),
        ];
        for (input, expected) in cases {
            let e = err(constraint(input.clone()));
            assert!(e.contains(expected), "{input}: {e}");
            assert!(
                e.starts_with("session.contractCalls[0].constraints[0]"),
                "{e}"
            );
        }
    }
}
