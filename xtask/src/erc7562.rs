//! ERC-7562 validation-scope rules, checked the way a public bundler checks them: the
//! operation's `handleOps` is traced on the node (`debug_traceCall` with the JavaScript
//! collector in `erc7562_tracer.js`) and what its validation phases did is held against the
//! rules. The devnet's bundler endpoint (`bundler.rs`) refuses operations that break them, so
//! every operation the wallet sends in the tests is checked. Rules (by ERC-7562 number):
//!
//! - OP-011 / OP-080: banned opcodes (environment, CREATE, SELFDESTRUCT, INVALID; BALANCE and
//!   SELFBALANCE unless the phase's entity is staked); OP-012: GAS only right before a call.
//! - OP-031: CREATE2 once, in the factory phase only.
//! - OP-041 / OP-042: no call or code access to an address without code (the sender excepted);
//!   OP-062: precompiles 0x01–0x09 and, on a chain that has it, P256VERIFY at 0x100 (EIP-7951 /
//!   RIP-7212); where it is missing, 0x100 is an address without code (OP-041).
//! - OP-051..054: the EntryPoint only through `depositTo` or its fallback (value), and
//!   EXTCODESIZE; OP-061: no call with value to anything else.
//! - STO-010 / 021 / 022 / 031 / 032 / 033: the account's own storage; storage associated with
//!   the account (slot `A` or `keccak(A ‖ x) + n`, n ≤ 128) if it exists or the factory is
//!   staked; a staked entity's own and associated storage, and read-only anything.
//!
//! The paymaster phase (a sponsored operation) is held to the same rules, with the paymaster as
//! its entity (staked: its own storage, BALANCE). Not covered (one operation at a time, no
//! aggregator): reputation, the mempool's same-sender and paymaster-deposit limits, a
//! paymaster's `context` rules for unstaked paymasters (STO-033's context part), OP-020.

use std::collections::HashMap;

use alloy_primitives::{Address, Bytes, U256, keccak256};
use serde::Deserialize;

/// The JavaScript tracer that collects what the rules need.
pub const TRACER: &str = include_str!("erc7562_tracer.js");

/// The least stake (wei) and unstake delay (s) a staked entity has (the devnet's `MIN_STAKE_VALUE`).
pub const MIN_STAKE: u128 = 1_000_000_000_000_000_000;
/// ERC-7562 `MIN_UNSTAKE_DELAY`.
pub const MIN_UNSTAKE_DELAY: u32 = 86_400;

/// A validation phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// The factory deploying the account (`SenderCreator.createSender`).
    Factory,
    /// The account's `validateUserOp`.
    Account,
    /// A paymaster's `validatePaymasterUserOp`.
    Paymaster,
}

/// One thing a validation phase did, as the tracer reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Event {
    /// SLOAD / SSTORE / TLOAD / TSTORE.
    Storage {
        /// The phase.
        phase: Phase,
        /// The opcode.
        op: String,
        /// Whose storage.
        address: Address,
        /// The slot.
        slot: U256,
    },
    /// A call of any kind.
    Call {
        /// The phase.
        phase: Phase,
        /// The opcode.
        op: String,
        /// The caller.
        address: Address,
        /// The callee (a stack word).
        target: U256,
        /// Value sent.
        value: U256,
        /// The call data's first 36 bytes at most: the selector and the first argument.
        input: Bytes,
    },
    /// EXTCODESIZE / EXTCODEHASH / EXTCODECOPY.
    Code {
        /// The phase.
        phase: Phase,
        /// The opcode.
        op: String,
        /// The contract asking.
        address: Address,
        /// Whose code (a stack word).
        target: U256,
    },
    /// CREATE2.
    Create2 {
        /// The phase.
        phase: Phase,
        /// The creating contract.
        address: Address,
        /// What it created.
        target: Address,
    },
    /// A restricted opcode.
    Opcode {
        /// The phase.
        phase: Phase,
        /// The opcode.
        op: String,
        /// Where it ran.
        address: Address,
    },
}

/// What the tracer returns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Trace {
    /// What the validation phases did, in order.
    pub events: Vec<Event>,
    /// Inputs of every KECCAK256 of 32 to 512 bytes (any phase).
    pub keccak: Vec<Bytes>,
}

