//! Passkeys (WebAuthn, ES256): reading the public key out of an attestation object, checking an
//! assertion exactly as the on-chain `WebAuthnValidator` does, and encoding it in the validator's
//! signature format `validator ‖ abi.encode(bytes authenticatorData, string clientDataJSON,
//! bytes32[2] rs, bytes credentialId, uint256 p256Verifier)`, and which P-256 verifier a chain
//! runs ([`P256Verifier`]).

use alloy_primitives::{Address, B256, Bytes, U256, b256};
use alloy_sol_types::SolValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciborium::Value as Cbor;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// Authenticator flag: user present.
pub const FLAG_UP: u8 = 0x01;
/// Authenticator flag: user verified.
pub const FLAG_UV: u8 = 0x04;
/// Authenticator flag: attested credential data included.
pub const FLAG_AT: u8 = 0x40;

/// The P-256 verifier the validator runs for a signature (its `p256Verifier` word). Both check
/// the same equation, so the choice is no security parameter; it lets validation take one path
/// without probing `0x100`, which on a chain without the precompile is a call to an address
/// without code that ERC-7562 bundlers refuse (OP-041). The wallet detects the precompile per
/// chain ([`P256Verifier::from_probe`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum P256Verifier {
    /// OpenZeppelin's Solidity implementation: works everywhere, about 250,000 gas.
    Solidity,
    /// The P256VERIFY precompile at `0x100` (EIP-7951 on Ethereum since Osaka, RIP-7212 on
    /// rollups): a few thousand gas.
    Precompile,
}

/// A valid P-256 signature with small `r`, `s` (Wycheproof `ecdsa_secp256r1_sha256_p1363`,
/// the vector OpenZeppelin's `P256` probes with): `hash ‖ r ‖ s ‖ x ‖ y`, the P256VERIFY input.
const PROBE: [B256; 5] = [
    b256!("bb5a52f42f9c9261ed4361f59422a1e30036e7c32b270c8807a419feca605023"),
    b256!("0000000000000000000000000000000000000000000000000000000000000005"),
    b256!("0000000000000000000000000000000000000000000000000000000000000001"),
    b256!("a71af64de5126a4a4e02b7922d66ce9415ce88a4c9d25514d91082c8725ac957"),
    b256!("5d47723c8fbe580bb369fec9c2665d8e30a435b9932645482e7c9f11e872296b"),
];

impl P256Verifier {
    /// The precompile's address.
    pub const PRECOMPILE: Address =
        alloy_primitives::address!("0000000000000000000000000000000000000100");

    /// Calldata of an `eth_call` to [`Self::PRECOMPILE`] that tells whether it is there: a valid
    /// signature, which the precompile answers with `1` and an address without code with nothing.
    pub fn probe_calldata() -> Bytes {
        PROBE.concat().into()
    }

    /// The verifier a chain runs, from what its `eth_call` of [`Self::probe_calldata`] answered.
    pub fn from_probe(answer: &[u8]) -> P256Verifier {
        if answer.len() == 32 && U256::from_be_slice(answer) == U256::from(1) {
            P256Verifier::Precompile
        } else {
            P256Verifier::Solidity
        }
    }

    /// The signature's `p256Verifier` word.
    pub fn word(self) -> U256 {
        match self {
            P256Verifier::Solidity => U256::ZERO,
            P256Verifier::Precompile => U256::from(1),
        }
    }

    /// Verification gas the real signature uses beyond the gas-estimation dummy
    /// ([`dummy_user_op_signature`], which fails at the challenge before the key lookup, the
    /// hashing and the P-256 check): measured by `contracts/test/Gas.t.sol` against the same
    /// numbers (`tests/abi_artifacts.rs` keeps them equal)
    /// (`test_gas_dummySkips_*`: 27,139 with P256VERIFY at Osaka's price, 253,723–259,163 in
    /// Solidity), with a margin for longer client data and the Solidity path's variation.
    pub fn headroom(self) -> u64 {
        match self {
            P256Verifier::Solidity => 300_000,
            P256Verifier::Precompile => 35_000,
        }
    }
}

/// A passkey as the wallet and the validator know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Passkey {
    /// The credential id the authenticator assigned.
    pub credential_id: Bytes,
    /// The P-256 public key as `(x, y)`.
    pub public_key: [B256; 2],
}

