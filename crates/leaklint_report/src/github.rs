//! GitHub Actions workflow commands (`--format github`): one `::error` or `::warning` line per
//! diagnostic, which GitHub shows as an annotation on the file and in the run's summary.
//!
//! `::warning file=src/a.js,line=3,col=5,endLine=3,endColumn=27,title=uncleared-interval::message`
//!
//! Lines and columns are 1-based, columns in UTF-16 code units, `endColumn` exclusive.

use std::fmt::Write;

use leaklint_diagnostics::{Diagnostic, FileReport, Level};

use crate::json::Range;

/// One workflow command per diagnostic, each ending with a newline.
pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for report in reports {
        for diagnostic in &report.diagnostics {
            command(&mut out, report, diagnostic);
        }
    }
    out
}

fn command(out: &mut String, report: &FileReport, diagnostic: &Diagnostic) {
    let name = match diagnostic.level() {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "notice",
    };
    let file = escape_property(&report.display_path());
    let _ = write!(out, "::{name} file={file},");
    if report.source.is_some() {
        let range = Range::of(report, diagnostic.primary.span);
        let _ = write!(
            out,
            "line={},col={},endLine={},endColumn={},",
            range.line, range.column, range.end_line, range.end_column
        );
    } else {
        out.push_str("line=1,col=1,");
    }
    let _ = write!(
        out,
        "title={}::{}",
        escape_property(diagnostic.rule),
        escape_data(&diagnostic.message)
    );
    if let Some(help) = &diagnostic.help {
        let _ = write!(out, "%0A{}", escape_data(&format!("help: {help}")));
    }
    out.push('\n');
}

/// Escapes a command's message, as the Actions runner unescapes it.
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes a property value (`file=…`, `title=…`), where `:` and `,` are separators too.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn one_line_per_diagnostic_with_utf16_positions() {
        let out = render(&sample_reports());
        let lines: Vec<_> = out.lines().collect();
        assert_eq!(
            lines,
            [
                "::error file=src/broken.js,line=1,col=5,endLine=1,endColumn=6,title=parse-error::Expected a binding pattern",
                "::warning file=src/my file/ü.js,line=1,col=17,endLine=1,endColumn=40,title=uncleared-interval::interval is never cleared%0Ahelp: keep the id and call clearInterval when done",
                "::error file=src/unreadable.js,line=1,col=1,title=read-error::stream did not contain valid UTF-8",
            ]
        );
        assert!(out.ends_with('\n'));
        assert_eq!(render(&[]), "");
    }

    #[test]
    fn escapes_data_and_properties() {
        let mut report = emoji_report("dir,with:odd%chars/a.js");
        let diagnostic = &mut report.diagnostics[0];
        diagnostic.message = "100% leaked: a, b\r\nnext line".to_string();
        diagnostic.help = Some("use 50%\nless".to_string());
        let out = render(&[report]);
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(
            out.starts_with("::warning file=dir%2Cwith%3Aodd%25chars/a.js,line=1,"),
            "{out}"
        );
        assert!(
            out.ends_with("::100%25 leaked: a, b%0D%0Anext line%0Ahelp: use 50%25%0Aless\n"),
            "{out}"
        );
    }

    #[test]
    fn escape_functions() {
        assert_eq!(escape_data("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e");
        assert_eq!(escape_property("a%b\r\nc:d,e"), "a%25b%0D%0Ac%3Ad%2Ce");
    }
}
