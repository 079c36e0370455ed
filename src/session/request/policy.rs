//! What both request formats share: the session's terms — `feeLimit`, `contractCalls`,
//! `transfers`, `justification` — and the bound on its expiry. A call policy names its function
//! by a human-readable signature or by an ABI plus a function name; a function the wallet knows
//! is shown by the wallet's own definition, never the site's.
//!
//! (This is the request's JSON form of the policies; `crate::session::policy` is the engine that
//! evaluates calls against them.)

use alloy_json_abi::{Function, JsonAbi};
use alloy_primitives::U256;
use serde_json::Value;

use super::abi_layout::{
    canonical, check_signature_text, check_type_depth, head_layout, word_by_index,
};
use super::constraint::parse_constraint;
use super::json::{
    Obj, array, kind, lifetime_zero, parse_address, parse_amount, parse_limit, string,
};
use super::{
    CallPolicy, JUSTIFICATION_CHARS, MAX_CALL_POLICIES, MAX_CONSTRAINTS, MAX_EXPIRES_AT,
    MAX_TRANSFER_POLICIES, ParamInfo, RequestError, Result,
};
use crate::session::spec::{ANY_RECIPIENT, CallSpec, LimitType, TransferSpec, UsageLimit};
use crate::session::stream::Stream;

/// Resolves the called function from `function` (a human-readable signature) or `abi` +
/// `functionName`, refusing types nested too deep ([`check_type_depth`]).
fn resolve_function(obj: &mut Obj<'_>) -> Result<Function> {
    let function = resolve_function_unchecked(obj)?;
    check_type_depth(&function.inputs, &obj.at)?;
    Ok(function)
}

