//! ERC-7715 execution permissions, as far as this wallet grants them: one permission of type
//! [`PERMISSION_TYPE`] — or of a standard type dapps built with MetaMask's Smart Accounts Kit
//! request ([`STANDARD_TYPES`], mapped onto the same session policies; the others refused with
//! the reason) — with an `expiry` rule per `wallet_requestExecutionPermissions` request,
//! the answer with the session hash as `context`, `wallet_revokeExecutionPermission` params and
//! `wallet_getSupportedExecutionPermissions`.
//!
//! The envelope tolerates fields of other drafts (`address`, top-level `expiry`, `signer:
//! wallet`); the permission data is read strictly by the shared policy reader.

use alloy_primitives::{Address, B256, Bytes};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::json::{
    Obj, array, kind, optional_amount, parse_address, parse_amount, parse_u64, string,
};
use super::policy::{Policies, check_expiry, parse_policies};
use super::{RequestError, RequestFormat, RequestMeta, Result, SessionRequest};
use crate::session::stream::{CLAIM_LAG, Stream};

/// The ERC-7715 permission type this wallet grants: one SSO session.
pub const PERMISSION_TYPE: &str = "sso-session";
/// The standard permission types (as MetaMask's Smart Accounts Kit defines them) this wallet
/// grants, mapped onto a session: plain ETH transfers to anyone (`native-token-*`: a transfer
/// policy for any recipient) or an ERC-20's `transfer` to anyone (`erc20-token-*`: a call policy
/// with the `amount` word limited), the amount limited per period (`*-periodic`), over the
/// session's life (`*-allowance`) or by what has streamed so far (`*-stream`).
pub const STANDARD_TYPES: &[&str] = &[
    "native-token-periodic",
    "native-token-allowance",
    "native-token-stream",
    "erc20-token-periodic",
    "erc20-token-allowance",
    "erc20-token-stream",
];
/// The network-fee budget of a session granted from a standard type, which names none (the
/// session key pays its operations' fees from the account): 0.01 of the chain's currency per UTC
/// day, shown in the approval window like any session's.
pub const STANDARD_FEE_PER_DAY: u64 = 10_000_000_000_000_000;
/// How far a start time may be from the request's time without a remark (clock skew): a periodic
/// or allowance permission's `startTime` may not be later than that — a session is usable from its
/// approval, so a later start would grant more than asked (a stream may start later: nothing
/// accrues before its start, on chain as here); a stream starting earlier than that is warned
/// about (`rules::Warning::StreamStartedEarlier`).
pub const START_TIME_SKEW: u64 = 300;
/// Standard types the wallet knows and does not grant, with the reason.
const REFUSED_TYPES: &[(&str, &str)] = &[(
    "erc20-token-revocation",
    "revoking token approvals for the account is an approval the user makes with the passkey, not a session",
)];

fn supported_types() -> Vec<String> {
    std::iter::once(PERMISSION_TYPE)
        .chain(STANDARD_TYPES.iter().copied())
        .map(|t| format!("\"{t}\""))
        .collect()
}

/// The stream of a `*-stream` type: `initialAmount`?, `maxAmount`?, `amountPerSecond`,
/// `startTime`? (default: the request's `now` less [`CLAIM_LAG`], so the stream is usable as
/// soon as it exists — the wallet claims accrual that far behind its time), each within what the
/// packed limit carries.
fn standard_stream(data: &mut Obj<'_>, now: u64) -> Result<Stream> {
    let initial = optional_amount(data, "initialAmount")?.unwrap_or_default();
    let cap = optional_amount(data, "maxAmount")?;
    let per_second_at = data.path("amountPerSecond");
    let per_second = parse_amount(data.required("amountPerSecond")?, &per_second_at)?;
    if per_second.is_zero() {
        return Err(RequestError::new(
            &per_second_at,
            "amountPerSecond must be positive",
        ));
    }
    if let Some(cap) = cap
        && cap < initial
    {
        return Err(RequestError::new(
            &data.path("maxAmount"),
            format!("maxAmount {cap} is below initialAmount {initial}"),
        ));
    }
    let start = match data.get("startTime") {
        Some(v) => parse_u64(v, &data.path("startTime"), "startTime")?,
        None => now.saturating_sub(CLAIM_LAG),
    };
    let stream = Stream {
        initial,
        per_second,
        cap,
        start,
    };
    stream.limit().map_err(|e| {
        let field = match e.field {
            "initial" => "initialAmount",
            "perSecond" => "amountPerSecond",
            "max" => "maxAmount",
            _ => "startTime",
        };
        RequestError::new(&data.path(field), e.to_string())
    })?;
    Ok(stream)
}

