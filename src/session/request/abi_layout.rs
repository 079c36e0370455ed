//! The ABI head layout of a called function, as far as constraints care: which 32-byte word
//! (after the selector) a parameter path such as `to`, `order.amount` or `ids[2]` lands on, the
//! word's type ([`WordType`]), and the way back from a word index to a path.
//!
//! Only static words before the first dynamic parameter can be constrained (the validator reads
//! fixed offsets), so dynamic types are tracked only to say why they are refused. The bounds on
//! signature text and type nesting live here too: they keep these walks and the signature
//! parser away from hostile depths.

use std::str::FromStr;

use alloy_json_abi::Param;

use super::{RequestError, Result};

/// Whether a parameter type is one 32-byte word (what a constraint compares).
pub(super) fn is_word_type(ty: &str) -> bool {
    ty.parse::<WordType>().is_ok()
}

/// An ABI word's type, as far as constraints care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordType {
    /// `address`.
    Address,
    /// `bool`.
    Bool,
    /// `uintN` (bits).
    Uint(u16),
    /// `intN` (bits), two's complement, sign-extended.
    Int(u16),
    /// `bytesN` (length), left-aligned.
    FixedBytes(u8),
    /// `function` (24 bytes, left-aligned).
    Function,
}

impl std::fmt::Display for WordType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WordType::Address => f.write_str("address"),
            WordType::Bool => f.write_str("bool"),
            WordType::Uint(bits) => write!(f, "uint{bits}"),
            WordType::Int(bits) => write!(f, "int{bits}"),
            WordType::FixedBytes(n) => write!(f, "bytes{n}"),
            WordType::Function => f.write_str("function"),
        }
    }
}

impl FromStr for WordType {
    type Err = ();

    fn from_str(ty: &str) -> std::result::Result<Self, ()> {
        let bits = |s: &str, default: u16| -> std::result::Result<u16, ()> {
            if s.is_empty() {
                return Ok(default);
            }
            if s.starts_with('0') {
                return Err(());
            }
            let n: u16 = s.parse().map_err(|_| ())?;
            if n.is_multiple_of(8) && (8..=256).contains(&n) {
                Ok(n)
            } else {
                Err(())
            }
        };
        match ty {
            "address" => Ok(WordType::Address),
            "bool" => Ok(WordType::Bool),
            "function" => Ok(WordType::Function),
            _ => {
                if let Some(rest) = ty.strip_prefix("uint") {
                    bits(rest, 256).map(WordType::Uint)
                } else if let Some(rest) = ty.strip_prefix("int") {
                    bits(rest, 256).map(WordType::Int)
                } else if let Some(rest) = ty.strip_prefix("bytes") {
                    match rest.parse::<u8>() {
                        Ok(n) if (1..=32).contains(&n) && !rest.starts_with('0') => {
                            Ok(WordType::FixedBytes(n))
                        }
                        _ => Err(()),
                    }
                } else {
                    Err(())
                }
            }
        }
    }
}

/// The head layout of one ABI type.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Layout {
    Word(WordType),
    Tuple(Vec<(String, Layout)>),
    Array(Box<Layout>, u64),
    /// Dynamic (its head is an offset): `bytes`, `string`, `T[]`, or containing one.
    Dynamic(String),
}

impl Layout {
    fn of(param: &Param) -> std::result::Result<Layout, String> {
        Self::of_type(&param.ty, &param.components)
    }

