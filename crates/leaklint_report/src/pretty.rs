//! The terminal report: each diagnostic drawn by miette's graphical handler, with the source
//! snippet, its labels, the help line and the rule's documentation link.

use std::fmt;

use leaklint_diagnostics::{ByteSpan, Diagnostic, DiagnosticKind, FileReport, Level, LineIndex};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};

use crate::{rule_url, snippet::Snippet, ReportOptions};

/// Width the report wraps at, independent of the terminal so output is reproducible.
const WIDTH: usize = 100;

/// All diagnostics of all reports, separated by blank lines; empty when there are none.
pub fn render(reports: &[FileReport], options: &ReportOptions) -> String {
    let handler = handler(options.color);
    let mut rendered = Vec::new();
    for report in reports {
        for diagnostic in &report.diagnostics {
            rendered.push(render_one(&handler, report, diagnostic));
        }
    }
    rendered.join("\n")
}

fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_links(color)
        .without_syntax_highlighting()
        .without_primary_span_start()
        .with_context_lines(1)
}

/// One diagnostic, ending with exactly one newline.
fn render_one(
    handler: &GraphicalReportHandler,
    report: &FileReport,
    diagnostic: &Diagnostic,
) -> String {
    let shown = Shown::new(report, diagnostic);
    let mut out = String::new();
    if handler.render_report(&mut out, &shown).is_err() {
        // Rendering into a String only fails if the diagnostic cannot be displayed; fall back
        // to a plain line rather than losing it.
        out = format!(
            "{}: {}: {}",
            report.display_path(),
            diagnostic.rule,
            diagnostic.message
        );
    }
    let trimmed = out.trim_end_matches(['\n', ' ']).len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

/// A leaklint diagnostic as miette sees it.
struct Shown {
    message: String,
    code: &'static str,
    severity: miette::Severity,
    url: Option<String>,
    help: Option<String>,
    source: Option<Snippet>,
    labels: Vec<LabeledSpan>,
}

impl Shown {
    fn new(report: &FileReport, diagnostic: &Diagnostic) -> Self {
        let severity = match diagnostic.level() {
            Level::Error => miette::Severity::Error,
            Level::Warning => miette::Severity::Warning,
            Level::Note => miette::Severity::Advice,
        };
        let mut shown = Shown {
            message: diagnostic.message.clone(),
            code: diagnostic.rule,
            severity,
            url: rule_url(diagnostic),
            help: diagnostic.help.clone(),
            source: None,
            labels: Vec::new(),
        };
        match &report.source {
            Some(source) if has_location(diagnostic) => {
                // miette would count the column in bytes; name the snippet with the line and
                // UTF-16 column every other format uses.
                let primary = &diagnostic.primary;
                let start = report.position(primary.span.start);
                let name = format!("{}:{}:{}", report.display_path(), start.line, start.column);
                let spans: Vec<ByteSpan> = std::iter::once(primary.span)
                    .chain(diagnostic.secondary.iter().map(|label| label.span))
                    .collect();
                let built;
                let index = match &report.line_index {
                    Some(index) => index.as_ref(),
                    None => {
                        built = LineIndex::new(source);
                        &built
                    }
                };
                let snippet = Snippet::new(name, source, index, &spans);
                shown.labels.push(LabeledSpan::new_primary_with_span(
                    label_text(&primary.message),
                    snippet.span(source, primary.span),
                ));
                for label in &diagnostic.secondary {
                    shown.labels.push(LabeledSpan::new_with_span(
                        label_text(&label.message),
                        snippet.span(source, label.span),
                    ));
                }
                shown.source = Some(snippet);
            }
            // Without a snippet the path would not appear anywhere: put it in the message.
            _ => shown.message = format!("{}: {}", report.display_path(), diagnostic.message),
        }
        shown
    }
}

/// Whether the diagnostic points somewhere worth showing. Tool errors about the file as a whole
/// carry an empty, unlabelled span at its start: a snippet of line 1 would only mislead.
fn has_location(diagnostic: &Diagnostic) -> bool {
    let primary = &diagnostic.primary;
    if diagnostic.kind == DiagnosticKind::Skipped {
        return false;
    }
    diagnostic.kind != DiagnosticKind::ToolError
        || !primary.message.is_empty()
        || primary.span.start != primary.span.end
        || !diagnostic.secondary.is_empty()
}

fn label_text(message: &str) -> Option<String> {
    (!message.is_empty()).then(|| message.to_string())
}

impl fmt::Debug for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shown")
            .field("code", &self.code)
            .field("message", &self.message)
            .finish()
    }
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Shown {}

