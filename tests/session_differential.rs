//! Differential test: the Rust session policy engine against the deployed `SessionKeyValidator`.
//!
//! Thousands of generated (session, usage history, call or batch, timestamp) cases — biased to the
//! edges: amounts at every limit, period boundaries, expiry, short calldata, extreme words — are
//! decided by `session::policy::evaluate` and by the contract (`validateUserOp` called by a real
//! account on anvil, plus the EntryPoint's time-range rule), and must agree. Accepted cases are
//! executed on chain for real so later cases see the usage they charged.
//!
//! Run through `cargo xtask test` (it starts the devnet and sets `SSO_DEVNET_JSON`).

use alloy_primitives::aliases::U48;
use alloy_primitives::{Address, B256, Bytes, FixedBytes, U256, keccak256};
use alloy_sol_types::{SolCall, SolValue};
use k256::ecdsa::SigningKey;
use serde_json::{Value, json};
use sso_wallet::abi::IValidator;
use sso_wallet::erc4337::{ENTRY_POINT_V08, UserOperation};
use sso_wallet::erc7579::{self, Call};
use sso_wallet::session::policy::{self, Circumstances};
use sso_wallet::session::spec::{
    ANY_RECIPIENT, CallSpec, Condition, Constraint, ISessionKeyValidator, LimitType, SessionSpec,
    TransferSpec, UsageLimit, create_proof_digest, session_hash, signature_data,
};
use sso_wallet::session::stream::Stream;
use sso_wallet::session::usage::{LimitKey, Usage};

alloy_sol_types::sol! {
    interface IModuleConfig {
        function installModule(uint256 moduleTypeId, address module, bytes initData) external;
    }
    interface IFactory {
        function createAccount(bytes32 salt, bytes credentialId, bytes32[2] publicKey, string originDomain) external returns (address);
        function getAddress(bytes32 salt, bytes credentialId, bytes32[2] publicKey, string originDomain) external view returns (address);
    }
}

/// How many (history step or final) decisions are compared.
/// Decisions compared by default (what CI runs); `SSO_DIFFERENTIAL_CASES` sets another count
/// (`cargo xtask differential --cases N` runs them in chunks, each on a fresh chain).
const COMPARISONS: usize = 2_000;

fn comparisons() -> usize {
    std::env::var("SSO_DIFFERENTIAL_CASES")
        .ok()
        .and_then(|n| n.replace('_', "").parse().ok())
        .unwrap_or(COMPARISONS)
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn word(&mut self) -> B256 {
        let mut w = [0u8; 32];
        for chunk in w.chunks_mut(8) {
            chunk.copy_from_slice(&self.next().to_be_bytes());
        }
        B256::from(w)
    }
}

struct Chain {
    url: String,
}

impl Chain {
    fn rpc(&self, method: &str, params: Value) -> Value {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let mut response = ureq::post(&self.url)
            .header("content-type", "application/json")
            .send(body.to_string())
            .unwrap_or_else(|e| panic!("{method}: {e}"));
        let value: Value = response.body_mut().read_json().unwrap();
        if let Some(error) = value.get("error") {
            panic!("{method}: {error}");
        }
        value["result"].clone()
    }

    fn call(&self, from: Address, to: Address, data: &[u8]) -> Bytes {
        self.call_at(from, to, data, json!("latest"))
    }

    fn call_at(&self, from: Address, to: Address, data: &[u8], block: Value) -> Bytes {
        let result = self.rpc(
            "eth_call",
            json!([{"from": from, "to": to, "data": Bytes::copy_from_slice(data)}, block]),
        );
        serde_json::from_value(result).unwrap()
    }

