//! The session key: a secp256k1 key the wallet generates for one session and never hands out.
//! The `SessionKeyValidator` recovers it with `ecrecover`, so it signs raw 32-byte digests
//! (the userOpHash, the create proof) as `r ‖ s ‖ v` with low `s` and `v ∈ {27, 28}`.

use alloy_primitives::{Address, B256, keccak256};
use ecdsa::hazmat::{SignPrimitive, bits2field};
use k256::elliptic_curve::sec1::ToEncodedPoint;
use k256::elliptic_curve::zeroize::Zeroize;
use k256::{NonZeroScalar, PublicKey, Secp256k1};

use crate::{Error, Result};

/// A session's private key: the secret scalar alone. Signing needs nothing else, so restoring
/// a stored key does not compute its public key (a scalar multiplication, ~0.2 ms in the
/// extension's wasm, on every session transaction); [`SessionKey::address`] computes it when
/// asked. `Debug` never prints the key; it is zeroed when dropped.
#[derive(Clone)]
pub struct SessionKey(NonZeroScalar);

impl Drop for SessionKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SessionKey({})", self.address())
    }
}

impl SessionKey {
    /// A fresh key from the operating system's (the browser's `crypto.getRandomValues`) RNG.
    pub fn generate() -> Self {
        SessionKey(NonZeroScalar::random(&mut rand_core::OsRng))
    }

    /// Restores a stored key (32-byte scalar, non-zero and below the group order).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        NonZeroScalar::try_from(bytes)
            .map(SessionKey)
            .map_err(|_| Error::Storage("a stored session key is malformed".into()))
    }

    /// The 32-byte scalar, for storage.
    pub fn to_bytes(&self) -> B256 {
        B256::from_slice(&self.0.to_bytes())
    }

    /// The Ethereum address of the key: the session's `signer`.
    pub fn address(&self) -> Address {
        let point = PublicKey::from_secret_scalar(&self.0).to_encoded_point(false);
        Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..])
    }

    /// Signs a raw digest (no EIP-191 prefix): `r ‖ s ‖ v`, low `s`, `v = 27 + recovery id`.
    /// Deterministic (RFC 6979 with SHA-256): the signature k256's `SigningKey` gives.
    pub fn sign_hash(&self, digest: B256) -> Result<[u8; 65]> {
        let failed = |e: ecdsa::Error| Error::Internal(format!("session key signature: {e}"));
        let z = bits2field::<Secp256k1>(digest.as_slice()).map_err(failed)?;
        let (signature, recovery) = self
            .0
            .as_ref()
            .try_sign_prehashed_rfc6979::<sha2::Sha256>(&z, &[])
            .map_err(failed)?;
        let recovery = recovery.ok_or_else(|| failed(ecdsa::Error::new()))?;
        // k256 signs with low s already; normalise anyway so the validator's low-s rule holds.
        let (signature, recovery) = match signature.normalize_s() {
            Some(normalized) => (
                normalized,
                k256::ecdsa::RecoveryId::new(!recovery.is_y_odd(), recovery.is_x_reduced()),
            ),
            None => (signature, recovery),
        };
        let mut out = [0u8; 65];
        out[..64].copy_from_slice(&signature.to_bytes());
        out[64] = 27 + recovery.to_byte();
        Ok(out)
    }
}

/// Who signed `digest` with `r ‖ s ‖ v` (raw, no prefix), as OpenZeppelin's `ECDSA.tryRecover`
/// decides it: `v` 27 or 28 and low `s`, else nobody.
pub fn recover_signer(digest: B256, signature: &[u8; 65]) -> Option<Address> {
    let v = signature[64].checked_sub(27).filter(|v| *v <= 1)?;
    let parsed = k256::ecdsa::Signature::from_slice(&signature[..64]).ok()?;
    if parsed.normalize_s().is_some() {
        return None;
    }
    let recovery = k256::ecdsa::RecoveryId::from_byte(v)?;
    let key = k256::ecdsa::VerifyingKey::recover_from_prehash(digest.as_slice(), &parsed, recovery)
        .ok()?;
    let point = key.to_encoded_point(false);
    Some(Address::from_slice(
        &keccak256(&point.as_bytes()[1..])[12..],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};

    #[test]
    fn signatures_recover_to_the_key_address_with_low_s() {
        let key = SessionKey::generate();
        for i in 0..32u8 {
            let digest = keccak256([i]);
            let bytes = key.sign_hash(digest).unwrap();
            assert!(bytes[64] == 27 || bytes[64] == 28);
            let s = alloy_primitives::U256::from_be_slice(&bytes[32..64]);
            let half_n = alloy_primitives::U256::from_str_radix(
                "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0",
                16,
            )
            .unwrap();
            assert!(s <= half_n, "high s");
            let signature = Signature::from_slice(&bytes[..64]).unwrap();
            let recovery = RecoveryId::from_byte(bytes[64] - 27).unwrap();
            let recovered =
                VerifyingKey::recover_from_prehash(digest.as_slice(), &signature, recovery)
                    .unwrap();
            assert_eq!(
                recovered,
                VerifyingKey::from(PublicKey::from_secret_scalar(&key.0))
            );
            assert_eq!(recover_signer(digest, &bytes), Some(key.address()));
            // As the contract: v must be 27 or 28, and s low.
            let mut zero_v = bytes;
            zero_v[64] -= 27;
            assert_eq!(recover_signer(digest, &zero_v), None);
            let mut high = bytes;
            let n = alloy_primitives::U256::from_str_radix(
                "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
                16,
            )
            .unwrap();
            high[32..64].copy_from_slice(&(n - s).to_be_bytes::<32>());
            high[64] = 55 - bytes[64];
            assert_eq!(recover_signer(digest, &high), None);
        }
    }

    #[test]
    fn signs_as_k256s_signing_key_does() {
        for _ in 0..8 {
            let key = SessionKey::generate();
            let reference = k256::ecdsa::SigningKey::from_slice(key.to_bytes().as_slice()).unwrap();
            for i in 0..16u8 {
                let digest = keccak256([i, 7]);
                let (signature, recovery) = reference
                    .sign_prehash_recoverable(digest.as_slice())
                    .unwrap();
                let ours = key.sign_hash(digest).unwrap();
                assert_eq!(ours[..64], signature.to_bytes()[..]);
                assert_eq!(ours[64], 27 + recovery.to_byte());
            }
        }
    }

    #[test]
    fn keys_round_trip_and_are_distinct() {
        let key = SessionKey::generate();
        let back = SessionKey::from_bytes(key.to_bytes().as_slice()).unwrap();
        assert_eq!(back.address(), key.address());
        assert_ne!(SessionKey::generate().address(), key.address());
        assert!(SessionKey::from_bytes(&[0u8; 32]).is_err());
        assert!(!format!("{key:?}").contains(&key.to_bytes().to_string()[2..]));
    }
}
