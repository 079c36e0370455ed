//! JSON-RPC 2.0 envelopes for talking to the node and the bundler (ERC-7769), independent of
//! the transport (the extension uses `fetch`, the native tests use a blocking client).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Error, Result};

/// A JSON-RPC 2.0 request.
#[derive(Debug, Clone, Serialize)]
pub struct Request<'a> {
    /// Always `"2.0"`.
    pub jsonrpc: &'static str,
    /// Request id (the wallet sends one request per HTTP call, so any constant works).
    pub id: u64,
    /// The method name.
    pub method: &'a str,
    /// Positional parameters.
    pub params: Value,
}

impl<'a> Request<'a> {
    /// A request with id 1.
    pub fn new(method: &'a str, params: Value) -> Self {
        Request {
            jsonrpc: "2.0",
            id: 1,
            method,
            params,
        }
    }
}

/// A JSON-RPC error object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RpcError {
    /// The error code.
    pub code: i64,
    /// The error message.
    pub message: String,
    /// Optional extra data (often revert data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// A JSON-RPC 2.0 response.
#[derive(Debug, Clone, Deserialize)]
pub struct Response {
    /// The result, when the call succeeded.
    #[serde(default)]
    pub result: Option<Value>,
    /// The error, when it failed.
    #[serde(default)]
    pub error: Option<RpcError>,
}

impl Response {
    /// Turns the response into its result, or the endpoint's error (with any revert reason in
    /// its data decoded into the message).
    pub fn into_result(self) -> Result<Value> {
        match (self.error, self.result) {
            (Some(mut rpc), _) => {
                if let Some(reason) = revert_reason(&rpc) {
                    rpc.message = format!("{} ({reason})", rpc.message);
                }
                Err(Error::Rpc(rpc))
            }
            (None, Some(result)) => Ok(result),
            (None, None) => Ok(Value::Null),
        }
    }
}

/// Parses a typed result out of a JSON value.
pub fn from_value<T: serde::de::DeserializeOwned>(value: Value, url: &str) -> Result<T> {
    serde_json::from_value(value).map_err(|e| Error::BadResponse {
        url: url.to_owned(),
        message: e.to_string(),
    })
}

/// Revert data from an error's `data` (a hex string, or an object carrying one — bundlers use
/// `revertData` / `data`), else from a hex blob that ends the message ("… with reason: 0x…").
fn revert_reason(rpc: &RpcError) -> Option<String> {
    let from_data = rpc.data.as_ref().and_then(|data| match data {
        Value::String(hex) => Some(hex.as_str()),
        Value::Object(map) => ["revertData", "data", "reason"]
            .iter()
            .find_map(|k| map.get(*k).and_then(Value::as_str)),
        _ => None,
    });
    let from_message = rpc
        .message
        .rsplit(|c: char| c.is_whitespace() || c == ':')
        .next()
        .filter(|word| word.starts_with("0x") && word.len() >= 10);
    let hex = from_data.filter(|h| h.starts_with("0x")).or(from_message)?;
    let bytes = alloy_primitives::hex::decode(hex).ok()?;
    decode_revert_reason(&bytes)
}

/// Revert data in words (see [`crate::revert`]).
pub fn decode_revert_reason(data: &[u8]) -> Option<String> {
    crate::revert::decode(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_response_becomes_rpc_error_with_decoded_reason() {
        // Error("nope") as revert data.
        let data = "0x08c379a0000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000000000000000000000000000046e6f706500000000000000000000000000000000000000000000000000000000";
        let response: Response = serde_json::from_value(json!({
            "jsonrpc": "2.0", "id": 1,
            "error": {"code": 3, "message": "execution reverted", "data": data}
        }))
        .unwrap();
        let Err(Error::Rpc(err)) = response.into_result() else {
            panic!("expected an rpc error")
        };
        assert_eq!(err.code, 3);
        assert_eq!(err.message, "execution reverted (nope)");
    }

    #[test]
    fn bundler_errors_name_the_revert_in_their_message() {
        // Error("nope"), as alto appends it to a simulation failure.
        let data = "0x08c379a0000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000000000000000000000000000046e6f706500000000000000000000000000000000000000000000000000000000";
        let response: Response = serde_json::from_value(json!({
            "jsonrpc": "2.0", "id": 1,
            "error": {"code": -32521, "message": format!("UserOperation reverted during simulation with reason: {data}")}
        }))
        .unwrap();
        let Err(Error::Rpc(err)) = response.into_result() else {
            panic!("expected an rpc error")
        };
        assert!(err.message.ends_with("(nope)"), "{}", err.message);
        let response: Response = serde_json::from_value(json!({
            "jsonrpc": "2.0", "id": 1,
            "error": {"code": -32521, "message": "reverted", "data": {"revertData": "0xdeadbeef"}}
        }))
        .unwrap();
        let Err(Error::Rpc(err)) = response.into_result() else {
            panic!("expected an rpc error")
        };
        assert_eq!(
            err.message,
            "reverted (custom error 0xdeadbeef (unknown to the wallet))"
        );
    }

    #[test]
    fn result_response_yields_value() {
        let response: Response =
            serde_json::from_value(json!({"jsonrpc": "2.0", "id": 1, "result": "0x1"})).unwrap();
        assert_eq!(response.into_result().unwrap(), json!("0x1"));
    }
}
