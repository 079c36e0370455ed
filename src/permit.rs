//! Signatures that let someone else move the account's tokens, recognised in EIP-712 typed data
//! so the approval window can say what they allow: ERC-2612 `Permit` (and DAI's older
//! `allowed` form), Uniswap's Permit2 (`PermitSingle` / `PermitBatch` allowances,
//! `PermitTransferFrom` / `PermitBatchTransferFrom` and their witness forms) and Seaport orders
//! (`OrderComponents`: what the account gives and what it gets back). Recognition follows the
//! *declared* types — the ones the digest is computed from, so what a verifier reads — and the
//! domain (Permit2 and Seaport only at their canonical names); anything that does not match
//! exactly is left to the generic typed-data view. Total: no panic, nothing unbounded kept.

use alloy_primitives::{Address, U256, address};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::decode::TokenInfo;
use crate::session::describe::format_utc;
use crate::units::{format_ether, format_units, json_uint};

/// Permit2's canonical address (the same on every chain).
pub const PERMIT2: Address = address!("000000000022D473030F116dDEE9F6B43aC78BA3");
/// Most token lines listed from one signature (a batch may name more; they are counted).
pub const MAX_ITEMS: usize = 32;
/// An allowance valid longer than this from now is called long-lived (seconds).
pub const LONG_LIVED_SECS: u64 = 30 * 24 * 3600;

/// Which kind of spending signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PermitKind {
    /// ERC-2612 `Permit` on the token itself (or DAI's `allowed` form): an allowance.
    Erc2612,
    /// Permit2 `PermitSingle` / `PermitBatch`: an allowance held in Permit2.
    Permit2Allowance,
    /// Permit2 `PermitTransferFrom` / `PermitBatchTransferFrom` (with or without witness): a
    /// one-time transfer.
    Permit2Transfer,
    /// A Seaport order: what the account offers, and what it gets back.
    SeaportOrder,
}

impl PermitKind {
    /// Stable name (the UI's `data-kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            PermitKind::Erc2612 => "erc2612",
            PermitKind::Permit2Allowance => "permit2-allowance",
            PermitKind::Permit2Transfer => "permit2-transfer",
            PermitKind::SeaportOrder => "seaport-order",
        }
    }

    /// What it is, in words.
    pub fn title(self) -> &'static str {
        match self {
            PermitKind::Erc2612 => "Token spending permit",
            PermitKind::Permit2Allowance => "Permit2 spending allowance",
            PermitKind::Permit2Transfer => "Permit2 one-time transfer",
            PermitKind::SeaportOrder => "Seaport order",
        }
    }
}

/// What kind of asset a line moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AssetKind {
    /// The chain's currency.
    Native,
    /// An ERC-20.
    Erc20,
    /// An ERC-721 (one token, or any of a collection when the id is a criteria root).
    Erc721,
    /// An ERC-1155.
    Erc1155,
}

/// One token and amount a signature covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenAmount {
    /// The asset's kind.
    pub asset: AssetKind,
    /// The token contract (zero for the native currency).
    pub token: Address,
    /// The amount (the largest, for a Seaport amount that changes over time).
    pub amount: U256,
    /// The amount is the type's maximum: no limit.
    pub unlimited: bool,
    /// The NFT id (or Seaport criteria root), for ERC-721 / ERC-1155.
    pub id: Option<U256>,
    /// Seaport: any token of the collection matching a criteria (not one id).
    pub any_of_collection: bool,
}

/// A recognised spending signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Permit {
    /// Which kind.
    pub kind: PermitKind,
    /// Who may spend (the permit's spender; Seaport orders have none).
    pub spender: Option<Address>,
    /// What the signature lets be taken from the account.
    pub gives: Vec<TokenAmount>,
    /// Seaport: what the account gets back (consideration items to it).
    pub receives: Vec<TokenAmount>,
    /// Lines past [`MAX_ITEMS`] not listed.
    pub more: usize,
    /// Until when the allowance (or order) can be used, Unix seconds; `None`: forever.
    pub valid_until: Option<u64>,
    /// Until when the signature itself can be submitted (Permit2's `sigDeadline`).
    pub signature_deadline: Option<u64>,
}

