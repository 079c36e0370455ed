//! The project's contracts: compiled with forge (through the solcjs wrapper), deployed through
//! the deterministic CREATE2 deployer so every chain gets the same addresses, which the build
//! computes from the artifacts without a chain.

use std::process::Command;

use alloy_primitives::{Address, B256, Bytes, address, b256, hex};
use serde::Serialize;
use serde_json::Value;

use crate::{Result, proc, root, setup};

/// The CREATE2 deployer preinstalled on anvil (and on most chains).
pub const CREATE2_DEPLOYER: Address = address!("4e59b44847b379578588920ca78fbf26c0b4956c");
/// The salt that puts EntryPoint v0.8 at its canonical address.
const ENTRY_POINT_SALT: B256 =
    b256!("0a59dbff790c23c976a548690c27297883cc66b4c67024f9117b0238995e35e9");
/// The canonical EntryPoint v0.8.
pub const ENTRY_POINT: Address = address!("4337084D9E255Ff0702461CF8895CE9E3b5Ff108");
/// The salt of the project's contracts.
const SALT: B256 = B256::ZERO;

/// Compiles the contracts.
pub fn build() -> Result {
    println!("build: contracts (forge)");
    proc::run(
        "forge build",
        Command::new(setup::node_bin("forge"))
            .args(["build", "--quiet"])
            .current_dir(root().join("contracts")),
    )
}

/// One contract deployed through the CREATE2 deployer.
pub struct Planned {
    /// Display name.
    pub name: &'static str,
    /// Its key in [`Addresses`] (and in a deployment record).
    pub key: &'static str,
    /// CREATE2 salt.
    pub salt: B256,
    /// Creation code with constructor arguments.
    pub init_code: Bytes,
    /// The resulting address.
    pub address: Address,
    /// The build's runtime code (immutables zero), to verify what a chain has there.
    pub runtime_code: Bytes,
}

/// Addresses of everything the wallet needs on a chain.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Addresses {
    /// EntryPoint v0.8.
    pub entry_point: Address,
    /// The account factory.
    pub account_factory: Address,
    /// The passkey validator.
    pub webauthn_validator: Address,
    /// The account implementation the factory clones.
    pub account_implementation: Address,
    /// The session key validator.
    pub session_key_validator: Address,
    /// The guardian recovery module.
    pub guardian_recovery: Address,
}

fn read_json(path: &std::path::Path) -> Result<Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {e} (run `cargo xtask build`)", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn hex_field(json: &Value, pointer: &str, what: &str) -> Result<Vec<u8>> {
    let text = json
        .pointer(pointer)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{what}: no {pointer}"))?;
    hex::decode(text).map_err(|e| format!("{what}: {e}"))
}

/// A forge artifact's creation and runtime code.
pub fn artifact(name: &str) -> Result<(Vec<u8>, Vec<u8>)> {
    let path = root().join(format!("contracts/out/{name}.sol/{name}.json"));
    let json = read_json(&path)?;
    Ok((
        hex_field(&json, "/bytecode/object", name)?,
        hex_field(&json, "/deployedBytecode/object", name)?,
    ))
}

/// [`artifact`] with `args` (constructor arguments, all addresses) after its creation code.
fn artifact_with(name: &str, args: &[Address]) -> Result<(Vec<u8>, Vec<u8>)> {
    let (mut code, runtime) = artifact(name)?;
    for arg in args {
        code.extend_from_slice(arg.into_word().as_slice());
    }
    Ok((code, runtime))
}

fn planned(
    name: &'static str,
    key: &'static str,
    salt: B256,
    (init_code, runtime_code): (Vec<u8>, Vec<u8>),
) -> Planned {
    let address = CREATE2_DEPLOYER.create2_from_code(salt, &init_code);
    Planned {
        name,
        key,
        salt,
        init_code: init_code.into(),
        address,
        runtime_code: runtime_code.into(),
    }
}

/// The deployment plan, in dependency order.
pub fn plan() -> Result<(Vec<Planned>, Addresses)> {
    let entry_point_json = read_json(
        &root().join("node_modules/@account-abstraction/contracts/artifacts/EntryPoint.json"),
    )?;
    let entry_point = planned(
        "EntryPoint v0.8",
        "entryPoint",
        ENTRY_POINT_SALT,
        (
            hex_field(&entry_point_json, "/bytecode", "EntryPoint")?,
            hex_field(&entry_point_json, "/deployedBytecode", "EntryPoint")?,
        ),
    );
    if entry_point.address != ENTRY_POINT {
        return Err(format!(
            "EntryPoint artifact would deploy to {}, not the canonical {ENTRY_POINT}",
            entry_point.address
        ));
    }
    let validator = planned(
        "WebAuthnValidator",
        "webauthnValidator",
        SALT,
        artifact("WebAuthnValidator")?,
    );
    // The implementation's constructor argument is the clones' default validator.
    let implementation = planned(
        "SsoAccount",
        "accountImplementation",
        SALT,
        artifact_with("SsoAccount", &[validator.address])?,
    );
    let factory = planned(
        "AccountFactory",
        "accountFactory",
        SALT,
        artifact_with(
            "AccountFactory",
            &[implementation.address, validator.address],
        )?,
    );
    let sessions = planned(
        "SessionKeyValidator",
        "sessionKeyValidator",
        SALT,
        artifact("SessionKeyValidator")?,
    );
    // The recovery module's constructor argument is the passkey validator it adds passkeys to.
    let recovery = planned(
        "GuardianRecovery",
        "guardianRecovery",
        SALT,
        artifact_with("GuardianRecovery", &[validator.address])?,
    );
    let addresses = Addresses {
        entry_point: entry_point.address,
        account_factory: factory.address,
        webauthn_validator: validator.address,
        account_implementation: implementation.address,
        session_key_validator: sessions.address,
        guardian_recovery: recovery.address,
    };
    Ok((
        vec![
            entry_point,
            validator,
            implementation,
            factory,
            sessions,
            recovery,
        ],
        addresses,
    ))
}
