//! Getting an account back from the chain and the passkey alone (logging in on a new device or
//! browser profile): the account's passkeys from the passkey validator's `PasskeyCreated` /
//! `PasskeyRemoved` logs, and its sessions from the session validator's `SessionCreated` /
//! `SessionRevoked` logs. The lookups themselves (`getAccountList`, `getAccountKey`,
//! `eth_getLogs`) are the background's; an account that is not deployed has no logs and its key
//! comes from the passkey's own signatures ([`crate::webauthn::recover_public_key`]).

use alloy_primitives::{Address, B256, Bytes, U64, U256};
use alloy_sol_types::{SolCall, SolEvent, SolValue};
use serde::Deserialize;

use crate::abi::IWebAuthnValidator::{PasskeyCreated, PasskeyRemoved};
use crate::session::registry::{Ended, SessionRecord, SessionStatus};
use crate::session::request::{
    MAX_CALL_POLICIES, MAX_CONSTRAINTS, MAX_TRANSFER_POLICIES, SessionRequest,
};
use crate::session::spec::ISessionKeyValidator::{SessionCreated, SessionRevoked};
use crate::session::spec::session_hash;
use crate::webauthn::Passkey;

/// A log as `eth_getLogs` returns it (the fields read here), in chain order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Log {
    /// The emitting contract.
    pub address: Address,
    /// Topics (event signature first).
    pub topics: Vec<B256>,
    /// Non-indexed data.
    pub data: Bytes,
    /// The block it is in (absent from a pending log).
    #[serde(default)]
    pub block_number: Option<U64>,
    /// The transaction that emitted it.
    #[serde(default)]
    pub transaction_hash: Option<B256>,
}

impl Log {
    /// Its block number, when the node gave one that fits.
    pub fn block(&self) -> Option<u64> {
        self.block_number.map(|n| n.to::<u64>())
    }
}

/// The `topics` filter of `eth_getLogs` for `events` emitted about `account` (its first indexed
/// parameter).
pub fn account_topics(events: &[B256], account: Address) -> serde_json::Value {
    serde_json::json!([events, account.into_word()])
}

/// One of an account's passkeys, with the WebAuthn origin it is registered under (each browser's
/// wallet signs for its own: `relying_party`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredPasskey {
    /// The passkey.
    pub passkey: Passkey,
    /// Its origin (`originDomain`).
    pub origin: String,
    /// The block it was registered in, when the logs say.
    pub created_block: Option<u64>,
}

/// The passkeys registered for `account`, under every origin, replaying the validator's logs in
/// order (later removals cancel earlier registrations of the same origin and credential). An
/// origin longer than the validator allows (a node's invention) is skipped.
pub fn passkeys_from_logs(logs: &[Log], account: Address) -> Vec<RegisteredPasskey> {
    let mut keys: Vec<RegisteredPasskey> = Vec::new();
    for log in logs {
        let topics = log.topics.iter().copied();
        if let Ok(created) = PasskeyCreated::decode_raw_log(topics.clone(), &log.data)
            && created.account == account
            && plausible_origin(&created.originDomain)
        {
            keys.retain(|k| {
                k.passkey.credential_id != created.credentialId || k.origin != created.originDomain
            });
            if keys.len() >= MAX_PASSKEYS {
                continue;
            }
            keys.push(RegisteredPasskey {
                passkey: Passkey {
                    credential_id: created.credentialId,
                    public_key: created.publicKey,
                },
                origin: created.originDomain,
                created_block: log.block(),
            });
        } else if let Ok(removed) = PasskeyRemoved::decode_raw_log(topics, &log.data)
            && removed.account == account
        {
            keys.retain(|k| {
                k.passkey.credential_id != removed.credentialId || k.origin != removed.originDomain
            });
        }
    }
    keys
}

/// The passkey the factory installed when it deployed `account` — its first registration, under
/// whichever origin (later removals do not change which one came first): with the salt and that
/// origin, what deploys the account at the same address on other chains.
pub fn first_passkey(logs: &[Log], account: Address) -> Option<RegisteredPasskey> {
    logs.iter().find_map(|log| {
        let created = PasskeyCreated::decode_raw_log(log.topics.iter().copied(), &log.data).ok()?;
        (created.account == account && plausible_origin(&created.originDomain)).then(|| {
            RegisteredPasskey {
                passkey: Passkey {
                    credential_id: created.credentialId,
                    public_key: created.publicKey,
                },
                origin: created.originDomain,
                created_block: log.block(),
            }
        })
    })
}

/// Most bytes of a bundle transaction's input read for [`signing_credential`].
pub const MAX_BUNDLE_INPUT: usize = 256 * 1024;

