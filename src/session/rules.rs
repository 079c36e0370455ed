//! Creation-time rules for a [`SessionRequest`]: the `SessionKeyValidator.createSession` refusals
//! the wallet can check before asking for a passkey signature, the wallet's own rules, and the
//! warnings the user must see.
//!
//! Hard errors are [`Violation`]s (→ [`crate::Error::InvalidParams`], −32602 for the dapp);
//! [`Warning`]s are shown in the approval UI and never block on their own. The plain-language
//! descriptions of a session live in [`super::describe`].

use alloy_primitives::{Address, B256, U256};
use serde::{Deserialize, Serialize};

use super::request::START_TIME_SKEW;
use super::request::{CallPolicy, SessionRequest};
use super::selectors::{
    SAFE_TRANSFER_FROM, SAFE_TRANSFER_FROM_1155, SAFE_TRANSFER_FROM_DATA, TRANSFER, TRANSFER_FROM,
};
use super::spec::{ANY_RECIPIENT, Condition, LimitType, UsageLimit};
use super::stream::Stream;

pub use super::selectors::{APPROVE, INCREASE_ALLOWANCE, SET_APPROVAL_FOR_ALL};

/// The contract's minimum session duration: `expiresAt >= block.timestamp + 60`.
pub const MIN_DURATION: u64 = 60;
/// Sessions expiring later than this from now get a [`Warning::LongExpiry`].
pub const LONG_EXPIRY: u64 = 30 * 24 * 3600;

/// What the rules need to know about the account and the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Environment {
    /// The account the session is created on.
    pub account: Address,
    /// The chain the session is created on.
    pub chain_id: u64,
    /// Validators of the account, including the session validator itself.
    pub validators: Vec<Address>,
    /// Other modules installed on the account (executors, fallback handlers, hooks).
    pub modules: Vec<Address>,
    /// The EntryPoint.
    pub entry_point: Address,
    /// Current time (Unix seconds), ideally the latest block's timestamp.
    pub now: u64,
}

/// Where a limit sits in the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum LimitPlace {
    /// The fee limit.
    Fee,
    /// A transfer policy's value limit.
    TransferValue {
        /// Position in `transferPolicies`.
        policy: usize,
    },
    /// A call policy's value limit.
    CallValue {
        /// Position in `callPolicies`.
        policy: usize,
    },
    /// A constraint's limit.
    Constraint {
        /// Position in `callPolicies`.
        policy: usize,
        /// Position in its `constraints`.
        constraint: usize,
    },
}

impl std::fmt::Display for LimitPlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LimitPlace::Fee => f.write_str("feeLimit"),
            LimitPlace::TransferValue { policy } => write!(f, "transfers[{policy}].valueLimit"),
            LimitPlace::CallValue { policy } => write!(f, "contractCalls[{policy}].valueLimit"),
            LimitPlace::Constraint { policy, constraint } => {
                write!(f, "contractCalls[{policy}].constraints[{constraint}].limit")
            }
        }
    }
}

pub use crate::administration::BannedTarget;

/// A reason the wallet will not create the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "rule", rename_all = "camelCase")]
pub enum Violation {
    /// The request is for another chain.
    #[error("the request is for chain {requested}, but the wallet is on chain {current}")]
    WrongChain {
        /// Requested chain id.
        requested: u64,
        /// The wallet's chain id.
        current: u64,
    },
    /// The request names another account.
    #[error("the request is for account {requested}, but the wallet's account is {account}")]
    WrongAccount {
        /// Requested account.
        requested: Address,
        /// The wallet's account.
        account: Address,
    },
    /// The session allows nothing.
    #[error("the session has no contract calls and no transfers, so it could do nothing")]
    Empty,
    /// `feeLimit` is unlimited (contract: `UnlimitedFees`).
    #[error("feeLimit must not be unlimited; give a lifetime or allowance limit in wei")]
    UnlimitedFees,
    /// `expiresAt < now + 60` (contract: `SessionExpiresTooSoon`).
    #[error(
        "the session expires at {expires_at}, before the earliest allowed expiry {min_expires_at} (now + 60 s)"
    )]
    ExpiresTooSoon {
        /// Requested expiry.
        expires_at: u64,
        /// `now + 60`.
        min_expires_at: u64,
    },
    /// An allowance with period 0 (contract: `ZeroAllowancePeriod`).
    #[error("{place}: an allowance needs a period of at least 1 second")]
    ZeroAllowancePeriod {
        /// Which limit.
        place: LimitPlace,
    },
    /// A call policy targets the account, a validator, a module or the EntryPoint (contract:
    /// `CallPolicyTargetsAccount` / `…Validator` / `…Module`; the EntryPoint is the wallet's rule).
    #[error("contractCalls[{policy}]: a session may not call {target} ({what})")]
    BannedCallTarget {
        /// Position in `callPolicies`.
        policy: usize,
        /// The target.
        target: Address,
        /// What it is.
        what: BannedTarget,
    },
    /// A transfer policy sends value to the account, a validator, a module or the EntryPoint.
    #[error("transfers[{policy}]: a session may not send value to {target} ({what})")]
    BannedTransferTarget {
        /// Position in `transferPolicies`.
        policy: usize,
        /// The target.
        target: Address,
        /// What it is.
        what: BannedTarget,
    },
    /// A constraint points into or past dynamic data.
    #[error(
        "contractCalls[{policy}].constraints[{constraint}]: word {index} is not among the {static_words} static words before the first dynamic parameter of {function}"
    )]
    ConstraintNotStatic {
        /// Position in `callPolicies`.
        policy: usize,
        /// Position in its constraints.
        constraint: usize,
        /// The word index.
        index: u64,
        /// Static head words.
        static_words: u64,
        /// The function signature.
        function: String,
    },
    /// A condition the contract does not know.
    #[error("contractCalls[{policy}].constraints[{constraint}]: unknown condition")]
    UnknownCondition {
        /// Position in `callPolicies`.
        policy: usize,
        /// Position in its constraints.
        constraint: usize,
    },
    /// A limit type the contract does not know.
    #[error("{place}: unknown limit type")]
    UnknownLimitType {
        /// Which limit.
        place: LimitPlace,
    },
}

