//! A dapp's session request, decoded into a [`SessionRequest`]: the `SessionSpec` minus the signer
//! (the wallet generates the session key) plus what the approval UI needs to explain it.
//!
//! Two input formats (both documented with examples in `docs/sessions.md`):
//!
//! - [`parse_erc7715`]: ERC-7715 `wallet_requestExecutionPermissions` params with one permission
//!   of type [`PERMISSION_TYPE`] (`"sso-session"`) and an `expiry` rule;
//! - [`parse_compact`]: the compact SSO form, close to ZKsync SSO's connector `session` option.
//!
//! Contract calls name their function by a human-readable signature or by an ABI plus a function
//! name; constraints name a parameter (or a word index) and are converted to the validator's word
//! index. Constraints are accepted only on static words before the first dynamic parameter, and
//! ordering conditions only where the validator's unsigned 32-byte comparison means what the dapp
//! wrote. Every refusal is a [`RequestError`] naming the JSON path, which becomes
//! [`crate::Error::InvalidParams`] (−32602).
//!
//! What lives where (every public item is re-exported here, so its path is
//! `session::request::…` whichever file holds it):
//!
//! - this file: the decoded types every part builds or reads ([`SessionRequest`], [`CallPolicy`],
//!   [`ParamInfo`], [`ConstraintInfo`], [`RequestMeta`], [`RequestFormat`], [`RequestError`]), the
//!   size bounds, and [`parse_request`], which only tells the two formats apart and so belongs to
//!   neither;
//! - `erc7715`: the ERC-7715 format — the request, the response, revoke params and the supported
//!   permission types;
//! - `compact`: the compact SSO form;
//! - `policy`: what both formats share — fee limit, call and transfer policies, justification,
//!   the expiry bound — and resolving the called function from a signature or an ABI;
//! - `constraint`: one constraint — parameter to word, condition, reference value as an ABI word;
//! - `abi_layout`: parameter paths ↔ word indices in the ABI head, [`WordType`], nesting bounds;
//! - `json`: the strict JSON walker (paths in errors, unknown keys refused) and the readers of
//!   amounts, addresses and limits.
//!
//! Dependencies run one way: the formats use `policy`, which uses `constraint`, which uses
//! `abi_layout` and `json`; all of them use the types in this file.

mod abi_layout;
mod compact;
mod constraint;
mod erc7715;
mod json;
mod policy;

pub use abi_layout::{WordType, word_index};
pub use compact::parse_compact;
pub use constraint::encode_word;
pub use erc7715::{
    Dependency, PERMISSION_TYPE, RULE_TYPES, START_TIME_SKEW, erc7715_response, parse_erc7715,
    parse_revoke, supported_execution_permissions,
};
pub use json::{parse_address, parse_amount, parse_limit};

use alloy_primitives::Address;
use alloy_primitives::aliases::U48;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::spec::{CallSpec, SessionSpec, TransferSpec, UsageLimit};
use abi_layout::is_word_type;

/// Most call policies one session may have.
pub const MAX_CALL_POLICIES: usize = 64;
/// Most transfer policies one session may have.
pub const MAX_TRANSFER_POLICIES: usize = 64;
/// Most constraints one call policy may have.
pub const MAX_CONSTRAINTS: usize = 32;
/// Longest justification kept (characters).
pub const JUSTIFICATION_CHARS: usize = 280;
/// Largest `expiresAt` the contract can hold (`uint48`).
pub const MAX_EXPIRES_AT: u64 = (1 << 48) - 1;

/// Why a session request was refused: where in the JSON, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{at}: {message}")]
pub struct RequestError {
    /// JSON path of the offending value (`params[0].permission.data.contractCalls[1].constraints[0]`).
    pub at: String,
    /// What is wrong with it.
    pub message: String,
}

impl RequestError {
    fn new(at: &str, message: impl Into<String>) -> Self {
        RequestError {
            at: at.to_owned(),
            message: message.into(),
        }
    }
}

impl From<RequestError> for crate::Error {
    fn from(error: RequestError) -> Self {
        crate::Error::InvalidParams(format!("session request: {error}"))
    }
}