/// Which passkey signed `sender`'s operation `nonce` in a bundle transaction's `input` (its
/// `handleOps` calldata): the credential id in the passkey validator's signature data, or `None`
/// when the input is not a `handleOps` with that operation, or another signer signed it (a
/// session, a recovery finalizer). A node's bytes: decoded totally, bounded.
pub fn signing_credential(
    input: &[u8],
    sender: Address,
    nonce: U256,
    passkey_validator: Address,
) -> Option<Bytes> {
    if input.len() > MAX_BUNDLE_INPUT {
        return None;
    }
    let call = crate::abi::IEntryPoint::handleOpsCall::abi_decode(input).ok()?;
    let op = call
        .ops
        .iter()
        .find(|op| op.sender == sender && op.nonce == nonce)?;
    let signature = op.signature.get(20..)?;
    if op.signature.get(..20)? != passkey_validator.as_slice() {
        return None;
    }
    let (_, _, _, credential_id, _) =
        <(Bytes, String, [B256; 2], Bytes, U256)>::abi_decode_params(signature).ok()?;
    Some(credential_id)
}

/// Most bytes of an origin the passkey validator stores (`MAX_ORIGIN_LENGTH`).
pub const MAX_ORIGIN_BYTES: usize = 255;

fn plausible_origin(origin: &str) -> bool {
    (1..=MAX_ORIGIN_BYTES).contains(&origin.len())
}

/// Most sessions restored per network (the newest ones win only by order of the logs; a node
/// that returns more is not trusted to be complete anyway).
pub const MAX_RESTORED_SESSIONS: usize = 64;
/// Most passkeys read back for one account.
pub const MAX_PASSKEYS: usize = 64;

