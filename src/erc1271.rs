//! Message signatures from the passkey account: ERC-1271 signatures made replay-safe with ERC-7739
//! (`PersonalSign` for `personal_sign`, `TypedDataSign` for `eth_signTypedData_v4`), wrapped in
//! ERC-6492 while the account is not deployed. The passkey signs the digest computed here; the
//! `WebAuthnValidator` recomputes it from the account's EIP-712 domain
//! `{name: "SsoAccount", version: "1", chainId, verifyingContract: account}`.

use alloy_dyn_abi::TypedData;
use alloy_primitives::{Address, B256, Bytes, U256, eip191_hash_message, keccak256};
use alloy_sol_types::SolValue;

use crate::{Error, Result};

/// The account's EIP-712 name.
pub const ACCOUNT_DOMAIN_NAME: &str = "SsoAccount";
/// The account's EIP-712 version.
pub const ACCOUNT_DOMAIN_VERSION: &str = "1";
/// ERC-6492's magic suffix.
pub const ERC6492_MAGIC: B256 =
    alloy_primitives::b256!("6492649264926492649264926492649264926492649264926492649264926492");

fn typed_data_hash(separator: B256, struct_hash: B256) -> B256 {
    let mut input = [0u8; 66];
    input[0] = 0x19;
    input[1] = 0x01;
    input[2..34].copy_from_slice(separator.as_slice());
    input[34..].copy_from_slice(struct_hash.as_slice());
    keccak256(input)
}

/// The account's EIP-712 domain separator.
pub fn account_domain_separator(account: Address, chain_id: u64) -> B256 {
    let typehash = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)",
    );
    keccak256(
        (
            typehash,
            keccak256(ACCOUNT_DOMAIN_NAME),
            keccak256(ACCOUNT_DOMAIN_VERSION),
            U256::from(chain_id),
            account,
        )
            .abi_encode(),
    )
}

/// `abi.encode(keccak(name), keccak(version), chainId, verifyingContract, salt)` of the account's
/// domain, as ERC-7739's `TypedDataSign` embeds it.
fn account_domain_bytes(account: Address, chain_id: u64) -> Vec<u8> {
    (
        keccak256(ACCOUNT_DOMAIN_NAME),
        keccak256(ACCOUNT_DOMAIN_VERSION),
        U256::from(chain_id),
        account,
        B256::ZERO,
    )
        .abi_encode()
}

/// What the passkey signs for `personal_sign(message)`, and the suffix of the signature (none).
pub fn personal_sign_digest(message: &[u8], account: Address, chain_id: u64) -> B256 {
    let contents = eip191_hash_message(message);
    let struct_hash = keccak256((keccak256("PersonalSign(bytes prefixed)"), contents).abi_encode());
    typed_data_hash(account_domain_separator(account, chain_id), struct_hash)
}

/// A typed-data request prepared for the passkey: the digest to sign and the ERC-7739 suffix
/// (`appSeparator ‖ contentsHash ‖ contentsDescr ‖ uint16(len)`) appended to the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedDataSign {
    /// What the passkey signs.
    pub digest: B256,
    /// Appended after the WebAuthn signature data.
    pub suffix: Bytes,
    /// The hash a verifier passes to `isValidSignature` (the app's EIP-712 signing hash).
    pub app_hash: B256,
}

