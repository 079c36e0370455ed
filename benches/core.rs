//! Criterion micro-benchmarks of the core: session policy evaluation (a 10-policy session, the
//! call matching the last policy), the v0.8 userOpHash, the passkey signature encoding, and a
//! session key restored from storage signing a userOpHash (what every session transaction does).
//! `cargo bench --bench core`; figures are recorded in docs/benchmarks.md.

use std::hint::black_box;

use alloy_primitives::aliases::U48;
use alloy_primitives::{Address, B256, Bytes, FixedBytes, U256};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sso_wallet::erc4337::{ENTRY_POINT_V08, UserOperation};
use sso_wallet::erc7579::Call;
use sso_wallet::session::key::SessionKey;
use sso_wallet::session::policy::{Circumstances, evaluate};
use sso_wallet::session::spec::{
    CallSpec, Condition, Constraint, LimitType, SessionSpec, TransferSpec, UsageLimit,
};
use sso_wallet::session::usage::Usage;
use sso_wallet::webauthn;

const NOW: u64 = 1_800_000_000;

fn limit(kind: LimitType, amount: u64, period: u64) -> UsageLimit {
    UsageLimit {
        limitType: kind,
        limit: U256::from(amount),
        period: U48::from(period),
    }
}

/// Ten call policies (two constraints each: recipient equal, amount with a daily allowance)
/// plus a transfer policy.
fn ten_policy_session() -> SessionSpec {
    let recipient = Address::repeat_byte(0xbb).into_word();
    let call_policies = (0..10u8)
        .map(|i| CallSpec {
            target: Address::repeat_byte(0x10 + i),
            selector: FixedBytes([0xa9, 0x05, 0x9c, 0xbb]),
            maxValuePerUse: U256::ZERO,
            valueLimit: limit(LimitType::Lifetime, 0, 0),
            constraints: vec![
                Constraint {
                    condition: Condition::Equal,
                    index: 0,
                    refValue: recipient,
                    limit: limit(LimitType::Unlimited, 0, 0),
                },
                Constraint {
                    condition: Condition::LessOrEqual,
                    index: 1,
                    refValue: B256::from(U256::from(1_000_000u64)),
                    limit: limit(LimitType::Allowance, 10_000_000, 86_400),
                },
            ],
        })
        .collect();
    SessionSpec {
        signer: Address::repeat_byte(0x51),
        expiresAt: U48::from(NOW + 86_400),
        feeLimit: limit(LimitType::Lifetime, u64::MAX, 0),
        callPolicies: call_policies,
        transferPolicies: vec![TransferSpec {
            target: Address::repeat_byte(0xbb),
            maxValuePerUse: U256::from(1_000),
            valueLimit: limit(LimitType::Lifetime, 10_000, 0),
        }],
    }
}

fn bench_policy(c: &mut Criterion) {
    let spec = ten_policy_session();
    let mut data = vec![0xa9, 0x05, 0x9c, 0xbb];
    data.extend_from_slice(Address::repeat_byte(0xbb).into_word().as_slice());
    data.extend_from_slice(&U256::from(500u64).to_be_bytes::<32>());
    let call = [Call {
        to: Address::repeat_byte(0x19), // the last policy: worst-case scan
        value: U256::ZERO,
        data: data.into(),
    }];
    let usage = Usage::default();
    let circumstances = Circumstances {
        fee: Some(U256::from(1_000_000u64)),
        now: NOW,
        clock: NOW,
    };
    assert!(evaluate(&spec, &usage, &call, circumstances).is_ok());
    let mut group = c.benchmark_group("session policy");
    group.throughput(Throughput::Elements(1));
    group.bench_function("evaluate, 10-policy session", |b| {
        b.iter(|| {
            evaluate(
                black_box(&spec),
                black_box(&usage),
                black_box(&call),
                circumstances,
            )
        })
    });
    group.finish();
}

fn bench_user_op(c: &mut Criterion) {
    let op = UserOperation {
        sender: Address::repeat_byte(1),
        nonce: U256::from(3),
        factory: None,
        factory_data: None,
        call_data: Bytes::from(vec![0xab; 200]),
        call_gas_limit: U256::from(100_000),
        verification_gas_limit: U256::from(300_000),
        pre_verification_gas: U256::from(50_000),
        max_fee_per_gas: U256::from(2_000_000_000u64),
        max_priority_fee_per_gas: U256::from(1_000_000_000u64),
        signature: Bytes::new(),
        paymaster: None,
    };
    c.bench_function("userOpHash (v0.8, EIP-712)", |b| {
        b.iter(|| black_box(&op).hash(ENTRY_POINT_V08, 31337))
    });
    let auth = [5u8; 37];
    let client_data = format!(
        "{{\"type\":\"webauthn.get\",\"challenge\":\"{}\",\"origin\":\"chrome-extension://klngkmfjbnaadpkilgflmhgafbgidbnj\",\"crossOrigin\":false}}",
        webauthn::challenge(B256::repeat_byte(7))
    );
    let rs = [B256::repeat_byte(1), B256::repeat_byte(2)];
    c.bench_function("passkey signature encoding", |b| {
        b.iter(|| {
            webauthn::user_op_signature(
                Address::repeat_byte(9),
                &webauthn::signature_data(
                    black_box(&auth),
                    black_box(&client_data),
                    rs,
                    &[7u8; 32],
                    webauthn::P256Verifier::Precompile,
                ),
            )
        })
    });
}

fn bench_session_key(c: &mut Criterion) {
    let stored = SessionKey::generate().to_bytes();
    let digest = B256::repeat_byte(0x5a);
    c.bench_function("session key restore + sign", |b| {
        b.iter(|| {
            SessionKey::from_bytes(black_box(stored.as_slice()))
                .and_then(|key| key.sign_hash(black_box(digest)))
        })
    });
}

criterion_group!(benches, bench_policy, bench_user_op, bench_session_key);
criterion_main!(benches);
