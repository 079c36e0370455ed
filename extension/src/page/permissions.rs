//! EIP-2255 permissions: `wallet_getPermissions`, `wallet_requestPermissions` (the connect
//! approval, answered with permission objects) and `wallet_revokePermissions` (disconnecting:
//! the site's sessions end and its pending requests are dropped, see `home::disconnect`).

use serde_json::Value;

use sso_wallet::Result;
use sso_wallet::approval::ApprovalKind;
use sso_wallet::eip1193::Method;
use sso_wallet::eip2255;

use super::Request;
use crate::approvals;

pub async fn handle(request: Request) -> Result<Option<Value>> {
    let address = request.account.as_ref().map(|a| a.address);
    let granted = || eip2255::permissions(&request.origin, request.grant.as_ref(), address);
    match request.method {
        Method::GetPermissions => Ok(Some(granted())),
        Method::RequestPermissions => {
            eip2255::permission_params(request.params.clone())?;
            if request.connected {
                return Ok(Some(granted()));
            }
            approvals::enqueue(
                &request.origin,
                request.reply_to,
                ApprovalKind::RequestPermissions,
            )
            .await?;
            Ok(None)
        }
        _ => {
            eip2255::permission_params(request.params)?;
            crate::home::disconnect(&request.origin).await?;
            Ok(Some(Value::Null))
        }
    }
}
