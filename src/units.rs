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

/// How many significant digits a balance is shown with before the exact value is asked for.
pub const READABLE_DIGITS: usize = 6;

/// [`format_units`] cut down to `digits` significant digits for reading (`0.986028` for
/// `0.986028253125518616`): the fraction is truncated, never rounded up, so a balance never reads
/// as more than it is; whole units are never cut.
pub fn format_significant(value: U256, decimals: u8, digits: usize) -> String {
    let exact = format_units(value, decimals);
    let Some((whole, fraction)) = exact.split_once('.') else {
        return exact;
    };
    let keep = if whole != "0" {
        digits.saturating_sub(whole.len())
    } else {
        let leading_zeros = fraction.len() - fraction.trim_start_matches('0').len();
        leading_zeros + digits
    };
    let fraction = fraction[..keep.min(fraction.len())].trim_end_matches('0');
    if fraction.is_empty() {
        whole.to_owned()
    } else {
        format!("{whole}.{fraction}")
    }
}

/// An amount for people: as read at a glance, and exactly (the same when nothing is cut).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Readable {
    /// [`format_significant`] with [`READABLE_DIGITS`], and the unit.
    pub short: String,
    /// [`format_units`], and the unit.
    pub exact: String,
}

impl Readable {
    /// `value` of a token with `decimals` decimals and symbol `unit`.
    pub fn new(value: U256, decimals: u8, unit: &str) -> Readable {
        Readable {
            short: format!(
                "{} {unit}",
                format_significant(value, decimals, READABLE_DIGITS)
            ),
            exact: format!("{} {unit}", format_units(value, decimals)),
        }
    }

    /// A text that reads the same at a glance and exactly (an NFT held, a count).
    pub fn plain(text: String) -> Readable {
        Readable {
            short: text.clone(),
            exact: text,
        }
    }

    /// Wei as ether.
    pub fn ether(wei: U256) -> Readable {
        Readable::new(wei, 18, "ETH")
    }

    /// Whether the short form leaves something out.
    pub fn is_cut(&self) -> bool {
        self.short != self.exact
    }
}

/// Formats wei as ether with the unit, e.g. `0.01 ETH`.
pub fn format_ether(wei: U256) -> String {
    format!("{} ETH", format_units(wei, 18))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits_for_reading() {
        let wei = |s: &str| U256::from_str_radix(s, 10).unwrap();
        for (value, decimals, shown) in [
            ("986028253125518616", 18, "0.986028"),
            ("10000000000000000000", 18, "10"),
            ("1500000000000000000", 18, "1.5"),
            ("12345678912345678912345", 18, "12345.6"),
            ("123456789123456789123456789", 18, "123456789"),
            ("12345", 18, "0.000000000000012345"),
            ("1000001", 6, "1"),
            ("0", 18, "0"),
            ("999999999999999999", 18, "0.999999"),
        ] {
            assert_eq!(
                format_significant(wei(value), decimals, 6),
                shown,
                "{value}"
            );
        }
        let r = Readable::ether(wei("986028253125518616"));
        assert_eq!(r.short, "0.986028 ETH");
        assert_eq!(r.exact, "0.986028253125518616 ETH");
        assert!(r.is_cut());
        assert!(!Readable::new(U256::from(10), 0, "TST").is_cut());
    }

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
