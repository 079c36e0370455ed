//! ERC-7677 paymaster web services: the `paymasterService` capability a dapp puts on
//! `wallet_sendCalls` (EIP-5792), the two methods the wallet asks the service
//! (`pm_getPaymasterStubData` before gas estimation, `pm_getPaymasterData` after), and their
//! answers read as hostile input: bounded, checked, and turned into the UserOperation's
//! [`Paymaster`] fields and the sponsor the approval window names.

use alloy_primitives::{Address, Bytes, U256};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::erc4337::{MAX_GAS, Paymaster, UserOperation};
use crate::untrusted;
use crate::{Error, Result};

/// The EIP-5792 capability name.
pub const CAPABILITY: &str = "paymasterService";
/// Longest service URL taken.
pub const MAX_URL_CHARS: usize = 2048;
/// Largest `context` (serialized JSON) passed on to the service.
pub const MAX_CONTEXT_BYTES: usize = 4096;
/// Largest `paymasterData` taken from a service.
pub const MAX_PAYMASTER_DATA: usize = 4096;
/// Longest sponsor name shown.
pub const MAX_SPONSOR_NAME: usize = 64;

/// A paymaster service a dapp named (or a network's default one): where it is and the
/// opaque `context` to pass to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymasterService {
    /// The service's URL (http or https).
    pub url: String,
    /// What the dapp asked the wallet to pass on, as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
}

/// A sponsored operation's sponsor: the service (to ask again when the operation is prepared
/// again) and the name it gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sponsorship {
    /// The service and its context.
    pub service: PaymasterService,
    /// The sponsor's name, when the service gave one (cleaned and cut).
    #[serde(default)]
    pub name: Option<String>,
}

impl Sponsorship {
    /// What the approval window shows of it.
    pub fn view(&self) -> Sponsor {
        Sponsor {
            url: self.service.url.clone(),
            name: self.name.clone(),
        }
    }
}

/// Who pays, as the service describes itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sponsor {
    /// The service that signed the sponsorship.
    pub url: String,
    /// The sponsor's name, when the service gave one (cleaned and cut).
    #[serde(default)]
    pub name: Option<String>,
}

/// `capabilities.paymasterService` of a `wallet_sendCalls`: `{url, context?, optional?}`.
/// `None` when absent; a malformed one is refused (even when marked optional: a dapp that
/// names a sponsor must name it properly).
pub fn capability(
    capabilities: Option<&serde_json::Map<String, Value>>,
) -> Result<Option<PaymasterService>> {
    let Some(value) = capabilities.and_then(|c| c.get(CAPABILITY)) else {
        return Ok(None);
    };
    let bad = |why: &str| Error::invalid_params(format!("capabilities.{CAPABILITY}: {why}"));
    let url = value
        .get("url")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("`url` must be the paymaster service's URL"))?;
    let url = service_url(url).map_err(|why| bad(&why))?;
    let context = match value.get("context") {
        None | Some(Value::Null) => None,
        Some(context) => {
            let size = serde_json::to_vec(context).map_or(usize::MAX, |v| v.len());
            if size > MAX_CONTEXT_BYTES {
                return Err(bad(&format!(
                    "`context` is larger than {MAX_CONTEXT_BYTES} bytes"
                )));
            }
            Some(context.clone())
        }
    };
    Ok(Some(PaymasterService { url, context }))
}