/// What the rules need to know besides the trace.
#[derive(Debug, Clone)]
pub struct Context {
    /// The EntryPoint.
    pub entry_point: Address,
    /// The account.
    pub sender: Address,
    /// The factory, when the operation deploys the account.
    pub factory: Option<Address>,
    /// Whether the factory is staked (at least [`MIN_STAKE`], [`MIN_UNSTAKE_DELAY`]).
    pub factory_staked: bool,
    /// The paymaster, when one pays.
    pub paymaster: Option<Address>,
    /// Whether the paymaster is staked.
    pub paymaster_staked: bool,
    /// Whether the chain has the P256VERIFY precompile at 0x100.
    pub p256_precompile: bool,
}

/// `keccak(A ‖ x)` bases per address `A`, from the hashed preimages.
fn association_bases(keccak: &[Bytes]) -> HashMap<Address, Vec<U256>> {
    let mut bases: HashMap<Address, Vec<U256>> = HashMap::new();
    for preimage in keccak.iter().filter(|p| p.len() >= 32) {
        if preimage[..12].iter().all(|b| *b == 0) {
            let address = Address::from_slice(&preimage[12..32]);
            bases
                .entry(address)
                .or_default()
                .push(U256::from_be_bytes(keccak256(preimage).0));
        }
    }
    bases
}

fn is_associated(bases: &HashMap<Address, Vec<U256>>, slot: U256, with: Address) -> bool {
    slot == U256::from_be_slice(with.as_slice())
        || bases.get(&with).is_some_and(|list| {
            list.iter()
                .any(|base| slot >= *base && slot - *base <= U256::from(128))
        })
}

fn to_address(word: U256) -> Address {
    Address::from_word(word.into())
}

/// Precompiles validation may call (OP-062): 0x01–0x09, and P256VERIFY at 0x100 where the
/// chain has it (`None` where it does not: an address without code, judged by OP-041).
fn allowed_precompile(target: Address, p256_precompile: bool) -> Option<bool> {
    let n = U256::from_be_slice(target.as_slice());
    if n == U256::from(0x100) {
        return p256_precompile.then_some(true);
    }
    if n > U256::from(0x400) {
        return None; // not in the precompile range
    }
    Some((U256::from(1)..=U256::from(9)).contains(&n))
}

/// `depositTo(address)`.
const DEPOSIT_TO: [u8; 4] = [0xb7, 0x60, 0xfa, 0xf9];

/// OP-011's banned opcodes (as the node names them), and OP-080's balance reads.
const BANNED: &[&str] = &[
    "ORIGIN",
    "GASPRICE",
    "BLOCKHASH",
    "COINBASE",
    "TIMESTAMP",
    "NUMBER",
    "DIFFICULTY",
    "PREVRANDAO",
    "RANDOM",
    "GASLIMIT",
    "BASEFEE",
    "BLOBHASH",
    "BLOBBASEFEE",
    "CREATE",
    "INVALID",
    "SELFDESTRUCT",
    "BALANCE",
    "SELFBALANCE",
];