    /// The latest block's number (as the hex tag) and timestamp.
    fn head(&self) -> (Value, u64) {
        let block = self.rpc("eth_getBlockByNumber", json!(["latest", false]));
        let hex = |v: &Value| u64::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16);
        (block["number"].clone(), hex(&block["timestamp"]).unwrap())
    }

    fn send(&self, from: Address, to: Address, data: &[u8]) {
        let hash = self.rpc(
            "eth_sendTransaction",
            json!([{"from": from, "to": to, "data": Bytes::copy_from_slice(data), "gas": "0x989680"}]),
        );
        for _ in 0..200 {
            let receipt = self.rpc("eth_getTransactionReceipt", json!([hash]));
            if !receipt.is_null() {
                if receipt["status"] != "0x1" {
                    let call = json!([{"from": from, "to": to, "data": Bytes::copy_from_slice(data)}, "latest"]);
                    let body =
                        json!({"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": call});
                    let why: Value = ureq::post(&self.url)
                        .header("content-type", "application/json")
                        .send(body.to_string())
                        .unwrap()
                        .body_mut()
                        .read_json()
                        .unwrap();
                    panic!(
                        "transaction to {to} (selector {}) reverted: {}",
                        Bytes::copy_from_slice(&data[..4]),
                        why["error"]
                    );
                }
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        panic!("no receipt for {hash}");
    }
}

fn signer_address(key: &SigningKey) -> Address {
    let point = key.verifying_key().to_encoded_point(false);
    Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..])
}

fn sign(key: &SigningKey, hash: B256) -> Vec<u8> {
    let (sig, recid) = key.sign_prehash_recoverable(hash.as_slice()).unwrap();
    let mut out = sig.to_bytes().to_vec();
    out.push(27 + recid.to_byte());
    out
}

/// A small world of targets and selectors so policies and calls collide often.
const TARGETS: [Address; 3] = [
    Address::repeat_byte(0xa1),
    Address::repeat_byte(0xa2),
    Address::repeat_byte(0xa3),
];
const SELECTORS: [[u8; 4]; 3] = [
    [0xa9, 0x05, 0x9c, 0xbb],
    [0x09, 0x5e, 0xa7, 0xb3],
    [1, 2, 3, 4],
];

fn edge_amount(rng: &mut Rng, around: U256) -> U256 {
    match rng.below(7) {
        0 => U256::ZERO,
        1 => around,
        2 => around.saturating_add(U256::from(1)),
        3 => around.saturating_sub(U256::from(1)),
        4 => U256::MAX,
        5 => U256::from(rng.below(1000)),
        _ => around / U256::from(2 + rng.below(3)),
    }
}

/// A limit of every type; streams start around `clock` (the session's first evaluation time).
fn limit(rng: &mut Rng, allow_unlimited: bool, clock: u64) -> UsageLimit {
    let kind = rng.below(if allow_unlimited { 4 } else { 3 });
    let amount = U256::from(rng.below(2_000));
    match kind {
        2 => Stream {
            initial: U256::from(rng.below(1_000)),
            per_second: U256::from(*rng.pick(&[0u64, 1, 3, 50])),
            cap: rng.chance(50).then(|| U256::from(rng.below(3_000))),
            start: clock + rng.below(600) - rng.below(600).min(clock),
        }
        .limit()
        .unwrap(),
        0 => UsageLimit {
            limitType: LimitType::Lifetime,
            limit: amount,
            period: U48::ZERO,
        },
        1 => UsageLimit {
            limitType: LimitType::Allowance,
            limit: amount,
            period: U48::from(*rng.pick(&[1u64, 60, 3600, 86_400, 7 * 86_400])),
        },
        _ => UsageLimit {
            limitType: LimitType::Unlimited,
            limit: U256::ZERO,
            period: U48::ZERO,
        },
    }
}

/// A transfer policy's target: sometimes every recipient.
fn transfer_target(rng: &mut Rng) -> Address {
    if rng.chance(30) {
        ANY_RECIPIENT
    } else {
        *rng.pick(&TARGETS)
    }
}

fn condition(rng: &mut Rng) -> Condition {
    *rng.pick(&[
        Condition::Unconstrained,
        Condition::Equal,
        Condition::Greater,
        Condition::Less,
        Condition::GreaterOrEqual,
        Condition::LessOrEqual,
        Condition::NotEqual,
    ])
}

