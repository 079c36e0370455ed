//! Amounts for people: wei as decimal ether (or any token's decimals), without rounding away
//! what the user pays; and the integers outsiders write (decimal or `0x` strings, JSON numbers)
//! read back, the one way every decoder reads them.

use alloy_primitives::U256;

/// An unsigned integer below 2^256 as a decimal or `0x`/`0X`-hex string (digits only: no sign,
/// spaces or separators); `None` otherwise.
pub fn parse_uint(s: &str) -> Option<U256> {
    let (digits, radix) = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => (hex, 16),
        None => (s, 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    U256::from_str_radix(digits, u64::from(radix)).ok()
}

/// [`parse_uint`] of a JSON string, or a JSON integer that fits `u64` (larger ones lose
/// precision in JSON and are refused); `None` for anything else.
pub fn json_uint(value: &serde_json::Value) -> Option<U256> {
    match value {
        serde_json::Value::Number(n) => n.as_u64().map(U256::from),
        serde_json::Value::String(s) => parse_uint(s),
        _ => None,
    }
}

/// Formats `value` with `decimals` decimals, trimming trailing zeros (`1.5`, `0.01`, `0`).
pub fn format_units(value: U256, decimals: u8) -> String {
    let base = U256::from(10).pow(U256::from(decimals));
    let whole = value / base;
    let fraction = value % base;
    if fraction.is_zero() {
        return whole.to_string();
    }
    let digits = format!("{fraction:0>width$}", width = decimals as usize);
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Formats wei as ether with the unit, e.g. `0.01 ETH`.
pub fn format_ether(wei: U256) -> String {
    format!("{} ETH", format_units(wei, 18))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_outsiders_write() {
        assert_eq!(parse_uint("42"), Some(U256::from(42)));
        assert_eq!(parse_uint("0x2A"), Some(U256::from(42)));
        assert_eq!(parse_uint("0X2a"), Some(U256::from(42)));
        assert_eq!(parse_uint(&U256::MAX.to_string()), Some(U256::MAX));
        for bad in ["", "0x", "-1", "1_000", " 1", "1e3", "0xg", &"9".repeat(79)] {
            assert_eq!(parse_uint(bad), None, "{bad}");
        }
        assert_eq!(json_uint(&serde_json::json!(7)), Some(U256::from(7)));
        assert_eq!(json_uint(&serde_json::json!("0x07")), Some(U256::from(7)));
        for bad in [
            serde_json::json!(-1),
            serde_json::json!(1.5),
            serde_json::json!(null),
            serde_json::json!([1]),
        ] {
            assert_eq!(json_uint(&bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_exactly() {
        assert_eq!(
            format_ether(U256::from(10_000_000_000_000_000u64)),
            "0.01 ETH"
        );
        assert_eq!(format_units(U256::ZERO, 18), "0");
        assert_eq!(format_units(U256::from(1), 18), "0.000000000000000001");
        assert_eq!(format_units(U256::from(1_500_000u64), 6), "1.5");
        assert_eq!(format_units(U256::from(42), 0), "42");
    }
}
