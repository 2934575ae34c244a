//! The part of a file the terminal report shows: the lines around each label, with long lines
//! cut to windows around the labels. A finding in a 5 MB single-line bundle shows a few hundred
//! characters, not the whole line; and miette, which pads with `{:width$}` (a width Rust caps
//! at 65,535) and scans its source from the start for every label, never sees more than that.
//!
//! The snippet is its own small text: labels are mapped into it, and each run of lines
//! (a *segment*) tells miette the real number of its first line, so the report reads as if it
//! were the whole file.

use leaklint_diagnostics::{ByteSpan, LineIndex};
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Lines up to this many bytes are shown whole.
const MAX_LINE: usize = 200;
/// Bytes kept on each side of a label's start or end on a longer line.
const MARGIN: usize = 40;
/// A long label on a long line: bytes of it kept after its start (and before its end).
const LONG_LABEL: usize = 60;
/// What stands for the bytes left out of a line.
const ELLIPSIS: &str = "…";
/// Lines of context miette shows around a label ([`crate::pretty`] asks for one).
const CONTEXT: usize = 1;

pub(crate) struct Snippet {
    name: String,
    text: String,
    segments: Vec<Segment>,
    /// What of the file is in `text`, in order: a byte range of the file and where it starts in
    /// `text`.
    pieces: Vec<Piece>,
}

/// Consecutive lines of the file.
struct Segment {
    /// Where they are in the snippet's text.
    start: usize,
    end: usize,
    /// The 0-based line number of the first.
    first_line: usize,
}

#[derive(Clone, Copy)]
struct Piece {
    from: usize,
    to: usize,
    at: usize,
}

impl Snippet {
    /// The lines of `source` around `spans` (clamped to the source and to characters), named
    /// `name`.
    pub(crate) fn new(name: String, source: &str, index: &LineIndex, spans: &[ByteSpan]) -> Self {
        let spans: Vec<(usize, usize)> = spans.iter().map(|&s| clamp(source, s)).collect();
        let last_line = index.line_count() - 1;
        // Each label's lines and their context, merged where miette would show them together
        // (it joins contexts that touch): a segment never has to be read across.
        let mut regions: Vec<(usize, usize)> = spans
            .iter()
            .map(|&(start, end)| {
                let first = index.line_of(start as u32);
                let last = index.line_of(end as u32);
                (
                    first.saturating_sub(CONTEXT),
                    (last + CONTEXT).min(last_line),
                )
            })
            .collect();
        regions.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (first, last) in regions {
            match merged.last_mut() {
                Some(previous) if first <= previous.1 + 2 * CONTEXT + 1 => {
                    previous.1 = previous.1.max(last);
                }
                _ => merged.push((first, last)),
            }
        }

        let mut points: Vec<usize> = spans.iter().flat_map(|&(s, e)| [s, e]).collect();
        points.sort_unstable();
        let mut snippet = Snippet {
            name,
            text: String::new(),
            segments: Vec::new(),
            pieces: Vec::new(),
        };
        for (first, last) in merged {
            let start = snippet.text.len();
            for line in first..=last {
                let from = index.line_start(line) as usize;
                let text = index.line_text(source, line);
                snippet.push_line(source, from, from + text.len(), &points, &spans);
            }
            snippet.segments.push(Segment {
                start,
                end: snippet.text.len(),
                first_line: first,
            });
        }
        snippet
    }