fn edge_word(rng: &mut Rng) -> B256 {
    match rng.below(6) {
        0 => B256::ZERO,
        1 => B256::repeat_byte(0xff),
        2 => {
            let mut w = [0u8; 32];
            w[0] = 0x80;
            B256::from(w)
        }
        3 => B256::from(U256::from(rng.below(2_000))),
        4 => TARGETS[0].into_word(),
        _ => rng.word(),
    }
}

fn gen_spec(rng: &mut Rng, signer: Address, chain_now: u64, clock: u64) -> SessionSpec {
    let call_policies = (0..rng.below(4))
        .map(|_| CallSpec {
            target: *rng.pick(&TARGETS),
            selector: FixedBytes(*rng.pick(&SELECTORS)),
            maxValuePerUse: U256::from(rng.below(1_500)),
            valueLimit: limit(rng, true, clock),
            constraints: (0..rng.below(3))
                .map(|_| Constraint {
                    condition: condition(rng),
                    index: rng.below(3),
                    // Mostly small reference values, so limits charged with the word can pass.
                    refValue: if rng.chance(60) {
                        B256::from(U256::from(rng.below(1_000)))
                    } else {
                        edge_word(rng)
                    },
                    limit: if rng.chance(50) {
                        limit(rng, false, clock)
                    } else {
                        UsageLimit {
                            limitType: LimitType::Unlimited,
                            limit: U256::ZERO,
                            period: U48::ZERO,
                        }
                    },
                })
                .collect(),
        })
        .collect();
    let transfer_policies = (0..rng.below(3))
        .map(|_| TransferSpec {
            target: transfer_target(rng),
            maxValuePerUse: U256::from(rng.below(1_500)),
            valueLimit: limit(rng, true, clock),
        })
        .collect();
    SessionSpec {
        signer,
        expiresAt: U48::from(chain_now + 86_400 + rng.below(2_000_000)),
        feeLimit: {
            // Fees are never streamed by the wallet: lifetime or allowance.
            let mut fee = limit(rng, false, clock);
            if fee.limitType == LimitType::Stream {
                fee.limitType = LimitType::Lifetime;
                fee.period = U48::ZERO;
            }
            fee.limit = U256::from(rng.below(5)) * U256::from(1_000_000_000u64);
            fee
        },
        callPolicies: call_policies,
        transferPolicies: transfer_policies,
    }
}

fn gen_call(rng: &mut Rng, spec: &SessionSpec) -> Call {
    // Often a plain transfer aimed at a transfer policy, mostly within its per-use maximum.
    if let Some(p) = spec.transferPolicies.first().filter(|_| rng.chance(25)) {
        let value = if rng.chance(75) {
            U256::from(rng.below(p.maxValuePerUse.to::<u64>() + 1))
        } else {
            edge_amount(rng, p.maxValuePerUse)
        };
        return Call {
            to: if p.target == ANY_RECIPIENT {
                *rng.pick(&TARGETS)
            } else {
                p.target
            },
            value,
            data: Bytes::new(),
        };
    }
    let to = *rng.pick(&TARGETS);
    let value = U256::from(rng.below(2_000));
    let data = match rng.below(10) {
        0..=2 => Bytes::new(),
        3 => Bytes::from(vec![0xa9; 1 + rng.below(3) as usize]),
        _ => {
            let selector = match spec.callPolicies.first() {
                Some(p) if rng.chance(70) => p.selector.0,
                _ => *rng.pick(&SELECTORS),
            };
            let mut data = selector.to_vec();
            let words = rng.below(4);
            for _ in 0..words {
                data.extend_from_slice(edge_word(rng).as_slice());
            }
            if rng.chance(15) {
                data.truncate(4 + rng.below(100) as usize);
            }
            data.into()
        }
    };
    // Often aim exactly at a policy, with words at its constraints' reference values.
    if let Some(p) = spec
        .callPolicies
        .get(rng.below(4) as usize)
        .filter(|_| rng.chance(60))
    {
        let mut data = p.selector.to_vec();
        data.resize(4 + 32 * 3, 0);
        for c in &p.constraints {
            let at = 4 + 32 * c.index as usize;
            let word = match rng.below(4) {
                0 => c.refValue,
                1 => B256::from(U256::from_be_bytes(c.refValue.0).wrapping_add(U256::from(1))),
                2 => B256::from(U256::from_be_bytes(c.refValue.0).wrapping_sub(U256::from(1))),
                _ => edge_word(rng),
            };
            data[at..at + 32].copy_from_slice(word.as_slice());
        }
        let value = if rng.chance(75) {
            U256::from(rng.below(p.maxValuePerUse.to::<u64>() + 1))
        } else {
            edge_amount(rng, p.maxValuePerUse)
        };
        return Call {
            to: p.target,
            value,
            data: data.into(),
        };
    }
    Call { to, value, data }
}