/// Every rule the traced validation breaks, in words (empty: it passes). `has_code` says
/// whether an address had code before the operation.
pub fn violations(trace: &Trace, ctx: &Context, has_code: &dyn Fn(Address) -> bool) -> Vec<String> {
    let bases = association_bases(&trace.keccak);
    let entity = |phase: Phase| match phase {
        Phase::Factory => ctx.factory,
        Phase::Account => Some(ctx.sender),
        Phase::Paymaster => ctx.paymaster,
    };
    let staked = |phase: Phase| match phase {
        Phase::Factory => ctx.factory_staked,
        Phase::Paymaster => ctx.paymaster_staked,
        Phase::Account => false,
    };
    let mut out = Vec::new();
    let mut created = 0;
    for event in &trace.events {
        match event {
            Event::Opcode { phase, op, address } => {
                let rule = match op.as_str() {
                    "GAS" => Some("OP-012: GAS not followed by a call"),
                    "BALANCE" | "SELFBALANCE" if staked(*phase) => None,
                    "BALANCE" | "SELFBALANCE" => Some("OP-080: balance read by an unstaked entity"),
                    name if BANNED.contains(&name) => Some("OP-011: banned opcode"),
                    _ => Some("OP-013: unassigned opcode"),
                };
                if let Some(rule) = rule {
                    out.push(format!("{rule} {op} in {address} ({phase:?} phase)"));
                }
            }
            Event::Create2 {
                phase,
                address,
                target,
            } => {
                created += 1;
                if *phase != Phase::Factory || created > 1 || *target != ctx.sender {
                    out.push(format!(
                        "OP-031: CREATE2 of {target} by {address} ({phase:?} phase; only once, by the factory, of the sender)"
                    ));
                }
            }
            Event::Storage {
                phase,
                op,
                address,
                slot,
            } => {
                if *address == ctx.entry_point || *address == ctx.sender {
                    continue; // the EntryPoint's own bookkeeping; STO-010
                }
                let read = op == "SLOAD" || op == "TLOAD";
                let allowed = if is_associated(&bases, *slot, ctx.sender) {
                    // STO-021 / STO-022.
                    ctx.factory.is_none() || ctx.factory_staked
                } else if staked(*phase) {
                    let entity = entity(*phase).unwrap_or_default();
                    // STO-031 / STO-032 / STO-033.
                    *address == entity || is_associated(&bases, *slot, entity) || read
                } else {
                    false
                };
                if !allowed {
                    let why = if is_associated(&bases, *slot, ctx.sender) {
                        "storage associated with the account, while it is deployed by an unstaked factory (STO-022)"
                    } else {
                        "storage not associated with the account (STO-021)"
                    };
                    out.push(format!(
                        "{op} of slot {slot:#x} in {address} ({phase:?} phase): {why}"
                    ));
                }
            }
            Event::Call {
                phase,
                op,
                address,
                target,
                value,
                input,
            } => {
                let target = to_address(*target);
                if target == ctx.entry_point {
                    // OP-052: `depositTo(sender)` from the sender or the factory; OP-053: the
                    // fallback (a plain value call) from the sender.
                    let from_entity = *address == ctx.sender || Some(*address) == ctx.factory;
                    let deposit = op == "CALL"
                        && from_entity
                        && input.len() == 36
                        && input[..4] == DEPOSIT_TO
                        && input[4..16].iter().all(|b| *b == 0)
                        && input[16..36] == ctx.sender[..];
                    let fallback = op == "CALL" && input.is_empty() && *address == ctx.sender;
                    if !deposit && !fallback {
                        out.push(format!(
                            "OP-054: {op} of the EntryPoint (input {input}) by {address} ({phase:?} phase)"
                        ));
                    }
                    continue;
                }
                if !value.is_zero() {
                    out.push(format!(
                        "OP-061: {op} with value {value} to {target} by {address} ({phase:?} phase)"
                    ));
                }
                match allowed_precompile(target, ctx.p256_precompile) {
                    Some(true) => {}
                    Some(false) => out.push(format!(
                        "OP-062: {op} of precompile {target} by {address} ({phase:?} phase)"
                    )),
                    None if target != ctx.sender && !has_code(target) => out.push(format!(
                        "OP-041: {op} of {target}, which has no code, by {address} ({phase:?} phase)"
                    )),
                    None => {}
                }
            }
            Event::Code {
                phase,
                op,
                address,
                target,
            } => {
                let target = to_address(*target);
                if target == ctx.entry_point {
                    if op != "EXTCODESIZE" {
                        out.push(format!(
                            "OP-054: {op} of the EntryPoint by {address} ({phase:?} phase)"
                        ));
                    }
                } else if target != ctx.sender && !has_code(target) {
                    out.push(format!(
                        "OP-041: {op} of {target}, which has no code, by {address} ({phase:?} phase)"
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, hex};

    const EP: Address = address!("4337084D9E255Ff0702461CF8895CE9E3b5Ff108");
    const SENDER: Address = address!("acacacacacacacacacacacacacacacacacacacac");
    const FACTORY: Address = address!("fafafafafafafafafafafafafafafafafafafafa");
    const VALIDATOR: Address = address!("7777777777777777777777777777777777777777");

    fn ctx(deploying: bool, staked: bool) -> Context {
        Context {
            entry_point: EP,
            sender: SENDER,
            factory: deploying.then_some(FACTORY),
            factory_staked: staked,
            paymaster: None,
            paymaster_staked: false,
            p256_precompile: true,
        }
    }

    #[test]
    fn a_paymaster_reads_its_own_storage_only_when_staked() {
        const PAYMASTER: Address = address!("9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a");
        let trace = Trace {
            events: vec![
                storage(Phase::Paymaster, "SLOAD", PAYMASTER, U256::from(2)),
                Event::Opcode {
                    phase: Phase::Paymaster,
                    op: "BALANCE".into(),
                    address: PAYMASTER,
                },
            ],
            keccak: vec![],
        };
        let sponsored = |staked| Context {
            paymaster: Some(PAYMASTER),
            paymaster_staked: staked,
            ..ctx(false, false)
        };
        assert_eq!(
            violations(&trace, &sponsored(true), &everything_has_code),
            Vec::<String>::new()
        );
        let unstaked = violations(&trace, &sponsored(false), &everything_has_code);
        assert_eq!(unstaked.len(), 2, "{unstaked:?}");
        assert!(unstaked.iter().any(|v| v.contains("OP-080")));
        assert!(unstaked.iter().any(|v| v.contains("SLOAD of slot 0x2")));
        // A staked paymaster writes no one else's storage.
        let writes = Trace {
            events: vec![storage(
                Phase::Paymaster,
                "SSTORE",
                VALIDATOR,
                U256::from(1),
            )],
            keccak: vec![],
        };
        assert_eq!(
            violations(&writes, &sponsored(true), &everything_has_code).len(),
            1
        );
    }

    /// `keccak(pad(A) ‖ word)`, as Solidity computes `mapping(address => …)` slots.
    fn mapping_slot(key: Address, slot: u64) -> (U256, Bytes) {
        let mut preimage = key.into_word().to_vec();
        preimage.extend_from_slice(&U256::from(slot).to_be_bytes::<32>());
        (U256::from_be_bytes(keccak256(&preimage).0), preimage.into())
    }

    fn storage(phase: Phase, op: &str, address: Address, slot: U256) -> Event {
        Event::Storage {
            phase,
            op: op.into(),
            address,
            slot,
        }
    }

    fn everything_has_code(_: Address) -> bool {
        true
    }

    #[test]
    fn parses_what_the_tracer_returns() {
        let json = serde_json::json!({
            "events": [
                {"phase": "account", "kind": "storage", "op": "SLOAD", "address": SENDER, "slot": "0x1f"},
                {"phase": "factory", "kind": "call", "op": "CALL", "address": FACTORY,
                 "target": "0x7777777777777777777777777777777777777777", "value": "0x0", "input": "0x6d61fe70"},
                {"phase": "account", "kind": "opcode", "op": "TIMESTAMP", "address": SENDER},
            ],
            "keccak": ["0x000000000000000000000000acacacacacacacacacacacacacacacacacacacac0000000000000000000000000000000000000000000000000000000000000001"],
        });
        let trace: Trace = serde_json::from_value(json).unwrap();
        assert_eq!(trace.events.len(), 3);
        let broken = violations(&trace, &ctx(false, false), &everything_has_code);
        assert_eq!(broken.len(), 1, "{broken:?}");
        assert!(broken[0].starts_with("OP-011: banned opcode TIMESTAMP"));
    }

    #[test]
    fn storage_follows_the_association_and_staking_rules() {
        let (associated, preimage) = mapping_slot(SENDER, 3);
        let (elsewhere, other) = mapping_slot(Address::repeat_byte(0x99), 3);
        let trace = |events| Trace {
            events,
            keccak: vec![preimage.clone(), other.clone()],
        };
        // The account's own storage, and associated storage of a deployed account: fine.
        let ok = trace(vec![
            storage(Phase::Account, "SSTORE", SENDER, U256::from(5)),
            storage(Phase::Account, "SSTORE", VALIDATOR, associated),
            storage(
                Phase::Account,
                "SLOAD",
                VALIDATOR,
                associated + U256::from(128),
            ),
        ]);
        assert_eq!(
            violations(&ok, &ctx(false, false), &everything_has_code),
            Vec::<String>::new()
        );
        // Beyond +128 it is not associated.
        let far = trace(vec![storage(
            Phase::Account,
            "SLOAD",
            VALIDATOR,
            associated + U256::from(129),
        )]);
        assert_eq!(
            violations(&far, &ctx(false, false), &everything_has_code).len(),
            1
        );
        // Deploying: associated storage needs a staked factory (STO-022).
        let deploy = trace(vec![storage(
            Phase::Factory,
            "SSTORE",
            VALIDATOR,
            associated,
        )]);
        let unstaked = violations(&deploy, &ctx(true, false), &everything_has_code);
        assert!(unstaked[0].contains("STO-022"), "{unstaked:?}");
        assert!(violations(&deploy, &ctx(true, true), &everything_has_code).is_empty());
        // Storage of nobody's: refused, even for a staked factory — except reading (STO-033).
        let write = trace(vec![storage(
            Phase::Factory,
            "SSTORE",
            VALIDATOR,
            elsewhere,
        )]);
        assert!(violations(&write, &ctx(true, true), &everything_has_code)[0].contains("STO-021"));
        let read = trace(vec![storage(Phase::Factory, "SLOAD", VALIDATOR, elsewhere)]);
        assert!(violations(&read, &ctx(true, true), &everything_has_code).is_empty());
        assert_eq!(
            violations(&read, &ctx(true, false), &everything_has_code).len(),
            1
        );
        // In the account phase a staked factory grants nothing.
        let account = trace(vec![storage(Phase::Account, "SLOAD", VALIDATOR, elsewhere)]);
        assert_eq!(
            violations(&account, &ctx(true, true), &everything_has_code).len(),
            1
        );
    }

    #[test]
    fn calls_codes_and_opcodes() {
        let call = |target: Address, op: &str, value: u64, input: &[u8]| Event::Call {
            phase: Phase::Account,
            op: op.into(),
            address: SENDER,
            target: U256::from_be_slice(target.as_slice()),
            value: U256::from(value),
            input: Bytes::copy_from_slice(input),
        };
        let deposit_to = |beneficiary: Address| {
            let mut input = DEPOSIT_TO.to_vec();
            input.extend_from_slice(beneficiary.into_word().as_slice());
            input
        };
        let p256 = address!("0000000000000000000000000000000000000100");
        let sha256 = address!("0000000000000000000000000000000000000002");
        let point_eval = address!("000000000000000000000000000000000000000a");
        let missing = Address::repeat_byte(0x55);
        let has_code = |a: Address| a != missing;
        let trace = Trace {
            events: vec![
                call(p256, "STATICCALL", 0, &[]),
                call(sha256, "STATICCALL", 0, &[]),
                call(EP, "CALL", 7, &[]), // prefund through the fallback
                call(EP, "CALL", 7, &deposit_to(SENDER)), // depositTo(sender)
                call(VALIDATOR, "CALL", 0, &hex!("12345678")),
                Event::Create2 {
                    phase: Phase::Factory,
                    address: FACTORY,
                    target: SENDER,
                },
            ],
            keccak: vec![],
        };
        assert!(violations(&trace, &ctx(true, false), &has_code).is_empty());
        let trace = Trace {
            events: vec![
                call(point_eval, "STATICCALL", 0, &[]),
                call(missing, "CALL", 0, &[]),
                call(VALIDATOR, "CALL", 1, &[]),
                call(EP, "STATICCALL", 0, &hex!("35567e1a")), // getNonce
                call(EP, "CALL", 1, &deposit_to(VALIDATOR)),  // depositTo(someone else)
                Event::Code {
                    phase: Phase::Account,
                    op: "EXTCODEHASH".into(),
                    address: SENDER,
                    target: U256::from_be_slice(EP.as_slice()),
                },
                Event::Opcode {
                    phase: Phase::Account,
                    op: "GAS".into(),
                    address: SENDER,
                },
                Event::Opcode {
                    phase: Phase::Factory,
                    op: "SELFBALANCE".into(),
                    address: FACTORY,
                },
                Event::Opcode {
                    phase: Phase::Account,
                    op: "opcode 0xef not defined".into(),
                    address: SENDER,
                },
                Event::Create2 {
                    phase: Phase::Factory,
                    address: FACTORY,
                    target: Address::repeat_byte(0x12),
                },
            ],
            keccak: vec![],
        };
        let broken = violations(&trace, &ctx(true, false), &has_code);
        let rules: Vec<&str> = broken.iter().map(|v| &v[..6]).collect();
        assert_eq!(
            rules,
            [
                "OP-062", "OP-041", "OP-061", "OP-054", "OP-054", "OP-054", "OP-012", "OP-080",
                "OP-013", "OP-031"
            ],
            "{broken:#?}"
        );
        // A staked factory may read balances.
        let staked = violations(&trace, &ctx(true, true), &has_code);
        assert!(!staked.iter().any(|v| v.starts_with("OP-080")));
        // Where the chain has no P256VERIFY, calling 0x100 (as OpenZeppelin's `P256.verify`
        // probes it) is a call to an address without code.
        let probe = Trace {
            events: vec![call(p256, "STATICCALL", 0, &[])],
            keccak: vec![],
        };
        let no_code_at_0x100 = |a: Address| a != p256;
        let without = Context {
            p256_precompile: false,
            ..ctx(false, false)
        };
        let broken = violations(&probe, &without, &no_code_at_0x100);
        assert_eq!(broken.len(), 1, "{broken:#?}");
        assert!(broken[0].starts_with("OP-041"), "{broken:#?}");
        assert!(violations(&probe, &ctx(false, false), &no_code_at_0x100).is_empty());
    }
}