/// A service URL as the wallet will call it: http(s), no credentials, bounded.
pub fn service_url(url: &str) -> std::result::Result<String, String> {
    let url = url.trim();
    if url.len() > MAX_URL_CHARS {
        return Err(format!("the URL is longer than {MAX_URL_CHARS} characters"));
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("the URL must start with https:// or http://")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.contains('@') || url.chars().any(char::is_whitespace) {
        return Err("the URL must name a host (and no credentials)".into());
    }
    Ok(url.to_owned())
}

/// The params of `pm_getPaymasterStubData` / `pm_getPaymasterData`:
/// `[userOp, entryPoint, chainId (hex), context]`.
pub fn params(
    user_op: &UserOperation,
    entry_point: Address,
    chain_id: u64,
    service: &PaymasterService,
) -> Value {
    json!([
        user_op,
        entry_point,
        format!("{chain_id:#x}"),
        service.context.clone().unwrap_or_else(|| json!({})),
    ])
}

/// `pm_getPaymasterStubData`'s answer, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stub {
    /// The paymaster fields to estimate gas with (`paymasterData` a stub unless `is_final`).
    pub paymaster: Paymaster,
    /// Whether a post-op gas limit was given (else the estimate's is used).
    pub post_op_given: bool,
    /// Whether a verification gas limit was given (else the estimate's is used).
    pub verification_given: bool,
    /// Who pays.
    pub sponsor_name: Option<String>,
    /// Whether the stub data is final (no `pm_getPaymasterData` needed).
    pub is_final: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StubAnswer {
    paymaster: Address,
    paymaster_data: Bytes,
    #[serde(default)]
    paymaster_verification_gas_limit: Option<U256>,
    #[serde(default)]
    paymaster_post_op_gas_limit: Option<U256>,
    #[serde(default)]
    sponsor: Option<Value>,
    #[serde(default)]
    is_final: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DataAnswer {
    paymaster: Address,
    paymaster_data: Bytes,
}

/// The service at `url` failed (`why`); nothing is sent.
pub fn service_error(url: &str, why: impl std::fmt::Display) -> Error {
    Error::Sponsor(format!(
        "the paymaster service at {} failed: {}; nothing was sent",
        untrusted::clip(url, 120),
        untrusted::clip(&why.to_string(), 200)
    ))
}

fn check_data(url: &str, data: &Bytes) -> Result<()> {
    if data.len() > MAX_PAYMASTER_DATA {
        return Err(service_error(
            url,
            format!("its paymasterData is over {MAX_PAYMASTER_DATA} bytes"),
        ));
    }
    Ok(())
}

fn check_gas(url: &str, gas: Option<U256>, what: &str) -> Result<U256> {
    let gas = gas.unwrap_or_default();
    if gas > U256::from(MAX_GAS) {
        return Err(service_error(
            url,
            format!("its {what} is implausibly high"),
        ));
    }
    Ok(gas)
}

/// Reads `pm_getPaymasterStubData`'s answer from `url`.
pub fn read_stub(url: &str, answer: Value) -> Result<Stub> {
    let answer: StubAnswer = serde_json::from_value(answer).map_err(|e| service_error(url, e))?;
    if answer.paymaster == Address::ZERO {
        return Err(service_error(url, "it named no paymaster"));
    }
    check_data(url, &answer.paymaster_data)?;
    let verification = check_gas(
        url,
        answer.paymaster_verification_gas_limit,
        "paymasterVerificationGasLimit",
    )?;
    let post_op = check_gas(
        url,
        answer.paymaster_post_op_gas_limit,
        "paymasterPostOpGasLimit",
    )?;
    let sponsor_name = answer
        .sponsor
        .as_ref()
        .and_then(|s| s.get("name"))
        .and_then(Value::as_str)
        .map(|name| untrusted::clip(name.trim(), MAX_SPONSOR_NAME))
        .filter(|name| !name.trim().is_empty());
    Ok(Stub {
        paymaster: Paymaster {
            paymaster: answer.paymaster,
            paymaster_verification_gas_limit: verification,
            paymaster_post_op_gas_limit: post_op,
            paymaster_data: answer.paymaster_data,
        },
        verification_given: answer.paymaster_verification_gas_limit.is_some(),
        post_op_given: answer.paymaster_post_op_gas_limit.is_some(),
        sponsor_name,
        is_final: answer.is_final == Some(true),
    })
}

/// Reads `pm_getPaymasterData`'s answer from `url`: the final `paymasterData` for the same
/// paymaster the stub named (another paymaster than the one the gas was estimated with is
/// refused).
pub fn read_data(url: &str, answer: Value, stub: &Paymaster) -> Result<Bytes> {
    let answer: DataAnswer = serde_json::from_value(answer).map_err(|e| service_error(url, e))?;
    if answer.paymaster != stub.paymaster {
        return Err(service_error(
            url,
            format!(
                "it named paymaster {} after estimating with {}",
                answer.paymaster, stub.paymaster
            ),
        ));
    }
    check_data(url, &answer.paymaster_data)?;
    Ok(answer.paymaster_data)
}

/// What the paymaster's own `validatePaymasterUserOp` said of the final operation (asked before
/// the window shows it, as the EntryPoint would ask): refused when its signature check failed
/// (AA34) or its window does not hold `now` (AA32), so the user never approves an operation the
/// bundler would refuse.
pub fn check_validation(url: &str, validation_data: U256, now: u64) -> Result<()> {
    let authorizer = validation_data & ((U256::from(1) << 160usize) - U256::from(1));
    let mask48 = U256::from(0xffff_ffff_ffff_u64);
    let valid_until: u64 = (validation_data.wrapping_shr(160) & mask48).to::<u64>();
    let valid_after: u64 = (validation_data.wrapping_shr(208) & mask48).to::<u64>();
    if authorizer == U256::from(1) {
        return Err(service_error(
            url,
            "its paymaster refuses the data it signed (AA34: the signature does not match the operation)",
        ));
    }
    if !authorizer.is_zero() {
        return Err(service_error(
            url,
            "its paymaster names a signature aggregator",
        ));
    }
    if (valid_until != 0 && valid_until < now) || valid_after > now {
        return Err(service_error(
            url,
            "the sponsorship it signed is not valid now (AA32)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(value: Value) -> serde_json::Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn the_capability_is_read_and_checked() {
        assert_eq!(capability(None).unwrap(), None);
        let got = capability(Some(&caps(
            json!({ "paymasterService": { "url": "https://pm.example/rpc", "context": { "policy": "x" } } }),
        )))
        .unwrap()
        .unwrap();
        assert_eq!(got.url, "https://pm.example/rpc");
        assert_eq!(got.context, Some(json!({ "policy": "x" })));
        for bad in [
            json!({ "paymasterService": {} }),
            json!({ "paymasterService": { "url": 5 } }),
            json!({ "paymasterService": { "url": "ftp://pm.example" } }),
            json!({ "paymasterService": { "url": "https://user:pw@pm.example" } }),
            json!({ "paymasterService": { "url": "https://" } }),
            json!({ "paymasterService": { "url": format!("https://pm.example/{}", "a".repeat(3000)) } }),
            json!({ "paymasterService": { "url": "https://pm.example", "context": { "a": "b".repeat(5000) } } }),
        ] {
            let e = capability(Some(&caps(bad.clone()))).unwrap_err();
            assert!(e.to_string().contains("paymasterService"), "{bad}: {e}");
        }
    }

    #[test]
    fn stubs_are_read_as_hostile_input() {
        let url = "http://127.0.0.1:1";
        let stub = read_stub(
            url,
            json!({
                "paymaster": "0x3333333333333333333333333333333333333333",
                "paymasterData": "0x1234",
                "paymasterVerificationGasLimit": "0xea60",
                "sponsor": { "name": "  Devnet\u{202e} sponsor  ", "icon": "data:," },
            }),
        )
        .unwrap();
        assert_eq!(
            stub.paymaster.paymaster_verification_gas_limit,
            U256::from(60_000)
        );
        assert!(stub.verification_given && !stub.post_op_given && !stub.is_final);
        let name = stub.sponsor_name.unwrap();
        assert!(
            name.contains("Devnet") && !name.contains('\u{202e}'),
            "{name:?}"
        );
        for bad in [
            json!({ "paymasterData": "0x" }),
            json!({ "paymaster": "0x0000000000000000000000000000000000000000", "paymasterData": "0x" }),
            json!({ "paymaster": "0x3333333333333333333333333333333333333333", "paymasterData": format!("0x{}", "ab".repeat(5000)) }),
            json!({ "paymaster": "0x3333333333333333333333333333333333333333", "paymasterData": "0x", "paymasterPostOpGasLimit": "0xffffffffffffff" }),
            json!("nonsense"),
        ] {
            let e = read_stub(url, bad.clone()).unwrap_err();
            assert!(e.to_string().contains("nothing was sent"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_paymasters_own_answer_is_read_like_the_entry_point_reads_it() {
        let url = "http://127.0.0.1:1";
        let data = |after: u64, until: u64, authorizer: u64| {
            (U256::from(after) << 208) | (U256::from(until) << 160) | U256::from(authorizer)
        };
        assert!(check_validation(url, data(0, 0, 0), 1_000).is_ok());
        assert!(check_validation(url, data(900, 2_000, 0), 1_000).is_ok());
        let refused = check_validation(url, data(0, 0, 1), 1_000).unwrap_err();
        assert!(refused.to_string().contains("AA34"), "{refused}");
        assert!(
            check_validation(url, data(0, 999, 0), 1_000)
                .unwrap_err()
                .to_string()
                .contains("AA32")
        );
        assert!(check_validation(url, data(1_001, 0, 0), 1_000).is_err());
        assert!(check_validation(url, data(0, 0, 0x1234), 1_000).is_err());
    }

    #[test]
    fn final_data_must_come_from_the_same_paymaster() {
        let url = "http://127.0.0.1:1";
        let stub = Paymaster {
            paymaster: Address::repeat_byte(0x33),
            paymaster_verification_gas_limit: U256::from(1),
            paymaster_post_op_gas_limit: U256::ZERO,
            paymaster_data: Bytes::new(),
        };
        let data = read_data(
            url,
            json!({ "paymaster": "0x3333333333333333333333333333333333333333", "paymasterData": "0xbeef" }),
            &stub,
        )
        .unwrap();
        assert_eq!(data, Bytes::from_static(&[0xbe, 0xef]));
        let other = read_data(
            url,
            json!({ "paymaster": "0x4444444444444444444444444444444444444444", "paymasterData": "0xbeef" }),
            &stub,
        )
        .unwrap_err();
        assert!(other.to_string().contains("after estimating with"));
    }
}
