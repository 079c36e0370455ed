//! Typed bindings to the few `chrome.*` and global APIs the background uses. Everything untyped
//! stops here: the rest of the crate sees Rust types. It is also the one place that knows which
//! browser runs it (Chromium's service worker or Firefox's event page): the WebAuthn origin
//! ([`webauthn_origin`]) and the persistent store ([`storage_get`]) differ; nothing above does.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use sso_wallet::relying_party::Browser;
use sso_wallet::{Error, Result, untrusted};

#[wasm_bindgen]
extern "C" {
    /// A `chrome.runtime.Port`.
    #[derive(Clone)]
    pub type Port;
    #[wasm_bindgen(method, js_name = postMessage, catch)]
    fn post_message(this: &Port, message: &JsValue) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(method, getter)]
    pub fn name(this: &Port) -> String;
    #[wasm_bindgen(method, getter)]
    fn sender(this: &Port) -> Option<MessageSender>;

    type MessageSender;
    #[wasm_bindgen(method, getter)]
    fn origin(this: &MessageSender) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    fn id(this: &MessageSender) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    fn tab(this: &MessageSender) -> Option<Tab>;

    type Tab;
    #[wasm_bindgen(method, getter)]
    fn id(this: &Tab) -> Option<i32>;

    #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = getURL)]
    pub fn get_url(path: &str) -> String;
    #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = id, thread_local_v2)]
    static RUNTIME_ID: String;
    #[wasm_bindgen(js_namespace = navigator, js_name = userAgent, thread_local_v2)]
    static USER_AGENT: String;

    #[wasm_bindgen(js_namespace = ["chrome", "storage", "local"], js_name = get, catch)]
    async fn local_get(key: &str) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "local"], js_name = set, catch)]
    async fn local_set(items: &JsValue) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "session"], js_name = get, catch)]
    async fn session_get(key: &str) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "session"], js_name = set, catch)]
    async fn session_set(items: &JsValue) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "session"], js_name = remove, catch)]
    async fn session_remove(key: &str) -> std::result::Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["chrome", "windows"], js_name = create, catch)]
    async fn windows_create(options: &JsValue) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "windows"], js_name = get, catch)]
    async fn windows_get(id: i32) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "windows"], js_name = remove, catch)]
    async fn windows_remove(id: i32) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "windows"], js_name = update, catch)]
    async fn windows_update(id: i32, options: &JsValue) -> std::result::Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: i32) -> JsValue;
    /// The global `fetch`: Chromium runs the background in a service worker, Firefox in an
    /// event page (a window), and both have it.
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(input: &str, init: &web_sys::RequestInit) -> js_sys::Promise;
}

/// Converts a Rust value into a JS value through JSON text (`serde_json` + `JSON.parse`): the one
/// serializer the wallet uses at every boundary, so each type is instantiated for one
/// (de)serializer only (wasm size), and the result is plain JSON, the only kind extension
/// messaging and storage keep intact.
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue> {
    let text =
        serde_json::to_string(value).map_err(|e| Error::Internal(format!("serialize: {e}")))?;
    js_sys::JSON::parse(&text).map_err(|e| js_error("serialize", e))
}

/// Reads a JS value into a Rust value (through `JSON.stringify` and `serde_json`).
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T> {
    serde_json::from_str(&json_text(&value)?).map_err(|e| Error::invalid_params(e.to_string()))
}

/// A numeric field of a message (a page request's `id`, a UI request's `seq`) read straight from
/// the JS object, for answering a message whose rest cannot be read: a safe non-negative
/// integer, as `PageRequest::parse` accepts.
pub fn request_field(message: &JsValue, field: &str) -> Option<u64> {
    let id = js_sys::Reflect::get(message, &field.into())
        .ok()?
        .as_f64()?;
    (id.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&id)).then_some(id as u64)
}

/// A JS value as JSON text (`undefined` and functions read as `null`).
fn json_text(value: &JsValue) -> Result<String> {
    let text = js_sys::JSON::stringify(value)
        .map_err(|e| Error::invalid_params(format!("not JSON: {}", js_error("read", e))))?;
    Ok(text.as_string().unwrap_or_else(|| "null".to_owned()))
}

fn js_error(context: &str, e: JsValue) -> Error {
    let detail = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"));
    Error::Internal(format!("{context}: {detail}"))
}

/// Who is on the other end of a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    /// A web page, through the content script; the origin comes from Chrome.
    Page {
        /// The page's origin.
        origin: String,
        /// The content script's random per-document id (port name `provider:<id>`): it outlives
        /// a service-worker restart, so answers find the page on its new port.
        page: String,
    },
    /// One of the extension's own pages.
    Ui,
}

impl Port {
    /// Sends a value; a port that closed meanwhile is ignored (its page is gone).
    pub fn send<T: Serialize>(&self, message: &T) {
        match to_js(message) {
            Ok(js) => {
                let _ = self.post_message(&js);
            }
            Err(e) => web_sys::console::error_1(&e.to_string().into()),
        }
    }