/// Period ids for the signature when the engine refuses (the contract must refuse too): the
/// same layout, `now / period` for allowances, the claim time for streams.
fn fallback_period_ids(spec: &SessionSpec, calls: &[Call], now: u64) -> Vec<u64> {
    let id = |l: &UsageLimit| {
        let period: u64 = l.period.to();
        match l.limitType {
            LimitType::Allowance if period > 0 => now / period,
            LimitType::Stream => Stream::claim_time(now, now),
            _ => 0,
        }
    };
    let mut ids = vec![id(&spec.feeLimit)];
    for call in calls {
        if call.data.is_empty() {
            if let Some(p) = spec
                .transferPolicies
                .iter()
                .find(|p| p.target == call.to || p.target == ANY_RECIPIENT)
            {
                ids.push(id(&p.valueLimit));
            }
        } else if call.data.len() >= 4
            && let Some(p) = spec
                .callPolicies
                .iter()
                .find(|p| p.target == call.to && p.selector.0 == call.data[..4])
        {
            ids.push(id(&p.valueLimit));
            ids.extend(p.constraints.iter().map(|c| id(&c.limit)));
        }
    }
    ids
}

/// The stream behind a counter, if its limit is one.
fn stream_of(spec: &SessionSpec, key: LimitKey) -> Option<Stream> {
    let limit = match key {
        LimitKey::Fee => &spec.feeLimit,
        LimitKey::TransferValue { policy } => &spec.transferPolicies[policy as usize].valueLimit,
        LimitKey::CallValue { policy } => &spec.callPolicies[policy as usize].valueLimit,
        LimitKey::CallParam { policy, constraint } => {
            &spec.callPolicies[policy as usize].constraints[constraint as usize].limit
        }
    };
    Stream::of(limit)
}