/// Something about a spending signature the user must know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum PermitWarning {
    /// No amount limit on a token.
    Unlimited {
        /// The token.
        token: Address,
    },
    /// Usable for a long time (or forever).
    LongLived {
        /// Until when; `None`: forever.
        until: Option<u64>,
    },
    /// A Seaport order that gives tokens away and gets nothing back to the account.
    NothingBack,
}

impl PermitWarning {
    /// The warning in words (`symbol` names a token when known).
    pub fn message(&self, symbol: impl Fn(Address) -> Option<String>) -> String {
        match self {
            PermitWarning::Unlimited { token } => format!(
                "Unlimited: the spender can take all of your {} now and later, until you revoke it.",
                symbol(*token).unwrap_or_else(|| token.to_string())
            ),
            PermitWarning::LongLived { until: None } => {
                "It never expires: the spender can use it at any time.".into()
            }
            PermitWarning::LongLived { until: Some(_) } => {
                "It stays valid for more than 30 days.".into()
            }
            PermitWarning::NothingBack => {
                "This order gives your tokens away and sends nothing back to your account.".into()
            }
        }
    }
}

impl TokenAmount {
    /// The line in words, with the token's symbol and decimals when known (`token`):
    /// "Unlimited USDC (token 0xA0b8…eB48)", "1.5 USDC (token …)", "0.1 ETH", "NFT #42 of 0x…", "3 of token #7 of 0x…",
    /// "any NFT of the collection 0x…".
    pub fn describe(&self, token: Option<&TokenInfo>) -> String {
        let contract = self.token.to_string();
        match self.asset {
            AssetKind::Native => format!("{} (the chain's currency)", format_ether(self.amount)),
            AssetKind::Erc20 => {
                // A symbol is the token's own claim (a clone can call itself USDC): the
                // contract goes with it.
                let (symbol, amount) = match token {
                    Some(t) => (
                        format!(
                            "{} (token {})",
                            t.symbol,
                            crate::activity::short(self.token)
                        ),
                        format_units(self.amount, t.decimals),
                    ),
                    None => (
                        format!("of token {contract} (raw units)"),
                        self.amount.to_string(),
                    ),
                };
                if self.unlimited {
                    format!("Unlimited {symbol}")
                } else {
                    format!("{amount} {symbol}")
                }
            }
            AssetKind::Erc721 | AssetKind::Erc1155 if self.any_of_collection => {
                format!("Any token of the collection {contract} matching the order's list")
            }
            AssetKind::Erc721 => format!("NFT #{} of {contract}", self.id.unwrap_or_default()),
            AssetKind::Erc1155 => format!(
                "{} of token #{} of {contract}",
                self.amount,
                self.id.unwrap_or_default()
            ),
        }
    }
}

/// A time limit in words: the UTC date, or "Never expires".
pub fn describe_until(until: Option<u64>) -> String {
    match until {
        Some(t) => format_utc(t),
        None => "Never expires".into(),
    }
}

impl Permit {
    /// The ERC-20 tokens whose symbol and decimals the window should read, in order, once each.
    pub fn erc20_tokens(&self) -> Vec<Address> {
        let mut tokens: Vec<Address> = Vec::new();
        for line in self.gives.iter().chain(&self.receives) {
            if line.asset == AssetKind::Erc20 && !tokens.contains(&line.token) {
                tokens.push(line.token);
            }
        }
        tokens
    }

    /// Recognises typed data (`{types, primaryType, domain, message}` as the dapp sent it) as a
    /// spending signature by `account`; `None` when it is not one.
    pub fn recognise(typed: &Value, account: Address) -> Option<Permit> {
        let primary = typed.get("primaryType")?.as_str()?;
        let types = typed.get("types")?;
        let domain = typed.get("domain")?;
        let message = typed.get("message")?;
        let declared = |name: &str| Fields::of(types, name);
        let name = domain.get("name").and_then(Value::as_str);
        let verifying = domain.get("verifyingContract").and_then(address_of);
        match primary {
            "Permit" => erc2612(declared("Permit")?, message, verifying?, account),
            "PermitSingle" | "PermitBatch"
                if name == Some("Permit2") && verifying == Some(PERMIT2) =>
            {
                permit2_allowance(primary, &declared, message)
            }
            "PermitTransferFrom"
            | "PermitBatchTransferFrom"
            | "PermitWitnessTransferFrom"
            | "PermitBatchWitnessTransferFrom"
                if name == Some("Permit2") && verifying == Some(PERMIT2) =>
            {
                permit2_transfer(primary, &declared, message)
            }
            "OrderComponents" if name == Some("Seaport") => seaport(&declared, message, account),
            _ => None,
        }
    }

