//! A stand-in for a public chain's endpoints, in front of the devnet's node or bundler: what a
//! public provider does to its clients, done on loopback. It answers every request ~50 ms late,
//! rate-limits every n-th with HTTP 429, refuses the methods public endpoints do not offer
//! (`anvil_*`, `evm_*`, `hardhat_*`, `pimlico_*`, `eth_simulateV1`; a bundler endpoint answers only
//! the standard ERC-7769 methods) and `eth_getLogs` over more than 1,000 blocks or from
//! `earliest`; a bundler endpoint also fails some receipt queries the way alto does when its
//! own node fails it, and a node may refuse JSON-RPC batches as some providers do. The rest is
//! forwarded unchanged. It counts what it did, served as JSON on `GET /stats`, so a test can say
//! what its clients went through. The public-chain profile of `cargo xtask test` puts the
//! wallet, the deploy command and alto behind it.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Value, json};

use crate::Result;
use crate::http::{self, Reply};

/// The methods a standard ERC-7769 bundler endpoint answers (and `eth_chainId`).
const ERC7769: &[&str] = &[
    "eth_chainId",
    "eth_sendUserOperation",
    "eth_estimateUserOperationGas",
    "eth_getUserOperationByHash",
    "eth_getUserOperationReceipt",
    "eth_supportedEntryPoints",
];

/// Method prefixes no public node answers.
const REFUSED_PREFIXES: &[&str] = &["anvil_", "evm_", "hardhat_", "pimlico_"];
/// Methods public nodes commonly lack.
const REFUSED_METHODS: &[&str] = &["eth_simulateV1"];

/// What the stand-in does.
#[derive(Debug, Clone)]
pub struct Rules {
    /// The widest `eth_getLogs` range answered, in blocks.
    pub max_log_range: u64,
    /// Only these methods are answered (a bundler endpoint); `None`: all but the refused ones.
    pub only: Option<&'static [&'static str]>,
    /// Added to every answer.
    pub latency: Duration,
    /// Every that many requests gets HTTP 429 (0: never).
    pub every_429: u64,
    /// Every that many `eth_getUserOperationReceipt` get what alto answers when its own node
    /// fails it: HTTP 500 and an error with a message but no code (0: never).
    pub fail_receipt_every: u64,
    /// A JSON-RPC batch is answered with one error object (-32600), as providers without
    /// batches answer it.
    pub refuse_batches: bool,
}

impl Rules {
    /// A public node: 1,000-block log queries, 50 ms, every 9th request rate-limited.
    pub fn node() -> Rules {
        Rules {
            max_log_range: 1000,
            only: None,
            latency: Duration::from_millis(50),
            every_429: 9,
            fail_receipt_every: 0,
            refuse_batches: false,
        }
    }

    /// A public bundler: the ERC-7769 methods only, 50 ms, every 9th request rate-limited,
    /// every 4th receipt query failed the way alto fails it.
    pub fn bundler() -> Rules {
        Rules {
            only: Some(ERC7769),
            fail_receipt_every: 4,
            ..Rules::node()
        }
    }
}

/// What the stand-in did so far.
#[derive(Debug, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Stats {
    requests: u64,
    /// JSON-RPC batches answered (forwarded).
    batches: u64,
    /// Whether batches are refused ([`Rules::refuse_batches`]), and how many were.
    refuses_batches: bool,
    batches_refused: u64,
    /// Answered with HTTP 429.
    rate_limited: u64,
    /// Refused methods, by name, with how often.
    refused_methods: BTreeMap<String, u64>,
    get_logs: u64,
    /// `eth_getLogs` refused for its range.
    log_range_refused: u64,
    /// `eth_getLogs` from `earliest` or without a `fromBlock`.
    log_from_earliest: u64,
    /// The widest `eth_getLogs` range answered.
    widest_log_range: u64,
    receipt_queries: u64,
    /// `eth_getUserOperationReceipt` failed on purpose.
    receipts_failed: u64,
}

struct Proxy {
    target: String,
    rules: Rules,
    stats: Mutex<Stats>,
}

fn error(id: &Value, code: i64, message: String) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

