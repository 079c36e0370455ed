//! JSON-RPC over `fetch` to the selected network's node and bundler.

use alloy_primitives::{Address, Bytes};
use alloy_sol_types::SolCall;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use sso_wallet::jsonrpc::{self, Request, Response};
use sso_wallet::{Error, Result};

use crate::chrome;

/// Calls `method` at `url` and returns the raw result.
pub async fn call(url: &str, method: &str, params: Value) -> Result<Value> {
    let body = serde_json::to_string(&Request::new(method, params))
        .map_err(|e| Error::Internal(e.to_string()))?;
    let text = chrome::post_json(url, &body).await?;
    let response: Response =
        serde_json::from_str(&text).map_err(|e| Error::bad_response(url, e))?;
    response.into_result()
}

/// Calls `method` and parses the result.
pub async fn call_typed<T: DeserializeOwned>(url: &str, method: &str, params: Value) -> Result<T> {
    jsonrpc::from_value(call(url, method, params).await?, url)
}

/// `eth_call` of a typed contract call at block `at` (`"latest"` or a hex number), decoded.
pub async fn call_contract<C: SolCall>(
    url: &str,
    to: Address,
    call: &C,
    at: &str,
) -> Result<C::Return> {
    let data = Bytes::from(call.abi_encode());
    let raw: Bytes = call_typed(url, "eth_call", json!([{"to": to, "data": data}, at])).await?;
    C::abi_decode_returns(&raw)
        .map_err(|e| Error::bad_response(url, format!("{}: {e}", C::SIGNATURE)))
}

/// `eth_getLogs` of `address` with `topics`, over the whole chain. Logs the node returns from
/// any other contract are dropped (a node is not trusted to have filtered).
pub async fn logs(
    url: &str,
    address: Address,
    topics: Value,
) -> Result<Vec<sso_wallet::recovery::Log>> {
    let mut logs: Vec<sso_wallet::recovery::Log> = call_typed(
        url,
        "eth_getLogs",
        json!([{"address": address, "topics": topics, "fromBlock": "earliest", "toBlock": "latest"}]),
    )
    .await?;
    logs.retain(|log| log.address == address);
    Ok(logs)
}
