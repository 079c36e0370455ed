//! WebAuthn from the wallet's pages: create a passkey (ES256, resident key, user verification
//! required), sign a 32-byte hash with a given passkey, or let the user pick one of the wallet's
//! passkeys (a discoverable `get`, to log in). The relying party is the extension itself in
//! Chromium (`rp.id` left out) and the listed domain in Firefox ([`sso_wallet::relying_party`]).

use alloy_primitives::{B256, Bytes};
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use sso_wallet::relying_party::Browser;
use sso_wallet::webauthn::Assertion;

fn set(target: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(target, &key.into(), &value.into());
}

fn obj(entries: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in entries {
        set(&o, k, v.clone());
    }
    o
}

fn bytes_of(value: &JsValue, key: &str) -> Result<Vec<u8>, String> {
    let buffer = Reflect::get(value, &key.into()).map_err(|_| format!("missing {key}"))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

fn random(len: u32) -> Result<Uint8Array, String> {
    let bytes = Uint8Array::new_with_length(len);
    web_sys::window()
        .ok_or("no window")?
        .crypto()
        .map_err(|_| "no crypto")?
        .get_random_values_with_array_buffer_view(&bytes)
        .map_err(|_| "no random values")?;
    Ok(bytes)
}

/// The `rp.id` this browser needs (none in Chromium).
fn rp_id() -> Option<&'static str> {
    let origin = web_sys::window()?.location().origin().ok()?;
    Browser::from_extension_origin(&origin)?.rp_id()
}

fn credentials() -> Result<web_sys::CredentialsContainer, String> {
    Ok(web_sys::window()
        .ok_or("no window")?
        .navigator()
        .credentials())
}

fn js_message(e: JsValue) -> String {
    let name = Reflect::get(&e, &"name".into())
        .ok()
        .and_then(|v| v.as_string());
    match name.as_deref() {
        Some("NotAllowedError") => "The passkey request was cancelled or timed out.".into(),
        _ => e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| format!("{e:?}")),
    }
}

/// A random 32-byte challenge.
pub fn random_hash() -> Result<B256, String> {
    Ok(B256::from_slice(&random(32)?.to_vec()))
}

fn descriptors(ids: &[Bytes]) -> Array {
    ids.iter()
        .map(|id| {
            JsValue::from(obj(&[
                ("type", "public-key".into()),
                ("id", Uint8Array::from(id.as_ref()).into()),
            ]))
        })
        .collect()
}

/// Creates a passkey (not one of `exclude`, so an authenticator that already holds one of the
/// account's passkeys says so) and returns the attestation object.
pub async fn create(exclude: &[Bytes]) -> Result<Bytes, String> {
    let params = Array::of1(&obj(&[("type", "public-key".into()), ("alg", (-7).into())]).into());
    let rp = obj(&[("name", "SSO Wallet".into())]);
    if let Some(id) = rp_id() {
        set(&rp, "id", id);
    }
    let public_key = obj(&[
        ("rp", rp.into()),
        (
            "user",
            obj(&[
                ("id", random(16)?.into()),
                ("name", "SSO Wallet account".into()),
                ("displayName", "SSO Wallet".into()),
            ])
            .into(),
        ),
        ("challenge", random(32)?.into()),
        ("pubKeyCredParams", params.into()),
        (
            "authenticatorSelection",
            obj(&[
                ("residentKey", "required".into()),
                ("requireResidentKey", true.into()),
                ("userVerification", "required".into()),
            ])
            .into(),
        ),
        ("attestation", "none".into()),
        ("excludeCredentials", descriptors(exclude).into()),
        ("timeout", 120_000.into()),
    ]);
    let options = obj(&[("publicKey", public_key.into())]);
    let promise = credentials()?
        .create_with_options(options.unchecked_ref())
        .map_err(js_message)?;
    let credential = JsFuture::from(promise).await.map_err(js_message)?;
    let response = Reflect::get(&credential, &"response".into()).map_err(js_message)?;
    Ok(bytes_of(&response, "attestationObject")?.into())
}

/// Signs `hash` with the passkey `credential_id`.
pub async fn sign(hash: B256, credential_id: &[u8]) -> Result<Assertion, String> {
    let allow = descriptors(&[Bytes::copy_from_slice(credential_id)]);
    Ok(get(hash, Some(allow)).await?.1)
}

/// Lets the user pick one of the wallet's passkeys (no allow-list) and sign `hash` with it;
/// returns the credential id picked and the assertion.
pub async fn discover(hash: B256) -> Result<(Bytes, Assertion), String> {
    get(hash, None).await
}

async fn get(hash: B256, allow: Option<Array>) -> Result<(Bytes, Assertion), String> {
    let public_key = obj(&[
        ("challenge", Uint8Array::from(hash.as_slice()).into()),
        ("userVerification", "required".into()),
        ("timeout", 120_000.into()),
    ]);
    if let Some(allow) = allow {
        set(&public_key, "allowCredentials", allow);
    }
    if let Some(id) = rp_id() {
        set(&public_key, "rpId", id);
    }
    let options = obj(&[("publicKey", public_key.into())]);
    let promise = credentials()?
        .get_with_options(options.unchecked_ref())
        .map_err(js_message)?;
    let credential = JsFuture::from(promise).await.map_err(js_message)?;
    let raw_id = bytes_of(&credential, "rawId")?;
    let response = Reflect::get(&credential, &"response".into()).map_err(js_message)?;
    let client_data_json = String::from_utf8(bytes_of(&response, "clientDataJSON")?)
        .map_err(|_| "clientDataJSON is not UTF-8".to_owned())?;
    let assertion = Assertion {
        authenticator_data: bytes_of(&response, "authenticatorData")?.into(),
        client_data_json,
        signature: bytes_of(&response, "signature")?.into(),
    };
    Ok((raw_id.into(), assertion))
}
