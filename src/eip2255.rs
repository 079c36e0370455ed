//! EIP-2255 wallet permissions. The only permission is `eth_accounts`, granted per origin by the
//! connect approval and revoked by `wallet_revokePermissions` (a disconnect).

use alloy_primitives::Address;
use serde_json::{Value, json};

use crate::storage::Grant;
use crate::{Error, Result};

/// The one permission this wallet grants.
pub const ETH_ACCOUNTS: &str = "eth_accounts";

/// The permission objects of an origin (`[]` when it is not connected).
pub fn permissions(origin: &str, grant: Option<&Grant>, account: Option<Address>) -> Value {
    match (grant, account) {
        (Some(grant), Some(account)) => json!([{
            "invoker": origin,
            "parentCapability": ETH_ACCOUNTS,
            "caveats": [{"type": "restrictReturnedAccounts", "value": [account]}],
            "date": grant.granted_at,
        }]),
        _ => json!([]),
    }
}

/// Parses `wallet_requestPermissions` / `wallet_revokePermissions` params: `[{eth_accounts: {}}]`.
/// Asking for anything else is refused with a precise message.
pub fn permission_params(params: Option<Value>) -> Result<()> {
    let Some(Value::Array(items)) = params else {
        return Err(Error::invalid_params("expected [{\"eth_accounts\": {}}]"));
    };
    let [Value::Object(request)] = items.as_slice() else {
        return Err(Error::invalid_params(
            "expected exactly one permission object, [{\"eth_accounts\": {}}]",
        ));
    };
    if request.is_empty() {
        return Err(Error::invalid_params("no permission requested"));
    }
    match request.keys().find(|k| k.as_str() != ETH_ACCOUNTS) {
        Some(other) => Err(Error::invalid_params(format!(
            "the permission \"{other}\" is not offered; SSO Wallet grants only eth_accounts"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_objects_and_params() {
        let grant = Grant { granted_at: 7 };
        let account = Address::repeat_byte(1);
        let p = permissions("https://a", Some(&grant), Some(account));
        assert_eq!(p[0]["parentCapability"], "eth_accounts");
        assert_eq!(p[0]["caveats"][0]["value"][0], json!(account));
        assert_eq!(permissions("https://a", None, Some(account)), json!([]));
        assert!(permission_params(Some(json!([{"eth_accounts": {}}]))).is_ok());
        for bad in [
            json!(null),
            json!([]),
            json!([{}]),
            json!([{"eth_sign": {}}]),
            json!([1]),
        ] {
            assert!(permission_params(Some(bad.clone())).is_err(), "{bad}");
        }
    }
}