/// A standard type's data as the session policies it maps onto (see [`STANDARD_TYPES`]).
fn standard_policies(ty: &str, data: &mut Obj<'_>, now: u64) -> Result<Policies> {
    let (asset, kind) = ty.split_once("-token-").unwrap_or((ty, ""));
    let token = match asset {
        "erc20" => Some(parse_address(
            data.required("tokenAddress")?,
            &data.path("tokenAddress"),
        )?),
        _ => None,
    };
    // The amount limit, as the policy reader's JSON (which makes it the most one transfer of ETH
    // may move too).
    let amount_limit = match kind {
        "periodic" => {
            let amount = data.required("periodAmount")?;
            parse_amount(amount, &data.path("periodAmount"))?;
            let period_at = data.path("periodDuration");
            let period = parse_u64(
                data.required("periodDuration")?,
                &period_at,
                "periodDuration",
            )?;
            if period == 0 {
                return Err(RequestError::new(
                    &period_at,
                    "periodDuration must be at least one second",
                ));
            }
            json!({ "type": "allowance", "limit": amount, "period": period })
        }
        "allowance" => {
            let amount = data.required("allowanceAmount")?;
            parse_amount(amount, &data.path("allowanceAmount"))?;
            json!({ "type": "lifetime", "limit": amount })
        }
        _ => {
            let stream = standard_stream(data, now)?;
            let mut limit = json!({
                "type": "stream",
                "initial": stream.initial.to_string(),
                "perSecond": stream.per_second.to_string(),
                "start": stream.start,
            });
            if let Some(cap) = stream.cap {
                limit["max"] = json!(cap.to_string());
            }
            limit
        }
    };
    if kind != "stream"
        && let Some(start) = data.get("startTime")
    {
        let start = parse_u64(start, &data.path("startTime"), "startTime")?;
        if start > now.saturating_add(START_TIME_SKEW) {
            return Err(RequestError::new(
                &data.path("startTime"),
                format!(
                    "startTime {start} is in the future: a session is usable from its approval, so SSO Wallet cannot hold it back until then; ask when it should start"
                ),
            ));
        }
    }
    let fee_limit =
        json!({ "type": "allowance", "limit": STANDARD_FEE_PER_DAY.to_string(), "period": 86_400 });
    let mut policy = match token {
        Some(token) => json!({
            "feeLimit": fee_limit,
            "contractCalls": [{
                "address": token,
                "function": "transfer(address to, uint256 amount)",
                "constraints": [{ "param": "amount", "limit": amount_limit }],
            }],
        }),
        None => json!({
            "feeLimit": fee_limit,
            "transfers": [{
                "to": "any",
                "valueLimit": amount_limit,
            }],
        }),
    };
    if let Some(justification) = data.get("justification") {
        policy["justification"] = justification.clone();
    }
    let mut mapped = Obj::new(&policy, &data.at)?;
    let policies = parse_policies(&mut mapped)?;
    Ok(policies)
}

/// The ERC-7715 rule types this wallet understands.
pub const RULE_TYPES: &[&str] = &["expiry"];

fn parse_chain_id(value: &Value, at: &str) -> Result<u64> {
    parse_u64(value, at, "chainId")
}