impl From<Violation> for crate::Error {
    fn from(violation: Violation) -> Self {
        crate::Error::InvalidParams(format!("session request: {violation}"))
    }
}

/// Something the user should know before approving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "warning", rename_all = "camelCase")]
pub enum Warning {
    /// The session may grant an unlimited token allowance.
    UnlimitedApproval {
        /// Position in `callPolicies`.
        policy: usize,
        /// The token contract.
        target: Address,
        /// Which function (`approve`, `increaseAllowance`, `setApprovalForAll`).
        function: String,
        /// Why it is unbounded.
        reason: String,
    },
    /// A token permission leaves who receives (or who may spend) or how much open.
    OpenTokenPermission {
        /// Position in `callPolicies`.
        policy: usize,
        /// The token contract.
        target: Address,
        /// The canonical signature.
        function: String,
        /// What is left open, in words (`any recipient`, `any amount`).
        open: Vec<String>,
    },
    /// The session lives long.
    LongExpiry {
        /// Expiry (Unix seconds).
        expires_at: u64,
        /// Whole days from now.
        days: u64,
    },
    /// A value limit is unlimited: the session may send any amount of ETH there.
    UnlimitedValue {
        /// Which limit.
        place: LimitPlace,
    },
    /// A call policy repeats an earlier one's target and selector; only the first is ever used.
    ShadowedCall {
        /// Position in `callPolicies`.
        policy: usize,
        /// The earlier policy that wins.
        first: usize,
    },
    /// A stream started before the request, so more than its initial amount is available at
    /// once.
    StreamStartedEarlier {
        /// Which limit.
        place: LimitPlace,
        /// The stream's start (Unix seconds).
        start: u64,
        /// What has accrued by the request (base units; wei for a value or fee limit).
        available: U256,
    },
    /// A transfer policy lets the session send ETH to any address.
    AnyRecipient {
        /// Position in `transferPolicies`.
        policy: usize,
    },
    /// A transfer policy repeats an earlier one's recipient (or comes after one for any
    /// recipient); only the first is ever used.
    ShadowedTransfer {
        /// Position in `transferPolicies`.
        policy: usize,
        /// The earlier policy that wins.
        first: usize,
    },
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::UnlimitedApproval {
                function,
                target,
                reason,
                ..
            } => write!(
                f,
                "Unlimited approval: the session may call {function} on {target} {reason}; whoever is approved could then take those tokens at any time, even after the session ends"
            ),
            Warning::OpenTokenPermission {
                function,
                target,
                open,
                ..
            } => write!(
                f,
                "Open token permission: the session may call {function} on {target} with {}",
                open.join(" and ")
            ),
            Warning::LongExpiry { days, .. } => write!(
                f,
                "Long-lived session: it stays valid for {days} days unless you revoke it"
            ),
            Warning::UnlimitedValue { place } => write!(
                f,
                "Unlimited ETH: {place} is unlimited, so the session may send any amount of ETH there"
            ),
            Warning::ShadowedCall { policy, first } => write!(
                f,
                "contractCalls[{policy}] repeats contractCalls[{first}] (same contract and function); only the first one is ever used"
            ),
            Warning::StreamStartedEarlier {
                place,
                start,
                available,
            } => {
                let amount = match place {
                    LimitPlace::Constraint { .. } => format!("{available} (base units)"),
                    _ => crate::units::format_ether(*available),
                };
                write!(
                    f,
                    "Stream started earlier: {place} streams from {}, before this request, so {amount} is available at once",
                    super::describe::format_utc(*start)
                )
            }
            Warning::AnyRecipient { .. } => f.write_str(
                "Open ETH permission: the session may send ETH to any address, within the limits shown",
            ),
            Warning::ShadowedTransfer { policy, first } => write!(
                f,
                "transfers[{policy}] comes after transfers[{first}], which covers the same recipient; only the first one is ever used"
            ),
        }
    }
}