    /// One line, whole or as windows around the label points on it, then a line break.
    fn push_line(
        &mut self,
        source: &str,
        from: usize,
        to: usize,
        points: &[usize],
        spans: &[(usize, usize)],
    ) {
        let mut kept: Vec<(usize, usize)> = Vec::new();
        if to - from <= MAX_LINE {
            kept.push((from, to));
        } else {
            let here = |p: &usize| (from..=to).contains(p);
            for &point in points.iter().filter(|p| here(p)) {
                // A label's start shows some of the label; its end some of what led to it.
                let starts = spans.iter().any(|&(s, _)| s == point);
                let ends = spans.iter().any(|&(_, e)| e == point);
                let before = if ends { LONG_LABEL } else { MARGIN };
                let after = if starts { LONG_LABEL } else { MARGIN };
                kept.push((
                    point.saturating_sub(before).max(from),
                    (point + after).min(to),
                ));
            }
            if kept.is_empty() {
                kept.push((from, from + MARGIN * 2));
            }
            kept.sort_unstable();
        }
        let mut previous_end = from;
        let mut windows: Vec<(usize, usize)> = Vec::new();
        for (start, end) in kept {
            let start = floor_char(source, start);
            let end = ceil_char(source, end.min(to));
            match windows.last_mut() {
                // Windows that overlap or nearly touch are one: an ellipsis for a few bytes
                // would hide more than it saves.
                Some(last) if start <= last.1 + ELLIPSIS.len() * 2 => last.1 = last.1.max(end),
                _ => windows.push((start, end)),
            }
        }
        for (start, end) in windows {
            if start > previous_end {
                self.text.push_str(ELLIPSIS);
            }
            self.pieces.push(Piece {
                from: start,
                to: end,
                at: self.text.len(),
            });
            self.text.push_str(&source[start..end]);
            previous_end = end;
        }
        if previous_end < to {
            self.text.push_str(ELLIPSIS);
        }
        self.text.push('\n');
    }

    /// Where a byte offset of the file is in the snippet. An offset left out (inside an
    /// ellipsis) maps to the ellipsis: its start for a label's start, its end for a label's end.
    fn map(&self, offset: usize, is_end: bool) -> usize {
        let after = self.pieces.partition_point(|p| p.from <= offset);
        let Some(piece) = after.checked_sub(1).map(|i| self.pieces[i]) else {
            return 0;
        };
        if offset <= piece.to {
            return piece.at + (offset - piece.from);
        }
        let gap = piece.at + (piece.to - piece.from);
        if is_end && self.text[gap..].starts_with(ELLIPSIS) {
            gap + ELLIPSIS.len()
        } else {
            gap
        }
    }

    /// A label's span of the file as miette should see it in the snippet.
    pub(crate) fn span(&self, source: &str, span: ByteSpan) -> SourceSpan {
        let (start, end) = clamp(source, span);
        let start = self.map(start, false);
        let end = self.map(end, true).max(start);
        SourceSpan::new(start.into(), end - start)
    }

    #[cfg(test)]
    pub(crate) fn text(&self) -> &str {
        &self.text
    }
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let which = self
            .segments
            .partition_point(|s| s.start <= span.offset())
            .checked_sub(1)
            .ok_or(MietteError::OutOfBounds)?;
        let segment = &self.segments[which];
        // A span across two segments (miette tries to join the contexts of nearby labels) does
        // not exist in the file as one piece: refuse it, and miette shows them apart.
        if span.offset() + span.len() > segment.end {
            return Err(MietteError::OutOfBounds);
        }
        let text = &self.text[segment.start..segment.end];
        let offset = span.offset() - segment.start;
        let len = span.len().min(text.len().saturating_sub(offset));
        let local = SourceSpan::new(offset.into(), len);
        let contents = text.read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            SourceSpan::new(
                (contents.span().offset() + segment.start).into(),
                contents.span().len(),
            ),
            contents.line() + segment.first_line,
            contents.column(),
            contents.line_count(),
        )))
    }
}

/// The span as byte offsets, clamped to the source and widened to character boundaries so that
/// no slice cuts a character in two.
pub(crate) fn clamp(source: &str, span: ByteSpan) -> (usize, usize) {
    let start = floor_char(source, (span.start as usize).min(source.len()));
    let end = ceil_char(source, (span.end as usize).clamp(start, source.len()));
    (start, end)
}

