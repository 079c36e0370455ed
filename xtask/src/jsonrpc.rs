//! The JSON-RPC client xtask talks to nodes and bundlers with (blocking, over HTTP): one
//! function, below everything that needs it (devnet, deploy, the bundler guard, tests).

use std::time::Duration;

use serde_json::{Value, json};

use crate::Result;

/// How long to wait before each new try of a rate-limited call (HTTP 429: the request was not
/// served, so sending it again is safe whatever it does).
const RATE_LIMIT_BACKOFF: [Duration; 4] = [
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
];

/// A JSON-RPC call over HTTP; a rate-limited one (HTTP 429) is sent again after a pause.
pub fn rpc(url: &str, method: &str, params: Value) -> Result<Value> {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
    let mut pauses = RATE_LIMIT_BACKOFF.iter();
    let mut response = loop {
        // alto insists on exactly `application/json` (ureq adds a charset to send_json).
        let answer = ureq::post(url)
            .header("content-type", "application/json")
            .send(&body);
        match (answer, pauses.next()) {
            (Err(ureq::Error::StatusCode(429)), Some(pause)) => std::thread::sleep(*pause),
            (answer, _) => break answer.map_err(|e| format!("{method} at {url}: {e}"))?,
        }
    };
    let value: Value = response
        .body_mut()
        .read_json()
        .map_err(|e| format!("{method} at {url}: {e}"))?;
    if let Some(error) = value.get("error") {
        return Err(format!("{method} at {url}: {error}"));
    }
    Ok(value.get("result").cloned().unwrap_or(Value::Null))
}