/// Decodes ERC-7715 `wallet_requestExecutionPermissions` params: an array with exactly one
/// permission request whose permission type is [`PERMISSION_TYPE`].
pub fn parse_erc7715(params: &Value, now: u64) -> Result<SessionRequest> {
    let items = array(params, "params", usize::MAX)?;
    let item = match items.as_slice() {
        [one] => one,
        [] => {
            return Err(RequestError::new(
                "params",
                "expected one permission request, got none",
            ));
        }
        many => {
            return Err(RequestError::new(
                "params",
                format!(
                    "SSO Wallet grants one session per request, got {} permission requests; send one request per session",
                    many.len()
                ),
            ));
        }
    };
    let at = "params[0]";
    // The envelope tolerates fields from other drafts; the permission data is strict.
    let Value::Object(envelope) = item else {
        return Err(RequestError::new(
            at,
            format!("expected an object, got {}", kind(item)),
        ));
    };
    let field = |key: &str| envelope.get(key).filter(|v| !v.is_null());
    let chain_id = parse_chain_id(
        field("chainId").ok_or_else(|| RequestError::new(at, "`chainId` is required"))?,
        &format!("{at}.chainId"),
    )?;
    let from = match (field("from"), field("address")) {
        (Some(f), _) => Some(parse_address(f, &format!("{at}.from"))?),
        (None, Some(a)) => Some(parse_address(a, &format!("{at}.address"))?),
        (None, None) => None,
    };
    if let Some(to) = field("to") {
        let to = parse_address(to, &format!("{at}.to"))?;
        if !to.is_zero() {
            return Err(RequestError::new(
                &format!("{at}.to"),
                format!(
                    "SSO Wallet generates and holds the session key itself (a wallet-managed session), so it cannot grant the permission to {to}; omit `to` and send the calls with wallet_sendCalls and the returned context"
                ),
            ));
        }
    }
    if let Some(signer) = field("signer") {
        let ty = signer
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if ty != "wallet" {
            return Err(RequestError::new(
                &format!("{at}.signer"),
                format!(
                    "signer type `{ty}` is not supported: SSO Wallet generates and holds the session key itself; omit `signer` or use {{\"type\": \"wallet\"}}"
                ),
            ));
        }
    }
    let mut expiry = field("expiry")
        .map(|e| parse_u64(e, &format!("{at}.expiry"), "expiry"))
        .transpose()?;
    if let Some(rules) = field("rules") {
        let rules_at = format!("{at}.rules");
        for (i, rule) in array(rules, &rules_at, 16)?.iter().enumerate() {
            let rule_at = format!("{rules_at}[{i}]");
            let mut obj = Obj::new(rule, &rule_at)?;
            let ty = string(obj.required("type")?, &obj.path("type"))?;
            let _ = obj.get("isAdjustmentAllowed");
            if ty != "expiry" {
                return Err(RequestError::new(
                    &obj.path("type"),
                    format!(
                        "rule type `{ty}` is not supported (supported: {}); the wallet cannot enforce it",
                        RULE_TYPES.join(", ")
                    ),
                ));
            }
            let data_at = obj.path("data");
            let mut data = Obj::new(obj.required("data")?, &data_at)?;
            let timestamp = parse_u64(
                data.required("timestamp")?,
                &data.path("timestamp"),
                "timestamp",
            )?;
            data.finish()?;
            obj.finish()?;
            match expiry {
                Some(e) if e != timestamp => {
                    return Err(RequestError::new(
                        &rule_at,
                        format!("expiry rule timestamp {timestamp} disagrees with expiry {e}"),
                    ));
                }
                _ => expiry = Some(timestamp),
            }
        }
    }
    let expires_at = check_expiry(
        expiry.ok_or_else(|| {
            RequestError::new(
                at,
                "an expiry is required: add the rule {\"type\": \"expiry\", \"data\": {\"timestamp\": <Unix seconds>}}",
            )
        })?,
        &format!("{at}.rules"),
    )?;
    let permission_at = format!("{at}.permission");
    let mut permission = Obj::new(
        field("permission").ok_or_else(|| RequestError::new(at, "`permission` is required"))?,
        &permission_at,
    )?;
    let ty = string(permission.required("type")?, &permission.path("type"))?;
    if let Some((_, reason)) = REFUSED_TYPES.iter().find(|(t, _)| *t == ty) {
        return Err(RequestError::new(
            &permission.path("type"),
            format!(
                "permission type `{ty}` is not granted: {reason} (supported: {}; see wallet_getSupportedExecutionPermissions)",
                supported_types().join(", ")
            ),
        ));
    }
    if ty != PERMISSION_TYPE && !STANDARD_TYPES.contains(&ty) {
        return Err(RequestError::new(
            &permission.path("type"),
            format!(
                "permission type `{ty}` is not supported; SSO Wallet grants {} (see wallet_getSupportedExecutionPermissions)",
                supported_types().join(", ")
            ),
        ));
    }
    let adjustment_allowed = match permission.get("isAdjustmentAllowed") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(RequestError::new(
                &permission.path("isAdjustmentAllowed"),
                format!("expected a boolean, got {}", kind(other)),
            ));
        }
    };
    let outer_justification = permission
        .get("justification")
        .map(|j| string(j, &permission.path("justification")).map(str::to_owned))
        .transpose()?;
    let data_at = permission.path("data");
    let mut data = Obj::new(permission.required("data")?, &data_at)?;
    permission.finish()?;
    let Policies {
        fee_limit,
        call_policies,
        transfer_policies,
        justification,
    } = if ty == PERMISSION_TYPE {
        parse_policies(&mut data)?
    } else {
        standard_policies(ty, &mut data, now)?
    };
    data.finish()?;
    Ok(SessionRequest {
        expires_at,
        fee_limit,
        call_policies,
        transfer_policies,
        meta: RequestMeta {
            format: RequestFormat::Erc7715,
            chain_id: Some(chain_id),
            from,
            adjustment_allowed,
            justification: justification.or(outer_justification),
        },
    })
}