type Result<T> = std::result::Result<T, RequestError>;

/// Which format the dapp used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RequestFormat {
    /// ERC-7715 `wallet_requestExecutionPermissions`.
    Erc7715,
    /// The compact SSO form.
    Compact,
}

/// What the request said besides the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestMeta {
    /// The format it came in.
    pub format: RequestFormat,
    /// The chain the dapp asked for (ERC-7715 `chainId`).
    pub chain_id: Option<u64>,
    /// The account the dapp asked for (ERC-7715 `from`, or the older `address`).
    pub from: Option<Address>,
    /// ERC-7715 `isAdjustmentAllowed`: the wallet may attenuate the permission.
    pub adjustment_allowed: bool,
    /// The dapp's free-text reason (`justification`), shown as the dapp's words.
    pub justification: Option<String>,
}

/// A parameter of the called function, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamInfo {
    /// Its name (may be empty).
    pub name: String,
    /// Its canonical type (`address`, `(uint256,address)`, `bytes`).
    pub ty: String,
}

/// What a constraint's word is, for display and for the wallet's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstraintInfo {
    /// The parameter path (`to`, `order.amount`, `ids[1]`), or `word N` for an unnamed word.
    pub param: String,
    /// The word's Solidity type (`address`, `uint256`, `int24`, `bytes4`, `bool`).
    pub ty: String,
}

/// One call policy: the on-chain `CallSpec` and what the dapp said about the function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallPolicy {
    /// The on-chain policy.
    pub spec: CallSpec,
    /// The canonical signature, e.g. `transfer(address,uint256)`.
    pub function: String,
    /// The function's parameters.
    pub params: Vec<ParamInfo>,
    /// Calldata words (after the selector) before the first dynamic parameter: constraints
    /// must have `index < static_words`.
    pub static_words: u64,
    /// One entry per `spec.constraints`, in the same order.
    pub constraints: Vec<ConstraintInfo>,
    /// Whether `function` is the site's own name for a selector the wallet does not know (only
    /// the selector is enforced on chain, so the name is the site's claim).
    #[serde(default)]
    pub named_by_site: bool,
}

/// A decoded session request: a `SessionSpec` without its signer, plus metadata for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionRequest {
    /// Expiry (Unix seconds).
    pub expires_at: u64,
    /// The fee limit.
    pub fee_limit: UsageLimit,
    /// Contract calls the session may make.
    pub call_policies: Vec<CallPolicy>,
    /// Plain value transfers the session may make.
    pub transfer_policies: Vec<TransferSpec>,
    /// Everything else the dapp said.
    pub meta: RequestMeta,
}

impl SessionRequest {
    /// The on-chain spec with the wallet-generated `signer`.
    pub fn to_spec(&self, signer: Address) -> SessionSpec {
        SessionSpec {
            signer,
            expiresAt: U48::saturating_from(self.expires_at),
            feeLimit: self.fee_limit.clone(),
            callPolicies: self.call_policies.iter().map(|p| p.spec.clone()).collect(),
            transferPolicies: self.transfer_policies.clone(),
        }
    }
}

