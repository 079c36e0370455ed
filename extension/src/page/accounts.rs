//! `eth_accounts` and `eth_requestAccounts`: the connected account, or the connect approval
//! (which onboards with a passkey when the wallet has no account yet).

use serde_json::{Value, json};

use sso_wallet::Result;
use sso_wallet::approval::ApprovalKind;
use sso_wallet::eip1193::Method;

use super::Request;
use crate::approvals;

pub async fn handle(request: Request) -> Result<Option<Value>> {
    let address = request.account.as_ref().map(|a| a.address);
    match request.method {
        Method::RequestAccounts if !request.connected => {
            approvals::enqueue(&request.origin, request.reply_to, ApprovalKind::Connect).await?;
            Ok(None)
        }
        _ => Ok(Some(json!([address]))),
    }
}
