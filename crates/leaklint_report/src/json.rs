//! The JSON report (`--format json`): one compact JSON object followed by a newline. The same
//! tree gives byte-identical output (no timings, no absolute paths it was not given). Its shape
//! is stable; fields may be added, never renamed or removed, and `version` changes if that
//! promise is ever broken.
//!
//! ```json
//! {
//!   "version": 1,
//!   "tool": { "name": "leaklint", "version": "0.1.0" },
//!   "summary": { "files": 12, "errors": 1, "warnings": 2, "toolErrors": 0 },
//!   "diagnostics": [ … ]
//! }
//! ```
//!
//! Top level:
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `version` | number | Version of this document's shape: `1`. |
//! | `tool.name` | string | `"leaklint"`. |
//! | `tool.version` | string | The leaklint version that wrote the report. |
//! | `summary.files` | number | Files linted (including those that could not be). |
//! | `summary.errors` | number | Diagnostics of severity `error`, tool errors included. |
//! | `summary.warnings` | number | Diagnostics of severity `warning`. |
//! | `summary.toolErrors` | number | Files that could not be read, or on which leaklint failed. |
//! | `diagnostics` | array | Every diagnostic shown, sorted by file, line, column and rule. |
//!
//! Each element of `diagnostics`:
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `rule` | string | Rule id (`uncleared-interval`), or an engine id: `parse-error`, `read-error`, `internal-error`, `unused-disable-directive`. |
//! | `kind` | string | `"finding"` (a rule's finding, including unused disable directives), `"parse-error"` (the file does not parse) or `"tool-error"` (the file could not be read, or leaklint failed on it). |
//! | `severity` | string | `"error"` or `"warning"`; `"note"` for kind `skipped`. |
//! | `message` | string | What is wrong. |
//! | `file` | string | The path as found, with forward slashes and no leading `./`. |
//! | `line`, `column` | number | Start of the primary location: 1-based line, 1-based column counted in UTF-16 code units (as editors, GitHub and SARIF count). |
//! | `endLine`, `endColumn` | number | End of the primary location, same units; `endColumn` is exclusive (the position just after the last character). |
//! | `span.start`, `span.end` | number | The primary location as UTF-8 byte offsets into the file, `end` exclusive. |
//! | `label` | string | The primary location's short label (`"never cleared"`); may be empty. |
//! | `help` | string or null | How to fix it, in one line. |
//! | `url` | string or null | The rule's documentation page; `null` for engine diagnostics. |
//! | `secondary` | array | Other locations that explain the problem, in the rule's order: objects with `message`, `role` (below), `line`, `column`, `endLine`, `endColumn` as above. |
//! | `evidence` | array | The finding's chain of evidence: the secondary locations that play a part in it, in the order it reads — `holder` (what keeps the resource reachable), `repeats` (where its owner is created again, or what runs the code again), `teardown` (the owner's end that does not release it), `release` (a release that misses it) — with the same fields as `secondary`. Empty when the rule gives none. |
//!
//! A file that could not be read has no text: its diagnostic points at line 1, column 1.

use leaklint_diagnostics::{ByteSpan, Diagnostic, DiagnosticKind, FileReport, Label, Role, Totals};
use serde::Serialize;

use crate::{rule_url, ReportOptions};

/// The version of the document's shape.
pub const VERSION: u32 = 1;

/// The whole report as one line of JSON and a newline.
pub fn render(reports: &[FileReport], totals: &Totals, options: &ReportOptions) -> String {
    let document = Document {
        version: VERSION,
        tool: Tool {
            name: "leaklint",
            version: options.tool_version,
        },
        summary: Summary {
            files: totals.files,
            errors: totals.errors,
            warnings: totals.warnings,
            tool_errors: totals.tool_errors,
        },
        diagnostics: reports
            .iter()
            .flat_map(|report| report.diagnostics.iter().map(move |d| entry(report, d)))
            .collect(),
    };
    let mut out = serde_json::to_string(&document).expect("the JSON report always serialises");
    out.push('\n');
    out
}

