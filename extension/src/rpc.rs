//! JSON-RPC over `fetch` to the selected network's node and bundler.

use alloy_primitives::{Address, Bytes};
use alloy_sol_types::SolCall;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use sso_wallet::jsonrpc::{self, Request, Response};
use sso_wallet::log_scan::{self, LogScan};
use sso_wallet::network::Network;
use sso_wallet::{Error, Result};

use crate::chrome;

/// How long to wait before each new try of a request that failed transiently (rate limited,
/// a server error, no answer): three more tries, 4.5 s in all.
const RETRY_AFTER_MS: [i32; 3] = [500, 1_000, 3_000];

/// Calls `method` at `url` and returns the raw result. A transient failure
/// ([`Error::Transport`] `transient`: HTTP 429, a 5xx without an answer, a timeout, no
/// connection) is tried again after [`RETRY_AFTER_MS`] — the same request, byte for byte, so a
/// signed UserOperation is only ever resent as the same operation (same hash).
pub async fn call(url: &str, method: &str, params: Value) -> Result<Value> {
    call_retried(url, method, params).await.0
}

/// [`call`], also saying whether it was tried more than once (an earlier try may have reached
/// the endpoint and only its answer been lost).
async fn call_retried(url: &str, method: &str, params: Value) -> (Result<Value>, bool) {
    let body = match serde_json::to_string(&Request::new(method, params)) {
        Ok(body) => body,
        Err(e) => return (Err(Error::Internal(e.to_string())), false),
    };
    let (text, retried) = post_retried(url, &body).await;
    let answer = text.and_then(|text| {
        serde_json::from_str::<Response>(&text)
            .map_err(|e| Error::bad_response(url, e))
            .and_then(Response::into_result)
    });
    (answer, retried)
}

/// POSTs `body` to `url`, trying again after [`RETRY_AFTER_MS`] while it fails transiently;
/// the answer's text, and whether it was tried more than once.
async fn post_retried(url: &str, body: &str) -> (Result<String>, bool) {
    let mut waits = RETRY_AFTER_MS.iter();
    let mut retried = false;
    loop {
        match chrome::post_json(url, body).await {
            Err(Error::Transport {
                transient: true, ..
            }) if let Some(wait) = waits.next() => {
                retried = true;
                chrome::sleep(*wait).await;
            }
            answer => return (answer, retried),
        }
    }
}