/// What `navigator.credentials.get` returned, as raw bytes (`Default`: none yet, empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Assertion {
    /// `response.authenticatorData`.
    pub authenticator_data: Bytes,
    /// `response.clientDataJSON`, which browsers always produce as UTF-8.
    pub client_data_json: String,
    /// `response.signature` (DER-encoded ECDSA).
    pub signature: Bytes,
}

fn err(message: impl Into<String>) -> Error {
    Error::WebAuthn(message.into())
}

/// Reads the credential id and P-256 public key from a WebAuthn attestation object
/// (`response.attestationObject`), checking the flags a wallet passkey must have.
pub fn parse_attestation_object(attestation_object: &[u8]) -> Result<Passkey> {
    let value: Cbor = ciborium::from_reader(attestation_object)
        .map_err(|e| err(format!("attestation object is not CBOR: {e}")))?;
    let map = value
        .as_map()
        .ok_or_else(|| err("attestation object is not a CBOR map"))?;
    let auth_data = map
        .iter()
        .find(|(k, _)| k.as_text() == Some("authData"))
        .and_then(|(_, v)| v.as_bytes())
        .ok_or_else(|| err("attestation object has no authData"))?;
    parse_attested_auth_data(auth_data)
}

/// Parses authenticator data that carries attested credential data.
pub fn parse_attested_auth_data(auth_data: &[u8]) -> Result<Passkey> {
    // rpIdHash (32) ‖ flags (1) ‖ signCount (4) ‖ aaguid (16) ‖ idLen (2) ‖ id ‖ COSE key
    if auth_data.len() < 55 {
        return Err(err("authenticator data is too short"));
    }
    let flags = auth_data[32];
    if flags & FLAG_AT == 0 {
        return Err(err("authenticator data has no attested credential"));
    }
    if flags & (FLAG_UP | FLAG_UV) != FLAG_UP | FLAG_UV {
        return Err(err("the passkey was created without user verification"));
    }
    let id_len = u16::from_be_bytes([auth_data[53], auth_data[54]]) as usize;
    let id_end = 55 + id_len;
    let credential_id = auth_data
        .get(55..id_end)
        .ok_or_else(|| err("credential id runs past the authenticator data"))?;
    if credential_id.len() < 16 {
        return Err(err("credential id is shorter than 16 bytes"));
    }
    let cose: Cbor = ciborium::from_reader(&auth_data[id_end..])
        .map_err(|e| err(format!("credential public key is not CBOR: {e}")))?;
    Ok(Passkey {
        credential_id: Bytes::copy_from_slice(credential_id),
        public_key: cose_p256_key(&cose)?,
    })
}

/// Extracts `(x, y)` from a COSE EC2 P-256 ES256 key and checks the point is on the curve.
fn cose_p256_key(cose: &Cbor) -> Result<[B256; 2]> {
    let map = cose.as_map().ok_or_else(|| err("COSE key is not a map"))?;
    let get = |label: i64| {
        map.iter()
            .find(|(k, _)| k.as_integer().and_then(|i| i64::try_from(i).ok()) == Some(label))
            .map(|(_, v)| v)
    };
    let int = |label| {
        get(label)
            .and_then(Cbor::as_integer)
            .and_then(|i| i64::try_from(i).ok())
    };
    if int(1) != Some(2) || int(3) != Some(-7) || int(-1) != Some(1) {
        return Err(err("the passkey is not an ES256 (P-256) key"));
    }
    let coord = |label| -> Result<B256> {
        let bytes = get(label)
            .and_then(Cbor::as_bytes)
            .filter(|b| b.len() == 32)
            .ok_or_else(|| err("COSE key coordinate missing or not 32 bytes"))?;
        Ok(B256::from_slice(bytes))
    };
    let key = [coord(-2)?, coord(-3)?];
    verifying_key(&key)?;
    Ok(key)
}

fn verifying_key(key: &[B256; 2]) -> Result<VerifyingKey> {
    let mut sec1 = [0u8; 65];
    sec1[0] = 4;
    sec1[1..33].copy_from_slice(key[0].as_slice());
    sec1[33..].copy_from_slice(key[1].as_slice());
    VerifyingKey::from_sec1_bytes(&sec1).map_err(|_| err("public key is not a P-256 point"))
}