    /// Warnings at `now` (Unix seconds): unlimited amounts, long or endless validity, a Seaport
    /// order that gets nothing back.
    pub fn warnings(&self, now: u64) -> Vec<PermitWarning> {
        let mut warnings: Vec<PermitWarning> = self
            .gives
            .iter()
            .filter(|t| t.unlimited)
            .map(|t| PermitWarning::Unlimited { token: t.token })
            .collect();
        warnings.dedup();
        let long = match self.valid_until {
            None => true,
            Some(until) => until > now.saturating_add(LONG_LIVED_SECS),
        };
        // A one-time transfer is spent once, but until then the signature stands.
        if long {
            warnings.push(PermitWarning::LongLived {
                until: self.valid_until,
            });
        }
        if self.kind == PermitKind::SeaportOrder
            && self.receives.is_empty()
            && !self.gives.is_empty()
        {
            warnings.push(PermitWarning::NothingBack);
        }
        warnings
    }
}

/// A declared struct type's fields, `(name, type)` in order.
struct Fields<'a>(Vec<(&'a str, &'a str)>);

impl<'a> Fields<'a> {
    fn of(types: &'a Value, name: &str) -> Option<Fields<'a>> {
        let fields = types.get(name)?.as_array()?;
        fields
            .iter()
            .map(|f| Some((f.get("name")?.as_str()?, f.get("type")?.as_str()?)))
            .collect::<Option<Vec<_>>>()
            .map(Fields)
    }

    /// Exactly these fields (any order: EIP-712 hashes in the declared order, and the value's
    /// meaning is by name).
    fn are(&self, expected: &[(&str, &str)]) -> bool {
        self.0.len() == expected.len() && expected.iter().all(|e| self.0.contains(e))
    }

    /// These fields, and maybe a witness (`witness` of any type).
    fn are_with_witness(&self, expected: &[(&str, &str)]) -> bool {
        self.0.len() == expected.len() + 1
            && expected.iter().all(|e| self.0.contains(e))
            && self.0.iter().any(|(n, _)| *n == "witness")
    }
}

fn address_of(value: &Value) -> Option<Address> {
    let s = value.as_str()?;
    if s.len() != 42 {
        return None;
    }
    s.parse().ok()
}

fn max_bits(bits: usize) -> U256 {
    if bits >= 256 {
        U256::MAX
    } else {
        (U256::from(1) << bits) - U256::from(1)
    }
}

/// Unix seconds; past the year 9999 (the type maximums Permit2 and dapps use for "no end"
/// included) reads as `None`: never.
fn time(value: &Value) -> Option<Option<u64>> {
    let t = json_uint(value)?;
    Some(u64::try_from(t).ok().filter(|t| *t <= 253_402_300_799))
}

fn erc20(token: Address, amount: U256, bits: usize) -> TokenAmount {
    TokenAmount {
        asset: AssetKind::Erc20,
        token,
        amount,
        // Past half the type's range is no limit a person would set: shown as unlimited.
        unlimited: amount > max_bits(bits) >> 1,
        id: None,
        any_of_collection: false,
    }
}

fn erc2612(
    declared: Fields<'_>,
    message: &Value,
    token: Address,
    account: Address,
) -> Option<Permit> {
    let field = |name: &str| message.get(name);
    if declared.are(&[
        ("owner", "address"),
        ("spender", "address"),
        ("value", "uint256"),
        ("nonce", "uint256"),
        ("deadline", "uint256"),
    ]) {
        if address_of(field("owner")?)? != account {
            return None;
        }
        return Some(Permit {
            kind: PermitKind::Erc2612,
            spender: Some(address_of(field("spender")?)?),
            gives: vec![erc20(token, json_uint(field("value")?)?, 256)],
            receives: vec![],
            more: 0,
            valid_until: time(field("deadline")?)?,
            signature_deadline: None,
        });
    }
    // DAI's permit: `allowed` gives all or nothing, `expiry` 0 means never.
    if declared.are(&[
        ("holder", "address"),
        ("spender", "address"),
        ("nonce", "uint256"),
        ("expiry", "uint256"),
        ("allowed", "bool"),
    ]) {
        if address_of(field("holder")?)? != account {
            return None;
        }
        let allowed = field("allowed")?.as_bool()?;
        let expiry = json_uint(field("expiry")?)?;
        return Some(Permit {
            kind: PermitKind::Erc2612,
            spender: Some(address_of(field("spender")?)?),
            gives: vec![erc20(
                token,
                if allowed { U256::MAX } else { U256::ZERO },
                256,
            )],
            receives: vec![],
            more: 0,
            valid_until: if expiry.is_zero() {
                None
            } else {
                time(field("expiry")?)?
            },
            signature_deadline: None,
        });
    }
    None
}

fn permit2_allowance<'a>(
    primary: &str,
    declared: &impl Fn(&str) -> Option<Fields<'a>>,
    message: &Value,
) -> Option<Permit> {
    let details_type = [
        ("token", "address"),
        ("amount", "uint160"),
        ("expiration", "uint48"),
        ("nonce", "uint48"),
    ];
    if !declared("PermitDetails")?.are(&details_type) {
        return None;
    }
    let details_field = if primary == "PermitSingle" {
        "PermitDetails"
    } else {
        "PermitDetails[]"
    };
    if !declared(primary)?.are(&[
        ("details", details_field),
        ("spender", "address"),
        ("sigDeadline", "uint256"),
    ]) {
        return None;
    }
    let details = message.get("details")?;
    let list: Vec<&Value> = match details {
        Value::Array(items) if primary == "PermitBatch" => items.iter().collect(),
        Value::Object(_) if primary == "PermitSingle" => vec![details],
        _ => return None,
    };
    let mut gives = Vec::new();
    let mut valid_until: Option<Option<u64>> = None;
    for item in &list {
        let token = address_of(item.get("token")?)?;
        let amount = json_uint(item.get("amount")?)?;
        // Expiration 0: the allowance lasts the block the signature is submitted in, which can
        // be any time before `sigDeadline` — that is how long it stands.
        let expiration = match json_uint(item.get("expiration")?)? {
            e if e.is_zero() => time(message.get("sigDeadline")?)?,
            _ => time(item.get("expiration")?)?,
        };
        if gives.len() < MAX_ITEMS {
            gives.push(erc20(token, amount, 160));
        }
        // The longest-lived of the batch is what the user must weigh.
        valid_until = Some(match (valid_until, expiration) {
            (None, e) => e,
            (Some(None), _) | (_, None) => None,
            (Some(Some(a)), Some(b)) => Some(a.max(b)),
        });
    }
    Some(Permit {
        kind: PermitKind::Permit2Allowance,
        spender: Some(address_of(message.get("spender")?)?),
        more: list.len().saturating_sub(MAX_ITEMS),
        gives,
        receives: vec![],
        valid_until: valid_until?,
        signature_deadline: time(message.get("sigDeadline")?)?,
    })
}

