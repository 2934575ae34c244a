//! Turns the diagnostics of a run into what people and tools read: a terminal report
//! ([`Format::Pretty`]), a stable JSON document ([`Format::Json`], fields documented in
//! [`json`]), SARIF 2.1.0 for code scanning ([`Format::Sarif`]) and GitHub Actions workflow
//! commands ([`Format::Github`]).

pub mod baseline;
pub mod fingerprint;
pub mod github;
pub mod json;
pub mod pretty;
pub mod sarif;
mod snippet;

use std::path::Path;

use leaklint_diagnostics::{Diagnostic, FileReport, Totals};

/// An output format, as named on the command line (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pretty,
    Json,
    Sarif,
    Github,
}

impl Format {
    /// The names [`Format::parse`] accepts, in the order of the variants.
    pub const NAMES: &'static [&'static str] = &["pretty", "json", "sarif", "github"];

    /// The format named `name` (case-insensitive), if any.
    pub fn parse(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "pretty" => Some(Format::Pretty),
            "json" => Some(Format::Json),
            "sarif" => Some(Format::Sarif),
            "github" => Some(Format::Github),
            _ => None,
        }
    }

    /// The name of this format, as in [`Format::NAMES`].
    pub fn name(self) -> &'static str {
        match self {
            Format::Pretty => "pretty",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What the renderers need to know besides the diagnostics.
#[derive(Clone, Copy, Debug)]
pub struct ReportOptions<'a> {
    /// Pretty output only: ANSI colours (and terminal hyperlinks on rule ids).
    pub color: bool,
    /// The absolute working directory; SARIF URIs are relative to it (`%SRCROOT%`).
    pub cwd: &'a Path,
    /// The version of leaklint, as reported in JSON and SARIF.
    pub tool_version: &'a str,
    /// How long the run took, for the JSON summary.
    pub elapsed_ms: u128,
    /// SARIF only: `runs[0].automationDetails.id` (`--sarif-category`), which tells GitHub code
    /// scanning's analyses of one repository apart.
    pub sarif_category: Option<&'a str>,
}

/// Renders the whole report.
///
/// `reports` are already sorted (path, line, column, rule) and contain only what must be shown
/// (suppressed findings already removed); `totals` come from [`Totals::of`].
pub fn render(
    format: Format,
    reports: &[FileReport],
    totals: &Totals,
    options: &ReportOptions,
) -> String {
    match format {
        Format::Pretty => pretty::render(reports, options),
        Format::Json => json::render(reports, totals, options),
        Format::Sarif => sarif::render(reports, totals, options),
        Format::Github => github::render(reports),
    }
}

/// The one-line summary printed after the pretty report, e.g.
/// `✖ 3 problems (1 error, 2 warnings) in 12 files, 34 ms` or
/// `✔ no problems in 12 files, 34 ms`, followed by `, 1 file could not be linted` when some
/// files could not be read or linted.
///
/// `not_linted` says what the run left out before any file was read (a configuration that
/// could not be used, a path that does not exist): the line then starts with it, in red, and
/// never claims a clean run.
pub fn summary_line(
    totals: &Totals,
    elapsed_ms: u128,
    color: bool,
    not_linted: &[String],
) -> String {
    let files = plural(totals.files, "file", "files");
    let found = if totals.problems() == 0 {
        "no problems".to_string()
    } else {
        format!(
            "{} ({}, {})",
            plural(totals.problems(), "problem", "problems"),
            plural(totals.errors, "error", "errors"),
            plural(totals.warnings, "warning", "warnings"),
        )
    };
    let mark = if totals.problems() == 0 && not_linted.is_empty() {
        "✔"
    } else {
        "✖"
    };
    let left_out = if not_linted.is_empty() {
        String::new()
    } else {
        format!("not everything was linted: {}; ", not_linted.join(", "))
    };
    let mut line = format!("{mark} {left_out}{found} in {files}, {elapsed_ms} ms");
    if totals.tool_errors > 0 {
        let verb = if totals.tool_errors == 1 {
            "file"
        } else {
            "files"
        };
        line.push_str(&format!(
            ", {} {verb} could not be linted",
            totals.tool_errors
        ));
    }
    if totals.skipped > 0 {
        let verb = if totals.skipped == 1 { "file" } else { "files" };
        line.push_str(&format!(", {} {verb} skipped", totals.skipped));
    }
    if !color {
        return line;
    }
    let colour = if totals.errors > 0 || totals.tool_errors > 0 || !not_linted.is_empty() {
        "\x1b[1;31m" // bold red
    } else if totals.warnings > 0 {
        "\x1b[1;33m" // bold yellow
    } else {
        "\x1b[1;32m" // bold green
    };
    format!("{colour}{line}\x1b[0m")
}

/// `1 file`, `3 files`.
pub fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

/// The documentation page of a diagnostic's rule, when it comes from a registered rule.
pub(crate) fn rule_url(diagnostic: &Diagnostic) -> Option<String> {
    leaklint_rules::find_rule(diagnostic.rule).map(|rule| leaklint_rules::docs_url(rule.id))
}