fn entry<'a>(report: &FileReport, diagnostic: &'a Diagnostic) -> Entry<'a> {
    let range = Range::of(report, diagnostic.primary.span);
    Entry {
        rule: diagnostic.rule,
        kind: kind_name(diagnostic.kind),
        severity: diagnostic.level().as_str(),
        message: &diagnostic.message,
        file: report.display_path(),
        line: range.line,
        column: range.column,
        end_line: range.end_line,
        end_column: range.end_column,
        span: Span {
            start: diagnostic.primary.span.start,
            end: diagnostic.primary.span.end,
        },
        label: &diagnostic.primary.message,
        help: diagnostic.help.as_deref(),
        url: rule_url(diagnostic),
        secondary: diagnostic
            .secondary
            .iter()
            .map(|label| Secondary::of(report, label))
            .collect(),
        evidence: {
            let mut chain: Vec<&Label> = diagnostic
                .secondary
                .iter()
                .filter(|label| label.role != Role::Context)
                .collect();
            // Stable: links of one role keep the rule's order.
            chain.sort_by_key(|label| label.role);
            chain
                .into_iter()
                .map(|label| Secondary::of(report, label))
                .collect()
        },
    }
}

/// The name of a diagnostic kind in the `kind` field.
pub fn kind_name(kind: DiagnosticKind) -> &'static str {
    match kind {
        DiagnosticKind::Finding => "finding",
        DiagnosticKind::ParseError => "parse-error",
        DiagnosticKind::ToolError => "tool-error",
        DiagnosticKind::Skipped => "skipped",
        DiagnosticKind::Notice => "notice",
    }
}

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool<'a>,
    summary: Summary,
    diagnostics: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary {
    files: usize,
    errors: usize,
    warnings: usize,
    tool_errors: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry<'a> {
    rule: &'static str,
    kind: &'static str,
    severity: &'static str,
    message: &'a str,
    file: String,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    span: Span,
    label: &'a str,
    help: Option<&'a str>,
    url: Option<String>,
    secondary: Vec<Secondary<'a>>,
    evidence: Vec<Secondary<'a>>,
}

#[derive(Serialize)]
struct Span {
    start: u32,
    end: u32,
}

#[derive(Serialize)]
struct Secondary<'a> {
    message: &'a str,
    role: &'static str,
    #[serde(flatten)]
    range: Range,
}

impl<'a> Secondary<'a> {
    fn of(report: &FileReport, label: &'a Label) -> Self {
        Secondary {
            message: &label.message,
            role: label.role.as_str(),
            range: Range::of(report, label.span),
        }
    }
}