/// Decodes `wallet_revokeExecutionPermission` params: `[{ permissionContext }]` (the current
/// draft), `{ permissionContext }`, or `["0x…"]` — the session hash the grant returned.
pub fn parse_revoke(params: &Value) -> Result<B256> {
    let item = match params {
        Value::Array(items) if items.len() == 1 => &items[0],
        Value::Array(_) => {
            return Err(RequestError::new(
                "params",
                "expected one permission context to revoke",
            ));
        }
        other => other,
    };
    let context = match item {
        Value::Object(map) => map
            .get("permissionContext")
            .or_else(|| map.get("context"))
            .ok_or_else(|| RequestError::new("params[0]", "`permissionContext` is required"))?,
        other => other,
    };
    context
        .as_str()
        .and_then(|s| s.parse::<B256>().ok())
        .ok_or_else(|| {
            RequestError::new(
                "params[0].permissionContext",
                "expected the 32-byte hex context that wallet_requestExecutionPermissions returned",
            )
        })
}

/// An ERC-4337 factory call the dapp must make before the permission can be used (the account
/// is not deployed yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dependency {
    /// The factory.
    pub factory: Address,
    /// Its calldata.
    pub factory_data: Bytes,
}

/// The `wallet_requestExecutionPermissions` result: the request echoed (with `from` set to the
/// granting account and the granted expiry), plus `context` = the session hash and
/// `dependencies`. There is no `delegationManager`: sessions are used through the wallet
/// (`wallet_sendCalls` with `capabilities.permissions.context`), not ERC-7710.
pub fn erc7715_response(
    params: &Value,
    account: Address,
    granted: &SessionRequest,
    session_hash: B256,
    dependencies: &[Dependency],
) -> Value {
    let mut item = params
        .as_array()
        .and_then(|a| a.first())
        .cloned()
        .unwrap_or_else(|| json!({}));
    if let Value::Object(map) = &mut item {
        map.remove("address");
        map.insert("from".into(), json!(account));
        if map.contains_key("expiry") {
            map.insert("expiry".into(), json!(granted.expires_at));
        }
        map.insert(
            "rules".into(),
            json!([{ "type": "expiry", "data": { "timestamp": granted.expires_at } }]),
        );
        map.insert("context".into(), json!(session_hash));
        map.insert("dependencies".into(), json!(dependencies));
    }
    Value::Array(vec![item])
}

