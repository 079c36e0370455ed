//! The JSON-RPC client xtask talks to nodes and bundlers with (blocking, over HTTP): one
//! function, below everything that needs it (devnet, deploy, the bundler guard, tests).

use serde_json::{Value, json};

use crate::Result;

/// A JSON-RPC call over HTTP.
pub fn rpc(url: &str, method: &str, params: Value) -> Result<Value> {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    // alto insists on exactly `application/json` (ureq adds a charset to send_json).
    let mut response = ureq::post(url)
        .header("content-type", "application/json")
        .send(body.to_string())
        .map_err(|e| format!("{method} at {url}: {e}"))?;
    let value: Value = response
        .body_mut()
        .read_json()
        .map_err(|e| format!("{method} at {url}: {e}"))?;
    if let Some(error) = value.get("error") {
        return Err(format!("{method} at {url}: {error}"));
    }
    Ok(value.get("result").cloned().unwrap_or(Value::Null))
}
