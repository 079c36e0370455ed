//! `cargo xtask bench --compare FILE`: each headline figure of this run beside the same figure in
//! a saved `results.json`, so a regression shows in one run. Every figure here is better lower;
//! a change beyond [`NOISE`] is marked (sub-millisecond timings move more than that between runs
//! on this machine: read the marks on sizes, gas and medians, not on tails).

use serde_json::Value;

/// Relative change under which a figure counts as unchanged.
pub const NOISE: f64 = 0.05;

/// How a figure is shown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Unit {
    Bytes,
    Ms,
    Ns,
    Ratio,
    Gas,
    /// A number of things (requests).
    Count,
}

/// The figures compared: label, JSON pointer into `results.json`, unit.
const FIGURES: &[(&str, &str, Unit)] = &[
    ("total shipped wasm, gzip", "/shippedWasmGzip", Unit::Bytes),
    ("store zip", "/storeZipBytes", Unit::Bytes),
    (
        "cold start, first eth_chainId, median",
        "/browser/coldStart/ours/median",
        Unit::Ms,
    ),
    (
        "cold start ÷ bare echo, median",
        "/browser/coldStart/ratioMedian",
        Unit::Ratio,
    ),
    (
        "cold start, first eth_accounts, median",
        "/browser/coldStart/oursAccounts/median",
        Unit::Ms,
    ),
    (
        "eth_chainId round trip ÷ bare echo, median",
        "/browser/roundTrip/ratios/chainIdMedian",
        Unit::Ratio,
    ),
    (
        "eth_chainId round trip ÷ bare echo, p99",
        "/browser/roundTrip/ratios/chainIdP99",
        Unit::Ratio,
    ),
    (
        "eth_accounts round trip ÷ bare echo, median",
        "/browser/roundTrip/ratios/accountsMedian",
        Unit::Ratio,
    ),
    (
        "approval window: request → interactive, median",
        "/browser/approvalWindow/requestToInteractive/median",
        Unit::Ms,
    ),
    (
        "passkey tx: request → window, median",
        "/browser/passkeyTransaction/requestToWindow/median",
        Unit::Ms,
    ),
    (
        "session tx wallet time, median",
        "/browser/sessionTransaction/median",
        Unit::Ms,
    ),
    (
        "session tx wallet time, p99",
        "/browser/sessionTransaction/p99",
        Unit::Ms,
    ),
    (
        "session tx: HTTP requests up to the send, median",
        "/browser/sessionTransaction/requests/median",
        Unit::Count,
    ),
    (
        "session tx: sequential request rounds up to the send, median",
        "/browser/sessionTransaction/rounds/median",
        Unit::Count,
    ),
    (
        "wasm linear memory after the requests and sessions",
        "/browser/wasmMemory/afterRequests",
        Unit::Bytes,
    ),
    (
        "worker JS heap after GC, after requests",
        "/browser/workerHeap/oursAfterRequests/usedAfterGcBytes",
        Unit::Bytes,
    ),
    (
        "policy evaluation, 10-policy session",
        "/core/policyEvaluateNs",
        Unit::Ns,
    ),
    ("userOpHash", "/core/userOpHashNs", Unit::Ns),
    (
        "session key restored + userOpHash signed",
        "/core/sessionKeySignNs",
        Unit::Ns,
    ),
];

/// One compared figure.
#[derive(Debug, PartialEq)]
pub struct Row {
    pub label: String,
    pub unit: Unit,
    pub before: Option<f64>,
    pub now: Option<f64>,
}

impl Row {
    /// The relative change, when both sides have the figure.
    pub fn change(&self) -> Option<f64> {
        match (self.before, self.now) {
            (Some(b), Some(n)) if b != 0.0 => Some(n / b - 1.0),
            _ => None,
        }
    }

    /// `✗` for a figure worse by more than [`NOISE`], `✓` for one better by more, else empty.
    pub fn mark(&self) -> &'static str {
        match self.change() {
            Some(c) if c > NOISE => "✗ worse",
            Some(c) if c < -NOISE => "✓ better",
            _ => "",
        }
    }
}