    /// Classifies the peer from what Chrome says about the sender (never from the message).
    pub fn peer(&self) -> Option<Peer> {
        let sender = self.sender()?;
        let origin = sender.origin()?;
        let own = sender
            .id()
            .is_some_and(|id| RUNTIME_ID.with(|rid| *rid == id));
        match self.name().as_str() {
            "ui" if own && origin == extension_origin() => Some(Peer::Ui),
            name if sender.tab().and_then(|t| t.id()).is_some() => {
                let page = name.strip_prefix("provider:")?;
                let valid = (8..=64).contains(&page.len())
                    && page.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
                valid.then(|| Peer::Page {
                    origin,
                    page: page.to_owned(),
                })
            }
            _ => None,
        }
    }
}

/// What a passkey created here is called at first (`Chrome on Linux`).
pub fn device_name() -> String {
    let browser = sso_wallet::relying_party::Browser::from_extension_origin(&extension_origin())
        .unwrap_or(sso_wallet::relying_party::Browser::Chromium);
    USER_AGENT.with(|agent| sso_wallet::relying_party::device_name(browser, agent))
}

/// This browser's clock, in Unix seconds.
pub fn unix_seconds() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

/// Where the extension's pages are served from (`chrome-extension://<id>`,
/// `moz-extension://<uuid>`): the origin of requests the wallet's own pages make.
pub fn extension_origin() -> String {
    get_url("").trim_end_matches('/').to_owned()
}

/// The origin this browser writes into the wallet's passkey assertions, which the on-chain
/// validator binds each key to: the extension origin in Chromium, the add-on's hashed id in
/// Firefox ([`sso_wallet::relying_party`]).
pub fn webauthn_origin() -> String {
    RUNTIME_ID.with(|id| sso_wallet::relying_party::webauthn_origin(&extension_origin(), id))
}

/// Whether the wallet runs in Firefox (where `storage.local` is open to content scripts).
fn in_firefox() -> bool {
    Browser::from_extension_origin(&extension_origin()) == Some(Browser::Firefox)
}

/// Reads a JSON value from the persistent store: `chrome.storage.local` in Chromium, the
/// extension's own IndexedDB in Firefox ([`crate::idb`] says why).
pub async fn storage_get(key: &str) -> Result<Option<serde_json::Value>> {
    if in_firefox() {
        return match crate::idb::get(key).await? {
            Some(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| Error::Storage(e.to_string())),
            None => Ok(None),
        };
    }
    read_item(local_get(key).await, key)
}

/// Reads a JSON value from `chrome.storage.session`: memory only, never written to disk, cleared
/// when the browser closes, and out of content scripts' reach (Chrome's default access level;
/// Firefox never exposes it to them).
pub async fn memory_get(key: &str) -> Result<Option<serde_json::Value>> {
    read_item(session_get(key).await, key)
}

/// Writes a value to `chrome.storage.session` (see [`memory_get`]).
pub async fn memory_set<T: Serialize>(key: &str, value: &T) -> Result<()> {
    let items = js_sys::Object::new();
    js_sys::Reflect::set(&items, &key.into(), &to_js(value)?)
        .map_err(|e| js_error("storage write", e))?;
    session_set(&items)
        .await
        .map(|_| ())
        .map_err(|e| js_error("storage write", e))
}

/// Removes a key from `chrome.storage.session` (see [`memory_get`]).
pub async fn memory_remove(key: &str) -> Result<()> {
    session_remove(key)
        .await
        .map(|_| ())
        .map_err(|e| js_error("storage write", e))
}

fn read_item(
    all: std::result::Result<JsValue, JsValue>,
    key: &str,
) -> Result<Option<serde_json::Value>> {
    let all = all.map_err(|e| js_error("storage read", e))?;
    let value = js_sys::Reflect::get(&all, &key.into()).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() {
        return Ok(None);
    }
    serde_json::from_str(&json_text(&value)?)
        .map(Some)
        .map_err(|e| Error::Storage(e.to_string()))
}

/// Writes a value to the persistent store (see [`storage_get`]).
pub async fn storage_set<T: Serialize>(key: &str, value: &T) -> Result<()> {
    if in_firefox() {
        let text =
            serde_json::to_string(value).map_err(|e| Error::Internal(format!("serialize: {e}")))?;
        return crate::idb::set(key, &text).await;
    }
    let items = js_sys::Object::new();
    js_sys::Reflect::set(&items, &key.into(), &to_js(value)?)
        .map_err(|e| js_error("storage write", e))?;
    local_set(&items)
        .await
        .map(|_| ())
        .map_err(|e| js_error("storage write", e))
}

/// Opens an extension page in a popup window and returns the window id.
pub async fn open_popup(path: &str, width: u32, height: u32) -> Result<i32> {
    let options = serde_json::json!({
        "type": "popup", "url": get_url(path), "width": width, "height": height, "focused": true,
    });
    let window = windows_create(&to_js(&options)?)
        .await
        .map_err(|e| js_error("open window", e))?;
    js_sys::Reflect::get(&window, &"id".into())
        .ok()
        .and_then(|id| id.as_f64())
        .map(|id| id as i32)
        .ok_or_else(|| Error::Internal("window has no id".into()))
}