/// Converts a DER ECDSA signature into `(r, s)` with `s` normalised to the lower half of the
/// curve order, as the validator requires.
pub fn der_to_low_s_rs(der: &[u8]) -> Result<(Signature, [B256; 2])> {
    let sig = Signature::from_der(der).map_err(|_| err("signature is not DER-encoded ECDSA"))?;
    let sig = sig.normalize_s().unwrap_or(sig);
    let (r, s) = sig.split_bytes();
    Ok((sig, [B256::from_slice(&r), B256::from_slice(&s)]))
}

/// The `challenge` member of clientDataJSON for a 32-byte hash.
pub fn challenge(hash: B256) -> String {
    URL_SAFE_NO_PAD.encode(hash)
}

/// Checks clientDataJSON the way the validator does (the WebAuthn "limited verification" of the
/// fixed serialization browsers produce) and returns its origin.
pub fn check_client_data(client_data_json: &str, hash: B256) -> Result<&str> {
    let prefix = format!(
        "{{\"type\":\"webauthn.get\",\"challenge\":\"{}\",\"origin\":\"",
        challenge(hash)
    );
    let rest = client_data_json
        .strip_prefix(&prefix)
        .ok_or_else(|| err("clientDataJSON is not a webauthn.get over this request"))?;
    let end = rest
        .find('"')
        .ok_or_else(|| err("clientDataJSON origin is not terminated"))?;
    let (origin, tail) = (&rest[..end], &rest[end + 1..]);
    if !(tail.starts_with('}') || tail.starts_with(",\"crossOrigin\":false")) {
        return Err(err("cross-origin assertions are not accepted"));
    }
    Ok(origin)
}

/// Verifies an assertion over `hash` for `passkey` at `expected_origin`, with the same checks as
/// the on-chain validator, so a bad assertion is caught before it costs a bundler round trip.
pub fn verify_assertion(
    passkey: &Passkey,
    assertion: &Assertion,
    hash: B256,
    expected_origin: &str,
) -> Result<[B256; 2]> {
    check_assertion_shape(assertion, hash, expected_origin)?;
    let (sig, rs) = der_to_low_s_rs(&assertion.signature)?;
    verifying_key(&passkey.public_key)?
        .verify(&signed_message(assertion), &sig)
        .map_err(|_| err("the passkey signature does not verify"))?;
    Ok(rs)
}

/// The validator's checks besides the signature: user present and verified, a `webauthn.get`
/// over `hash`, made at `expected_origin`.
fn check_assertion_shape(assertion: &Assertion, hash: B256, expected_origin: &str) -> Result<()> {
    let auth = &assertion.authenticator_data;
    if auth.len() < 37 {
        return Err(err("authenticator data is too short"));
    }
    if auth[32] & (FLAG_UP | FLAG_UV) != FLAG_UP | FLAG_UV {
        return Err(err("the authenticator did not verify the user"));
    }
    let origin = check_client_data(&assertion.client_data_json, hash)?;
    if origin != expected_origin {
        return Err(err(format!(
            "assertion made for {origin}, expected {expected_origin}"
        )));
    }
    Ok(())
}

/// What the authenticator signed: `authenticatorData ‖ sha256(clientDataJSON)`.
fn signed_message(assertion: &Assertion) -> Vec<u8> {
    let mut message = assertion.authenticator_data.to_vec();
    message.extend_from_slice(&Sha256::digest(assertion.client_data_json.as_bytes()));
    message
}