impl Proxy {
    fn stats(&self) -> std::sync::MutexGuard<'_, Stats> {
        self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn forward(&self, body: &str) -> std::result::Result<(u16, String), String> {
        let mut response = ureq::post(&self.target)
            .header("content-type", "application/json")
            .config()
            .http_status_as_error(false)
            .build()
            .send(body)
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| e.to_string())?;
        Ok((status, text))
    }

    fn head(&self) -> Option<u64> {
        let (_, text) = self
            .forward(r#"{"jsonrpc":"2.0","id":0,"method":"eth_blockNumber","params":[]}"#)
            .ok()?;
        let answer: Value = serde_json::from_str(&text).ok()?;
        u64::from_str_radix(answer["result"].as_str()?.strip_prefix("0x")?, 16).ok()
    }

    /// A block tag as a number (`latest` and the like: the head); `None` for `earliest`, none
    /// or one that cannot be read.
    fn block(&self, tag: &Value) -> Option<u64> {
        match tag.as_str()? {
            "latest" | "pending" | "safe" | "finalized" => self.head(),
            "earliest" => None,
            hex => u64::from_str_radix(hex.strip_prefix("0x")?, 16).ok(),
        }
    }

    /// Why a call is refused before it is forwarded, if it is.
    fn refusal(&self, call: &Value) -> Option<Value> {
        let id = &call["id"];
        let method = call["method"].as_str().unwrap_or_default();
        let refused = match self.rules.only {
            Some(only) => !only.contains(&method),
            None => {
                REFUSED_PREFIXES.iter().any(|p| method.starts_with(p))
                    || REFUSED_METHODS.contains(&method)
            }
        };
        if refused {
            *self
                .stats()
                .refused_methods
                .entry(method.to_owned())
                .or_default() += 1;
            return Some(error(
                id,
                -32601,
                format!("the method {method} does not exist/is not available"),
            ));
        }
        if method == "eth_getUserOperationReceipt" {
            let mut stats = self.stats();
            stats.receipt_queries += 1;
            let every = self.rules.fail_receipt_every;
            if every > 0 && stats.receipt_queries.is_multiple_of(every) {
                stats.receipts_failed += 1;
                return Some(
                    json!({"jsonrpc": "2.0", "id": id, "error": {"message": "Failed to get user operation receipt"}}),
                );
            }
            return None;
        }
        if method != "eth_getLogs" {
            return None;
        }
        self.stats().get_logs += 1;
        let filter = &call["params"][0];
        if filter.get("blockHash").is_some() {
            return None;
        }
        let from = self.block(&filter["fromBlock"]);
        let to = match filter.get("toBlock") {
            Some(tag) => self.block(tag),
            None => self.head(),
        };
        let max = self.rules.max_log_range;
        match (from, to) {
            (Some(from), Some(to)) if to.saturating_sub(from) < max => {
                let mut stats = self.stats();
                stats.widest_log_range = stats.widest_log_range.max(to.saturating_sub(from) + 1);
                None
            }
            (from, _) => {
                let mut stats = self.stats();
                if from.is_none() {
                    stats.log_from_earliest += 1;
                }
                stats.log_range_refused += 1;
                Some(error(
                    id,
                    -32005,
                    format!("query exceeds max block range {max}"),
                ))
            }
        }
    }

    fn answer(&self, body: &str) -> Reply {
        std::thread::sleep(self.rules.latency);
        let limited = {
            let mut stats = self.stats();
            stats.requests += 1;
            let limited =
                self.rules.every_429 > 0 && stats.requests.is_multiple_of(self.rules.every_429);
            if limited {
                stats.rate_limited += 1;
            }
            limited
        };
        if limited {
            return Reply {
                status: 429,
                content_type: "text/plain",
                body: "Too Many Requests".into(),
            };
        }
        let calls: Vec<Value> = match serde_json::from_str::<Value>(body) {
            Ok(Value::Array(_)) if self.rules.refuse_batches => {
                self.stats().batches_refused += 1;
                let refusal = error(
                    &Value::Null,
                    -32600,
                    "batch requests are not supported".into(),
                );
                return Reply::json(refusal.to_string());
            }
            Ok(Value::Array(calls)) => {
                self.stats().batches += 1;
                calls
            }
            Ok(call) => vec![call],
            Err(_) => return self.forwarded(body),
        };
        let refusals: Vec<Option<Value>> = calls.iter().map(|c| self.refusal(c)).collect();
        if refusals.iter().all(Option::is_none) {
            return self.forwarded(body);
        }
        // Some calls are refused: answer each on its own (in a batch, in order).
        let answers: Vec<Value> = calls
            .iter()
            .zip(refusals)
            .map(|(call, refusal)| {
                refusal.unwrap_or_else(|| match self.forward(&call.to_string()) {
                    Ok((_, text)) => serde_json::from_str(&text)
                        .unwrap_or_else(|_| error(&call["id"], -32603, "bad upstream".into())),
                    Err(e) => error(&call["id"], -32603, e),
                })
            })
            .collect();
        // Like alto, an answer whose error has no code comes with HTTP 500.
        let codeless = answers
            .iter()
            .any(|a| a.get("error").is_some_and(|e| e.get("code").is_none()));
        let body = if body.trim_start().starts_with('[') {
            Value::Array(answers).to_string()
        } else {
            answers
                .into_iter()
                .next()
                .unwrap_or(Value::Null)
                .to_string()
        };
        Reply {
            status: if codeless { 500 } else { 200 },
            ..Reply::json(body)
        }
    }

    fn forwarded(&self, body: &str) -> Reply {
        match self.forward(body) {
            Ok((status, text)) => Reply {
                status,
                content_type: "application/json",
                body: text,
            },
            Err(e) => Reply {
                status: 502,
                content_type: "text/plain",
                body: format!("upstream unreachable: {e}"),
            },
        }
    }
}

/// Starts a stand-in for `target` on loopback `port` (0: a free one); returns its URL.
pub fn start(what: &str, port: u16, target: String, rules: Rules) -> Result<String> {
    let proxy = Proxy {
        target,
        stats: Mutex::new(Stats {
            refuses_batches: rules.refuse_batches,
            ..Stats::default()
        }),
        rules,
    };
    let port = http::serve(what, port, move |request| match request.method.as_str() {
        "GET" if request.path == "/stats" => {
            Reply::json(serde_json::to_string(&*proxy.stats()).unwrap_or_default())
        }
        "POST" => proxy.answer(&request.body),
        _ => Reply {
            status: 404,
            content_type: "text/plain",
            body: "POST JSON-RPC, or GET /stats".into(),
        },
    })?;
    Ok(format!("http://127.0.0.1:{port}"))
}