/// The `wallet_getSupportedExecutionPermissions` result: `sso-session` and the standard types
/// it maps.
pub fn supported_execution_permissions(chain_ids: &[u64]) -> Value {
    let chains: Vec<String> = chain_ids.iter().map(|c| format!("{c:#x}")).collect();
    let entry = json!({ "chainIds": chains, "ruleTypes": RULE_TYPES });
    Value::Object(
        std::iter::once(PERMISSION_TYPE)
            .chain(STANDARD_TYPES.iter().copied())
            .map(|t| (t.to_owned(), entry.clone()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    use alloy_primitives::U256;

    use super::super::test_support::{ALICE, NOW, TOKEN, err};

    fn erc7715(data: Value) -> Value {
        json!([{
            "chainId": "0xaa36a7",
            "from": ALICE,
            "permission": { "type": "sso-session", "isAdjustmentAllowed": false, "data": data },
            "rules": [{ "type": "expiry", "data": { "timestamp": NOW + 86400 } }]
        }])
    }

    #[test]
    fn erc7715_request_and_response() {
        let params = erc7715(json!({
            "feeLimit": { "type": "lifetime", "limit": "0x2386f26fc10000" },
            "contractCalls": [{ "address": TOKEN, "function": "transfer(address to, uint256 amount)",
                                "constraints": [{ "param": "to", "value": ALICE }] }],
            "justification": "Pay for game moves"
        }));
        let r = parse_erc7715(&params, NOW).unwrap();
        assert_eq!(r.expires_at, NOW + 86400);
        assert_eq!(r.fee_limit.limit, U256::from(10_000_000_000_000_000u64));
        assert_eq!(r.meta.chain_id, Some(11_155_111));
        assert_eq!(r.meta.from, Some(Address::from_str(ALICE).unwrap()));
        assert_eq!(r.meta.justification.as_deref(), Some("Pay for game moves"));
        assert_eq!(r.meta.format, RequestFormat::Erc7715);
        let hash = B256::repeat_byte(0x42);
        let account = Address::repeat_byte(0xac);
        let response = erc7715_response(&params, account, &r, hash, &[]);
        assert_eq!(response[0]["context"], json!(hash.to_string()));
        assert_eq!(response[0]["from"], json!(account));
        assert_eq!(response[0]["dependencies"], json!([]));
        assert_eq!(response[0]["permission"]["type"], "sso-session");
        assert_eq!(
            response[0]["rules"][0]["data"]["timestamp"],
            json!(NOW + 86400)
        );
        let dep = Dependency {
            factory: Address::repeat_byte(0xfa),
            factory_data: Bytes::from_static(&[1, 2]),
        };
        let response = erc7715_response(&params, account, &r, hash, &[dep]);
        assert_eq!(response[0]["dependencies"][0]["factoryData"], "0x0102");
        assert_eq!(
            supported_execution_permissions(&[1, 11_155_111]),
            json!({
                "sso-session": { "chainIds": ["0x1", "0xaa36a7"], "ruleTypes": ["expiry"] },
                "native-token-periodic": { "chainIds": ["0x1", "0xaa36a7"], "ruleTypes": ["expiry"] },
                "native-token-allowance": { "chainIds": ["0x1", "0xaa36a7"], "ruleTypes": ["expiry"] },
                "native-token-stream": { "chainIds": ["0x1", "0xaa36a7"], "ruleTypes": ["expiry"] },
                "erc20-token-periodic": { "chainIds": ["0x1", "0xaa36a7"], "ruleTypes": ["expiry"] },
                "erc20-token-allowance": { "chainIds": ["0x1", "0xaa36a7"], "ruleTypes": ["expiry"] },
                "erc20-token-stream": { "chainIds": ["0x1", "0xaa36a7"], "ruleTypes": ["expiry"] },
            })
        );
        // Older drafts: top-level `expiry`, `address`, `signer: wallet`, numeric chainId.
        let older = json!([{ "chainId": 1, "address": ALICE, "expiry": NOW + 100, "signer": { "type": "wallet", "data": {} },
                             "permission": { "type": "sso-session", "data": { "feeLimit": 1, "transfers": [{ "to": ALICE, "valueLimit": 1 }] } } }]);
        let r = parse_erc7715(&older, NOW).unwrap();
        assert_eq!(
            (r.expires_at, r.meta.chain_id, r.meta.adjustment_allowed),
            (NOW + 100, Some(1), false)
        );
    }

    #[test]
    fn erc7715_refusals() {
        let good =
            || erc7715(json!({ "feeLimit": 1, "transfers": [{ "to": ALICE, "valueLimit": 1 }] }));
        let edit = |f: &dyn Fn(&mut Value)| {
            let mut p = good();
            f(&mut p);
            p
        };
        assert!(parse_erc7715(&good(), NOW).is_ok());
        let cases: Vec<(Value, &str)> = vec![
            (json!({}), "params: expected an array"),
            (json!([]), "expected one permission request, got none"),
            (
                json!([good()[0], good()[0]]),
                "one session per request, got 2",
            ),
            (json!([5]), "params[0]: expected an object"),
            (
                edit(&|p| {
                    p[0].as_object_mut().unwrap().remove("chainId");
                }),
                "`chainId` is required",
            ),
            (
                edit(&|p| p[0]["chainId"] = json!("0xzz")),
                "params[0].chainId",
            ),
            (
                edit(&|p| p[0]["permission"]["type"] = json!("erc20-token-revocation")),
                "permission type `erc20-token-revocation` is not granted: revoking token approvals",
            ),
            (
                edit(&|p| p[0]["permission"]["type"] = json!("custom-thing")),
                "permission type `custom-thing` is not supported; SSO Wallet grants \"sso-session\", \"native-token-periodic\", \"native-token-allowance\", \"native-token-stream\", \"erc20-token-periodic\", \"erc20-token-allowance\", \"erc20-token-stream\"",
            ),
            (
                edit(&|p| p[0]["permission"]["isAdjustmentAllowed"] = json!("yes")),
                "expected a boolean",
            ),
            (
                edit(&|p| p[0]["permission"]["data"]["transfer"] = json!([])),
                "params[0].permission.data: unknown field `transfer`",
            ),
            (
                edit(&|p| {
                    p[0]["permission"].as_object_mut().unwrap().remove("data");
                }),
                "`data` is required",
            ),
            (
                edit(&|p| {
                    p[0].as_object_mut().unwrap().remove("rules");
                }),
                "an expiry is required",
            ),
            (
                edit(&|p| p[0]["rules"][0]["type"] = json!("rate-limit")),
                "rule type `rate-limit` is not supported (supported: expiry)",
            ),
            (
                edit(&|p| p[0]["expiry"] = json!(5)),
                "disagrees with expiry 5",
            ),
            (
                edit(&|p| p[0]["rules"][0]["data"] = json!({"timestamp": 1, "x": 2})),
                "unknown field `x`",
            ),
            (
                edit(&|p| p[0]["to"] = json!(ALICE)),
                "SSO Wallet generates and holds the session key itself",
            ),
            (
                edit(&|p| p[0]["signer"] = json!({"type": "account", "data": {"address": ALICE}})),
                "signer type `account` is not supported",
            ),
            (edit(&|p| p[0]["from"] = json!("0x1")), "params[0].from"),
        ];
        for (input, expected) in cases {
            let e = err(parse_erc7715(&input, NOW));
            assert!(e.contains(expected), "{input}: {e}");
        }
        // The zero address as `to` means "no dapp key".
        assert!(parse_erc7715(&edit(&|p| p[0]["to"] = json!(Address::ZERO)), NOW).is_ok());
        // Errors become −32602 invalid params.
        let e: crate::Error = parse_erc7715(&json!([]), NOW).unwrap_err().into();
        assert!(
            matches!(e, crate::Error::InvalidParams(m) if m.starts_with("session request: params:"))
        );
    }

    fn standard(ty: &str, data: Value) -> Value {
        json!([{
            "chainId": "0xaa36a7",
            "permission": { "type": ty, "isAdjustmentAllowed": true, "data": data },
            "rules": [{ "type": "expiry", "data": { "timestamp": NOW + 604_800 } }]
        }])
    }

    #[test]
    fn standard_erc20_types_map_onto_a_transfer_policy_with_the_amount_limited() {
        use crate::session::spec::LimitType;
        let periodic = parse_erc7715(
            &standard(
                "erc20-token-periodic",
                json!({ "tokenAddress": TOKEN, "periodAmount": "0x64", "periodDuration": 86400,
                        "startTime": NOW, "justification": "Ten a day" }),
            ),
            NOW,
        )
        .unwrap();
        let [call] = &periodic.call_policies[..] else {
            panic!("one call policy: {periodic:?}");
        };
        assert_eq!(call.function, "transfer(address,uint256)");
        assert_eq!(call.spec.target, Address::from_str(TOKEN).unwrap());
        assert!(call.spec.maxValuePerUse.is_zero(), "no ETH with it");
        let [amount] = &call.spec.constraints[..] else {
            panic!("one constraint: {call:?}");
        };
        assert_eq!(amount.index, 1, "the amount word");
        assert_eq!(amount.limit.limitType, LimitType::Allowance);
        assert_eq!(amount.limit.limit, U256::from(100));
        assert_eq!(amount.limit.period.to::<u64>(), 86_400);
        assert_eq!(call.constraints[0].param, "amount");
        assert!(periodic.transfer_policies.is_empty());
        assert_eq!(periodic.fee_limit.limitType, LimitType::Allowance);
        assert_eq!(periodic.fee_limit.limit, U256::from(STANDARD_FEE_PER_DAY));
        assert_eq!(periodic.meta.justification.as_deref(), Some("Ten a day"));
        assert!(periodic.meta.adjustment_allowed);
        let allowance = parse_erc7715(
            &standard(
                "erc20-token-allowance",
                json!({ "tokenAddress": TOKEN, "allowanceAmount": "500" }),
            ),
            NOW,
        )
        .unwrap();
        let limit = &allowance.call_policies[0].spec.constraints[0].limit;
        assert_eq!(
            (limit.limitType, limit.limit),
            (LimitType::Lifetime, U256::from(500))
        );
        // Strict data: a missing or unknown field, a later start, a zero period.
        for (data, expected) in [
            (
                json!({ "tokenAddress": TOKEN, "periodAmount": "1" }),
                "`periodDuration` is required",
            ),
            (
                json!({ "tokenAddress": TOKEN, "periodAmount": "1", "periodDuration": 60, "extra": 1 }),
                "unknown field `extra`",
            ),
            (
                json!({ "tokenAddress": TOKEN, "periodAmount": "1", "periodDuration": 60, "startTime": NOW + 3600 }),
                "is in the future",
            ),
            (
                json!({ "tokenAddress": TOKEN, "periodAmount": "1", "periodDuration": 0 }),
                "at least one second",
            ),
            (
                json!({ "tokenAddress": "0x12", "periodAmount": "1", "periodDuration": 60 }),
                "tokenAddress",
            ),
            (
                json!({ "tokenAddress": TOKEN, "periodAmount": "lots", "periodDuration": 60 }),
                "permission.data.periodAmount",
            ),
        ] {
            let e = err(parse_erc7715(
                &standard("erc20-token-periodic", data.clone()),
                NOW,
            ));
            assert!(e.contains(expected), "{data}: {e}");
        }
    }

    #[test]
    fn standard_native_types_map_onto_a_transfer_policy_for_any_recipient() {
        use crate::session::spec::{ANY_RECIPIENT, LimitType};
        let periodic = parse_erc7715(
            &standard(
                "native-token-periodic",
                json!({ "periodAmount": "1000", "periodDuration": 3600, "startTime": NOW }),
            ),
            NOW,
        )
        .unwrap();
        assert!(periodic.call_policies.is_empty());
        let [transfer] = &periodic.transfer_policies[..] else {
            panic!("one transfer policy: {periodic:?}");
        };
        assert_eq!(transfer.target, ANY_RECIPIENT);
        assert_eq!(
            transfer.maxValuePerUse,
            U256::from(1000),
            "a period's amount"
        );
        assert_eq!(
            (transfer.valueLimit.limitType, transfer.valueLimit.limit),
            (LimitType::Allowance, U256::from(1000))
        );
        assert_eq!(transfer.valueLimit.period.to::<u64>(), 3600);
        let allowance = parse_erc7715(
            &standard("native-token-allowance", json!({ "allowanceAmount": "7" })),
            NOW,
        )
        .unwrap();
        let limit = &allowance.transfer_policies[0].valueLimit;
        assert_eq!(
            (limit.limitType, limit.limit),
            (LimitType::Lifetime, U256::from(7))
        );
        // A native token type names no token.
        let e = err(parse_erc7715(
            &standard(
                "native-token-allowance",
                json!({ "allowanceAmount": "7", "tokenAddress": TOKEN }),
            ),
            NOW,
        ));
        assert!(e.contains("unknown field `tokenAddress`"), "{e}");
    }

    #[test]
    fn standard_stream_types_map_onto_a_stream_limit() {
        use crate::session::spec::ANY_RECIPIENT;
        use crate::session::stream::{MAX_AMOUNT, Stream};
        let native = parse_erc7715(
            &standard(
                "native-token-stream",
                json!({ "initialAmount": "0x10", "maxAmount": "100", "amountPerSecond": "2",
                        "startTime": NOW + 3600, "justification": "Pay as you play" }),
            ),
            NOW,
        )
        .unwrap();
        let transfer = &native.transfer_policies[0];
        assert_eq!(transfer.target, ANY_RECIPIENT);
        assert_eq!(transfer.maxValuePerUse, U256::from(100), "the cap");
        let stream = Stream::of(&transfer.valueLimit).expect("a stream limit");
        assert_eq!(
            stream,
            Stream {
                initial: U256::from(16),
                per_second: U256::from(2),
                cap: Some(U256::from(100)),
                start: NOW + 3600,
            },
            "a later start is kept: nothing accrues before it"
        );
        let erc20 = parse_erc7715(
            &standard(
                "erc20-token-stream",
                json!({ "tokenAddress": TOKEN, "amountPerSecond": "5" }),
            ),
            NOW,
        )
        .unwrap();
        let amount = &erc20.call_policies[0].spec.constraints[0];
        assert_eq!(amount.index, 1, "the amount word");
        assert_eq!(
            Stream::of(&amount.limit),
            Some(Stream {
                initial: U256::ZERO,
                per_second: U256::from(5),
                cap: None,
                start: NOW - 1,
            }),
            "defaults: nothing at first, no cap, starting now (as the wallet claims it)"
        );
        for (data, expected) in [
            (
                json!({ "amountPerSecond": "0" }),
                "amountPerSecond must be positive",
            ),
            (
                json!({ "amountPerSecond": "1", "initialAmount": "5", "maxAmount": "4" }),
                "maxAmount 4 is below initialAmount 5",
            ),
            (
                json!({ "amountPerSecond": (MAX_AMOUNT + U256::from(1)).to_string() }),
                "params[0].permission.data.amountPerSecond: perSecond",
            ),
            (
                json!({ "initialAmount": "1" }),
                "`amountPerSecond` is required",
            ),
        ] {
            let e = err(parse_erc7715(
                &standard("native-token-stream", data.clone()),
                NOW,
            ));
            assert!(e.contains(expected), "{data}: {e}");
        }
    }
}