fn permit2_transfer<'a>(
    primary: &str,
    declared: &impl Fn(&str) -> Option<Fields<'a>>,
    message: &Value,
) -> Option<Permit> {
    if !declared("TokenPermissions")?.are(&[("token", "address"), ("amount", "uint256")]) {
        return None;
    }
    let batch = primary.starts_with("PermitBatch");
    let permitted_type = if batch {
        "TokenPermissions[]"
    } else {
        "TokenPermissions"
    };
    let fields = [
        ("permitted", permitted_type),
        ("spender", "address"),
        ("nonce", "uint256"),
        ("deadline", "uint256"),
    ];
    let ours = declared(primary)?;
    let matches = if primary.contains("Witness") {
        ours.are_with_witness(&fields)
    } else {
        ours.are(&fields)
    };
    if !matches {
        return None;
    }
    let permitted = message.get("permitted")?;
    let list: Vec<&Value> = match permitted {
        Value::Array(items) if batch => items.iter().collect(),
        Value::Object(_) if !batch => vec![permitted],
        _ => return None,
    };
    let mut gives = Vec::new();
    for item in &list {
        let token = address_of(item.get("token")?)?;
        let amount = json_uint(item.get("amount")?)?;
        if gives.len() < MAX_ITEMS {
            gives.push(erc20(token, amount, 256));
        }
    }
    Some(Permit {
        kind: PermitKind::Permit2Transfer,
        spender: Some(address_of(message.get("spender")?)?),
        more: list.len().saturating_sub(MAX_ITEMS),
        gives,
        receives: vec![],
        valid_until: time(message.get("deadline")?)?,
        signature_deadline: None,
    })
}