impl miette::Diagnostic for Shown {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.url
            .as_ref()
            .map(|url| Box::new(url) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source
            .as_ref()
            .map(|source| source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    fn render_plain(reports: &[FileReport]) -> String {
        let cwd = cwd();
        render(reports, &options(&cwd))
    }

    #[test]
    fn shows_rule_message_help_file_and_labels() {
        let out = render_plain(&[emoji_report("src/my file/ü.js")]);
        assert!(out.contains(RULE), "{out}");
        assert!(out.contains("interval is never cleared"), "{out}");
        assert!(
            out.contains("keep the id and call clearInterval when done"),
            "{out}"
        );
        // The header's column counts UTF-16 units, as in the other formats (miette counts bytes).
        assert!(out.contains("[src/my file/ü.js:1:17]"), "{out}");
        assert!(out.contains("never cleared"), "{out}");
        assert!(out.contains("callback defined here"), "{out}");
        assert!(out.contains("setInterval(tick, 1000)"), "{out}");
        // Without colour the docs link is plain text next to the rule id.
        assert!(out.contains(&leaklint_rules::docs_url(RULE)), "{out}");
        assert!(
            !out.contains('\x1b'),
            "ANSI escape in plain output: {out:?}"
        );
        assert!(!out.contains('\r'), "carriage return in output: {out:?}");
        assert!(out.ends_with('\n') && !out.ends_with("\n\n"), "{out:?}");
    }

    #[test]
    fn colour_output_uses_ansi_escapes() {
        let cwd = cwd();
        let options = ReportOptions {
            sarif_category: None,
            color: true,
            ..options(&cwd)
        };
        let out = render(&[emoji_report("a.js")], &options);
        assert!(out.contains("\x1b["), "{out:?}");
        assert!(out.contains("interval is never cleared"));
    }

    #[test]
    fn report_without_source_names_the_file_in_the_message() {
        let out = render_plain(&[read_error_report()]);
        assert!(
            out.contains("src/unreadable.js: stream did not contain valid UTF-8"),
            "{out}"
        );
        assert!(out.contains("read-error"), "{out}");
        assert!(!out.contains('\x1b'));
    }

    #[test]
    fn parse_errors_show_their_snippet() {
        let out = render_plain(&[parse_error_report()]);
        assert!(out.contains("parse-error"), "{out}");
        assert!(out.contains("Expected a binding pattern"), "{out}");
        assert!(out.contains("[src/broken.js:1:5]"), "{out}");
        assert!(out.contains("let = ;"), "{out}");
        // Engine diagnostics have no documentation page.
        assert!(!out.contains("http"), "{out}");
    }

    #[test]
    fn diagnostics_are_separated_by_blank_lines() {
        let reports = sample_reports();
        let out = render_plain(&reports);
        let each: Vec<_> = reports
            .iter()
            .map(|r| render_plain(std::slice::from_ref(r)))
            .collect();
        for one in &each {
            assert!(one.ends_with('\n') && !one.ends_with("\n\n"), "{one:?}");
        }
        // In order, one blank line between consecutive diagnostics.
        assert_eq!(out, each.join("\n"));
        let first = out.find("parse-error").unwrap();
        let second = out.find(RULE).unwrap();
        let third = out.find("read-error").unwrap();
        assert!(first < second && second < third, "{out}");
        assert_eq!(render_plain(&[]), "");
    }

    #[test]
    fn spans_are_clamped_to_the_source_and_to_characters() {
        let source = "a😀b";
        // Inside the emoji, and past the end.
        assert_eq!(
            crate::snippet::clamp(source, ByteSpan::new(2, 99)),
            (1, source.len())
        );
        assert_eq!(
            crate::snippet::clamp(source, ByteSpan::new(50, 40)),
            (source.len(), source.len())
        );
        let mut report = emoji_report("x.js");
        report.diagnostics[0].primary.span = ByteSpan::new(13, 1000);
        let out = render_plain(&[report]);
        assert!(out.contains("interval is never cleared"), "{out}");
    }

    #[test]
    fn every_label_is_shown_however_far_apart() {
        let mut source = String::new();
        for i in 0..30 {
            source.push_str(&format!("line{i}();\n"));
        }
        let diagnostic = Diagnostic::finding(
            RULE,
            leaklint_diagnostics::Severity::Warning,
            "three places",
            leaklint_diagnostics::Label::new(span_of(&source, "line2()"), "first"),
        )
        .with_secondary(leaklint_diagnostics::Label::new(
            span_of(&source, "line7()"),
            "second",
        ))
        .with_secondary(leaklint_diagnostics::Label::new(
            span_of(&source, "line13()"),
            "third",
        ));
        let out = render_plain(&[report("a.js", Some(&source), vec![diagnostic])]);
        for label in ["first", "second", "third"] {
            assert!(out.contains(label), "{label} missing:\n{out}");
        }
    }
}