#[cfg(test)]
pub(crate) mod test_support;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for name in Format::NAMES {
            let format = Format::parse(name).unwrap();
            assert_eq!(format.name(), *name);
        }
        assert_eq!(Format::parse("SARIF"), Some(Format::Sarif));
        assert_eq!(Format::parse("xml"), None);
    }

    #[test]
    fn summary_line_pluralises() {
        let totals = Totals {
            errors: 1,
            warnings: 2,
            tool_errors: 0,
            files: 12,
            skipped: 0,
        };
        assert_eq!(
            summary_line(&totals, 34, false, &[]),
            "✖ 3 problems (1 error, 2 warnings) in 12 files, 34 ms"
        );
        let totals = Totals {
            errors: 0,
            warnings: 1,
            tool_errors: 0,
            files: 1,
            skipped: 0,
        };
        assert_eq!(
            summary_line(&totals, 5, false, &[]),
            "✖ 1 problem (0 errors, 1 warning) in 1 file, 5 ms"
        );
        let totals = Totals {
            errors: 0,
            warnings: 0,
            tool_errors: 0,
            files: 12,
            skipped: 0,
        };
        assert_eq!(
            summary_line(&totals, 34, false, &[]),
            "✔ no problems in 12 files, 34 ms"
        );
        let totals = Totals {
            errors: 0,
            warnings: 0,
            tool_errors: 0,
            files: 0,
            skipped: 0,
        };
        assert_eq!(
            summary_line(&totals, 0, false, &[]),
            "✔ no problems in 0 files, 0 ms"
        );
    }

    #[test]
    fn summary_line_never_claims_a_clean_run_when_something_was_left_out() {
        let totals = Totals::default();
        let left_out = ["1 configuration error (2 files under it not linted)".to_string()];
        assert_eq!(
            summary_line(&totals, 3, false, &left_out),
            "✖ not everything was linted: 1 configuration error (2 files under it not linted); \
             no problems in 0 files, 3 ms"
        );
        assert!(summary_line(&totals, 3, true, &left_out).starts_with("\x1b[1;31m✖"));
        let totals = Totals {
            errors: 1,
            files: 4,
            ..Totals::default()
        };
        let left_out = ["1 path not found".to_string(), "x".to_string()];
        assert_eq!(
            summary_line(&totals, 3, false, &left_out),
            "✖ not everything was linted: 1 path not found, x; 1 problem (1 error, 0 warnings) \
             in 4 files, 3 ms"
        );
    }

    #[test]
    fn summary_line_counts_files_that_could_not_be_linted() {
        let totals = Totals {
            errors: 1,
            warnings: 0,
            tool_errors: 1,
            files: 3,
            skipped: 0,
        };
        assert_eq!(
            summary_line(&totals, 7, false, &[]),
            "✖ 1 problem (1 error, 0 warnings) in 3 files, 7 ms, 1 file could not be linted"
        );
        let totals = Totals {
            errors: 2,
            warnings: 0,
            tool_errors: 2,
            files: 3,
            skipped: 0,
        };
        assert!(summary_line(&totals, 7, false, &[]).ends_with(", 2 files could not be linted"));
    }

    #[test]
    fn summary_line_colour_is_optional() {
        let totals = Totals {
            errors: 1,
            warnings: 0,
            tool_errors: 0,
            files: 1,
            skipped: 0,
        };
        assert!(!summary_line(&totals, 1, false, &[]).contains('\x1b'));
        let coloured = summary_line(&totals, 1, true, &[]);
        assert!(coloured.starts_with("\x1b[1;31m✖"), "{coloured:?}");
        assert!(coloured.ends_with("\x1b[0m"));
        let clean = Totals {
            files: 1,
            ..Totals::default()
        };
        assert!(summary_line(&clean, 1, true, &[]).starts_with("\x1b[1;32m✔"));
        let skipped = Totals {
            files: 3,
            skipped: 2,
            ..Totals::default()
        };
        assert_eq!(
            summary_line(&skipped, 5, false, &[]),
            "✔ no problems in 3 files, 5 ms, 2 files skipped"
        );
    }

    #[test]
    fn render_dispatches_on_format() {
        let reports = test_support::sample_reports();
        let totals = Totals::of(&reports, 3);
        let cwd = test_support::cwd();
        let options = test_support::options(&cwd);
        let json = render(Format::Json, &reports, &totals, &options);
        assert!(json.starts_with("{\"version\":1,"));
        let sarif = render(Format::Sarif, &reports, &totals, &options);
        assert!(sarif.contains("\"version\": \"2.1.0\""));
        let github = render(Format::Github, &reports, &totals, &options);
        assert!(github.starts_with("::"));
        let pretty = render(Format::Pretty, &reports, &totals, &options);
        assert!(pretty.contains("uncleared-interval"));
        assert_eq!(
            render(Format::Pretty, &[], &Totals::default(), &options),
            ""
        );
        assert_eq!(
            render(Format::Github, &[], &Totals::default(), &options),
            ""
        );
    }
}
