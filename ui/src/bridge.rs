//! The UI's typed channel to the background: a `chrome.runtime` Port named "ui", with each
//! request's answer matched by sequence number. If the worker restarts, the port closes, the
//! requests in flight fail with a readable error, and the next request reconnects.

use std::cell::RefCell;
use std::collections::HashMap;

use futures::channel::oneshot;
use wasm_bindgen::prelude::*;

use sso_wallet::protocol::{Envelope, UiRequest, UiResponse};

#[wasm_bindgen]
extern "C" {
    #[derive(Clone)]
    type Port;
    #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = connect)]
    fn connect(info: &JsValue) -> Port;
    #[wasm_bindgen(method, js_name = postMessage)]
    fn post_message(this: &Port, message: &JsValue);
    #[wasm_bindgen(method, getter, js_name = onMessage)]
    fn on_message(this: &Port) -> PortEvent;
    #[wasm_bindgen(method, getter, js_name = onDisconnect)]
    fn on_disconnect(this: &Port) -> PortEvent;
    type PortEvent;
    #[wasm_bindgen(method, js_name = addListener)]
    fn add_listener(this: &PortEvent, listener: &JsValue);
}

type Pending = HashMap<u64, oneshot::Sender<UiResponse>>;

#[derive(Default)]
struct Bridge {
    port: Option<Port>,
    next_seq: u64,
    pending: Pending,
}

thread_local! {
    static BRIDGE: RefCell<Bridge> = RefCell::new(Bridge::default());
}

fn port() -> Port {
    BRIDGE.with(|b| {
        let mut b = b.borrow_mut();
        if let Some(port) = &b.port {
            return port.clone();
        }
        let info = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&info, &"name".into(), &"ui".into());
        let port = connect(&info);
        let on_message = Closure::<dyn Fn(JsValue)>::new(|message: JsValue| {
            let Ok(envelope) = serde_wasm_bindgen::from_value::<Envelope<UiResponse>>(message)
            else {
                return;
            };
            let waiter = BRIDGE.with(|b| b.borrow_mut().pending.remove(&envelope.seq));
            if let Some(waiter) = waiter {
                let _ = waiter.send(envelope.body);
            }
        });
        port.on_message().add_listener(on_message.as_ref());
        on_message.forget();
        let on_disconnect = Closure::<dyn Fn()>::new(|| {
            let pending = BRIDGE.with(|b| {
                let mut b = b.borrow_mut();
                b.port = None;
                std::mem::take(&mut b.pending)
            });
            for (_, waiter) in pending {
                let _ = waiter.send(UiResponse::Error {
                    message: "The wallet restarted; please try again.".into(),
                });
            }
        });
        port.on_disconnect().add_listener(on_disconnect.as_ref());
        on_disconnect.forget();
        b.port = Some(port.clone());
        port
    })
}

/// Sends a request to the background and waits for its answer.
pub async fn request(body: UiRequest) -> UiResponse {
    let port = port();
    let (tx, rx) = oneshot::channel();
    let seq = BRIDGE.with(|b| {
        let mut b = b.borrow_mut();
        b.next_seq += 1;
        let seq = b.next_seq;
        b.pending.insert(seq, tx);
        seq
    });
    let envelope = Envelope { seq, body };
    match serde::Serialize::serialize(
        &envelope,
        &serde_wasm_bindgen::Serializer::json_compatible(),
    ) {
        Ok(message) => port.post_message(&message),
        Err(e) => {
            BRIDGE.with(|b| b.borrow_mut().pending.remove(&seq));
            return UiResponse::Error {
                message: e.to_string(),
            };
        }
    }
    rx.await.unwrap_or(UiResponse::Error {
        message: "The wallet did not answer.".into(),
    })
}
