//! JSON-RPC 2.0 envelopes for talking to the node and the bundler (ERC-7769), independent of
//! the transport (the extension uses `fetch`, the native tests use a blocking client): one
//! request, or a batch of reads in one HTTP request ([`batch_body`], [`read_batch`]) where the
//! endpoint takes batches.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Error, Result, untrusted};

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

/// A JSON-RPC error object. Endpoints do not always send a whole one (alto answers an
/// unexpected failure with a bare `message`): a missing code reads as an internal error and a
/// missing message as an empty one, so what the endpoint said still reaches the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RpcError {
    /// The error code.
    #[serde(default = "internal_code")]
    pub code: i64,
    /// The error message.
    #[serde(default)]
    pub message: String,
    /// Optional extra data (often revert data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

fn internal_code() -> i64 {
    crate::eip1193::code::INTERNAL
}

/// A JSON-RPC 2.0 response.
#[derive(Debug, Clone, Deserialize)]
pub struct Response {
    /// The id of the request answered (matched in a batch; a single answer's is not read).
    #[serde(default)]
    pub id: Option<Value>,
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
    ///
    /// The endpoint is not trusted: its message is cut to [`untrusted::MAX_TEXT_CHARS`] with
    /// hidden characters replaced, and `data` larger than [`untrusted::MAX_ERROR_DATA_BYTES`]
    /// (as hex) is dropped, so what reaches the page is short whatever the node sent.
    pub fn into_result(self) -> Result<Value> {
        match (self.error, self.result) {
            (Some(rpc), _) => {
                let reason = revert_reason(&rpc);
                let mut message = if rpc.message.trim().is_empty() {
                    "the endpoint failed without saying why".to_owned()
                } else {
                    untrusted::clip(&rpc.message, untrusted::MAX_TEXT_CHARS)
                };
                if let Some(reason) = reason {
                    message = format!("{message} ({reason})");
                }
                Err(Error::Rpc(RpcError {
                    // A node may not speak for the wallet or the user: positive codes are the
                    // provider's own (4001 "user rejected", 4100, EIP-5792's 57xx, …) — from an
                    // endpoint they become internal errors, except 3, a node's "execution
                    // reverted" (EIP-1474).
                    code: if rpc.code > 0 && rpc.code != 3 {
                        crate::eip1193::code::INTERNAL
                    } else {
                        rpc.code
                    },
                    message,
                    data: rpc.data.filter(small_enough),
                }))
            }
            (None, Some(result)) => Ok(result),
            (None, None) => Ok(Value::Null),
        }
    }
}

/// The body of a JSON-RPC batch of `calls` (method, params), with ids 1, 2, … in order.
pub fn batch_body(calls: &[(&str, Value)]) -> serde_json::Result<String> {
    let requests: Vec<Request<'_>> = calls
        .iter()
        .zip(1..)
        .map(|((method, params), id)| Request {
            id,
            ..Request::new(method, params.clone())
        })
        .collect();
    serde_json::to_string(&requests)
}

/// Reads the answer to a batch of `count` calls sent by [`batch_body`]: each call's result (or
/// its error, as [`Response::into_result`] makes it) in the order sent, whatever order the
/// answers came in. `None` when the endpoint did not answer the batch as one — not an array,
/// or not exactly one answer for each id sent: endpoints that refuse batches say so with a
/// single error object (or an error per call, which [`Response::into_result`] keeps), and the
/// caller then asks each call on its own.
pub fn read_batch(text: &str, count: usize) -> Option<Vec<Result<Value>>> {
    let mut answers: Vec<Response> = serde_json::from_str(text).ok()?;
    if answers.len() != count {
        return None;
    }
    // As many answers as calls, each id 1..=count found: one answer per call.
    (1..=count as u64)
        .map(|id| {
            let at = answers
                .iter()
                .position(|answer| answer.id.as_ref().and_then(Value::as_u64) == Some(id))?;
            Some(answers.swap_remove(at).into_result())
        })
        .collect()
}

