//! oxc speaks UTF-8 byte offsets; editors, GitHub and SARIF (`columnKind: utf16CodeUnits`) speak
//! lines and UTF-16 columns. This is the one place that converts.

/// A 1-based line and a 1-based column counted in UTF-16 code units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// Byte offsets at which each line starts. Lines end at `\n`, `\r\n` or a lone `\r`, as in
/// editors and the LSP (not at U+2028/U+2029, which editors show inside a line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(source: &str) -> Self {
        let bytes = source.as_bytes();
        let mut line_starts = vec![0];
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            // `\r\n` ends its line at the `\n`.
            if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                line_starts.push(i as u32 + 1);
            }
        }
        Self { line_starts }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line of a byte offset.
    pub fn line_of(&self, offset: u32) -> usize {
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }

    /// Byte offset where a 0-based line starts.
    pub fn line_start(&self, line: usize) -> u32 {
        self.line_starts[line]
    }

    /// The text of a 0-based line without its line break.
    pub fn line_text<'s>(&self, source: &'s str, line: usize) -> &'s str {
        let start = self.line_starts[line] as usize;
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(source.len(), |&e| e as usize);
        source[start..end].trim_end_matches(['\n', '\r'])
    }

    /// Line and UTF-16 column (both 1-based) of a byte offset. An offset inside a multi-byte
    /// character counts from that character's start; an offset past the end clamps to it.
    pub fn position(&self, source: &str, offset: u32) -> Position {
        let offset = (offset as usize).min(source.len());
        let line = self.line_of(offset as u32);
        let start = self.line_starts[line] as usize;
        let mut end = offset;
        while !source.is_char_boundary(end) {
            end -= 1;
        }
        let column = source[start..end].encode_utf16().count() as u32 + 1;
        Position {
            line: line as u32 + 1,
            column,
        }
    }

    /// Byte offset of a 0-based line and a 0-based UTF-16 column; a column past the line's end
    /// clamps to the end of the line (as the LSP asks).
    pub fn offset_of_utf16(&self, source: &str, line: usize, column: u32) -> u32 {
        let Some(&start) = self.line_starts.get(line) else {
            return source.len() as u32;
        };
        let text = self.line_text(source, line);
        let mut units = 0u32;
        for (i, ch) in text.char_indices() {
            if units >= column {
                return start + i as u32;
            }
            units += ch.len_utf16() as u32;
        }
        start + text.len() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_positions() {
        let src = "ab\ncd\n";
        let index = LineIndex::new(src);
        assert_eq!(index.position(src, 0), Position { line: 1, column: 1 });
        assert_eq!(index.position(src, 3), Position { line: 2, column: 1 });
        assert_eq!(index.position(src, 4), Position { line: 2, column: 2 });
        assert_eq!(index.line_count(), 3);
    }

    #[test]
    fn astral_and_bmp_characters_count_in_utf16_units() {
        // "😀" is 4 UTF-8 bytes and 2 UTF-16 units; "é" is 2 bytes and 1 unit.
        let src = "const s = '😀é'; setInterval(f);";
        let index = LineIndex::new(src);
        let offset = src.find("setInterval").unwrap() as u32;
        // 11 ASCII bytes, 4 + 2 for the two characters, 3 more ASCII: byte 20.
        assert_eq!(offset, 20);
        // 11 + 2 + 1 + 3 = 17 UTF-16 units before it: column 18.
        assert_eq!(
            index.position(src, offset),
            Position {
                line: 1,
                column: 18
            }
        );
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let src = "a\r\nb\rc";
        let index = LineIndex::new(src);
        assert_eq!(index.position(src, 3), Position { line: 2, column: 1 });
        assert_eq!(index.position(src, 5), Position { line: 3, column: 1 });
        assert_eq!(index.line_text(src, 0), "a");
        // `\r\r\n` is two line breaks; a `\r` or `\n` at the very end starts an empty line.
        for (src, lines) in [
            ("a\r\r\nb", 3),
            ("a\r", 2),
            ("a\n", 2),
            ("\n\r\n\r", 4),
            ("", 1),
        ] {
            assert_eq!(LineIndex::new(src).line_count(), lines, "{src:?}");
        }
    }

    #[test]
    fn utf16_offsets_round_trip() {
        let src = "x\n  '😀' + y";
        let index = LineIndex::new(src);
        let y = src.find('y').unwrap() as u32;
        let pos = index.position(src, y);
        assert_eq!(
            index.offset_of_utf16(src, pos.line as usize - 1, pos.column - 1),
            y
        );
        assert_eq!(index.offset_of_utf16(src, 1, 999), src.len() as u32);
    }
}
