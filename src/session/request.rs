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

use std::str::FromStr;

use alloy_json_abi::{Function, JsonAbi, Param};
use alloy_primitives::aliases::U48;
use alloy_primitives::{Address, B256, Bytes, I256, U256};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::spec::{
    CallSpec, Condition, Constraint, LimitType, SessionSpec, TransferSpec, UsageLimit,
};

/// The ERC-7715 permission type this wallet grants: one SSO session.
pub const PERMISSION_TYPE: &str = "sso-session";
/// The ERC-7715 rule types this wallet understands.
pub const RULE_TYPES: &[&str] = &["expiry"];
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

/// Whether a parameter type is one 32-byte word (what a constraint compares).
fn is_word_type(ty: &str) -> bool {
    ty.parse::<WordType>().is_ok()
}

// ------------------------------------------------------------------------------------------------
// JSON helpers
// ------------------------------------------------------------------------------------------------

/// A JSON object being read, with its path; [`Obj::finish`] refuses keys nobody asked for.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    at: String,
    seen: Vec<&'static str>,
}

impl<'a> Obj<'a> {
    fn new(value: &'a Value, at: &str) -> Result<Self> {
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

    fn path(&self, key: &str) -> String {
        format!("{}.{key}", self.at)
    }

    /// The value of `key`, treating `null` as absent.
    fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.seen.push(key);
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn required(&mut self, key: &'static str) -> Result<&'a Value> {
        self.get(key)
            .ok_or_else(|| RequestError::new(&self.at, format!("`{key}` is required")))
    }

    /// Refuses unknown keys (typos would otherwise silently fall back to defaults).
    fn finish(self) -> Result<()> {
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

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn array<'a>(value: &'a Value, at: &str, max: usize) -> Result<&'a Vec<Value>> {
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

fn string<'a>(value: &'a Value, at: &str) -> Result<&'a str> {
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
        Value::String(s) => parse_amount_str(s).ok_or_else(|| {
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

fn parse_amount_str(s: &str) -> Option<U256> {
    let (digits, radix) = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => (hex, 16),
        None => (s, 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    U256::from_str_radix(digits, u64::from(radix)).ok()
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

fn parse_u64(value: &Value, at: &str, what: &str) -> Result<u64> {
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
                            "`type` (unlimited, lifetime or allowance) is required in a limit object with keys {:?}",
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
                other => {
                    return Err(RequestError::new(
                        &obj.path(ty_key),
                        format!(
                            "unknown limit type `{other}` (expected unlimited, lifetime or allowance)"
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

fn unlimited() -> UsageLimit {
    UsageLimit {
        limitType: LimitType::Unlimited,
        limit: U256::ZERO,
        period: U48::ZERO,
    }
}

fn lifetime_zero() -> UsageLimit {
    UsageLimit {
        limitType: LimitType::Lifetime,
        limit: U256::ZERO,
        period: U48::ZERO,
    }
}

// ------------------------------------------------------------------------------------------------
// ABI layout: parameter → word index
// ------------------------------------------------------------------------------------------------

/// An ABI word's type, as far as constraints care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordType {
    /// `address`.
    Address,
    /// `bool`.
    Bool,
    /// `uintN` (bits).
    Uint(u16),
    /// `intN` (bits), two's complement, sign-extended.
    Int(u16),
    /// `bytesN` (length), left-aligned.
    FixedBytes(u8),
    /// `function` (24 bytes, left-aligned).
    Function,
}

impl std::fmt::Display for WordType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WordType::Address => f.write_str("address"),
            WordType::Bool => f.write_str("bool"),
            WordType::Uint(bits) => write!(f, "uint{bits}"),
            WordType::Int(bits) => write!(f, "int{bits}"),
            WordType::FixedBytes(n) => write!(f, "bytes{n}"),
            WordType::Function => f.write_str("function"),
        }
    }
}

impl FromStr for WordType {
    type Err = ();

    fn from_str(ty: &str) -> std::result::Result<Self, ()> {
        let bits = |s: &str, default: u16| -> std::result::Result<u16, ()> {
            if s.is_empty() {
                return Ok(default);
            }
            if s.starts_with('0') {
                return Err(());
            }
            let n: u16 = s.parse().map_err(|_| ())?;
            if n.is_multiple_of(8) && (8..=256).contains(&n) {
                Ok(n)
            } else {
                Err(())
            }
        };
        match ty {
            "address" => Ok(WordType::Address),
            "bool" => Ok(WordType::Bool),
            "function" => Ok(WordType::Function),
            _ => {
                if let Some(rest) = ty.strip_prefix("uint") {
                    bits(rest, 256).map(WordType::Uint)
                } else if let Some(rest) = ty.strip_prefix("int") {
                    bits(rest, 256).map(WordType::Int)
                } else if let Some(rest) = ty.strip_prefix("bytes") {
                    match rest.parse::<u8>() {
                        Ok(n) if (1..=32).contains(&n) && !rest.starts_with('0') => {
                            Ok(WordType::FixedBytes(n))
                        }
                        _ => Err(()),
                    }
                } else {
                    Err(())
                }
            }
        }
    }
}

/// The head layout of one ABI type.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Layout {
    Word(WordType),
    Tuple(Vec<(String, Layout)>),
    Array(Box<Layout>, u64),
    /// Dynamic (its head is an offset): `bytes`, `string`, `T[]`, or containing one.
    Dynamic(String),
}

impl Layout {
    fn of(param: &Param) -> std::result::Result<Layout, String> {
        Self::of_type(&param.ty, &param.components)
    }

    fn of_type(ty: &str, components: &[Param]) -> std::result::Result<Layout, String> {
        if let Some(open) = ty.strip_suffix(']').and_then(|t| t.rfind('[')) {
            let inner_ty = &ty[..open];
            let dim = &ty[open + 1..ty.len() - 1];
            let inner = Self::of_type(inner_ty, components)?;
            if dim.is_empty() {
                return Ok(Layout::Dynamic(canonical(ty, components)));
            }
            let n: u64 = dim
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("bad array length in `{ty}`"))?;
            return Ok(match inner {
                Layout::Dynamic(_) => Layout::Dynamic(canonical(ty, components)),
                inner => Layout::Array(Box::new(inner), n),
            });
        }
        match ty {
            "tuple" if components.is_empty() => {
                Err("empty tuples (and tuples without components) are not supported".into())
            }
            "tuple" => {
                let mut parts = Vec::with_capacity(components.len());
                for (i, c) in components.iter().enumerate() {
                    let layout = Self::of(c)?;
                    if let Layout::Dynamic(_) = layout {
                        return Ok(Layout::Dynamic(canonical(ty, components)));
                    }
                    let name = if c.name.is_empty() {
                        i.to_string()
                    } else {
                        c.name.clone()
                    };
                    parts.push((name, layout));
                }
                Ok(Layout::Tuple(parts))
            }
            "bytes" | "string" => Ok(Layout::Dynamic(ty.to_owned())),
            _ => ty
                .parse()
                .map(Layout::Word)
                .map_err(|()| format!("unsupported ABI type `{ty}`")),
        }
    }

    /// Head words (`None` for dynamic, or absurdly large).
    fn words(&self) -> Option<u64> {
        match self {
            Layout::Word(_) => Some(1),
            Layout::Tuple(parts) => parts
                .iter()
                .try_fold(0u64, |acc, (_, l)| acc.checked_add(l.words()?)),
            Layout::Array(inner, n) => inner.words()?.checked_mul(*n),
            Layout::Dynamic(_) => None,
        }
    }

    /// The word at `offset` inside this static layout: its path suffix and type.
    fn word_at(&self, offset: u64) -> Option<(String, WordType)> {
        match self {
            Layout::Word(t) if offset == 0 => Some((String::new(), *t)),
            Layout::Word(_) | Layout::Dynamic(_) => None,
            Layout::Tuple(parts) => {
                let mut start = 0u64;
                for (name, layout) in parts {
                    let w = layout.words()?;
                    if offset < start + w {
                        let (suffix, t) = layout.word_at(offset - start)?;
                        return Some((format!(".{name}{suffix}"), t));
                    }
                    start += w;
                }
                None
            }
            Layout::Array(inner, n) => {
                let w = inner.words()?;
                let i = offset.checked_div(w)?;
                if i >= *n {
                    return None;
                }
                let (suffix, t) = inner.word_at(offset.checked_rem(w)?)?;
                Some((format!("[{i}]{suffix}"), t))
            }
        }
    }

    /// Resolves a path suffix (`.amount`, `[1].x`, or empty) to (word offset, type).
    fn resolve(&self, suffix: &str, full: &str) -> std::result::Result<(u64, WordType), String> {
        match self {
            Layout::Word(t) if suffix.is_empty() => Ok((0, *t)),
            Layout::Word(t) => Err(format!("`{full}`: {t} has no component `{suffix}`")),
            Layout::Dynamic(ty) => Err(format!("`{full}`: {ty} is dynamic")),
            Layout::Tuple(parts) => {
                let Some(rest) = suffix.strip_prefix('.') else {
                    return Err(self.multi_word(full));
                };
                let end = rest.find(['.', '[']).unwrap_or(rest.len());
                let (name, rest) = rest.split_at(end);
                let mut start = 0u64;
                for (part, layout) in parts {
                    if part == name {
                        let (offset, t) = layout.resolve(rest, full)?;
                        return Ok((start + offset, t));
                    }
                    start += layout
                        .words()
                        .ok_or_else(|| format!("`{full}` is too large"))?;
                }
                Err(format!("`{full}`: the tuple has no component `{name}`"))
            }
            Layout::Array(inner, n) => {
                let Some(rest) = suffix.strip_prefix('[') else {
                    return Err(self.multi_word(full));
                };
                let close = rest
                    .find(']')
                    .ok_or_else(|| format!("`{full}`: missing `]`"))?;
                let i: u64 = rest[..close]
                    .parse()
                    .map_err(|_| format!("`{full}`: bad array index"))?;
                if i >= *n {
                    return Err(format!("`{full}`: index {i} is out of bounds (length {n})"));
                }
                let w = inner
                    .words()
                    .ok_or_else(|| format!("`{full}` is too large"))?;
                let (offset, t) = inner.resolve(&rest[close + 1..], full)?;
                Ok((i * w + offset, t))
            }
        }
    }

    fn multi_word(&self, full: &str) -> String {
        let example = self
            .word_at(0)
            .map(|(suffix, _)| format!("`{full}{suffix}`"))
            .unwrap_or_default();
        format!(
            "`{full}` spans {} words; constrain one of its components, e.g. {example}, or use `index`",
            self.words().unwrap_or(0)
        )
    }
}

/// The canonical type string (`(uint256,address)[]` for `tuple[]`).
fn canonical(ty: &str, components: &[Param]) -> String {
    match ty.strip_prefix("tuple") {
        Some(suffix) => format!(
            "({}){suffix}",
            components
                .iter()
                .map(|c| canonical(&c.ty, &c.components))
                .collect::<Vec<_>>()
                .join(",")
        ),
        None => ty.to_owned(),
    }
}

/// The function's head layout: the static params before the first dynamic one (with their first
/// word index), the number of those words, and the first dynamic param if any.
struct HeadLayout {
    statics: Vec<(String, u64, Layout)>,
    static_words: u64,
    first_dynamic: Option<(String, String)>,
}

fn head_layout(inputs: &[Param]) -> std::result::Result<HeadLayout, String> {
    let mut head = HeadLayout {
        statics: Vec::new(),
        static_words: 0,
        first_dynamic: None,
    };
    for (i, p) in inputs.iter().enumerate() {
        let name = if p.name.is_empty() {
            format!("#{i}")
        } else {
            p.name.clone()
        };
        match Layout::of(p)? {
            Layout::Dynamic(ty) => {
                head.first_dynamic = Some((name, ty));
                break;
            }
            layout => {
                let words = layout
                    .words()
                    .ok_or_else(|| format!("parameter `{name}` is too large"))?;
                let start = head.static_words;
                head.static_words = start
                    .checked_add(words)
                    .ok_or_else(|| format!("parameter `{name}` is too large"))?;
                head.statics.push((name, start, layout));
            }
        }
    }
    Ok(head)
}

/// The word index (after the selector) of a parameter path in `inputs` — `to`, `order.amount`,
/// `ids[2]` — and the word's type. Only static words before the first dynamic parameter qualify.
pub fn word_index(inputs: &[Param], path: &str) -> std::result::Result<(u64, WordType), String> {
    let end = path.find(['.', '[']).unwrap_or(path.len());
    let (name, suffix) = path.split_at(end);
    let position = inputs
        .iter()
        .enumerate()
        .position(|(i, p)| p.name == name || (p.name.is_empty() && name == format!("#{i}")))
        .ok_or_else(|| {
            let names: Vec<_> = inputs
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    if p.name.is_empty() {
                        format!("#{i}")
                    } else {
                        p.name.clone()
                    }
                })
                .collect();
            format!(
                "the function has no parameter `{name}` (parameters: {})",
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                }
            )
        })?;
    let head = head_layout(inputs)?;
    if let Some((_, start, layout)) = head.statics.get(position) {
        let (offset, t) = layout.resolve(suffix, path)?;
        return Ok((start + offset, t));
    }
    let (dyn_name, dyn_ty) = head
        .first_dynamic
        .ok_or_else(|| "internal: parameter outside the head".to_owned())?;
    if position == head.statics.len() {
        Err(format!(
            "constraint on `{path}`: {dyn_ty} is dynamic; constraints work only on static parameters before the first dynamic one"
        ))
    } else {
        Err(format!(
            "constraint on `{path}`: it comes after the dynamic parameter `{dyn_name}` ({dyn_ty}); constraints work only on static parameters before the first dynamic one"
        ))
    }
}

/// The word at `index` in the static head: its path and type.
fn word_by_index(inputs: &[Param], index: u64) -> std::result::Result<(String, WordType), String> {
    let head = head_layout(inputs)?;
    for (name, start, layout) in &head.statics {
        let words = layout.words().unwrap_or(0);
        if index >= *start && index < start + words {
            let (suffix, t) = layout
                .word_at(index - start)
                .ok_or_else(|| format!("word {index} cannot be resolved"))?;
            return Ok((format!("{name}{suffix}"), t));
        }
    }
    Err(match head.first_dynamic {
        Some((name, ty)) => format!(
            "constraint on word {index}: the static words before the first dynamic parameter `{name}` ({ty}) are 0..{}; constraints work only on static parameters before the first dynamic one",
            head.static_words
        ),
        None => format!(
            "constraint on word {index}: the function has only {} parameter words",
            head.static_words
        ),
    })
}

// ------------------------------------------------------------------------------------------------
// Values and conditions
// ------------------------------------------------------------------------------------------------

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
                    parse_amount_str(s).and_then(|u| I256::try_from(u).ok())
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

// ------------------------------------------------------------------------------------------------
// Policies
// ------------------------------------------------------------------------------------------------

/// Longest human-readable function signature accepted (bytes).
const MAX_SIGNATURE_BYTES: usize = 1024;
/// Deepest nesting of a parameter type (tuples in tuples, array dimensions) accepted.
const MAX_TYPE_DEPTH: usize = 8;

/// Refuses signature text whose nesting could make a parser recurse deeply: too long, or
/// parentheses / brackets nested more than [`MAX_TYPE_DEPTH`] deep.
fn check_signature_text(signature: &str, at: &str) -> Result<()> {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    for c in signature.chars() {
        match c {
            '(' | '[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if signature.len() > MAX_SIGNATURE_BYTES || deepest > MAX_TYPE_DEPTH + 1 {
        return Err(RequestError::new(
            at,
            format!(
                "the function signature is longer than {MAX_SIGNATURE_BYTES} bytes or nested more than {MAX_TYPE_DEPTH} levels deep"
            ),
        ));
    }
    Ok(())
}

/// Refuses parameter types nested more than [`MAX_TYPE_DEPTH`] levels (each tuple and each
/// array dimension is one), walked without recursion.
fn check_type_depth(inputs: &[Param], at: &str) -> Result<()> {
    let mut stack: Vec<(&Param, usize)> = inputs.iter().map(|p| (p, 1)).collect();
    while let Some((param, depth)) = stack.pop() {
        let depth = depth + param.ty.matches('[').count();
        if depth > MAX_TYPE_DEPTH {
            return Err(RequestError::new(
                at,
                format!(
                    "parameter `{}` is nested more than {MAX_TYPE_DEPTH} levels deep",
                    crate::untrusted::clip(&param.name, 64)
                ),
            ));
        }
        stack.extend(param.components.iter().map(|c| (c, depth + 1)));
    }
    Ok(())
}

/// Resolves the called function from `function` (a human-readable signature) or `abi` +
/// `functionName`, refusing types nested beyond [`MAX_TYPE_DEPTH`].
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

fn parse_constraint(
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

/// `maxValuePerUse` and `valueLimit` with the defaults: no value when both are absent;
/// `maxValuePerUse` defaults to the limit's amount (any amount for an unlimited limit).
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
            let max = match limit.limitType {
                LimitType::Unlimited => U256::MAX,
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
    let target = parse_address(obj.required("to")?, &obj.path("to"))?;
    let (max_value, value_limit) = value_policy(&mut obj, true)?;
    obj.finish()?;
    Ok(TransferSpec {
        target,
        maxValuePerUse: max_value,
        valueLimit: value_limit,
    })
}

/// The policy part shared by both formats.
struct Policies {
    fee_limit: UsageLimit,
    call_policies: Vec<CallPolicy>,
    transfer_policies: Vec<TransferSpec>,
    justification: Option<String>,
}

/// Reads `feeLimit`, `contractCalls`, `transfers` (and `justification`) from `obj`.
fn parse_policies(obj: &mut Obj<'_>) -> Result<Policies> {
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

fn check_expiry(expires_at: u64, at: &str) -> Result<u64> {
    if expires_at > MAX_EXPIRES_AT {
        return Err(RequestError::new(
            at,
            format!("expiry {expires_at} does not fit in uint48 (Unix seconds expected)"),
        ));
    }
    Ok(expires_at)
}

// ------------------------------------------------------------------------------------------------
// The two formats
// ------------------------------------------------------------------------------------------------

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

fn parse_chain_id(value: &Value, at: &str) -> Result<u64> {
    parse_u64(value, at, "chainId")
}

/// Decodes ERC-7715 `wallet_requestExecutionPermissions` params: an array with exactly one
/// permission request whose permission type is [`PERMISSION_TYPE`].
pub fn parse_erc7715(params: &Value) -> Result<SessionRequest> {
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
    if ty != PERMISSION_TYPE {
        return Err(RequestError::new(
            &permission.path("type"),
            format!(
                "permission type `{ty}` is not supported; SSO Wallet grants \"{PERMISSION_TYPE}\" (see wallet_getSupportedExecutionPermissions)"
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
    } = parse_policies(&mut data)?;
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
        (false, _) => parse_erc7715(params),
    }
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

/// The `wallet_getSupportedExecutionPermissions` result.
pub fn supported_execution_permissions(chain_ids: &[u64]) -> Value {
    let chains: Vec<String> = chain_ids.iter().map(|c| format!("{c:#x}")).collect();
    json!({ PERMISSION_TYPE: { "chainIds": chains, "ruleTypes": RULE_TYPES } })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, b256};
    use proptest::prelude::*;

    const NOW: u64 = 1_800_000_000;
    const TOKEN: &str = "0x00000000000000000000000000000000000000aa";
    const ALICE: &str = "0x00000000000000000000000000000000000000bb";

    fn compact(calls: Value) -> Value {
        json!({ "expiresAt": NOW + 3600, "feeLimit": "1000", "contractCalls": calls })
    }

    fn one_call(call: Value) -> Result<CallPolicy> {
        let mut call = call;
        call["address"] = json!(TOKEN);
        parse_compact(&compact(json!([call])), NOW).map(|r| r.call_policies[0].clone())
    }

    fn err(result: Result<impl std::fmt::Debug>) -> String {
        result.unwrap_err().to_string()
    }

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
    fn hostile_types_are_refused_not_crashed_on() {
        // A tuple type without components (zero words) once divided by zero.
        let abi = json!([{ "type": "function", "name": "f", "stateMutability": "nonpayable",
            "inputs": [{ "name": "x", "type": "tuple[3]" }], "outputs": [] }]);
        let e = err(one_call(
            json!({ "address": TOKEN, "abi": abi, "functionName": "f",
            "constraints": [{ "param": "x" }] }),
        ));
        assert!(e.contains("empty tuples"), "{e}");
        // Array dimensions deep enough to overflow a recursive walk.
        let deep = format!("f(uint256{} x)", "[1]".repeat(50_000));
        let e = err(one_call(json!({ "address": TOKEN, "function": deep })));
        assert!(e.contains("nested more than 8 levels"), "{e}");
        let abi = json!([{ "type": "function", "name": "g", "stateMutability": "nonpayable",
            "inputs": [{ "name": "x", "type": format!("uint256{}", "[1]".repeat(20)) }], "outputs": [] }]);
        let e = err(one_call(
            json!({ "address": TOKEN, "abi": abi, "functionName": "g" }),
        ));
        assert!(e.contains("nested more than 8 levels"), "{e}");
        let nested = format!("h({}uint256{} x)", "(".repeat(20), ")".repeat(20));
        assert!(err(one_call(json!({ "address": TOKEN, "function": nested }))).contains("nested"));
        // Up to the limit works.
        let ok = format!("k(uint256{} x)", "[2]".repeat(7));
        assert!(one_call(json!({ "address": TOKEN, "function": ok })).is_ok());
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

    #[test]
    fn word_index_of_named_params() {
        let f = |sig: &str| Function::parse(sig).unwrap().inputs;
        // Human-readable signatures cannot name tuple components (they are `.0`, `.1`); JSON ABIs can.
        let unnamed = f("swap((address,uint256) order, uint256[3] ids)");
        assert_eq!(
            word_index(&unnamed, "order.1"),
            Ok((1, WordType::Uint(256)))
        );
        let inputs: Vec<Param> = serde_json::from_value(json!([
            { "name": "order", "type": "tuple", "components": [
                { "name": "token", "type": "address" }, { "name": "amount", "type": "uint256" } ] },
            { "name": "ids", "type": "uint256[3]" },
            { "name": "flag", "type": "bool" },
            { "name": "data", "type": "bytes" },
            { "name": "after", "type": "uint256" }
        ]))
        .unwrap();
        type Expected = std::result::Result<(u64, WordType), &'static str>;
        let cases: Vec<(&str, Expected)> = vec![
            ("order.token", Ok((0, WordType::Address))),
            ("order.amount", Ok((1, WordType::Uint(256)))),
            ("ids[0]", Ok((2, WordType::Uint(256)))),
            ("ids[2]", Ok((4, WordType::Uint(256)))),
            ("flag", Ok((5, WordType::Bool))),
            (
                "order",
                Err("spans 2 words; constrain one of its components, e.g. `order.token`"),
            ),
            ("ids", Err("spans 3 words")),
            ("ids[3]", Err("out of bounds")),
            ("order.price", Err("no component `price`")),
            ("flag.x", Err("bool has no component")),
            (
                "data",
                Err(
                    "constraint on `data`: bytes is dynamic; constraints work only on static parameters before the first dynamic one",
                ),
            ),
            ("after", Err("comes after the dynamic parameter `data`")),
            (
                "nope",
                Err("no parameter `nope` (parameters: order, ids, flag, data, after)"),
            ),
        ];
        for (path, expected) in cases {
            match (word_index(&inputs, path), expected) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{path}"),
                (Err(got), Err(want)) => assert!(got.contains(want), "{path}: {got}"),
                (got, want) => panic!("{path}: {got:?} vs {want:?}"),
            }
        }
        // Dynamic tuples and arrays are dynamic too.
        let inputs = f("g(uint8 a, (uint256,string) t, uint256 b)");
        assert_eq!(word_index(&inputs, "a"), Ok((0, WordType::Uint(8))));
        assert!(
            word_index(&inputs, "t.x")
                .unwrap_err()
                .contains("(uint256,string) is dynamic")
        );
        let inputs = f("h(address[] list, address who)");
        assert!(
            word_index(&inputs, "who")
                .unwrap_err()
                .contains("after the dynamic parameter `list` (address[])")
        );
        // Unnamed parameters are `#i`; word indices resolve back to paths.
        let inputs = f("k(address, (uint256,int24)[2], string)");
        assert_eq!(word_index(&inputs, "#1[1].1"), Ok((4, WordType::Int(24))));
        assert_eq!(
            word_by_index(&inputs, 3),
            Ok(("#1[1].0".into(), WordType::Uint(256)))
        );
        assert!(word_by_index(&inputs, 5).unwrap_err().contains("are 0..5"));
    }

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
        let r = parse_erc7715(&params).unwrap();
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
            json!({ "sso-session": { "chainIds": ["0x1", "0xaa36a7"], "ruleTypes": ["expiry"] } })
        );
        // Older drafts: top-level `expiry`, `address`, `signer: wallet`, numeric chainId.
        let older = json!([{ "chainId": 1, "address": ALICE, "expiry": NOW + 100, "signer": { "type": "wallet", "data": {} },
                             "permission": { "type": "sso-session", "data": { "feeLimit": 1, "transfers": [{ "to": ALICE, "valueLimit": 1 }] } } }]);
        let r = parse_erc7715(&older).unwrap();
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
        assert!(parse_erc7715(&good()).is_ok());
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
                edit(&|p| p[0]["permission"]["type"] = json!("native-token-stream")),
                "permission type `native-token-stream` is not supported; SSO Wallet grants \"sso-session\"",
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
            let e = err(parse_erc7715(&input));
            assert!(e.contains(expected), "{input}: {e}");
        }
        // The zero address as `to` means "no dapp key".
        assert!(parse_erc7715(&edit(&|p| p[0]["to"] = json!(Address::ZERO))).is_ok());
        // Errors become −32602 invalid params.
        let e: crate::Error = parse_erc7715(&json!([])).unwrap_err().into();
        assert!(
            matches!(e, crate::Error::InvalidParams(m) if m.starts_with("session request: params:"))
        );
    }

    #[test]
    fn docs_examples_decode() {
        let docs = include_str!("../../docs/sessions.md");
        let blocks: Vec<Value> = docs
            .split("```json")
            .skip(1)
            .map(|b| serde_json::from_str(b.split("```").next().unwrap()).unwrap())
            .collect();
        let request = blocks.iter().find(|b| b.get("method").is_some()).unwrap();
        let r = parse_erc7715(&request["params"]).unwrap();
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

    /// A random ABI type: (signature text, head words or None when dynamic).
    fn abi_type() -> impl Strategy<Value = (String, Option<u64>)> {
        let leaf = prop_oneof![
            Just(("address".to_owned(), Some(1))),
            Just(("bool".to_owned(), Some(1))),
            Just(("uint256".to_owned(), Some(1))),
            Just(("int8".to_owned(), Some(1))),
            Just(("bytes32".to_owned(), Some(1))),
            Just(("bytes".to_owned(), None)),
            Just(("string".to_owned(), None)),
        ];
        leaf.prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                (inner.clone(), 1u64..4)
                    .prop_map(|((t, w), n)| (format!("{t}[{n}]"), w.map(|w| w * n))),
                inner.clone().prop_map(|(t, _)| (format!("{t}[]"), None)),
                proptest::collection::vec(inner, 1..4).prop_map(|parts| {
                    let ty = format!(
                        "({})",
                        parts
                            .iter()
                            .map(|(t, _)| t.as_str())
                            .collect::<Vec<_>>()
                            .join(",")
                    );
                    let words = parts.iter().try_fold(0, |acc, (_, w)| w.map(|w| acc + w));
                    (ty, words)
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn random_json_never_panics(json in any::<String>(), value in arb_json()) {
            if let Ok(v) = serde_json::from_str::<Value>(&json) {
                let _ = parse_compact(&v, NOW);
                let _ = parse_erc7715(&v);
            }
            let _ = parse_compact(&value, NOW);
            let _ = parse_erc7715(&value);
            let _ = parse_erc7715(&json!([{ "chainId": 1, "rules": [{"type": "expiry", "data": {"timestamp": 1}}],
                                            "permission": { "type": "sso-session", "data": value.clone() } }]));
            let _ = parse_compact(&json!({ "expiry": 1, "feeLimit": 1, "contractCalls": [value] }), NOW);
        }

        #[test]
        fn word_index_matches_the_head_layout(params in proptest::collection::vec(abi_type(), 0..6)) {
            let sig = format!(
                "f({})",
                params.iter().enumerate().map(|(i, (t, _))| format!("{t} p{i}")).collect::<Vec<_>>().join(", ")
            );
            let inputs = Function::parse(&sig).unwrap().inputs;
            let mut start = Some(0u64);
            for (i, (ty, words)) in params.iter().enumerate() {
                let path = format!("p{i}");
                let got = word_index(&inputs, &path);
                let leaf = !ty.contains(['(', '[']);
                match (start, words) {
                    (Some(s), Some(1)) if leaf => prop_assert_eq!(got.map(|g| g.0), Ok(s), "{}", sig),
                    (Some(_), Some(_)) => prop_assert!(got.unwrap_err().contains("words"), "{}", sig),
                    _ => prop_assert!(got.unwrap_err().contains("dynamic"), "{}", sig),
                }
                start = match (start, words) {
                    (Some(s), Some(w)) => Some(s + w),
                    _ => None,
                };
            }
            // Every static head word resolves back to a path with the same index.
            let head = head_layout(&inputs).unwrap();
            prop_assert_eq!(Some(head.static_words), start.or(Some(head.static_words)));
            for index in 0..head.static_words.min(64) {
                let (path, ty) = word_by_index(&inputs, index).unwrap();
                prop_assert_eq!(word_index(&inputs, &path), Ok((index, ty)), "{} {}", sig, path);
            }
            prop_assert!(word_by_index(&inputs, head.static_words).is_err());
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