fn floor_char(source: &str, mut offset: usize) -> usize {
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn ceil_char(source: &str, mut offset: usize) -> usize {
    while !source.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snippet(source: &str, spans: &[(u32, u32)]) -> Snippet {
        let spans: Vec<ByteSpan> = spans.iter().map(|&(s, e)| ByteSpan::new(s, e)).collect();
        Snippet::new("x.js".into(), source, &LineIndex::new(source), &spans)
    }

    #[test]
    fn short_lines_are_kept_whole_with_one_line_of_context() {
        let source = "a;\nb;\nsetInterval(f);\nc;\nd;\n";
        let at = source.find("setInterval").unwrap() as u32;
        let s = snippet(source, &[(at, at + 11)]);
        assert_eq!(s.text(), "b;\nsetInterval(f);\nc;\n");
        let span = s.span(source, ByteSpan::new(at, at + 11));
        assert_eq!(
            &s.text()[span.offset()..span.offset() + span.len()],
            "setInterval"
        );
        let contents = s.read_span(&span, 1, 1).unwrap();
        // Line numbers are the file's: the snippet starts at line 2 (0-based 1).
        assert_eq!(contents.line(), 1);
    }

    #[test]
    fn a_long_line_is_cut_to_windows_around_its_labels() {
        let line = format!(
            "{}setInterval(f);{}",
            "a;".repeat(50_000),
            "b;".repeat(50_000)
        );
        let source = format!("x;\n{line}\ny;\n");
        let at = source.find("setInterval").unwrap() as u32;
        let s = snippet(&source, &[(at, at + 11), (0, 1)]);
        assert!(s.text().len() < 400, "{}", s.text());
        assert!(s.text().starts_with("x;\n…"), "{}", s.text());
        assert!(s.text().contains("a;a;setInterval"), "{}", s.text());
        assert!(s.text().contains("setInterval(f);b;b;"), "{}", s.text());
        assert!(s.text().ends_with("…\ny;\n"), "{}", s.text());
        let span = s.span(&source, ByteSpan::new(at, at + 11));
        assert_eq!(
            &s.text()[span.offset()..span.offset() + span.len()],
            "setInterval"
        );
        let contents = s.read_span(&span, 1, 1).unwrap();
        assert_eq!(contents.line(), 0);
    }

    #[test]
    fn far_apart_labels_get_segments_with_their_own_line_numbers() {
        let mut source = String::new();
        for i in 0..1000 {
            source.push_str(&format!("line{i};\n"));
        }
        let first = source.find("line10;").unwrap() as u32;
        let second = source.find("line900;").unwrap() as u32;
        let s = snippet(&source, &[(second, second + 7), (first, first + 6)]);
        assert_eq!(
            s.text(),
            "line9;\nline10;\nline11;\nline899;\nline900;\nline901;\n"
        );
        for (at, line) in [(first, 9), (second, 899)] {
            let span = s.span(&source, ByteSpan::new(at, at + 4));
            let contents = s.read_span(&span, 1, 1).unwrap();
            assert_eq!(contents.line(), line);
            let data = std::str::from_utf8(contents.data()).unwrap();
            assert_eq!(data.lines().count(), 3, "{data:?}");
        }
    }

    #[test]
    fn a_label_longer_than_its_window_keeps_both_ends() {
        let source = format!("f({});", "x,".repeat(10_000));
        let s = snippet(&source, &[(0, source.len() as u32)]);
        let span = s.span(&source, ByteSpan::new(0, source.len() as u32));
        let shown = &s.text()[span.offset()..span.offset() + span.len()];
        assert!(
            shown.starts_with("f(x,") && shown.ends_with("x,);"),
            "{shown}"
        );
        assert!(shown.contains(ELLIPSIS) && shown.len() < 300, "{shown}");
    }

    #[test]
    fn windows_never_cut_a_character() {
        let source = format!(
            "{}setInterval(f);{}",
            "é".repeat(10_000),
            "😀".repeat(10_000)
        );
        let at = source.find("setInterval").unwrap() as u32;
        let s = snippet(&source, &[(at + 1, at + 3)]);
        assert!(s.text().contains("éé"), "{}", s.text());
        assert!(s.text().contains("😀😀"), "{}", s.text());
    }

    #[test]
    fn three_separate_regions_each_read_their_own_lines() {
        let mut source = String::new();
        for i in 0..20 {
            source.push_str(&format!("line{i};\n"));
        }
        let at = |name: &str| source.find(name).unwrap() as u32;
        let spans = [
            ByteSpan::new(at("line1;"), at("line1;") + 5),
            ByteSpan::new(at("line6;"), at("line6;") + 5),
            ByteSpan::new(at("line12;"), at("line12;") + 6),
        ];
        let s = Snippet::new("x.js".into(), &source, &LineIndex::new(&source), &spans);
        for (span, line) in spans.iter().zip([1, 6, 12]) {
            let mapped = s.span(&source, *span);
            let contents = s.read_span(&mapped, 1, 1).unwrap();
            assert_eq!(contents.line() + 1, line, "{}", s.text());
        }
    }
}
