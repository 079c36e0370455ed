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

/// The fields an EIP-712 domain may have, with the type each must be declared with.
const DOMAIN_FIELDS: [(&str, &str); 5] = [
    ("name", "string"),
    ("version", "string"),
    ("chainId", "uint256"),
    ("verifyingContract", "address"),
    ("salt", "bytes32"),
];

/// The dapp's EIP-712 domain separator, as verifiers compute it: over the fields its declared
/// `EIP712Domain` type lists, in that order (MetaMask's signing library and viem follow the
/// declared type); without a declared type, over the fields present, in the standard order
/// (viem's rule). A domain whose fields do not match its declared type — one present but not
/// declared, declared but absent, or declared with another type — or an empty domain is
/// refused: a signature over it would match no verifier's digest.
pub fn app_domain_separator(typed: &TypedData) -> Result<B256> {
    let refuse = |why: String| Error::invalid_params(format!("typed data: {why}"));
    let domain = &typed.domain;
    let word = |field: &str| -> Option<B256> {
        Some(match field {
            "name" => keccak256(domain.name.as_deref()?.as_bytes()),
            "version" => keccak256(domain.version.as_deref()?.as_bytes()),
            "chainId" => B256::from(domain.chain_id?),
            "verifyingContract" => domain.verifying_contract?.into_word(),
            "salt" => domain.salt?,
            _ => return None,
        })
    };
    let present: Vec<&str> = DOMAIN_FIELDS
        .iter()
        .map(|(field, _)| *field)
        .filter(|field| word(field).is_some())
        .collect();
    if present.is_empty() {
        return Err(refuse("the domain is empty".into()));
    }
    if !typed.resolver.contains_type_name("EIP712Domain") {
        return Ok(domain.separator());
    }
    let encoded = typed
        .resolver
        .encode_type("EIP712Domain")
        .map_err(|e| refuse(format!("EIP712Domain: {e}")))?;
    let fields = encoded
        .strip_prefix("EIP712Domain(")
        .and_then(|rest| rest.split_once(')'))
        .map(|(fields, _)| fields)
        .ok_or_else(|| refuse("EIP712Domain is not a struct type".into()))?;
    let mut declared = Vec::new();
    for field in fields.split(',').filter(|f| !f.is_empty()) {
        let (ty, name) = field
            .split_once(' ')
            .ok_or_else(|| refuse(format!("EIP712Domain field \"{field}\"")))?;
        match DOMAIN_FIELDS.iter().find(|(known, _)| *known == name) {
            Some((_, expected)) if *expected == ty => declared.push(name),
            Some((_, expected)) => {
                return Err(refuse(format!(
                    "the EIP712Domain type declares {name} as {ty}, not {expected}"
                )));
            }
            None => {
                return Err(refuse(format!(
                    "the EIP712Domain type declares \"{name}\", which is not an EIP-712 domain field"
                )));
            }
        }
    }
    let mut sorted = declared.clone();
    sorted.sort_unstable();
    let mut had = present.clone();
    had.sort_unstable();
    if sorted != had {
        return Err(refuse(format!(
            "the domain has {} but its EIP712Domain type declares {}",
            present.join(", "),
            if declared.is_empty() {
                "no field".to_owned()
            } else {
                declared.join(", ")
            }
        )));
    }
    let mut data = keccak256(encoded.as_bytes()).to_vec();
    for field in declared {
        data.extend_from_slice(word(field).expect("present, checked above").as_slice());
    }
    Ok(keccak256(data))
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
    let app_separator = app_domain_separator(typed)?;
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
    fn the_dapps_domain_is_hashed_as_viem_hashes_it() {
        // tests/fixtures/record-eip712.mjs: viem's hashTypedData over 45 typed data — declared
        // domain types in any order and subset, none declared, nested structs and arrays.
        let cases: Vec<serde_json::Value> =
            serde_json::from_str(include_str!("../tests/fixtures/eip712-viem.json")).unwrap();
        assert_eq!(cases.len(), 45);
        let mut reordered = 0;
        for case in &cases {
            let typed: TypedData = serde_json::from_value(case["typedData"].clone()).unwrap();
            let separator = app_domain_separator(&typed).unwrap();
            let hash = typed_data_hash(separator, typed.hash_struct().unwrap());
            assert_eq!(
                format!("{hash:?}"),
                case["hash"].as_str().unwrap(),
                "{}",
                case["name"]
            );
            // What the wallet signs over (the ERC-7739 suffix starts with this separator).
            let sign = typed_data_sign(&typed, Address::repeat_byte(0xaa), 1).unwrap();
            assert_eq!(sign.app_hash, hash, "{}", case["name"]);
            reordered += usize::from(separator != typed.domain.separator());
        }
        // Cases whose declared order is not the standard one: hashing the fields present in the
        // standard order (what the wallet did before) gives another digest for each of them.
        assert!(reordered >= 10, "{reordered}");
    }

    #[test]
    fn a_domain_that_does_not_match_its_declared_type_is_refused() {
        let with = |domain_type: serde_json::Value, domain: serde_json::Value| {
            let typed: TypedData = serde_json::from_value(json!({
                "types": {"EIP712Domain": domain_type, "M": [{"name": "x", "type": "uint256"}]},
                "primaryType": "M", "domain": domain, "message": {"x": 1}
            }))
            .unwrap();
            app_domain_separator(&typed).map_err(|e| e.to_string())
        };
        let permit2 = json!([{"name": "name", "type": "string"}, {"name": "chainId", "type": "uint256"},
            {"name": "verifyingContract", "type": "address"}]);
        let domain = json!({"name": "Permit2", "chainId": 1,
            "verifyingContract": "0x000000000022D473030F116dDEE9F6B43aC78BA3"});
        assert!(with(permit2.clone(), domain.clone()).is_ok());
        // A dapp sent a version its declared type does not have.
        let mut versioned = domain.clone();
        versioned["version"] = json!("1");
        let refused = with(permit2.clone(), versioned).unwrap_err();
        assert!(
            refused.contains("the domain has name, version, chainId, verifyingContract but its EIP712Domain type declares name, chainId, verifyingContract"),
            "{refused}"
        );
        // Declared but absent; declared with another type; not a domain field; empty.
        let mut absent = domain.clone();
        absent.as_object_mut().unwrap().remove("chainId");
        assert!(with(permit2.clone(), absent).is_err());
        let retyped =
            json!([{"name": "name", "type": "string"}, {"name": "chainId", "type": "uint64"}]);
        assert!(
            with(retyped, json!({"name": "x", "chainId": 1}))
                .unwrap_err()
                .contains("declares chainId as uint64, not uint256")
        );
        let unknown =
            json!([{"name": "name", "type": "string"}, {"name": "nonce", "type": "uint256"}]);
        assert!(with(unknown, json!({"name": "x"})).is_err());
        assert!(
            with(json!([]), json!({}))
                .unwrap_err()
                .contains("the domain is empty")
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
