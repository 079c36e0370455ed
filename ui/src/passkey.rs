//! WebAuthn from the approval window: create the wallet's passkey (ES256, resident key, user
//! verification required) and sign a 32-byte hash with it. The relying party is the extension
//! itself (`chrome-extension://<id>`), so `rp.id` is left out.

use alloy_primitives::{B256, Bytes};
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

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

/// Creates the wallet passkey and returns the attestation object.
pub async fn create() -> Result<Bytes, String> {
    let params = Array::of1(&obj(&[("type", "public-key".into()), ("alg", (-7).into())]).into());
    let public_key = obj(&[
        ("rp", obj(&[("name", "SSO Wallet".into())]).into()),
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
    let allow = Array::of1(
        &obj(&[
            ("type", "public-key".into()),
            ("id", Uint8Array::from(credential_id).into()),
        ])
        .into(),
    );
    let public_key = obj(&[
        ("challenge", Uint8Array::from(hash.as_slice()).into()),
        ("allowCredentials", allow.into()),
        ("userVerification", "required".into()),
        ("timeout", 120_000.into()),
    ]);
    let options = obj(&[("publicKey", public_key.into())]);
    let promise = credentials()?
        .get_with_options(options.unchecked_ref())
        .map_err(js_message)?;
    let credential = JsFuture::from(promise).await.map_err(js_message)?;
    let response = Reflect::get(&credential, &"response".into()).map_err(js_message)?;
    let client_data_json = String::from_utf8(bytes_of(&response, "clientDataJSON")?)
        .map_err(|_| "clientDataJSON is not UTF-8".to_owned())?;
    Ok(Assertion {
        authenticator_data: bytes_of(&response, "authenticatorData")?.into(),
        client_data_json,
        signature: bytes_of(&response, "signature")?.into(),
    })
}