fn limits(request: &SessionRequest) -> Vec<(LimitPlace, &UsageLimit)> {
    let mut out = vec![(LimitPlace::Fee, &request.fee_limit)];
    for (i, t) in request.transfer_policies.iter().enumerate() {
        out.push((LimitPlace::TransferValue { policy: i }, &t.valueLimit));
    }
    for (i, c) in request.call_policies.iter().enumerate() {
        out.push((LimitPlace::CallValue { policy: i }, &c.spec.valueLimit));
        for (j, k) in c.spec.constraints.iter().enumerate() {
            out.push((
                LimitPlace::Constraint {
                    policy: i,
                    constraint: j,
                },
                &k.limit,
            ));
        }
    }
    out
}

fn banned(env: &Environment, target: Address) -> Option<BannedTarget> {
    crate::administration::Protected {
        account: env.account,
        validators: env.validators.clone(),
        modules: env.modules.clone(),
        entry_point: env.entry_point,
    }
    .classify(target)
}

/// Every reason the wallet refuses the session, in a fixed order (empty: it may be created).
pub fn violations(request: &SessionRequest, env: &Environment) -> Vec<Violation> {
    let mut out = Vec::new();
    if let Some(requested) = request.meta.chain_id.filter(|c| *c != env.chain_id) {
        out.push(Violation::WrongChain {
            requested,
            current: env.chain_id,
        });
    }
    if let Some(requested) = request.meta.from.filter(|a| *a != env.account) {
        out.push(Violation::WrongAccount {
            requested,
            account: env.account,
        });
    }
    if request.call_policies.is_empty() && request.transfer_policies.is_empty() {
        out.push(Violation::Empty);
    }
    if request.fee_limit.limitType == LimitType::Unlimited {
        out.push(Violation::UnlimitedFees);
    }
    let min_expires_at = env.now.saturating_add(MIN_DURATION);
    if request.expires_at < min_expires_at {
        out.push(Violation::ExpiresTooSoon {
            expires_at: request.expires_at,
            min_expires_at,
        });
    }
    for (place, limit) in limits(request) {
        match limit.limitType {
            LimitType::Allowance if limit.period.is_zero() => {
                out.push(Violation::ZeroAllowancePeriod { place });
            }
            LimitType::Unlimited
            | LimitType::Lifetime
            | LimitType::Allowance
            | LimitType::Stream => {}
            _ => out.push(Violation::UnknownLimitType { place }),
        }
    }
    for (i, policy) in request.call_policies.iter().enumerate() {
        if let Some(what) = banned(env, policy.spec.target) {
            out.push(Violation::BannedCallTarget {
                policy: i,
                target: policy.spec.target,
                what,
            });
        }
        for (j, c) in policy.spec.constraints.iter().enumerate() {
            if c.index >= policy.static_words {
                out.push(Violation::ConstraintNotStatic {
                    policy: i,
                    constraint: j,
                    index: c.index,
                    static_words: policy.static_words,
                    function: policy.function.clone(),
                });
            }
            if !matches!(
                c.condition,
                Condition::Unconstrained
                    | Condition::Equal
                    | Condition::Greater
                    | Condition::Less
                    | Condition::GreaterOrEqual
                    | Condition::LessOrEqual
                    | Condition::NotEqual
            ) {
                out.push(Violation::UnknownCondition {
                    policy: i,
                    constraint: j,
                });
            }
        }
    }
    for (i, policy) in request.transfer_policies.iter().enumerate() {
        if let Some(what) = banned(env, policy.target) {
            out.push(Violation::BannedTransferTarget {
                policy: i,
                target: policy.target,
                what,
            });
        }
    }
    out
}

/// Checks a request: the first [`Violation`] (in the order of [`violations`]), or the warnings.
pub fn validate(request: &SessionRequest, env: &Environment) -> Result<Vec<Warning>, Violation> {
    match violations(request, env).into_iter().next() {
        Some(v) => Err(v),
        None => Ok(warnings(request, env.now)),
    }
}

const HALF: U256 = U256::from_limbs([0, 0, 0, 1 << 63]);

