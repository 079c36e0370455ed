//! The network: `eth_chainId`, `net_version`, the node's read methods passed through
//! (an explicit allow-list), `wallet_switchEthereumChain` and `wallet_addEthereumChain`.

use serde_json::{Value, json};

use sso_wallet::Result;
use sso_wallet::eip1193::{self, Method};

use super::Request;
use crate::{networks, rpc, state};

pub async fn handle(request: Request) -> Result<Option<Value>> {
    match request.method {
        Method::ChainId => Ok(Some(json!(state::network().await?.chain_id_hex()))),
        Method::NetVersion => Ok(Some(json!(state::network().await?.chain_id.to_string()))),
        Method::Read(name) => {
            let params = eip1193::read_params(request.params)?;
            Ok(Some(
                rpc::call(&state::network().await?.rpc_url, name, params).await?,
            ))
        }
        Method::SwitchChain => {
            let requested = eip1193::switch_chain_params(request.params)?;
            Ok(Some(networks::switch(requested).await?))
        }
        _ => {
            request.account()?;
            let add = eip1193::add_chain_params(request.params)?;
            if networks::add(&request.origin, request.reply_to, add).await? {
                Ok(None)
            } else {
                Ok(Some(Value::Null))
            }
        }
    }
}