/// The sessions of `account` on `chain_id` from the session validator's logs. Their keys are
/// not in this browser (they never leave the one that made them), so a session still open on
/// chain is `keyLost` here: listed, and revocable with the passkey, but never used. The site
/// that asked for it is not on chain: `origin` is empty.
pub fn sessions_from_logs(logs: &[Log], account: Address, chain_id: u64) -> Vec<SessionRecord> {
    let mut sessions: Vec<SessionRecord> = Vec::new();
    for log in logs {
        let topics = log.topics.iter().copied();
        if let Ok(created) = SessionCreated::decode_raw_log(topics.clone(), &log.data)
            && created.account == account
        {
            // What a node returns is not trusted: a spec must hash to its session, stay within
            // the sizes the wallet accepts from dapps, and the list is capped.
            let plausible = session_hash(&created.spec) == created.sessionHash
                && created.spec.callPolicies.len() <= MAX_CALL_POLICIES
                && created.spec.transferPolicies.len() <= MAX_TRANSFER_POLICIES
                && created
                    .spec
                    .callPolicies
                    .iter()
                    .all(|p| p.constraints.len() <= MAX_CONSTRAINTS);
            if !plausible
                || sessions.len() >= MAX_RESTORED_SESSIONS
                || sessions.iter().any(|s| s.context == created.sessionHash)
            {
                continue;
            }
            sessions.push(SessionRecord {
                context: created.sessionHash,
                origin: String::new(),
                chain_id,
                account,
                request: SessionRequest::from_spec(&created.spec),
                spec: created.spec,
                params: serde_json::Value::Null,
                created_at: 0,
                status: SessionStatus::Ended(Ended::KeyLost),
                pending: Vec::new(),
                tokens: Default::default(),
            });
        } else if let Ok(revoked) = SessionRevoked::decode_raw_log(topics, &log.data)
            && revoked.account == account
            && let Some(session) = sessions
                .iter_mut()
                .find(|s| s.context == revoked.sessionHash)
        {
            session.status = SessionStatus::Ended(Ended::Revoked);
        }
    }
    sessions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::spec::{SessionSpec, UsageLimit, session_hash};
    use alloy_primitives::U256;
    use alloy_primitives::aliases::U48;
    use alloy_sol_types::SolEvent;

    const ORIGIN: &str = "chrome-extension://abc";

    fn log_of(event: &impl SolEvent) -> Log {
        let data = event.encode_log_data();
        Log {
            address: Address::repeat_byte(0x99),
            topics: data.topics().to_vec(),
            data: data.data.clone(),
            ..Default::default()
        }
    }

    fn created(account: Address, id: u8, origin: &str) -> Log {
        log_of(&PasskeyCreated {
            account,
            originDomainHash: alloy_primitives::keccak256(origin),
            originDomain: origin.into(),
            credentialId: vec![id; 16].into(),
            publicKey: [B256::repeat_byte(id), B256::repeat_byte(id + 1)],
        })
    }

    #[test]
    fn reads_logs_as_eth_get_logs_returns_them() {
        let me = Address::repeat_byte(1);
        let log = created(me, 9, ORIGIN);
        // The node's JSON (hex strings, and fields the wallet does not read).
        let json = serde_json::json!({
            "address": log.address, "topics": log.topics, "data": log.data,
            "blockNumber": "0x5", "transactionHash": B256::repeat_byte(3), "logIndex": "0x0",
            "removed": false
        });
        let parsed: Log = serde_json::from_value(json).unwrap();
        assert_eq!(
            (&parsed.address, &parsed.topics, &parsed.data),
            (&log.address, &log.topics, &log.data)
        );
        assert_eq!(parsed.block(), Some(5));
        assert_eq!(parsed.transaction_hash, Some(B256::repeat_byte(3)));
        let keys = passkeys_from_logs(&[parsed], me);
        assert_eq!(keys[0].passkey.credential_id, Bytes::from(vec![9u8; 16]));
        assert_eq!(keys[0].origin, ORIGIN);
        assert_eq!(keys[0].created_block, Some(5));
        assert_eq!(
            account_topics(&[B256::ZERO], me)[1],
            serde_json::json!(me.into_word())
        );
    }

    #[test]
    fn known_functions_come_back_with_their_names() {
        use crate::session::spec::{CallSpec, Condition, Constraint};
        let spec = SessionSpec {
            signer: Address::repeat_byte(1),
            expiresAt: U48::from(10u64),
            feeLimit: UsageLimit {
                limitType: crate::session::spec::LimitType::Unlimited,
                limit: U256::ZERO,
                period: U48::ZERO,
            },
            callPolicies: vec![CallSpec {
                target: Address::repeat_byte(2),
                selector: alloy_primitives::FixedBytes([0xa9, 0x05, 0x9c, 0xbb]),
                maxValuePerUse: U256::ZERO,
                valueLimit: UsageLimit {
                    limitType: crate::session::spec::LimitType::Unlimited,
                    limit: U256::ZERO,
                    period: U48::ZERO,
                },
                constraints: vec![Constraint {
                    condition: Condition::Equal,
                    index: 0,
                    refValue: B256::ZERO,
                    limit: UsageLimit {
                        limitType: crate::session::spec::LimitType::Unlimited,
                        limit: U256::ZERO,
                        period: U48::ZERO,
                    },
                }],
            }],
            transferPolicies: vec![],
        };
        let request = SessionRequest::from_spec(&spec);
        assert_eq!(
            request.call_policies[0].function,
            "transfer(address,uint256)"
        );
        assert_eq!(request.call_policies[0].constraints[0].param, "to");
        assert_eq!(
            request.to_spec(spec.signer),
            spec,
            "nothing of the spec is lost"
        );
    }

    #[test]
    fn replays_passkey_registrations_and_removals() {
        let me = Address::repeat_byte(1);
        let other = Address::repeat_byte(2);
        let logs = vec![
            created(me, 1, ORIGIN),
            created(other, 2, ORIGIN),
            created(me, 3, ORIGIN),
            created(me, 4, "https://elsewhere"),
            log_of(&PasskeyRemoved {
                account: me,
                originDomainHash: alloy_primitives::keccak256(ORIGIN),
                originDomain: ORIGIN.into(),
                credentialId: vec![1; 16].into(),
            }),
            created(me, 5, ORIGIN),
        ];
        let ids: Vec<(u8, &str)> = passkeys_from_logs(&logs, me)
            .iter()
            .map(|k| {
                (
                    k.passkey.credential_id[0],
                    if k.origin == ORIGIN {
                        "here"
                    } else {
                        "elsewhere"
                    },
                )
            })
            .collect();
        assert_eq!(ids, vec![(3, "here"), (4, "elsewhere"), (5, "here")]);
        // The first registration stays the first, removed or not.
        let first = first_passkey(&logs, me).unwrap();
        assert_eq!(
            (first.passkey.credential_id[0], first.origin.as_str()),
            (1, ORIGIN)
        );
        assert_eq!(first_passkey(&logs, Address::repeat_byte(9)), None);
        assert_eq!(
            passkeys_from_logs(&logs, me)[0].passkey.public_key[1],
            B256::repeat_byte(4)
        );
    }

    #[test]
    fn a_credential_registered_under_two_origins_is_two_passkeys_removed_one_by_one() {
        let me = Address::repeat_byte(1);
        let firefox = "moz-extension://abc";
        let removal = |origin: &str| {
            log_of(&PasskeyRemoved {
                account: me,
                originDomainHash: alloy_primitives::keccak256(origin),
                originDomain: origin.into(),
                credentialId: vec![7; 16].into(),
            })
        };
        let both = vec![created(me, 7, ORIGIN), created(me, 7, firefox)];
        assert_eq!(passkeys_from_logs(&both, me).len(), 2);
        let mut one = both.clone();
        one.push(removal(firefox));
        let left = passkeys_from_logs(&one, me);
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].origin, ORIGIN);
        // A first passkey under another origin than the browser's is still the first.
        let chrome_first = vec![
            created(me, 8, "chrome-extension://x"),
            created(me, 9, firefox),
        ];
        assert_eq!(
            first_passkey(&chrome_first, me).unwrap().origin,
            "chrome-extension://x"
        );
        // An origin no validator stores is a node's invention.
        assert!(passkeys_from_logs(&[created(me, 1, &"o".repeat(256))], me).is_empty());
    }

    #[test]
    fn sessions_come_back_open_or_revoked_without_keys() {
        let me = Address::repeat_byte(1);
        let spec = |n: u64| SessionSpec {
            signer: Address::repeat_byte(n as u8),
            expiresAt: U48::from(1_900_000_000u64),
            feeLimit: UsageLimit {
                limitType: crate::session::spec::LimitType::Lifetime,
                limit: U256::from(n),
                period: U48::ZERO,
            },
            callPolicies: vec![],
            transferPolicies: vec![],
        };
        let session = |n| SessionCreated {
            account: me,
            sessionHash: session_hash(&spec(n)),
            spec: spec(n),
        };
        let logs = vec![
            log_of(&session(1)),
            log_of(&session(2)),
            log_of(&SessionCreated {
                account: Address::repeat_byte(7),
                ..session(3)
            }),
            log_of(&SessionRevoked {
                account: me,
                sessionHash: session_hash(&spec(1)),
            }),
        ];
        let sessions = sessions_from_logs(&logs, me, 31337);
        assert_eq!(sessions.len(), 2);
        assert_eq!(sessions[0].status, SessionStatus::Ended(Ended::Revoked));
        assert_eq!(sessions[1].status, SessionStatus::Ended(Ended::KeyLost));
        assert_eq!(sessions[1].spec, spec(2));
        assert_eq!(sessions[1].expires_at(), 1_900_000_000);
        assert!(!sessions[1].usable_by("", 31337, me, 0), "never used here");
    }

    #[test]
    fn sessions_whose_spec_does_not_hash_to_their_id_are_not_restored() {
        let me = Address::repeat_byte(1);
        let spec = SessionSpec {
            signer: Address::repeat_byte(2),
            expiresAt: U48::from(1_900_000_000u64),
            feeLimit: UsageLimit {
                limitType: crate::session::spec::LimitType::Lifetime,
                limit: U256::from(5),
                period: U48::ZERO,
            },
            callPolicies: vec![],
            transferPolicies: vec![],
        };
        let forged = SessionCreated {
            account: me,
            sessionHash: B256::repeat_byte(9),
            spec,
        };
        assert!(sessions_from_logs(&[log_of(&forged)], me, 1).is_empty());
    }

    #[test]
    fn a_restored_constraint_on_the_last_word_is_described() {
        use crate::session::spec::{CallSpec, Condition, Constraint, LimitType};
        let limit = UsageLimit {
            limitType: LimitType::Unlimited,
            limit: U256::ZERO,
            period: U48::ZERO,
        };
        let mut spec = SessionSpec {
            signer: Address::repeat_byte(2),
            expiresAt: U48::from(1_900_000_000u64),
            feeLimit: limit.clone(),
            callPolicies: vec![],
            transferPolicies: vec![],
        };
        spec.callPolicies.push(CallSpec {
            target: Address::repeat_byte(3),
            selector: [0xa9, 0x05, 0x9c, 0xbb].into(),
            maxValuePerUse: U256::ZERO,
            valueLimit: limit.clone(),
            constraints: vec![Constraint {
                condition: Condition::Equal,
                index: u64::MAX,
                refValue: B256::ZERO,
                limit,
            }],
        });
        let request = crate::session::request::SessionRequest::from_spec(&spec);
        assert_eq!(request.call_policies[0].static_words, u64::MAX);
        assert_eq!(
            request.call_policies[0].constraints[0].param,
            format!("word {}", u64::MAX)
        );
    }

    fn any_log() -> impl proptest::strategy::Strategy<Value = Log> {
        use proptest::prelude::*;
        let events = [
            PasskeyCreated::SIGNATURE_HASH,
            PasskeyRemoved::SIGNATURE_HASH,
            SessionCreated::SIGNATURE_HASH,
            SessionRevoked::SIGNATURE_HASH,
            B256::repeat_byte(0x42),
        ];
        (
            0usize..events.len(),
            proptest::collection::vec(any::<[u8; 32]>(), 0..4),
            proptest::collection::vec(any::<u8>(), 0..1024),
            any::<bool>(),
        )
            .prop_map(move |(event, rest, data, mine)| {
                let mut topics = vec![events[event]];
                if mine {
                    topics.push(Address::repeat_byte(1).into_word());
                }
                topics.extend(rest.into_iter().map(B256::from));
                Log {
                    address: Address::repeat_byte(0x99),
                    topics,
                    data: data.into(),
                    ..Default::default()
                }
            })
    }

    #[test]
    fn the_passkey_that_signed_an_operation_is_read_from_its_bundle() {
        use crate::abi::{IEntryPoint::handleOpsCall, SignedUserOperation};
        let (validator, sender) = (Address::repeat_byte(0x55), Address::repeat_byte(0xac));
        let data = (
            Bytes::from(vec![1u8; 37]),
            "{}".to_owned(),
            [B256::ZERO; 2],
            Bytes::from(vec![7u8; 16]),
            U256::from(1),
        )
            .abi_encode_params();
        let op = |nonce: u64, signer: Address| SignedUserOperation {
            sender,
            nonce: U256::from(nonce),
            initCode: Bytes::new(),
            callData: Bytes::new(),
            accountGasLimits: B256::ZERO,
            preVerificationGas: U256::ZERO,
            gasFees: B256::ZERO,
            paymasterAndData: Bytes::new(),
            signature: [signer.as_slice(), &data].concat().into(),
        };
        let input = handleOpsCall {
            ops: vec![op(1, Address::repeat_byte(0x66)), op(2, validator)],
            beneficiary: Address::ZERO,
        }
        .abi_encode();
        assert_eq!(
            signing_credential(&input, sender, U256::from(2), validator),
            Some(Bytes::from(vec![7u8; 16]))
        );
        // Another signer's operation, another nonce or sender, or anything else: nobody.
        assert_eq!(
            signing_credential(&input, sender, U256::from(1), validator),
            None
        );
        assert_eq!(
            signing_credential(&input, sender, U256::from(3), validator),
            None
        );
        assert_eq!(
            signing_credential(&input, validator, U256::from(2), validator),
            None
        );
        assert_eq!(
            signing_credential(&input[..input.len() / 2], sender, U256::from(2), validator),
            None
        );
        assert_eq!(
            signing_credential(&[0u8; 8], sender, U256::from(2), validator),
            None
        );
    }

    proptest::proptest! {
        #[test]
        fn log_decoders_are_total_and_bounded(logs in proptest::collection::vec(any_log(), 0..200)) {
            let me = Address::repeat_byte(1);
            proptest::prop_assert!(passkeys_from_logs(&logs, me).len() <= MAX_PASSKEYS);
            let _ = first_passkey(&logs, me);
            let sessions = sessions_from_logs(&logs, me, 1);
            proptest::prop_assert!(sessions.len() <= MAX_RESTORED_SESSIONS);
        }

        #[test]
        fn restored_specs_are_described_whatever_they_hold(
            selectors in proptest::collection::vec(proptest::prelude::any::<[u8; 4]>(), 0..8),
            indices in proptest::collection::vec(proptest::prelude::any::<u64>(), 0..8),
        ) {
            use crate::session::spec::{CallSpec, Constraint, Condition, LimitType};
            let limit = UsageLimit { limitType: LimitType::Unlimited, limit: U256::ZERO, period: U48::ZERO };
            let spec = SessionSpec {
                signer: Address::repeat_byte(2),
                expiresAt: U48::from(1_900_000_000u64),
                feeLimit: limit.clone(),
                callPolicies: selectors.iter().map(|s| CallSpec {
                    target: Address::repeat_byte(3),
                    selector: (*s).into(),
                    maxValuePerUse: U256::ZERO,
                    valueLimit: limit.clone(),
                    constraints: indices.iter().map(|i| Constraint {
                        condition: Condition::Equal,
                        index: *i,
                        refValue: B256::ZERO,
                        limit: limit.clone(),
                    }).collect(),
                }).collect(),
                transferPolicies: vec![],
            };
            let request = crate::session::request::SessionRequest::from_spec(&spec);
            let lines = crate::session::describe::describe(&request);
            proptest::prop_assert!(lines.len() >= 2);
        }
    }
}
