//! From the engine's byte offsets and diagnostics to the protocol's positions and diagnostics,
//! and from document URIs to paths.

use std::path::PathBuf;

use leaklint_diagnostics::{Diagnostic, DiagnosticKind, Level, LineIndex};
use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, Range, Uri,
};

/// How `Position.character` counts: UTF-16 code units (the protocol's default) or UTF-8 bytes
/// (when the client offers it: no conversion at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    pub fn kind(self) -> lsp_types::PositionEncodingKind {
        match self {
            Encoding::Utf8 => lsp_types::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp_types::PositionEncodingKind::UTF16,
        }
    }
}

/// The text of one document version with its line index.
pub struct Text<'a> {
    pub source: &'a str,
    pub index: &'a LineIndex,
    pub encoding: Encoding,
}

impl Text<'_> {
    pub fn position(&self, offset: u32) -> Position {
        let offset = offset.min(self.source.len() as u32);
        let line = self.index.line_of(offset);
        let character = match self.encoding {
            Encoding::Utf16 => self.index.position(self.source, offset).column - 1,
            Encoding::Utf8 => {
                // Clamp to the line's end: a span may end on a line break.
                let start = self.index.line_start(line);
                let text = self.index.line_text(self.source, line);
                (offset - start).min(text.len() as u32)
            }
        };
        Position::new(line as u32, character)
    }

    pub fn range(&self, start: u32, end: u32) -> Range {
        Range::new(self.position(start), self.position(end.max(start)))
    }
}

/// The protocol's form of a finding. The help line goes into the message: editors show the
/// message on hover and have no other place for it.
pub fn diagnostic(found: &Diagnostic, text: &Text<'_>, uri: &Uri) -> lsp_types::Diagnostic {
    let mut message = found.message.clone();
    if let Some(help) = &found.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let code_description = leaklint_rules::find_rule(found.rule).and_then(|rule| {
        leaklint_rules::docs_url(rule.id)
            .parse::<Uri>()
            .ok()
            .map(|href| CodeDescription { href })
    });
    let related: Vec<DiagnosticRelatedInformation> = found
        .secondary
        .iter()
        .map(|label| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), text.range(label.span.start, label.span.end)),
            message: label.message.clone(),
        })
        .collect();
    let range = if matches!(
        found.kind,
        DiagnosticKind::ToolError | DiagnosticKind::Skipped
    ) {
        Range::default()
    } else {
        text.range(found.primary.span.start, found.primary.span.end)
    };
    lsp_types::Diagnostic {
        range,
        severity: Some(match found.level() {
            Level::Error => DiagnosticSeverity::ERROR,
            Level::Warning => DiagnosticSeverity::WARNING,
            Level::Note => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(found.rule.to_string())),
        code_description,
        source: Some("leaklint".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// The file a `file:` URI names. Other schemes (`untitled:`, remote file systems) have none.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    if !uri
        .scheme()
        .is_some_and(|scheme| scheme.as_str().eq_ignore_ascii_case("file"))
    {
        return None;
    }
    let path = uri.path().as_str();
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?
        .into_owned();
    #[cfg(windows)]
    let decoded = {
        // `/C:/src/a.js` → `C:/src/a.js`
        let trimmed = decoded.strip_prefix('/').unwrap_or(&decoded);
        if trimmed.as_bytes().get(1) == Some(&b':') {
            trimmed.to_string()
        } else {
            decoded
        }
    };
    Some(PathBuf::from(decoded))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<'a>(source: &'a str, index: &'a LineIndex, encoding: Encoding) -> Text<'a> {
        Text {
            source,
            index,
            encoding,
        }
    }

    #[test]
    fn positions_count_utf16_units_or_bytes_across_crlf_lines() {
        // Line 1 has an astral character (4 bytes, 2 UTF-16 units) before the offset.
        let source = "a\r\nconst s = '😀'; x\r\n";
        let index = LineIndex::new(source);
        let x = source.find(" x").unwrap() as u32 + 1;
        let utf16 = text(source, &index, Encoding::Utf16);
        assert_eq!(utf16.position(x), Position::new(1, 16));
        let utf8 = text(source, &index, Encoding::Utf8);
        assert_eq!(utf8.position(x), Position::new(1, 18));
        // A span ending on a line break ends at the line's end, in both encodings.
        assert_eq!(
            utf16.position(source.len() as u32 - 2),
            Position::new(1, 17)
        );
        assert_eq!(utf8.position(source.len() as u32 - 1), Position::new(1, 19));
        // Past the end clamps to the end.
        assert_eq!(utf16.position(999), Position::new(2, 0));
    }

    #[test]
    fn file_uris_become_paths() {
        let uri: Uri = "file:///tmp/a%20b/%C3%A9.ts".parse().unwrap();
        assert_eq!(file_path(&uri), Some(PathBuf::from("/tmp/a b/é.ts")));
        let untitled: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(file_path(&untitled), None);
    }
}
