//! The types every part of leaklint agrees on: what a finding is, where it points, and how a
//! byte offset from oxc becomes the line and UTF-16 column that editors, GitHub and SARIF expect.

mod line_index;

use std::{fmt, path::PathBuf, sync::Arc};

pub use line_index::{LineIndex, Position};

/// How much a finding matters. `Off` exists only in configuration; no diagnostic carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a diagnostic is shown and counted: its severity, except that a skipped file is a note
/// whatever its severity. Every output format maps this, so the rule lives here once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Note,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

/// A half-open byte range `[start, end)` into the file's UTF-8 source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ByteSpan {
    pub start: u32,
    pub end: u32,
}

impl ByteSpan {
    pub const fn new(start: u32, end: u32) -> Self {
        Self { start, end }
    }
}

/// A source range with a message, e.g. "never cleared" under a `setInterval` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: ByteSpan,
    pub message: String,
    /// What a secondary location shows in the finding's chain of evidence.
    pub role: Role,
}

impl Label {
    pub fn new(span: impl Into<ByteSpan>, message: impl Into<String>) -> Self {
        Self {
            span: span.into(),
            message: message.into(),
            role: Role::Context,
        }
    }

    /// The same label as a link of the evidence chain.
    #[must_use]
    pub fn with_role(mut self, role: Role) -> Self {
        self.role = role;
        self
    }
}

/// The part a secondary location plays in a finding's evidence, in the order the chain reads:
/// what holds the resource, why its owner is created or its code runs again and again, the
/// owner's end that forgets it, and a release that misses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// What keeps the resource reachable: a long-lived emitter, a field the handle is stored in.
    Holder,
    /// Evidence of repetition: where the owner is created again, or what runs the code again.
    Repeats,
    /// The owner's end (a teardown method, a cleanup beside it) that does not release it.
    Teardown,
    /// A release that misses it (another function object, a clear that runs first, a signal
    /// nothing aborts).
    Release,
    /// Anything else that explains the finding.
    Context,
}

impl Role {
    /// The name used in reports: `holder`, `repeats`, `teardown`, `release`, `context`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Holder => "holder",
            Role::Repeats => "repeats",
            Role::Teardown => "teardown",
            Role::Release => "release",
            Role::Context => "context",
        }
    }
}

/// Ids of diagnostics that come from the engine rather than from a rule. They never go
/// through configuration and cannot be suppressed.
pub mod engine_ids {
    /// The file does not parse; the message and location are the parser's.
    pub const PARSE_ERROR: &str = "parse-error";
    /// The file could not be read, is not UTF-8, or is not text.
    pub const READ_ERROR: &str = "read-error";
    /// leaklint itself failed on this file (a bug): the run went on without it.
    pub const INTERNAL_ERROR: &str = "internal-error";
    /// A `leaklint-disable` comment that suppressed nothing.
    pub const UNUSED_DISABLE_DIRECTIVE: &str = "unused-disable-directive";
    /// A file left out by design: over `--max-file-size`, or nested too deeply to analyse.
    pub const SKIPPED: &str = "skipped";
    /// A file that is not valid UTF-8, linted with replacement characters.
    pub const ENCODING: &str = "encoding";
}

