//! The Rust bindings (`sol!`) must match what forge compiled: every function the wallet calls has
//! the same selector (which also pins the struct layouts inside its parameters) as in the
//! contract's artifact. Needs `contracts/out`, so it runs from `cargo xtask test` after forge.
//! Also: the verification head-room the wallet adds per P-256 path is the one `Gas.t.sol` checks
//! against the measured gas.

use std::collections::BTreeSet;
use std::path::PathBuf;

use alloy_sol_types::{SolCall, SolEvent};
use sso_wallet::abi::{
    IAccountFactory, IERC7579Execution, IERC7579ModuleConfig, IGuardianRecovery, IValidator,
    IWebAuthnValidator,
};
use sso_wallet::session::spec::ISessionKeyValidator;

/// The forge artifact of `contract`.
fn artifact(contract: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("contracts/out/{contract}.sol/{contract}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} — run `forge build` in contracts/", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn selectors(contract: &str) -> BTreeSet<String> {
    artifact(contract)["methodIdentifiers"]
        .as_object()
        .expect("artifact has methodIdentifiers")
        .values()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// `contract`'s artifact has the selector of the binding `C` (pinning its parameter types).
fn assert_has<C: SolCall>(contract: &str) {
    let hex = alloy_primitives::hex::encode(C::SELECTOR);
    assert!(
        selectors(contract).contains(&hex),
        "{contract} has no {} (selector {hex}): the Rust binding drifted from the contract",
        C::SIGNATURE
    );
}

#[test]
#[ignore = "needs contracts/out: runs in `cargo xtask test` after forge"]
fn bindings_match_compiled_contracts() {
    assert_has::<IAccountFactory::getAddressCall>("AccountFactory");
    assert_has::<IAccountFactory::createAccountCall>("AccountFactory");
    assert_has::<IERC7579Execution::executeCall>("SsoAccount");
    assert_has::<IERC7579ModuleConfig::installModuleCall>("SsoAccount");
    assert_has::<IERC7579ModuleConfig::isModuleInstalledCall>("SsoAccount");
    assert_has::<IWebAuthnValidator::getAccountKeyCall>("WebAuthnValidator");
    assert_has::<IWebAuthnValidator::getAccountListCall>("WebAuthnValidator");
    assert_has::<ISessionKeyValidator::createSessionCall>("SessionKeyValidator");
    assert_has::<ISessionKeyValidator::revokeKeyCall>("SessionKeyValidator");
    assert_has::<ISessionKeyValidator::revokeKeysCall>("SessionKeyValidator");
    assert_has::<ISessionKeyValidator::sessionStatusCall>("SessionKeyValidator");
    assert_has::<ISessionKeyValidator::sessionStateCall>("SessionKeyValidator");
    assert_has::<IValidator::validateUserOpCall>("SessionKeyValidator");
    assert_has::<IValidator::validateUserOpCall>("WebAuthnValidator");
    assert_has::<IValidator::validateUserOpCall>("GuardianRecovery");
    assert_has::<IGuardianRecovery::setGuardiansCall>("GuardianRecovery");
    assert_has::<IGuardianRecovery::cancelRecoveryCall>("GuardianRecovery");
    assert_has::<IGuardianRecovery::approveCall>("GuardianRecovery");
    assert_has::<IGuardianRecovery::approveWithSignaturesCall>("GuardianRecovery");
    assert_has::<IGuardianRecovery::finalizeCall>("GuardianRecovery");
    assert_has::<IGuardianRecovery::recoveryConfigCall>("GuardianRecovery");
    assert_has::<IGuardianRecovery::requestApprovalsCall>("GuardianRecovery");
    assert_has::<IGuardianRecovery::requestHashCall>("GuardianRecovery");
    assert_has::<IGuardianRecovery::approvalDigestCall>("GuardianRecovery");
}

#[test]
#[ignore = "needs contracts/out: runs in `cargo xtask test` after forge"]
fn recovery_events_match_compiled_contract() {
    let abi: alloy_json_abi::JsonAbi =
        serde_json::from_value(artifact("GuardianRecovery")["abi"].clone()).unwrap();
    let topics: BTreeSet<_> = abi.events().map(|e| e.selector()).collect();
    for topic in [
        IGuardianRecovery::GuardiansSet::SIGNATURE_HASH,
        IGuardianRecovery::RecoveryRequested::SIGNATURE_HASH,
        IGuardianRecovery::RecoveryApproved::SIGNATURE_HASH,
        IGuardianRecovery::RecoveryScheduled::SIGNATURE_HASH,
        IGuardianRecovery::RecoveryCancelled::SIGNATURE_HASH,
        IGuardianRecovery::RecoveryFinalized::SIGNATURE_HASH,
    ] {
        assert!(topics.contains(&topic), "{topic}");
    }
}

#[test]
#[ignore = "needs contracts/out: runs in `cargo xtask test` after forge"]
fn session_events_match_compiled_contract() {
    let abi: alloy_json_abi::JsonAbi =
        serde_json::from_value(artifact("SessionKeyValidator")["abi"].clone()).unwrap();
    let topics: BTreeSet<_> = abi.events().map(|e| e.selector()).collect();
    assert!(topics.contains(&ISessionKeyValidator::SessionCreated::SIGNATURE_HASH));
    assert!(topics.contains(&ISessionKeyValidator::SessionRevoked::SIGNATURE_HASH));
}

/// `uint256 internal constant NAME = 300_000;` in `contracts/test/Gas.t.sol`.
fn gas_test_constant(name: &str) -> u64 {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("contracts/test/Gas.t.sol");
    let source = std::fs::read_to_string(&path).unwrap();
    let prefix = format!("uint256 internal constant {name} = ");
    let start = source
        .find(&prefix)
        .unwrap_or_else(|| panic!("{name} not in Gas.t.sol"))
        + prefix.len();
    let value: String = source[start..]
        .chars()
        .take_while(|c| *c != ';')
        .filter(|c| *c != '_')
        .collect();
    value.trim().parse().unwrap()
}

#[test]
fn verification_headroom_is_the_one_the_gas_test_checks() {
    use sso_wallet::webauthn::P256Verifier;
    assert_eq!(
        P256Verifier::Solidity.headroom(),
        gas_test_constant("SOLIDITY_HEADROOM")
    );
    assert_eq!(
        P256Verifier::Precompile.headroom(),
        gas_test_constant("PRECOMPILE_HEADROOM")
    );
}

/// `Name(type,…)` of an ABI error entry (tuples expanded, as selectors are computed).
fn error_signature(entry: &serde_json::Value) -> String {
    fn ty(input: &serde_json::Value) -> String {
        let kind = input["type"].as_str().unwrap();
        match kind.strip_prefix("tuple") {
            Some(dims) => {
                let fields: Vec<String> = input["components"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(ty)
                    .collect();
                format!("({}){dims}", fields.join(","))
            }
            None => kind.to_owned(),
        }
    }
    let inputs: Vec<String> = entry["inputs"].as_array().unwrap().iter().map(ty).collect();
    format!("{}({})", entry["name"].as_str().unwrap(), inputs.join(","))
}

#[test]
#[ignore = "needs contracts/out: runs in `cargo xtask test` after forge"]
fn every_error_the_contracts_can_revert_with_is_named_by_the_wallet() {
    let mut errors = BTreeSet::new();
    for contract in [
        "SsoAccount",
        "AccountFactory",
        "WebAuthnValidator",
        "SessionKeyValidator",
        "GuardianRecovery",
        "EntryPoint",
    ] {
        for entry in artifact(contract)["abi"].as_array().unwrap() {
            if entry["type"] == "error" {
                errors.insert(error_signature(entry));
            }
        }
    }
    assert!(errors.len() > 30, "{errors:?}");
    let unknown: Vec<&String> = errors
        .iter()
        .filter(|signature| {
            let selector: [u8; 4] = alloy_primitives::keccak256(signature.as_bytes())[..4]
                .try_into()
                .unwrap();
            sso_wallet::revert::known_signature(selector) != Some(signature.as_str())
        })
        .collect();
    assert!(
        unknown.is_empty(),
        "errors the contracts can revert with that the wallet would show as unknown: {unknown:?}"
    );
}
