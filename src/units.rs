//! Amounts for people: wei as decimal ether (or any token's decimals), without rounding away
//! what the user pays.

use alloy_primitives::U256;

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