/// Prepares `eth_signTypedData_v4` for the account (ERC-7739 `TypedDataSign`, implicit mode).
pub fn typed_data_sign(
    typed: &TypedData,
    account: Address,
    chain_id: u64,
) -> Result<TypedDataSign> {
    let bad = |e: alloy_dyn_abi::Error| Error::invalid_params(format!("typed data: {e}"));
    let app_separator = typed.domain.separator();
    let contents_hash = typed.hash_struct().map_err(bad)?;
    let contents_type = typed.encode_type().map_err(bad)?;
    let name = typed.primary_type.as_str();
    if name.is_empty()
        || name
            .bytes()
            .any(|c| matches!(c, 0 | b' ' | b',' | b'(' | b')'))
    {
        return Err(Error::invalid_params(format!(
            "typed data: primary type \"{name}\" cannot be nested (ERC-7739)"
        )));
    }
    if name == "EIP712Domain" {
        return Err(Error::invalid_params(
            "typed data: the primary type cannot be EIP712Domain",
        ));
    }
    let typehash = keccak256(format!(
        "TypedDataSign({name} contents,string name,string version,uint256 chainId,address verifyingContract,bytes32 salt){contents_type}"
    ));
    let mut packed = typehash.to_vec();
    packed.extend_from_slice(contents_hash.as_slice());
    packed.extend_from_slice(&account_domain_bytes(account, chain_id));
    let digest = typed_data_hash(app_separator, keccak256(packed));
    let descr = contents_type.as_bytes();
    let len = u16::try_from(descr.len())
        .map_err(|_| Error::invalid_params("typed data: type description too long"))?;
    let mut suffix = app_separator.to_vec();
    suffix.extend_from_slice(contents_hash.as_slice());
    suffix.extend_from_slice(descr);
    suffix.extend_from_slice(&len.to_be_bytes());
    Ok(TypedDataSign {
        digest,
        suffix: suffix.into(),
        app_hash: typed_data_hash(app_separator, contents_hash),
    })
}

/// ERC-6492 wrapping for a not-yet-deployed account:
/// `abi.encode(factory, factoryCalldata, signature) ‖ magic`.
pub fn wrap_erc6492(factory: Address, factory_data: &[u8], signature: &[u8]) -> Bytes {
    let mut out = (
        factory,
        Bytes::copy_from_slice(factory_data),
        Bytes::copy_from_slice(signature),
    )
        .abi_encode_params();
    out.extend_from_slice(ERC6492_MAGIC.as_slice());
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn typed_data_suffix_has_erc7739_layout() {
        let typed: TypedData = serde_json::from_value(json!({
            "types": {
                "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "chainId", "type": "uint256"}],
                "Mail": [{"name": "to", "type": "Person"}, {"name": "contents", "type": "string"}],
                "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}]
            },
            "primaryType": "Mail",
            "domain": {"name": "Ether Mail", "chainId": 31337},
            "message": {"to": {"name": "Bob", "wallet": "0x00000000000000000000000000000000000000bb"}, "contents": "Hi"}
        }))
        .unwrap();
        let account = Address::repeat_byte(0xaa);
        let sign = typed_data_sign(&typed, account, 31337).unwrap();
        let descr = "Mail(Person to,string contents)Person(string name,address wallet)";
        let suffix = sign.suffix.as_ref();
        assert_eq!(&suffix[..32], typed.domain.separator().as_slice());
        assert_eq!(&suffix[64..64 + descr.len()], descr.as_bytes());
        assert_eq!(
            u16::from_be_bytes([suffix[suffix.len() - 2], suffix[suffix.len() - 1]]) as usize,
            descr.len()
        );
        assert_eq!(sign.app_hash, typed.eip712_signing_hash().unwrap());
        // Bound to the account and chain.
        assert_ne!(
            sign.digest,
            typed_data_sign(&typed, Address::repeat_byte(1), 31337)
                .unwrap()
                .digest
        );
        assert_ne!(
            sign.digest,
            typed_data_sign(&typed, account, 1).unwrap().digest
        );
    }

    #[test]
    fn personal_sign_is_bound_to_account_and_chain() {
        let a = personal_sign_digest(b"hello", Address::repeat_byte(1), 31337);
        assert_ne!(
            a,
            personal_sign_digest(b"hello", Address::repeat_byte(2), 31337)
        );
        assert_ne!(
            a,
            personal_sign_digest(b"hello", Address::repeat_byte(1), 1)
        );
        assert_ne!(a, eip191_hash_message(b"hello"));
    }

    #[test]
    fn erc6492_wrapping_ends_with_magic() {
        let wrapped = wrap_erc6492(Address::repeat_byte(3), &[1, 2], &[9; 10]);
        assert_eq!(&wrapped[wrapped.len() - 32..], ERC6492_MAGIC.as_slice());
        let (factory, data, sig) =
            <(Address, Bytes, Bytes)>::abi_decode_params(&wrapped[..wrapped.len() - 32]).unwrap();
        assert_eq!(factory, Address::repeat_byte(3));
        assert_eq!(data.as_ref(), &[1, 2]);
        assert_eq!(sig.len(), 10);
    }
}