fn seaport<'a>(
    declared: &impl Fn(&str) -> Option<Fields<'a>>,
    message: &Value,
    account: Address,
) -> Option<Permit> {
    let item = [
        ("itemType", "uint8"),
        ("token", "address"),
        ("identifierOrCriteria", "uint256"),
        ("startAmount", "uint256"),
        ("endAmount", "uint256"),
    ];
    if !declared("OfferItem")?.are(&item) {
        return None;
    }
    let mut consideration = item.to_vec();
    consideration.push(("recipient", "address"));
    if !declared("ConsiderationItem")?.are(&consideration) {
        return None;
    }
    let order = declared("OrderComponents")?;
    for (name, kind) in [
        ("offerer", "address"),
        ("offer", "OfferItem[]"),
        ("consideration", "ConsiderationItem[]"),
        ("startTime", "uint256"),
        ("endTime", "uint256"),
    ] {
        if !order.0.contains(&(name, kind)) {
            return None;
        }
    }
    if address_of(message.get("offerer")?)? != account {
        return None;
    }
    // What the account gives is shown at its largest, what it gets back at its smallest (an
    // amount that moves between `startAmount` and `endAmount` over the order's life).
    let line = |item: &Value, giving: bool| -> Option<TokenAmount> {
        let kind = json_uint(item.get("itemType")?)?;
        let token = address_of(item.get("token")?)?;
        let id = json_uint(item.get("identifierOrCriteria")?)?;
        let (start, end) = (
            json_uint(item.get("startAmount")?)?,
            json_uint(item.get("endAmount")?)?,
        );
        let amount = if giving {
            start.max(end)
        } else {
            start.min(end)
        };
        let kind: u8 = kind.try_into().ok()?;
        let (asset, criteria) = match kind {
            0 => (AssetKind::Native, false),
            1 => (AssetKind::Erc20, false),
            2 => (AssetKind::Erc721, false),
            3 => (AssetKind::Erc1155, false),
            4 => (AssetKind::Erc721, true),
            5 => (AssetKind::Erc1155, true),
            _ => return None,
        };
        let nft = matches!(asset, AssetKind::Erc721 | AssetKind::Erc1155);
        Some(TokenAmount {
            asset,
            token,
            amount,
            unlimited: false,
            id: nft.then_some(id),
            any_of_collection: criteria,
        })
    };
    let offer = message.get("offer")?.as_array()?;
    let considered = message.get("consideration")?.as_array()?;
    let mut gives = Vec::new();
    for item in offer {
        let line = line(item, true)?;
        if gives.len() < MAX_ITEMS {
            gives.push(line);
        }
    }
    let mut receives = Vec::new();
    let mut mine = 0;
    for item in considered {
        let line = line(item, false)?;
        if address_of(item.get("recipient")?)? == account {
            mine += 1;
            if receives.len() < MAX_ITEMS {
                receives.push(line);
            }
        }
    }
    Some(Permit {
        kind: PermitKind::SeaportOrder,
        spender: None,
        more: (offer.len() + mine).saturating_sub(gives.len() + receives.len()),
        gives,
        receives,
        valid_until: time(message.get("endTime")?)?,
        signature_deadline: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ACCOUNT: Address = address!("00000000000000000000000000000000000000aa");
    const SPENDER: &str = "0x00000000000000000000000000000000000000bb";
    const TOKEN: &str = "0x00000000000000000000000000000000000000cc";
    const NOW: u64 = 1_800_000_000;

    fn erc2612(value: &str, deadline: u64) -> Value {
        json!({
            "types": {
                "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"}, {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
                "Permit": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"}, {"name": "value", "type": "uint256"}, {"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"}]
            },
            "primaryType": "Permit",
            "domain": {"name": "USD Coin", "version": "2", "chainId": 1, "verifyingContract": TOKEN},
            "message": {"owner": ACCOUNT.to_string(), "spender": SPENDER, "value": value, "nonce": 0, "deadline": deadline}
        })
    }

    fn permit2_single(amount: &str, expiration: u64) -> Value {
        json!({
            "types": {
                "PermitDetails": [{"name": "token", "type": "address"}, {"name": "amount", "type": "uint160"}, {"name": "expiration", "type": "uint48"}, {"name": "nonce", "type": "uint48"}],
                "PermitSingle": [{"name": "details", "type": "PermitDetails"}, {"name": "spender", "type": "address"}, {"name": "sigDeadline", "type": "uint256"}]
            },
            "primaryType": "PermitSingle",
            "domain": {"name": "Permit2", "chainId": 1, "verifyingContract": PERMIT2.to_string()},
            "message": {"details": {"token": TOKEN, "amount": amount, "expiration": expiration, "nonce": 0}, "spender": SPENDER, "sigDeadline": NOW + 1800}
        })
    }

    #[test]
    fn an_erc2612_permit_names_spender_token_amount_and_deadline() {
        let permit = Permit::recognise(&erc2612("1000000", NOW + 3600), ACCOUNT).unwrap();
        assert_eq!(permit.kind, PermitKind::Erc2612);
        assert_eq!(permit.spender, Some(SPENDER.parse().unwrap()));
        assert_eq!(
            permit.gives,
            vec![erc20(TOKEN.parse().unwrap(), U256::from(1_000_000), 256)]
        );
        assert_eq!(permit.valid_until, Some(NOW + 3600));
        assert_eq!(permit.warnings(NOW), vec![]);
        // The maximum, forever: both warned.
        let max = U256::MAX.to_string();
        let endless = Permit::recognise(&erc2612(&max, u64::MAX), ACCOUNT).unwrap();
        assert!(endless.gives[0].unlimited);
        assert_eq!(endless.valid_until, None);
        assert_eq!(
            endless.warnings(NOW),
            vec![
                PermitWarning::Unlimited {
                    token: TOKEN.parse().unwrap()
                },
                PermitWarning::LongLived { until: None }
            ]
        );
        // Someone else's permit, a field renamed, a type changed: not recognised.
        assert_eq!(Permit::recognise(&erc2612("1", NOW), Address::ZERO), None);
        let mut renamed = erc2612("1", NOW);
        renamed["types"]["Permit"][2]["name"] = json!("amount");
        assert_eq!(Permit::recognise(&renamed, ACCOUNT), None);
        let mut retyped = erc2612("1", NOW);
        retyped["types"]["Permit"][2]["type"] = json!("uint128");
        assert_eq!(Permit::recognise(&retyped, ACCOUNT), None);
    }

    #[test]
    fn permit2_allowances_are_unlimited_at_uint160_max_and_need_the_canonical_contract() {
        let max160 = max_bits(160).to_string();
        let permit =
            Permit::recognise(&permit2_single(&max160, NOW + 40 * 86_400), ACCOUNT).unwrap();
        assert_eq!(permit.kind, PermitKind::Permit2Allowance);
        assert!(permit.gives[0].unlimited);
        assert_eq!(permit.signature_deadline, Some(NOW + 1800));
        assert_eq!(
            permit.warnings(NOW),
            vec![
                PermitWarning::Unlimited {
                    token: TOKEN.parse().unwrap()
                },
                PermitWarning::LongLived {
                    until: Some(NOW + 40 * 86_400)
                }
            ]
        );
        let small = Permit::recognise(&permit2_single("5", NOW + 86_400), ACCOUNT).unwrap();
        assert!(!small.gives[0].unlimited);
        assert_eq!(small.warnings(NOW), vec![]);
        // Expiration 0: the allowance lasts the block the signature lands in, which can be any
        // time until sigDeadline.
        let now_only = Permit::recognise(&permit2_single("5", 0), ACCOUNT).unwrap();
        assert_eq!(now_only.valid_until, Some(NOW + 1800));
        let mut elsewhere = permit2_single("5", NOW);
        elsewhere["domain"]["verifyingContract"] = json!(SPENDER);
        assert_eq!(Permit::recognise(&elsewhere, ACCOUNT), None);
        // A batch lists each token; expirations: the longest counts.
        let mut batch = permit2_single("5", NOW + 60);
        batch["primaryType"] = json!("PermitBatch");
        batch["types"]["PermitBatch"] = json!([{"name": "details", "type": "PermitDetails[]"}, {"name": "spender", "type": "address"}, {"name": "sigDeadline", "type": "uint256"}]);
        let one = batch["message"]["details"].clone();
        let mut two = one.clone();
        two["expiration"] = json!(281_474_976_710_655u64); // uint48 max: never
        batch["message"]["details"] = json!([one, two]);
        let permit = Permit::recognise(&batch, ACCOUNT).unwrap();
        assert_eq!(permit.gives.len(), 2);
        assert_eq!(permit.valid_until, None);
        // Single-shaped details under the batch type: not recognised.
        batch["message"]["details"] = one;
        assert_eq!(Permit::recognise(&batch, ACCOUNT), None);
    }

    #[test]
    fn permit2_transfers_with_a_witness_are_recognised_and_a_far_deadline_warned() {
        let typed = json!({
            "types": {
                "TokenPermissions": [{"name": "token", "type": "address"}, {"name": "amount", "type": "uint256"}],
                "ExclusiveDutchOrder": [{"name": "x", "type": "uint256"}],
                "PermitWitnessTransferFrom": [{"name": "permitted", "type": "TokenPermissions"}, {"name": "spender", "type": "address"}, {"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"}, {"name": "witness", "type": "ExclusiveDutchOrder"}]
            },
            "primaryType": "PermitWitnessTransferFrom",
            "domain": {"name": "Permit2", "chainId": 1, "verifyingContract": PERMIT2.to_string()},
            "message": {"permitted": {"token": TOKEN, "amount": "0x10"}, "spender": SPENDER, "nonce": 1, "deadline": NOW + 999_999_999u64, "witness": {"x": 1}}
        });
        let permit = Permit::recognise(&typed, ACCOUNT).unwrap();
        assert_eq!(permit.kind, PermitKind::Permit2Transfer);
        assert_eq!(permit.gives[0].amount, U256::from(16));
        // Until its nonce is used the signature stands: a far deadline is warned.
        assert_eq!(
            permit.warnings(NOW),
            vec![PermitWarning::LongLived {
                until: Some(NOW + 999_999_999)
            }]
        );
    }

    #[test]
    fn a_seaport_order_lists_what_is_given_and_what_comes_back() {
        let item = |kind: u8, token: &str, id: u64, amount: &str| json!({"itemType": kind, "token": token, "identifierOrCriteria": id, "startAmount": amount, "endAmount": amount});
        let mut back = item(
            0,
            "0x0000000000000000000000000000000000000000",
            0,
            "975000000000000000",
        );
        back["recipient"] = json!(ACCOUNT.to_string());
        let mut fee = item(
            0,
            "0x0000000000000000000000000000000000000000",
            0,
            "25000000000000000",
        );
        fee["recipient"] = json!(SPENDER);
        let typed = |consideration: Value| {
            json!({
                "types": {
                    "OrderComponents": [{"name": "offerer", "type": "address"}, {"name": "zone", "type": "address"}, {"name": "offer", "type": "OfferItem[]"}, {"name": "consideration", "type": "ConsiderationItem[]"}, {"name": "orderType", "type": "uint8"}, {"name": "startTime", "type": "uint256"}, {"name": "endTime", "type": "uint256"}, {"name": "zoneHash", "type": "bytes32"}, {"name": "salt", "type": "uint256"}, {"name": "conduitKey", "type": "bytes32"}, {"name": "counter", "type": "uint256"}],
                    "OfferItem": [{"name": "itemType", "type": "uint8"}, {"name": "token", "type": "address"}, {"name": "identifierOrCriteria", "type": "uint256"}, {"name": "startAmount", "type": "uint256"}, {"name": "endAmount", "type": "uint256"}],
                    "ConsiderationItem": [{"name": "itemType", "type": "uint8"}, {"name": "token", "type": "address"}, {"name": "identifierOrCriteria", "type": "uint256"}, {"name": "startAmount", "type": "uint256"}, {"name": "endAmount", "type": "uint256"}, {"name": "recipient", "type": "address"}]
                },
                "primaryType": "OrderComponents",
                "domain": {"name": "Seaport", "version": "1.6", "chainId": 1, "verifyingContract": "0x0000000000000068F116a894984e2DB1123eB395"},
                "message": {"offerer": ACCOUNT.to_string(), "offer": [item(2, TOKEN, 42, "1")], "consideration": consideration, "startTime": NOW, "endTime": NOW + 7 * 86_400}
            })
        };
        let order = Permit::recognise(&typed(json!([back, fee])), ACCOUNT).unwrap();
        assert_eq!(order.kind, PermitKind::SeaportOrder);
        assert_eq!(order.gives[0].asset, AssetKind::Erc721);
        assert_eq!(order.gives[0].id, Some(U256::from(42)));
        assert_eq!(order.receives.len(), 1, "the fee goes to someone else");
        assert_eq!(
            order.receives[0].amount,
            U256::from(975_000_000_000_000_000u64)
        );
        // An amount that falls over the order's life (a Dutch auction) is what comes back at
        // the least; what is given, at the most.
        let mut falling = typed(json!([back.clone()]));
        falling["message"]["consideration"][0]["endAmount"] = json!("0");
        falling["message"]["offer"][0]["startAmount"] = json!("1");
        falling["message"]["offer"][0]["endAmount"] = json!("3");
        let falling = Permit::recognise(&falling, ACCOUNT).unwrap();
        assert_eq!(falling.receives[0].amount, U256::ZERO);
        assert_eq!(falling.gives[0].amount, U256::from(3));
        assert_eq!(order.warnings(NOW), vec![]);
        let gift = Permit::recognise(&typed(json!([fee])), ACCOUNT).unwrap();
        assert_eq!(gift.warnings(NOW), vec![PermitWarning::NothingBack]);
        // An unknown item type is not guessed at.
        let mut odd = typed(json!([back]));
        odd["message"]["offer"][0]["itemType"] = json!(300);
        assert_eq!(Permit::recognise(&odd, ACCOUNT), None);
    }

    #[test]
    fn lines_read_with_the_token_s_symbol_and_decimals() {
        let usdc = TokenInfo {
            symbol: "USDC".into(),
            decimals: 6,
        };
        let token: Address = TOKEN.parse().unwrap();
        let short = crate::activity::short(token);
        assert_eq!(
            erc20(token, U256::from(1_500_000), 256).describe(Some(&usdc)),
            format!("1.5 USDC (token {short})")
        );
        assert_eq!(
            erc20(token, U256::MAX, 256).describe(Some(&usdc)),
            format!("Unlimited USDC (token {short})")
        );
        // Past half the range counts as unlimited; below it, the amount is shown.
        assert!(erc20(token, (U256::MAX >> 1) + U256::from(1), 256).unlimited);
        assert!(!erc20(token, U256::MAX >> 1, 256).unlimited);
        assert_eq!(
            erc20(token, U256::from(7), 256).describe(None),
            format!("7 of token {token} (raw units)")
        );
        let nft = TokenAmount {
            asset: AssetKind::Erc721,
            token,
            amount: U256::from(1),
            unlimited: false,
            id: Some(U256::from(42)),
            any_of_collection: false,
        };
        assert_eq!(nft.describe(None), format!("NFT #42 of {token}"));
        assert_eq!(describe_until(None), "Never expires");
        assert_eq!(describe_until(Some(0)), "1970-01-01 00:00:00 UTC");
        let permit = Permit::recognise(&erc2612("1", NOW), ACCOUNT).unwrap();
        assert_eq!(permit.erc20_tokens(), vec![token]);
    }

    #[test]
    fn anything_else_is_not_a_permit() {
        for typed in [
            json!({}),
            json!({"primaryType": "Mail", "types": {}, "domain": {}, "message": {}}),
            json!("x"),
            json!([1, 2]),
        ] {
            assert_eq!(Permit::recognise(&typed, ACCOUNT), None);
        }
    }
}