/// What a diagnostic is about, which decides where each output format puts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DiagnosticKind {
    /// A rule's finding (including unused disable directives).
    Finding,
    /// The file could not be parsed: an error-level problem in the file.
    ParseError,
    /// The file could not be read, or leaklint failed on it: the run is not successful (exit 2).
    ToolError,
    /// The file was not linted, on purpose (too large, too deeply nested): a note, which
    /// counts as neither an error nor a warning and does not change the exit code.
    Skipped,
    /// The file was linted, and how it was read is worth knowing (it was not valid UTF-8): a
    /// note at the place it is about, which does not change the exit code either.
    Notice,
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable kebab-case rule id (`uncleared-interval`) or an [`engine_ids`] id.
    pub rule: &'static str,
    pub kind: DiagnosticKind,
    pub severity: Severity,
    pub message: String,
    /// Where the problem is, with a short label.
    pub primary: Label,
    /// Other places that explain the problem ("stored here", "runs on every request").
    pub secondary: Vec<Label>,
    /// How to fix it, in one line.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn finding(
        rule: &'static str,
        severity: Severity,
        message: impl Into<String>,
        primary: Label,
    ) -> Self {
        Self {
            rule,
            kind: DiagnosticKind::Finding,
            severity,
            message: message.into(),
            primary,
            secondary: Vec::new(),
            help: None,
        }
    }

    /// A problem with the file as a whole (read or internal error): it points at its start.
    pub fn tool_error(rule: &'static str, message: impl Into<String>) -> Self {
        Self {
            rule,
            kind: DiagnosticKind::ToolError,
            severity: Severity::Error,
            message: message.into(),
            primary: Label::new(ByteSpan::default(), ""),
            secondary: Vec::new(),
            help: None,
        }
    }

    /// A file not linted on purpose: a note about the file as a whole.
    pub fn skipped(message: impl Into<String>) -> Self {
        Self {
            rule: engine_ids::SKIPPED,
            kind: DiagnosticKind::Skipped,
            severity: Severity::Warning,
            message: message.into(),
            primary: Label::new(ByteSpan::default(), ""),
            secondary: Vec::new(),
            help: None,
        }
    }

    /// A note about how the file was read, at the place it concerns.
    pub fn notice(rule: &'static str, message: impl Into<String>, primary: Label) -> Self {
        Self {
            rule,
            kind: DiagnosticKind::Notice,
            severity: Severity::Warning,
            message: message.into(),
            primary,
            secondary: Vec::new(),
            help: None,
        }
    }

    /// A syntax error from the parser, at its location.
    pub fn parse_error(message: impl Into<String>, primary: Label) -> Self {
        Self {
            rule: engine_ids::PARSE_ERROR,
            kind: DiagnosticKind::ParseError,
            severity: Severity::Error,
            message: message.into(),
            primary,
            secondary: Vec::new(),
            help: None,
        }
    }

    pub fn level(&self) -> Level {
        match (self.kind, self.severity) {
            (DiagnosticKind::Skipped | DiagnosticKind::Notice, _) => Level::Note,
            (_, Severity::Error) => Level::Error,
            (_, Severity::Warning) => Level::Warning,
        }
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn with_secondary(mut self, label: Label) -> Self {
        self.secondary.push(label);
        self
    }
}

/// Everything leaklint found in one file, with what the reporters need to show it.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The path as found (walked or named on the command line).
    pub path: PathBuf,
    /// The source text, kept only when there is something to show in it.
    pub source: Option<Arc<str>>,
    /// Line starts of `source`, for line/column conversion.
    pub line_index: Option<Arc<LineIndex>>,
    /// Sorted by position, then rule id.
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    /// Line and UTF-16 column of a byte offset, 1-based; (1, 1) when there is no source.
    pub fn position(&self, offset: u32) -> Position {
        match (&self.source, &self.line_index) {
            (Some(source), Some(index)) => index.position(source, offset),
            _ => Position { line: 1, column: 1 },
        }
    }

    /// The path with forward slashes, as shown to people and written in JSON and GitHub output.
    pub fn display_path(&self) -> String {
        display_path(&self.path)
    }
}

/// `./src\\a.js` → `src/a.js`: forward slashes, no leading `./`.
pub fn display_path(path: &std::path::Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut text = text.as_str();
    while let Some(rest) = text.strip_prefix("./") {
        text = rest;
    }
    text.to_string()
}

/// Totals of a run, as the summary line and exit code see them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub errors: usize,
    pub warnings: usize,
    /// Files that could not be read or on which leaklint failed.
    pub tool_errors: usize,
    /// Files left out on purpose (see [`DiagnosticKind::Skipped`]).
    pub skipped: usize,
    pub files: usize,
}

impl Totals {
    pub fn of(reports: &[FileReport], files: usize) -> Self {
        let mut totals = Totals {
            files,
            ..Totals::default()
        };
        for diagnostic in reports.iter().flat_map(|r| &r.diagnostics) {
            match diagnostic.kind {
                DiagnosticKind::ToolError => totals.tool_errors += 1,
                DiagnosticKind::Skipped => totals.skipped += 1,
                DiagnosticKind::Finding | DiagnosticKind::ParseError | DiagnosticKind::Notice => {}
            }
            match diagnostic.level() {
                Level::Error => totals.errors += 1,
                Level::Warning => totals.warnings += 1,
                Level::Note => {}
            }
        }
        totals
    }

    pub fn problems(&self) -> usize {
        self.errors + self.warnings
    }
}