/// The rows: the fixed figures, every shipped file's gzip size and every gas figure of either run.
pub fn rows(before: &Value, now: &Value) -> Vec<Row> {
    let number = |v: &Value, pointer: &str| v.pointer(pointer).and_then(Value::as_f64);
    let mut rows: Vec<Row> = FIGURES
        .iter()
        .map(|(label, pointer, unit)| Row {
            label: (*label).to_owned(),
            unit: *unit,
            before: number(before, pointer),
            now: number(now, pointer),
        })
        .collect();
    let gzip_of = |results: &Value, file: &str| {
        results["files"]
            .as_array()?
            .iter()
            .find(|f| f["file"] == file)?["gzip"]
            .as_f64()
    };
    for file in names(before, now, |r| {
        r["files"]
            .as_array()
            .map(|files| {
                files
                    .iter()
                    .filter_map(|f| f["file"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }) {
        rows.push(Row {
            label: format!("{file}, gzip"),
            unit: Unit::Bytes,
            before: gzip_of(before, &file),
            now: gzip_of(now, &file),
        });
    }
    for name in names(before, now, |r| {
        r.pointer("/gas/figures")
            .and_then(Value::as_object)
            .map(|figures| figures.keys().cloned().collect())
            .unwrap_or_default()
    }) {
        let pointer = format!("/gas/figures/{name}");
        rows.push(Row {
            label: format!("gas: {name}"),
            unit: Unit::Gas,
            before: number(before, &pointer),
            now: number(now, &pointer),
        });
    }
    rows
}

/// The names `list` finds in either run, in the order this run lists them, then the old run's.
fn names(before: &Value, now: &Value, list: impl Fn(&Value) -> Vec<String>) -> Vec<String> {
    let mut all = list(now);
    for name in list(before) {
        if !all.contains(&name) {
            all.push(name);
        }
    }
    all
}

fn show(value: Option<f64>, unit: Unit) -> String {
    let Some(v) = value else {
        return "–".to_owned();
    };
    match unit {
        Unit::Bytes => format!("{v:.0} B"),
        Unit::Ms => format!("{v:.2} ms"),
        Unit::Ns => format!("{v:.0} ns"),
        Unit::Ratio => format!("{v:.2}×"),
        Unit::Gas | Unit::Count => format!("{v:.0}"),
    }
}

/// The comparison as a Markdown table.
pub fn table(rows: &[Row], before_name: &str) -> String {
    let mut out =
        format!("| figure | {before_name} | this run | change | |\n|---|---:|---:|---:|---|\n");
    for row in rows {
        let change = row
            .change()
            .map(|c| format!("{:+.1}%", c * 100.0))
            .unwrap_or_else(|| "–".to_owned());
        out.push_str(&format!(
            "| {} | {} | {} | {change} | {} |\n",
            row.label,
            show(row.before, row.unit),
            show(row.now, row.unit),
            row.mark()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn results(wasm: u64, cold: f64, files: &[(&str, u64)], gas: &[(&str, u64)]) -> Value {
        json!({
            "shippedWasmGzip": wasm,
            "files": files.iter().map(|(f, g)| json!({"file": f, "bytes": g * 3, "gzip": g})).collect::<Vec<_>>(),
            "browser": {"coldStart": {"ours": {"median": cold}}},
            "gas": {"figures": gas.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>()},
        })
    }

    fn row<'a>(rows: &'a [Row], label: &str) -> &'a Row {
        rows.iter().find(|r| r.label == label).expect(label)
    }

    #[test]
    fn marks_what_moved_beyond_the_noise() {
        let before = results(
            1_000_000,
            50.0,
            &[("wasm/a.wasm", 600_000)],
            &[("deploy", 100_000)],
        );
        let now = results(
            900_000,
            51.0,
            &[("wasm/a.wasm", 700_000)],
            &[("deploy", 100_000)],
        );
        let rows = rows(&before, &now);
        let wasm = row(&rows, "total shipped wasm, gzip");
        assert_eq!((wasm.before, wasm.now), (Some(1e6), Some(9e5)));
        assert_eq!(wasm.mark(), "✓ better");
        assert_eq!(
            row(&rows, "cold start, first eth_chainId, median").mark(),
            "",
            "2% is noise"
        );
        assert_eq!(row(&rows, "wasm/a.wasm, gzip").mark(), "✗ worse");
        assert_eq!(row(&rows, "gas: deploy").change(), Some(0.0));
        let table = table(&rows, "saved");
        assert!(
            table.contains(
                "| total shipped wasm, gzip | 1000000 B | 900000 B | -10.0% | ✓ better |"
            ),
            "{table}"
        );
    }

    #[test]
    fn a_figure_only_one_run_has_is_shown_without_a_change() {
        let before = results(1, 1.0, &[("old.wasm", 10)], &[]);
        let now = results(1, 1.0, &[("new.wasm", 10)], &[("revokeKey", 5)]);
        let rows = rows(&before, &now);
        assert_eq!(row(&rows, "old.wasm, gzip").now, None);
        assert_eq!(row(&rows, "new.wasm, gzip").before, None);
        assert_eq!(row(&rows, "gas: revokeKey").change(), None);
        assert_eq!(
            row(&rows, "session tx wallet time, median").before,
            None,
            "absent in both"
        );
        assert!(table(&rows, "saved").contains("| gas: revokeKey | – | 5 | – |  |"));
    }
}