/// 1-based start and exclusive end, columns in UTF-16 code units.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Range {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Range {
    pub(crate) fn of(report: &FileReport, span: ByteSpan) -> Range {
        let start = report.position(span.start);
        let end = report.position(span.end.max(span.start));
        Range {
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use serde_json::{json, Value};

    fn render_value(reports: &[FileReport]) -> (String, Value) {
        let cwd = cwd();
        let totals = Totals::of(reports, 4);
        let out = render(reports, &totals, &options(&cwd));
        let value = serde_json::from_str(&out).expect("valid JSON");
        (out, value)
    }

    #[test]
    fn columns_are_utf16_code_units() {
        let (_, value) = render_value(&[emoji_report("src/a.js")]);
        let d = &value["diagnostics"][0];
        // `const s = "😀"; ` is 16 UTF-16 units (the emoji is 2) but 18 bytes.
        assert_eq!(d["line"], 1);
        assert_eq!(d["column"], 17);
        assert_eq!(d["endLine"], 1);
        assert_eq!(d["endColumn"], 17 + "setInterval(tick, 1000)".len());
        assert_eq!(d["span"], json!({ "start": 18, "end": 41 }));
        assert_eq!(
            d["secondary"],
            json!([{ "message": "callback defined here", "role": "context", "line": 1, "column": 29, "endLine": 1, "endColumn": 33 }])
        );
        assert_eq!(
            d["evidence"],
            json!([]),
            "context is not a link of the chain"
        );
    }

    #[test]
    fn evidence_reads_holder_repetition_teardown_release_in_that_order() {
        use leaklint_diagnostics::{Label, Role};
        let mut report = emoji_report("a.js");
        let at = |text: &str| crate::test_support::span_of(EMOJI_SOURCE, text);
        let diagnostic = &mut report.diagnostics[0];
        diagnostic.secondary = vec![
            Label::new(at("tick"), "misses").with_role(Role::Release),
            Label::new(at("const"), "note"),
            Label::new(at("setInterval"), "runs per request").with_role(Role::Repeats),
            Label::new(at("s"), "held by the emitter").with_role(Role::Holder),
            Label::new(at("1000"), "again").with_role(Role::Repeats),
        ];
        let (_, value) = render_value(&[report]);
        let d = &value["diagnostics"][0];
        let read = |field: &str| -> Vec<(String, String)> {
            d[field]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| {
                    (
                        l["role"].as_str().unwrap().to_string(),
                        l["message"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        };
        let pair = |role: &str, message: &str| (role.to_string(), message.to_string());
        assert_eq!(
            read("evidence"),
            [
                pair("holder", "held by the emitter"),
                pair("repeats", "runs per request"),
                pair("repeats", "again"),
                pair("release", "misses"),
            ]
        );
        assert_eq!(
            read("secondary").len(),
            5,
            "secondary keeps every label in order"
        );
        assert_eq!(read("secondary")[1], pair("context", "note"));
    }

    #[test]
    fn diagnostic_fields() {
        let (out, value) = render_value(&sample_reports());
        assert!(
            out.ends_with("}\n") && !out.trim_end().contains('\n'),
            "{out}"
        );
        assert_eq!(value["version"], 1);
        assert_eq!(
            value["tool"],
            json!({ "name": "leaklint", "version": "1.2.3" })
        );
        assert_eq!(
            value["summary"],
            json!({ "files": 4, "errors": 2, "warnings": 1, "toolErrors": 1 })
        );
        let diagnostics = value["diagnostics"].as_array().unwrap();
        assert_eq!(diagnostics.len(), 3);

        let parse = &diagnostics[0];
        assert_eq!(parse["rule"], "parse-error");
        assert_eq!(parse["kind"], "parse-error");
        assert_eq!(parse["severity"], "error");
        assert_eq!(parse["file"], "src/broken.js");
        assert_eq!(
            (parse["line"].as_u64(), parse["column"].as_u64()),
            (Some(1), Some(5))
        );
        assert_eq!(parse["url"], Value::Null);
        assert_eq!(parse["help"], Value::Null);

        let finding = &diagnostics[1];
        assert_eq!(finding["rule"], RULE);
        assert_eq!(finding["kind"], "finding");
        assert_eq!(finding["severity"], "warning");
        assert_eq!(finding["message"], "interval is never cleared");
        assert_eq!(finding["file"], "src/my file/ü.js");
        assert_eq!(finding["label"], "never cleared");
        assert_eq!(
            finding["help"],
            "keep the id and call clearInterval when done"
        );
        assert_eq!(finding["url"], leaklint_rules::docs_url(RULE));

        let read = &diagnostics[2];
        assert_eq!(read["kind"], "tool-error");
        assert_eq!(read["rule"], "read-error");
        assert_eq!(
            (
                &read["line"],
                &read["column"],
                &read["endLine"],
                &read["endColumn"]
            ),
            (&json!(1), &json!(1), &json!(1), &json!(1))
        );
        assert_eq!(read["secondary"], json!([]));
    }

    #[test]
    fn crlf_ends_lines_and_windows_paths_use_forward_slashes() {
        let mut report = emoji_report(r".\src\win.js");
        let second_line = EMOJI_SOURCE.find("const t").unwrap() as u32;
        report.diagnostics[0].primary.span = ByteSpan::new(second_line + 6, second_line + 7);
        let (_, value) = render_value(&[report]);
        let d = &value["diagnostics"][0];
        assert_eq!(d["file"], "src/win.js");
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(2), Some(7))
        );
        assert_eq!(d["endColumn"], 8);
    }

    #[test]
    fn field_order_is_stable() {
        let (out, _) = render_value(&[emoji_report("a.js")]);
        let keys = [
            "\"rule\"",
            "\"kind\"",
            "\"severity\"",
            "\"message\"",
            "\"file\"",
            "\"line\"",
            "\"column\"",
            "\"endLine\"",
            "\"endColumn\"",
            "\"span\"",
            "\"label\"",
            "\"help\"",
            "\"url\"",
            "\"secondary\"",
            "\"evidence\"",
        ];
        let diagnostics = out.find("\"diagnostics\"").unwrap();
        let positions: Vec<_> = keys
            .iter()
            .map(|k| diagnostics + out[diagnostics..].find(k).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{out}");
        assert!(out.starts_with("{\"version\":1,\"tool\":"));
    }
}