/// The largest value the word of constraint-set `policy` at `index` can take per call, as far as
/// the constraints bound it (`None`: unbounded).
fn per_call_cap(policy: &CallPolicy, index: u64) -> Option<U256> {
    let mut cap: Option<U256> = None;
    let mut tighten = |v: U256| cap = Some(cap.map_or(v, |c| c.min(v)));
    for c in policy.spec.constraints.iter().filter(|c| c.index == index) {
        let r = U256::from_be_bytes(c.refValue.0);
        match c.condition {
            Condition::Equal | Condition::LessOrEqual => tighten(r),
            Condition::Less => tighten(r.saturating_sub(U256::from(1))),
            _ => {}
        }
        match (c.limit.limitType, Stream::of(&c.limit)) {
            (LimitType::Lifetime | LimitType::Allowance, _) => tighten(c.limit.limit),
            (_, Some(Stream { cap: Some(cap), .. })) => tighten(cap),
            _ => {}
        }
    }
    cap
}

/// The largest total the word at `index` can sum to by `expires_at` (lifetime limits, and
/// streams: what accrues by then).
fn total_cap(policy: &CallPolicy, index: u64, expires_at: u64) -> Option<U256> {
    policy
        .spec
        .constraints
        .iter()
        .filter(|c| c.index == index)
        .filter_map(|c| match (c.limit.limitType, Stream::of(&c.limit)) {
            (LimitType::Lifetime, _) => Some(c.limit.limit),
            (_, Some(stream)) => Some(stream.available(expires_at)),
            _ => None,
        })
        .min()
}

fn approval_warning(i: usize, policy: &CallPolicy, expires_at: u64) -> Option<Warning> {
    let selector: [u8; 4] = policy.spec.selector.0;
    let warn = |function: &str, reason: String| {
        Some(Warning::UnlimitedApproval {
            policy: i,
            target: policy.spec.target,
            function: function.to_owned(),
            reason,
        })
    };
    match selector {
        APPROVE => match per_call_cap(policy, 1) {
            None => warn(
                "approve(address,uint256)",
                "with no cap on the amount".to_owned(),
            ),
            Some(cap) if cap >= HALF => warn(
                "approve(address,uint256)",
                format!("with an amount up to {cap} (≥ 2^255, treated as unlimited by tokens)"),
            ),
            Some(_) => None,
        },
        INCREASE_ALLOWANCE => match total_cap(policy, 1, expires_at) {
            None => warn(
                "increaseAllowance(address,uint256)",
                "with no lifetime limit on the total increase (repeated calls add up)".to_owned(),
            ),
            Some(cap) if cap >= HALF => warn(
                "increaseAllowance(address,uint256)",
                format!("adding up to {cap} in total (≥ 2^255)"),
            ),
            Some(_) => None,
        },
        SET_APPROVAL_FOR_ALL => {
            let only_false = policy.spec.constraints.iter().any(|c| {
                c.index == 1
                    && ((c.condition == Condition::Equal && c.refValue == B256::ZERO)
                        || (c.condition == Condition::Less
                            && c.refValue == B256::with_last_byte(1)))
            });
            (!only_false).then(|| Warning::UnlimitedApproval {
                policy: i,
                target: policy.spec.target,
                function: "setApprovalForAll(address,bool)".to_owned(),
                reason: "with `approved` = true (every token of the collection)".to_owned(),
            })
        }
        _ => None,
    }
}

/// Whether word `index` of `policy` is pinned to one value (an `equal` constraint).
fn pinned(policy: &CallPolicy, index: u64) -> bool {
    policy
        .spec
        .constraints
        .iter()
        .any(|c| c.index == index && c.condition == Condition::Equal)
}

/// Token calls whose recipient (or spender, or operator) or amount the session leaves open:
/// `transfer`, `transferFrom` and the ERC-721 / ERC-1155 `safeTransferFrom`s without a pinned
/// recipient or (fungible ones) a bounded amount; `approve`, `increaseAllowance` and
/// `setApprovalForAll` without a pinned spender or operator (their amounts have
/// [`approval_warning`]).
fn open_token_warning(i: usize, policy: &CallPolicy, expires_at: u64) -> Option<Warning> {
    let (function, party, party_word, amount_word) = match policy.spec.selector.0 {
        TRANSFER => ("transfer(address,uint256)", "any recipient", 0, Some(1)),
        TRANSFER_FROM => (
            "transferFrom(address,address,uint256)",
            "any recipient",
            1,
            Some(2),
        ),
        SAFE_TRANSFER_FROM => (
            "safeTransferFrom(address,address,uint256)",
            "any recipient",
            1,
            None,
        ),
        SAFE_TRANSFER_FROM_DATA => (
            "safeTransferFrom(address,address,uint256,bytes)",
            "any recipient",
            1,
            None,
        ),
        SAFE_TRANSFER_FROM_1155 => (
            "safeTransferFrom(address,address,uint256,uint256,bytes)",
            "any recipient",
            1,
            Some(3),
        ),
        APPROVE => ("approve(address,uint256)", "any spender", 0, None),
        INCREASE_ALLOWANCE => ("increaseAllowance(address,uint256)", "any spender", 0, None),
        SET_APPROVAL_FOR_ALL => ("setApprovalForAll(address,bool)", "any operator", 0, None),
        _ => return None,
    };
    let mut open = Vec::new();
    if !pinned(policy, party_word) {
        open.push(party.to_owned());
    }
    if let Some(word) = amount_word
        && per_call_cap(policy, word).is_none()
        && total_cap(policy, word, expires_at).is_none()
    {
        open.push("any amount".to_owned());
    }
    (!open.is_empty()).then(|| Warning::OpenTokenPermission {
        policy: i,
        target: policy.spec.target,
        function: function.to_owned(),
        open,
    })
}

