//! The page side of the wallet: a dapp's EIP-1193 request as the content script relays it
//! ([`PageRequest`]), and what the background sends back ([`PageMessage`]): answers, errors and
//! provider events ([`ProviderEvent`]). Everything here crosses into an untrusted page.

use alloy_primitives::Address;
use serde::Serialize;
use serde_json::Value;

use crate::eip1193::ProviderError;
use crate::{Error, Result};

/// A request relayed from a page (`{id, method, params}`).
#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest {
    /// The page's request id, echoed in the answer.
    pub id: u64,
    /// The method name as the dapp sent it.
    pub method: String,
    /// Raw params, parsed per method.
    pub params: Option<Value>,
}

impl PageRequest {
    /// The content script's `{resume: [ids]}` after it reconnected to a restarted worker: the
    /// request ids it still waits for. `None` for anything else.
    pub fn resume_ids(message: &Value) -> Option<Vec<u64>> {
        let ids = message.as_object()?.get("resume")?.as_array()?;
        Some(ids.iter().filter_map(Value::as_u64).take(1024).collect())
    }

    /// Reads a relayed message. On failure returns the id (if one could be read) with the error.
    pub fn parse(message: Value) -> std::result::Result<Self, (Option<u64>, Error)> {
        let Value::Object(mut map) = message else {
            return Err((None, Error::invalid_params("request must be an object")));
        };
        // JS numbers may arrive as floats: accept any integral, safe-integer id.
        let id = map.get("id").and_then(|v| {
            v.as_u64().or_else(|| {
                v.as_f64()
                    .filter(|f| f.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(f))
                    .map(|f| f as u64)
            })
        });
        let Some(id) = id else {
            return Err((None, Error::invalid_params("request id must be an integer")));
        };
        let method = match map.remove("method") {
            Some(Value::String(m)) if !m.is_empty() && m.len() <= 128 => m,
            _ => {
                return Err((
                    Some(id),
                    Error::invalid_params("method must be a non-empty string"),
                ));
            }
        };
        let params = map.remove("params");
        if params
            .as_ref()
            .is_some_and(|p| crate::untrusted::json_depth(p) > crate::untrusted::MAX_JSON_DEPTH)
        {
            return Err((
                Some(id),
                Error::invalid_params(format!(
                    "params are nested more than {} levels deep",
                    crate::untrusted::MAX_JSON_DEPTH
                )),
            ));
        }
        Ok(PageRequest { id, method, params })
    }
}

/// Events the provider emits to pages.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", content = "data")]
pub enum ProviderEvent {
    /// `accountsChanged`.
    #[serde(rename = "accountsChanged")]
    AccountsChanged(Vec<Address>),
    /// `chainChanged` with the hex chain id.
    #[serde(rename = "chainChanged")]
    ChainChanged(String),
}

/// What the background sends to a page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PageMessage {
    /// A successful answer.
    Result {
        /// The request id.
        id: u64,
        /// The result.
        result: Value,
    },
    /// A failed answer.
    Error {
        /// The request id.
        id: u64,
        /// The EIP-1193 error.
        error: ProviderError,
    },
    /// An event.
    Event(ProviderEvent),
}

impl PageMessage {
    /// The request id this message answers (`None` for events).
    pub fn id(&self) -> Option<u64> {
        match self {
            PageMessage::Result { id, .. } | PageMessage::Error { id, .. } => Some(*id),
            PageMessage::Event(_) => None,
        }
    }

    /// The answer to request `id`.
    pub fn answer(id: u64, outcome: Result<Value>) -> Self {
        match outcome {
            Ok(result) => PageMessage::Result { id, result },
            Err(e) => PageMessage::Error {
                id,
                error: ProviderError::from(&e),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn page_request_parse_reports_id_with_error() {
        let ok = PageRequest::parse(json!({"id": 3, "method": "eth_chainId"})).unwrap();
        assert_eq!(ok.method, "eth_chainId");
        let float_id = PageRequest::parse(json!({"id": 7.0, "method": "eth_chainId"})).unwrap();
        assert_eq!(float_id.id, 7);
        assert_eq!(
            PageRequest::parse(json!({"id": 7.5, "method": "x"}))
                .unwrap_err()
                .0,
            None
        );
        assert_eq!(
            PageRequest::parse(json!({"id": 4, "method": 5}))
                .unwrap_err()
                .0,
            Some(4)
        );
        assert_eq!(PageRequest::parse(json!([1])).unwrap_err().0, None);
        // Params deeper than the wallet could read back from storage are answered, not kept.
        let mut deep = json!("x");
        for _ in 0..=crate::untrusted::MAX_JSON_DEPTH {
            deep = json!([deep]);
        }
        let (id, error) =
            PageRequest::parse(json!({"id": 5, "method": "personal_sign", "params": deep}))
                .unwrap_err();
        assert_eq!(id, Some(5));
        assert!(matches!(error, Error::InvalidParams(m) if m.contains("nested")));
        assert_eq!(
            PageRequest::parse(json!({"id": "x", "method": "a"}))
                .unwrap_err()
                .0,
            None
        );
    }

    #[test]
    fn page_messages_have_eip1193_shapes() {
        let answer = PageMessage::answer(1, Ok(json!("0x7a69")));
        assert_eq!(
            serde_json::to_value(answer).unwrap(),
            json!({"id": 1, "result": "0x7a69"})
        );
        let failure = PageMessage::answer(2, Err(Error::UserRejected));
        assert_eq!(
            serde_json::to_value(failure).unwrap()["error"]["code"],
            4001
        );
        let event = PageMessage::Event(ProviderEvent::AccountsChanged(vec![]));
        assert_eq!(
            serde_json::to_value(event).unwrap(),
            json!({"event": "accountsChanged", "data": []})
        );
    }
}
