//! The persistent store in Firefox: the extension origin's own IndexedDB. Firefox has no
//! `storage.local.setAccessLevel`, so there `storage.local` is readable and writable by the
//! content script, which runs in the web page's process; an IndexedDB database belongs to the
//! origin that opened it, and a content script opens the page's, never the extension's.
//! (Chromium keeps `storage.local`, closed to content scripts by `TRUSTED_CONTEXTS`.)
//!
//! One object store, `state`, holds each item as its JSON text under its key.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbFactory, IdbRequest, IdbTransactionMode};

use sso_wallet::{Error, Result};

const DATABASE: &str = "sso-wallet";
const VERSION: u32 = 1;
const STORE: &str = "state";

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(thread_local_v2, js_name = indexedDB)]
    static INDEXED_DB: Option<IdbFactory>;
}

thread_local! {
    static OPEN: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

fn failed(what: &str, e: JsValue) -> Error {
    let detail = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| {
            e.dyn_ref::<web_sys::DomException>()
                .map(web_sys::DomException::message)
        })
        .unwrap_or_else(|| format!("{e:?}"));
    Error::Storage(format!("IndexedDB {what}: {detail}"))
}

/// A transaction could not start: the browser may have closed the connection (storage cleared,
/// a version change). The next call opens the database again.
fn closed(what: &str, e: JsValue) -> Error {
    OPEN.with(|open| open.borrow_mut().take());
    failed(what, e)
}

/// Resolves when `request` succeeds (with its result) or fails (with its error). The handlers
/// live as long as the wait and are dropped with it (none is leaked).
async fn settle(request: &IdbRequest) -> std::result::Result<JsValue, JsValue> {
    let mut handlers = None;
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let done = request.clone();
        let on_success = Closure::<dyn FnMut()>::new(move || {
            let _ = resolve.call1(&JsValue::NULL, &done.result().unwrap_or(JsValue::UNDEFINED));
        });
        let broken = request.clone();
        let on_error = Closure::<dyn FnMut()>::new(move || {
            let error = broken
                .error()
                .ok()
                .flatten()
                .map(JsValue::from)
                .unwrap_or(JsValue::UNDEFINED);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        request.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
        request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        handlers = Some((on_success, on_error));
    });
    let settled = JsFuture::from(promise).await;
    request.set_onsuccess(None);
    request.set_onerror(None);
    drop(handlers);
    settled
}

/// The database, opened (and created on first use) once per background start.
async fn database() -> Result<IdbDatabase> {
    if let Some(db) = OPEN.with(|open| open.borrow().clone()) {
        return Ok(db);
    }
    let factory = INDEXED_DB
        .with(Clone::clone)
        .ok_or_else(|| Error::Storage("this browser has no IndexedDB".into()))?;
    let request = factory
        .open_with_u32(DATABASE, VERSION)
        .map_err(|e| failed("open", e))?;
    let upgrading = request.clone();
    let on_upgrade = Closure::<dyn FnMut()>::new(move || {
        if let Ok(db) = upgrading.result() {
            let db: IdbDatabase = db.unchecked_into();
            if !db.object_store_names().contains(STORE) {
                let _ = db.create_object_store(STORE);
            }
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let opened = settle(&request).await;
    request.set_onupgradeneeded(None);
    drop(on_upgrade);
    let db: IdbDatabase = opened.map_err(|e| failed("open", e))?.unchecked_into();
    OPEN.with(|open| *open.borrow_mut() = Some(db.clone()));
    Ok(db)
}

/// Reads the JSON text stored under `key`.
pub async fn get(key: &str) -> Result<Option<String>> {
    let db = database().await?;
    let store = db
        .transaction_with_str(STORE)
        .and_then(|t| t.object_store(STORE))
        .map_err(|e| closed("read", e))?;
    let request = store.get(&key.into()).map_err(|e| failed("read", e))?;
    let value = settle(&request).await.map_err(|e| failed("read", e))?;
    if value.is_undefined() {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| Error::Storage(format!("IndexedDB: `{key}` is not JSON text")))
}

/// Stores `json` under `key`; resolves once the transaction has committed.
pub async fn set(key: &str, json: &str) -> Result<()> {
    let db = database().await?;
    let transaction = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
        .map_err(|e| closed("write", e))?;
    let store = transaction
        .object_store(STORE)
        .map_err(|e| failed("write", e))?;
    let mut handlers = None;
    let committed = js_sys::Promise::new(&mut |resolve, reject| {
        let on_complete = Closure::<dyn FnMut()>::new(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        // A failed request aborts its transaction: `abort` covers every failure.
        let on_abort = Closure::<dyn FnMut()>::new(move || {
            let _ = reject.call1(
                &JsValue::NULL,
                &js_sys::Error::new("the transaction was aborted"),
            );
        });
        transaction.set_oncomplete(Some(on_complete.as_ref().unchecked_ref()));
        transaction.set_onabort(Some(on_abort.as_ref().unchecked_ref()));
        handlers = Some((on_complete, on_abort));
    });
    let result = match store.put_with_key(&json.into(), &key.into()) {
        Ok(_) => JsFuture::from(committed)
            .await
            .map(|_| ())
            .map_err(|e| failed("write", e)),
        Err(e) => Err(failed("write", e)),
    };
    transaction.set_oncomplete(None);
    transaction.set_onabort(None);
    drop(handlers);
    result
}