/// Whether an error's `data` is small enough to pass on to the page.
fn small_enough(data: &Value) -> bool {
    let limit = 2 * untrusted::MAX_ERROR_DATA_BYTES + 64;
    match data {
        Value::String(text) => text.len() <= limit,
        other => serde_json::to_string(other).is_ok_and(|text| text.len() <= limit),
    }
}

/// Parses a typed result out of a JSON value.
pub fn from_value<T: serde::de::DeserializeOwned>(value: Value, url: &str) -> Result<T> {
    serde_json::from_value(value).map_err(|e| Error::bad_response(url, e))
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
    // Data too long to decode is named by its size and selector, without decoding all of it.
    if hex.len() > 2 * untrusted::MAX_REVERT_BYTES + 2 {
        let selector = hex.get(..10).unwrap_or(hex);
        return Some(format!(
            "revert data of {} bytes with selector {} (too long to decode)",
            hex.len().saturating_sub(2) / 2,
            untrusted::clip(selector, 10)
        ));
    }
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
    fn an_error_without_code_or_message_is_still_an_error() {
        // What alto answers (HTTP 500) when something unexpected fails inside it.
        let response: Response = serde_json::from_str(
            r#"{"jsonrpc":"2.0","id":1,"error":{"message":"Unexpected error while getting user operation receipt"}}"#,
        )
        .unwrap();
        let Err(Error::Rpc(err)) = response.into_result() else {
            panic!("expected an rpc error")
        };
        assert_eq!(err.code, crate::eip1193::code::INTERNAL);
        assert_eq!(
            err.message,
            "Unexpected error while getting user operation receipt"
        );
        let response: Response =
            serde_json::from_str(r#"{"jsonrpc":"2.0","id":1,"error":{}}"#).unwrap();
        let Err(Error::Rpc(err)) = response.into_result() else {
            panic!("expected an rpc error")
        };
        assert_eq!(err.code, crate::eip1193::code::INTERNAL);
        assert_eq!(err.message, "the endpoint failed without saying why");
    }

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
    fn a_node_cannot_answer_with_the_wallets_own_codes() {
        let response: Response = serde_json::from_value(json!({
            "jsonrpc": "2.0", "id": 1, "error": {"code": 4001, "message": "User rejected the request."}
        }))
        .unwrap();
        let Err(Error::Rpc(err)) = response.into_result() else {
            panic!("expected an rpc error")
        };
        assert_eq!(err.code, crate::eip1193::code::INTERNAL);
    }

    #[test]
    fn a_node_cannot_flood_the_page_through_an_error() {
        let huge = format!("0x{}", "ab".repeat(1024 * 1024));
        let response: Response = serde_json::from_value(json!({
            "jsonrpc": "2.0", "id": 1,
            "error": {"code": 3, "message": "x".repeat(500_000), "data": huge}
        }))
        .unwrap();
        let Err(Error::Rpc(err)) = response.into_result() else {
            panic!("expected an rpc error")
        };
        assert!(err.message.chars().count() < 1200, "{}", err.message.len());
        assert!(
            err.message
                .contains("1048576 bytes with selector 0xabababab"),
            "{}",
            err.message
        );
        assert_eq!(err.data, None);
    }

    proptest::proptest! {
        #[test]
        fn errors_are_total_and_bounded(
            message in ".{0,2000}",
            data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4096),
            as_object in proptest::prelude::any::<bool>(),
            in_message in proptest::prelude::any::<bool>(),
        ) {
            let hex = alloy_primitives::hex::encode_prefixed(&data);
            let (message, data) = match (in_message, as_object) {
                (true, _) => (format!("{message} with reason: {hex}"), Value::Null),
                (false, true) => (message, json!({"revertData": hex})),
                (false, false) => (message, json!(hex)),
            };
            let response: Response = serde_json::from_value(json!({
                "jsonrpc": "2.0", "id": 1, "error": {"code": -32000, "message": message, "data": data}
            })).unwrap();
            let Err(Error::Rpc(err)) = response.into_result() else {
                panic!("expected an rpc error")
            };
            proptest::prop_assert!(err.message.chars().count() <= 2 * untrusted::MAX_TEXT_CHARS + 8);
        }
    }

    #[test]
    fn a_batch_is_numbered_in_order_and_read_back_by_id() {
        let body = batch_body(&[
            ("eth_getBlockByNumber", json!(["latest", false])),
            ("eth_maxPriorityFeePerGas", json!([])),
        ])
        .unwrap();
        let sent: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            sent,
            json!([
                {"jsonrpc": "2.0", "id": 1, "method": "eth_getBlockByNumber", "params": ["latest", false]},
                {"jsonrpc": "2.0", "id": 2, "method": "eth_maxPriorityFeePerGas", "params": []},
            ])
        );
        // Answers may come in any order; an error stays that call's own.
        let answers = read_batch(
            r#"[{"jsonrpc":"2.0","id":2,"error":{"code":3,"message":"execution reverted"}},
                {"jsonrpc":"2.0","id":1,"result":"0x5"}]"#,
            2,
        )
        .unwrap();
        assert_eq!(answers[0], Ok(json!("0x5")));
        let Err(Error::Rpc(err)) = &answers[1] else {
            panic!("expected the second call's error, got {answers:?}")
        };
        assert_eq!(err.message, "execution reverted");
    }

    #[test]
    fn an_endpoint_that_does_not_answer_a_batch_as_one_refused_it() {
        let refused = [
            // What endpoints without batches answer: one error object.
            r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"batch requests are not supported"}}"#,
            // Fewer or more answers than calls, a repeated, missing, unknown or non-numeric id.
            r#"[{"jsonrpc":"2.0","id":1,"result":"0x1"}]"#,
            r#"[{"id":1,"result":"0x1"},{"id":2,"result":"0x2"},{"id":3,"result":"0x3"}]"#,
            r#"[{"id":1,"result":"0x1"},{"id":1,"result":"0x2"}]"#,
            r#"[{"id":1,"result":"0x1"},{"result":"0x2"}]"#,
            r#"[{"id":1,"result":"0x1"},{"id":0,"result":"0x2"}]"#,
            r#"[{"id":1,"result":"0x1"},{"id":18446744073709551615,"result":"0x2"}]"#,
            r#"[{"id":1,"result":"0x1"},{"id":"2","result":"0x2"}]"#,
            r#"[{"id":1,"result":"0x1"},"0x2"]"#,
            "not json",
            "",
        ];
        for text in refused {
            assert_eq!(read_batch(text, 2), None, "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn reading_any_answer_to_a_batch_is_total(
            text in ".{0,400}",
            count in 0usize..6,
        ) {
            let _ = read_batch(&text, count);
        }

        #[test]
        fn a_batch_is_read_only_with_one_answer_per_id_sent(
            ids in proptest::collection::vec(proptest::option::of(0u64..6), 0..6),
            count in 0usize..5,
        ) {
            let text = Value::Array(
                ids.iter().map(|id| json!({"jsonrpc": "2.0", "id": id, "result": "0x1"})).collect(),
            )
            .to_string();
            let mut sorted: Vec<u64> = ids.iter().flatten().copied().collect();
            sorted.sort_unstable();
            let one_each = ids.len() == count && sorted == (1..=count as u64).collect::<Vec<_>>();
            proptest::prop_assert_eq!(read_batch(&text, count).is_some(), one_each);
        }

        #[test]
        fn a_batch_answered_in_any_order_is_read_in_the_order_sent(
            order in proptest::strategy::Strategy::prop_shuffle(proptest::strategy::Just((1u64..=8).collect::<Vec<_>>())),
        ) {
            let text = Value::Array(
                order.iter().map(|id| json!({"jsonrpc": "2.0", "id": id, "result": format!("{id:#x}")})).collect(),
            )
            .to_string();
            let answers = read_batch(&text, 8).unwrap();
            for (i, answer) in answers.into_iter().enumerate() {
                proptest::prop_assert_eq!(answer, Ok(json!(format!("{:#x}", i + 1))));
            }
        }
    }

    #[test]
    fn result_response_yields_value() {
        let response: Response =
            serde_json::from_value(json!({"jsonrpc": "2.0", "id": 1, "result": "0x1"})).unwrap();
        assert_eq!(response.into_result().unwrap(), json!("0x1"));
    }
}