/// The candidate public keys of the passkey that made `assertion` over `hash` (ECDSA public-key
/// recovery: up to four points, usually two). Used to log back in to an account that is not
/// deployed yet, whose key is not on chain: two assertions by the same passkey have exactly one
/// candidate in common ([`recover_public_key`]). Checks the assertion like [`verify_assertion`].
pub fn public_key_candidates(
    assertion: &Assertion,
    hash: B256,
    expected_origin: &str,
) -> Result<Vec<[B256; 2]>> {
    check_assertion_shape(assertion, hash, expected_origin)?;
    let (sig, _) = der_to_low_s_rs(&assertion.signature)?;
    let prehash = Sha256::digest(signed_message(assertion));
    let mut keys = Vec::new();
    for id in 0..4u8 {
        let Some(recovery_id) = ecdsa::RecoveryId::from_byte(id) else {
            continue;
        };
        if let Ok(key) = VerifyingKey::recover_from_prehash(&prehash, &sig, recovery_id) {
            let point = key.to_encoded_point(false);
            let (Some(x), Some(y)) = (point.x(), point.y()) else {
                continue;
            };
            let key = [B256::from_slice(x), B256::from_slice(y)];
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    Ok(keys)
}

/// The one public key that made both assertions (each over its own hash), or an error when the
/// assertions do not come from one passkey.
pub fn recover_public_key(
    first: (&Assertion, B256),
    second: (&Assertion, B256),
    expected_origin: &str,
) -> Result<[B256; 2]> {
    let a = public_key_candidates(first.0, first.1, expected_origin)?;
    let b = public_key_candidates(second.0, second.1, expected_origin)?;
    let common: Vec<_> = a.into_iter().filter(|k| b.contains(k)).collect();
    match common.as_slice() {
        [key] => Ok(*key),
        [] => Err(err(
            "the two passkey signatures do not come from one passkey",
        )),
        _ => Err(err("the passkey's public key is ambiguous; sign once more")),
    }
}

/// The validator's signature data (without the validator prefix).
pub fn signature_data(
    authenticator_data: &[u8],
    client_data_json: &str,
    rs: [B256; 2],
    credential_id: &[u8],
    verifier: P256Verifier,
) -> Bytes {
    (
        Bytes::copy_from_slice(authenticator_data),
        client_data_json.to_owned(),
        rs,
        Bytes::copy_from_slice(credential_id),
        verifier.word(),
    )
        .abi_encode_params()
        .into()
}

/// The challenge a new passkey signs to prove it is its owner's when it is registered with
/// `WebAuthnValidator.addValidationKey` (the contract's `registrationChallenge`): bound to the
/// account, the chain and the validator, so the proof cannot be replayed for another account,
/// chain or validator.
pub fn registration_challenge(
    account: Address,
    chain_id: u64,
    validator: Address,
    passkey: &Passkey,
    origin: &str,
) -> B256 {
    let typehash = alloy_primitives::keccak256(
        "SsoWalletKeyRegistration(address account,uint256 chainId,address validator,bytes credentialId,bytes32[2] publicKey,string originDomain)",
    );
    alloy_primitives::keccak256(
        (
            typehash,
            account,
            alloy_primitives::U256::from(chain_id),
            validator,
            alloy_primitives::keccak256(&passkey.credential_id),
            passkey.public_key[0],
            passkey.public_key[1],
            alloy_primitives::keccak256(origin),
        )
            .abi_encode(),
    )
}

/// `validator ‖ signature data` for a UserOperation.
pub fn user_op_signature(validator: Address, data: &[u8]) -> Bytes {
    let mut out = validator.to_vec();
    out.extend_from_slice(data);
    out.into()
}

/// A well-formed signature of the real shape and size that fails verification: used for gas
/// estimation so validation returns "failed" instead of reverting.
pub fn dummy_user_op_signature(
    validator: Address,
    origin: &str,
    credential_id: &[u8],
    verifier: P256Verifier,
) -> Bytes {
    let mut auth_data = vec![0u8; 37];
    auth_data[32] = FLAG_UP | FLAG_UV;
    let client_data = format!(
        "{{\"type\":\"webauthn.get\",\"challenge\":\"{}\",\"origin\":\"{origin}\",\"crossOrigin\":false}}",
        challenge(B256::ZERO)
    );
    // A non-zero, low-s (r, s) so the verification path is the real one.
    let rs = [B256::repeat_byte(0x11), B256::repeat_byte(0x11)];
    user_op_signature(
        validator,
        &signature_data(&auth_data, &client_data, rs, credential_id, verifier),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::SigningKey;

    #[test]
    fn registration_challenge_matches_the_validators_formula() {
        // Computed independently with `cast keccak` / `cast abi-encode` of the contract's
        // `keccak256(abi.encode(TYPEHASH, account, chainid, validator, keccak(credentialId), x, y,
        // keccak(origin)))`.
        let passkey = Passkey {
            credential_id: alloy_primitives::hex!("00112233445566778899aabbccddeeff")
                .to_vec()
                .into(),
            public_key: [B256::repeat_byte(0x11), B256::repeat_byte(0x22)],
        };
        assert_eq!(
            registration_challenge(
                Address::repeat_byte(0xac),
                31337,
                Address::repeat_byte(0x77),
                &passkey,
                "chrome-extension://abc",
            ),
            alloy_primitives::b256!(
                "4d4217d246a5336e785c52854bf9d83db74feb4de1677808beccc6cabd53e052"
            )
        );
    }
    use p256::ecdsa::signature::Signer;
    use rand_core::OsRng;

    const ORIGIN: &str = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";

    fn passkey_of(key: &SigningKey) -> Passkey {
        let point = key.verifying_key().to_encoded_point(false);
        Passkey {
            credential_id: Bytes::from(vec![7u8; 16]),
            public_key: [
                B256::from_slice(point.x().unwrap()),
                B256::from_slice(point.y().unwrap()),
            ],
        }
    }

    fn assert_over(key: &SigningKey, flags: u8, client_data: String) -> Assertion {
        let mut auth = vec![0u8; 37];
        auth[32] = flags;
        let mut message = auth.clone();
        message.extend_from_slice(&Sha256::digest(client_data.as_bytes()));
        let sig: Signature = key.sign(&message);
        Assertion {
            authenticator_data: auth.into(),
            client_data_json: client_data,
            signature: sig.to_der().as_bytes().to_vec().into(),
        }
    }

    fn client_data(hash: B256, tail: &str) -> String {
        format!(
            "{{\"type\":\"webauthn.get\",\"challenge\":\"{}\",\"origin\":\"{ORIGIN}\"{tail}",
            challenge(hash)
        )
    }

    #[test]
    fn valid_assertion_verifies_and_yields_low_s() {
        let key = SigningKey::random(&mut OsRng);
        let hash = B256::repeat_byte(9);
        let a = assert_over(&key, 0x05, client_data(hash, ",\"crossOrigin\":false}"));
        let rs = verify_assertion(&passkey_of(&key), &a, hash, ORIGIN).unwrap();
        let half_n = alloy_primitives::U256::from_str_radix(
            "7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8",
            16,
        )
        .unwrap();
        assert!(alloy_primitives::U256::from_be_bytes(rs[1].0) <= half_n);
    }

    #[test]
    fn rejects_wrong_challenge_missing_uv_cross_origin_and_wrong_key() {
        let key = SigningKey::random(&mut OsRng);
        let pk = passkey_of(&key);
        let hash = B256::repeat_byte(9);
        let other = B256::repeat_byte(8);
        let ok_tail = ",\"crossOrigin\":false}";
        let wrong_challenge = assert_over(&key, 0x05, client_data(other, ok_tail));
        assert!(verify_assertion(&pk, &wrong_challenge, hash, ORIGIN).is_err());
        let no_uv = assert_over(&key, 0x01, client_data(hash, ok_tail));
        assert!(verify_assertion(&pk, &no_uv, hash, ORIGIN).is_err());
        let cross = assert_over(&key, 0x05, client_data(hash, ",\"crossOrigin\":true}"));
        assert!(verify_assertion(&pk, &cross, hash, ORIGIN).is_err());
        let good = assert_over(&key, 0x05, client_data(hash, ok_tail));
        assert!(verify_assertion(&pk, &good, hash, "chrome-extension://other").is_err());
        let stranger = passkey_of(&SigningKey::random(&mut OsRng));
        assert!(verify_assertion(&stranger, &good, hash, ORIGIN).is_err());
    }

    #[test]
    fn two_assertions_recover_the_passkey_public_key() {
        let key = SigningKey::random(&mut OsRng);
        let ok_tail = ",\"crossOrigin\":false}";
        let (h1, h2) = (B256::repeat_byte(1), B256::repeat_byte(2));
        let a1 = assert_over(&key, 0x05, client_data(h1, ok_tail));
        let a2 = assert_over(&key, 0x05, client_data(h2, ok_tail));
        let candidates = public_key_candidates(&a1, h1, ORIGIN).unwrap();
        assert!(candidates.contains(&passkey_of(&key).public_key));
        let recovered = recover_public_key((&a1, h1), (&a2, h2), ORIGIN).unwrap();
        assert_eq!(recovered, passkey_of(&key).public_key);
        // Another passkey's second signature has no key in common with the first.
        let other = assert_over(
            &SigningKey::random(&mut OsRng),
            0x05,
            client_data(h2, ok_tail),
        );
        assert!(recover_public_key((&a1, h1), (&other, h2), ORIGIN).is_err());
        // The same checks as verification: challenge and origin.
        assert!(public_key_candidates(&a1, h2, ORIGIN).is_err());
        assert!(public_key_candidates(&a1, h1, "chrome-extension://other").is_err());
    }

    #[test]
    fn attestation_object_yields_credential_and_key() {
        let key = SigningKey::random(&mut OsRng);
        let pk = passkey_of(&key);
        let cose = Cbor::Map(vec![
            (Cbor::Integer(1.into()), Cbor::Integer(2.into())),
            (Cbor::Integer(3.into()), Cbor::Integer((-7).into())),
            (Cbor::Integer((-1).into()), Cbor::Integer(1.into())),
            (
                Cbor::Integer((-2).into()),
                Cbor::Bytes(pk.public_key[0].to_vec()),
            ),
            (
                Cbor::Integer((-3).into()),
                Cbor::Bytes(pk.public_key[1].to_vec()),
            ),
        ]);
        let mut auth = vec![0u8; 32];
        auth.push(0x45);
        auth.extend_from_slice(&[0, 0, 0, 0]);
        auth.extend_from_slice(&[0u8; 16]);
        auth.extend_from_slice(&(pk.credential_id.len() as u16).to_be_bytes());
        auth.extend_from_slice(&pk.credential_id);
        ciborium::into_writer(&cose, &mut auth).unwrap();
        let att = Cbor::Map(vec![
            (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(vec![])),
            (Cbor::Text("authData".into()), Cbor::Bytes(auth)),
        ]);
        let mut bytes = Vec::new();
        ciborium::into_writer(&att, &mut bytes).unwrap();
        assert_eq!(parse_attestation_object(&bytes).unwrap(), pk);
        assert!(parse_attestation_object(&bytes[..bytes.len() - 3]).is_err());
        assert!(parse_attestation_object(b"not cbor").is_err());
    }

    #[test]
    fn dummy_signature_has_real_shape() {
        let validator = Address::repeat_byte(0x42);
        for verifier in [P256Verifier::Solidity, P256Verifier::Precompile] {
            let sig = dummy_user_op_signature(validator, ORIGIN, &[7u8; 16], verifier);
            assert_eq!(&sig[..20], validator.as_slice());
            let (auth, cdj, rs, id, word) =
                <(Bytes, String, [B256; 2], Bytes, U256)>::abi_decode_params(&sig[20..]).unwrap();
            assert_eq!(auth.len(), 37);
            assert_eq!(check_client_data(&cdj, B256::ZERO).unwrap(), ORIGIN);
            assert_ne!(rs[0], B256::ZERO);
            assert_eq!(id.len(), 16);
            assert_eq!(word, verifier.word());
        }
    }

    #[test]
    fn verifier_words_and_probe() {
        assert_eq!(P256Verifier::Solidity.word(), U256::ZERO);
        assert_eq!(P256Verifier::Precompile.word(), U256::from(1));
        assert_eq!(P256Verifier::probe_calldata().len(), 160);
        // The probe is a valid signature: the precompile would answer 1.
        let [hash, r, s, x, y] = PROBE;
        let mut sec1 = vec![4u8];
        sec1.extend_from_slice(x.as_slice());
        sec1.extend_from_slice(y.as_slice());
        let key = VerifyingKey::from_sec1_bytes(&sec1).unwrap();
        let sig = Signature::from_scalars(r.0, s.0).unwrap();
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        key.verify_prehash(hash.as_slice(), &sig).unwrap();
        // What a node answers: 1 from the precompile; nothing (or anything else) without it.
        let one = U256::from(1).to_be_bytes::<32>();
        assert_eq!(P256Verifier::from_probe(&one), P256Verifier::Precompile);
        assert_eq!(P256Verifier::from_probe(&[]), P256Verifier::Solidity);
        assert_eq!(P256Verifier::from_probe(&[0u8; 32]), P256Verifier::Solidity);
        assert_eq!(P256Verifier::from_probe(&[1u8]), P256Verifier::Solidity);
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_never_panic_the_parsers(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = parse_attestation_object(&data);
            let _ = parse_attested_auth_data(&data);
            let _ = der_to_low_s_rs(&data);
        }
    }
}