/// The warnings the user sees before approving.
pub fn warnings(request: &SessionRequest, now: u64) -> Vec<Warning> {
    let mut out = Vec::new();
    for (i, policy) in request.call_policies.iter().enumerate() {
        out.extend(approval_warning(i, policy, request.expires_at));
        out.extend(open_token_warning(i, policy, request.expires_at));
    }
    if request.expires_at > now.saturating_add(LONG_EXPIRY) {
        out.push(Warning::LongExpiry {
            expires_at: request.expires_at,
            days: (request.expires_at - now) / 86_400,
        });
    }
    for (place, limit) in limits(request) {
        if let Some(stream) = Stream::of(limit)
            && stream.start.saturating_add(START_TIME_SKEW) < now
        {
            out.push(Warning::StreamStartedEarlier {
                place,
                start: stream.start,
                available: stream.available(now),
            });
        }
    }
    for (i, t) in request.transfer_policies.iter().enumerate() {
        if t.target == ANY_RECIPIENT {
            out.push(Warning::AnyRecipient { policy: i });
        }
        if t.valueLimit.limitType == LimitType::Unlimited {
            out.push(Warning::UnlimitedValue {
                place: LimitPlace::TransferValue { policy: i },
            });
        }
        if let Some(first) = request.transfer_policies[..i]
            .iter()
            .position(|p| p.target == t.target || p.target == ANY_RECIPIENT)
        {
            out.push(Warning::ShadowedTransfer { policy: i, first });
        }
    }
    for (i, c) in request.call_policies.iter().enumerate() {
        if c.spec.valueLimit.limitType == LimitType::Unlimited {
            out.push(Warning::UnlimitedValue {
                place: LimitPlace::CallValue { policy: i },
            });
        }
        if let Some(first) = request.call_policies[..i]
            .iter()
            .position(|p| p.spec.target == c.spec.target && p.spec.selector == c.spec.selector)
        {
            out.push(Warning::ShadowedCall { policy: i, first });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::request::parse_compact;
    use alloy_primitives::aliases::U48;
    use serde_json::{Value, json};

    const NOW: u64 = 1_800_000_000;
    const TOKEN: &str = "0x00000000000000000000000000000000000000aa";
    const ALICE: &str = "0x00000000000000000000000000000000000000bb";

    fn env() -> Environment {
        Environment {
            account: Address::repeat_byte(0xac),
            chain_id: 1,
            validators: vec![Address::repeat_byte(0x5e), Address::repeat_byte(0x7a)],
            modules: vec![Address::repeat_byte(0x30)],
            entry_point: Address::repeat_byte(0x43),
            now: NOW,
        }
    }

    fn request(extra: Value) -> SessionRequest {
        let mut v = json!({ "expiresAt": NOW + 3600, "feeLimit": "1000",
                            "transfers": [{ "to": ALICE, "valueLimit": "100" }] });
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        parse_compact(&v, NOW).unwrap()
    }

    fn call(address: &str, function: &str, constraints: Value) -> Value {
        json!({ "contractCalls": [{ "address": address, "function": function, "constraints": constraints }] })
    }

    #[test]
    fn accepts_a_sound_session_without_warnings() {
        let r = request(call(
            TOKEN,
            "transfer(address to, uint256 amount)",
            json!([{ "param": "to", "value": ALICE }, { "param": "amount", "condition": "lessOrEqual", "value": "5" }]),
        ));
        assert_eq!(validate(&r, &env()), Ok(vec![]));
    }

    #[test]
    fn contract_and_wallet_refusals() {
        let hex = |a: Address| a.to_string();
        let e = env();
        type Edit = Box<dyn Fn(&mut SessionRequest)>;
        fn ed(f: impl Fn(&mut SessionRequest) + 'static) -> Edit {
            Box::new(f)
        }
        let cases: Vec<(SessionRequest, Edit, Violation)> = vec![
            (
                request(json!({})),
                ed(|r| {
                    r.fee_limit = UsageLimit {
                        limitType: LimitType::Unlimited,
                        limit: U256::ZERO,
                        period: U48::ZERO,
                    }
                }),
                Violation::UnlimitedFees,
            ),
            (
                request(json!({})),
                ed(|r| r.expires_at = NOW + 59),
                Violation::ExpiresTooSoon {
                    expires_at: NOW + 59,
                    min_expires_at: NOW + 60,
                },
            ),
            (
                request(json!({})),
                ed(|r| {
                    r.fee_limit = UsageLimit {
                        limitType: LimitType::Allowance,
                        limit: U256::from(1),
                        period: U48::ZERO,
                    }
                }),
                Violation::ZeroAllowancePeriod {
                    place: LimitPlace::Fee,
                },
            ),
            (
                request(
                    json!({"transfers": [{ "to": ALICE, "valueLimit": {"type": "allowance", "limit": 1, "period": 0} }]}),
                ),
                ed(|_| {}),
                Violation::ZeroAllowancePeriod {
                    place: LimitPlace::TransferValue { policy: 0 },
                },
            ),
            (
                request(call(
                    TOKEN,
                    "f(uint256 x)",
                    json!([{ "param": "x", "limit": {"type": "allowance", "limit": 1, "period": 0} }]),
                )),
                ed(|_| {}),
                Violation::ZeroAllowancePeriod {
                    place: LimitPlace::Constraint {
                        policy: 0,
                        constraint: 0,
                    },
                },
            ),
            (
                request(call(&hex(e.account), "f()", json!([]))),
                ed(|_| {}),
                Violation::BannedCallTarget {
                    policy: 0,
                    target: e.account,
                    what: BannedTarget::Account,
                },
            ),
            (
                request(call(&hex(e.validators[1]), "f()", json!([]))),
                ed(|_| {}),
                Violation::BannedCallTarget {
                    policy: 0,
                    target: e.validators[1],
                    what: BannedTarget::Validator,
                },
            ),
            (
                request(call(&hex(e.modules[0]), "f()", json!([]))),
                ed(|_| {}),
                Violation::BannedCallTarget {
                    policy: 0,
                    target: e.modules[0],
                    what: BannedTarget::Module,
                },
            ),
            (
                request(call(&hex(e.entry_point), "f()", json!([]))),
                ed(|_| {}),
                Violation::BannedCallTarget {
                    policy: 0,
                    target: e.entry_point,
                    what: BannedTarget::EntryPoint,
                },
            ),
            (
                request(json!({"transfers": [{ "to": hex(e.account), "valueLimit": 1 }]})),
                ed(|_| {}),
                Violation::BannedTransferTarget {
                    policy: 0,
                    target: e.account,
                    what: BannedTarget::Account,
                },
            ),
            (
                request(json!({"transfers": []})),
                ed(|_| {}),
                Violation::Empty,
            ),
            (
                request(json!({})),
                ed(|r| r.meta.chain_id = Some(10)),
                Violation::WrongChain {
                    requested: 10,
                    current: 1,
                },
            ),
            (
                request(json!({})),
                ed(|r| r.meta.from = Some(Address::repeat_byte(1))),
                Violation::WrongAccount {
                    requested: Address::repeat_byte(1),
                    account: Address::repeat_byte(0xac),
                },
            ),
            (
                request(call(
                    TOKEN,
                    "f(uint256 x, bytes d)",
                    json!([{ "param": "x", "value": 1 }]),
                )),
                ed(|r| r.call_policies[0].spec.constraints[0].index = 1),
                Violation::ConstraintNotStatic {
                    policy: 0,
                    constraint: 0,
                    index: 1,
                    static_words: 1,
                    function: "f(uint256,bytes)".into(),
                },
            ),
        ];
        for (mut r, edit, want) in cases {
            edit(&mut r);
            assert_eq!(validate(&r, &e), Err(want.clone()), "{want}");
            assert!(violations(&r, &e).contains(&want));
            let err: crate::Error = want.into();
            assert!(matches!(err, crate::Error::InvalidParams(_)));
        }
        // `now + 60` exactly is accepted, as on chain.
        let mut r = request(json!({}));
        r.expires_at = NOW + 60;
        assert!(validate(&r, &e).is_ok());
        // Several violations are all reported by `violations`.
        r.expires_at = 0;
        r.fee_limit.limitType = LimitType::Unlimited;
        assert_eq!(violations(&r, &e).len(), 2);
    }

    #[test]
    fn unlimited_approval_warnings() {
        let approve = "approve(address spender, uint256 amount)";
        let big = "57896044618658097711785492504343953926634992332820282019728792003956564819968"; // 2^255
        let cases: Vec<(Value, bool)> = vec![
            (call(TOKEN, approve, json!([])), true),
            (
                call(
                    TOKEN,
                    approve,
                    json!([{ "param": "spender", "value": ALICE }]),
                ),
                true,
            ),
            (
                call(
                    TOKEN,
                    approve,
                    json!([{ "param": "amount", "condition": "lessOrEqual", "value": 1000 }]),
                ),
                false,
            ),
            (
                call(
                    TOKEN,
                    approve,
                    json!([{ "param": "amount", "condition": "less", "value": 1 }]),
                ),
                false,
            ),
            (
                call(TOKEN, approve, json!([{ "param": "amount", "value": 5 }])),
                false,
            ),
            (
                call(TOKEN, approve, json!([{ "param": "amount", "limit": 100 }])),
                false,
            ),
            (
                call(
                    TOKEN,
                    approve,
                    json!([{ "param": "amount", "condition": "lessOrEqual", "value": big }]),
                ),
                true,
            ),
            (
                call(
                    TOKEN,
                    approve,
                    json!([{ "param": "amount", "condition": "greater", "value": 5 }]),
                ),
                true,
            ),
            (
                call(
                    TOKEN,
                    "increaseAllowance(address spender, uint256 added)",
                    json!([{ "param": "added", "condition": "less", "value": 5 }]),
                ),
                true,
            ),
            (
                call(
                    TOKEN,
                    "increaseAllowance(address spender, uint256 added)",
                    json!([{ "param": "added", "limit": 500 }]),
                ),
                false,
            ),
            (
                call(
                    TOKEN,
                    "increaseAllowance(address spender, uint256 added)",
                    json!([{ "param": "added", "limit": {"type": "allowance", "limit": 5, "period": 60} }]),
                ),
                true,
            ),
            (
                call(
                    TOKEN,
                    "setApprovalForAll(address operator, bool approved)",
                    json!([]),
                ),
                true,
            ),
            (
                call(
                    TOKEN,
                    "setApprovalForAll(address operator, bool approved)",
                    json!([{ "param": "approved", "value": true }]),
                ),
                true,
            ),
            (
                call(
                    TOKEN,
                    "setApprovalForAll(address operator, bool approved)",
                    json!([{ "param": "approved", "value": false }]),
                ),
                false,
            ),
            (
                call(TOKEN, "transfer(address to, uint256 amount)", json!([])),
                false,
            ),
        ];
        for (input, warned) in cases {
            let r = request(input.clone());
            let w = validate(&r, &env()).unwrap();
            let got = w
                .iter()
                .any(|w| matches!(w, Warning::UnlimitedApproval { .. }));
            assert_eq!(got, warned, "{input} → {w:?}");
        }
        let w = warnings(&request(call(TOKEN, approve, json!([]))), NOW);
        assert!(w[0].to_string().starts_with("Unlimited approval: the session may call approve(address,uint256) on 0x00000000000000000000000000000000000000AA with no cap on the amount"), "{}", w[0]);
    }

    #[test]
    fn open_token_permissions_are_named() {
        let open = |input: Value| -> Vec<String> {
            let w = validate(&request(input), &env()).unwrap();
            w.iter()
                .filter_map(|w| match w {
                    Warning::OpenTokenPermission { open, .. } => Some(open.join(" and ")),
                    _ => None,
                })
                .collect()
        };
        let transfer = "transfer(address to, uint256 amount)";
        assert_eq!(
            open(call(TOKEN, transfer, json!([]))),
            ["any recipient and any amount"]
        );
        assert_eq!(
            open(call(
                TOKEN,
                transfer,
                json!([{ "param": "to", "value": ALICE }])
            )),
            ["any amount"]
        );
        // A recipient that may be anything but one address is still any recipient.
        assert_eq!(
            open(call(
                TOKEN,
                transfer,
                json!([{ "param": "to", "condition": "notEqual", "value": ALICE },
                       { "param": "amount", "limit": 100 }])
            )),
            ["any recipient"]
        );
        assert!(
            open(call(
                TOKEN,
                transfer,
                json!([{ "param": "to", "value": ALICE }, { "param": "amount", "limit": 100 }])
            ))
            .is_empty()
        );
        let transfer_from = "transferFrom(address from, address to, uint256 amount)";
        assert_eq!(
            open(call(
                TOKEN,
                transfer_from,
                json!([{ "param": "from", "value": ALICE }])
            )),
            ["any recipient and any amount"]
        );
        assert_eq!(
            open(call(
                TOKEN,
                "approve(address spender, uint256 amount)",
                json!([{ "param": "amount", "value": 5 }])
            )),
            ["any spender"]
        );
        // A periodic cap bounds the amount too.
        assert!(
            open(call(
                TOKEN,
                transfer,
                json!([{ "param": "to", "value": ALICE },
                       { "param": "amount", "limit": {"type": "allowance", "limit": 5, "period": 60} }])
            ))
            .is_empty()
        );
        // NFTs and operators.
        assert_eq!(
            open(call(
                TOKEN,
                "safeTransferFrom(address from, address to, uint256 tokenId)",
                json!([])
            )),
            ["any recipient"]
        );
        assert_eq!(
            open(call(
                TOKEN,
                "safeTransferFrom(address from, address to, uint256 id, uint256 amount, bytes data)",
                json!([{ "param": "to", "value": ALICE }])
            )),
            ["any amount"]
        );
        assert_eq!(
            open(call(
                TOKEN,
                "setApprovalForAll(address operator, bool approved)",
                json!([{ "param": "approved", "value": false }])
            )),
            ["any operator"]
        );
        let w = warnings(&request(call(TOKEN, transfer, json!([]))), NOW);
        assert_eq!(
            w[0].to_string(),
            "Open token permission: the session may call transfer(address,uint256) on 0x00000000000000000000000000000000000000AA with any recipient and any amount"
        );
    }

    #[test]
    fn any_recipient_and_streams_are_warned_about_as_such() {
        let stream = json!({ "type": "stream", "perSecond": "1", "start": NOW });
        let mut r = request(json!({}));
        r.transfer_policies[0].target = ANY_RECIPIENT;
        r.transfer_policies.push(r.transfer_policies[0].clone());
        r.transfer_policies[1].target = Address::repeat_byte(0xb0);
        assert_eq!(
            validate(&r, &env()),
            Ok(vec![
                Warning::AnyRecipient { policy: 0 },
                Warning::ShadowedTransfer {
                    policy: 1,
                    first: 0
                },
            ])
        );
        // A stream that started a day ago: what has accrued is available at once, and said so.
        let mut early = request(json!({}));
        early.transfer_policies[0].valueLimit = Stream {
            initial: U256::ZERO,
            per_second: U256::from(10u64.pow(12)),
            cap: None,
            start: NOW - 86_400,
        }
        .limit()
        .unwrap();
        assert_eq!(
            warnings(&early, NOW)[0].to_string(),
            "Stream started earlier: transfers[0].valueLimit streams from 2027-01-14 08:00:00 UTC, before this request, so 0.0864 ETH is available at once"
        );
        early.transfer_policies[0].valueLimit.period = U48::from(NOW - 300);
        assert_eq!(warnings(&early, NOW), vec![], "within the skew");
        // A streamed amount is bounded by what accrues by the expiry: no "any amount".
        let transfer = "transfer(address to, uint256 amount)";
        let w = warnings(
            &request(call(
                TOKEN,
                transfer,
                json!([{ "param": "amount", "limit": stream }]),
            )),
            NOW,
        );
        assert_eq!(
            w[0].to_string(),
            "Open token permission: the session may call transfer(address,uint256) on 0x00000000000000000000000000000000000000AA with any recipient"
        );
    }

    #[test]
    fn the_zero_address_is_no_target() {
        let zero = "0x0000000000000000000000000000000000000000";
        let r = request(call(zero, "ping()", json!([])));
        assert_eq!(
            validate(&r, &env()),
            Err(Violation::BannedCallTarget {
                policy: 0,
                target: Address::ZERO,
                what: BannedTarget::Zero
            })
        );
        let mut r = request(json!({}));
        r.transfer_policies[0].target = Address::ZERO;
        assert!(matches!(
            validate(&r, &env()),
            Err(Violation::BannedTransferTarget {
                what: BannedTarget::Zero,
                ..
            })
        ));
    }

    #[test]
    fn other_warnings() {
        let mut r = request(json!({}));
        r.expires_at = NOW + LONG_EXPIRY;
        assert_eq!(warnings(&r, NOW), vec![]);
        r.expires_at = NOW + LONG_EXPIRY + 1;
        assert_eq!(
            warnings(&r, NOW),
            vec![Warning::LongExpiry {
                expires_at: r.expires_at,
                days: 30
            }]
        );
        let r = request(
            json!({ "transfers": [{ "to": ALICE, "valueLimit": "unlimited" }, { "to": ALICE, "valueLimit": 1 }],
                                "contractCalls": [{ "address": TOKEN, "function": "f()", "valueLimit": "unlimited" },
                                                  { "address": TOKEN, "function": "f()" }] }),
        );
        assert_eq!(
            warnings(&r, NOW),
            vec![
                Warning::UnlimitedValue {
                    place: LimitPlace::TransferValue { policy: 0 }
                },
                Warning::ShadowedTransfer {
                    policy: 1,
                    first: 0
                },
                Warning::UnlimitedValue {
                    place: LimitPlace::CallValue { policy: 0 }
                },
                Warning::ShadowedCall {
                    policy: 1,
                    first: 0
                },
            ]
        );
    }
}