/// Brings a window to the front; `false` when it no longer exists.
pub async fn focus_window(id: i32) -> bool {
    let Ok(options) = to_js(&serde_json::json!({"focused": true})) else {
        return false;
    };
    windows_update(id, &options).await.is_ok()
}

/// Closes a window (one already gone is fine).
pub async fn close_window(id: i32) {
    let _ = windows_remove(id).await;
}

/// Whether a window still exists.
pub async fn window_exists(id: i32) -> bool {
    windows_get(id).await.is_ok()
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// POSTs a JSON body and returns the response text. Nodes and bundlers are not trusted to
/// behave: the whole exchange must finish within [`untrusted::REQUEST_TIMEOUT_MS`] and the
/// body may not exceed [`untrusted::MAX_RESPONSE_BYTES`], or the call fails with
/// [`Error::Transport`] (nothing more is read).
pub async fn post_json(url: &str, body: &str) -> Result<String> {
    let transport = |message: String, transient: bool| Error::Transport {
        url: untrusted::clip(url, 200),
        message,
        transient,
    };
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    init.set_signal(Some(&web_sys::AbortSignal::timeout_with_u32(
        untrusted::REQUEST_TIMEOUT_MS,
    )));
    let headers = web_sys::Headers::new().map_err(|e| js_error("headers", e))?;
    headers
        .set("content-type", "application/json")
        .map_err(|e| js_error("headers", e))?;
    init.set_headers(&headers);
    let timed_out = || {
        transport(
            format!(
                "no answer within {} s",
                untrusted::REQUEST_TIMEOUT_MS / 1000
            ),
            true,
        )
    };
    let response = wasm_bindgen_futures::JsFuture::from(global_fetch(url, &init))
        .await
        .map_err(|e| {
            if is_timeout(&e) {
                timed_out()
            } else {
                transport("the request failed".into(), true)
            }
        })?;
    let response: web_sys::Response = response.unchecked_into();
    let declared = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|length| length.trim().parse::<usize>().ok());
    let too_large = || {
        transport(
            format!(
                "the answer is larger than {} MB",
                untrusted::MAX_RESPONSE_BYTES / (1024 * 1024)
            ),
            false,
        )
    };
    if declared.is_some_and(|length| length > untrusted::MAX_RESPONSE_BYTES) {
        return Err(too_large());
    }
    let bytes = match read_capped(&response, untrusted::MAX_RESPONSE_BYTES).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Err(too_large()),
        Err(e) if is_timeout(&e) => return Err(timed_out()),
        Err(_) => return Err(transport("the answer could not be read".into(), true)),
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::bad_response(url, "the answer is not UTF-8 text"))?;
    // A rate limit is never an answer, whatever its body; a server error without a JSON-RPC
    // answer may pass; any other HTTP error without one will not.
    let status = response.status();
    let answered = text.trim_start().starts_with('{');
    if status == 429 || (status >= 500 && !answered) {
        return Err(transport(format!("HTTP {status}"), true));
    }
    if !response.ok() && !answered {
        return Err(transport(format!("HTTP {status}"), false));
    }
    Ok(text)
}

/// Whether a fetch failed because its signal's time ran out.
fn is_timeout(error: &JsValue) -> bool {
    js_sys::Reflect::get(error, &"name".into())
        .ok()
        .and_then(|name| name.as_string())
        .is_some_and(|name| name == "TimeoutError" || name == "AbortError")
}

/// Reads a response body, giving up (and cancelling the stream) once it exceeds `cap` bytes
/// (`Ok(None)`).
async fn read_capped(
    response: &web_sys::Response,
    cap: usize,
) -> std::result::Result<Option<Vec<u8>>, JsValue> {
    let Some(body) = response.body() else {
        return Ok(Some(Vec::new()));
    };
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut out = Vec::new();
    loop {
        let chunk = wasm_bindgen_futures::JsFuture::from(reader.read()).await?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())?
            .as_bool()
            .unwrap_or(true);
        if done {
            return Ok(Some(out));
        }
        let value: js_sys::Uint8Array =
            js_sys::Reflect::get(&chunk, &"value".into())?.unchecked_into();
        let length = value.length() as usize;
        if out.len() + length > cap {
            let _ = reader.cancel();
            return Ok(None);
        }
        let start = out.len();
        out.resize(start + length, 0);
        value.copy_to(&mut out[start..]);
    }
}

/// Fetches an extension resource as text.
pub async fn fetch_resource(path: &str) -> Result<String> {
    let response = wasm_bindgen_futures::JsFuture::from(global_fetch(
        &get_url(path),
        &web_sys::RequestInit::new(),
    ))
    .await
    .map_err(|e| js_error(path, e))?;
    let response: web_sys::Response = response.unchecked_into();
    let text =
        wasm_bindgen_futures::JsFuture::from(response.text().map_err(|e| js_error(path, e))?)
            .await
            .map_err(|e| js_error(path, e))?;
    Ok(text.as_string().unwrap_or_default())
}