    fn of_type(ty: &str, components: &[Param]) -> std::result::Result<Layout, String> {
        if let Some(open) = ty.strip_suffix(']').and_then(|t| t.rfind('[')) {
            let inner_ty = &ty[..open];
            let dim = &ty[open + 1..ty.len() - 1];
            let inner = Self::of_type(inner_ty, components)?;
            if dim.is_empty() {
                return Ok(Layout::Dynamic(canonical(ty, components)));
            }
            let n: u64 = dim
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("bad array length in `{ty}`"))?;
            return Ok(match inner {
                Layout::Dynamic(_) => Layout::Dynamic(canonical(ty, components)),
                inner => Layout::Array(Box::new(inner), n),
            });
        }
        match ty {
            "tuple" if components.is_empty() => {
                Err("empty tuples (and tuples without components) are not supported".into())
            }
            "tuple" => {
                let mut parts = Vec::with_capacity(components.len());
                for (i, c) in components.iter().enumerate() {
                    let layout = Self::of(c)?;
                    if let Layout::Dynamic(_) = layout {
                        return Ok(Layout::Dynamic(canonical(ty, components)));
                    }
                    let name = if c.name.is_empty() {
                        i.to_string()
                    } else {
                        c.name.clone()
                    };
                    parts.push((name, layout));
                }
                Ok(Layout::Tuple(parts))
            }
            "bytes" | "string" => Ok(Layout::Dynamic(ty.to_owned())),
            _ => ty
                .parse()
                .map(Layout::Word)
                .map_err(|()| format!("unsupported ABI type `{ty}`")),
        }
    }

    /// Head words (`None` for dynamic, or absurdly large).
    fn words(&self) -> Option<u64> {
        match self {
            Layout::Word(_) => Some(1),
            Layout::Tuple(parts) => parts
                .iter()
                .try_fold(0u64, |acc, (_, l)| acc.checked_add(l.words()?)),
            Layout::Array(inner, n) => inner.words()?.checked_mul(*n),
            Layout::Dynamic(_) => None,
        }
    }

    /// The word at `offset` inside this static layout: its path suffix and type.
    fn word_at(&self, offset: u64) -> Option<(String, WordType)> {
        match self {
            Layout::Word(t) if offset == 0 => Some((String::new(), *t)),
            Layout::Word(_) | Layout::Dynamic(_) => None,
            Layout::Tuple(parts) => {
                let mut start = 0u64;
                for (name, layout) in parts {
                    let w = layout.words()?;
                    if offset < start + w {
                        let (suffix, t) = layout.word_at(offset - start)?;
                        return Some((format!(".{name}{suffix}"), t));
                    }
                    start += w;
                }
                None
            }
            Layout::Array(inner, n) => {
                let w = inner.words()?;
                let i = offset.checked_div(w)?;
                if i >= *n {
                    return None;
                }
                let (suffix, t) = inner.word_at(offset.checked_rem(w)?)?;
                Some((format!("[{i}]{suffix}"), t))
            }
        }
    }

    /// Resolves a path suffix (`.amount`, `[1].x`, or empty) to (word offset, type).
    fn resolve(&self, suffix: &str, full: &str) -> std::result::Result<(u64, WordType), String> {
        match self {
            Layout::Word(t) if suffix.is_empty() => Ok((0, *t)),
            Layout::Word(t) => Err(format!("`{full}`: {t} has no component `{suffix}`")),
            Layout::Dynamic(ty) => Err(format!("`{full}`: {ty} is dynamic")),
            Layout::Tuple(parts) => {
                let Some(rest) = suffix.strip_prefix('.') else {
                    return Err(self.multi_word(full));
                };
                let end = rest.find(['.', '[']).unwrap_or(rest.len());
                let (name, rest) = rest.split_at(end);
                let mut start = 0u64;
                for (part, layout) in parts {
                    if part == name {
                        let (offset, t) = layout.resolve(rest, full)?;
                        return Ok((start + offset, t));
                    }
                    start += layout
                        .words()
                        .ok_or_else(|| format!("`{full}` is too large"))?;
                }
                Err(format!("`{full}`: the tuple has no component `{name}`"))
            }
            Layout::Array(inner, n) => {
                let Some(rest) = suffix.strip_prefix('[') else {
                    return Err(self.multi_word(full));
                };
                let close = rest
                    .find(']')
                    .ok_or_else(|| format!("`{full}`: missing `]`"))?;
                let i: u64 = rest[..close]
                    .parse()
                    .map_err(|_| format!("`{full}`: bad array index"))?;
                if i >= *n {
                    return Err(format!("`{full}`: index {i} is out of bounds (length {n})"));
                }
                let w = inner
                    .words()
                    .ok_or_else(|| format!("`{full}` is too large"))?;
                let (offset, t) = inner.resolve(&rest[close + 1..], full)?;
                Ok((i * w + offset, t))
            }
        }
    }

    fn multi_word(&self, full: &str) -> String {
        let example = self
            .word_at(0)
            .map(|(suffix, _)| format!("`{full}{suffix}`"))
            .unwrap_or_default();
        format!(
            "`{full}` spans {} words; constrain one of its components, e.g. {example}, or use `index`",
            self.words().unwrap_or(0)
        )
    }
}

/// The canonical type string (`(uint256,address)[]` for `tuple[]`).
pub(super) fn canonical(ty: &str, components: &[Param]) -> String {
    match ty.strip_prefix("tuple") {
        Some(suffix) => format!(
            "({}){suffix}",
            components
                .iter()
                .map(|c| canonical(&c.ty, &c.components))
                .collect::<Vec<_>>()
                .join(",")
        ),
        None => ty.to_owned(),
    }
}

