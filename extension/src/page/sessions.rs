//! ERC-7715 sessions: `wallet_requestExecutionPermissions` (a passkey approval creating the
//! session), `wallet_getGrantedExecutionPermissions` and `wallet_revokeExecutionPermission`
//! (the origin's own sessions only), and `wallet_getSupportedExecutionPermissions`.

use serde_json::Value;

use sso_wallet::Result;
use sso_wallet::eip1193::Method;
use sso_wallet::session::request::{parse_revoke, supported_execution_permissions};

use super::Request;
use crate::{session, state};

pub async fn handle(request: Request) -> Result<Option<Value>> {
    match request.method {
        Method::RequestExecutionPermissions => {
            let account = request.account()?;
            session::request(&request.origin, request.reply_to, request.params, account).await?;
            Ok(None)
        }
        Method::GetGrantedExecutionPermissions => {
            Ok(Some(session::granted(&request.origin).await?))
        }
        Method::RevokeExecutionPermission => {
            let context = parse_revoke(&request.params.unwrap_or_default())?;
            if session::revoke(context, Some(&request.origin), request.reply_to).await? {
                Ok(None)
            } else {
                Ok(Some(Value::Null))
            }
        }
        _ => {
            let network = state::network().await?;
            Ok(Some(supported_execution_permissions(&[network.chain_id])))
        }
    }
}