#[test]
#[ignore = "needs a devnet: runs in `cargo xtask test` with SSO_DEVNET_JSON"]
fn devnet_session_engine_matches_contract() {
    let devnet: Value = serde_json::from_str(
        &std::fs::read_to_string(std::env::var("SSO_DEVNET_JSON").expect("SSO_DEVNET_JSON"))
            .unwrap(),
    )
    .unwrap();
    let chain = Chain {
        url: devnet["rpcUrl"].as_str().unwrap().to_owned(),
    };
    let address =
        |key: &str| -> Address { devnet["contracts"][key].as_str().unwrap().parse().unwrap() };
    let (factory, validator) = (address("accountFactory"), address("sessionKeyValidator"));
    let funder: Address = devnet["funder"]["address"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let chain_id = devnet["chainId"].as_u64().unwrap();

    // A real account from the factory, with the session validator installed by the account itself.
    let passkey = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    let point = passkey.verifying_key().to_encoded_point(false);
    let create = IFactory::createAccountCall {
        salt: B256::from(U256::from(std::process::id())),
        credentialId: Bytes::from(vec![7u8; 16]),
        publicKey: [
            B256::from_slice(point.x().unwrap()),
            B256::from_slice(point.y().unwrap()),
        ],
        originDomain: "chrome-extension://klngkmfjbnaadpkilgflmhgafbgidbnj".into(),
    };
    let lookup = IFactory::getAddressCall {
        salt: create.salt,
        credentialId: create.credentialId.clone(),
        publicKey: create.publicKey,
        originDomain: create.originDomain.clone(),
    };
    chain.send(funder, factory, &create.abi_encode());
    let account = IFactory::getAddressCall::abi_decode_returns(&chain.call(
        funder,
        factory,
        &lookup.abi_encode(),
    ))
    .unwrap();
    chain.rpc("anvil_impersonateAccount", json!([account]));
    chain.rpc("anvil_setBalance", json!([account, "0x3635c9adc5dea00000"]));
    let install = IModuleConfig::installModuleCall {
        moduleTypeId: U256::from(1),
        module: validator,
        initData: Bytes::new(),
    };
    chain.send(account, account, &install.abi_encode());

    let block = chain.rpc("eth_getBlockByNumber", json!(["latest", false]));
    let chain_now = u64::from_str_radix(
        block["timestamp"]
            .as_str()
            .unwrap()
            .trim_start_matches("0x"),
        16,
    )
    .unwrap();
    // `SSO_DIFFERENTIAL_SEED` varies the cases (`cargo xtask differential` runs many chunks).
    let seed = std::env::var("SSO_DIFFERENTIAL_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0);
    let mut rng = Rng(0x5e55_1011_d1ff ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let (mut compared, mut accepted, mut sessions) = (0usize, 0usize, 0usize);
    let mut disagreements = Vec::new();
    let mut refusals = std::collections::BTreeMap::<String, usize>::new();

    let total = comparisons();
    let started = std::time::Instant::now();
    while compared < total {
        sessions += 1;
        // Signers are globally unique on chain: derive them from the (per-run) account too.
        let key = SigningKey::from_slice(keccak256((rng.word(), account).abi_encode()).as_slice())
            .unwrap();
        let mut clock = chain_now + rng.below(3_600);
        let spec = gen_spec(&mut rng, signer_address(&key), chain_now, clock);
        let hash = session_hash(&spec);
        let proof = sign(&key, create_proof_digest(hash, account));
        let create = ISessionKeyValidator::createSessionCall {
            spec: spec.clone(),
            proof: proof.into(),
        };
        chain.send(account, validator, &create.abi_encode());

        let mut usage = Usage::default();
        let expires: u64 = spec.expiresAt.to();
        for _ in 0..1 + rng.below(8) {
            // Move time: small steps, jumps to period boundaries, past expiry.
            // Expiry probes do not move the session's clock; everything else does.
            let now = match rng.below(12) {
                7 => expires + rng.below(2),
                8 => expires - 1,
                step => {
                    clock = match step {
                        0..=3 => clock + rng.below(5),
                        4..=6 => {
                            let p = *rng.pick(&[60u64, 3600, 86_400]);
                            (clock / p + 1) * p + rng.below(2)
                        }
                        _ => clock + rng.below(20_000),
                    };
                    clock
                }
            };
            let calls: Vec<Call> = (0..if rng.chance(30) { rng.below(4) } else { 1 })
                .map(|_| gen_call(&mut rng, &spec))
                .collect();
            let batch = calls.len() != 1;
            let paymaster = rng.chance(10);
            let max_fee = U256::from(*rng.pick(&[0u64, 1, 10, 1_000, 2_000]));
            let gas = [rng.below(200_000), rng.below(500_000), rng.below(300_000)];
            let fee = max_fee * U256::from(gas.iter().sum::<u64>());

            let engine = policy::evaluate(
                &spec,
                &usage,
                &calls,
                Circumstances {
                    fee: (!paymaster).then_some(fee),
                    now,
                    clock: now,
                },
            );
            let period_ids = match &engine {
                Ok(allowed) => allowed.period_ids.clone(),
                Err(_) => fallback_period_ids(&spec, &calls, now),
            };
            let op = UserOperation {
                sender: account,
                nonce: U256::from_be_slice(spec.signer.as_slice()) << 64,
                factory: None,
                factory_data: None,
                call_data: if batch {
                    erc7579::execute_batch(&calls)
                } else {
                    erc7579::execute_single(&calls[0])
                },
                call_gas_limit: U256::from(gas[2]),
                verification_gas_limit: U256::from(gas[1]),
                pre_verification_gas: U256::from(gas[0]),
                max_fee_per_gas: max_fee,
                max_priority_fee_per_gas: U256::ZERO,
                signature: Bytes::new(),
                paymaster: None,
            };
            let op_hash = op.hash(ENTRY_POINT_V08, chain_id);
            let mut signature = validator.to_vec();
            signature.extend_from_slice(&signature_data(&sign(&key, op_hash), &spec, &period_ids));
            let mut full = op.signed();
            full.paymasterAndData = if paymaster {
                Bytes::from(vec![0xee; 52])
            } else {
                Bytes::new()
            };
            full.signature = signature.into();
            let validate = IValidator::validateUserOpCall {
                userOp: full,
                userOpHash: op_hash,
            }
            .abi_encode();
            let data: U256 = U256::from_be_slice(&chain.call(account, validator, &validate));
            let sig_failed = data & ((U256::from(1) << 160) - U256::from(1)) != U256::ZERO;
            let valid_until: u64 =
                ((data >> 160usize) & U256::from(0xffff_ffff_ffffu64)).to::<u64>();
            let valid_after: u64 = (data >> 208usize).to::<u64>();
            let contract_ok =
                !sig_failed && now > valid_after && (valid_until == 0 || now <= valid_until);
            compared += 1;
            let agree = match &engine {
                Ok(a) => {
                    contract_ok && a.valid_after == valid_after && a.valid_until == valid_until
                }
                Err(_) => !contract_ok,
            };
            if !agree {
                disagreements.push(format!(
                    "session {sessions} now {now}: engine {engine:?}, contract ok={contract_ok} (sigFailed={sig_failed}, range {valid_after}..={valid_until}), calls {calls:?}, spec {spec:?}"
                ));
                break;
            }
            if let Err(denied) = &engine {
                let name = format!("{denied:?}");
                let name = name.split([' ', '{']).next().unwrap_or_default().to_owned();
                *refusals.entry(name).or_default() += 1;
            }
            if let Ok(allowed) = engine {
                accepted += 1;
                chain.send(account, validator, &validate);
                allowed.increments.iter().for_each(|i| usage.apply(i));
                // The chain's view (`sessionState`) must give back the same lifetime counters.
                // Read at a mined block, whose timestamp is the one streams accrue to there.
                let (block, block_time) = chain.head();
                let state = ISessionKeyValidator::sessionStateCall {
                    account,
                    spec: spec.clone(),
                };
                let state = ISessionKeyValidator::sessionStateCall::abi_decode_returns(
                    &chain.call_at(account, validator, &state.abi_encode(), block),
                )
                .unwrap();
                let from_chain = Usage::from_chain(&spec, &state, block_time);
                for increment in allowed.increments.iter().filter(|i| i.period_id.is_none()) {
                    // A stream reports what is left of its accrual at the block's time, so
                    // usage reads back exactly up to that accrual.
                    let used = usage.used(increment.key, None);
                    let expected = match stream_of(&spec, increment.key) {
                        Some(stream) => used.min(stream.available(block_time)),
                        None => used,
                    };
                    assert_eq!(
                        from_chain.used(increment.key, None),
                        expected,
                        "sessionState disagrees with the engine's usage for {:?}",
                        increment.key
                    );
                }
            }
        }
    }
    println!(
        "session differential: {compared} decisions over {sessions} sessions ({accepted} accepted and executed, {} refused), {} disagreements, in {:.0} s",
        compared - accepted,
        disagreements.len(),
        started.elapsed().as_secs_f64()
    );
    println!("refusals by reason: {refusals:?}");
    assert!(
        disagreements.is_empty(),
        "engine and contract disagree:\n{}",
        disagreements.join("\n")
    );
    assert!(
        accepted > total / 10,
        "too few accepted cases ({accepted}) to mean anything"
    );
}