impl SessionRequest {
    /// A request read back from an on-chain spec (a session restored from `SessionCreated` logs
    /// after logging in elsewhere). The chain keeps no metadata: functions the wallet knows get
    /// their names and parameter names back, other selectors and words are shown raw.
    pub fn from_spec(spec: &SessionSpec) -> Self {
        let call_policies = spec
            .callPolicies
            .iter()
            .map(|call| {
                let function = crate::decode::KNOWN_FUNCTIONS
                    .iter()
                    .filter_map(|sig| alloy_json_abi::Function::parse(sig).ok())
                    .find(|f| f.selector() == call.selector);
                let params: Vec<ParamInfo> = function
                    .as_ref()
                    .map(|f| {
                        f.inputs
                            .iter()
                            .map(|p| ParamInfo {
                                name: p.name.clone(),
                                ty: p.selector_type().into_owned(),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let constraints = call
                    .constraints
                    .iter()
                    .map(|c| {
                        let named = params
                            .get(usize::try_from(c.index).unwrap_or(usize::MAX))
                            .filter(|p| !p.name.is_empty() && is_word_type(&p.ty));
                        match named {
                            Some(p) => ConstraintInfo {
                                param: p.name.clone(),
                                ty: p.ty.clone(),
                            },
                            None => ConstraintInfo {
                                param: format!("word {}", c.index),
                                ty: "uint256".into(),
                            },
                        }
                    })
                    .collect();
                CallPolicy {
                    spec: call.clone(),
                    function: function
                        .map(|f| f.signature())
                        .unwrap_or_else(|| call.selector.to_string()),
                    params,
                    static_words: call
                        .constraints
                        .iter()
                        .map(|c| c.index.saturating_add(1))
                        .max()
                        .unwrap_or(0),
                    constraints,
                    named_by_site: false,
                }
            })
            .collect();
        SessionRequest {
            expires_at: spec.expiresAt.to(),
            fee_limit: spec.feeLimit.clone(),
            call_policies,
            transfer_policies: spec.transferPolicies.clone(),
            meta: RequestMeta {
                format: RequestFormat::Compact,
                chain_id: None,
                from: None,
                adjustment_allowed: false,
                justification: None,
            },
        }
    }
}

/// Decodes `wallet_requestExecutionPermissions` params in either format: ERC-7715 (an array of
/// permission requests with a `permission` field) or the compact SSO form (`[ { expiresAt |
/// expiry, feeLimit, … } ]`, or the bare object).
pub fn parse_request(params: &Value, now: u64) -> Result<SessionRequest> {
    let first = match params {
        Value::Array(items) => items.first(),
        other => Some(other),
    };
    let compact = first.is_some_and(|item| {
        item.is_object() && item.get("permission").is_none() && item.get("permissions").is_none()
    });
    match (compact, params) {
        (true, Value::Array(items)) if items.len() == 1 => parse_compact(&items[0], now),
        (true, Value::Array(items)) => Err(RequestError::new(
            "params",
            format!(
                "SSO Wallet grants one session per request, got {} sessions",
                items.len()
            ),
        )),
        (true, object) => parse_compact(object, now),
        (false, _) => parse_erc7715(params, now),
    }
}

/// Fixtures the request tests of every file share.
#[cfg(test)]
mod test_support {
    use serde_json::{Value, json};

    use super::{CallPolicy, Result, parse_compact};

    pub(super) const NOW: u64 = 1_800_000_000;
    pub(super) const TOKEN: &str = "0x00000000000000000000000000000000000000aa";
    pub(super) const ALICE: &str = "0x00000000000000000000000000000000000000bb";

    pub(super) fn compact(calls: Value) -> Value {
        json!({ "expiresAt": NOW + 3600, "feeLimit": "1000", "contractCalls": calls })
    }

    pub(super) fn one_call(call: Value) -> Result<CallPolicy> {
        let mut call = call;
        call["address"] = json!(TOKEN);
        parse_compact(&compact(json!([call])), NOW).map(|r| r.call_policies[0].clone())
    }

    pub(super) fn err(result: Result<impl std::fmt::Debug>) -> String {
        result.unwrap_err().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::b256;
    use proptest::prelude::*;
    use serde_json::json;

    use super::test_support::{ALICE, NOW};

    #[test]
    fn docs_examples_decode() {
        let docs = include_str!("../../../docs/sessions.md");
        let blocks: Vec<Value> = docs
            .split("```json")
            .skip(1)
            .map(|b| serde_json::from_str(b.split("```").next().unwrap()).unwrap())
            .collect();
        let request = blocks.iter().find(|b| b.get("method").is_some()).unwrap();
        let r = parse_erc7715(&request["params"], NOW).unwrap();
        assert_eq!((r.call_policies.len(), r.transfer_policies.len()), (1, 1));
        assert_eq!(r.call_policies[0].spec.constraints[1].index, 1);
        let compact = blocks.iter().find(|b| b.get("expiry").is_some()).unwrap();
        let r = parse_compact(compact, NOW).unwrap();
        assert_eq!(r.call_policies[1].function, "approve(address,uint256)");
        let env = crate::session::rules::Environment {
            account: Address::repeat_byte(0xac),
            chain_id: 11_155_111,
            validators: vec![],
            modules: vec![],
            entry_point: Address::repeat_byte(0x43),
            now: NOW,
        };
        assert_eq!(crate::session::rules::validate(&r, &env), Ok(vec![]));
    }

    #[test]
    fn parse_request_accepts_both_formats_and_revoke_takes_the_context() {
        let compact = json!({ "expiresAt": NOW + 3600, "feeLimit": "1000",
            "transfers": [{ "to": ALICE, "valueLimit": "5" }] });
        let a = parse_request(&json!([compact.clone()]), NOW).unwrap();
        let b = parse_request(&compact, NOW).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.meta.format, RequestFormat::Compact);
        assert!(parse_request(&json!([compact.clone(), compact]), NOW).is_err());
        let erc7715 = json!([{ "chainId": "0x1", "permission": { "type": "sso-session",
            "data": { "feeLimit": "1000", "transfers": [{ "to": ALICE, "valueLimit": "5" }] } },
            "rules": [{ "type": "expiry", "data": { "timestamp": NOW + 3600 } }] }]);
        assert_eq!(
            parse_request(&erc7715, NOW).unwrap().meta.format,
            RequestFormat::Erc7715
        );
        let hash = b256!("1111111111111111111111111111111111111111111111111111111111111111");
        for params in [
            json!([{ "permissionContext": hash }]),
            json!({ "permissionContext": hash }),
            json!([hash]),
        ] {
            assert_eq!(parse_revoke(&params).unwrap(), hash);
        }
        for bad in [
            json!([]),
            json!([{}]),
            json!(["0x12"]),
            json!([{ "permissionContext": 5 }]),
        ] {
            assert!(parse_revoke(&bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn random_json_never_panics(json in any::<String>(), value in arb_json()) {
            if let Ok(v) = serde_json::from_str::<Value>(&json) {
                let _ = parse_compact(&v, NOW);
                let _ = parse_erc7715(&v, NOW);
            }
            let _ = parse_compact(&value, NOW);
            let _ = parse_erc7715(&value, NOW);
            let _ = parse_erc7715(&json!([{ "chainId": 1, "rules": [{"type": "expiry", "data": {"timestamp": 1}}],
                                            "permission": { "type": "sso-session", "data": value.clone() } }]), NOW);
            let _ = parse_compact(&json!({ "expiry": 1, "feeLimit": 1, "contractCalls": [value] }), NOW);
        }
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|n| json!(n)),
            prop_oneof![
                Just("unlimited".to_owned()),
                Just("0x".to_owned()),
                Just(ALICE.to_owned()),
                Just("transfer(address to, uint256 amount)".to_owned()),
                Just("f(bytes d, uint8 x)".to_owned()),
                "[a-z0-9x().,\\[\\] ]{0,20}".prop_map(|s| s),
            ]
            .prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            let key = prop_oneof![
                Just("type".to_owned()),
                Just("limit".to_owned()),
                Just("period".to_owned()),
                Just("feeLimit".to_owned()),
                Just("contractCalls".to_owned()),
                Just("transfers".to_owned()),
                Just("address".to_owned()),
                Just("function".to_owned()),
                Just("abi".to_owned()),
                Just("functionName".to_owned()),
                Just("constraints".to_owned()),
                Just("param".to_owned()),
                Just("index".to_owned()),
                Just("value".to_owned()),
                Just("condition".to_owned()),
                Just("to".to_owned()),
                Just("valueLimit".to_owned()),
                Just("maxValuePerUse".to_owned()),
                Just("expiry".to_owned()),
                Just("expiresAt".to_owned()),
                Just("name".to_owned()),
                Just("inputs".to_owned()),
                Just("chainId".to_owned()),
                Just("permission".to_owned()),
                Just("rules".to_owned()),
                Just("data".to_owned()),
            ];
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(key, inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
