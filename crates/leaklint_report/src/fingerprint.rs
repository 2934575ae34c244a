//! `partialFingerprints.primaryLocationLineHash`, computed exactly as GitHub's SARIF upload
//! (github/codeql-action, `src/fingerprints.ts`) computes it when a result has none, so that
//! code scanning tracks an alert across commits whether or not the upload recomputes it.
//!
//! For every line: a rolling hash (base 37, wrapping 64-bit) of the next 100 characters of the
//! file from the line's first non-blank character on, counted in UTF-16 code units, with spaces
//! and tabs dropped and `\r\n`/`\r` read as `\n`; the end of the file is a 65535 followed by
//! zeros. The hash is printed in hexadecimal with `:n`, n counting earlier lines of the same hash.

const BLOCK_SIZE: usize = 100;
const MOD: i64 = 37;
const EOF: u16 = 65535;

/// The hash of each line (index 0 is line 1), as the upload action would compute it.
pub fn line_hashes(source: &str) -> Vec<String> {
    let mut hasher = Hasher::new();
    for unit in source.encode_utf16() {
        hasher.process(unit);
    }
    hasher.process(EOF);
    hasher.finish()
}

struct Hasher {
    window: [u16; BLOCK_SIZE],
    /// The 1-based line starting at each window slot, 0 when none does.
    line_numbers: [usize; BLOCK_SIZE],
    hash: i64,
    first_mod: i64,
    index: usize,
    line_number: usize,
    line_start: bool,
    previous_cr: bool,
    counts: std::collections::HashMap<u64, usize>,
    hashes: Vec<String>,
}

impl Hasher {
    fn new() -> Self {
        let first_mod = (0..BLOCK_SIZE).fold(1i64, |acc, _| acc.wrapping_mul(MOD));
        Self {
            window: [0; BLOCK_SIZE],
            line_numbers: [0; BLOCK_SIZE],
            hash: 0,
            first_mod,
            index: 0,
            line_number: 0,
            line_start: true,
            previous_cr: false,
            counts: std::collections::HashMap::new(),
            hashes: Vec::new(),
        }
    }

    fn process(&mut self, unit: u16) {
        const TAB: u16 = b'\t' as u16;
        const SPACE: u16 = b' ' as u16;
        const LF: u16 = b'\n' as u16;
        const CR: u16 = b'\r' as u16;
        if unit == SPACE || unit == TAB || (self.previous_cr && unit == LF) {
            self.previous_cr = false;
            return;
        }
        let unit = if unit == CR {
            self.previous_cr = true;
            LF
        } else {
            self.previous_cr = false;
            unit
        };
        if self.line_numbers[self.index] != 0 {
            self.output();
        }
        if self.line_start {
            self.line_start = false;
            self.line_number += 1;
            self.line_numbers[self.index] = self.line_number;
        }
        if unit == LF {
            self.line_start = true;
        }
        self.update(unit);
    }

    fn update(&mut self, unit: u16) {
        let begin = self.window[self.index];
        self.window[self.index] = unit;
        self.hash = MOD
            .wrapping_mul(self.hash)
            .wrapping_add(i64::from(unit))
            .wrapping_sub(self.first_mod.wrapping_mul(i64::from(begin)));
        self.index = (self.index + 1) % BLOCK_SIZE;
    }

    fn output(&mut self) {
        let value = self.hash as u64;
        let count = self.counts.entry(value).or_insert(0);
        *count += 1;
        let line = self.line_numbers[self.index];
        // Lines come out in order: line n is the n-th output.
        debug_assert_eq!(line, self.hashes.len() + 1);
        self.hashes.push(format!("{value:x}:{count}"));
        self.line_numbers[self.index] = 0;
    }

    fn finish(mut self) -> Vec<String> {
        for _ in 0..BLOCK_SIZE {
            if self.line_numbers[self.index] != 0 {
                self.output();
            }
            self.update(0);
        }
        self.hashes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The expected values are the upload action's own test vectors
    /// (`src/fingerprints.test.ts` in github/codeql-action).
    #[test]
    fn matches_the_upload_actions_vectors() {
        let cases: &[(&str, &[&str])] = &[
            ("", &["c129715d7a2bc9a3:1"]),
            (
                " a\nb\n  \t\tc\n d",
                &[
                    "271789c17abda88f:1",
                    "54703d4cd895b18:1",
                    "180aee12dab6264:1",
                    "a23a3dc5e078b07b:1",
                ],
            ),
            (
                " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
                &[
                    "8b7cf3e952e7aeb2:1",
                    "b1ae1287ec4718d9:1",
                    "bff680108adb0fcc:1",
                    "c6805c5e1288b612:1",
                    "b86d3392aea1be30:1",
                    "e6ceba753e1a442:1",
                ],
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(line_hashes(input), *expected, "{input:?}");
        }
        let with_final_newline = [
            "e9496ae3ebfced30:1",
            "fb7c023a8b9ccb3f:1",
            "ce8ba1a563dcdaca:1",
            "e20e36e16fcb0cc8:1",
            "b3edc88f2938467e:1",
            "c8e28b0b4002a3a0:1",
            "c129715d7a2bc9a3:1",
        ];
        for input in [
            " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
            " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
            " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
            " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
        ] {
            assert_eq!(line_hashes(input), with_final_newline, "{input:?}");
        }
    }

    /// Characters outside ASCII count in UTF-16 code units (an emoji is two); the expected
    /// values come from the upload action's algorithm run in Node.js on the same text.
    #[test]
    fn non_ascii_text_hashes_utf16_code_units() {
        let input =
            "const s = \"😀é\";\r\n\tsetInterval(() => res.write(s), 1000); // 日本\n\u{feff}x\n";
        assert_eq!(
            line_hashes(input),
            [
                "3841369f0f8a49b4:1",
                "36eb09d6782d051a:1",
                "51bfbc6e89697e4c:1",
                "c129715d7a2bc9a3:1",
            ]
        );
    }

    #[test]
    fn repeated_lines_are_numbered() {
        let input = "Lorem ipsum dolor sit amet.\n".repeat(10);
        assert_eq!(
            line_hashes(&input),
            [
                "a7f2ff13bc495cf2:1",
                "a7f2ff13bc495cf2:2",
                "a7f2ff13bc495cf2:3",
                "a7f2ff13bc495cf2:4",
                "a7f2ff13bc495cf2:5",
                "a7f2ff13bc495cf2:6",
                "a7f2ff1481e87703:1",
                "a9cf91f7bbf1862b:1",
                "55ec222b86bcae53:1",
                "cc97dc7b1d7d8f7b:1",
                "c129715d7a2bc9a3:1",
            ]
        );
    }
}