fn resolve_function_unchecked(obj: &mut Obj<'_>) -> Result<Function> {
    let signature = obj.get("function");
    let abi = obj.get("abi");
    let name = obj.get("functionName");
    match (signature, abi) {
        (Some(sig), None) => {
            if name.is_some() {
                return Err(RequestError::new(
                    &obj.at,
                    "`functionName` goes with `abi`; with `function` give the full signature only",
                ));
            }
            let s = string(sig, &obj.path("function"))?;
            let s = s.trim();
            check_signature_text(s, &obj.path("function"))?;
            Function::parse(s).map_err(|e| {
                RequestError::new(
                    &obj.path("function"),
                    format!("`{s}` is not a function signature like \"transfer(address to, uint256 amount)\": {e}"),
                )
            })
        }
        (None, Some(abi)) => {
            let at = obj.path("abi");
            let name = string(
                name.ok_or_else(|| {
                    RequestError::new(&obj.at, "`functionName` is required with `abi`")
                })?,
                &obj.path("functionName"),
            )?;
            let items = match abi {
                Value::Array(_) => abi.clone(),
                Value::Object(_) => Value::Array(vec![abi.clone()]),
                Value::String(s) => serde_json::from_str(s)
                    .map_err(|e| RequestError::new(&at, format!("not a JSON ABI: {e}")))?,
                other => {
                    return Err(RequestError::new(
                        &at,
                        format!("expected a JSON ABI array or fragment, got {}", kind(other)),
                    ));
                }
            };
            let items = match items {
                Value::Object(_) => Value::Array(vec![items]),
                other => other,
            };
            let abi: JsonAbi = serde_json::from_value(items)
                .map_err(|e| RequestError::new(&at, format!("not a JSON ABI: {e}")))?;
            // `functionName` may be a bare name or a full signature that picks one overload.
            let bare = name.split('(').next().unwrap_or(name).trim();
            let candidates = abi.function(bare).map(Vec::as_slice).unwrap_or_default();
            check_signature_text(name, &obj.path("functionName"))?;
            let chosen: Vec<&Function> = if name.contains('(') {
                let wanted = Function::parse(name).map(|f| f.signature()).map_err(|e| {
                    RequestError::new(&obj.path("functionName"), format!("`{name}`: {e}"))
                })?;
                candidates
                    .iter()
                    .filter(|f| f.signature() == wanted)
                    .collect()
            } else {
                candidates.iter().collect()
            };
            match chosen.as_slice() {
                [one] => Ok((*one).clone()),
                [] => Err(RequestError::new(
                    &obj.path("functionName"),
                    format!("the ABI has no function `{name}`"),
                )),
                many => Err(RequestError::new(
                    &obj.path("functionName"),
                    format!(
                        "`{name}` is overloaded in the ABI ({}); give the full signature as functionName",
                        many.iter()
                            .map(|f| f.signature())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
            }
        }
        (Some(_), Some(_)) => Err(RequestError::new(
            &obj.at,
            "give either `function` or `abi` + `functionName`, not both",
        )),
        (None, None) => Err(RequestError::new(
            &obj.at,
            "`function` (e.g. \"transfer(address to, uint256 amount)\") or `abi` + `functionName` is required",
        )),
    }
}

/// `maxValuePerUse` and `valueLimit` with the defaults: no value when both are absent;
/// `maxValuePerUse` defaults to the limit's amount (any amount for an unlimited limit, a stream's
/// cap for a stream).
fn value_policy(obj: &mut Obj<'_>, require_limit: bool) -> Result<(U256, UsageLimit)> {
    let max = obj
        .get("maxValuePerUse")
        .map(|v| parse_amount(v, &obj.path("maxValuePerUse")))
        .transpose()?;
    let limit = obj
        .get("valueLimit")
        .map(|v| parse_limit(v, &obj.path("valueLimit")))
        .transpose()?;
    match (max, limit) {
        (None, None) if require_limit => Err(RequestError::new(
            &obj.at,
            "`valueLimit` is required for a transfer (e.g. \"1000000000000000000\" for 1 ETH in total)",
        )),
        (None, None) => Ok((U256::ZERO, lifetime_zero())),
        (Some(max), None) if !max.is_zero() => Err(RequestError::new(
            &obj.at,
            "`maxValuePerUse` is set but `valueLimit` is absent (which means no value at all); give `valueLimit` too",
        )),
        (Some(max), None) => Ok((max, lifetime_zero())),
        (Some(max), Some(limit)) => Ok((max, limit)),
        (None, Some(limit)) => {
            let max = match (limit.limitType, Stream::of(&limit)) {
                (LimitType::Unlimited, _) => U256::MAX,
                (_, Some(stream)) => stream.cap.unwrap_or(U256::MAX),
                _ => limit.limit,
            };
            Ok((max, limit))
        }
    }
}

fn parse_call_policy(value: &Value, at: &str) -> Result<CallPolicy> {
    let mut obj = Obj::new(value, at)?;
    let target = parse_address(obj.required("address")?, &obj.path("address"))?;
    let mut function = resolve_function(&mut obj)?;
    let (max_value, value_limit) = value_policy(&mut obj, false)?;
    let mut constraints = Vec::new();
    let mut infos = Vec::new();
    if let Some(list) = obj.get("constraints") {
        let at = obj.path("constraints");
        for (i, c) in array(list, &at, MAX_CONSTRAINTS)?.iter().enumerate() {
            let (constraint, info) = parse_constraint(c, &format!("{at}[{i}]"), &function)?;
            constraints.push(constraint);
            infos.push(info);
        }
    }
    obj.finish()?;
    let static_words = head_layout(&function.inputs)
        .map(|h| h.static_words)
        .unwrap_or(0);
    // Only the selector is enforced on chain: a function the wallet knows is shown by its own
    // definition (canonical signature and parameter names), never by the site's, and a site's
    // name that lands on a known selector without being that function is refused.
    let selector = function.selector();
    let named_by_site = match crate::decode::known(selector.as_slice()) {
        Some(known) if known.signature() != function.signature() => {
            return Err(RequestError::new(
                &format!("{at}.function"),
                format!(
                    "`{}` has the selector {selector} of {}, a function the wallet knows by that name; a session may not call it under another name",
                    function.signature(),
                    known.signature()
                ),
            ));
        }
        Some(known) => {
            for (info, c) in infos.iter_mut().zip(&constraints) {
                if let Ok((param, t)) = word_by_index(&known.inputs, c.index) {
                    info.param = param;
                    info.ty = t.to_string();
                }
            }
            function = known;
            false
        }
        None => true,
    };
    Ok(CallPolicy {
        spec: CallSpec {
            target,
            selector: function.selector(),
            maxValuePerUse: max_value,
            valueLimit: value_limit,
            constraints,
        },
        function: function.signature(),
        params: function
            .inputs
            .iter()
            .map(|p| ParamInfo {
                name: p.name.clone(),
                ty: canonical(&p.ty, &p.components),
            })
            .collect(),
        static_words,
        constraints: infos,
        named_by_site,
    })
}

fn parse_transfer_policy(value: &Value, at: &str) -> Result<TransferSpec> {
    let mut obj = Obj::new(value, at)?;
    let to = obj.required("to")?;
    // `"any"`: every recipient (the validator's ANY_RECIPIENT), shown and warned about as such.
    let target = match to {
        Value::String(any) if any.eq_ignore_ascii_case("any") => ANY_RECIPIENT,
        _ => parse_address(to, &obj.path("to"))?,
    };
    let (max_value, value_limit) = value_policy(&mut obj, true)?;
    obj.finish()?;
    Ok(TransferSpec {
        target,
        maxValuePerUse: max_value,
        valueLimit: value_limit,
    })
}

/// The policy part shared by both formats.
pub(super) struct Policies {
    pub(super) fee_limit: UsageLimit,
    pub(super) call_policies: Vec<CallPolicy>,
    pub(super) transfer_policies: Vec<TransferSpec>,
    pub(super) justification: Option<String>,
}

/// Reads `feeLimit`, `contractCalls`, `transfers` (and `justification`) from `obj`.
pub(super) fn parse_policies(obj: &mut Obj<'_>) -> Result<Policies> {
    let fee_limit = parse_limit(obj.required("feeLimit")?, &obj.path("feeLimit"))?;
    let mut calls = Vec::new();
    if let Some(list) = obj.get("contractCalls") {
        let at = obj.path("contractCalls");
        for (i, c) in array(list, &at, MAX_CALL_POLICIES)?.iter().enumerate() {
            calls.push(parse_call_policy(c, &format!("{at}[{i}]"))?);
        }
    }
    let mut transfers = Vec::new();
    if let Some(list) = obj.get("transfers") {
        let at = obj.path("transfers");
        for (i, t) in array(list, &at, MAX_TRANSFER_POLICIES)?.iter().enumerate() {
            transfers.push(parse_transfer_policy(t, &format!("{at}[{i}]"))?);
        }
    }
    let justification = obj
        .get("justification")
        .map(|j| string(j, &obj.path("justification")))
        .transpose()?
        // The site's own words: kept short and without hidden characters.
        .map(|j| crate::untrusted::clip(j, JUSTIFICATION_CHARS));
    Ok(Policies {
        fee_limit,
        call_policies: calls,
        transfer_policies: transfers,
        justification,
    })
}

pub(super) fn check_expiry(expires_at: u64, at: &str) -> Result<u64> {
    if expires_at > MAX_EXPIRES_AT {
        return Err(RequestError::new(
            at,
            format!("expiry {expires_at} does not fit in uint48 (Unix seconds expected)"),
        ));
    }
    Ok(expires_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use super::super::parse_compact;
    use super::super::test_support::{ALICE, NOW, TOKEN, err, one_call};

    #[test]
    fn value_policy_defaults() {
        let call = |extra: Value| {
            let mut c = json!({ "function": "f()" });
            c.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            one_call(c)
        };
        let p = call(json!({})).unwrap();
        assert_eq!(
            (p.spec.maxValuePerUse, p.spec.valueLimit),
            (U256::ZERO, lifetime_zero())
        );
        let p = call(json!({ "valueLimit": "100" })).unwrap();
        assert_eq!(p.spec.maxValuePerUse, U256::from(100));
        let p = call(json!({ "valueLimit": "unlimited" })).unwrap();
        assert_eq!(p.spec.maxValuePerUse, U256::MAX);
        let p = call(json!({ "valueLimit": "100", "maxValuePerUse": "10" })).unwrap();
        assert_eq!(p.spec.maxValuePerUse, U256::from(10));
        assert!(err(call(json!({ "maxValuePerUse": "10" }))).contains("give `valueLimit` too"));
        // Transfers must say how much.
        let e = err(parse_compact(
            &json!({ "expiry": 100, "feeLimit": 1, "transfers": [{ "to": ALICE }] }),
            NOW,
        ));
        assert!(
            e.contains("session.transfers[0]: `valueLimit` is required"),
            "{e}"
        );
    }

    #[test]
    fn known_functions_are_shown_by_the_wallets_own_definition() {
        // Real 4-byte collisions with transfer(address,uint256) (0xa9059cbb): refused.
        for colliding in [
            "many_msg_babbage(bytes1)",
            "transfer(bytes4[9],bytes5[6],int48[11])",
        ] {
            let e = err(one_call(json!({ "address": TOKEN, "function": colliding })));
            assert!(
                e.contains("0xa9059cbb of transfer(address,uint256)")
                    && e.contains("contractCalls[0].function"),
                "{e}"
            );
        }
        // The site's parameter names are not shown for a known function: swapped names cannot
        // make a constraint on the amount read as one on the recipient.
        let p = one_call(json!({
            "address": TOKEN, "function": "transfer(address amount, uint256 to)",
            "constraints": [{ "param": "to", "condition": "lessOrEqual", "value": "5" }]
        }))
        .unwrap();
        assert_eq!(p.function, "transfer(address,uint256)");
        assert_eq!(p.params[0].name, "to");
        assert_eq!(p.constraints[0].param, "amount");
        assert!(!p.named_by_site);
        // A function the wallet does not know keeps the site's name, marked as such.
        let p =
            one_call(json!({ "address": TOKEN, "function": "claimReward(uint256 id)" })).unwrap();
        assert_eq!(p.function, "claimReward(uint256)");
        assert!(p.named_by_site);
    }

    #[test]
    fn functions_from_json_abi() {
        let abi = json!([
            { "type": "function", "name": "transfer", "stateMutability": "nonpayable",
              "inputs": [{ "name": "to", "type": "address" }, { "name": "amount", "type": "uint256" }],
              "outputs": [{ "name": "", "type": "bool" }] },
            { "type": "function", "name": "safeTransferFrom", "stateMutability": "nonpayable",
              "inputs": [{ "name": "from", "type": "address" }, { "name": "to", "type": "address" }, { "name": "id", "type": "uint256" }], "outputs": [] },
            { "type": "function", "name": "safeTransferFrom", "stateMutability": "nonpayable",
              "inputs": [{ "name": "from", "type": "address" }, { "name": "to", "type": "address" }, { "name": "id", "type": "uint256" }, { "name": "data", "type": "bytes" }], "outputs": [] },
            { "type": "event", "name": "Transfer", "anonymous": false, "inputs": [] }
        ]);
        let p = one_call(json!({ "abi": abi, "functionName": "transfer", "constraints": [{ "param": "amount", "condition": "less", "value": 10 }] })).unwrap();
        assert_eq!(p.function, "transfer(address,uint256)");
        assert_eq!(p.spec.constraints[0].index, 1);
        // A single fragment, and the ABI as a JSON string.
        let p = one_call(json!({ "abi": abi[0], "functionName": "transfer" })).unwrap();
        assert_eq!(p.spec.selector.0, [0xa9, 0x05, 0x9c, 0xbb]);
        let p = one_call(json!({ "abi": abi.to_string(), "functionName": "transfer" })).unwrap();
        assert_eq!(
            p.params[1],
            ParamInfo {
                name: "amount".into(),
                ty: "uint256".into()
            }
        );
        // Overloads need the full signature.
        let e = err(one_call(
            json!({ "abi": abi, "functionName": "safeTransferFrom" }),
        ));
        assert!(e.contains("is overloaded in the ABI (safeTransferFrom(address,address,uint256), safeTransferFrom(address,address,uint256,bytes))"), "{e}");
        let p = one_call(json!({ "abi": abi, "functionName": "safeTransferFrom(address,address,uint256,bytes)" })).unwrap();
        assert_eq!(p.static_words, 3);
        assert!(
            err(one_call(json!({ "abi": abi, "functionName": "Transfer" })))
                .contains("has no function `Transfer`")
        );
        assert!(
            err(one_call(json!({ "abi": abi }))).contains("`functionName` is required with `abi`")
        );
        assert!(
            err(one_call(
                json!({ "abi": abi, "function": "f()", "functionName": "transfer" })
            ))
            .contains("not both")
        );
        assert!(
            err(one_call(json!({ "abi": 5, "functionName": "transfer" })))
                .contains("expected a JSON ABI")
        );
        assert!(
            err(one_call(
                json!({ "abi": [{ "type": "function" }], "functionName": "transfer" })
            ))
            .contains("not a JSON ABI")
        );
    }
}
