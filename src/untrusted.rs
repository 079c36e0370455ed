//! Bounds for what comes from outside — a page, a node, a bundler, a dapp-added network, a
//! contract's `symbol()` — and text made safe to show. Every decoder of outside bytes caps its
//! input and its output with these, so a hostile peer can neither stall the worker nor make the
//! wallet show (or store) more than a screenful of its words.

/// Longest text from outside the wallet shows in one place (characters).
pub const MAX_TEXT_CHARS: usize = 512;
/// Largest revert data the wallet decodes (bytes); longer data is named by its size only.
pub const MAX_REVERT_BYTES: usize = 16 * 1024;
/// Largest revert data passed back to a page in an error's `data` (bytes).
pub const MAX_ERROR_DATA_BYTES: usize = 64 * 1024;
/// Largest JSON-RPC response body the wallet reads (bytes).
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;
/// How long the wallet waits for a node or bundler to answer (milliseconds).
pub const REQUEST_TIMEOUT_MS: u32 = 20_000;
/// Longest token symbol the wallet keeps (characters).
pub const MAX_SYMBOL_CHARS: usize = 16;
/// Most decimals a token may claim (more is refused as implausible).
pub const MAX_DECIMALS: u8 = 36;
/// Deepest JSON a page may send: what the wallet keeps of it (session requests, typed data in
/// the approval queue) must read back from storage, whose parser stops at 128 levels.
pub const MAX_JSON_DEPTH: usize = 32;

/// How deeply `value` nests (a scalar is 0, `[]` is 1), computed without recursion.
pub fn json_depth(value: &serde_json::Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((value, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        match value {
            serde_json::Value::Array(items) => stack.extend(items.iter().map(|v| (v, depth + 1))),
            serde_json::Value::Object(map) => stack.extend(map.values().map(|v| (v, depth + 1))),
            _ => {}
        }
    }
    deepest
}

/// `text` with control and invisible formatting characters (bidi overrides, zero-width ones)
/// replaced by `�`, cut to `max` characters with `…`.
pub fn clip(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 4));
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        out.push(if is_hidden(c) { '\u{FFFD}' } else { c });
    }
    out
}

/// `text` with every hidden character written out as its escape (`\u{202e}`), nothing cut:
/// for text the user approves in full (typed data), where hiding part of it would mislead.
pub fn reveal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_hidden(c) && c != '\n' && c != '\t' {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `text` reads as it is: nothing hidden in it besides line breaks and tabs.
pub fn is_plain(text: &str) -> bool {
    text.chars()
        .all(|c| !is_hidden(c) || c == '\n' || c == '\t')
}

/// Characters that change how surrounding text reads without being visible themselves.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}' // zero-width spaces and joiners, LRM/RLM
            | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2069}' // word joiner, invisible operators, bidi isolates
            | '\u{FEFF}' // zero-width no-break space
            | '\u{00AD}' // soft hyphen
        )
}

/// `0x…` of at most `max` bytes of `data`, then how long it really is.
pub fn hex_preview(data: &[u8], max: usize) -> String {
    if data.len() <= max {
        return alloy_primitives::hex::encode_prefixed(data);
    }
    format!(
        "{}… ({} bytes)",
        alloy_primitives::hex::encode_prefixed(&data[..max]),
        data.len()
    )
}

/// A token's own claim about its symbol, if it is one a person can read: 1 to
/// [`MAX_SYMBOL_CHARS`] characters, no spaces, control or invisible characters.
pub fn token_symbol(symbol: &str) -> Option<String> {
    let trimmed = symbol.trim();
    let count = trimmed.chars().count();
    let readable = (1..=MAX_SYMBOL_CHARS).contains(&count)
        && trimmed.chars().all(|c| !c.is_whitespace() && !is_hidden(c));
    readable.then(|| trimmed.to_owned())
}

/// A token's own claim about its decimals, if plausible (at most [`MAX_DECIMALS`]).
pub fn token_decimals(decimals: u8) -> Option<u8> {
    (decimals <= MAX_DECIMALS).then_some(decimals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn json_depth_counts_levels_without_recursing() {
        assert_eq!(json_depth(&serde_json::json!(1)), 0);
        assert_eq!(json_depth(&serde_json::json!([1, {"a": [2]}])), 3);
        let mut deep = serde_json::json!(0);
        for _ in 0..1000 {
            deep = serde_json::Value::Array(vec![deep]);
        }
        assert_eq!(json_depth(&deep), 1000);
    }

    #[test]
    fn clips_and_hides_what_would_mislead() {
        assert_eq!(clip("plain", 10), "plain");
        assert_eq!(clip("abcdef", 3), "abc…");
        assert_eq!(clip("a\u{202E}b\nc", 10), "a\u{FFFD}b\u{FFFD}c");
        assert_eq!(hex_preview(&[1, 2, 3], 8), "0x010203");
        assert_eq!(hex_preview(&[0xab; 10], 2), "0xabab… (10 bytes)");
        assert_eq!(token_symbol(" USDC "), Some("USDC".into()));
        assert_eq!(token_symbol(""), None);
        assert_eq!(token_symbol("US DC"), None);
        assert_eq!(token_symbol("USDC\u{202E}"), None);
        assert_eq!(token_symbol(&"X".repeat(17)), None);
        assert_eq!(token_symbol("Ξ"), Some("Ξ".into()));
        assert_eq!(token_decimals(18), Some(18));
        assert_eq!(token_decimals(37), None);
        assert_eq!(reveal("a\u{202E}b\nc"), "a\\u{202e}b\nc");
        assert!(is_plain("line\nnext\ttab") && !is_plain("a\u{200B}b"));
    }

    proptest! {
        #[test]
        fn clip_is_bounded_and_shows_nothing_hidden(text in ".*", max in 0usize..64) {
            let out = clip(&text, max);
            prop_assert!(out.chars().count() <= max + 1);
            prop_assert!(!out.chars().any(is_hidden));
        }

        #[test]
        fn hex_preview_is_bounded(data in proptest::collection::vec(any::<u8>(), 0..512), max in 0usize..64) {
            prop_assert!(hex_preview(&data, max).len() <= 2 + 2 * max + 24);
        }
    }
}
