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

/// A decimal amount as people type it (`1.5`, `0.01`, `20`) in base units of a token with
/// `decimals` decimals; `None` for anything else (signs, exponents, separators, more fraction
/// digits than the token has, or more than 2^256 − 1).
pub fn parse_units(text: &str, decimals: u8) -> Option<U256> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty())
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > usize::from(decimals)
    {
        return None;
    }
    let scale = U256::from(10).checked_pow(U256::from(decimals))?;
    let whole = if whole.is_empty() {
        U256::ZERO
    } else {
        U256::from_str_radix(whole, 10).ok()?
    };
    let fraction = if fraction.is_empty() {
        U256::ZERO
    } else {
        let padded = format!("{fraction:0<width$}", width = usize::from(decimals));
        U256::from_str_radix(&padded, 10).ok()?
    };
    whole.checked_mul(scale)?.checked_add(fraction)
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
    fn amounts_people_type() {
        assert_eq!(
            parse_units("1.5", 18),
            Some(U256::from(15) * U256::from(10).pow(U256::from(17)))
        );
        assert_eq!(parse_units("0.000001", 6), Some(U256::from(1)));
        assert_eq!(parse_units(".5", 1), Some(U256::from(5)));
        assert_eq!(parse_units("20", 0), Some(U256::from(20)));
        assert_eq!(parse_units("7.", 2), Some(U256::from(700)));
        for bad in ["", ".", "-1", "1e3", "1,5", "1.2.3", " 1", "0.0000001"] {
            assert_eq!(parse_units(bad, 6), None, "{bad}");
        }
        assert_eq!(parse_units(&"9".repeat(80), 0), None, "over 2^256");
    }

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
