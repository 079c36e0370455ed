//! The compact SSO form of a session request, close to ZKsync SSO's connector `session` option:
//! one object with `expiresAt` (or a relative `expiry`) and the shared policy fields.

use serde_json::Value;

use super::json::{Obj, parse_u64};
use super::policy::{Policies, check_expiry, parse_policies};
use super::{RequestError, RequestFormat, RequestMeta, Result, SessionRequest};

/// Decodes the compact SSO form; `now` (Unix seconds) resolves a relative `expiry`.
///
/// ```json
/// { "expiresAt": 1800000000, "feeLimit": "100000000000000000",
///   "transfers": [{ "to": "0x…", "valueLimit": "1000000000000000000" }],
///   "contractCalls": [{ "address": "0x…", "function": "transfer(address to, uint256 amount)",
///                       "constraints": [{ "param": "to", "value": "0x…" }] }] }
/// ```
pub fn parse_compact(value: &Value, now: u64) -> Result<SessionRequest> {
    let mut obj = Obj::new(value, "session")?;
    let expires_at = match (obj.get("expiresAt"), obj.get("expiry")) {
        (Some(at), None) => check_expiry(
            parse_u64(at, &obj.path("expiresAt"), "expiresAt")?,
            &obj.path("expiresAt"),
        )?,
        (None, Some(rel)) => {
            let seconds = parse_u64(rel, &obj.path("expiry"), "expiry")?;
            check_expiry(now.saturating_add(seconds), &obj.path("expiry"))?
        }
        (Some(_), Some(_)) => {
            return Err(RequestError::new(
                "session",
                "give either `expiresAt` (Unix seconds) or `expiry` (seconds from now), not both",
            ));
        }
        (None, None) => {
            return Err(RequestError::new(
                "session",
                "`expiresAt` (Unix seconds) or `expiry` (seconds from now) is required",
            ));
        }
    };
    let Policies {
        fee_limit,
        call_policies,
        transfer_policies,
        justification,
    } = parse_policies(&mut obj)?;
    obj.finish()?;
    Ok(SessionRequest {
        expires_at,
        fee_limit,
        call_policies,
        transfer_policies,
        meta: RequestMeta {
            format: RequestFormat::Compact,
            chain_id: None,
            from: None,
            adjustment_allowed: false,
            justification,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::aliases::U48;
    use alloy_primitives::{Address, B256, U256, address, b256};
    use serde_json::json;

    use super::super::json::lifetime_zero;
    use super::super::test_support::{ALICE, NOW, TOKEN, err};
    use super::super::{ConstraintInfo, MAX_CALL_POLICIES};
    use crate::session::spec::{Condition, LimitType};

    #[test]
    fn compact_transfer_with_constraints() {
        let r = parse_compact(
            &json!({
                "expiry": 3600,
                "feeLimit": { "type": "allowance", "limit": "0x10", "period": 86400 },
                "transfers": [{ "to": ALICE, "valueLimit": "1000000000000000000" }],
                "contractCalls": [{
                    "address": TOKEN,
                    "function": "transfer(address to, uint256 amount)",
                    "constraints": [
                        { "param": "to", "value": ALICE },
                        { "param": "amount", "condition": "lessOrEqual", "value": 100, "limit": 1000 }
                    ]
                }]
            }),
            NOW,
        )
        .unwrap();
        assert_eq!(r.expires_at, NOW + 3600);
        assert_eq!(r.fee_limit.limitType, LimitType::Allowance);
        assert_eq!(r.fee_limit.limit, U256::from(16));
        assert_eq!(r.fee_limit.period, U48::from(86400));
        let t = &r.transfer_policies[0];
        assert_eq!(
            t.target,
            address!("00000000000000000000000000000000000000bb")
        );
        assert_eq!(t.maxValuePerUse, U256::from(10u64.pow(18)));
        let c = &r.call_policies[0];
        assert_eq!(c.function, "transfer(address,uint256)");
        assert_eq!(c.spec.selector.0, [0xa9, 0x05, 0x9c, 0xbb]);
        assert_eq!(c.spec.maxValuePerUse, U256::ZERO);
        assert_eq!(c.spec.valueLimit, lifetime_zero());
        assert_eq!(c.static_words, 2);
        let [to, amount] = &c.spec.constraints[..] else {
            panic!()
        };
        assert_eq!((to.index, to.condition), (0, Condition::Equal));
        assert_eq!(
            to.refValue,
            b256!("00000000000000000000000000000000000000000000000000000000000000bb")
        );
        assert_eq!(
            (amount.index, amount.condition),
            (1, Condition::LessOrEqual)
        );
        assert_eq!(amount.refValue, B256::from(U256::from(100)));
        assert_eq!(amount.limit.limit, U256::from(1000));
        assert_eq!(
            c.constraints[1],
            ConstraintInfo {
                param: "amount".into(),
                ty: "uint256".into()
            }
        );
        assert_eq!(r.meta.format, RequestFormat::Compact);
        // The spec round-trips with the signer filled in.
        let spec = r.to_spec(Address::repeat_byte(0x51));
        assert_eq!(spec.expiresAt, U48::from(NOW + 3600));
        assert_eq!(spec.callPolicies[0], c.spec);
    }

    #[test]
    fn compact_refusals_name_the_path() {
        let base = || json!({ "expiresAt": NOW + 3600, "feeLimit": "1000" });
        let with = |k: &str, v: Value| {
            let mut b = base();
            b[k] = v;
            b
        };
        let cases: Vec<(Value, &str)> = vec![
            (json!([]), "session: expected an object, got an array"),
            (
                json!({ "feeLimit": 1 }),
                "`expiresAt` (Unix seconds) or `expiry` (seconds from now) is required",
            ),
            (with("expiry", json!(5)), "not both"),
            (json!({ "expiresAt": NOW }), "`feeLimit` is required"),
            (
                with("expiresAt", json!(1u64 << 48)),
                "does not fit in uint48",
            ),
            (with("feeLimt", json!(1)), "unknown field `feeLimt`"),
            (
                with("contractCalls", json!({})),
                "session.contractCalls: expected an array",
            ),
            (
                with("transfers", json!([{ "to": "0x12", "valueLimit": 1 }])),
                "session.transfers[0].to: `0x12` is not an address",
            ),
            (
                with(
                    "transfers",
                    json!([{ "to": "0x52908400098527886e0F7030069857D2E4169EE7", "valueLimit": 1 }]),
                ),
                "invalid EIP-55 checksum",
            ),
            (
                with("contractCalls", json!([{ "function": "f()" }])),
                "session.contractCalls[0]: `address` is required",
            ),
            (
                with("contractCalls", json!([{ "address": TOKEN }])),
                "`function` (e.g.",
            ),
            (
                with(
                    "contractCalls",
                    json!([{ "address": TOKEN, "function": "transfer(address" }]),
                ),
                "is not a function signature",
            ),
            (
                with(
                    "contractCalls",
                    json!(vec![
                        json!({"address": TOKEN, "function": "f()"});
                        MAX_CALL_POLICIES + 1
                    ]),
                ),
                "at most 64 entries",
            ),
        ];
        for (input, expected) in cases {
            let e = err(parse_compact(&input, NOW));
            assert!(e.contains(expected), "{input}: {e}");
        }
        // Checksummed and lower-case addresses are both fine.
        let ok = with(
            "transfers",
            json!([{ "to": "0x52908400098527886E0F7030069857D2E4169EE7", "valueLimit": 1 }]),
        );
        assert!(parse_compact(&ok, NOW).is_ok());
    }
}
