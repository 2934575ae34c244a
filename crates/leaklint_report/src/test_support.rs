//! Hand-built reports shared by the renderers' tests.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use leaklint_diagnostics::{
    engine_ids, ByteSpan, Diagnostic, DiagnosticKind, FileReport, Label, LineIndex, Severity,
};

use crate::ReportOptions;

/// The first registered rule, used for findings.
pub const RULE: &str = "uncleared-interval";

/// An emoji (4 UTF-8 bytes, 2 UTF-16 units) before the call, and CRLF line ends.
pub const EMOJI_SOURCE: &str =
    "const s = \"😀\"; setInterval(tick, 1000);\r\nconst t = 1; // leaklint-disable-line\r\n";

pub fn span_of(source: &str, needle: &str) -> ByteSpan {
    let start = source
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in source"));
    ByteSpan::new(start as u32, (start + needle.len()) as u32)
}

pub fn report(path: &str, source: Option<&str>, diagnostics: Vec<Diagnostic>) -> FileReport {
    FileReport {
        path: PathBuf::from(path),
        source: source.map(Arc::from),
        line_index: source.map(|s| Arc::new(LineIndex::new(s))),
        diagnostics,
    }
}

/// A report of `RULE` findings at these byte spans.
pub fn report_with(path: &str, source: &str, spans: &[(u32, u32)]) -> FileReport {
    let diagnostics = spans
        .iter()
        .map(|&(start, end)| {
            Diagnostic::finding(
                RULE,
                Severity::Error,
                "m",
                Label::new(ByteSpan::new(start, end), ""),
            )
        })
        .collect();
    report(path, Some(source), diagnostics)
}

/// The finding on the emoji line: `setInterval(tick, 1000)` with a secondary label on `tick`.
pub fn interval_finding(message: &str) -> Diagnostic {
    Diagnostic::finding(
        RULE,
        Severity::Warning,
        message,
        Label::new(
            span_of(EMOJI_SOURCE, "setInterval(tick, 1000)"),
            "never cleared",
        ),
    )
    .with_secondary(Label::new(
        span_of(EMOJI_SOURCE, "tick"),
        "callback defined here",
    ))
    .with_help("keep the id and call clearInterval when done")
}

pub fn emoji_report(path: &str) -> FileReport {
    report(
        path,
        Some(EMOJI_SOURCE),
        vec![interval_finding("interval is never cleared")],
    )
}

pub fn parse_error_report() -> FileReport {
    let source = "let = ;\n";
    let diagnostic = Diagnostic {
        rule: engine_ids::PARSE_ERROR,
        kind: DiagnosticKind::ParseError,
        severity: Severity::Error,
        message: "Expected a binding pattern".to_string(),
        primary: Label::new(span_of(source, "="), "here"),
        secondary: Vec::new(),
        help: None,
    };
    report("src/broken.js", Some(source), vec![diagnostic])
}

pub fn read_error_report() -> FileReport {
    report(
        "src/unreadable.js",
        None,
        vec![Diagnostic::tool_error(
            engine_ids::READ_ERROR,
            "stream did not contain valid UTF-8",
        )],
    )
}

pub fn unused_directive_report() -> FileReport {
    let diagnostic = Diagnostic::finding(
        engine_ids::UNUSED_DISABLE_DIRECTIVE,
        Severity::Error,
        "unused leaklint-disable directive",
        Label::new(
            span_of(EMOJI_SOURCE, "// leaklint-disable-line"),
            "suppresses nothing",
        ),
    );
    report("src/directive.js", Some(EMOJI_SOURCE), vec![diagnostic])
}

/// A parse error, a finding with an emoji and a read error, sorted by path.
pub fn sample_reports() -> Vec<FileReport> {
    vec![
        parse_error_report(),
        emoji_report("src/my file/ü.js"),
        read_error_report(),
    ]
}

pub fn cwd() -> PathBuf {
    if cfg!(windows) {
        PathBuf::from(r"C:\work\proj")
    } else {
        PathBuf::from("/work/proj")
    }
}

pub fn options(cwd: &Path) -> ReportOptions<'_> {
    ReportOptions {
        sarif_category: None,
        color: false,
        cwd,
        tool_version: "1.2.3",
        elapsed_ms: 42,
    }
}