thread_local! {
    /// The RPC URLs that refused a batch, for this worker's life: each call goes on its own.
    /// (A handful at most: one per node the wallet talks to.)
    static UNBATCHED: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Calls each of `calls` (method, params) at `url` and returns their results in order: in one
/// JSON-RPC batch — one HTTP request, where a `fetch` from the worker costs about half a
/// millisecond before it is even sent — or each on its own where the batch was not answered
/// call by call with results: at an endpoint that refused it ([`jsonrpc::read_batch`]; so are
/// all later calls to that URL, for the worker's life), after another HTTP error, or when the
/// batch answered a call with an error (some endpoints refuse batches call by call), so an
/// error reported is always the endpoint's answer to that call alone. Only for reads: a batch
/// that fails in transit is sent again whole, and any call may be asked twice.
pub async fn call_all(url: &str, calls: &[(&str, Value)]) -> Vec<Result<Value>> {
    if calls.len() > 1
        && !UNBATCHED.with_borrow(|refused| refused.iter().any(|known| known == url))
        && let Ok(body) = jsonrpc::batch_body(calls)
    {
        match post_retried(url, &body).await.0 {
            Ok(text) => match jsonrpc::read_batch(&text, calls.len()) {
                Some(answers) if answers.iter().all(Result::is_ok) => return answers,
                Some(_) => {}
                None => unbatched(url),
            },
            // Rate limited, down or not answering however often asked: so would each call be.
            Err(
                e @ Error::Transport {
                    transient: true, ..
                },
            ) => return calls.iter().map(|_| Err(e.clone())).collect(),
            // Another HTTP error (some endpoints answer a batch with 400), or too large.
            Err(_) => unbatched(url),
        }
    }
    let each = calls
        .iter()
        .map(|(method, params)| call(url, method, params.clone()));
    futures::future::join_all(each).await
}

/// Remembers that `url` refused a batch.
fn unbatched(url: &str) {
    UNBATCHED.with_borrow_mut(|refused| {
        if !refused.iter().any(|known| known == url) {
            refused.push(url.to_owned());
        }
    });
}

/// One of [`call_all`]'s results, parsed.
#[inline(never)]
pub fn typed<T: DeserializeOwned>(url: &str, answer: Option<Result<Value>>) -> Result<T> {
    let answer = answer.ok_or_else(|| Error::Internal("a batch lost a call".into()))?;
    jsonrpc::from_value(answer?, url)
}

/// [`call_typed`], also saying whether it was tried more than once.
pub async fn call_typed_retried<T: DeserializeOwned>(
    url: &str,
    method: &str,
    params: Value,
) -> (Result<T>, bool) {
    let (answer, retried) = call_retried(url, method, params).await;
    (answer.and_then(|v| jsonrpc::from_value(v, url)), retried)
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
    call_contract_from(url, None, to, call, at).await
}

/// The same, made by `from` when named (for a contract that checks its caller: a paymaster
/// asked as the EntryPoint asks it).
pub async fn call_contract_from<C: SolCall>(
    url: &str,
    from: Option<Address>,
    to: Address,
    call: &C,
    at: &str,
) -> Result<C::Return> {
    let params = eth_call_params(from, to, call.abi_encode().into(), at);
    let answer = self::call(url, "eth_call", params).await;
    decode_returns::<C>(url, Some(answer))
}

/// The params of an `eth_call` of `data` to `to` (made by `from` when named) at block `at`.
/// Not generic: one copy whatever the call.
pub fn eth_call_params(from: Option<Address>, to: Address, data: Bytes, at: &str) -> Value {
    let mut tx = json!({"to": to, "data": data});
    if let Some(from) = from {
        tx["from"] = json!(from);
    }
    json!([tx, at])
}

/// An `eth_call`'s answer (one of [`call_all`]'s results), decoded as `C` returns.
pub fn decode_returns<C: SolCall>(url: &str, answer: Option<Result<Value>>) -> Result<C::Return> {
    let raw: Bytes = typed(url, answer)?;
    C::abi_decode_returns(&raw).map_err(|e| undecodable(url, C::SIGNATURE, e))
}

#[inline(never)]
fn undecodable(url: &str, signature: &str, e: alloy_sol_types::Error) -> Error {
    Error::bad_response(url, format!("{signature}: {e}"))
}

thread_local! {
    /// The log range each RPC URL last accepted after refusing a wider one (for this worker's
    /// life; a handful of entries, one per node the wallet talks to).
    static LOG_RANGES: std::cell::RefCell<std::collections::HashMap<String, u64>> =
        Default::default();
}

/// `eth_getLogs` of `address` with `topics`, from the network's first block (where the
/// wallet's contracts were deployed) to the head, in ranges its node accepts
/// ([`sso_wallet::log_scan`]): a range the node refuses as too large is asked again halved.
/// Logs the node returns from any other contract are dropped (a node is not trusted to have
/// filtered), and a scan keeps at most [`log_scan::MAX_LOGS`].
pub async fn logs(
    network: &Network,
    address: Address,
    topics: Value,
) -> Result<Vec<sso_wallet::recovery::Log>> {
    logs_from(network, address, topics, network.from_block).await
}

/// [`logs`] from block `from` on (no earlier than the network's first block).
pub async fn logs_from(
    network: &Network,
    address: Address,
    topics: Value,
    from: u64,
) -> Result<Vec<sso_wallet::recovery::Log>> {
    let url = network.rpc_url.as_str();
    let head: alloy_primitives::U64 = call_typed(url, "eth_blockNumber", json!([])).await?;
    let from = from.max(network.from_block);
    let mut scan = LogScan::new(from, head.to(), network.log_range());
    let mut logs = Vec::new();
    loop {
        // A range this node refused is not asked again, also when another scan learnt it,
        // before this one or beside it.
        if let Some(range) = LOG_RANGES.with_borrow(|known| known.get(url).copied()) {
            scan.narrow_to(range);
        }
        let Some((from, to)) = scan.next_window()? else {
            break;
        };
        let filter = json!([{
            "address": address,
            "topics": topics,
            "fromBlock": format!("{from:#x}"),
            "toBlock": format!("{to:#x}"),
        }]);
        match call_typed::<Vec<sso_wallet::recovery::Log>>(url, "eth_getLogs", filter).await {
            Ok(found) => {
                logs.extend(found.into_iter().filter(|log| log.address == address));
                if logs.len() > log_scan::MAX_LOGS {
                    return Err(Error::bad_response(
                        url,
                        format!("more than {} logs", log_scan::MAX_LOGS),
                    ));
                }
                scan.answered(to);
            }
            Err(e) if log_scan::is_range_refusal(&e) => {
                scan.refused()?;
                LOG_RANGES.with_borrow_mut(|known| {
                    let learnt = known.entry(url.to_owned()).or_insert(u64::MAX);
                    *learnt = (*learnt).min(scan.range());
                });
            }
            Err(e) => return Err(e),
        }
    }
    Ok(logs)
}