/// The function's head layout: the static params before the first dynamic one (with their first
/// word index), the number of those words, and the first dynamic param if any.
pub(super) struct HeadLayout {
    statics: Vec<(String, u64, Layout)>,
    pub(super) static_words: u64,
    first_dynamic: Option<(String, String)>,
}

pub(super) fn head_layout(inputs: &[Param]) -> std::result::Result<HeadLayout, String> {
    let mut head = HeadLayout {
        statics: Vec::new(),
        static_words: 0,
        first_dynamic: None,
    };
    for (i, p) in inputs.iter().enumerate() {
        let name = if p.name.is_empty() {
            format!("#{i}")
        } else {
            p.name.clone()
        };
        match Layout::of(p)? {
            Layout::Dynamic(ty) => {
                head.first_dynamic = Some((name, ty));
                break;
            }
            layout => {
                let words = layout
                    .words()
                    .ok_or_else(|| format!("parameter `{name}` is too large"))?;
                let start = head.static_words;
                head.static_words = start
                    .checked_add(words)
                    .ok_or_else(|| format!("parameter `{name}` is too large"))?;
                head.statics.push((name, start, layout));
            }
        }
    }
    Ok(head)
}

/// The word index (after the selector) of a parameter path in `inputs` — `to`, `order.amount`,
/// `ids[2]` — and the word's type. Only static words before the first dynamic parameter qualify.
pub fn word_index(inputs: &[Param], path: &str) -> std::result::Result<(u64, WordType), String> {
    let end = path.find(['.', '[']).unwrap_or(path.len());
    let (name, suffix) = path.split_at(end);
    let position = inputs
        .iter()
        .enumerate()
        .position(|(i, p)| p.name == name || (p.name.is_empty() && name == format!("#{i}")))
        .ok_or_else(|| {
            let names: Vec<_> = inputs
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    if p.name.is_empty() {
                        format!("#{i}")
                    } else {
                        p.name.clone()
                    }
                })
                .collect();
            format!(
                "the function has no parameter `{name}` (parameters: {})",
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                }
            )
        })?;
    let head = head_layout(inputs)?;
    if let Some((_, start, layout)) = head.statics.get(position) {
        let (offset, t) = layout.resolve(suffix, path)?;
        return Ok((start + offset, t));
    }
    let (dyn_name, dyn_ty) = head
        .first_dynamic
        .ok_or_else(|| "internal: parameter outside the head".to_owned())?;
    if position == head.statics.len() {
        Err(format!(
            "constraint on `{path}`: {dyn_ty} is dynamic; constraints work only on static parameters before the first dynamic one"
        ))
    } else {
        Err(format!(
            "constraint on `{path}`: it comes after the dynamic parameter `{dyn_name}` ({dyn_ty}); constraints work only on static parameters before the first dynamic one"
        ))
    }
}

/// The word at `index` in the static head: its path and type.
pub(super) fn word_by_index(
    inputs: &[Param],
    index: u64,
) -> std::result::Result<(String, WordType), String> {
    let head = head_layout(inputs)?;
    for (name, start, layout) in &head.statics {
        let words = layout.words().unwrap_or(0);
        if index >= *start && index < start + words {
            let (suffix, t) = layout
                .word_at(index - start)
                .ok_or_else(|| format!("word {index} cannot be resolved"))?;
            return Ok((format!("{name}{suffix}"), t));
        }
    }
    Err(match head.first_dynamic {
        Some((name, ty)) => format!(
            "constraint on word {index}: the static words before the first dynamic parameter `{name}` ({ty}) are 0..{}; constraints work only on static parameters before the first dynamic one",
            head.static_words
        ),
        None => format!(
            "constraint on word {index}: the function has only {} parameter words",
            head.static_words
        ),
    })
}

/// Longest human-readable function signature accepted (bytes).
const MAX_SIGNATURE_BYTES: usize = 1024;
/// Deepest nesting of a parameter type (tuples in tuples, array dimensions) accepted.
const MAX_TYPE_DEPTH: usize = 8;

/// Refuses signature text whose nesting could make a parser recurse deeply: too long, or
/// parentheses / brackets nested more than [`MAX_TYPE_DEPTH`] deep.
pub(super) fn check_signature_text(signature: &str, at: &str) -> Result<()> {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    for c in signature.chars() {
        match c {
            '(' | '[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if signature.len() > MAX_SIGNATURE_BYTES || deepest > MAX_TYPE_DEPTH + 1 {
        return Err(RequestError::new(
            at,
            format!(
                "the function signature is longer than {MAX_SIGNATURE_BYTES} bytes or nested more than {MAX_TYPE_DEPTH} levels deep"
            ),
        ));
    }
    Ok(())
}

/// Refuses parameter types nested more than [`MAX_TYPE_DEPTH`] levels (each tuple and each
/// array dimension is one), walked without recursion.
pub(super) fn check_type_depth(inputs: &[Param], at: &str) -> Result<()> {
    let mut stack: Vec<(&Param, usize)> = inputs.iter().map(|p| (p, 1)).collect();
    while let Some((param, depth)) = stack.pop() {
        let depth = depth + param.ty.matches('[').count();
        if depth > MAX_TYPE_DEPTH {
            return Err(RequestError::new(
                at,
                format!(
                    "parameter `{}` is nested more than {MAX_TYPE_DEPTH} levels deep",
                    crate::untrusted::clip(&param.name, 64)
                ),
            ));
        }
        stack.extend(param.components.iter().map(|c| (c, depth + 1)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_json_abi::Function;
    use proptest::prelude::*;
    use serde_json::json;

    use super::super::test_support::{TOKEN, err, one_call};

    #[test]
    fn hostile_types_are_refused_not_crashed_on() {
        // A tuple type without components (zero words) once divided by zero.
        let abi = json!([{ "type": "function", "name": "f", "stateMutability": "nonpayable",
            "inputs": [{ "name": "x", "type": "tuple[3]" }], "outputs": [] }]);
        let e = err(one_call(
            json!({ "address": TOKEN, "abi": abi, "functionName": "f",
            "constraints": [{ "param": "x" }] }),
        ));
        assert!(e.contains("empty tuples"), "{e}");
        // Array dimensions deep enough to overflow a recursive walk.
        let deep = format!("f(uint256{} x)", "[1]".repeat(50_000));
        let e = err(one_call(json!({ "address": TOKEN, "function": deep })));
        assert!(e.contains("nested more than 8 levels"), "{e}");
        let abi = json!([{ "type": "function", "name": "g", "stateMutability": "nonpayable",
            "inputs": [{ "name": "x", "type": format!("uint256{}", "[1]".repeat(20)) }], "outputs": [] }]);
        let e = err(one_call(
            json!({ "address": TOKEN, "abi": abi, "functionName": "g" }),
        ));
        assert!(e.contains("nested more than 8 levels"), "{e}");
        let nested = format!("h({}uint256{} x)", "(".repeat(20), ")".repeat(20));
        assert!(err(one_call(json!({ "address": TOKEN, "function": nested }))).contains("nested"));
        // Up to the limit works.
        let ok = format!("k(uint256{} x)", "[2]".repeat(7));
        assert!(one_call(json!({ "address": TOKEN, "function": ok })).is_ok());
    }

    #[test]
    fn word_index_of_named_params() {
        let f = |sig: &str| Function::parse(sig).unwrap().inputs;
        // Human-readable signatures cannot name tuple components (they are `.0`, `.1`); JSON ABIs can.
        let unnamed = f("swap((address,uint256) order, uint256[3] ids)");
        assert_eq!(
            word_index(&unnamed, "order.1"),
            Ok((1, WordType::Uint(256)))
        );
        let inputs: Vec<Param> = serde_json::from_value(json!([
            { "name": "order", "type": "tuple", "components": [
                { "name": "token", "type": "address" }, { "name": "amount", "type": "uint256" } ] },
            { "name": "ids", "type": "uint256[3]" },
            { "name": "flag", "type": "bool" },
            { "name": "data", "type": "bytes" },
            { "name": "after", "type": "uint256" }
        ]))
        .unwrap();
        type Expected = std::result::Result<(u64, WordType), &'static str>;
        let cases: Vec<(&str, Expected)> = vec![
            ("order.token", Ok((0, WordType::Address))),
            ("order.amount", Ok((1, WordType::Uint(256)))),
            ("ids[0]", Ok((2, WordType::Uint(256)))),
            ("ids[2]", Ok((4, WordType::Uint(256)))),
            ("flag", Ok((5, WordType::Bool))),
            (
                "order",
                Err("spans 2 words; constrain one of its components, e.g. `order.token`"),
            ),
            ("ids", Err("spans 3 words")),
            ("ids[3]", Err("out of bounds")),
            ("order.price", Err("no component `price`")),
            ("flag.x", Err("bool has no component")),
            (
                "data",
                Err(
                    "constraint on `data`: bytes is dynamic; constraints work only on static parameters before the first dynamic one",
                ),
            ),
            ("after", Err("comes after the dynamic parameter `data`")),
            (
                "nope",
                Err("no parameter `nope` (parameters: order, ids, flag, data, after)"),
            ),
        ];
        for (path, expected) in cases {
            match (word_index(&inputs, path), expected) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{path}"),
                (Err(got), Err(want)) => assert!(got.contains(want), "{path}: {got}"),
                (got, want) => panic!("{path}: {got:?} vs {want:?}"),
            }
        }
        // Dynamic tuples and arrays are dynamic too.
        let inputs = f("g(uint8 a, (uint256,string) t, uint256 b)");
        assert_eq!(word_index(&inputs, "a"), Ok((0, WordType::Uint(8))));
        assert!(
            word_index(&inputs, "t.x")
                .unwrap_err()
                .contains("(uint256,string) is dynamic")
        );
        let inputs = f("h(address[] list, address who)");
        assert!(
            word_index(&inputs, "who")
                .unwrap_err()
                .contains("after the dynamic parameter `list` (address[])")
        );
        // Unnamed parameters are `#i`; word indices resolve back to paths.
        let inputs = f("k(address, (uint256,int24)[2], string)");
        assert_eq!(word_index(&inputs, "#1[1].1"), Ok((4, WordType::Int(24))));
        assert_eq!(
            word_by_index(&inputs, 3),
            Ok(("#1[1].0".into(), WordType::Uint(256)))
        );
        assert!(word_by_index(&inputs, 5).unwrap_err().contains("are 0..5"));
    }

    /// A random ABI type: (signature text, head words or None when dynamic).
    fn abi_type() -> impl Strategy<Value = (String, Option<u64>)> {
        let leaf = prop_oneof![
            Just(("address".to_owned(), Some(1))),
            Just(("bool".to_owned(), Some(1))),
            Just(("uint256".to_owned(), Some(1))),
            Just(("int8".to_owned(), Some(1))),
            Just(("bytes32".to_owned(), Some(1))),
            Just(("bytes".to_owned(), None)),
            Just(("string".to_owned(), None)),
        ];
        leaf.prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                (inner.clone(), 1u64..4)
                    .prop_map(|((t, w), n)| (format!("{t}[{n}]"), w.map(|w| w * n))),
                inner.clone().prop_map(|(t, _)| (format!("{t}[]"), None)),
                proptest::collection::vec(inner, 1..4).prop_map(|parts| {
                    let ty = format!(
                        "({})",
                        parts
                            .iter()
                            .map(|(t, _)| t.as_str())
                            .collect::<Vec<_>>()
                            .join(",")
                    );
                    let words = parts.iter().try_fold(0, |acc, (_, w)| w.map(|w| acc + w));
                    (ty, words)
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn word_index_matches_the_head_layout(params in proptest::collection::vec(abi_type(), 0..6)) {
            let sig = format!(
                "f({})",
                params.iter().enumerate().map(|(i, (t, _))| format!("{t} p{i}")).collect::<Vec<_>>().join(", ")
            );
            let inputs = Function::parse(&sig).unwrap().inputs;
            let mut start = Some(0u64);
            for (i, (ty, words)) in params.iter().enumerate() {
                let path = format!("p{i}");
                let got = word_index(&inputs, &path);
                let leaf = !ty.contains(['(', '[']);
                match (start, words) {
                    (Some(s), Some(1)) if leaf => prop_assert_eq!(got.map(|g| g.0), Ok(s), "{}", sig),
                    (Some(_), Some(_)) => prop_assert!(got.unwrap_err().contains("words"), "{}", sig),
                    _ => prop_assert!(got.unwrap_err().contains("dynamic"), "{}", sig),
                }
                start = match (start, words) {
                    (Some(s), Some(w)) => Some(s + w),
                    _ => None,
                };
            }
            // Every static head word resolves back to a path with the same index.
            let head = head_layout(&inputs).unwrap();
            prop_assert_eq!(Some(head.static_words), start.or(Some(head.static_words)));
            for index in 0..head.static_words.min(64) {
                let (path, ty) = word_by_index(&inputs, index).unwrap();
                prop_assert_eq!(word_index(&inputs, &path), Ok((index, ty)), "{} {}", sig, path);
            }
            prop_assert!(word_by_index(&inputs, head.static_words).is_err());
        }
    }
}
